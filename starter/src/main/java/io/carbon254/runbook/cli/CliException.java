package io.carbon254.runbook.cli;

/** Ends a command with a message for the operator and an exit code; printed without a stack trace. */
class CliException extends RuntimeException {

  final int exitCode;

  CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }
}
