package io.carbon254.runbook.engine;

import java.util.List;

/**
 * A runbook as the product knows it, registered once: the CLI's catalogue, the worker's
 * registrations, the replay list and the configuration's known runbooks and gates all come from
 * these definitions (built-ins in {@code Runbooks.ALL}, more from {@code RunbookPlugin}s).
 *
 * @param id the CLI's word and the workflow id's suffix ({@code backup-activation})
 * @param workflowType the Temporal workflow type
 * @param implementation the workflow implementation class
 * @param gates the gates it may open, for gate overrides in the configuration
 */
public record RunbookDefinition(String id, String workflowType, Class<?> implementation, String description,
    List<String> gates) {

  public RunbookDefinition {
    gates = gates == null ? List.of() : List.copyOf(gates);
  }
}
