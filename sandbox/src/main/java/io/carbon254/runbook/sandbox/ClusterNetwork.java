package io.carbon254.runbook.sandbox;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pod network, as far as the API server reaches into it: kube-apiserver's "cluster" egress
 * (the service and pod proxies, aggregated APIs) goes through this HTTP CONNECT proxy on a Unix
 * socket ({@code --egress-selector-config-file}, as with konnectivity), which connects a pod's
 * address ({@code 10.244.x.y:9090}) to the loopback fake that plays that pod, or refuses.
 */
final class ClusterNetwork implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ClusterNetwork.class);

  private final Path socket;
  private final ServerSocketChannel server;
  private final Function<InetSocketAddress, Optional<InetSocketAddress>> route;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "sandbox-cluster-network");
    t.setDaemon(true);
    return t;
  });

  /** @param route a pod address to the loopback address that answers for it; empty: nothing listens there */
  ClusterNetwork(Path socket, Function<InetSocketAddress, Optional<InetSocketAddress>> route) {
    this.socket = socket;
    this.route = route;
    try {
      server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      server.bind(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      throw new IllegalStateException("cannot listen on " + socket, e);
    }
    threads.execute(this::accept);
  }

  Path socket() {
    return socket;
  }

  private void accept() {
    while (server.isOpen()) {
      try {
        SocketChannel client = server.accept();
        threads.execute(() -> connect(client));
      } catch (IOException e) {
        if (server.isOpen()) {
          log.debug("cluster network: accept failed: {}", e.toString());
        }
      }
    }
  }

  /** {@code CONNECT 10.244.0.7:9090 HTTP/1.1}: 200 and a byte pipe to the pod's stand-in, or 503. */
  private void connect(SocketChannel client) {
    try (client) {
      ByteBuffer head = ByteBuffer.allocate(8192);
      int end;
      while ((end = headerEnd(head)) < 0) {
        if (!head.hasRemaining() || client.read(head) < 0) {
          return;
        }
      }
      String request = new String(head.array(), 0, end, StandardCharsets.ISO_8859_1);
      String[] line = request.substring(0, request.indexOf("\r\n")).split(" ");
      Optional<InetSocketAddress> target = Optional.empty();
      if (line.length == 3 && "CONNECT".equals(line[0])) {
        int colon = line[1].lastIndexOf(':');
        target = route.apply(new InetSocketAddress(line[1].substring(0, colon), Integer.parseInt(line[1].substring(colon + 1))));
      }
      if (target.isEmpty()) {
        log.debug("cluster network: nothing answers at {}", line.length > 1 ? line[1] : request);
        write(client, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
        return;
      }
      try (SocketChannel pod = SocketChannel.open(target.get())) {
        write(client, "HTTP/1.1 200 Connection established\r\n\r\n");
        ByteBuffer early = ByteBuffer.wrap(head.array(), end + 4, head.position() - end - 4);
        while (early.hasRemaining()) {
          pod.write(early);
        }
        threads.execute(() -> pump(pod, client));
        pump(client, pod);
      }
    } catch (IOException | RuntimeException e) {
      log.debug("cluster network: a connection ended: {}", e.toString());
    }
  }

  private static int headerEnd(ByteBuffer head) {
    byte[] b = head.array();
    for (int i = 3; i < head.position(); i++) {
      if (b[i - 3] == '\r' && b[i - 2] == '\n' && b[i - 1] == '\r' && b[i] == '\n') {
        return i - 3;
      }
    }
    return -1;
  }

  private static void pump(ByteChannel from, SocketChannel to) {
    ByteBuffer buffer = ByteBuffer.allocate(16384);
    try {
      while (from.read(buffer) >= 0) {
        buffer.flip();
        while (buffer.hasRemaining()) {
          to.write(buffer);
        }
        buffer.clear();
      }
      to.shutdownOutput();
    } catch (IOException e) {
      // the other side closed
    }
  }

  private static void write(SocketChannel channel, String text) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      log.debug("cluster network: close failed: {}", e.toString());
    }
    threads.shutdownNow();
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      log.debug("cluster network: cannot delete {}: {}", socket, e.toString());
    }
  }
}
