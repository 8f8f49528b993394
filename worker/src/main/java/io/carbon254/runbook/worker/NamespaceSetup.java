package io.carbon254.runbook.worker;

import io.carbon254.runbook.config.Durations;
import io.carbon254.runbook.engine.RunbookSearchAttributes;
import io.carbon254.runbook.worker.codec.PayloadEncryption;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * What a Temporal namespace needs before the first run: the namespace itself (registered when
 * missing, on a self-hosted server) and the search attributes every run keeps. Idempotent: it says
 * what it registered and what was already there. {@code runbook setup} and the worker image's
 * {@code setup} (the compose file's namespace step) both run it.
 */
public final class NamespaceSetup {

  public static final String ATTRIBUTE_NAMES = "RunbookName, RunbookState, RunbookStep, Platform as Keyword, AwaitingApproval as Bool, ReadinessScore as Int";

  /** A namespace just registered is not known to every service at once: how long its search attributes may take. */
  private static final Duration NEW_NAMESPACE_PATIENCE = Duration.ofSeconds(60);

  /** The set-up failed; {@code unavailable} when the server could not be reached or answered in time. */
  public static final class SetupFailed extends RuntimeException {
    private final boolean unavailable;

    SetupFailed(String message, boolean unavailable) {
      super(message);
      this.unavailable = unavailable;
    }

    public boolean unavailable() {
      return unavailable;
    }
  }

  private final Consumer<String> say;

  public NamespaceSetup(Consumer<String> say) {
    this.say = say;
  }

  /**
   * Connects (trying until {@code waitFor} has passed, for a server that is starting) and prepares
   * the connection's namespace; a new namespace keeps closed runs for {@code retention}.
   */
  public void run(String address, Duration retention, Duration waitFor) {
    long deadline = System.nanoTime() + waitFor.toNanos();
    try (TemporalConnection connection = connect(address, deadline)) {
      String namespace = connection.namespace();
      say.accept("Temporal " + connection.address() + ", namespace " + namespace);
      boolean registered = ensureNamespace(connection, namespace, retention);
      OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(
          OperatorServiceStubsOptions.newBuilder(connection.stubs().getOptions()).validateAndBuildWithDefaults());
      try {
        long patience = Math.max(deadline, System.nanoTime() + (registered ? NEW_NAMESPACE_PATIENCE : Duration.ofSeconds(10)).toNanos());
        ensureSearchAttributes(operator, namespace, patience);
      } finally {
        operator.shutdownNow();
      }
      say.accept("ready: runs on " + namespace + " keep their search attributes ('runbook list' filters on them)");
    }
  }

  private TemporalConnection connect(String address, long deadline) {
    boolean said = false;
    while (true) {
      try {
        return TemporalConnection.connect(address, null, PayloadEncryption.off()); // no payloads here: no keyring needed
      } catch (StartupException e) {
        if (System.nanoTime() > deadline) {
          throw new SetupFailed(e.getMessage(), true);
        }
        if (!said) {
          say.accept("waiting for Temporal to answer...");
          said = true;
        }
        LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
      }
    }
  }

  /** True when this call registered the namespace. */
  private boolean ensureNamespace(TemporalConnection connection, String namespace, Duration retention) {
    try {
      connection.stubs().blockingStub().describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace(namespace).build());
      say.accept("namespace " + namespace + ": already there");
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
      say.accept("namespace " + namespace + ": registered (keeps closed runs " + Durations.format(retention) + ")");
      return true;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.ALREADY_EXISTS) {
        say.accept("namespace " + namespace + ": already there");
        return false;
      }
      throw failure("cannot register namespace " + namespace
          + " (on Temporal Cloud, create namespaces in the Cloud UI or with tcld)", e);
    }
  }

  private void ensureSearchAttributes(OperatorServiceStubs operator, String namespace, long deadline) {
    Map<String, IndexedValueType> existing = listSearchAttributes(operator, namespace, deadline);
    Map<String, IndexedValueType> missing = new TreeMap<>();
    for (Map.Entry<String, IndexedValueType> wanted : new TreeMap<>(RunbookSearchAttributes.ALL).entrySet()) {
      IndexedValueType has = existing.get(wanted.getKey());
      if (has == null) {
        missing.put(wanted.getKey(), wanted.getValue());
      } else if (has != wanted.getValue()) {
        throw new SetupFailed("search attribute " + wanted.getKey() + " is a "
            + RunbookSearchAttributes.cliType(has) + " on " + namespace + ", the runbooks need a "
            + RunbookSearchAttributes.cliType(wanted.getValue()) + ": remove it or use another namespace", false);
      } else {
        say.accept("search attribute " + describe(wanted) + ": already there");
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
        throw new SetupFailed("search attribute " + describe(added) + " was registered but " + namespace
            + " does not list it", false);
      }
      say.accept("search attribute " + describe(added) + ": registered");
    });
  }

  /**
   * The search attributes every run keeps that the connection's namespace lacks (or has with another
   * type), e.g. {@code [ReadinessScore]}; empty when all are there, or when the server cannot say (no
   * operator service: the embedded test server). A run on a namespace without them would fail its
   * workflow tasks at its first upsert, so the worker refuses to start instead.
   */
  public static java.util.List<String> missingSearchAttributes(TemporalConnection connection) {
    OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(
        OperatorServiceStubsOptions.newBuilder(connection.stubs().getOptions()).validateAndBuildWithDefaults());
    try {
      Map<String, IndexedValueType> existing = operator.blockingStub().withDeadlineAfter(10, TimeUnit.SECONDS)
          .listSearchAttributes(ListSearchAttributesRequest.newBuilder().setNamespace(connection.namespace()).build())
          .getCustomAttributesMap();
      return new TreeMap<>(RunbookSearchAttributes.ALL).entrySet().stream()
          .filter(wanted -> existing.get(wanted.getKey()) != wanted.getValue())
          .map(Map.Entry::getKey).toList();
    } catch (StatusRuntimeException e) {
      return java.util.List.of(); // the server cannot say (or not now): the runs will
    } finally {
      operator.shutdownNow();
    }
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

  private static SetupFailed failure(String what, StatusRuntimeException e) {
    boolean unavailable = e.getStatus().getCode() == Status.Code.UNAVAILABLE
        || e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED;
    return new SetupFailed(what + ": " + e.getStatus().getCode()
        + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription()), unavailable);
  }
}
