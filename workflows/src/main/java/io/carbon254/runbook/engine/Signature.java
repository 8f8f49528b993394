package io.carbon254.runbook.engine;

/**
 * A person's detached SSH signature (SSHSIG, armored) over the exact text of what they decided
 * ({@code SignedMessages}), and until when it may be used (ISO-8601).
 */
public record Signature(String signature, String expires) {}
