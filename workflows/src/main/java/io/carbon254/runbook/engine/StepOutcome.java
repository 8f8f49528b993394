package io.carbon254.runbook.engine;

import java.util.function.Consumer;

/**
 * How a step that an operator may skip ended: {@link Done} with its value, or {@link Skipped} by
 * whom and why. A runbook body reads the value only from a {@code Done}, so a skipped step can never
 * be mistaken for one that ran:
 *
 * <pre>{@code
 * StepOutcome<Verification> verified = verifyRestore.run(() -> velero.verifyRestoredCanary(...));
 * String rehearsal = verified.describe("the restored canary equals the original");
 * }</pre>
 *
 * A step whose value the rest of the runbook needs uses {@link Step#require} instead: the operator
 * may then retry or abort it, never skip it.
 */
public sealed interface StepOutcome<T> permits StepOutcome.Done, StepOutcome.Skipped {

  /** The step ran and succeeded. */
  record Done<T>(T value) implements StepOutcome<T> {}

  /** An operator skipped the step after it failed (or its gate timed out). */
  record Skipped<T>(String by, String reason) implements StepOutcome<T> {}

  static <T> StepOutcome<T> done(T value) {
    return new Done<>(value);
  }

  static <T> StepOutcome<T> skipped(String by, String reason) {
    return new Skipped<>(by, reason);
  }

  default boolean isDone() {
    return this instanceof Done;
  }

  /** The value if the step ran, else {@code fallback}. */
  default T orElse(T fallback) {
    return this instanceof Done<T> done ? done.value() : fallback;
  }

  default void ifDone(Consumer<T> action) {
    if (this instanceof Done<T> done) {
      action.accept(done.value());
    }
  }

  /** The value mapped, if the step ran; a skip stays a skip. */
  default <U> StepOutcome<U> map(java.util.function.Function<T, U> mapping) {
    if (this instanceof Done<T> done) {
      return new Done<>(mapping.apply(done.value()));
    }
    Skipped<T> skipped = (Skipped<T>) this;
    return new Skipped<>(skipped.by(), skipped.reason());
  }

  /** {@code whatPassed} for a step that ran, else who skipped it and why — for prompts and results. */
  default String describe(String whatPassed) {
    return this instanceof Skipped<T> s ? "skipped by " + s.by() + ": " + s.reason() : whatPassed;
  }
}
