package io.carbon254.runbook.activities.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * A real {@code docker-registry} (distribution 2.8, Debian package {@code docker-registry}) on a free loopback port,
 * storing into a temp dir, optionally behind htpasswd basic auth. Never the system service on :5000.
 */
final class LocalRegistry implements AutoCloseable {

  static final Path BINARY = Path.of(System.getProperty("registry.binary", "/usr/bin/docker-registry"));

  final int port;
  final Path dir;
  final String username;
  final String password;
  private final Process process;

  private LocalRegistry(int port, Path dir, String username, String password, Process process) {
    this.port = port;
    this.dir = dir;
    this.username = username;
    this.password = password;
    this.process = process;
  }

  static LocalRegistry start() {
    return start(null, null);
  }

  /** With username and password set, the registry requires basic auth (bcrypt htpasswd written here). */
  static LocalRegistry start(String username, String password) {
    if (!Files.isExecutable(BINARY)) {
      throw new AssertionError("docker-registry is missing: " + BINARY + " not found. These tests run a real registry:"
          + " install the Debian package 'docker-registry' (apt-get install -y docker-registry skopeo)"
          + " and stop the system service it may start on :5000.");
    }
    try {
      Path dir = Files.createTempDirectory("registry-");
      int port = freePort();
      String auth = "";
      if (username != null) {
        String hash = OpenBSDBCrypt.generate("2y", password.toCharArray(), new byte[16], 4);
        Files.writeString(dir.resolve("htpasswd"), username + ":" + hash + "\n");
        auth = "auth:\n  htpasswd:\n    realm: test-realm\n    path: " + dir.resolve("htpasswd") + "\n";
      }
      Files.createDirectories(dir.resolve("data"));
      String config = "version: 0.1\n"
          + "log:\n  level: error\n  accesslog:\n    disabled: true\n"
          + "storage:\n  filesystem:\n    rootdirectory: " + dir.resolve("data") + "\n  delete:\n    enabled: true\n"
          + "http:\n  addr: 127.0.0.1:" + port + "\n"
          + auth;
      Files.writeString(dir.resolve("config.yml"), config);
      Process process = new ProcessBuilder(BINARY.toString(), "serve", dir.resolve("config.yml").toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
      LocalRegistry registry = new LocalRegistry(port, dir, username, password, process);
      registry.awaitUp();
      return registry;
    } catch (IOException e) {
      throw new AssertionError("cannot start docker-registry: " + e, e);
    }
  }

  String host() {
    return "127.0.0.1:" + port;
  }

  ImageReference ref(String repositoryAndTag) {
    return ImageReference.parse(host() + "/" + repositoryAndTag);
  }

  /** Upload sessions the registry holds for a repository: started and neither finished nor cancelled. */
  List<String> uploadSessions(String repository) {
    Path uploads = dir.resolve("data/docker/registry/v2/repositories/" + repository + "/_uploads");
    if (!Files.isDirectory(uploads)) {
      return List.of();
    }
    try (Stream<Path> sessions = Files.list(uploads)) {
      return sessions.map(p -> p.getFileName().toString()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** CPU time (user + system) the registry process has used so far, from /proc. */
  double cpuSeconds() {
    try {
      String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0; // clock ticks: USER_HZ is 100
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the CPU time of docker-registry " + process.pid(), e);
    }
  }

  Credentials credentials() {
    return username == null ? Credentials.none()
        : registry -> registry.equals(host()) ? java.util.Optional.of(new Credentials.Login(username, password))
            : java.util.Optional.empty();
  }

  private void awaitUp() throws IOException {
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("docker-registry exited at start: " + Files.readString(dir.resolve("registry.log")));
      }
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://" + host() + "/v2/").toURL().openConnection();
        c.setConnectTimeout(200);
        int code = c.getResponseCode();
        c.disconnect();
        if (code == 200 || code == 401) {
          return;
        }
      } catch (IOException notYet) {
        // starting
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }
    throw new AssertionError("docker-registry did not answer on " + host() + " within 15 s: "
        + Files.readString(dir.resolve("registry.log"), StandardCharsets.UTF_8));
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // temp dir
    }
  }
}
