package io.carbon254.runbook.activities;

/** A secret reference that cannot be resolved; the message names the reference and what to do. */
public class SecretUnavailableException extends RuntimeException {

  public SecretUnavailableException(String message) {
    super(message);
  }
}
