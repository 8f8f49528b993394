package io.carbon254.runbook.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** Where the runbooks announce open gates, reminders and runs that wait for an operator. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Notifications(List<Webhook> webhooks) {

  public Notifications {
    webhooks = webhooks == null ? List.of() : webhooks;
  }

  public static Notifications none() {
    return new Notifications(List.of());
  }

  /**
   * A Slack-compatible incoming webhook. Its URL is a credential, so the configuration holds only
   * a reference to it.
   */
  public record Webhook(String name, SecretRef url) {}
}
