package dev.trtcompat.fix;

import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.check.CompatibilityReport;
import dev.trtcompat.check.Finding;
import dev.trtcompat.check.ReleaseResult;
import dev.trtcompat.check.Severity;
import dev.trtcompat.concurrent.Futures;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The whole {@code fix}: read and check the original, run the passes (attributing removed findings to each),
 * write the result into a staging folder beside the output (with external data when it would exceed 2 GiB or the
 * input had external data), check it, prove it equivalent with ONNX Runtime, and only then move it into place. On
 * refusal or any error the staging folder is removed and no output appears. ONNX Runtime's run of the original and
 * the source's SHA-256 run on helper threads while the passes work.
 */
public final class ModelFixer {

  public static final String META_PASSES = "trt-compat.fix.passes";
  public static final String META_SOURCE = "trt-compat.fix.source_sha256";
  public static final String META_VERSION = "trt-compat.fix.version";

  /** Threads for the work that runs beside the passes (hashing, ONNX Runtime's run of the original). */
  private static final ExecutorService BACKGROUND = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fix-background");
    t.setDaemon(true);
    return t;
  });

  private final CompatibilityChecker checker;
  private final String toolVersion;
  private final long externalAbove;

  public ModelFixer(CompatibilityChecker checker, String toolVersion) {
    this(checker, toolVersion, ModelFiles.PROTOBUF_LIMIT);
  }

  private ModelFixer(CompatibilityChecker checker, String toolVersion, long externalAbove) {
    this.checker = checker;
    this.toolVersion = toolVersion;
    this.externalAbove = externalAbove;
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

  /**
   * The same fixer writing external data already when the fixed model would exceed {@code bytes} (tests force it
   * on small models; the default is protobuf's 2 GiB limit, which cannot be raised).
   */
  ModelFixer withExternalDataAbove(long bytes) {
    return new ModelFixer(checker, toolVersion, Math.min(bytes, ModelFiles.PROTOBUF_LIMIT));
  }

  public FixReport fix(FixRequest req) {
    FixPipeline pipeline = FixPipeline.of(req.passes());
    Path source = req.model().toAbsolutePath().normalize();
    Path out = req.out().toAbsolutePath().normalize();
    if (source.equals(out)) {
      throw new UserFacingException(Kind.BAD_REQUEST, "output_is_input",
          "--out names the input model; write the fixed model to another file");
    }
    Phase.done("started");
    OnnxModel original = OnnxModelReader.read(source);
    Phase.done("read (skimmed)");
    Path dataOut = out.resolveSibling(StagedOutput.dataName(out));
    for (String f : original.externalDataFiles()) {
      if (source.getParent().resolve(f).normalize().equals(dataOut)) {
        throw new UserFacingException(Kind.BAD_REQUEST, "output_overwrites_input",
            "the fixed model's weights would go to " + dataOut.getFileName() + ", which holds the input's weights;"
                + " choose another --out name or folder");
      }
    }
    CompatibilityReport before = checker.check(original, req.releases());
    List<String> releases = before.results().stream().map(ReleaseResult::tensorrt).toList();
    Set<String> unsupported = new LinkedHashSet<>();
    before.results().forEach(r -> r.findings().stream().filter(f -> f.rule().equals("op.unsupported"))
        .forEach(f -> unsupported.add(f.op())));

    Phase.done("checked before");
    ModelProto proto = ModelFiles.read(source);
    Phase.done("read for rewriting (mapped)");
    if (ExternalDataWriter.anyNestedExternal(proto) && !source.getParent().equals(out.getParent())) {
      throw new UserFacingException(Kind.BAD_REQUEST, "external_data_elsewhere",
          "the model keeps tensors of subgraphs or Constant nodes in external files " + original.externalDataFiles()
              + "; fix copies only the main graph's initializers, so write --out into the model's folder");
    }
    FixGraph g = new FixGraph(proto);
    ShapesPass.validate(g, req.shapes());
    // The two slow reads of the source run beside the passes: its SHA-256 and ONNX Runtime's run of it.
    CompletableFuture<String> sha = CompletableFuture.supplyAsync(() -> sha256(source), BACKGROUND);
    // Closed in reverse: the original's ONNX Runtime run ends before the staging folder (its view) is removed.
    try (StagedOutput staged = StagedOutput.beside(out);
        EquivalenceCheck.Reference reference = EquivalenceCheck.start(
            RuntimeView.of(source, original, proto, staged.proofFolder("original")), req, BACKGROUND)) {
      return fix(req, pipeline, source, out, original, before, releases, unsupported, g, sha, reference, staged);
    } catch (IOException e) {
      throw notWritten(out, e);
    } finally {
      sha.cancel(false);
    }
  }

  private static UserFacingException notWritten(Path out, IOException e) {
    return new UserFacingException(Kind.UNAVAILABLE, "output_not_written",
        "cannot write " + out + ": " + e.getMessage(), e);
  }

  private FixReport fix(FixRequest req, FixPipeline pipeline, Path source, Path out, OnnxModel original,
      CompatibilityReport before, List<String> releases, Set<String> unsupported, FixGraph g,
      CompletableFuture<String> shaOfSource, EquivalenceCheck.Reference reference, StagedOutput staged) {
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

    Phase.done("passes, each followed by a check");
    String sha = Futures.join(shaOfSource);
    Phase.done("source hashed (waited for)");
    ModelProto fixed = withMetadata(g.toModel(), applied, sha);
    boolean external = !original.externalDataFiles().isEmpty() || ModelFiles.serializedSize(fixed) > externalAbove;
    try {
      ModelProto written = staged.write(fixed, source.getParent(), external);
      Phase.done("written and forced");
      OnnxModel stagedModel = OnnxModelReader.read(staged.model());
      CompatibilityReport after = checker.check(stagedModel, req.releases());
      Phase.done("checked after");
      Path fixedView = RuntimeView.of(staged.model(), stagedModel, written, staged.proofFolder("fixed"));
      EquivalenceCheck.Outcome eq = reference.compare(fixedView, runtimeInputs(fixed));
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
        staged.commit();
        Phase.done("moved into place");
        output = out.toString();
      }
      List<String> notes = new ArrayList<>(ctx.notes);
      if (staged.hasExternalData() && output != null) {
        notes.add("weights written as external data to " + StagedOutput.dataName(out) + " beside the model"
            + (original.externalDataFiles().isEmpty() ? " (the model is over 2 GiB)" : " (the input used external data)"));
      }
      return new FixReport(source.toString(), output, sha, toolVersion, status, refusal, eq.proven() && eq.passed(),
          eq.proven() ? null : eq.reason(), applied, passes, changes, VerdictSummary.lines(changes), eq.details(),
          List.copyOf(notes));
    } catch (IOException e) {
      throw notWritten(out, e);
    }
  }

  private static String sha256(Path source) {
    try {
      return ModelFiles.sha256(source);
    } catch (IOException e) {
      throw new UserFacingException(Kind.INVALID_INPUT, "model_unreadable", "cannot read " + source + ": " + e.getMessage());
    }
  }

  /** Graph inputs that are not initializers: what a run of the model must be fed. */
  private static Map<String, Integer> runtimeInputs(ModelProto m) {
    Set<String> inits = new HashSet<>();
    m.getGraph().getInitializerList().forEach(t -> inits.add(t.getName()));
    Map<String, Integer> out = new LinkedHashMap<>();
    m.getGraph().getInputList().stream().filter(v -> !inits.contains(v.getName()))
        .forEach(v -> out.put(v.getName(), v.getType().getTensorType().getElemType()));
    return out;
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
