package dev.trtcompat.rules;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trtcompat.concurrent.ParallelMap;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The per-release knowledge base: every {@code tensorrt-*.json} listed in {@code releases.txt}, validated at
 * load, plus the ONNX operator history and the exporter opset facts. Immutable; load once and share.
 */
public final class KnowledgeBase {

  static final String BASE = "/dev/trtcompat/rules/";

  /** A cap on the loader threads: measured on 2 cores only, where both are used. */
  static final int LOAD_THREADS = 4;

  private final List<ReleaseRules> releases;
  private final OnnxOperatorVersions onnxOperators;
  private final OpsetFacts opsetFacts;

  KnowledgeBase(List<ReleaseRules> releases, OnnxOperatorVersions onnxOperators, OpsetFacts opsetFacts) {
    this.releases = List.copyOf(releases);
    this.onnxOperators = onnxOperators;
    this.opsetFacts = opsetFacts;
  }

  private static final class Holder {
    static final KnowledgeBase BUNDLED = loadBundled();
  }

  /** The knowledge base shipped in the jar (loaded and validated once). */
  public static KnowledgeBase bundled() {
    return Holder.BUNDLED;
  }

  /** The strict mapper the knowledge base files are read with: a misspelt property is an error. */
  static ObjectMapper mapper() {
    return new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
  }

  /**
   * Reads and validates every release file. The files are independent, so they are parsed on up to
   * {@link #LOAD_THREADS} threads: in a fresh JVM the parse runs mostly interpreted while the JIT compiler threads
   * compete for the same cores, and on one thread the release count's cost showed as wall time well beyond the
   * thread's CPU time (docs/benchmarks.md, "Knowledge-base start-up").
   */
  static KnowledgeBase loadBundled() {
    ObjectMapper mapper = mapper();
    List<ReleaseRules> rels = ParallelMap.inOrder(index(), ParallelMap.cores(LOAD_THREADS), file -> {
      ReleaseRules r = read(mapper, file, ReleaseRules.class);
      RulesValidator.validate(file, r);
      return r;
    });
    RulesValidator.validateOrder(rels);
    OnnxOperatorVersions ops = read(mapper, "onnx-operator-versions.json", OnnxOperatorVersions.class);
    OpsetFacts facts = read(mapper, "opset-facts.json", OpsetFacts.class);
    return new KnowledgeBase(rels, ops, facts);
  }

  private static List<String> index() {
    List<String> files = new ArrayList<>();
    try (InputStream in = open("releases.txt");
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        line = line.strip();
        if (!line.isEmpty() && !line.startsWith("#")) {
          files.add(line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  private static <T> T read(ObjectMapper mapper, String file, Class<T> type) {
    try (InputStream in = open(file)) {
      return mapper.readValue(in, type);
    } catch (IOException e) {
      throw new IllegalStateException("knowledge base file " + file + " is invalid: " + e.getMessage(), e);
    }
  }

  private static InputStream open(String file) {
    InputStream in = KnowledgeBase.class.getResourceAsStream(BASE + file);
    if (in == null) {
      throw new IllegalStateException("knowledge base file " + file + " is missing from the classpath");
    }
    return in;
  }

  /** All releases, oldest first. */
  public List<ReleaseRules> releases() {
    return releases;
  }

  /** The release written {@code MAJOR.MINOR} (a longer version such as 8.6.1 selects 8.6). */
  public Optional<ReleaseRules> release(String version) {
    String key = normalize(version);
    return releases.stream().filter(r -> r.release().equals(key)).findFirst();
  }

  /** {@code 8.6.1.6} to {@code 8.6}; {@code 10} to {@code 10.0}. */
  public static String normalize(String version) {
    String[] p = version.strip().split("\\.");
    return p.length == 1 ? p[0] + ".0" : p[0] + "." + p[1];
  }

  public OnnxOperatorVersions onnxOperators() {
    return onnxOperators;
  }

  public OpsetFacts opsetFacts() {
    return opsetFacts;
  }
}
