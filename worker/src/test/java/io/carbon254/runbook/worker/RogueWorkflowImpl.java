package io.carbon254.runbook.worker;

import io.carbon254.runbook.backup.ObjectStoreActivities;
import io.carbon254.runbook.config.Backup;
import io.carbon254.runbook.engine.Authority;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.RetryOptions;
import io.temporal.common.context.ContextPropagator;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;
import java.util.Map;

public class RogueWorkflowImpl implements RogueWorkflow {

  private Attempt attempt;

  @Override
  public String run(Backup.ObjectStore store, String bucket) {
    Workflow.await(() -> attempt != null);
    ActivityOptions.Builder options = ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofSeconds(30))
        .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build());
    if (attempt.forged() != null) {
      options.setContextPropagators(List.of(new Forge(attempt.forged())));
    }
    ObjectStoreActivities objectStore = Workflow.newActivityStub(ObjectStoreActivities.class, options.build());
    try {
      objectStore.ensureBucket(store, bucket, true);
      return "applied";
    } catch (ActivityFailure failure) {
      return failure.getCause() instanceof ApplicationFailure app ? app.getOriginalMessage() : failure.getMessage();
    }
  }

  @Override
  public void attempt(Attempt attempt) {
    this.attempt = attempt;
  }

  /** Puts a forged authority in the activity's headers, as any workflow code can. */
  private record Forge(Authority forged) implements ContextPropagator {
    @Override
    public String getName() {
      return "forge";
    }

    @Override
    public Map<String, Payload> serializeContext(Object context) {
      return Map.of(Authority.HEADER, DefaultDataConverter.STANDARD_INSTANCE.toPayload(forged).orElseThrow());
    }

    @Override
    public Object deserializeContext(Map<String, Payload> header) {
      return null;
    }

    @Override
    public Object getCurrentContext() {
      return forged;
    }

    @Override
    public void setCurrentContext(Object context) {}
  }
}
