package io.carbon254.runbook.worker;

/** The worker cannot start; the message says what is wrong and what to do. Printed without a stack trace. */
public class StartupException extends RuntimeException {

  public StartupException(String message) {
    super(message);
  }

  public StartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
