package io.carbon254.runbook.worker;

import io.carbon254.runbook.activities.ChangeGuard;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.engine.Authority;
import io.carbon254.runbook.engine.ChangesThePlatform;
import io.carbon254.runbook.engine.Runbook;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import io.temporal.api.common.v1.Payload;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.Header;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import io.temporal.common.interceptors.WorkflowInboundCallsInterceptor;
import io.temporal.common.interceptors.WorkflowInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkflowOutboundCallsInterceptor;
import io.temporal.common.interceptors.WorkflowOutboundCallsInterceptorBase;
import io.temporal.common.metadata.POJOActivityImplMetadata;
import io.temporal.failure.ApplicationFailure;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's half of the trust boundary. In a runbook's workflow it attaches the run's {@link
 * Authority} (its signed start and plan approvals) to every activity it schedules; before an
 * activity runs it checks that authority and the activity's configuration arguments against this
 * worker's own configuration ({@link AuthorityCheck}). A refused activity fails, not retried, with
 * the reason ({@code ChangeRefused}); its step then waits for an operator, who may abort.
 */
final class ChangeAuthorization extends WorkerInterceptorBase {

  private static final Logger log = LoggerFactory.getLogger(ChangeAuthorization.class);
  private final AuthorityCheck check;
  /** The header's converter: the client's, so that with payload encryption the header is encrypted too. */
  private final DataConverter converter;
  /** Activity types that change the platform, and the gate whose approval each carries out. */
  private final Map<String, String> changing = new TreeMap<>();

  ChangeAuthorization(List<PlatformConfig> platforms, DataConverter converter) {
    this.check = new AuthorityCheck(platforms);
    this.converter = converter;
  }

  /** Plain JSON headers: for workers without payload encryption (tests). */
  ChangeAuthorization(List<PlatformConfig> platforms) {
    this(platforms, DefaultDataConverter.STANDARD_INSTANCE);
  }

  /** Notes which activity types of {@code implementations} change the platform ({@link ChangesThePlatform}). */
  void register(Object... implementations) {
    for (Object implementation : implementations) {
      POJOActivityImplMetadata.newInstance(implementation.getClass()).getActivityInterfaces().forEach(type ->
          type.getMethodsMetadata().forEach(method -> {
            ChangesThePlatform changes = method.getMethod().getAnnotation(ChangesThePlatform.class);
            if (changes != null) {
              changing.put(method.getActivityTypeName(), changes.gate());
            }
          }));
    }
  }

  /** The activity types that change the platform, and their gates: for the worker's start-up log and tests. */
  Map<String, String> changingTypes() {
    return Map.copyOf(changing);
  }

  @Override
  public WorkflowInboundCallsInterceptor interceptWorkflow(WorkflowInboundCallsInterceptor next) {
    return new WorkflowInboundCallsInterceptorBase(next) {
      @Override
      public void init(WorkflowOutboundCallsInterceptor outbound) {
        super.init(new WorkflowOutboundCallsInterceptorBase(outbound) {
          @Override
          public <R> ActivityOutput<R> executeActivity(ActivityInput<R> input) {
            Authority authority = Runbook.currentAuthority();
            if (authority == null) {
              return super.executeActivity(input);
            }
            Map<String, Payload> values = new HashMap<>(input.getHeader().getValues());
            values.put(Authority.HEADER, converter.toPayload(authority).orElseThrow());
            return super.executeActivity(new ActivityInput<>(input.getActivityName(), input.getResultClass(),
                input.getResultType(), input.getArgs(), input.getOptions(), new Header(values)));
          }
        });
      }
    };
  }

  @Override
  public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
    return new ActivityInboundCallsInterceptorBase(next) {
      private ActivityExecutionContext context;

      @Override
      public void init(ActivityExecutionContext context) {
        this.context = context;
        super.init(context);
      }

      @Override
      public ActivityOutput execute(ActivityInput input) {
        ActivityInfo info = context.getInfo();
        if (info.isLocal()) {
          return super.execute(input);
        }
        Payload header = input.getHeader().getValues().get(Authority.HEADER);
        Authority authority = header == null ? null : converter.fromPayload(header, Authority.class, Authority.class);
        AuthorityCheck.Call call = new AuthorityCheck.Call(info.getActivityType(), info.getNamespace(),
            info.getWorkflowId(), info.getRunId(), changing.get(info.getActivityType()), input.getArguments());
        AuthorityCheck.Outcome outcome = check.decide(call, authority, new ServiceRuns(context.getWorkflowClient()));
        if (outcome.refusal() != null) {
          String message = "activity " + info.getActivityType() + " of " + info.getWorkflowId()
              + " refused by this worker: " + outcome.refusal();
          log.warn(message);
          throw ApplicationFailure.newNonRetryableFailure(message, "ChangeRefused");
        }
        if (outcome.readOnly() != null) {
          return ChangeGuard.readOnly(outcome.readOnly(), () -> super.execute(input));
        }
        return super.execute(input);
      }
    };
  }

  /** The facts about a run, from the Temporal service. */
  private record ServiceRuns(WorkflowClient client) implements AuthorityCheck.Runs {
    @Override
    public String firstRunId(String workflowId, String runId) {
      String first = describe(workflowId, runId).getFirstRunId();
      return first == null || first.isEmpty() ? runId : first;
    }

    @Override
    public Instant chainStarted(String workflowId) {
      WorkflowExecutionDescription latest = describe(workflowId, null);
      String first = latest.getFirstRunId();
      if (first == null || first.isEmpty() || first.equals(latest.getExecution().getRunId())) {
        return latest.getStartTime();
      }
      return describe(workflowId, first).getStartTime();
    }

    private WorkflowExecutionDescription describe(String workflowId, String runId) {
      return client.newUntypedWorkflowStub(workflowId, Optional.ofNullable(runId), Optional.empty()).describe();
    }
  }
}
