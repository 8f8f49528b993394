package io.carbon254.runbook.activities.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbon254.runbook.activities.ChangeGuard;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cloudflare's API v4 for one account with one API token: the envelope, every page of a list, and
 * the classification of its answers — 429 waits as long as {@code Retry-After} says (heartbeating,
 * so that a dead worker is noticed), 5xx and unreachable are retryable, any other 4xx is a
 * non-retryable failure naming the call, Cloudflare's error codes and what to do. The token goes
 * into the {@code Authorization} header and nowhere else.
 */
public final class CloudflareApi {

  /** Cloudflare's API; the sandbox routes this origin to its fake. */
  public static final String BASE = "https://api.cloudflare.com/client/v4";

  static final int PER_PAGE = 50;
  /** Cloudflare blocks for five minutes over its limit; a wait is never longer than this. */
  private static final Duration LONGEST_RETRY_AFTER = Duration.ofMinutes(5);
  /** Heartbeat at least this often while waiting out a rate limit. */
  private static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(2);

  private static final Logger log = LoggerFactory.getLogger(CloudflareApi.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MediaType JSON_TYPE = MediaType.get("application/json");

  private final OkHttpClient http;
  private final String authorization;
  private final String accountId;
  private final String tokenSource;
  private final Consumer<String> heartbeat;
  private final Duration rateLimitBudget;

  /** One answer: HTTP status and the envelope. */
  public record Answer(int status, JsonNode envelope) {

    public JsonNode result() {
      return envelope.path("result");
    }

    public boolean ok() {
      return status >= 200 && status < 300;
    }

    /** Cloudflare's error codes. */
    public List<Integer> codes() {
      List<Integer> codes = new ArrayList<>();
      envelope.path("errors").forEach(e -> codes.add(e.path("code").asInt()));
      return codes;
    }

    /** Cloudflare's errors as {@code [10000 Authentication error]}, or empty. */
    public String errors() {
      List<String> errors = new ArrayList<>();
      envelope.path("errors").forEach(e -> errors.add(e.path("code").asText() + " " + e.path("message").asText()));
      return errors.isEmpty() ? "" : "[" + String.join("; ", errors) + "]";
    }
  }

  /**
   * @param token the API token (resolved by the caller; kept only in the header)
   * @param tokenSource where the token comes from, for messages ({@code env:CLOUDFLARE_API_TOKEN})
   * @param heartbeat told what the call is waiting for while it waits out a rate limit
   * @param rateLimitBudget the longest one call waits out 429s in total before it fails (retryable)
   */
  public CloudflareApi(OkHttpClient http, String token, String accountId, String tokenSource, Consumer<String> heartbeat,
      Duration rateLimitBudget) {
    this.http = http;
    this.authorization = "Bearer " + token;
    this.accountId = accountId;
    this.tokenSource = tokenSource;
    this.heartbeat = heartbeat;
    this.rateLimitBudget = rateLimitBudget;
  }

  public String accountId() {
    return accountId;
  }

  /** {@code /accounts/{account}/access/<rest>}. */
  public String access(String rest) {
    return "/accounts/" + accountId + "/access/" + rest;
  }

  /** Every object of a list, page after page ({@code result_info}); {@code path} may carry a query. */
  public List<JsonNode> list(String path, String what) {
    List<JsonNode> all = new ArrayList<>();
    for (int page = 1; ; page++) {
      String paged = path + (path.contains("?") ? "&" : "?") + "page=" + page + "&per_page=" + PER_PAGE;
      Answer answer = expect(send("GET", paged, null), "GET", path, what);
      JsonNode result = answer.result();
      result.forEach(all::add);
      JsonNode info = answer.envelope().path("result_info");
      int total = info.path("total_count").asInt(-1);
      int pages = info.path("total_pages").asInt(-1);
      boolean more = result.size() > 0 && info.isObject()
          && (total >= 0 ? all.size() < total : pages >= 0 ? page < pages : result.size() >= info.path("per_page").asInt(PER_PAGE));
      if (!more) {
        return all;
      }
    }
  }

  /** {@code POST}; the caller decides on a refusal it expects (409). */
  public Answer post(String path, JsonNode body) {
    return send("POST", path, body);
  }

  /** {@code PUT} (a replacement), expecting success. */
  public JsonNode put(String path, JsonNode body, String what) {
    return expect(send("PUT", path, body), "PUT", path, what).result();
  }

  /** {@code DELETE}; false when it was not there (404). */
  public boolean delete(String path, String what) {
    Answer answer = send("DELETE", path, null);
    if (answer.status() == 404) {
      return false;
    }
    expect(answer, "DELETE", path, what);
    return true;
  }

  /** The answer when successful; otherwise a non-retryable failure for an operator. */
  public Answer expect(Answer answer, String method, String path, String what) {
    if (answer.ok() && answer.envelope().path("success").asBoolean(true)) {
      return answer;
    }
    throw refused(answer, method, path, what);
  }

  /** The failure of a refused call: what, which call, what Cloudflare said, what to do. */
  public ApplicationFailure refused(Answer answer, String method, String path, String what) {
    return ApplicationFailure.newNonRetryableFailure(scrub("Cloudflare refused to " + what + ": " + method + " " + path
        + " answered " + answer.status() + (answer.errors().isEmpty() ? "" : " " + answer.errors()) + "; " + advice(answer)),
        "CloudflareRefused");
  }

  private String advice(Answer answer) {
    List<Integer> codes = answer.codes();
    if (answer.status() == 401 || answer.status() == 403 || codes.contains(10000) || codes.contains(9109)) {
      return "the API token (" + tokenSource + ") is invalid or lacks \"Access: Apps and Policies: Edit\" (and, for the"
          + " identity provider, \"Access: Organizations, Identity Providers, and Groups: Edit\") on account " + accountId
          + ": fix the token's permissions, then retry";
    }
    if (answer.status() == 404 || codes.contains(7003) || codes.contains(7000)) {
      return "account " + accountId + " or the object is not found: check sso.accountId (32 hex digits, in the dashboard's"
          + " URL) and that the token is scoped to that account";
    }
    if (answer.status() == 400) {
      return "Cloudflare rejected the request: check the sso settings in the configuration (session durations use Go"
          + " units such as 24h or 30m)";
    }
    if (answer.status() == 409) {
      return "an object with the same key already exists in the account: look for it in Zero Trust → Access";
    }
    return "see Cloudflare's message";
  }

  /** One request; waits out 429s, throws retryable failures for 5xx and an unreachable API. */
  Answer send(String method, String path, JsonNode body) {
    String call = method + " " + path;
    if (!method.equals("GET")) {
      ChangeGuard.allow("Cloudflare " + call);
    }
    long waited = 0;
    while (true) {
      Request request = new Request.Builder().url(HttpUrl.get(BASE + path))
          .header("Authorization", authorization)
          .method(method, body == null ? (method.equals("POST") || method.equals("PUT") ? RequestBody.create(new byte[0]) : null)
              : RequestBody.create(body.toString(), JSON_TYPE))
          .build();
      Answer answer;
      String retryAfter;
      try (Response response = http.newCall(request).execute()) {
        String text = response.body() == null ? "" : response.body().string();
        answer = new Answer(response.code(), parse(text));
        retryAfter = response.header("Retry-After");
      } catch (IOException e) {
        // The message names the host and port at most; the token is only ever in a header.
        throw ApplicationFailure.newFailure("Cloudflare API unreachable for " + call + " (" + e.getClass().getSimpleName()
            + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); retrying", "CloudflareUnavailable");
      }
      if (answer.status() == 429) {
        Duration wait = retryAfter(retryAfter);
        if (waited + wait.toMillis() > rateLimitBudget.toMillis()) {
          throw ApplicationFailure.newFailure("Cloudflare rate limit: " + call + " still answered 429 after waiting "
              + Duration.ofMillis(waited).toSeconds() + "s " + answer.errors() + "; retrying later (the limit is 1200"
              + " requests per 5 minutes per user: is another client using this token?)", "CloudflareRateLimited");
        }
        log.warn("Cloudflare rate limit on {}: waiting {}s (Retry-After) before retrying", call, wait.toSeconds());
        waitOut(wait, call);
        waited += wait.toMillis();
        continue;
      }
      if (answer.status() >= 500) {
        throw ApplicationFailure.newFailure(scrub("Cloudflare " + call + " answered " + answer.status()
            + (answer.errors().isEmpty() ? "" : " " + answer.errors()) + "; retrying"), "CloudflareUnavailable");
      }
      if (!method.equals("GET")) {
        log.info("Cloudflare {} → {}", call, answer.status());
      }
      return answer;
    }
  }

  /** Cloudflare's words are quoted in messages; should they ever echo the token, it is cut out. */
  private String scrub(String message) {
    String token = authorization.substring("Bearer ".length());
    return token.isEmpty() ? message : message.replace(token, "<token>");
  }

  private void waitOut(Duration wait, String call) {
    long until = System.nanoTime() + wait.toNanos();
    while (true) {
      long left = until - System.nanoTime();
      heartbeat.accept("Cloudflare rate limit: " + call + " retried in " + Math.max(0, Duration.ofNanos(left).toSeconds()) + "s");
      if (left <= 0) {
        return;
      }
      try {
        Thread.sleep(Math.min(Duration.ofNanos(left).toMillis() + 1, HEARTBEAT_EVERY.toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw ApplicationFailure.newFailure("interrupted while waiting out Cloudflare's rate limit on " + call,
            "CloudflareRateLimited");
      }
    }
  }

  /** {@code Retry-After} in seconds; absent or unreadable: a minute. Never more than Cloudflare's five-minute block. */
  static Duration retryAfter(String header) {
    Duration wait;
    try {
      wait = header == null ? Duration.ofMinutes(1) : Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim())));
    } catch (NumberFormatException e) {
      wait = Duration.ofMinutes(1); // an HTTP date: Cloudflare sends seconds, so this is a guess
    }
    return wait.compareTo(LONGEST_RETRY_AFTER) > 0 ? LONGEST_RETRY_AFTER : wait;
  }

  private static JsonNode parse(String text) {
    if (text.isBlank()) {
      return JSON.createObjectNode();
    }
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      return JSON.createObjectNode().put("raw", text.length() > 200 ? text.substring(0, 200) : text);
    }
  }
}
