package io.carbon254.runbook.engine;

/**
 * One change a runbook would make, e.g. {@code CREATE Schedule velero/daily-backup "0 2 * * *,
 * ttl 720h"}.
 */
public record PlanItem(Action action, String kind, String target, String detail) {

  public enum Action {
    CREATE,
    UPDATE,
    DELETE,
    /** Already as desired; listed so the operator sees it was checked. */
    KEEP
  }

  public static PlanItem create(String kind, String target, String detail) {
    return new PlanItem(Action.CREATE, kind, target, detail);
  }

  public static PlanItem update(String kind, String target, String detail) {
    return new PlanItem(Action.UPDATE, kind, target, detail);
  }

  public static PlanItem delete(String kind, String target, String detail) {
    return new PlanItem(Action.DELETE, kind, target, detail);
  }

  public static PlanItem keep(String kind, String target, String detail) {
    return new PlanItem(Action.KEEP, kind, target, detail);
  }

  /** The canonical one-line form; the plan hash is computed over these lines. */
  public String line() {
    return action + " " + kind + " " + target + (detail == null || detail.isEmpty() ? "" : " — " + detail);
  }
}
