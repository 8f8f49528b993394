package io.carbon254.runbook.engine;

/** An activity result that the engine shows as its step's one-line summary. */
public interface Summarized {

  /** One line for the operator, e.g. "bucket 254carbon-backups, versioning Enabled". */
  String summary();
}
