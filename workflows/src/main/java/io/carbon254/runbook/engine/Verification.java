package io.carbon254.runbook.engine;

/** What a verification activity found: whether the work is really done, and the evidence. */
public record Verification(boolean ok, String evidence) {

  public static Verification passed(String evidence) {
    return new Verification(true, evidence);
  }

  public static Verification failed(String evidence) {
    return new Verification(false, evidence);
  }
}
