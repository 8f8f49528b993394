package io.carbon254.runbook.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads a platform description from YAML and validates it. Nothing is silently ignored: unknown
 * keys, values of the wrong type and every finding of {@link ConfigValidator} are collected and
 * reported together, each with its YAML path.
 *
 * <pre>{@code
 * PlatformConfig config = ConfigLoader.load(Path.of("config/254carbon.yaml")); // or throws InvalidConfigException
 * List<ConfigProblem> problems = ConfigLoader.check(path);                     // for `runbook validate`
 * }</pre>
 */
public final class ConfigLoader {

  /** Classpath location of the default configuration, a copy of {@code config/254carbon.yaml}. */
  public static final String DEFAULT_RESOURCE = "/io/carbon254/runbook/config/254carbon.yaml";

  private static final YAMLMapper MAPPER = YAMLMapper.builder()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .build();

  private ConfigLoader() {}

  /** Loads and validates a file. */
  public static PlatformConfig load(Path file) {
    return orThrow(parse(read(file), file.toString()));
  }

  /** Loads and validates YAML text; {@code source} names it in messages. */
  public static PlatformConfig fromYaml(String yaml, String source) {
    return orThrow(parse(yaml, source));
  }

  /** Loads and validates YAML text. */
  public static PlatformConfig fromYaml(String yaml) {
    return fromYaml(yaml, "<string>");
  }

  /** The default platform, {@code config/254carbon.yaml} as shipped on the classpath. */
  public static PlatformConfig loadDefault() {
    return fromYaml(defaultYaml(), "classpath:" + DEFAULT_RESOURCE);
  }

  /** The text of the default configuration. */
  public static String defaultYaml() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the default configuration " + DEFAULT_RESOURCE + " is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every problem of a file; empty when it is valid. */
  public static List<ConfigProblem> check(Path file) {
    return parse(read(file), file.toString()).problems();
  }

  /** Every problem of YAML text; empty when it is valid. */
  public static List<ConfigProblem> checkYaml(String yaml) {
    return parse(yaml, "<string>").problems();
  }

  /** The configuration as YAML (what {@link #fromYaml(String)} reads back to an equal record). */
  public static String toYaml(PlatformConfig config) {
    try {
      return MAPPER.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write configuration as YAML", e);
    }
  }

  /**
   * The outcome of reading a configuration.
   *
   * @param config the configuration, or null when the text could not be turned into one
   * @param problems every problem found; empty means the configuration is valid
   * @param source where it came from
   */
  public record Result(PlatformConfig config, List<ConfigProblem> problems, String source) {
    public boolean isValid() {
      return problems.isEmpty();
    }
  }

  /** Reads and validates without throwing. */
  public static Result parse(String yaml, String source) {
    List<ConfigProblem> problems = new ArrayList<>();
    JsonNode tree;
    try {
      tree = MAPPER.readTree(yaml);
    } catch (JacksonException e) {
      problems.add(new ConfigProblem("(yaml)", syntaxMessage(e)));
      return new Result(null, problems, source);
    }
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      problems.add(new ConfigProblem("(root)", "the configuration is empty"));
      return new Result(null, problems, source);
    }
    Walker walker = new Walker(problems);
    JsonNode clean = walker.check(tree, PlatformConfig.class, "");
    if (clean == null) {
      return new Result(null, problems, source);
    }
    PlatformConfig config;
    try {
      config = MAPPER.treeToValue(clean, PlatformConfig.class);
    } catch (JacksonException | IllegalArgumentException e) {
      // The walker should have caught everything; never let a raw Jackson trace through.
      problems.add(new ConfigProblem("(root)", "cannot be read: " + firstLine(e.getMessage())));
      return new Result(null, problems, source);
    }
    List<String> structural = problems.stream().map(ConfigProblem::path).collect(Collectors.toList());
    for (ConfigProblem p : ConfigValidator.validate(config)) {
      if (structural.stream().noneMatch(s -> isAtOrUnder(p.path(), s))) {
        problems.add(p);
      }
    }
    return new Result(config, problems, source);
  }

  private static PlatformConfig orThrow(Result result) {
    if (!result.isValid()) {
      throw new InvalidConfigException(result.source(), result.problems());
    }
    return result.config();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InvalidConfigException(file.toString(),
          List.of(new ConfigProblem("(file)", "cannot read " + file + ": " + e.getMessage())));
    }
  }

  private static boolean isAtOrUnder(String path, String prefix) {
    return path.equals(prefix) || path.startsWith(prefix + ".") || path.startsWith(prefix + "[");
  }

  private static String syntaxMessage(JacksonException e) {
    String message = withoutParserEvents(firstLine(e.getOriginalMessage()));
    JsonLocation at = e.getLocation();
    if (at != null && at.getLineNr() > 0) {
      return "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": " + message;
    }
    return message;
  }

  /** SnakeYAML's events by their YAML names, in place of its class names ({@code <org.yaml...AliasEvent(...)>}). */
  private static final Pattern PARSER_EVENT =
      Pattern.compile("<?org\\.yaml\\.snakeyaml\\.(?:\\w+\\.)*(\\w+)(?:\\([^)]*\\))?>?");

  static String withoutParserEvents(String message) {
    return PARSER_EVENT.matcher(message).replaceAll(m -> switch (m.group(1).replaceFirst("Event$", "")) {
      case "Alias" -> "an alias (*name)";
      case "MappingStart" -> "a mapping";
      case "SequenceStart" -> "a list";
      case "Scalar" -> "a value";
      case "MappingEnd" -> "the end of a mapping";
      case "SequenceEnd" -> "the end of a list";
      case "DocumentStart" -> "a new document (---)";
      case "DocumentEnd" -> "the end of the document";
      case "StreamEnd" -> "the end of the file";
      default -> "YAML " + m.group(1).replaceFirst("Event$", "").replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase();
    });
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unknown error";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  static String child(String parent, String key) {
    String k = key.contains(".") || key.contains(" ") || key.isEmpty() ? "[\"" + key + "\"]" : key;
    if (parent.isEmpty()) {
      return k;
    }
    return k.startsWith("[") ? parent + k : parent + "." + k;
  }

  static String index(String parent, int i) {
    return parent + "[" + i + "]";
  }

  /**
   * Walks the YAML tree against the record types: reports unknown keys and wrongly typed values,
   * drops them, and returns a tree Jackson can bind without failing.
   */
  private static final class Walker {
    private final List<ConfigProblem> problems;
    private final JsonNodeFactory nodes = JsonNodeFactory.instance;

    Walker(List<ConfigProblem> problems) {
      this.problems = problems;
    }

    /** The cleaned node, or null when it must be left out. */
    JsonNode check(JsonNode node, Type type, String path) {
      if (node == null || node.isNull() || node.isMissingNode()) {
        return null;
      }
      if (type instanceof ParameterizedType pt) {
        Class<?> raw = (Class<?>) pt.getRawType();
        Type[] args = pt.getActualTypeArguments();
        if (List.class.isAssignableFrom(raw)) {
          return list(node, args[0], path);
        }
        if (Map.class.isAssignableFrom(raw)) {
          return map(node, args[1], path);
        }
        throw new IllegalStateException("unsupported configuration type " + type);
      }
      Class<?> c = (Class<?>) type;
      if (c == String.class) {
        if (node.isValueNode()) {
          return node.isTextual() ? node : TextNode.valueOf(node.asText());
        }
        return wrong(path, "a string", node);
      }
      if (c == Integer.class || c == Long.class) {
        boolean fits = node.isIntegralNumber() && (c == Long.class ? node.canConvertToLong() : node.canConvertToInt());
        return fits ? node : wrong(path, c == Integer.class ? "an integer" : "a whole number", node);
      }
      if (c == Boolean.class) {
        return node.isBoolean() ? node : wrong(path, "true or false", node);
      }
      if (c.isEnum()) {
        return enumValue(node, c, path);
      }
      if (c.isRecord()) {
        return record(node, c, path);
      }
      throw new IllegalStateException("unsupported configuration type " + c);
    }

    private JsonNode list(JsonNode node, Type element, String path) {
      if (!node.isArray()) {
        return wrong(path, "a list", node);
      }
      ArrayNode out = nodes.arrayNode();
      for (int i = 0; i < node.size(); i++) {
        String p = index(path, i);
        JsonNode item = node.get(i);
        if (item.isNull()) {
          problems.add(new ConfigProblem(p, "empty list item"));
          continue;
        }
        JsonNode clean = check(item, element, p);
        if (clean != null) {
          out.add(clean);
        }
      }
      return out;
    }

    private JsonNode map(JsonNode node, Type value, String path) {
      if (!node.isObject()) {
        return wrong(path, "a mapping", node);
      }
      ObjectNode out = nodes.objectNode();
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        String p = child(path, e.getKey());
        if (e.getValue().isNull()) {
          problems.add(new ConfigProblem(p, "has no value"));
          continue;
        }
        JsonNode clean = check(e.getValue(), value, p);
        if (clean != null) {
          out.set(e.getKey(), clean);
        }
      }
      return out;
    }

    private JsonNode record(JsonNode node, Class<?> type, String path) {
      if (!node.isObject() && type == SecretRef.class) {
        // A text where a reference belongs may be the secret itself: it is never repeated.
        problems.add(new ConfigProblem(path, "expected a secret reference ({env: VARIABLE} or {namespace, name, key}), got "
            + (node.isTextual() ? "a text (not shown: it may be the secret itself — put the value in a Secret or an"
                + " environment variable of the worker and reference it)" : describe(node))));
        return null;
      }
      if (!node.isObject()) {
        return wrong(path, "a mapping", node);
      }
      Map<String, RecordComponent> known = new LinkedHashMap<>();
      for (RecordComponent rc : type.getRecordComponents()) {
        known.put(rc.getName(), rc);
      }
      ObjectNode out = nodes.objectNode();
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        String p = child(path, e.getKey());
        RecordComponent rc = known.get(e.getKey());
        if (rc == null) {
          problems.add(new ConfigProblem(p, unknownKey(e.getKey(), known.keySet())));
          continue;
        }
        JsonNode clean = check(e.getValue(), rc.getGenericType(), p);
        if (clean != null) {
          out.set(e.getKey(), clean);
        }
      }
      return out;
    }

    private JsonNode enumValue(JsonNode node, Class<?> type, String path) {
      List<String> allowed = new ArrayList<>();
      for (Object constant : type.getEnumConstants()) {
        allowed.add(MAPPER.convertValue(constant, String.class));
      }
      if (node.isTextual() && allowed.contains(node.asText())) {
        return node;
      }
      return wrong(path, "one of " + String.join(", ", allowed), node);
    }

    private JsonNode wrong(String path, String expected, JsonNode got) {
      // a file that is not a mapping at all (a list, a text) is wrong at its root, which has no name
      problems.add(new ConfigProblem(path.isEmpty() ? "(root)" : path, "expected " + expected + ", got " + describe(got)));
      return null;
    }
  }

  static String describe(JsonNode node) {
    if (node.isArray()) {
      return "a list";
    }
    if (node.isObject()) {
      return "a mapping";
    }
    if (node.isTextual()) {
      String s = node.asText();
      return "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
    }
    return node.asText();
  }

  static String unknownKey(String key, java.util.Collection<String> known) {
    String closest = known.stream()
        .min(Comparator.comparingInt(k -> distance(k.toLowerCase(), key.toLowerCase())))
        .orElse(null);
    if (closest != null && distance(closest.toLowerCase(), key.toLowerCase()) <= Math.max(2, key.length() / 4)) {
      return "unknown key (did you mean '" + closest + "'?)";
    }
    return "unknown key (known keys: " + String.join(", ", known) + ")";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
