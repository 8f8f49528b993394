package io.carbon254.runbook.engine;

import io.temporal.workflow.Functions;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Steps over a list of items that run in parallel with a bounded pool; made by {@link
 * Runbook#parallel}:
 *
 * <pre>{@code
 * List<StepOutcome<HostReport>> reports = rb.parallel("validate-host", hosts)
 *     .named(Host::name)
 *     .atMost(4)
 *     .run(host -> probes.validate(host));
 * }</pre>
 *
 * Each item is a step of its own, {@code <group>/<name>}; the outcomes come back in the items'
 * order. An item's step may be skipped by an operator after it fails; a skipped item is a {@link
 * StepOutcome.Skipped} in the list.
 */
public final class Parallel<I> {

  private final Runbook runbook;
  private final String groupId;
  private final List<I> items;
  private Function<I, String> name = String::valueOf;
  private Function<I, String> title;
  private int atMost = 4;
  private Functions.Proc1<I> undo;

  Parallel(Runbook runbook, String groupId, List<I> items) {
    this.runbook = runbook;
    this.groupId = Objects.requireNonNull(groupId, "groupId");
    this.items = List.copyOf(items);
  }

  /** The name of an item's step, after the group's id (default: the item's string). */
  public Parallel<I> named(Function<I, String> name) {
    this.name = name;
    return this;
  }

  /** The title of an item's step in the checklist (default: its name). */
  public Parallel<I> titled(Function<I, String> title) {
    this.title = title;
    return this;
  }

  /** How many items run at once (default 4). */
  public Parallel<I> atMost(int branches) {
    if (branches < 1) {
      throw new IllegalArgumentException("at least one branch must run at a time, got " + branches);
    }
    this.atMost = branches;
    return this;
  }

  /** What undoes one item's step if the run is aborted or cancelled; registered as the item starts. */
  public Parallel<I> compensateWith(Functions.Proc1<I> undo) {
    this.undo = undo;
    return this;
  }

  /** Declares a step per item, runs them, and returns their outcomes in the items' order. */
  public <R> List<StepOutcome<R>> run(Functions.Func1<I, R> action) {
    List<String> names = items.stream().map(name).toList();
    List<String> titles = items.stream().map(i -> title == null ? name.apply(i) : title.apply(i)).toList();
    List<Step> branches = runbook.declareBranches(groupId, names, titles);
    return runbook.runParallel(branches, items, atMost, undo, action);
  }
}
