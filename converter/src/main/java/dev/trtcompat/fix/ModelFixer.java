package dev.trtcompat.fix;

import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.check.CompatibilityReport;
import dev.trtcompat.check.Finding;
import dev.trtcompat.check.ReleaseResult;
import dev.trtcompat.check.Severity;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.onnx.OnnxGraph;
import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.OperatorSetIdProto;
import dev.trtcompat.onnx.proto.OnnxProtos.StringStringEntryProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The whole {@code fix}: read and check the original, run the passes (attributing removed findings to each),
 * write the result to a temporary file beside the output, check it, prove it equivalent with ONNX Runtime, and
 * only then move it into place. On refusal or any error the temporary file is removed and no output appears.
 */
public final class ModelFixer {

  public static final String META_PASSES = "trt-compat.fix.passes";
  public static final String META_SOURCE = "trt-compat.fix.source_sha256";
  public static final String META_VERSION = "trt-compat.fix.version";

  private final CompatibilityChecker checker;
  private final String toolVersion;

  public ModelFixer(CompatibilityChecker checker, String toolVersion) {
    this.checker = checker;
    this.toolVersion = toolVersion;
  }

  /**
   * Refuses bad input before any work, writing nothing: an unknown pass or release, a model that does not parse,
   * shapes that name no input or contradict the model. The service calls it before it accepts a fix job.
   */
  public void validate(FixRequest req) {
    FixPipeline.of(req.passes());
    Path source = req.model().toAbsolutePath().normalize();
    checker.check(OnnxModelReader.read(source), req.releases());
    ShapesPass.validate(new FixGraph(ModelFiles.read(source)), req.shapes());
  }

  public FixReport fix(FixRequest req) {
    FixPipeline pipeline = FixPipeline.of(req.passes());
    Path source = req.model().toAbsolutePath().normalize();
    Path out = req.out().toAbsolutePath().normalize();
    if (source.equals(out)) {
      throw new UserFacingException(Kind.BAD_REQUEST, "output_is_input",
          "--out names the input model; write the fixed model to another file");
    }
    OnnxModel original = OnnxModelReader.read(source);
    if (!original.externalDataFiles().isEmpty() && !source.getParent().equals(out.getParent())) {
      throw new UserFacingException(Kind.BAD_REQUEST, "external_data_elsewhere",
          "the model keeps weights in external files " + original.externalDataFiles()
              + "; write --out into the model's folder so the fixed model finds them");
    }
    CompatibilityReport before = checker.check(original, req.releases());
    List<String> releases = before.results().stream().map(ReleaseResult::tensorrt).toList();
    Set<String> unsupported = new LinkedHashSet<>();
    before.results().forEach(r -> r.findings().stream().filter(f -> f.rule().equals("op.unsupported"))
        .forEach(f -> unsupported.add(f.op())));

    ModelProto proto = ModelFiles.read(source);
    FixGraph g = new FixGraph(proto);
    ShapesPass.validate(g, req.shapes());
    List<Integer> opsetMax = checker.knowledgeBase().releases().stream()
        .filter(rel -> releases.contains(rel.release())).map(rel -> rel.parser().opsetMax()).distinct().sorted()
        .toList();
    Map<String, Set<String>> rulesByOp = new LinkedHashMap<>();
    before.results().forEach(r -> r.findings().stream().filter(f -> f.op() != null && f.severity() != Severity.INFO)
        .forEach(f -> rulesByOp.computeIfAbsent(f.op(), k -> new LinkedHashSet<>()).add(f.rule())));
    FixContext ctx = new FixContext(req.shapes(), unsupported, opsetMax, checker.knowledgeBase().onnxOperators(),
        checker.knowledgeBase().releases().stream().filter(rel -> releases.contains(rel.release())).toList(),
        rulesByOp);
    Map<String, Set<String>> current = findingKeys(before);
    Map<String, List<String>> removedBy = new LinkedHashMap<>();
    List<String> applied = pipeline.run(g, ctx, (pass, graph) -> {
      Map<String, Set<String>> now = findingKeys(checker.check(inMemory(graph, source), releases));
      Map<String, Set<String>> gone = new TreeMap<>();
      current.forEach((k, rels) -> {
        Set<String> left = new LinkedHashSet<>(rels);
        left.removeAll(now.getOrDefault(k, Set.of()));
        if (!left.isEmpty()) {
          gone.put(k, left);
        }
      });
      gone.forEach((k, rels) -> removedBy.computeIfAbsent(pass.name(), x -> new ArrayList<>())
          .add(k + " (" + String.join(", ", rels) + ")"));
      current.clear();
      current.putAll(now);
    });

    String sha;
    try {
      sha = ModelFiles.sha256(source);
    } catch (IOException e) {
      throw new UserFacingException(Kind.INVALID_INPUT, "model_unreadable", "cannot read " + source + ": " + e.getMessage());
    }
    ModelProto fixed = withMetadata(g.toModel(), applied, sha);
    Path tmp = null;
    try {
      Files.createDirectories(out.getParent());
      tmp = Files.createTempFile(out.getParent(), "." + out.getFileName() + ".", ".tmp");
      try {
        // createTempFile makes the file owner-only; the fixed model is an ordinary output file
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
      } catch (UnsupportedOperationException notPosix) {
        // other file systems keep their defaults
      }
      ModelFiles.write(fixed, tmp);
      CompatibilityReport after = checker.check(OnnxModelReader.read(tmp), req.releases());
      EquivalenceCheck.Outcome eq = EquivalenceCheck.run(source, tmp, runtimeInputs(fixed), req);
      List<FixReport.PassResult> passes = new ArrayList<>();
      for (FixPass p : pipeline.passes()) {
        passes.add(new FixReport.PassResult(p.name(), p.reason(), applied.contains(p.name()),
            removedBy.getOrDefault(p.name(), List.of())));
      }
      List<FixReport.ReleaseChange> changes = changes(before, after);
      String status;
      String refusal = null;
      String output = null;
      if (!eq.passed()) {
        status = "refused";
        refusal = eq.reason() + " (passes applied: " + String.join(", ", applied) + ")";
      } else {
        status = applied.isEmpty() ? "unchanged" : "fixed";
        moveIntoPlace(tmp, out);
        tmp = null;
        output = out.toString();
      }
      return new FixReport(source.toString(), output, sha, toolVersion, status, refusal, eq.proven() && eq.passed(),
          eq.proven() ? null : eq.reason(), applied, passes, changes, VerdictSummary.lines(changes), eq.details(),
          List.copyOf(ctx.notes));
    } catch (IOException e) {
      throw new UserFacingException(Kind.UNAVAILABLE, "output_not_written",
          "cannot write " + out + ": " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort: the file is hidden and named after the output
        }
      }
    }
  }

  /** Graph inputs that are not initializers: what a run of the model must be fed. */
  private static List<String> runtimeInputs(ModelProto m) {
    Set<String> inits = new HashSet<>();
    m.getGraph().getInitializerList().forEach(t -> inits.add(t.getName()));
    return m.getGraph().getInputList().stream().map(v -> v.getName()).filter(n -> !inits.contains(n)).toList();
  }

  private static void moveIntoPlace(Path tmp, Path out) throws IOException {
    try {
      Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private ModelProto withMetadata(ModelProto m, List<String> applied, String sha) {
    ModelProto.Builder b = m.toBuilder().clearMetadataProps();
    Set<String> ours = Set.of(META_PASSES, META_SOURCE, META_VERSION);
    for (StringStringEntryProto e : m.getMetadataPropsList()) {
      if (!ours.contains(e.getKey())) {
        b.addMetadataProps(e);
      }
    }
    b.addMetadataProps(entry(META_PASSES, String.join(",", applied)));
    b.addMetadataProps(entry(META_SOURCE, sha));
    b.addMetadataProps(entry(META_VERSION, toolVersion));
    return b.build();
  }

  private static StringStringEntryProto entry(String k, String v) {
    return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
  }

  /** The graph as the checker's model, without writing it (payloads stay aliased). */
  static OnnxModel inMemory(FixGraph g, Path source) {
    ModelProto m = g.toModel();
    Map<String, Long> opsets = new LinkedHashMap<>();
    for (OperatorSetIdProto o : m.getOpsetImportList()) {
      opsets.put(o.getDomain().isEmpty() ? OnnxModel.DEFAULT_DOMAIN : o.getDomain(), o.getVersion());
    }
    Map<String, String> meta = new LinkedHashMap<>();
    m.getMetadataPropsList().forEach(e -> meta.put(e.getKey(), e.getValue()));
    List<String> externals = new ArrayList<>();
    for (TensorProto t : m.getGraph().getInitializerList()) {
      if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
        t.getExternalDataList().stream().filter(e -> e.getKey().equals("location"))
            .forEach(e -> externals.add(e.getValue()));
      }
    }
    return new OnnxModel(source, 0, m.getIrVersion(), m.getProducerName(), m.getProducerVersion(), m.getDomain(),
        m.getModelVersion(), opsets, meta, OnnxGraph.of(m.getGraph()), m.getFunctionsList(),
        externals.stream().distinct().toList());
  }

  /** Finding "rule at where" to the releases reporting it; info findings are not tracked. */
  private static Map<String, Set<String>> findingKeys(CompatibilityReport r) {
    Map<String, Set<String>> keys = new LinkedHashMap<>();
    for (ReleaseResult rr : r.results()) {
      for (Finding f : rr.findings()) {
        if (f.severity() == Severity.INFO) {
          continue;
        }
        String where = f.node() == null ? "model" : "node " + f.path() + " (" + f.op() + ")";
        keys.computeIfAbsent(f.rule() + " at " + where, k -> new LinkedHashSet<>()).add(rr.tensorrt());
      }
    }
    return keys;
  }

  private static List<FixReport.ReleaseChange> changes(CompatibilityReport before, CompatibilityReport after) {
    List<FixReport.ReleaseChange> out = new ArrayList<>();
    for (int i = 0; i < before.results().size(); i++) {
      ReleaseResult b = before.results().get(i);
      ReleaseResult a = after.results().get(i);
      List<String> remaining = a.findings().stream()
          .filter(f -> f.severity() == Severity.ERROR || f.unknownFact())
          .map(f -> (f.node() == null ? "model" : "node " + f.nodeIndex() + " " + f.op()) + ": " + f.message())
          .distinct().toList();
      out.add(new FixReport.ReleaseChange(b.tensorrt(), b.verdict().json(), a.verdict().json(), remaining));
    }
    return out;
  }
}
