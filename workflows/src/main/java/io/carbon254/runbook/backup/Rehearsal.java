package io.carbon254.runbook.backup;

/**
 * The record of a restore rehearsal that passed, kept in the cluster so that a re-run of the
 * runbook knows backups were already proven.
 *
 * @param backup the test backup's name
 * @param at ISO-8601 time it passed
 */
public record Rehearsal(String backup, String at) {}
