package io.carbon254.runbook.worker;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * {@code /metrics} (Prometheus text) and {@code /healthz} for the worker process. It listens on
 * loopback unless told otherwise ({@code --metrics-address}): a container publishing the port for
 * Prometheus says {@code 0.0.0.0}.
 */
public final class OpsServer implements AutoCloseable {

  /** Where the metrics listen by default: this machine only. */
  public static final String DEFAULT_ADDRESS = "127.0.0.1";

  private final HttpServer server;

  /**
   * @param health null when healthy, otherwise why not
   */
  public OpsServer(InetSocketAddress address, PrometheusMeterRegistry registry, Supplier<String> health) {
    try {
      server = HttpServer.create(address, 0);
    } catch (IOException e) {
      throw new StartupException("cannot serve metrics on " + address + ": " + e.getMessage()
          + " (another worker there? choose another port with --metrics-port, or another address with --metrics-address)", e);
    }
    server.createContext("/metrics", exchange -> respond(exchange, 200, "text/plain; version=0.0.4", registry.scrape()));
    server.createContext("/healthz", exchange -> {
      String problem = health.get();
      respond(exchange, problem == null ? 200 : 503, "text/plain", problem == null ? "ok\n" : problem + "\n");
    });
    server.start();
  }

  /**
   * The socket address of {@code --metrics-address HOST --metrics-port PORT}: an IP literal
   * ({@code 127.0.0.1}, {@code 0.0.0.0}, {@code ::1}) or a host name of this machine.
   */
  public static InetSocketAddress address(String host, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (UnknownHostException e) {
      throw new StartupException("--metrics-address " + host + " is neither an IP address nor a known host name");
    } catch (IllegalArgumentException e) {
      throw new StartupException("--metrics-port " + port + " is not a port (0-65535)");
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Where it listens. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** Sends {@code body} as the whole response (the codec server answers the same way). */
  public static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
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
