package io.carbon254.runbook.worker.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.common.converter.DefaultDataConverter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The codec endpoints over real HTTP on 127.0.0.1, as the Web UI calls them: protobuf JSON in and
 * out, {@code X-Namespace}, a path prefix and query, CORS for the UI's origin only.
 */
class CodecServerTest {

  static final String UI = "http://127.0.0.1:8233";

  @TempDir
  Path dir;

  private PayloadEncryption encryption;
  private CodecServer server;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws IOException {
    Path file = Files.writeString(dir.resolve("keyring.json"), "{\"active\": \"k1\", \"keys\": {\"k1\": \""
        + Base64.getEncoder().encodeToString(KeyringTest.bytes(32, 9)) + "\"}}");
    encryption = PayloadEncryption.with(Keyring.load(file));
    server = new CodecServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), encryption, List.of(UI + "/"));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  HttpResponse<String> post(String path, String origin, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path))
        .header("Content-Type", "application/json").header("X-Namespace", "default")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (origin != null) {
      request.header("Origin", origin);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String json(Payload... payloads) throws IOException {
    return JsonFormat.printer().print(Payloads.newBuilder().addAllPayloads(List.of(payloads)));
  }

  static List<Payload> payloads(String json) throws IOException {
    Payloads.Builder builder = Payloads.newBuilder();
    JsonFormat.parser().merge(json, builder);
    return builder.getPayloadsList();
  }

  @Test
  void itDecodesWhatTheWorkerEncryptedAndEncodesWhatTheUiSends() throws Exception {
    Payload details = DefaultDataConverter.STANDARD_INSTANCE.toPayload("crash-drill on 254carbon · AWAITING_APPROVAL").orElseThrow();
    Payload encrypted = encryption.codec().encode(List.of(details)).get(0);

    HttpResponse<String> decoded = post("/decode?preserveStorageRefs=true", UI, json(encrypted));
    assertThat(decoded.statusCode()).isEqualTo(200);
    assertThat(decoded.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(decoded.headers().firstValue("Access-Control-Allow-Origin")).hasValue(UI);
    assertThat(payloads(decoded.body())).containsExactly(details);

    HttpResponse<String> encoded = post("/namespaces/default/encode", null, json(details));
    assertThat(encoded.statusCode()).as("a prefix and no Origin (the Temporal CLI): served").isEqualTo(200);
    List<Payload> sent = payloads(encoded.body());
    assertThat(EncryptionCodec.keyId(sent.get(0))).isEqualTo("k1");
    assertThat(encoded.body()).doesNotContain("254carbon", Base64.getEncoder().encodeToString("254carbon".getBytes()));
    assertThat(encryption.codec().decode(sent)).containsExactly(details);
  }

  @Test
  void thePreflightOfTheWebUiIsAnsweredAndOtherOriginsAreRefused() throws Exception {
    HttpResponse<String> preflight = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/decode"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", "http://localhost:8233").header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type,x-namespace").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin"))
        .as("the loopback twin of the configured origin").hasValue("http://localhost:8233");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods")).hasValue("POST, OPTIONS");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElseThrow())
        .contains("Content-Type", "X-Namespace", "Authorization");

    HttpResponse<String> elsewhere = post("/decode", "http://evil.example", json());
    assertThat(elsewhere.statusCode()).isEqualTo(403);
    assertThat(elsewhere.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    assertThat(elsewhere.body()).contains("origin http://evil.example may not use this codec server")
        .contains("--web-ui-origin http://evil.example");
  }

  @Test
  void aPayloadItCannotDecryptIsA400NamingTheKey() throws Exception {
    Path other = Files.writeString(dir.resolve("other.json"), "{\"active\": \"k9\", \"keys\": {\"k9\": \""
        + Base64.getEncoder().encodeToString(KeyringTest.bytes(32, 4)) + "\"}}");
    Payload foreign = PayloadEncryption.with(Keyring.load(other)).codec()
        .encode(List.of(DefaultDataConverter.STANDARD_INSTANCE.toPayload("x").orElseThrow())).get(0);

    HttpResponse<String> response = post("/decode", UI, json(foreign));
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).startsWith("the run's data is encrypted with key 'k9', which keyring ");

    assertThat(post("/decode", UI, "{\"payloads\": 7}").statusCode()).isEqualTo(400);
    assertThat(http.send(HttpRequest.newBuilder(URI.create(server.url() + "/decode")).GET().build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
    assertThat(http.send(HttpRequest.newBuilder(URI.create(server.url() + "/other")).GET().build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
  }
}
