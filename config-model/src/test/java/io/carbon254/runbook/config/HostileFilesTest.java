package io.carbon254.runbook.config;

import static io.carbon254.runbook.config.InvalidConfigTest.defaultWith;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Files ConfigFuzzTest found wrong answers for, each kept as a story: whatever the file holds,
 * the operator gets problems with a path, readable on a terminal.
 */
class HostileFilesTest {

  @Test
  void aFileThatIsNotAMappingIsWrongAtItsRoot() {
    assertThat(ConfigLoader.checkYaml("- name: 254carbon\n")).extracting(ConfigProblem::toString)
        .containsExactly("(root): expected a mapping, got a list");
    assertThat(ConfigLoader.checkYaml("\"# The 254Carbon platform\"\n")).extracting(ConfigProblem::toString)
        .containsExactly("(root): expected a mapping, got '# The 254Carbon platform'");
  }

  @Test
  void aHugeImageReferenceIsAProblemNotAStackOverflow() {
    String huge = "a.".repeat(50_000) + "a";
    List<ConfigProblem> problems = ConfigLoader.checkYaml(defaultWith("  - alpine:latest", "  - " + huge));
    assertThat(problems).singleElement().satisfies(p -> {
      assertThat(p.path()).isEqualTo("images[34]");
      assertThat(p.message()).startsWith("must be an image reference like registry/repository:tag, got 'a.a.a.")
          .contains(" ... (99114 characters left out) ... ").endsWith("a.a.a'")
          .hasSize(950 + " ... (99114 characters left out) ... ".length());
    });
  }

  @Test
  void aValueJustLongEnoughIsStillMatched() {
    String longest = "a".repeat(ConfigValidator.MAX_MATCHED);
    assertThat(ConfigValidator.matches(ConfigValidator.IMAGE, longest)).isTrue();
    assertThat(ConfigValidator.matches(ConfigValidator.IMAGE, longest + "a")).isFalse();
  }

  @Test
  void aHugeDurationIsRefusedWithoutScanningIt() {
    String digits = "1".repeat(100_000);
    assertThat(ConfigLoader.checkYaml(defaultWith("    timeout: 30m", "    timeout: " + digits + "x")))
        .extracting(ConfigProblem::toString)
        .containsExactly("backup.rehearsal.timeout: '" + "1".repeat(40) + "...' (100001 characters) is not a duration"
            + " (use e.g. 90s, 30m, 4h, 3d, 1h30m, 500ms)");
    assertThat(Durations.isValid("0".repeat(97) + "90s")).as("100 characters still parse").isTrue();
    assertThat(Durations.isValid("0".repeat(98) + "90s")).as("101 do not").isFalse();
    assertThat(Durations.isValid(" ".repeat(97) + "90s ")).as("the length is counted without the blanks").isTrue();
  }

  @Test
  void controlCharactersInAValueAreShownEscaped() {
    assertThat(ConfigLoader.checkYaml(defaultWith("baseDomain: 254carbon.com", "baseDomain: \"\\e[31mred\\u202E\"")))
        .extracting(ConfigProblem::toString)
        .contains("baseDomain: must be a hostname, got '\\u001b[31mred\\u202e'");
  }

  @Test
  void aSyntaxErrorNamesWhatTheParserMetNotItsClasses() {
    String text = InvalidConfigTest.DEFAULT;
    int at = text.indexOf("cluster:\n") + "cluster:\n".length();
    assertThat(ConfigLoader.checkYaml(text.substring(0, at) + "  *anchor" + text.substring(at)))
        .extracting(ConfigProblem::toString).singleElement().asString()
        .startsWith("(yaml): line ").endsWith("got this instead: an alias (*name)");
    assertThat(ConfigLoader.withoutParserEvents("got <org.yaml.snakeyaml.events.MappingStartEvent(anchor=null)>, "
        + "<org.yaml.snakeyaml.events.SequenceStartEvent()>, <org.yaml.snakeyaml.events.ScalarEvent(value=x)>, "
        + "<org.yaml.snakeyaml.events.MappingEndEvent()>, <org.yaml.snakeyaml.events.SequenceEndEvent()>, "
        + "<org.yaml.snakeyaml.events.DocumentStartEvent()>, <org.yaml.snakeyaml.events.DocumentEndEvent()>, "
        + "<org.yaml.snakeyaml.events.StreamEndEvent()>, <org.yaml.snakeyaml.events.ImplicitTupleEvent()>"))
        .isEqualTo("got a mapping, a list, a value, the end of a mapping, the end of a list, a new document (---), "
            + "the end of the document, the end of the file, YAML implicit tuple");
  }
}
