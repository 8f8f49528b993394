package io.carbon254.runbook.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of Debian's {@code postgresql} package for one test class: a new cluster in
 * a temporary directory, listening on a free loopback port only, whose superuser is the
 * compose file's {@code POSTGRES_USER} with its password (as the {@code postgres} image makes it).
 * PostgreSQL refuses to run as root, so under root it runs as the {@code postgres} user the
 * package creates. Stopped (fast shutdown) and deleted by {@link #close()}.
 */
final class NativePostgres implements AutoCloseable {

  static final String INSTALL_HINT = "run ./scripts/install-test-tools (it installs Debian's postgresql), or apt-get install postgresql";

  private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

  final Path bin;
  final int port;
  final String user;
  final String password;
  private final Path base;
  private final Path data;
  private final Path log;
  private Process server;

  private NativePostgres(Path bin, Path base, int port, String user, String password) {
    this.bin = bin;
    this.base = base;
    this.data = base.resolve("data");
    this.log = base.resolve("postgres.log");
    this.port = port;
    this.user = user;
    this.password = password;
  }

  /** The newest PostgreSQL of the Debian packages, or an AssertionError that says how to install it. */
  static Path binaries() {
    try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      return versions.map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("postgres")) && Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
          .orElseThrow(() -> new IOException("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin"));
    } catch (IOException e) {
      throw new AssertionError("The production-topology tests need PostgreSQL (" + e.getMessage() + "): " + INSTALL_HINT);
    }
  }

  /** A new cluster, started and accepting connections. */
  static NativePostgres start(String user, String password) {
    Path bin = binaries();
    NativePostgres pg;
    try {
      Path base = Files.createTempDirectory("runbook-postgres-");
      pg = new NativePostgres(bin, base, DevEnvironment.freePort(), user, password);
      pg.giveToPostgres(base);
      Path passwordFile = base.resolve("password");
      Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
      pg.giveToPostgres(passwordFile);
      pg.run(Duration.ofMinutes(2), "initdb", "-D", pg.data.toString(), "-U", user, "--pwfile=" + passwordFile,
          "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C");
      Files.delete(passwordFile);
    } catch (IOException e) {
      throw new AssertionError("cannot create a PostgreSQL cluster: " + e, e);
    }
    try {
      pg.startServer();
    } catch (RuntimeException | Error e) {
      pg.close();
      throw e;
    }
    return pg;
  }

  private void startServer() {
    try {
      server = new ProcessBuilder(asPostgres(bin.resolve("postgres").toString(), "-D", data.toString(), "-p",
          String.valueOf(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + base))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    } catch (IOException e) {
      throw new AssertionError("cannot start PostgreSQL: " + e, e);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        throw new AssertionError("PostgreSQL ended (exit " + server.exitValue() + ") while starting; its log:\n" + Jvm.read(log));
      }
      if (exec(Duration.ofSeconds(10), Map.of(), bin.resolve("pg_isready").toString(), "-q", "-h", "127.0.0.1", "-p",
          String.valueOf(port)).exitCode() == 0) {
        return;
      }
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
    throw new AssertionError("PostgreSQL did not accept connections within 60 s; its log:\n" + Jvm.read(log));
  }

  /** {@code psql -At -c SQL} on a database, as the superuser over TCP: the rows, one a line. */
  String query(String database, String sql) {
    Jvm.Result result = client("psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", database, "-c", sql);
    return result.out().strip();
  }

  /**
   * The schema of a database as {@code pg_dump --schema-only} writes it, to compare two databases: without the
   * {@code \restrict} lines, whose key is new in every dump.
   */
  String schemaDump(String database) {
    return client("pg_dump", "--schema-only", "--no-owner", "-d", database).out().replaceAll("(?m)^\\\\(un)?restrict .*$", "");
  }

  private Jvm.Result client(String program, String... args) {
    List<String> command = new ArrayList<>(List.of(bin.resolve(program).toString(), "-h", "127.0.0.1", "-p",
        String.valueOf(port), "-U", user));
    command.addAll(List.of(args));
    Jvm.Result result = exec(Duration.ofMinutes(1), Map.of("PGPASSWORD", password), command.toArray(String[]::new));
    if (result.exitCode() != 0) {
      throw new AssertionError(program + " " + String.join(" ", args) + " failed (exit " + result.exitCode() + "):\n"
          + result.out() + result.err());
    }
    return result;
  }

  private void run(Duration patience, String program, String... args) {
    List<String> command = new ArrayList<>(List.of(bin.resolve(program).toString()));
    command.addAll(List.of(args));
    Jvm.Result result = exec(patience, Map.of(), asPostgres(command.toArray(String[]::new)).toArray(String[]::new));
    if (result.exitCode() != 0) {
      throw new AssertionError(program + " failed (exit " + result.exitCode() + "):\n" + result.out() + result.err());
    }
  }

  /** Runs a command to its end (bounded), its output captured. */
  static Jvm.Result exec(Duration patience, Map<String, String> env, String... command) {
    try {
      Path out = Files.createTempFile("runbook-exec", ".out");
      Path err = Files.createTempFile("runbook-exec", ".err");
      try {
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
          throw new AssertionError(String.join(" ", command) + " did not end within " + patience.toSeconds() + " s:\n"
              + Files.readString(out) + Files.readString(err));
        }
        return new Jvm.Result(process.exitValue(), Files.readString(out), Files.readString(err));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command[0] + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static List<String> asPostgres(String... command) {
    List<String> full = new ArrayList<>();
    if (ROOT) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(List.of(command));
    return full;
  }

  private void giveToPostgres(Path path) throws IOException {
    if (!ROOT) {
      return;
    }
    UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
    PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
    try {
      view.setOwner(users.lookupPrincipalByName("postgres"));
      GroupPrincipal group = users.lookupPrincipalByGroupName("postgres");
      view.setGroup(group);
    } catch (IOException e) {
      throw new AssertionError("no 'postgres' user to run PostgreSQL as (root cannot): " + INSTALL_HINT, e);
    }
  }

  /** Fast shutdown (bounded), then the directory is deleted; a server that does not stop is killed with its children. */
  @Override
  public void close() {
    if (server != null && server.isAlive()) {
      try {
        exec(Duration.ofSeconds(40), Map.of(), asPostgres(bin.resolve("pg_ctl").toString(), "stop", "-D", data.toString(),
            "-m", "fast", "-w", "-t", "30").toArray(String[]::new));
      } catch (AssertionError e) {
        System.err.println("PostgreSQL did not stop: " + e.getMessage());
      }
      try {
        if (!server.waitFor(10, TimeUnit.SECONDS)) {
          server.descendants().forEach(ProcessHandle::destroyForcibly);
          server.destroyForcibly();
          server.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try (Stream<Path> files = Files.walk(base)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("cannot delete " + base + ": " + e);
    }
  }
}
