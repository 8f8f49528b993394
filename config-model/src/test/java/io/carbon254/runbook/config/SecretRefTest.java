package io.carbon254.runbook.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SecretRefTest {

  @Test
  void eitherFormIsValid() {
    assertThat(ConfigValidator.validateSecretRef("x", SecretRef.env("SLACK_WEBHOOK_URL"))).isEmpty();
    assertThat(ConfigValidator.validateSecretRef("x", SecretRef.kubernetes("data-platform", "minio-secret", "access-key")))
        .isEmpty();
  }

  static Stream<Arguments> badRefs() {
    return Stream.of(
        Arguments.of(null, List.of("x: must be set (a secret reference: env, or namespace/name/key)")),
        Arguments.of(new SecretRef(null, null, null, null), List.of("x: must set either env or namespace/name/key")),
        Arguments.of(new SecretRef("TOKEN", "ns", "s", "k"), List.of("x: must set either env or namespace/name/key, not both")),
        Arguments.of(new SecretRef("TOKEN", null, null, "k"), List.of("x: must set either env or namespace/name/key, not both")),
        Arguments.of(new SecretRef(null, "ns", null, null), List.of("x: namespace, name and key must all be set (missing: name, key)")),
        Arguments.of(new SecretRef("1TOKEN", null, null, null), List.of("x.env: must be an environment variable name (letters, digits, '_'), got '1TOKEN'")),
        Arguments.of(SecretRef.kubernetes("Data_Platform", "minio-secret", "access key"), List.of("x.namespace: must be a Kubernetes name (lowercase letters, digits, '-'; at most 63), got 'Data_Platform'",
            "x.key: must be a Secret key (letters, digits, '-', '_', '.'), got 'access key'")));
  }

  @ParameterizedTest
  @MethodSource("badRefs")
  void neitherBothOrHalfAFormIsReported(SecretRef ref, List<String> expected) {
    assertThat(ConfigValidator.validateSecretRef("x", ref)).extracting(ConfigProblem::toString)
        .containsExactlyElementsOf(expected);
  }

  @Test
  void describesWhereTheSecretLivesAndSerializesOnlyItsForm() throws Exception {
    assertThat(SecretRef.env("A").describe()).isEqualTo("env:A");
    assertThat(SecretRef.kubernetes("ns", "s", "k").toString()).isEqualTo("secret ns/s#k");
    assertThat(new ObjectMapper().writeValueAsString(SecretRef.env("A"))).isEqualTo("{\"env\":\"A\"}");
  }
}
