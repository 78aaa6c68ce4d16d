package dev.trtcompat.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every assertion the extractor found in a release's importer code (op importers, static checkers and the helpers
 * they call) is classified, no classification is stale, and every classified one is carried by the rule of its
 * operator (a helper's by the operators its class names). Writes the coverage table to
 * {@code target/assertion-coverage.md} (pasted into docs/compat-matrix.md).
 */
class AssertionCoverageTest {

  static final String DIR = "/dev/trtcompat/rules/assertions/";
  static final ObjectMapper JSON = new ObjectMapper();
  static final List<String> CLASSES = List.of("modelled", "runtime", "static_unmodelled", "not_applicable");

  static final Map<String, JsonNode> manifests = new LinkedHashMap<>();
  static JsonNode classes;

  @BeforeAll
  static void load() throws IOException {
    for (String line : new String(open("releases.txt").readAllBytes()).split("\n")) {
      line = line.strip();
      if (!line.isEmpty() && !line.startsWith("#")) {
        JsonNode m = JSON.readTree(open(line));
        manifests.put(m.get("release").asText(), m);
      }
    }
    JsonNode c = JSON.readTree(open("classes.json"));
    classes = c.get("classes");
  }

  static InputStream open(String file) {
    InputStream in = AssertionCoverageTest.class.getResourceAsStream(DIR + file);
    assertThat(in).as(file).isNotNull();
    return in;
  }

  static int[] version(String release) {
    String[] p = release.split("\\.");
    return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
  }

  static int compare(String a, String b) {
    int[] x = version(a);
    int[] y = version(b);
    return x[0] != y[0] ? Integer.compare(x[0], y[0]) : Integer.compare(x[1], y[1]);
  }

  /** {@code 7.0-7.2}, {@code 8.0-} (open end) or one release. */
  static boolean inRange(String release, String spec) {
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return spec.equals(release);
    }
    String lo = spec.substring(0, dash);
    String hi = spec.substring(dash + 1);
    return compare(release, lo) >= 0 && (hi.isEmpty() || compare(release, hi) <= 0);
  }

  /** The classification entry that applies on {@code release}, or null. */
  static JsonNode classFor(JsonNode entry, String release) {
    if (!entry.has("ranges")) {
      return entry;
    }
    for (JsonNode r : entry.get("ranges")) {
      if (inRange(release, r.get("releases").asText())) {
        return r;
      }
    }
    return null;
  }

  static String op(JsonNode assertion) {
    return assertion.get("context").asText().split(":", 2)[1];
  }

  static boolean isHelper(JsonNode assertion) {
    return assertion.get("context").asText().startsWith("helper:");
  }

  @Test
  void manifestsCoverEveryReleaseWithReadableCode() {
    assertThat(manifests.keySet()).contains("7.0", "8.2", "9.3", "10.0", "10.1", "10.10");
    for (JsonNode m : manifests.values()) {
      assertThat(m.get("commit").asText()).matches("[0-9a-f]{40}");
      assertThat(m.get("assertions")).isNotEmpty();
      m.get("assertions").forEach(a -> {
        assertThat(a.get("id").asText()).matches("[0-9a-f]{12}");
        assertThat(a.get("line").asInt()).isPositive();
      });
    }
  }

  @Test
  void everyAssertionIsClassifiedOnEveryRelease() {
    List<String> missing = new ArrayList<>();
    for (JsonNode m : manifests.values()) {
      String rel = m.get("release").asText();
      for (JsonNode a : m.get("assertions")) {
        JsonNode e = classes.get(a.get("id").asText());
        if (e == null || classFor(e, rel) == null) {
          missing.add(rel + " " + a.get("context").asText() + " " + a.get("id").asText() + " "
              + a.get("file").asText() + ":" + a.get("line").asText() + " '" + a.get("message").asText() + "'");
        }
      }
    }
    assertThat(missing).as("unclassified assertions").isEmpty();
  }

  @Test
  void classificationsAreWellFormedAndNotStale() {
    Set<String> seen = new HashSet<>();
    manifests.values().forEach(m -> m.get("assertions").forEach(a -> seen.add(a.get("id").asText())));
    List<String> problems = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = classes.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!seen.contains(e.getKey())) {
        problems.add(e.getKey() + ": no longer in any manifest");
      }
      List<JsonNode> variants = new ArrayList<>();
      if (e.getValue().has("ranges")) {
        e.getValue().get("ranges").forEach(variants::add);
      } else {
        variants.add(e.getValue());
      }
      for (JsonNode v : variants) {
        String cls = v.path("class").asText();
        if (!CLASSES.contains(cls)) {
          problems.add(e.getKey() + ": class '" + cls + "'");
        }
        if (cls.equals("modelled") && !v.hasNonNull("constraint")) {
          problems.add(e.getKey() + ": modelled without a constraint");
        }
        if (cls.equals("not_applicable") && v.path("why").asText().isBlank()) {
          problems.add(e.getKey() + ": not_applicable without why");
        }
        if (v.has("ops") && !e.getValue().path("helper").asBoolean()) {
          problems.add(e.getKey() + ": ops is for helper assertions only");
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  /** The rule files carry every classified assertion of their release, modelled ones with their constraint. */
  @Test
  void ruleFilesCarryTheClassifiedAssertions() {
    KnowledgeBase kb = KnowledgeBase.bundled();
    List<String> problems = new ArrayList<>();
    for (ReleaseRules r : kb.releases()) {
      JsonNode m = manifests.get(r.release());
      if (!r.read().contains("code")) {
        // table-only and derived releases: no importer code was read, so there is nothing to attach
        assertThat(m).as("a manifest for " + r.release() + ", whose rules say its code was not read").isNull();
        continue;
      }
      assertThat(m).as("manifest of " + r.release()).isNotNull();
      for (JsonNode a : m.get("assertions")) {
        String id = a.get("id").asText();
        if (!classes.has(id) || classFor(classes.get(id), r.release()) == null) {
          continue;
        }
        JsonNode c = classFor(classes.get(id), r.release());
        String cls = c.get("class").asText();
        for (String target : carriers(m, a, c)) {
          OperatorRule rule = r.operator(target).orElse(null);
          if (rule == null || rule.supported() != Support.YES) {
            continue;
          }
          AssertionFact f = rule.assertions().stream().filter(x -> x.id().equals(id)).findFirst().orElse(null);
          if (f == null) {
            problems.add(r.release() + " " + target + " lacks assertion " + id);
          } else if (!f.assertionClass().name().equalsIgnoreCase(cls)) {
            problems.add(r.release() + " " + target + " " + id + " is " + f.assertionClass() + ", classes.json says "
                + cls);
          } else if (!occurrences(m, id).contains(f.at().substring(0, f.at().indexOf('@')))) {
            problems.add(r.release() + " " + target + " " + id + " at " + f.at() + " but the manifest says "
                + occurrences(m, id));
          }
        }
      }
    }
    assertThat(problems).as("rule files out of date: rerun tools/gen_rules.py").isEmpty();
  }

  /**
   * The operators whose rules must carry an assertion: its own operator, or for a helper's (not not_applicable)
   * the operators its class names that call the helper on this release.
   */
  static List<String> carriers(JsonNode manifest, JsonNode assertion, JsonNode cls) {
    if (!isHelper(assertion)) {
      return List.of(op(assertion));
    }
    if (cls.get("class").asText().equals("not_applicable") || !cls.has("ops")) {
      return List.of();
    }
    Set<String> callers = new HashSet<>();
    manifest.path("helperReachedFrom").path(op(assertion))
        .forEach(ctx -> callers.add(ctx.asText().split(":", 2)[1]));
    List<String> out = new ArrayList<>();
    cls.get("ops").forEach(o -> {
      if (callers.contains(o.asText())) {
        out.add(o.asText());
      }
    });
    return out;
  }

  /** file:line of each occurrence of an id (an assertion can be written twice in one importer). */
  static Set<String> occurrences(JsonNode manifest, String id) {
    Set<String> at = new HashSet<>();
    for (JsonNode a : manifest.get("assertions")) {
      if (a.get("id").asText().equals(id)) {
        at.add(a.get("file").asText() + ":" + a.get("line").asText());
      }
    }
    return at;
  }

  @Test
  void writesCoveragePerRelease() throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("| TensorRT | assertions | in helpers | modelled | runtime | static, not modelled | not applicable |"
        + " unclassified |\n|---|---|---|---|---|---|---|---|\n");
    for (JsonNode m : manifests.values()) {
      String rel = m.get("release").asText();
      Map<String, Integer> n = new LinkedHashMap<>();
      CLASSES.forEach(c -> n.put(c, 0));
      int unclassified = 0;
      int helpers = 0;
      for (JsonNode a : m.get("assertions")) {
        helpers += isHelper(a) ? 1 : 0;
        JsonNode e = classes.get(a.get("id").asText());
        JsonNode c = e == null ? null : classFor(e, rel);
        if (c == null) {
          unclassified++;
        } else {
          n.merge(c.get("class").asText(), 1, Integer::sum);
        }
      }
      md.append("| ").append(rel).append(" | ").append(m.get("assertions").size()).append(" | ").append(helpers);
      CLASSES.forEach(c -> md.append(" | ").append(n.get(c)));
      md.append(" | ").append(unclassified).append(" |\n");
    }
    Path out = Path.of("target/assertion-coverage.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, md.toString());
    System.out.println(md);
    assertThat(md).contains("| 9.3 |");
  }
}
