package io.carbon254.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The repository's {@code docker-compose.yml}, read for what the production-topology tests run
 * natively: a service's environment, its command, and which repository file it mounts where.
 */
final class ComposeFile {

  /** The repository: the tests run in {@code starter/}. */
  static final Path REPOSITORY = Path.of("").toAbsolutePath().getParent();

  private final JsonNode compose;

  private ComposeFile(JsonNode compose) {
    this.compose = compose;
  }

  static ComposeFile read() {
    try {
      return new ComposeFile(new ObjectMapper(new YAMLFactory()).readTree(REPOSITORY.resolve("docker-compose.yml").toFile()));
    } catch (IOException e) {
      throw new AssertionError("cannot read docker-compose.yml: " + e, e);
    }
  }

  JsonNode service(String name) {
    JsonNode service = compose.path("services").path(name);
    assertThat(service.isObject()).as("docker-compose.yml has a service %s", name).isTrue();
    return service;
  }

  /** A service's {@code environment:} map. */
  Map<String, String> env(String service) {
    Map<String, String> env = new LinkedHashMap<>();
    service(service).path("environment").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
    return env;
  }

  /** A service's {@code entrypoint:} or {@code command:} (a list). */
  List<String> list(String service, String key) {
    List<String> words = new ArrayList<>();
    service(service).path(key).forEach(word -> words.add(word.asText()));
    return words;
  }

  /** The tag of a service's image: {@code temporalio/server:1.31.0} → {@code 1.31.0}. */
  String imageTag(String service) {
    Matcher tag = Pattern.compile(":([^:/@]+)$").matcher(service(service).path("image").asText());
    assertThat(tag.find()).as("the image of %s has a tag", service).isTrue();
    return tag.group(1);
  }

  /** The repository file that a service bind-mounts at {@code target}. */
  Path mountedFile(String service, String target) {
    for (JsonNode volume : service(service).path("volumes")) {
      if (target.equals(volume.path("target").asText()) && "bind".equals(volume.path("type").asText())) {
        return REPOSITORY.resolve(volume.path("source").asText()).normalize();
      }
    }
    throw new AssertionError("docker-compose.yml: " + service + " mounts no repository file at " + target);
  }

  /** The repository file of the top-level {@code configs:} entry that a service mounts at {@code target}. */
  Path configFile(String service, String target) {
    for (JsonNode config : service(service).path("configs")) {
      if (target.equals(config.path("target").asText())) {
        String file = compose.path("configs").path(config.path("source").asText()).path("file").asText();
        assertThat(file).as("the config %s of %s is a file", target, service).isNotEmpty();
        return REPOSITORY.resolve(file).normalize();
      }
    }
    throw new AssertionError("docker-compose.yml: " + service + " mounts no config at " + target);
  }
}
