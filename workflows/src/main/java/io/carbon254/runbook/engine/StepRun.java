package io.carbon254.runbook.engine;

/** The mutable state of one step in a run; {@link #view()} is what status and result show. */
final class StepRun {
  final String id;
  final String title;
  StepState state = StepState.PENDING;
  String startedAt;
  String endedAt;
  int attempts;
  Change change;
  String summary;
  String lastError;

  StepRun(String id, String title) {
    this.id = id;
    this.title = title;
  }

  /** Records what a step's result says: its change and one line of evidence. */
  void record(Object result) {
    if (result instanceof Changed changed) {
      change = changed.change();
      summary = changed.summary();
    } else if (result instanceof Summarized summarized) {
      summary = summarized.summary();
    } else if (result instanceof Verification v) {
      summary = v.evidence();
    } else if (result instanceof String text) {
      summary = text;
    }
  }

  StepView view() {
    return new StepView(id, title, state, startedAt, endedAt, attempts, change, summary, lastError);
  }
}
