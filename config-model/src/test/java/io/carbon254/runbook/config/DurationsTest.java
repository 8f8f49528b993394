package io.carbon254.runbook.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({
      "90s, PT1M30S",
      "30m, PT30M",
      "4h, PT4H",
      "3d, PT72H",
      "1h30m, PT1H30M",
      "720h, PT720H",
      "500ms, PT0.5S",
      "1d2h3m4s5ms, PT26H3M4.005S",
      "0, PT0S",
      "0s, PT0S"})
  void parsesGoLikeDurations(String text, Duration expected) {
    assertThat(Durations.parse(text)).isEqualTo(expected);
    assertThat(Durations.parse(Durations.format(expected))).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "5", "h", "1.5h", "-1h", "1H", "1 h", "1w", "30m1h", "1h1h", "90 s", "1h 30m", "PT1H"})
  void rejectsEverythingElseWithAClearMessage(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("use e.g. 90s, 30m, 4h, 3d, 1h30m");
    assertThat(Durations.isValid(text)).isFalse();
  }

  @ParameterizedTest
  @CsvSource({"1h30m, true", "720h, true", "500ms, true", "3d, false", "1d12h, false", "nope, false"})
  void knowsWhatGoCanParse(String text, boolean go) {
    assertThat(Durations.isGoCompatible(text)).isEqualTo(go);
  }

  @ParameterizedTest
  @CsvSource({"PT72H, 72h", "PT1H30M, 1h30m", "PT0.25S, 250ms", "PT0S, 0s", "PT26H0.5S, 26h500ms"})
  void formatsInGoUnits(Duration d, String text) {
    assertThat(Durations.format(d)).isEqualTo(text);
  }
}
