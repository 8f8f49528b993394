package io.carbon254.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.config.GatePolicy;
import io.carbon254.runbook.config.TimeoutOutcome;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rules a gate decision must pass, as plain code: no Temporal, no workflow. */
class GateBookTest {

  private static final long NOW = 1_000_000L;
  private static final GatePolicy TWO_ADMINS_FOUR_EYES =
      new GatePolicy(2, List.of("group:admins"), true, "72h", null, TimeoutOutcome.FAIL);
  private static final Set<String> ADMINS = Set.of("alice", "bob", "carol");

  private final GateBook book = new GateBook();

  @Test
  void aDecisionForTheOpenInstanceByAnAllowedPersonApplies() {
    GateRun gate = book.open("approve-plan", "the plan", TWO_ADMINS_FOUR_EYES, ADMINS, Plan.of(List.of()), NOW, NOW + 1000);

    assertThat(book.refusal(Decision.approve("approve-plan", 1, "bob", gate.plan.hash()), "alice", NOW)).isNull();
  }

  @Test
  void everyRuleRefusesWithItsReason() {
    Plan plan = Plan.of(List.of(PlanItem.create("Thing", "alpha", "new")));
    book.open("approve-plan", "the plan", TWO_ADMINS_FOUR_EYES, ADMINS, plan, NOW, NOW + 1000);

    assertThat(book.refusal(null, "alice", NOW)).isEqualTo("no decision was given");
    assertThat(book.refusal(new Decision("approve-plan", 1, Verdict.APPROVE, " ", null, plan.hash()), "alice", NOW))
        .startsWith("the decision does not say who decides");
    assertThat(book.refusal(new Decision("approve-plan", 1, null, "bob", null, plan.hash()), "alice", NOW))
        .isEqualTo("the decision has no verdict (APPROVE or REJECT)");
    assertThat(book.refusal(Decision.approve("", 1, "bob", plan.hash()), "alice", NOW))
        .isEqualTo("the decision names no gate; the open gate is approve-plan #1");
    assertThat(book.refusal(Decision.approve("go-live", 1, "bob", null), "alice", NOW))
        .isEqualTo("gate 'go-live' has not opened in this run; the open gate is approve-plan #1");
    assertThat(book.refusal(Decision.approve("approve-plan", 2, "bob", plan.hash()), "alice", NOW))
        .isEqualTo("gate approve-plan #2 has not opened; the open gate is approve-plan #1");
    assertThat(book.refusal(Decision.approve("approve-plan", 1, "bob", plan.hash()), "alice", NOW + 1000))
        .isEqualTo("the deadline of gate approve-plan #1 has passed");
    assertThat(book.refusal(Decision.reject("approve-plan", 1, "bob", " "), "alice", NOW))
        .startsWith("a rejection needs a reason");
    assertThat(book.refusal(Decision.approve("approve-plan", 1, "mallory", plan.hash()), "alice", NOW))
        .isEqualTo("mallory is not an allowed approver of gate approve-plan #1 (allowed: group:admins)");
    assertThat(book.refusal(Decision.approve("approve-plan", 1, "alice", plan.hash()), "alice", NOW))
        .isEqualTo("alice started this run and may not approve it: gate approve-plan #1 needs four eyes");
    assertThat(book.refusal(Decision.approve("approve-plan", 1, "bob", "0000000000000000"), "alice", NOW))
        .startsWith("plan hash 0000000000000000 is not the plan shown at gate approve-plan #1 (" + plan.hash() + ")");
    assertThat(book.refusal(Decision.approve("approve-plan", 1, "bob", null), "alice", NOW))
        .startsWith("plan hash (none) is not the plan shown");
  }

  @Test
  void aRejectionByTheInitiatorIsAllowedAndClosesTheGate() {
    GateRun gate = book.open("go-live", "go?", TWO_ADMINS_FOUR_EYES, ADMINS, null, NOW, null);

    assertThat(book.refusal(Decision.reject("go-live", 1, "alice", "too early"), "alice", NOW)).isNull();
    gate.record(new DecisionRecord("alice", Verdict.REJECT, "too early", "t", "update"), NOW);

    assertThat(gate.outcome).isEqualTo(GateOutcome.REJECTED);
    assertThat(book.openGate()).isNull();
    assertThat(book.refusal(Decision.approve("go-live", 1, "bob", null), "alice", NOW))
        .isEqualTo("gate 'go-live' is closed; no gate is open now");
  }

  @Test
  void nApprovalsByDistinctPeopleCloseTheGateAndADuplicateIsRefused() {
    GateRun gate = book.open("go-live", "go?", TWO_ADMINS_FOUR_EYES, ADMINS, null, NOW, null);

    gate.record(new DecisionRecord("bob", Verdict.APPROVE, null, "t", "update"), NOW);
    assertThat(gate.outcome).isEqualTo(GateOutcome.OPEN);
    assertThat(book.refusal(Decision.approve("go-live", 1, "bob", null), "alice", NOW))
        .isEqualTo("bob has already approved gate go-live #1 (1 of 2 approvals)");
    gate.record(new DecisionRecord("carol", Verdict.APPROVE, null, "t", "update"), NOW + 5);

    assertThat(gate.outcome).isEqualTo(GateOutcome.APPROVED);
    assertThat(gate.closedAt).isEqualTo(NOW + 5);
    assertThat(gate.view().approvals()).isEqualTo(2);
  }

  @Test
  void aLaterInstanceRefusesDecisionsForAnEarlierOne() {
    GateRun first = book.open("approve-plan", "v1", TWO_ADMINS_FOUR_EYES, ADMINS, null, NOW, null);
    first.close(GateOutcome.TIMED_OUT, NOW);
    book.leave(first);
    book.open("approve-plan", "v2", TWO_ADMINS_FOUR_EYES, ADMINS, null, NOW, null);

    assertThat(book.refusal(Decision.approve("approve-plan", 1, "bob", null), "alice", NOW))
        .isEqualTo("gate approve-plan #1 is closed; the open gate is approve-plan #2");
    assertThat(book.views()).extracting(GateView::instance).containsExactly(1, 2);
  }

  @Test
  void earlyDecisionsWaitForExactlyTheirInstanceAndTheQueueIsBounded() {
    Decision early = Decision.approve("go-live", 1, "bob", null);
    assertThat(book.isEarly(early)).isTrue();
    assertThat(book.keepEarly(early)).isTrue();
    for (int i = 2; i <= GateBook.MAX_EARLY_DECISIONS; i++) {
      assertThat(book.keepEarly(Decision.approve("go-live", i, "bob", null))).isTrue();
    }
    assertThat(book.keepEarly(Decision.approve("go-live", 99, "bob", null))).as("the queue is full").isFalse();

    book.open("go-live", "go?", TWO_ADMINS_FOUR_EYES, ADMINS, null, NOW, null);

    assertThat(book.takeEarly("go-live", 1)).containsExactly(early);
    assertThat(book.takeEarly("go-live", 1)).isEmpty();
    assertThat(book.isEarly(Decision.approve("go-live", 1, "carol", null))).as("for the open instance").isFalse();
  }
}
