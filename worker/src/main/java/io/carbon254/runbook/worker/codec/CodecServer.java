package io.carbon254.runbook.worker.codec;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.carbon254.runbook.worker.OpsServer;
import io.carbon254.runbook.worker.StartupException;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.payload.codec.PayloadCodecException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Temporal's remote codec endpoints for the Web UI and the Temporal CLI: {@code POST .../decode} and
 * {@code POST .../encode} with {@code {"payloads": [...]}} in protobuf JSON (the UI sends the header
 * {@code X-Namespace}), answered with the same shape. Only the last path segment counts, so the
 * endpoints may sit under a prefix. A decoding error is a 400 naming the key id.
 *
 * <p>CORS: a browser may call it only from the Web UI origins given (a preflight {@code OPTIONS}
 * answered with the allowed methods and headers; other origins get a 403 and no CORS headers).
 * Requests without an {@code Origin} (the Temporal CLI's {@code --codec-endpoint}, curl) are
 * served. Whoever can reach it can decode every payload they have: it listens on loopback unless
 * told otherwise.
 */
public final class CodecServer implements AutoCloseable {

  public static final int DEFAULT_PORT = 8081;
  static final int MAX_BODY_BYTES = 8 * 1024 * 1024;
  private static final String ALLOWED_HEADERS = "Content-Type, X-Namespace, Authorization, Authorization-Extras";

  private final HttpServer server;
  private final ExecutorService executor;
  private final EncryptionCodec codec;
  private final Set<String> origins;

  /**
   * @param address where to listen (port 0: any free port)
   * @param encryption the keyring to encode and decode with; must be on
   * @param webUiOrigins the Web UI origins browsers may call from ({@code http://127.0.0.1:8233}); a
   *     loopback origin brings its twin ({@code localhost} and {@code 127.0.0.1}), since the UI's
   *     origin is whatever host its user typed
   */
  public CodecServer(InetSocketAddress address, PayloadEncryption encryption, List<String> webUiOrigins) {
    if (!encryption.on()) {
      throw new KeyringException("the codec server needs a keyring: --codec-keys FILE or " + Keyring.ENV);
    }
    this.codec = encryption.codec();
    this.origins = origins(webUiOrigins);
    try {
      server = HttpServer.create(address, 0);
    } catch (IOException e) {
      throw new StartupException("cannot serve the codec endpoint on " + address + ": " + e.getMessage()
          + " (choose another port with --port)", e);
    }
    executor = Executors.newFixedThreadPool(2, r -> {
      Thread thread = new Thread(r, "codec-server");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** The base URL to give the Web UI ({@code --ui-codec-endpoint}, {@code TEMPORAL_CODEC_ENDPOINT}). */
  public String url() {
    InetSocketAddress bound = server.getAddress();
    String host = bound.getAddress().isAnyLocalAddress() ? "127.0.0.1" : bound.getAddress().getHostAddress();
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort();
  }

  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** The origins browsers may call from, normalized. */
  public Set<String> origins() {
    return origins;
  }

  /** {@code http://127.0.0.1:8233/} → {@code http://127.0.0.1:8233}, and its loopback twin. */
  static Set<String> origins(List<String> given) {
    Set<String> origins = new LinkedHashSet<>();
    for (String origin : given) {
      URI uri;
      try {
        uri = new URI(origin.strip());
      } catch (URISyntaxException e) {
        throw new StartupException("--web-ui-origin " + origin + " is not a URL");
      }
      if (uri.getScheme() == null || uri.getHost() == null
          || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))) {
        throw new StartupException("--web-ui-origin " + origin + " must be an http(s) URL such as http://127.0.0.1:8233");
      }
      String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
      String port = uri.getPort() == -1 ? "" : ":" + uri.getPort();
      String host = uri.getHost().toLowerCase(Locale.ROOT);
      origins.add(scheme + "://" + host + port);
      if (host.equals("localhost")) {
        origins.add(scheme + "://127.0.0.1" + port);
      } else if (host.equals("127.0.0.1")) {
        origins.add(scheme + "://localhost" + port);
      }
    }
    return Set.copyOf(origins);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String origin = exchange.getRequestHeaders().getFirst("Origin");
      boolean allowed = origin == null || origins.contains(origin);
      if (origin != null && allowed) {
        Headers headers = exchange.getResponseHeaders();
        headers.set("Access-Control-Allow-Origin", origin);
        headers.set("Access-Control-Allow-Credentials", "true");
        headers.add("Vary", "Origin");
      }
      String path = exchange.getRequestURI().getPath();
      String endpoint = path.endsWith("/decode") ? "decode" : path.endsWith("/encode") ? "encode" : null;
      String method = exchange.getRequestMethod();
      if (endpoint == null) {
        if (method.equals("GET") && (path.equals("/") || path.equals("/healthz"))) {
          respond(exchange, 200, "text/plain", "runbook codec server: POST /decode, POST /encode\n");
        } else {
          respond(exchange, 404, "text/plain", "no such endpoint: POST /decode or /encode\n");
        }
        return;
      }
      if (!allowed) {
        respond(exchange, 403, "text/plain", "origin " + origin + " may not use this codec server (allowed: "
            + String.join(", ", origins) + "); start it with --web-ui-origin " + origin + "\n");
        return;
      }
      if (method.equals("OPTIONS")) {
        Headers headers = exchange.getResponseHeaders();
        headers.set("Access-Control-Allow-Methods", "POST, OPTIONS");
        headers.set("Access-Control-Allow-Headers", ALLOWED_HEADERS);
        headers.set("Access-Control-Max-Age", "600");
        exchange.sendResponseHeaders(204, -1);
        return;
      }
      if (!method.equals("POST")) {
        exchange.getResponseHeaders().set("Allow", "POST, OPTIONS");
        respond(exchange, 405, "text/plain", "use POST\n");
        return;
      }
      byte[] body = readBody(exchange.getRequestBody());
      if (body == null) {
        respond(exchange, 413, "text/plain", "more than " + MAX_BODY_BYTES + " bytes\n");
        return;
      }
      Payloads.Builder request = Payloads.newBuilder();
      try {
        JsonFormat.parser().ignoringUnknownFields().merge(new String(body, StandardCharsets.UTF_8), request);
      } catch (InvalidProtocolBufferException e) {
        respond(exchange, 400, "text/plain", "not a Payloads JSON object {\"payloads\": [...]}\n");
        return;
      }
      List<Payload> result;
      try {
        result = endpoint.equals("decode") ? codec.decode(request.getPayloadsList()) : codec.encode(request.getPayloadsList());
      } catch (PayloadCodecException e) {
        respond(exchange, 400, "text/plain", e.getMessage() + "\n");
        return;
      }
      respond(exchange, 200, "application/json",
          JsonFormat.printer().omittingInsignificantWhitespace().print(Payloads.newBuilder().addAllPayloads(result)));
    }
  }

  private static byte[] readBody(InputStream in) throws IOException {
    byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
    return body.length > MAX_BODY_BYTES ? null : body;
  }

  private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
    OpsServer.respond(exchange, status, type.startsWith("text/") ? type + "; charset=utf-8" : type, body);
  }

  /** Stops listening (the Web UI retries a request that is cut off). */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdown();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
