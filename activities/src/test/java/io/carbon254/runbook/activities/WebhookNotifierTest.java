package io.carbon254.runbook.activities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbon254.runbook.config.Notifications;
import io.carbon254.runbook.config.SecretRef;
import io.carbon254.runbook.engine.Notification;
import io.carbon254.runbook.engine.NotificationResult;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class WebhookNotifierTest {

  @StartStop
  final MockWebServer chat = new MockWebServer();

  private final Notification gateOpened = new Notification(Notification.Kind.GATE_OPENED, "backup-activation",
      "254carbon/backup-activation", "Approval needed: activate-schedules #1", "Activate the three schedules?",
      "runbook approve 254carbon/backup-activation --gate activate-schedules --as <you>");

  @Test
  void postsSlackCompatibleJsonWithTheCommandThatAnswers() throws Exception {
    chat.enqueue(new MockResponse.Builder().code(200).body("ok").build());
    String secretUrl = chat.url("/services/T000/B000/planted-webhook-token").toString();
    WebhookNotifier notifier = new WebhookNotifier(new OkHttpClient(), new Secrets(Map.of("CHAT", secretUrl)::get, null));

    NotificationResult result =
        notifier.notify(new Notifications(List.of(new Notifications.Webhook("team-chat", SecretRef.env("CHAT")))), gateOpened);

    assertThat(result).isEqualTo(NotificationResult.delivered(1));
    RecordedRequest posted = chat.takeRequest();
    assertThat(posted.getMethod()).isEqualTo("POST");
    assertThat(posted.getTarget()).isEqualTo("/services/T000/B000/planted-webhook-token");
    assertThat(posted.getHeaders().get("Content-Type")).startsWith("application/json");
    String text = new ObjectMapper().readTree(posted.getBody().utf8()).get("text").asText();
    assertThat(text).isEqualTo("*Approval needed: activate-schedules #1*  (254carbon/backup-activation)\n"
        + "Activate the three schedules?\n"
        + "`runbook approve 254carbon/backup-activation --gate activate-schedules --as <you>`");
  }

  @Test
  void aWebhookTheWorkerHasNoUrlForIsReportedInTheResultNotThrown() {
    chat.enqueue(new MockResponse.Builder().code(200).body("ok").build());
    String secretUrl = chat.url("/services/T000/B000/planted-webhook-token").toString();
    WebhookNotifier notifier = new WebhookNotifier(new OkHttpClient(), new Secrets(Map.of("CHAT", secretUrl)::get, null));
    Notifications targets = new Notifications(List.of(
        new Notifications.Webhook("team-chat", SecretRef.env("CHAT")),
        new Notifications.Webhook("on-call", SecretRef.env("ONCALL_WEBHOOK"))));

    NotificationResult result = notifier.notify(targets, gateOpened);

    assertThat(result.delivered()).isEqualTo(1);
    assertThat(result.problems()).containsExactly(
        "webhook 'on-call': environment variable ONCALL_WEBHOOK is not set in the worker: set it where the worker runs, then retry");
  }

  @Test
  void aFailingWebhookIsReportedByNameNeverByItsUrl() {
    chat.enqueue(new MockResponse.Builder().code(500).build());
    String secretUrl = chat.url("/services/T000/B000/planted-webhook-token").toString();
    WebhookNotifier notifier = new WebhookNotifier(new OkHttpClient(),
        new Secrets(Map.of("CHAT", secretUrl)::get, null));
    Notifications targets = new Notifications(List.of(
        new Notifications.Webhook("team-chat", SecretRef.env("CHAT")),
        new Notifications.Webhook("on-call", SecretRef.env("ONCALL_WEBHOOK"))));

    assertThatThrownBy(() -> notifier.notify(targets, gateOpened))
        .isInstanceOf(ApplicationFailure.class)
        .hasMessageContaining("webhook 'team-chat' answered 500 Server Error; webhook 'on-call': environment variable"
            + " ONCALL_WEBHOOK is not set in the worker")
        .hasMessageNotContaining("planted-webhook-token");
  }

  @Test
  void anUnreachableWebhookIsReportedWithoutItsAddress() throws Exception {
    String secretUrl = chat.url("/services/T000/B000/planted-webhook-token").toString();
    chat.close();
    WebhookNotifier notifier = new WebhookNotifier(new OkHttpClient(), new Secrets(Map.of("CHAT", secretUrl)::get, null));

    assertThatThrownBy(() -> notifier.notify(
            new Notifications(List.of(new Notifications.Webhook("team-chat", SecretRef.env("CHAT")))), gateOpened))
        .isInstanceOfSatisfying(ApplicationFailure.class, failure -> assertThat(failure.getOriginalMessage())
            .isEqualTo("webhook 'team-chat' unreachable (ConnectException)"));
  }
}
