package io.carbon254.runbook.activities.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbon254.runbook.activities.EndpointRoutes;
import io.carbon254.runbook.sandbox.CloudflareAccessFake;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The API v4 client against the stateful fake: envelope, pages, and how each kind of answer is classified. */
class CloudflareApiTest {

  private final CloudflareAccessFake fake = new CloudflareAccessFake().start();
  private final OkHttpClient http = new OkHttpClient.Builder()
      .addInterceptor(new EndpointRoutes(Map.of("https://api.cloudflare.com", fake.url()))).build();
  private final List<String> heartbeats = new ArrayList<>();

  @AfterEach
  void close() {
    fake.close();
  }

  private CloudflareApi api(String token, Duration rateLimitBudget) {
    return new CloudflareApi(http, token, CloudflareAccessFake.DEMO_ACCOUNT_ID, "env:CLOUDFLARE_API_TOKEN", heartbeats::add,
        rateLimitBudget);
  }

  @Test
  void aListIsReadPageAfterPageWhateverPageSizeTheServerChooses() {
    for (int i = 1; i <= 12; i++) {
      fake.seedApplication("App " + i, "app" + i + ".254carbon.com", "24h");
    }
    CloudflareApi api = api(CloudflareAccessFake.DEMO_TOKEN, Duration.ofMinutes(1));

    List<JsonNode> apps = api.list(api.access("apps"), "list the applications");

    assertThat(CloudflareAccessFake.MAX_PER_PAGE).isLessThan(CloudflareApi.PER_PAGE);
    assertThat(apps).extracting(a -> a.path("domain").asText()).hasSize(12).doesNotHaveDuplicates()
        .contains("app1.254carbon.com", "app12.254carbon.com");
  }

  @Test
  void theDomainFilterIsExactOnlyWithExactTrue() {
    fake.seedApplication("Portal", "254carbon.com", "24h");
    fake.seedApplication("Grafana", "grafana.254carbon.com", "24h");
    CloudflareApi api = api(CloudflareAccessFake.DEMO_TOKEN, Duration.ofMinutes(1));

    assertThat(api.list(api.access("apps?domain=254carbon.com"), "search")).hasSize(2);
    assertThat(api.list(api.access("apps?domain=254carbon.com&exact=true"), "look up"))
        .extracting(a -> a.path("name").asText()).containsExactly("Portal");
  }

  @Test
  void aRateLimitIsWaitedOutAsRetryAfterSaysWhileHeartbeating() {
    fake.seedApplication("Grafana", "grafana.254carbon.com", "24h");
    fake.rateLimitNext(1);
    CloudflareApi api = api(CloudflareAccessFake.DEMO_TOKEN, Duration.ofMinutes(1));

    assertThat(api.list(api.access("apps"), "list the applications")).hasSize(1);
    assertThat(heartbeats).isNotEmpty()
        .allMatch(h -> h.startsWith("Cloudflare rate limit: GET /accounts/" + CloudflareAccessFake.DEMO_ACCOUNT_ID));
  }

  @Test
  void aRateLimitLongerThanTheBudgetFailsRetryably() {
    fake.rateLimitNext(1);
    CloudflareApi api = api(CloudflareAccessFake.DEMO_TOKEN, Duration.ZERO);

    assertThatThrownBy(() -> api.list(api.access("apps"), "list the applications"))
        .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
          assertThat(f.isNonRetryable()).isFalse();
          assertThat(f.getType()).isEqualTo("CloudflareRateLimited");
          assertThat(f.getOriginalMessage()).contains("429").contains("971");
        });
  }

  @Test
  void retryAfterIsReadInSecondsAndBounded() {
    assertThat(CloudflareApi.retryAfter("1")).isEqualTo(Duration.ofSeconds(1));
    assertThat(CloudflareApi.retryAfter(null)).isEqualTo(Duration.ofMinutes(1));
    assertThat(CloudflareApi.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(Duration.ofMinutes(1));
    assertThat(CloudflareApi.retryAfter("86400")).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void aServerErrorIsRetryableAndNamesTheCall() {
    fake.failNext(1, 502);
    CloudflareApi api = api(CloudflareAccessFake.DEMO_TOKEN, Duration.ofMinutes(1));

    assertThatThrownBy(() -> api.list(api.access("policies"), "list the policies"))
        .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
          assertThat(f.isNonRetryable()).isFalse();
          assertThat(f.getOriginalMessage()).startsWith("Cloudflare GET /accounts/" + CloudflareAccessFake.DEMO_ACCOUNT_ID
              + "/access/policies?page=1&per_page=50 answered 502");
        });
    assertThat(api.list(api.access("policies"), "list the policies")).isEmpty();
  }

  @Test
  void anUnknownAccountIsNonRetryableAndPointsAtTheAccountId() {
    CloudflareApi api = new CloudflareApi(http, CloudflareAccessFake.DEMO_TOKEN, "00000000000000000000000000000000",
        "env:CLOUDFLARE_API_TOKEN", heartbeats::add, Duration.ofMinutes(1));

    assertThatThrownBy(() -> api.list(api.access("apps"), "list the applications"))
        .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
          assertThat(f.isNonRetryable()).isTrue();
          assertThat(f.getOriginalMessage()).contains("answered 404 [7003 Could not route").contains("check sso.accountId");
        });
  }
}
