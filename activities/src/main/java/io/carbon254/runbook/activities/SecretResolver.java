package io.carbon254.runbook.activities;

import io.carbon254.runbook.config.SecretRef;

/**
 * Turns a secret reference into the secret, in the worker, at the moment of use. The value must
 * never leave the activity that asked for it: not in a result, an exception message or a log.
 */
@FunctionalInterface
public interface SecretResolver {

  /**
   * @throws SecretUnavailableException naming the reference (never the value) when it cannot be read
   */
  String resolve(SecretRef ref);
}
