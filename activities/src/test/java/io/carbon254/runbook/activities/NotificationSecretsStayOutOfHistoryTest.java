package io.carbon254.runbook.activities;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbon254.runbook.config.Approvals;
import io.carbon254.runbook.config.Notifications;
import io.carbon254.runbook.config.PlatformConfig;
import io.carbon254.runbook.config.SecretRef;
import io.carbon254.runbook.engine.Decision;
import io.carbon254.runbook.engine.DrillWorkflow;
import io.carbon254.runbook.engine.DrillWorkflowImpl;
import io.carbon254.runbook.engine.DrillWorld;
import io.carbon254.runbook.engine.GateView;
import io.carbon254.runbook.engine.HistoryScan;
import io.carbon254.runbook.engine.LogCapture;
import io.carbon254.runbook.engine.RunbookLauncher;
import io.carbon254.runbook.engine.RunbookRequest;
import io.carbon254.runbook.engine.RunbookResult;
import io.carbon254.runbook.engine.RunbookTesting;
import io.carbon254.runbook.engine.TestPlatforms;
import io.carbon254.runbook.engine.RunbookStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A webhook URL is a credential. With a planted one, a whole run — notifications that succeed and
 * notifications that fail — leaves it in no exported history and no log line.
 */
class NotificationSecretsStayOutOfHistoryTest {

  private static final String PLANTED = "planted-s3cr3t-webhook-7f3a";

  @RegisterExtension
  static final TestWorkflowExtension temporal = RunbookTesting.extension(DrillWorkflowImpl.class);

  @StartStop
  final MockWebServer chat = new MockWebServer();

  private LogCapture logs;
  private WorkflowClient client;
  private String taskQueue;

  @BeforeEach
  void startWorker(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    logs = LogCapture.start();
    String webhookUrl = chat.url("/services/T0/B0/" + PLANTED).toString();
    worker.registerActivitiesImplementations(new DrillWorld(), new TestPlatforms(),
        new WebhookNotifier(new OkHttpClient(), new Secrets(Map.of("CHAT_WEBHOOK", webhookUrl)::get, null)));
    env.start();
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
  }

  @AfterEach
  void detachLogs() {
    logs.close();
  }

  @Test
  void theWebhookUrlIsInNoHistoryAndNoLog() throws Exception {
    chat.enqueue(new MockResponse.Builder().code(200).build());
    for (int i = 0; i < 3; i++) {
      chat.enqueue(new MockResponse.Builder().code(503).build());
    }
    PlatformConfig platform = PlatformConfig.of("leakcheck", Approvals.anyone(),
        new Notifications(List.of(new Notifications.Webhook("team-chat", SecretRef.env("CHAT_WEBHOOK")))));
    RunbookLauncher.start(client, "drill", "DrillWorkflow", RunbookTesting.apply(platform, "alice"), taskQueue);
    DrillWorkflow drill = client.newWorkflowStub(DrillWorkflow.class, "leakcheck/drill");

    GateView plan = RunbookTesting.awaitStatus(drill, "the run", s -> s.openGate() != null).openGate();
    drill.decide(Decision.approve("approve-plan", 1, "bob", plan.planHash()));
    RunbookStatus failedNotification = RunbookTesting.awaitStatus(drill, "the run", s -> s.notes().stream().anyMatch(n -> n.contains("could not be sent")));
    assertThat(failedNotification.notes()).anySatisfy(n -> assertThat(n).contains("webhook 'team-chat' answered 503"));
    GateView goLive = RunbookTesting.awaitStatus(drill, "the run", s -> s.openGate() != null && s.openGate().gate().equals("approve-go-live")).openGate();
    drill.decide(Decision.approve(goLive.gate(), goLive.instance(), "bob", null));
    RunbookResult result = WorkflowStub.fromTyped(drill).getResult(RunbookResult.class);

    assertThat(result.outcome()).isEqualTo(RunbookResult.Outcome.SUCCEEDED);
    assertThat(chat.getRequestCount()).as("one delivered and three failed notification attempts").isEqualTo(4);
    assertThat(HistoryScan.readable(client.fetchHistory("leakcheck/drill"))).doesNotContain(PLANTED);
    assertThat(logs.lines()).isNotEmpty().noneMatch(line -> line.contains(PLANTED));
  }


}
