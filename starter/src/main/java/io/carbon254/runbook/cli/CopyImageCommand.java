package io.carbon254.runbook.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbon254.runbook.activities.registry.CopyOptions;
import io.carbon254.runbook.activities.registry.CopyOutcome;
import io.carbon254.runbook.activities.registry.CopyResult;
import io.carbon254.runbook.activities.registry.Credentials;
import io.carbon254.runbook.activities.registry.ImagePair;
import io.carbon254.runbook.activities.registry.ImageReference;
import io.carbon254.runbook.activities.registry.RegistryCopier;
import io.carbon254.runbook.activities.registry.RegistryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code runbook copy-image}: copy images between registries, digest-preserving, without a Docker daemon. */
@Command(name = "copy-image", mixinStandardHelpOptions = true,
    description = {"Copy an image between registries the way `crane copy` does: manifests verbatim (same digest),"
        + " multi-arch indexes with every platform, blobs streamed and skipped when already there.",
        "With --list FILE (one `SRC DST` pair a line, # comments) copies many images in parallel: the daemon-free"
            + " replacement for the old mirror script.",
        "Registries on localhost / 127.0.0.1 are reached over plain HTTP; others need --insecure for that.",
        "Logins: --src-creds / --dest-creds USER:PASSWORD, else ~/.docker/config.json."})
final class CopyImageCommand implements Callable<Integer> {

  @Parameters(index = "0", arity = "0..1", paramLabel = "SRC", description = "Source image, e.g. docker.io/library/alpine:3.19.")
  String source;

  @Parameters(index = "1", arity = "0..1", paramLabel = "DST", description = "Target image, e.g. harbor.254carbon.local/254carbon/alpine:3.19.")
  String target;

  @Option(names = "--list", paramLabel = "FILE", description = "Copy every `SRC DST` pair in FILE instead.")
  Path list;

  @Option(names = "--platform", paramLabel = "all|OS/ARCH", defaultValue = "all",
      description = "all (default: the whole index, digest kept) or one platform such as linux/amd64.")
  String platform;

  @Option(names = "--parallel", paramLabel = "N", defaultValue = "4", description = "Images whose manifests are read or pushed at a time with --list (default: ${DEFAULT-VALUE});"
      + " their blobs share one queue of --blob-parallel transfers, largest first.")
  int parallel;

  @Option(names = "--blob-parallel", paramLabel = "N", defaultValue = "8", description = "Blobs in flight at once (default: ${DEFAULT-VALUE}).")
  int blobParallel;

  @Option(names = "--chunk-size", paramLabel = "MIB", defaultValue = "0",
      description = "Upload blobs larger than this in chunks of this many MiB; 0 = one request per blob (default).")
  long chunkMib;

  @Option(names = "--insecure", description = "Reach non-loopback registries over plain HTTP.")
  boolean insecure;

  @Option(names = "--src-creds", paramLabel = "USER:PASSWORD", description = "Login at the source registries.")
  String sourceCreds;

  @Option(names = "--dest-creds", paramLabel = "USER:PASSWORD", description = "Login at the target registries.")
  String targetCreds;

  @Option(names = "--output", defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE}).")
  Output output;

  record Row(String source, String target, String digest, String mediaType, List<String> platforms, long bytesCopied,
      int blobsCopied, int blobsSkipped, int blobsMounted, boolean unchanged, double seconds, String error) {}

  @Override
  public Integer call() {
    List<ImagePair> pairs = pairs();
    CopyOptions options;
    try {
      options = CopyOptions.defaults().withPlatform(platform).withBlobParallelism(blobParallel)
          .withChunkSize(chunkMib << 20).withInsecure(insecure);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, e.getMessage());
    }
    OkHttpClient http = new OkHttpClient.Builder().connectTimeout(15, TimeUnit.SECONDS)
        .readTimeout(120, TimeUnit.SECONDS).writeTimeout(120, TimeUnit.SECONDS)
        .connectionPool(new ConnectionPool(Math.max(8, blobParallel * 2), 1, TimeUnit.MINUTES)).build();
    List<Row> rows = new ArrayList<>();
    try (RegistryCopier copier = new RegistryCopier(http, credentials(pairs), options)) {
      for (CopyOutcome o : copier.copyAll(pairs, list == null ? 1 : parallel)) {
        rows.add(row(o));
      }
    } finally {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
    print(rows);
    List<Row> failed = rows.stream().filter(r -> r.error() != null).toList();
    if (failed.isEmpty()) {
      return ExitCodes.OK;
    }
    failed.forEach(r -> System.err.println("runbook: " + r.error()));
    return rows.size() == failed.size() && failed.stream().allMatch(r -> r.error().contains("could not be reached"))
        ? ExitCodes.UNAVAILABLE : ExitCodes.FAILED;
  }

  private List<ImagePair> pairs() {
    try {
      if (list != null) {
        if (source != null) {
          throw new CliException(ExitCodes.USAGE, "give either SRC DST or --list FILE, not both");
        }
        List<ImagePair> pairs = new ArrayList<>();
        int n = 0;
        for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
          n++;
          String text = line.strip();
          if (text.isEmpty() || text.startsWith("#")) {
            continue;
          }
          String[] parts = text.split("\\s+");
          if (parts.length != 2) {
            throw new CliException(ExitCodes.USAGE, list + ":" + n + ": expected `SRC DST`, found: " + text);
          }
          pairs.add(pair(parts[0], parts[1], list + ":" + n + ": "));
        }
        if (pairs.isEmpty()) {
          throw new CliException(ExitCodes.USAGE, list + ": no `SRC DST` pairs");
        }
        return pairs;
      }
      if (source == null || target == null) {
        throw new CliException(ExitCodes.USAGE, "say what to copy: SRC DST, or --list FILE");
      }
      return List.of(pair(source, target, ""));
    } catch (IOException e) {
      throw new CliException(ExitCodes.USAGE, "cannot read " + list + ": " + e.getMessage());
    }
  }

  private static ImagePair pair(String src, String dst, String where) {
    try {
      return ImagePair.parse(src, dst);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, where + e.getMessage());
    }
  }

  /** Explicit logins for the registries of the pairs, then ~/.docker/config.json. */
  private Credentials credentials(List<ImagePair> pairs) {
    Map<String, Credentials.Login> explicit = new HashMap<>();
    Optional<Credentials.Login> src = login(sourceCreds, "--src-creds");
    Optional<Credentials.Login> dst = login(targetCreds, "--dest-creds");
    for (ImagePair p : pairs) {
      src.ifPresent(l -> explicit.putIfAbsent(p.source().registry(), l));
      dst.ifPresent(l -> explicit.put(p.target().registry(), l));
    }
    Map<String, Credentials.Login> docker = dockerConfig();
    return registry -> Optional.ofNullable(explicit.get(registry)).or(() -> Optional.ofNullable(docker.get(registry)));
  }

  private static Optional<Credentials.Login> login(String value, String option) {
    if (value == null) {
      return Optional.empty();
    }
    int colon = value.indexOf(':');
    if (colon <= 0) {
      throw new CliException(ExitCodes.USAGE, option + " must be USER:PASSWORD");
    }
    return Optional.of(new Credentials.Login(value.substring(0, colon), value.substring(colon + 1)));
  }

  /** {@code auths.<registry>.auth} = base64(user:password), as {@code docker login} writes it. */
  private static Map<String, Credentials.Login> dockerConfig() {
    Map<String, Credentials.Login> logins = new HashMap<>();
    Path file = Path.of(System.getProperty("user.home"), ".docker", "config.json");
    if (!Files.isReadable(file)) {
      return logins;
    }
    try {
      JsonNode auths = new ObjectMapper().readTree(file.toFile()).path("auths");
      auths.fields().forEachRemaining(e -> {
        String auth = e.getValue().path("auth").asText("");
        if (auth.isEmpty()) {
          return;
        }
        String decoded = new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        if (colon > 0) {
          String host = e.getKey().replaceFirst("^https?://", "").replaceFirst("/.*$", "");
          String registry = host.equals("index.docker.io") || host.equals("registry-1.docker.io")
              ? ImageReference.DOCKER_HUB : host;
          logins.put(registry, new Credentials.Login(decoded.substring(0, colon), decoded.substring(colon + 1)));
        }
      });
    } catch (IOException | IllegalArgumentException e) {
      System.err.println("runbook: ignoring " + file + ": " + e.getMessage());
    }
    return logins;
  }

  private static Row row(CopyOutcome o) {
    if (!o.ok()) {
      RegistryException f = o.failure();
      return new Row(o.pair().source().toString(), o.pair().target().toString(), null, null, List.of(), 0, 0, 0, 0,
          false, 0, f.getMessage() + (f.retryable() ? " (retryable)" : ""));
    }
    CopyResult r = o.result();
    return new Row(r.source().toString(), r.target().toString(), r.digest(), r.mediaType(), r.platforms(),
        r.bytesCopied(), r.blobsCopied(), r.blobsSkipped(), r.blobsMounted(), r.unchanged(),
        r.elapsed().toMillis() / 1000.0, null);
  }

  private void print(List<Row> rows) {
    if (output == Output.json) {
      System.out.println(Json.of(rows));
      return;
    }
    for (Row r : rows) {
      if (r.error() != null) {
        System.out.printf("FAILED    %s -> %s%n", r.source(), r.target());
        continue;
      }
      System.out.printf("%-9s %s -> %s%n          digest %s  %s copied (%d blobs copied, %d skipped, %d mounted)%s%n",
          r.unchanged() ? "UNCHANGED" : "COPIED", r.source(), r.target(), r.digest(), size(r.bytesCopied()),
          r.blobsCopied(), r.blobsSkipped(), r.blobsMounted(),
          r.platforms().isEmpty() ? "" : "  platforms " + String.join(", ", r.platforms()));
    }
  }

  private static String size(long bytes) {
    if (bytes < 1024 * 1024) {
      return bytes + " B";
    }
    return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
