package io.carbon254.runbook.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code docker-compose.yml} and the {@code Dockerfile}, checked without a Docker engine: the
 * compose file against the Compose Specification's JSON schema, then what a schema cannot know —
 * pinned images, the start order of the Temporal layout, health checks, the set-up steps (the
 * files of {@code deploy/temporal/} and {@code runbook setup}, which the production-topology tests
 * run natively), and the worker's mounts.
 */
class DockerComposeTest {

  private static final Path COMPOSE_FILE = Path.of("..", "docker-compose.yml");
  private static final Path DOCKERFILE = Path.of("..", "Dockerfile");
  private static final String SCHEMA = "/compose/compose-spec.json";
  private static final String SCHEMA_SCRIPT = "deploy/temporal/schema.sh";
  private static final String DYNAMIC_CONFIG = "deploy/temporal/dynamicconfig.yaml";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A tag that names a version, at least major.minor ({@code 16.13}, {@code 1.31.0}, {@code 17.0.17_10-jre}). */
  private static final Pattern VERSION_TAG = Pattern.compile("v?\\d+\\.\\d+.*");

  private static JsonNode compose;
  private static JsonNode services;

  @BeforeAll
  static void readComposeFile() throws IOException {
    assertThat(COMPOSE_FILE).as("docker-compose.yml in the repository root (tests run in worker/)").isRegularFile();
    compose = YAML.readTree(COMPOSE_FILE.toFile());
    services = compose.path("services");
    assertThat(services.isObject()).as("docker-compose.yml has a services: map").isTrue();
  }

  @Test
  void conformsToTheComposeSpecification() {
    Set<ValidationMessage> problems = composeSchema().validate(compose);

    assertThat(problems)
        .as("docker-compose.yml does not conform to the Compose Specification:%n%s", describe(problems))
        .isEmpty();
  }

  @Test
  void theSchemaCheckIsNotVacuous() throws IOException {
    JsonNode broken = YAML.readTree("""
        services:
          worker:
            image: runbook:1.0.0
            depends_on:
              temporal: {}
            restart_policy: always
        """);

    assertThat(composeSchema().validate(broken))
        .as("the Compose schema must reject a depends_on without condition and an unknown service key")
        .isNotEmpty();
  }

  @Test
  void hasTheServicesOfTheTemporalLayout() {
    assertThat(serviceNames())
        .as("services of docker-compose.yml: postgres, a one-shot schema setup, the server, a one-shot namespace"
            + " step, the Web UI and the worker")
        .containsExactlyInAnyOrder("postgresql", "temporal-schema", "temporal", "temporal-namespace", "temporal-ui", "worker");
  }

  @Test
  void everyImageIsPinned() {
    List<String> unpinned = new ArrayList<>();
    services.fields().forEachRemaining(service -> {
      JsonNode image = service.getValue().get("image");
      if (image == null) {
        if (!service.getValue().has("build")) {
          unpinned.add(service.getKey() + ": neither image nor build");
        }
        return;
      }
      String problem = pinProblem(image.asText());
      if (problem != null) {
        unpinned.add(service.getKey() + ": " + problem);
      }
    });

    assertThat(unpinned).as("every image must name a version tag (or a digest), never latest").isEmpty();
  }

  @Test
  void noImageIsTheDeprecatedAutoSetup() {
    services.fields().forEachRemaining(service -> assertThat(service.getValue().path("image").asText())
        .as("service %s: temporalio/auto-setup is deprecated; use temporalio/server with the admin-tools"
            + " schema step", service.getKey())
        .doesNotContain("auto-setup"));
  }

  @Test
  void theWebUiIsAtLeast2_34_6() {
    String image = service("temporal-ui").path("image").asText();
    assertThat(image).as("temporal-ui image").startsWith("temporalio/ui:");
    String tag = tag(image);
    assertThat(compareVersions(tag, "2.34.6"))
        .as("temporal-ui is %s; it must be at least 2.34.6", image)
        .isGreaterThanOrEqualTo(0);
  }

  @Test
  void everyLongRunningServiceHasAHealthcheck() {
    Set<String> oneShots = oneShotServices();
    assertThat(oneShots)
        .as("one-shot jobs (restart: \"no\")")
        .containsExactlyInAnyOrder("temporal-schema", "temporal-namespace");

    services.fields().forEachRemaining(service -> {
      if (oneShots.contains(service.getKey())) {
        return;
      }
      JsonNode check = service.getValue().path("healthcheck");
      assertThat(check.path("test").isMissingNode() || check.path("disable").asBoolean(false))
          .as("long-running service %s needs a healthcheck (test:), so that others can wait for"
              + " service_healthy and `docker compose ps` shows it", service.getKey())
          .isFalse();
      assertThat(service.getValue().path("restart").asText())
          .as("long-running service %s should come back after a crash or a reboot", service.getKey())
          .isIn("unless-stopped", "always");
    });
  }

  @Test
  void everyDependencyWaitsForTheRightCondition() {
    Set<String> oneShots = oneShotServices();
    services.fields().forEachRemaining(service -> {
      JsonNode dependsOn = service.getValue().path("depends_on");
      if (dependsOn.isMissingNode()) {
        return;
      }
      assertThat(dependsOn.isObject())
          .as("%s: depends_on must be a map with a condition per dependency, not a list (a list only waits"
              + " for the container to start)", service.getKey())
          .isTrue();
      dependsOn.fields().forEachRemaining(dependency -> {
        String on = dependency.getKey();
        assertThat(services.has(on)).as("%s depends on unknown service %s", service.getKey(), on).isTrue();
        String expected = oneShots.contains(on) ? "service_completed_successfully" : "service_healthy";
        assertThat(dependency.getValue().path("condition").asText())
            .as("%s depends on %s, a %s: its condition must be %s", service.getKey(), on,
                oneShots.contains(on) ? "one-shot job" : "long-running service", expected)
            .isEqualTo(expected);
      });
    });
  }

  @Test
  void theServerStartsOnlyAfterTheSchemaStepAndTheWorkerAfterTheNamespaceStep() {
    assertThat(service("temporal").path("depends_on").path("temporal-schema").path("condition").asText())
        .as("temporal must wait for temporal-schema to complete")
        .isEqualTo("service_completed_successfully");
    assertThat(service("temporal-namespace").path("depends_on").path("temporal").path("condition").asText())
        .as("temporal-namespace must wait for a healthy temporal")
        .isEqualTo("service_healthy");
    assertThat(service("worker").path("depends_on").path("temporal-namespace").path("condition").asText())
        .as("the worker must wait for the namespace and search attributes to exist")
        .isEqualTo("service_completed_successfully");
    assertThat(env(service("temporal")).get("DB")).as("temporal: DB").isEqualTo("postgres12");
  }

  @Test
  void theSchemaStepRunsTheSchemaScriptOnBothDatabases() throws IOException {
    JsonNode schemaStep = service("temporal-schema");
    String script = Files.readString(mountedFile(schemaStep, "/etc/runbook/temporal/schema.sh", SCHEMA_SCRIPT));
    assertThat(joined(schemaStep.path("entrypoint")))
        .as("temporal-schema runs the mounted deploy/temporal/schema.sh (the file the production-topology tests run)")
        .isEqualTo("/bin/sh /etc/runbook/temporal/schema.sh");
    assertThat(script).as("schema.sh: one temporal-sql-tool call for every step")
        .contains("sql() { \"$tool\" --plugin \"${SQL_PLUGIN:-postgres12}\" --ep \"$SQL_HOST\" -p \"${SQL_PORT:-5432}\" -u \"$SQL_USER\" \"$@\"; }")
        .contains("versioned=\"${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema}/postgresql/v12\"");
    Map<String, String> dirs = Map.of(
        "temporal", "\"$versioned/temporal/versioned\"",
        "temporal_visibility", "\"$versioned/visibility/versioned\"");
    dirs.forEach((db, dir) -> {
      for (String step : List.of("create", "setup-schema -v 0.0", "update-schema -d " + dir)) {
        assertThat(script).as("schema.sh must run `--db %s %s`", db, step).contains("\nsql --db " + db + " " + step + "\n");
      }
    });

    Map<String, String> env = env(schemaStep);
    Map<String, String> postgres = env(service("postgresql"));
    assertThat(env).as("temporal-schema environment")
        .containsEntry("SQL_PLUGIN", "postgres12")
        .containsEntry("SQL_HOST", "postgresql")
        .containsEntry("SQL_PORT", "5432")
        .containsEntry("SQL_USER", postgres.get("POSTGRES_USER"))
        .containsEntry("SQL_PASSWORD", postgres.get("POSTGRES_PASSWORD"));
    assertThat(env(service("temporal"))).as("the server uses the databases the schema step made")
        .containsEntry("DBNAME", "temporal")
        .containsEntry("VISIBILITY_DBNAME", "temporal_visibility")
        .containsEntry("POSTGRES_USER", postgres.get("POSTGRES_USER"))
        .containsEntry("POSTGRES_PWD", postgres.get("POSTGRES_PASSWORD"));
  }

  @Test
  void theNamespaceStepIsRunbookSetupFromTheWorkersImage() {
    JsonNode namespaceStep = service("temporal-namespace");
    assertThat(namespaceStep.path("build")).as("temporal-namespace is built like the worker (it runs `runbook setup`)")
        .isEqualTo(service("worker").path("build"));
    assertThat(joined(namespaceStep.path("command")))
        .as("temporal-namespace registers the namespace and the search attributes with `runbook setup`, waiting for the server")
        .startsWith("setup").contains("--wait");
    assertThat(env(namespaceStep)).as("temporal-namespace environment: the worker's server and namespace")
        .containsEntry("TEMPORAL_ADDRESS", env(service("worker")).get("TEMPORAL_ADDRESS"))
        .containsEntry("TEMPORAL_NAMESPACE", env(service("worker")).get("TEMPORAL_NAMESPACE"));
  }

  @Test
  void theServerReadsTheDynamicConfigFile() {
    JsonNode server = service("temporal");
    String path = env(server).get("DYNAMIC_CONFIG_FILE_PATH");
    JsonNode mount = null;
    for (JsonNode config : server.path("configs")) {
      if (path != null && path.equals(config.path("target").asText())) {
        mount = config;
      }
    }
    assertThat(mount).as("temporal mounts a config at its DYNAMIC_CONFIG_FILE_PATH %s", path).isNotNull();
    JsonNode config = compose.path("configs").path(mount.path("source").asText());
    assertThat(config.path("file").asText()).as("the dynamic config is the file the tests start their server with")
        .isEqualTo("./" + DYNAMIC_CONFIG);
  }

  @Test
  void everyFileTheComposeFileMountsExists() {
    List<String> missing = new ArrayList<>();
    services.fields().forEachRemaining(service -> {
      for (JsonNode volume : service.getValue().path("volumes")) {
        String source = volume.path("source").asText();
        if ("bind".equals(volume.path("type").asText()) && source.startsWith("./") && !Files.exists(Path.of("..", source))) {
          missing.add(service.getKey() + ": " + source);
        }
      }
    });
    compose.path("configs").fields().forEachRemaining(config -> {
      String file = config.getValue().path("file").asText("");
      if (!file.isEmpty() && !Files.isRegularFile(Path.of("..", file))) {
        missing.add("configs." + config.getKey() + ": " + file);
      }
    });
    assertThat(missing).as("files docker-compose.yml mounts from the repository").isEmpty();
  }

  @Test
  void theWorkerMountsItsConfigAndKubeconfigReadOnly() {
    JsonNode worker = service("worker");
    Map<String, JsonNode> mounts = new LinkedHashMap<>();
    for (JsonNode volume : worker.path("volumes")) {
      assertThat(volume.isObject())
          .as("worker volumes use the long syntax (type/source/target/read_only): %s", volume)
          .isTrue();
      mounts.put(volume.path("target").asText(), volume);
    }

    JsonNode config = mounts.get("/etc/runbook/254carbon.yaml");
    assertThat(config).as("worker must mount the platform config at /etc/runbook/254carbon.yaml").isNotNull();
    assertThat(config.path("source").asText()).isEqualTo("./config/254carbon.yaml");
    assertThat(config.path("read_only").asBoolean()).as("the platform config mount must be read-only").isTrue();
    assertThat(Path.of("..", "config", "254carbon.yaml")).as("the mounted config exists").isRegularFile();

    JsonNode kubeconfig = mounts.get("/etc/runbook/kubeconfig");
    assertThat(kubeconfig).as("worker must mount a kubeconfig at /etc/runbook/kubeconfig").isNotNull();
    assertThat(kubeconfig.path("source").asText()).isEqualTo("${KUBECONFIG_FILE:-~/.kube/config}");
    assertThat(kubeconfig.path("read_only").asBoolean()).as("the kubeconfig mount must be read-only").isTrue();

    Map<String, String> env = env(worker);
    assertThat(env).as("worker environment")
        .containsEntry("TEMPORAL_ADDRESS", "temporal:7233")
        .containsEntry("TEMPORAL_NAMESPACE", "default")
        .containsEntry("RUNBOOK_CONFIG", "/etc/runbook/254carbon.yaml")
        .containsEntry("KUBECONFIG", "/etc/runbook/kubeconfig");
    assertThat(worker.path("build").path("dockerfile").asText("Dockerfile")).isEqualTo("Dockerfile");
  }

  @Test
  void thePublishedPortsAreTheDocumentedOnes() {
    assertThat(ports(service("temporal-ui"))).as("the Web UI at http://localhost:8080").contains("8080:8080");
    assertThat(ports(service("temporal"))).as("the Temporal frontend at localhost:7233").contains("7233:7233");
    assertThat(ports(service("worker"))).as("the worker's /metrics and /healthz, published on the host's loopback only")
        .containsExactly("127.0.0.1:9464:9464");
    assertThat(service("postgresql").has("ports")).as("postgres is reached only inside the compose network").isFalse();
    assertThat(env(service("temporal-ui"))).as("temporal-ui environment").containsEntry("TEMPORAL_ADDRESS", "temporal:7233");
  }

  @Test
  void theWorkerHealthcheckAsksHealthzOnTheMetricsPort() {
    assertThat(joined(service("worker").path("healthcheck").path("test")))
        .as("the worker healthcheck")
        .contains("http://localhost:9464/healthz");
    assertThat(joined(service("worker").path("command")))
        .as("the worker command serves /metrics and /healthz on 9464")
        .startsWith("worker")
        .contains("--metrics-port 9464");
  }

  /**
   * The worker listens on 127.0.0.1 unless told otherwise; in a container a published port reaches
   * the container's own address, so the image and the compose file ask for every interface there —
   * and the compose file publishes it on the host's loopback only.
   */
  @Test
  void theContainerServesTheMetricsOnItsInterfacesAndTheHostOnlyOnLoopback() throws IOException {
    assertThat(joined(service("worker").path("command"))).as("the compose worker's command")
        .contains("--metrics-address 0.0.0.0");
    JsonNode cmd = JSON.readTree(lastInstruction(dockerfileInstructions(), "CMD"));
    List<String> argv = new ArrayList<>();
    cmd.forEach(arg -> argv.add(arg.asText()));
    assertThat(String.join(" ", argv)).as("the image's default command").startsWith("worker")
        .contains("--metrics-port 9464").contains("--metrics-address 0.0.0.0");
    for (String port : ports(service("worker"))) {
      assertThat(port).as("a published port of the worker binds the host's loopback, not every interface")
          .startsWith("127.0.0.1:");
    }
  }

  @Test
  void theDockerfileRunsTheWorkerJarAloneAsANonRootUser() throws IOException {
    List<String> lines = dockerfileInstructions();

    String entrypoint = lastInstruction(lines, "ENTRYPOINT");
    JsonNode exec = JSON.readTree(entrypoint);
    assertThat(exec.isArray()).as("ENTRYPOINT in exec form (JSON array), so signals reach the JVM: %s", entrypoint).isTrue();
    List<String> argv = new ArrayList<>();
    exec.forEach(arg -> argv.add(arg.asText()));
    assertThat(argv).as("ENTRYPOINT").containsExactly("java", "-jar", "/opt/runbook/runbook-worker.jar");

    // The worker module's runtime classpath: its build forbids the sandbox and the test server on it.
    assertThat(lines).as("the worker jar and its libraries (manifest Class-Path lib/) are copied from the build stage")
        .anyMatch(l -> l.matches("COPY --from=\\S+ \\S*worker/target/runbook-worker\\.jar /opt/runbook/runbook-worker\\.jar"))
        .anyMatch(l -> l.matches("COPY --from=\\S+ \\S*worker/target/lib/? /opt/runbook/lib/?"))
        .noneMatch(l -> l.contains("starter/"));
    assertThat(lines).as("the build stage builds the worker module").anyMatch(l -> l.contains("-pl worker -am"));
    assertThat(lastInstruction(lines, "USER")).as("the runtime stage runs as a non-root user").isNotIn("root", "0");
    assertThat(lastInstruction(lines, "EXPOSE")).as("EXPOSE the metrics port").isEqualTo("9464");
  }

  @Test
  void theDockerfileBaseImagesArePinned() throws IOException {
    List<String> stages = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (String line : dockerfileInstructions()) {
      if (!line.startsWith("FROM ")) {
        continue;
      }
      String[] words = line.substring(5).trim().split("\\s+");
      int i = 0;
      while (words[i].startsWith("--")) {
        i++;
      }
      String image = words[i];
      if (!stages.contains(image)) {
        String problem = pinProblem(image);
        if (problem != null) {
          problems.add(line + ": " + problem);
        }
      }
      if (words.length > i + 2 && words[i + 1].equalsIgnoreCase("AS")) {
        stages.add(words[i + 2]);
      }
    }

    assertThat(stages).as("a multi-stage build").isNotEmpty();
    assertThat(problems).as("Dockerfile base images must be pinned to a version").isEmpty();
  }

  // ---- helpers -----------------------------------------------------------------------------

  /**
   * The schema, read from the test resources. Its {@code $id} ("compose_spec.json") is relative,
   * so it is given the resource's own URI as base; nothing is fetched from the network.
   */
  private static JsonSchema composeSchema() {
    URL resource = DockerComposeTest.class.getResource(SCHEMA);
    assertThat(resource).as("test resource %s", SCHEMA).isNotNull();
    try (InputStream in = resource.openStream()) {
      JsonNode schema = JSON.readTree(in);
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(resource.toURI(), schema);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String describe(Set<ValidationMessage> problems) {
    return problems.stream().map(m -> "  " + m.getMessage()).sorted().collect(Collectors.joining("\n"));
  }

  private static Set<String> serviceNames() {
    Set<String> names = new TreeSet<>();
    services.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static JsonNode service(String name) {
    JsonNode service = services.get(name);
    if (service == null) {
      fail("docker-compose.yml has no service %s (services: %s)", name, serviceNames());
    }
    return service;
  }

  /** The repository file a service bind-mounts read-only at {@code target}, checked to be {@code expected}. */
  private static Path mountedFile(JsonNode service, String target, String expected) {
    for (JsonNode volume : service.path("volumes")) {
      if (target.equals(volume.path("target").asText())) {
        assertThat(volume.path("type").asText()).as("%s is a bind mount", target).isEqualTo("bind");
        assertThat(volume.path("source").asText()).as("what is mounted at %s", target).isEqualTo("./" + expected);
        assertThat(volume.path("read_only").asBoolean()).as("%s is mounted read-only", target).isTrue();
        Path file = Path.of("..", expected);
        assertThat(file).as("the mounted file exists").isRegularFile();
        return file;
      }
    }
    return fail("nothing is mounted at %s", target);
  }

  /** Jobs that run once and exit: declared {@code restart: "no"}. */
  private static Set<String> oneShotServices() {
    Set<String> oneShots = new TreeSet<>();
    services.fields().forEachRemaining(s -> {
      if ("no".equals(s.getValue().path("restart").asText())) {
        oneShots.add(s.getKey());
      }
    });
    return oneShots;
  }

  /** The service's command (a string, or a list such as one script for a {@code sh -c} entrypoint) as one text. */
  private static String commandText(JsonNode service) {
    return joined(service.path("command"));
  }

  private static String joined(JsonNode stringOrList) {
    if (stringOrList.isArray()) {
      List<String> parts = new ArrayList<>();
      stringOrList.forEach(part -> parts.add(part.asText()));
      return String.join(" ", parts);
    }
    return stringOrList.asText();
  }

  private static Map<String, String> env(JsonNode service) {
    Map<String, String> env = new LinkedHashMap<>();
    JsonNode environment = service.path("environment");
    if (environment.isArray()) {
      environment.forEach(entry -> {
        String[] kv = entry.asText().split("=", 2);
        env.put(kv[0], kv.length > 1 ? kv[1] : null);
      });
    } else {
      environment.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
    }
    return env;
  }

  private static List<String> ports(JsonNode service) {
    List<String> ports = new ArrayList<>();
    for (JsonNode port : service.path("ports")) {
      ports.add(port.isObject()
          ? port.path("published").asText() + ":" + port.path("target").asText()
          : port.asText());
    }
    return ports;
  }

  /** Why an image reference is not pinned, or null when it is. */
  private static String pinProblem(String image) {
    if (image.contains("${")) {
      return image + " is interpolated, so its version is not in the file";
    }
    if (image.contains("@sha256:")) {
      return null;
    }
    int slash = image.lastIndexOf('/');
    int colon = image.lastIndexOf(':');
    if (colon < slash + 1) {
      return image + " has no tag (means latest)";
    }
    String tag = image.substring(colon + 1);
    if (tag.equalsIgnoreCase("latest")) {
      return image + " is latest";
    }
    if (!VERSION_TAG.matcher(tag).matches()) {
      return image + ": tag " + tag + " does not name a version (at least major.minor)";
    }
    return null;
  }

  private static String tag(String image) {
    String reference = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
    return reference.substring(reference.lastIndexOf(':') + 1);
  }

  /** Compares dotted numeric versions ({@code 2.36.0} vs {@code 2.34.6}); a leading v is ignored. */
  static int compareVersions(String a, String b) {
    String[] x = a.replaceFirst("^v", "").split("[.-]");
    String[] y = b.replaceFirst("^v", "").split("[.-]");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int p = i < x.length ? leadingNumber(x[i]) : 0;
      int q = i < y.length ? leadingNumber(y[i]) : 0;
      if (p != q) {
        return Integer.compare(p, q);
      }
    }
    return 0;
  }

  private static int leadingNumber(String part) {
    Matcher m = Pattern.compile("^\\d+").matcher(part);
    return m.find() ? Integer.parseInt(m.group()) : 0;
  }

  /** Dockerfile instructions, one a line: comments dropped, continuation lines joined. */
  private static List<String> dockerfileInstructions() throws IOException {
    assertThat(DOCKERFILE).as("Dockerfile in the repository root").isRegularFile();
    List<String> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (Iterator<String> it = Files.readAllLines(DOCKERFILE).iterator(); it.hasNext(); ) {
      String line = it.next().strip();
      if (line.startsWith("#") || (line.isEmpty() && current.length() == 0)) {
        continue;
      }
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      current.append(line);
      String instruction = current.toString().replaceAll("\\s+", " ").strip();
      if (!instruction.isEmpty()) {
        instructions.add(instruction);
      }
      current.setLength(0);
    }
    return instructions;
  }

  private static String lastInstruction(List<String> lines, String keyword) {
    String found = null;
    for (String line : lines) {
      if (line.startsWith(keyword + " ")) {
        found = line.substring(keyword.length() + 1).strip();
      }
    }
    if (found == null) {
      fail("Dockerfile has no %s", keyword);
    }
    return found;
  }
}
