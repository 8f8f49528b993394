package io.carbon254.runbook.activities.registry;

import java.time.Duration;

/**
 * A registry said no, or could not be reached. The message names the image, the object and what the registry
 * answered; {@link #retryable()} tells the caller (a Temporal activity) whether trying again later can help.
 */
public class RegistryException extends RuntimeException {

  private final int httpStatus;
  private final String errorCode;
  private final boolean retryable;
  private final boolean exhausted;
  private final Duration retryAfter;

  public RegistryException(String message, int httpStatus, String errorCode, boolean retryable, boolean exhausted,
      Duration retryAfter, Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
    this.retryable = retryable;
    this.exhausted = exhausted;
    this.retryAfter = retryAfter;
  }

  static RegistryException fatal(String message, int httpStatus, String errorCode) {
    return new RegistryException(message, httpStatus, errorCode, false, true, null, null);
  }

  /** The HTTP status, or 0 when no response came (connection failure). */
  public int httpStatus() {
    return httpStatus;
  }

  /** The registry's error code ({@code BLOB_UNKNOWN}, {@code DENIED}, {@code TOOMANYREQUESTS}...), or null. */
  public String errorCode() {
    return errorCode;
  }

  public boolean retryable() {
    return retryable;
  }

  /** True when the retries of this process were already spent; an outer loop should not try again at once. */
  public boolean exhausted() {
    return exhausted;
  }

  /** How long the registry asked us to wait, when it said. */
  public Duration retryAfter() {
    return retryAfter;
  }

  /** The same failure, with what we were doing in front of the message. */
  RegistryException in(String context) {
    return new RegistryException(context + ": " + getMessage(), httpStatus, errorCode, retryable, exhausted, retryAfter,
        this);
  }
}
