package io.carbon254.runbook.activities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.Test;

/** Writes refused while an activity may only look, and allowed again after it. */
class ChangeGuardTest {

  @Test
  void aWriteInAReadOnlyActivityIsRefusedWithWhatAndWhy() {
    assertThat(ChangeGuard.readOnly()).isFalse();
    ChangeGuard.allow("creating Namespace backup-canary"); // nothing refused outside

    ChangeGuard.readOnly("nobody approved a change", () -> {
      assertThat(ChangeGuard.readOnly()).isTrue();
      assertThatThrownBy(() -> ChangeGuard.allow("creating Namespace backup-canary"))
          .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
            assertThat(f.getType()).isEqualTo("ChangeRefused");
            assertThat(f.isNonRetryable()).isTrue();
            assertThat(f.getOriginalMessage())
                .isEqualTo("creating Namespace backup-canary refused by this worker: nobody approved a change");
          });
      ChangeGuard.readOnly("an inner reason", () -> null);
      assertThat(ChangeGuard.readOnly()).as("the outer reason is back").isTrue();
      return null;
    });

    assertThat(ChangeGuard.readOnly()).isFalse();
  }
}
