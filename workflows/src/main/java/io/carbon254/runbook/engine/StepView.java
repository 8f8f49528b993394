package io.carbon254.runbook.engine;

/**
 * One step as the status query, the result and the Web UI show it.
 *
 * @param startedAt ISO-8601 workflow time of the latest attempt's start, or null
 * @param endedAt ISO-8601 workflow time the step finished, or null
 * @param attempts how many times the step's action ran (operator RETRY adds one)
 * @param change what the step changed, when its activity reports it
 * @param summary one line of evidence or outcome
 */
public record StepView(
    String id,
    String title,
    StepState state,
    String startedAt,
    String endedAt,
    int attempts,
    Change change,
    String summary,
    String lastError) {}
