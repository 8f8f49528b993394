package io.carbon254.runbook.sandbox;

import java.net.URI;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * A fake of one HTTP service of the platform. The same fake answers on its own loopback port
 * (through {@link #dispatcher()}) and, where the platform reaches the service through the
 * Kubernetes API service proxy, behind the simulated API server.
 */
public interface HttpFake {

  /** An answer: status, content type and body. */
  record Reply(int code, String contentType, String body) {

    public static Reply json(int code, String body) {
      return new Reply(code, "application/json", body);
    }

    public static Reply text(int code, String body) {
      return new Reply(code, "text/plain; charset=utf-8", body);
    }
  }

  /**
   * Answers one request.
   *
   * @param method HTTP method
   * @param target path and query, e.g. {@code /api/v1/targets?state=active}
   */
  Reply handle(String method, String target);

  /** Path of a target without its query. */
  static String path(String target) {
    int q = target.indexOf('?');
    return q < 0 ? target : target.substring(0, q);
  }

  /** The raw query of a target, or empty. */
  static String query(String target) {
    String query = URI.create("http://x" + target).getRawQuery();
    return query == null ? "" : query;
  }

  /** This fake as an OkHttp {@code MockWebServer} dispatcher. */
  default Dispatcher dispatcher() {
    HttpFake fake = this;
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String target = request.getTarget() == null ? "/" : request.getTarget();
        Reply reply;
        try {
          reply = fake.handle(request.getMethod(), target);
        } catch (RuntimeException e) {
          reply = Reply.text(500, "sandbox fake failed: " + e);
        }
        MockResponse.Builder builder = new MockResponse.Builder().code(reply.code());
        if (reply.contentType() != null) {
          builder.setHeader("Content-Type", reply.contentType());
        }
        if (!"HEAD".equals(request.getMethod()) && reply.body() != null) {
          builder.body(reply.body());
        }
        return builder.build();
      }
    };
  }
}
