package io.carbon254.runbook.engine;

import java.util.List;

/** An open manual task: what to do, and what the last verification found. */
public record ManualTaskView(String task, String title, List<String> checklist, String lastVerification) {}
