package io.carbon254.runbook.engine;

/** A decision as it was taken: who, what, when (ISO-8601 workflow time), and through which channel. */
public record DecisionRecord(String actor, Verdict verdict, String comment, String at, String via) {}
