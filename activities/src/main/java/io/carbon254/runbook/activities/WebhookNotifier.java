package io.carbon254.runbook.activities;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carbon254.runbook.config.Notifications;
import io.carbon254.runbook.engine.Notification;
import io.carbon254.runbook.engine.NotificationResult;
import io.carbon254.runbook.engine.NotifierActivities;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts notifications to Slack-compatible incoming webhooks ({@code {"text": ...}}). A webhook's
 * URL is its credential: it is resolved here, used, and never logged or put in an error.
 */
public final class WebhookNotifier implements NotifierActivities {

  private static final Logger log = LoggerFactory.getLogger(WebhookNotifier.class);
  private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final OkHttpClient http;
  private final SecretResolver secrets;

  public WebhookNotifier(OkHttpClient http, SecretResolver secrets) {
    // Within the engine's 10 s for a notification: a webhook slower than that is retried, not waited for.
    this.http = http.newBuilder().callTimeout(java.time.Duration.ofSeconds(8)).build();
    this.secrets = secrets;
  }

  /**
   * Posts to every webhook. A webhook that cannot take it for good (its URL's secret missing, not an
   * http(s) URL, a 4xx) is reported in the result: retrying would not mend it, and the run notes it
   * once. An outage (5xx, 429, unreachable) is thrown, so Temporal retries it.
   */
  @Override
  public NotificationResult notify(Notifications targets, Notification notification) {
    List<Failure> failures = new ArrayList<>();
    int delivered = 0;
    for (Notifications.Webhook webhook : targets.webhooks()) {
      Failure failure = post(webhook, notification);
      if (failure == null) {
        delivered++;
      } else {
        failures.add(failure);
      }
    }
    if (failures.stream().anyMatch(Failure::transientFault)) {
      throw ApplicationFailure.newFailure(String.join("; ", failures.stream().map(Failure::message).toList()),
          "WebhookFailed");
    }
    return new NotificationResult(delivered, failures.stream().map(Failure::message).toList());
  }

  private record Failure(String message, boolean transientFault) {}

  /** Posts to one webhook; returns why it failed, or null. */
  private Failure post(Notifications.Webhook webhook, Notification notification) {
    String url;
    try {
      url = secrets.resolve(webhook.url());
    } catch (SecretUnavailableException e) {
      return new Failure("webhook '" + webhook.name() + "': " + e.getMessage(), false);
    }
    Request request;
    try {
      request = new Request.Builder().url(url).post(RequestBody.create(body(notification), JSON)).build();
    } catch (IllegalArgumentException e) {
      return new Failure("webhook '" + webhook.name() + "': the URL in " + webhook.url().describe()
          + " is not an http(s) URL", false);
    }
    try (Response response = http.newCall(request).execute()) {
      if (!response.isSuccessful()) {
        boolean transientFault = response.code() >= 500 || response.code() == 429;
        return new Failure("webhook '" + webhook.name() + "' answered " + response.code() + " " + response.message(),
            transientFault);
      }
      log.info("notified webhook '{}': {}", webhook.name(), notification.title());
      return null;
    } catch (IOException e) {
      // The exception text may carry the URL; name only its kind.
      return new Failure("webhook '" + webhook.name() + "' unreachable (" + e.getClass().getSimpleName() + ")", true);
    }
  }

  static String body(Notification n) {
    StringBuilder text = new StringBuilder("*").append(n.title()).append("*  (").append(n.workflowId()).append(")\n")
        .append(n.markdown());
    if (n.command() != null) {
      text.append("\n`").append(n.command()).append('`');
    }
    ObjectNode json = MAPPER.createObjectNode();
    json.put("text", text.toString());
    return json.toString();
  }
}
