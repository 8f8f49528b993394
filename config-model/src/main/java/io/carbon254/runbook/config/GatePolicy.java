package io.carbon254.runbook.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Who may open a gate and how long it waits. Any field left null inherits from the default
 * policy ({@link Approvals#defaults()}); {@link #mergedOver(GatePolicy)} does that merge.
 *
 * @param requiredApprovals distinct allowed approvers needed (N of M)
 * @param approvers user names, or {@code group:<name>} for a group of {@link Approvals#groups()};
 *     empty means anyone
 * @param forbidInitiator four-eyes: the person who started the run may not approve it
 * @param deadline how long the gate waits (e.g. {@code 72h}, {@code 3d}, {@code 1h30m}); null: forever
 * @param reminderEvery interval between reminders while the gate waits; null: no reminders
 * @param onTimeout what a passed deadline does
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GatePolicy(
    Integer requiredApprovals,
    List<String> approvers,
    Boolean forbidInitiator,
    String deadline,
    String reminderEvery,
    TimeoutOutcome onTimeout) {

  /** The built-in policy when the configuration says nothing: one approval by anyone, no deadline. */
  public static final GatePolicy BUILT_IN = new GatePolicy(1, List.of(), false, null, null, TimeoutOutcome.FAIL);

  /** This policy with every null field taken from {@code base}. */
  public GatePolicy mergedOver(GatePolicy base) {
    if (base == null) {
      return this;
    }
    return new GatePolicy(
        requiredApprovals != null ? requiredApprovals : base.requiredApprovals,
        approvers != null ? approvers : base.approvers,
        forbidInitiator != null ? forbidInitiator : base.forbidInitiator,
        deadline != null ? deadline : base.deadline,
        reminderEvery != null ? reminderEvery : base.reminderEvery,
        onTimeout != null ? onTimeout : base.onTimeout);
  }
}
