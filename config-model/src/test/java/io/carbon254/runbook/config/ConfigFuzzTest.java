package io.carbon254.runbook.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzes the loader with random mutations of the default file: keys deleted, renamed or added,
 * values of another type, huge strings, unicode and control characters, deeply nested maps, list
 * items duplicated, numbers out of range; and with the file's text cut or spliced. Whatever the
 * file, {@code runbook validate} and the worker get a list of problems, each with its path, or a
 * configuration — never another exception, never a Java class name in a message.
 *
 * <p>The number of tries is jqwik's default ({@code jqwik.tries.default} in
 * {@code junit-platform.properties}); {@code -Djqwik.tries.default=5000} runs more. A failure prints the
 * seed and the mutations, each with the path it hit.
 */
class ConfigFuzzTest {

  static final YAMLMapper YAML = new YAMLMapper();
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  static final String DEFAULT = ConfigLoader.defaultYaml();
  static final JsonNode DEFAULT_TREE = read(DEFAULT);

  /** What an operator must never see in a problem: a stack frame or a Java class name. */
  static final Pattern JAVA_INTERNALS = Pattern.compile(
      "\\bat [a-z]+\\.[a-z]|(java|javax|jdk|sun|com\\.fasterxml|org\\.yaml|io\\.carbon254)\\.[a-z]+\\."
          + "|[A-Za-z]+(Exception|Error)\\b|\\$[A-Z]|NullPointer|ClassCast");

  private static Path file;

  @BeforeContainer
  static void makeFile() throws IOException {
    file = Files.createTempFile("config-fuzz", ".yaml");
  }

  @AfterContainer
  static void removeFile() throws IOException {
    Files.deleteIfExists(file);
  }

  // --- the properties --------------------------------------------------------------------------

  @Property
  void aMutatedDefaultFileLoadsOrEveryProblemHasAPath(@ForAll("mutationLists") List<Mutation> mutations) {
    JsonNode tree = DEFAULT_TREE.deepCopy();
    List<String> applied = new ArrayList<>();
    for (Mutation m : mutations) {
      applied.add(m.apply(tree));
    }
    assertLoadsOrRefused(write(tree), "mutations: " + applied);
  }

  @Property
  void theDefaultTextCutOrSplicedLoadsOrEveryProblemHasAPath(@ForAll("textMutations") TextMutation mutation) {
    assertLoadsOrRefused(mutation.apply(DEFAULT), mutation.toString());
  }

  // --- what every file must give ---------------------------------------------------------------

  /**
   * {@code runbook validate} (check) lists problems without throwing; the worker (load) gets the
   * configuration when there is none and InvalidConfigException with the same problems otherwise.
   */
  static void assertLoadsOrRefused(String yaml, String what) {
    try {
      Files.writeString(file, yaml, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<ConfigProblem> checked;
    try {
      checked = ConfigLoader.check(file);
    } catch (Throwable t) {
      throw new AssertionError("check threw " + t + " for " + what, t);
    }
    for (ConfigProblem p : checked) {
      assertThat(p.path()).as("path of %s (%s)", p, what).isNotBlank();
      assertThat(p.message()).as("message of %s (%s)", p, what).isNotBlank();
      assertThat(JAVA_INTERNALS.matcher(p.path() + ": " + p.message()).find())
          .as("Java internals in '%s' (%s)", shorten(p.toString()), what).isFalse();
      assertThat(p.toString()).as("a problem fit for a terminal (%s)", what)
          .hasSizeLessThan(2 * ConfigProblem.MAX_SHOWN + 100)
          .doesNotContainPattern("[\\x00-\\x1f\\x7f\\u202e]");
    }
    try {
      PlatformConfig config = ConfigLoader.load(file);
      assertThat(checked).as("load returned a configuration that check refused (%s)", what).isEmpty();
      assertThat(config).isNotNull();
    } catch (InvalidConfigException e) {
      assertThat(e.problems()).as("load refused with check's problems (%s)", what).isEqualTo(checked).isNotEmpty();
      assertThat(e.getMessage()).doesNotContain("\tat ");
    } catch (Throwable t) {
      throw new AssertionError("load threw " + t + " for " + what, t);
    }
  }

  // --- mutations of the tree -------------------------------------------------------------------

  enum Kind { DELETE, REPLACE, ADD_KEY, RENAME_KEY, DUPLICATE_ITEM, WRAP_IN_LIST }

  /** What replaces a value or is added: each shape is built when applied, so a sample prints short. */
  enum Shape {
    TEXT, EMPTY_TEXT, NUMBER, NEGATIVE, HUGE_INT, HUGE_NUMBER, DECIMAL, NAN, TRUE, FALSE, NULL, EMPTY_LIST, EMPTY_MAP,
    LIST_OF_TEXT, MAP_OF_TEXT, HUGE_TEXT, CONTROL_TEXT, UNICODE_TEXT, DEEP_MAP, DEEP_LIST, LONG_LIST
  }

  /**
   * One mutation: {@code target} picks a node of the tree as it is when the mutation applies (its
   * pre-order index, modulo the number of nodes); {@code text} feeds the shapes that carry text.
   */
  record Mutation(Kind kind, int target, Shape shape, String text) {

    /** Applies it to {@code root}, and says what it did where. */
    String apply(JsonNode root) {
      List<Located> all = new ArrayList<>();
      collect(root, "", null, null, -1, all);
      Located at = all.get(Math.floorMod(target, all.size()));
      String where = at.path.isEmpty() ? "(root)" : at.path;
      switch (kind) {
        case DELETE -> {
          if (at.parent instanceof ObjectNode o) {
            o.remove(at.key);
          } else if (at.parent instanceof ArrayNode a) {
            a.remove(at.index);
          } else {
            return "DELETE " + where + " (root kept)";
          }
          return "DELETE " + where;
        }
        case REPLACE -> {
          if (!replace(at, value(shape, text))) {
            return "REPLACE (root kept)";
          }
          return "REPLACE " + where + " with " + shape + describe(text);
        }
        case ADD_KEY -> {
          ObjectNode o = at.node instanceof ObjectNode obj ? obj : at.parent instanceof ObjectNode p ? p : (ObjectNode) root;
          o.set(text, value(shape, text));
          return "ADD_KEY '" + shorten(text) + "' = " + shape + " at " + where;
        }
        case RENAME_KEY -> {
          if (!(at.parent instanceof ObjectNode o) || o.has(text)) {
            return "RENAME_KEY " + where + " (not a key, or taken)";
          }
          o.set(text, o.remove(at.key));
          return "RENAME_KEY " + where + " to '" + shorten(text) + "'";
        }
        case DUPLICATE_ITEM -> {
          if (at.parent instanceof ArrayNode a) {
            a.insert(at.index, at.node.deepCopy());
            return "DUPLICATE_ITEM " + where;
          }
          return "DUPLICATE_ITEM " + where + " (not a list item)";
        }
        case WRAP_IN_LIST -> {
          ArrayNode list = NODES.arrayNode().add(at.node.deepCopy());
          return replace(at, list) ? "WRAP_IN_LIST " + where : "WRAP_IN_LIST (root kept)";
        }
        default -> throw new IllegalStateException(kind.name());
      }
    }

    private static String describe(String text) {
      return text.isEmpty() ? "" : " '" + shorten(text) + "'";
    }

    private static boolean replace(Located at, JsonNode value) {
      if (at.parent instanceof ObjectNode o) {
        o.set(at.key, value);
      } else if (at.parent instanceof ArrayNode a) {
        a.set(at.index, value);
      } else {
        return false;
      }
      return true;
    }
  }

  record Located(JsonNode node, String path, JsonNode parent, String key, int index) {}

  static void collect(JsonNode node, String path, JsonNode parent, String key, int index, List<Located> out) {
    out.add(new Located(node, path, parent, key, index));
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        collect(e.getValue(), ConfigLoader.child(path, e.getKey()), node, e.getKey(), -1, out);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collect(node.get(i), ConfigLoader.index(path, i), node, null, i, out);
      }
    }
  }

  static JsonNode value(Shape shape, String text) {
    return switch (shape) {
      case TEXT -> NODES.textNode(text);
      case EMPTY_TEXT -> NODES.textNode("");
      case NUMBER -> NODES.numberNode(text.length());
      case NEGATIVE -> NODES.numberNode(-1 - text.length());
      case HUGE_INT -> NODES.numberNode((long) Integer.MAX_VALUE + 1 + text.length());
      case HUGE_NUMBER -> NODES.numberNode(BigInteger.TEN.pow(40 + text.length()));
      case DECIMAL -> NODES.numberNode(text.length() + 0.5);
      case NAN -> NODES.numberNode(Double.NaN);
      case TRUE -> NODES.booleanNode(true);
      case FALSE -> NODES.booleanNode(false);
      case NULL -> NODES.nullNode();
      case EMPTY_LIST -> NODES.arrayNode();
      case EMPTY_MAP -> NODES.objectNode();
      case LIST_OF_TEXT -> NODES.arrayNode().add(text).add(text);
      case MAP_OF_TEXT -> NODES.objectNode().put(text, text);
      case HUGE_TEXT -> NODES.textNode((text.isEmpty() ? "a" : text).repeat(100_000 / Math.max(1, text.length()) + 1));
      case CONTROL_TEXT -> NODES.textNode(text + "\u0000\u0007\u001b[31m\t\r\n\u007f\u0085" + text);
      case UNICODE_TEXT -> NODES.textNode(text + "\u00e9\u4e2d\u0645\u200b\u202e\ufeff\ud83d\ude80" + text);
      case DEEP_MAP -> nest(200, false, text);
      case DEEP_LIST -> nest(200, true, text);
      case LONG_LIST -> {
        ArrayNode list = NODES.arrayNode();
        for (int i = 0; i < 2_000; i++) {
          list.add(text + i);
        }
        yield list;
      }
    };
  }

  static JsonNode nest(int depth, boolean lists, String text) {
    JsonNode node = NODES.textNode(text);
    for (int i = 0; i < depth; i++) {
      node = lists ? NODES.arrayNode().add(node) : NODES.objectNode().set(i % 2 == 0 ? "a" : text.isEmpty() ? "b" : text, node);
    }
    return node;
  }

  @Provide
  Arbitrary<List<Mutation>> mutationLists() {
    Arbitrary<String> text = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(12),
        Arbitraries.strings().alpha().numeric().withChars("-._/:@ ").ofMaxLength(20),
        Arbitraries.of("", "name", "services", "alice", "group:platform-admins", "0", "true", "~", "null", "-1",
            "254carbon.com", "data-platform", "*", "&a", "!!str", "#", "{", "[", "'", "\"", "%", "@"));
    Arbitrary<Mutation> mutation = Combinators.combine(
        Arbitraries.of(Kind.class),
        Arbitraries.integers().greaterOrEqual(0),
        Arbitraries.of(Shape.class),
        text).as(Mutation::new);
    return mutation.list().ofMinSize(1).ofMaxSize(4);
  }

  // --- mutations of the text -------------------------------------------------------------------

  /** The default text cut at {@code at} (modulo its length), or with {@code snippet} inserted there. */
  record TextMutation(boolean cut, int at, String snippet) {
    String apply(String text) {
      int i = Math.floorMod(at, text.length() + 1);
      return cut ? text.substring(0, i) : text.substring(0, i) + snippet + text.substring(i);
    }

    @Override
    public String toString() {
      return cut ? "cut at " + at : "insert '" + shorten(snippet) + "' at " + at;
    }
  }

  @Provide
  Arbitrary<TextMutation> textMutations() {
    Arbitrary<String> snippets = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(8),
        Arbitraries.of("\n", "\t", ":", ": ", "- ", "\n  - x\n", "\n---\n", "...", "&anchor ", "*anchor", "*none",
            "!!binary ", "!!com.example.Gadget ", "!<tag:yaml.org,2002:int> ", "<<: *a\n", "? ", "{", "}", "[", "]",
            "\"", "'", "|", ">", "%YAML 1.2\n", "\ufeff", "\u0000", "\n" + "  ".repeat(60) + "x: 1\n",
            "\nbomb: &a [x, x, x, x, x, x, x, x, x]\nb2: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                + "b3: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nb4: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
            "\nname: again\n", "\ndeep: " + "[".repeat(2_000) + "]".repeat(2_000) + "\n",
            "\nbig: 1" + "0".repeat(5_000) + "\n"));
    return Combinators.combine(Arbitraries.of(true, false), Arbitraries.integers().greaterOrEqual(0), snippets)
        .as(TextMutation::new);
  }

  // ---------------------------------------------------------------------------------------------

  static JsonNode read(String yaml) {
    try {
      return YAML.readTree(yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String write(JsonNode tree) {
    try {
      return YAML.writeValueAsString(tree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String shorten(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "...(" + s.length() + " chars)" : s;
  }
}
