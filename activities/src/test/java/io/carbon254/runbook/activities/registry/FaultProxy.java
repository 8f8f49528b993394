package io.carbon254.runbook.activities.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Pattern;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import okio.Okio;

/**
 * A loopback HTTP proxy in front of a real registry that injects faults: an error status (with headers), a
 * connection cut half-way through a chunked body, a body shorter than its Content-Length; or rewrites
 * {@code Location} to a relative URL; or demands Bearer tokens. It logs every request.
 */
final class FaultProxy implements AutoCloseable {

  enum Kind { STATUS, RESET, TRUNCATE }

  /** Applies to the next {@code times} requests whose "METHOD path" matches. */
  static final class Fault {
    final Pattern request;
    final Kind kind;
    final int status;
    final Map<String, String> headers;
    final AtomicInteger times;

    Fault(String requestRegex, Kind kind, int status, Map<String, String> headers, int times) {
      this.request = Pattern.compile(requestRegex);
      this.kind = kind;
      this.status = status;
      this.headers = headers;
      this.times = new AtomicInteger(times);
    }
  }

  private final HttpServer server;
  private final String backend;
  private final OkHttpClient http = new OkHttpClient.Builder().followRedirects(false)
      .retryOnConnectionFailure(false).readTimeout(60, TimeUnit.SECONDS).build();
  private final List<Fault> faults = new CopyOnWriteArrayList<>();
  final List<String> log = Collections.synchronizedList(new ArrayList<>());
  final List<String> injected = Collections.synchronizedList(new ArrayList<>());
  volatile boolean relativeLocations;
  /** When set: null lets the request through, else the 401 challenge to answer with. */
  volatile Function<HttpExchange, String> bearerCheck;

  FaultProxy(String backendHost) throws IOException {
    this.backend = backendHost;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.setExecutor(Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "fault-proxy");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/", this::handle);
    server.start();
  }

  String host() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  FaultProxy fail(String requestRegex, Kind kind, int status, Map<String, String> headers, int times) {
    faults.add(new Fault(requestRegex, kind, status, headers, times));
    return this;
  }

  void clear() {
    faults.clear();
    log.clear();
    injected.clear();
  }

  private Fault match(String line) {
    for (Fault f : faults) {
      if (f.request.matcher(line).find() && f.times.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        return f;
      }
    }
    return null;
  }

  private void handle(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    String uri = ex.getRequestURI().toString();
    String line = method + " " + ex.getRequestURI().getPath();
    log.add(line);
    boolean cut = false;
    try {
      if (bearerCheck != null) {
        String challenge = bearerCheck.apply(ex);
        if (challenge != null) {
          ex.getResponseHeaders().add("WWW-Authenticate", challenge);
          error(ex, 401, "UNAUTHORIZED", "authentication required");
          return;
        }
      }
      Fault fault = match(line);
      if (fault != null && fault.kind == Kind.STATUS) {
        injected.add(fault.status + " " + line);
        fault.headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        String code = fault.status == 429 ? "TOOMANYREQUESTS" : fault.status == 403 ? "DENIED"
            : fault.status == 401 ? "UNAUTHORIZED" : "UNKNOWN";
        drain(ex.getRequestBody());
        error(ex, fault.status, code, "injected by the fault proxy");
        return;
      }
      Request.Builder forward = new Request.Builder().url("http://" + backend + uri);
      ex.getRequestHeaders().forEach((name, values) -> {
        if (!List.of("host", "content-length", "connection", "transfer-encoding").contains(name.toLowerCase())) {
          values.forEach(v -> forward.addHeader(name, v));
        }
      });
      forward.header("Host", host());
      String lengthHeader = ex.getRequestHeaders().getFirst("Content-Length");
      long length = lengthHeader == null ? -1 : Long.parseLong(lengthHeader);
      RequestBody body = null;
      if (List.of("POST", "PUT", "PATCH").contains(method)) {
        InputStream in = ex.getRequestBody();
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        body = new RequestBody() {
          @Override
          public MediaType contentType() {
            return type == null ? null : MediaType.parse(type);
          }

          @Override
          public long contentLength() {
            return length;
          }

          @Override
          public void writeTo(BufferedSink sink) throws IOException {
            sink.writeAll(Okio.source(in));
          }
        };
      }
      forward.method(method, body);
      try (Response r = http.newCall(forward.build()).execute()) {
        r.headers().forEach(h -> {
          String name = h.getFirst();
          if (List.of("content-length", "transfer-encoding", "connection", "date").contains(name.toLowerCase())) {
            return;
          }
          String value = h.getSecond();
          if (relativeLocations && name.equalsIgnoreCase("Location") && value.startsWith("http")) {
            value = value.replaceFirst("^https?://[^/]+", "");
          }
          ex.getResponseHeaders().add(name, value);
        });
        long responseLength = r.body().contentLength();
        boolean noBody = method.equals("HEAD") || r.code() == 204 || r.code() == 304 || responseLength == 0;
        if (method.equals("HEAD") && responseLength > 0) {
          ex.getResponseHeaders().set("Content-Length", Long.toString(responseLength));
        }
        if (fault != null && !noBody && responseLength > 1) {
          injected.add(fault.kind + " " + line);
          ex.sendResponseHeaders(r.code(), fault.kind == Kind.RESET ? 0 : responseLength);
          OutputStream out = ex.getResponseBody();
          InputStream in = r.body().byteStream();
          byte[] buf = new byte[8192];
          long sent = 0;
          while (sent < responseLength / 2) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, responseLength / 2 - sent));
            if (n < 0) {
              break;
            }
            out.write(buf, 0, n);
            sent += n;
          }
          out.flush();
          cut = true;
          throw new IOException("fault proxy: cutting the connection after " + sent + " bytes");
        }
        ex.sendResponseHeaders(r.code(), noBody ? -1 : responseLength < 0 ? 0 : responseLength);
        if (!noBody) {
          try (OutputStream out = ex.getResponseBody()) {
            r.body().byteStream().transferTo(out);
          }
        }
      }
    } finally {
      if (!cut) {
        ex.close();
      }
    }
  }

  private static void drain(InputStream in) throws IOException {
    in.transferTo(OutputStream.nullOutputStream());
  }

  static void error(HttpExchange ex, int status, String code, String message) throws IOException {
    byte[] body = ("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}]}")
        .getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
