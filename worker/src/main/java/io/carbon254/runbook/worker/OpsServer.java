package io.carbon254.runbook.worker;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/** {@code /metrics} (Prometheus text) and {@code /healthz} for the worker process. */
public final class OpsServer implements AutoCloseable {

  private final HttpServer server;

  /**
   * @param health null when healthy, otherwise why not
   */
  public OpsServer(InetSocketAddress address, PrometheusMeterRegistry registry, Supplier<String> health) {
    try {
      server = HttpServer.create(address, 0);
    } catch (IOException e) {
      throw new StartupException("cannot serve metrics on " + address + ": " + e.getMessage()
          + " (another worker there? choose another port with --metrics-port)", e);
    }
    server.createContext("/metrics", exchange -> respond(exchange, 200, "text/plain; version=0.0.4", registry.scrape()));
    server.createContext("/healthz", exchange -> {
      String problem = health.get();
      respond(exchange, problem == null ? 200 : 503, "text/plain", problem == null ? "ok\n" : problem + "\n");
    });
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
