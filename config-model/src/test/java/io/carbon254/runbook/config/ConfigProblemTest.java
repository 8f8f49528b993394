package io.carbon254.runbook.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** A problem is shown on a terminal: nothing in it may drive or flood the terminal. */
class ConfigProblemTest {

  @ParameterizedTest
  @ValueSource(chars = {'\u0000', '\u001f', '\u007f', '\u0085', '\u009f', '\u202a', '\u202e', '\u2066', '\u2069'})
  void controlAndBidiCharactersAreEscaped(char c) {
    ConfigProblem p = new ConfigProblem("a" + c, "b" + c + "c");
    assertThat(p.path()).isEqualTo("a" + String.format("\\u%04x", (int) c));
    assertThat(p.message()).isEqualTo("b" + String.format("\\u%04x", (int) c) + "c");
  }

  @ParameterizedTest
  @ValueSource(chars = {' ', '~', '\u00a0', '\u00e9', '\u2029', '\u202f', '\u2065', '\u206a', '\u4e2d'})
  void otherCharactersAreShownAsThemselves(char c) {
    assertThat(new ConfigProblem("p", "x" + c).message()).isEqualTo("x" + c);
  }

  @Test
  void aLongMessageIsShownWithItsMiddleLeftOut() {
    String exactly = "m".repeat(ConfigProblem.MAX_SHOWN);
    assertThat(new ConfigProblem("p", exactly).message()).isEqualTo(exactly);
    String longer = "h".repeat(750) + "m".repeat(51) + "t".repeat(200);
    assertThat(new ConfigProblem("p", longer).message())
        .isEqualTo("h".repeat(750) + " ... (51 characters left out) ... " + "t".repeat(200));
    assertThat(new ConfigProblem("p".repeat(5000), "m").path())
        .isEqualTo("p".repeat(750) + " ... (4050 characters left out) ... " + "p".repeat(200));
    assertThat(new ConfigProblem(null, null).path()).isNull();
  }
}
