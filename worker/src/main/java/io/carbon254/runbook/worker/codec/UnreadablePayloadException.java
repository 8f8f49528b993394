package io.carbon254.runbook.worker.codec;

import io.temporal.payload.codec.PayloadCodecException;

/**
 * An encrypted payload this process cannot decrypt: its key is not in the keyring (or there is no
 * keyring), or it fails authentication. The message names the key id and what to do; never a key.
 */
public final class UnreadablePayloadException extends PayloadCodecException {

  private final String keyId;

  UnreadablePayloadException(String keyId, String message) {
    super(message);
    this.keyId = keyId;
  }

  /** The key id the payload names, or null if it names none. */
  public String keyId() {
    return keyId;
  }
}
