package io.carbon254.runbook.cli;

/** What {@code runbook} exits with, so that scripts can branch on it. */
public final class ExitCodes {
  /** Done as asked. */
  public static final int OK = 0;
  /** The runbook failed, or the configuration is invalid. */
  public static final int FAILED = 1;
  /** Bad command line (picocli's usage error). */
  public static final int USAGE = 2;
  /** The run refused the decision (the reason is printed). */
  public static final int REFUSED = 3;
  /** No such run, or nothing waits for that answer. */
  public static final int NOT_FOUND = 4;
  /** Temporal, the cluster or the sandbox cannot be reached, or the worker cannot start. */
  public static final int UNAVAILABLE = 5;
  /** The runbook already runs on this platform. */
  public static final int ALREADY_RUNNING = 6;
  /** No worker polls the run's task queue (or none answered): what the server knows is printed instead. */
  public static final int NO_WORKER = 7;

  private ExitCodes() {}
}
