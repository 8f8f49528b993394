package io.carbon254.runbook.worker;

import io.carbon254.runbook.engine.RunbookDefinition;
import io.carbon254.runbook.Runbooks;
import java.util.List;

/**
 * A set of runbooks with the activities they need. The built-in runbooks are one plugin; more
 * come from the classpath ({@code META-INF/services/io.carbon254.runbook.worker.RunbookPlugin}),
 * so a team can add a runbook without forking the worker. The worker registers every plugin's
 * workflows and activities; {@code runbook start} knows every plugin's runbooks.
 */
public interface RunbookPlugin {

  List<RunbookDefinition> runbooks();

  /** The activity implementations, built on the worker's connections to the platform. */
  List<Object> activities(PlatformConnections platform);
}
