package io.carbon254.runbook.cli;

/**
 * No worker can answer for a run: exit code {@link ExitCodes#NO_WORKER}, the one line that says so
 * and what to do, and what the server knows of the run for {@code status} to show instead.
 */
final class NoWorkerException extends CliException {

  final ServerView view;

  NoWorkerException(ServerView view) {
    super(ExitCodes.NO_WORKER, view.noWorker());
    this.view = view;
  }
}
