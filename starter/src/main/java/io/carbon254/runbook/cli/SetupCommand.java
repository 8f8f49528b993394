package io.carbon254.runbook.cli;

import io.carbon254.runbook.config.Durations;
import io.carbon254.runbook.engine.RunbookSearchAttributes;
import io.carbon254.runbook.worker.TemporalConnection;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.api.workflowservice.v1.RegisterNamespaceRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code runbook setup}: what a Temporal namespace needs before the first run — the namespace
 * itself (registered when missing) and the search attributes every run keeps. docker-compose's
 * {@code temporal-namespace} step runs it, and so do the production-topology tests.
 */
@Command(name = "setup", mixinStandardHelpOptions = true,
    description = {"Prepare a Temporal namespace for the runbooks: register the namespace when it is missing (a self-hosted"
        + " server)", "and the search attributes every run keeps (" + SetupCommand.ATTRIBUTE_NAMES + ").",
        "Safe to re-run: says what it registered and what was already there. The namespace is TEMPORAL_NAMESPACE",
        "(or temporal.toml's, or default)."})
final class SetupCommand implements Callable<Integer> {

  static final String ATTRIBUTE_NAMES = "RunbookName, RunbookState, RunbookStep, Platform as Keyword, AwaitingApproval as Bool";

  @Mixin
  TemporalOptions temporal;

  @Option(names = "--retention", paramLabel = "DURATION", defaultValue = "3d",
      description = "How long a new namespace keeps closed runs (default: ${DEFAULT-VALUE}; an existing namespace is left as it is).")
  String retention;

  @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "0s",
      description = "Keep trying this long while the server is not reachable yet, e.g. one that is starting (default: ${DEFAULT-VALUE}).")
  String waitFor;

  /** A namespace just registered is not known to every service at once: how long its search attributes may take. */
  private static final Duration NEW_NAMESPACE_PATIENCE = Duration.ofSeconds(60);

  @Override
  public Integer call() {
    Duration retentionPeriod = duration("--retention", retention);
    long deadline = System.nanoTime() + duration("--wait", waitFor).toNanos();
    try (TemporalConnection connection = connect(deadline)) {
      String namespace = connection.namespace();
      System.out.println("Temporal " + connection.address() + ", namespace " + namespace);
      boolean registered = ensureNamespace(connection, namespace, retentionPeriod);
      OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(
          OperatorServiceStubsOptions.newBuilder(connection.stubs().getOptions()).validateAndBuildWithDefaults());
      try {
        long patience = Math.max(deadline, System.nanoTime() + (registered ? NEW_NAMESPACE_PATIENCE : Duration.ofSeconds(10)).toNanos());
        ensureSearchAttributes(operator, namespace, patience);
      } finally {
        operator.shutdownNow();
      }
      System.out.println("ready: runs on " + namespace + " keep their search attributes ('runbook list' filters on them)");
      return ExitCodes.OK;
    }
  }

  private static Duration duration(String option, String text) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, option + ": " + e.getMessage());
    }
  }

  private TemporalConnection connect(long deadline) {
    boolean said = false;
    while (true) {
      try {
        return temporal.connect();
      } catch (CliException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        if (!said) {
          System.out.println("waiting for Temporal to answer...");
          said = true;
        }
        LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
      }
    }
  }

  /** True when this call registered the namespace. */
  private static boolean ensureNamespace(TemporalConnection connection, String namespace, Duration retention) {
    try {
      connection.stubs().blockingStub().describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace(namespace).build());
      System.out.println("namespace " + namespace + ": already there");
      return false;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
        throw failure("cannot read namespace " + namespace, e);
      }
    }
    try {
      connection.stubs().blockingStub().registerNamespace(RegisterNamespaceRequest.newBuilder()
          .setNamespace(namespace)
          .setWorkflowExecutionRetentionPeriod(com.google.protobuf.util.Durations.fromMillis(retention.toMillis()))
          .setDescription("runbooks")
          .build());
      System.out.println("namespace " + namespace + ": registered (keeps closed runs " + Durations.format(retention) + ")");
      return true;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.ALREADY_EXISTS) {
        System.out.println("namespace " + namespace + ": already there");
        return false;
      }
      throw failure("cannot register namespace " + namespace
          + " (on Temporal Cloud, create namespaces in the Cloud UI or with tcld)", e);
    }
  }

  private static void ensureSearchAttributes(OperatorServiceStubs operator, String namespace, long deadline) {
    Map<String, IndexedValueType> existing = listSearchAttributes(operator, namespace, deadline);
    Map<String, IndexedValueType> missing = new TreeMap<>();
    for (Map.Entry<String, IndexedValueType> wanted : new TreeMap<>(RunbookSearchAttributes.ALL).entrySet()) {
      IndexedValueType has = existing.get(wanted.getKey());
      if (has == null) {
        missing.put(wanted.getKey(), wanted.getValue());
      } else if (has != wanted.getValue()) {
        throw new CliException(ExitCodes.FAILED, "search attribute " + wanted.getKey() + " is a "
            + RunbookSearchAttributes.cliType(has) + " on " + namespace + ", the runbooks need a "
            + RunbookSearchAttributes.cliType(wanted.getValue()) + ": remove it or use another namespace");
      } else {
        System.out.println("search attribute " + describe(wanted) + ": already there");
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    try {
      operator.blockingStub().withDeadlineAfter(30, TimeUnit.SECONDS).addSearchAttributes(AddSearchAttributesRequest.newBuilder()
          .setNamespace(namespace).putAllSearchAttributes(missing).build());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
        throw failure("cannot register the search attributes " + missing.keySet() + " on " + namespace
            + " (on Temporal Cloud, add them in the Cloud UI or with 'tcld namespace search-attributes add')", e);
      }
    }
    Map<String, IndexedValueType> now = listSearchAttributes(operator, namespace, deadline);
    missing.entrySet().forEach(added -> {
      if (now.get(added.getKey()) != added.getValue()) {
        throw new CliException(ExitCodes.FAILED, "search attribute " + describe(added) + " was registered but "
            + namespace + " does not list it");
      }
      System.out.println("search attribute " + describe(added) + ": registered");
    });
  }

  /** The namespace's custom search attributes; a namespace registered a moment ago may be unknown for a few seconds. */
  private static Map<String, IndexedValueType> listSearchAttributes(OperatorServiceStubs operator, String namespace, long deadline) {
    while (true) {
      try {
        return operator.blockingStub().withDeadlineAfter(10, TimeUnit.SECONDS)
            .listSearchAttributes(ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build())
            .getCustomAttributesMap();
      } catch (StatusRuntimeException e) {
        boolean notYet = e.getStatus().getCode() == Status.Code.NOT_FOUND || e.getStatus().getCode() == Status.Code.UNAVAILABLE;
        if (!notYet || System.nanoTime() > deadline) {
          throw failure("cannot list the search attributes of " + namespace, e);
        }
        LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
      }
    }
  }

  private static String describe(Map.Entry<String, IndexedValueType> attribute) {
    return attribute.getKey() + " (" + RunbookSearchAttributes.cliType(attribute.getValue()) + ")";
  }

  private static CliException failure(String what, StatusRuntimeException e) {
    int code = e.getStatus().getCode() == Status.Code.UNAVAILABLE || e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED
        ? ExitCodes.UNAVAILABLE : ExitCodes.FAILED;
    return new CliException(code, what + ": " + Runs.rootMessage(e));
  }
}
