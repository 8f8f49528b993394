package io.carbon254.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.engine.OperatorAction.Action;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** The rules an operator's answer must pass, as plain code. */
class OperatorDeskTest {

  private final OperatorDesk desk = new OperatorDesk();

  @Test
  void nothingWaitsSoEveryAnswerIsRefused() {
    assertThat(desk.refusal(new OperatorAction("plan", Action.RETRY, "erin", null)))
        .isEqualTo("no step is waiting for an operator");
    assertThat(desk.refusal(null)).isEqualTo("say what to do: RETRY, SKIP or ABORT");
    desk.open("plan", "Plan: down", EnumSet.allOf(Action.class), null);
    assertThat(desk.refusal(new OperatorAction("plan", Action.RETRY, "", null))).startsWith("the action does not say who");
  }

  @Test
  void aStepWhoseValueIsNeededOffersRetryAndAbortOnlyAndSaysWhy() {
    desk.open("plan", "Plan: down", EnumSet.of(Action.RETRY, Action.ABORT), "the rest of the runbook needs what step plan produces");

    assertThat(desk.refusal(new OperatorAction("plan", Action.SKIP, "erin", "later"))).isEqualTo(
        "SKIP is not possible for step plan: the rest of the runbook needs what step plan produces; answer RETRY or ABORT");
    assertThat(desk.refusal(new OperatorAction("plan", Action.ABORT, "erin", " "))).isEqualTo("ABORT needs a reason (CLI: --reason)");
    assertThat(desk.refusal(new OperatorAction("plan", Action.RETRY, "erin", null))).isNull();
    assertThat(desk.views()).singleElement().satisfies(v -> assertThat(v.actions()).containsExactly(Action.RETRY, Action.ABORT));
  }

  @Test
  void severalStepsWaitAtOnceAndEachTakesOneAnswer() {
    OperatorDesk.Wait first = desk.open("enroll/h1", "refused", EnumSet.allOf(Action.class), null);
    desk.open("enroll/h2", "refused", EnumSet.allOf(Action.class), null);

    assertThat(desk.refusal(new OperatorAction("enroll/h3", Action.RETRY, "erin", null)))
        .isEqualTo("step 'enroll/h3' is not waiting for an operator; steps enroll/h1, enroll/h2 are");
    desk.answer(new OperatorAction("enroll/h1", Action.RETRY, "erin", null), "erin");
    assertThat(desk.refusal(new OperatorAction("enroll/h1", Action.SKIP, "frank", "dup")))
        .isEqualTo("step enroll/h1 already has an answer (RETRY by erin)");

    desk.close(first);
    assertThat(desk.first()).isEqualTo("enroll/h2");
    assertThat(desk.refusal(new OperatorAction("enroll/h1", Action.RETRY, "erin", null)))
        .isEqualTo("step 'enroll/h1' is not waiting for an operator; step enroll/h2 is");
  }
}
