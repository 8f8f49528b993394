package io.carbon254.runbook.worker.codec;

import io.carbon254.runbook.worker.StartupException;

/** The keyring cannot be used: the message names the file and key ids, never key material. */
public final class KeyringException extends StartupException {

  public KeyringException(String message) {
    super(message);
  }
}
