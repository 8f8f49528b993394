package io.carbon254.runbook.activities;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

class EndpointRoutesTest {

  @StartStop
  final MockWebServer harbor = new MockWebServer();

  @Test
  void aConfiguredOriginIsSentToItsRouteWithPathAndQueryKept() throws Exception {
    harbor.enqueue(new MockResponse.Builder().code(200).body("{\"status\":\"healthy\"}").build());
    OkHttpClient http = new OkHttpClient.Builder()
        .addInterceptor(new EndpointRoutes(Map.of("https://harbor.254carbon.local", harbor.url("/").toString())))
        .build();

    try (Response response = http.newCall(new Request.Builder()
        .url("https://harbor.254carbon.local/api/v2.0/health?verbose=1").build()).execute()) {
      assertThat(response.code()).isEqualTo(200);
    }

    RecordedRequest request = harbor.takeRequest();
    assertThat(request.getTarget()).isEqualTo("/api/v2.0/health?verbose=1");
  }

  @Test
  void aRoutedRequestKeepsTheOriginalHostHeader() throws Exception {
    harbor.enqueue(new MockResponse.Builder().code(200).build());
    harbor.enqueue(new MockResponse.Builder().code(200).build());
    harbor.enqueue(new MockResponse.Builder().code(200).build());
    OkHttpClient http = new OkHttpClient.Builder()
        .addInterceptor(new EndpointRoutes(Map.of(
            "http://minio-service.data-platform.svc.cluster.local:9000", harbor.url("/").toString(),
            "https://harbor.254carbon.local", harbor.url("/").toString())))
        .build();

    http.newCall(new Request.Builder().url("http://minio-service.data-platform.svc.cluster.local:9000/bucket?versioning").build())
        .execute().close();
    http.newCall(new Request.Builder().url("https://harbor.254carbon.local/api/v2.0/health").build()).execute().close();
    http.newCall(new Request.Builder().url("https://harbor.254carbon.local/x").header("Host", "explicit.example").build())
        .execute().close();

    assertThat(harbor.takeRequest().getHeaders().get("Host")).isEqualTo("minio-service.data-platform.svc.cluster.local:9000");
    assertThat(harbor.takeRequest().getHeaders().get("Host")).isEqualTo("harbor.254carbon.local");
    assertThat(harbor.takeRequest().getHeaders().get("Host")).isEqualTo("explicit.example");
  }
}
