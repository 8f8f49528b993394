package io.carbon254.runbook.cli;

import io.carbon254.runbook.config.Durations;
import io.carbon254.runbook.worker.NamespaceSetup;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code runbook setup}: what a Temporal namespace needs before the first run — the namespace
 * itself (registered when missing) and the search attributes every run keeps ({@link
 * NamespaceSetup}, which the worker image's {@code setup} runs too: docker-compose's {@code
 * temporal-namespace} step). The production-topology tests run it.
 */
@Command(name = "setup", mixinStandardHelpOptions = true,
    description = {"Prepare a Temporal namespace for the runbooks: register the namespace when it is missing (a self-hosted"
        + " server)", "and the search attributes every run keeps (" + NamespaceSetup.ATTRIBUTE_NAMES + ").",
        "Safe to re-run: says what it registered and what was already there. The namespace is TEMPORAL_NAMESPACE",
        "(or temporal.toml's, or default)."})
final class SetupCommand implements Callable<Integer> {

  @Mixin
  TemporalOptions temporal;

  @Option(names = "--retention", paramLabel = "DURATION", defaultValue = "3d",
      description = "How long a new namespace keeps closed runs (default: ${DEFAULT-VALUE}; an existing namespace is left as it is).")
  String retention;

  @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "0s",
      description = "Keep trying this long while the server is not reachable yet, e.g. one that is starting (default: ${DEFAULT-VALUE}).")
  String waitFor;

  @Override
  public Integer call() {
    Duration retentionPeriod = duration("--retention", retention);
    Duration patience = duration("--wait", waitFor);
    try {
      new NamespaceSetup(System.out::println).run(temporal.address, retentionPeriod, patience);
      return ExitCodes.OK;
    } catch (NamespaceSetup.SetupFailed e) {
      throw new CliException(e.unavailable() ? ExitCodes.UNAVAILABLE : ExitCodes.FAILED, e.getMessage());
    }
  }

  static Duration duration(String option, String text) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, option + ": " + e.getMessage());
    }
  }
}
