package dev.trtcompat.reference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.json.Json;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.OnnxModelReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a model on ONNX Runtime's CPU execution provider in this process: builds inputs from the session's
 * metadata (or takes them as given), warms up, times N runs and keeps the last run's outputs as the reference
 * that TensorRT engines are compared against.
 *
 * <p>Every native object (environment, session options, session, input tensors, results) is closed by
 * try-with-resources on every path, so a long-lived service can run models indefinitely; failures come back
 * as {@link UserFacingException}s carrying ONNX Runtime's message.
 */
public final class ReferenceRunner {

  /** Answers the ONNX Runtime version bundled with this build, without loading a model. */
  public static String onnxruntimeVersion() {
    try (OrtEnvironment env = environment()) {
      return env.getVersion();
    }
  }

  /** Input and output names of a model in graph order, as ONNX Runtime sees them (initializers excluded). */
  public record ModelSignature(List<String> inputs, List<String> outputs) {
    public ModelSignature {
      inputs = List.copyOf(inputs);
      outputs = List.copyOf(outputs);
    }
  }

  public ModelSignature signature(Path model) {
    requireFile(model);
    try (OrtEnvironment env = environment();
        OrtSession.SessionOptions options = sessionOptions(1);
        OrtSession session = open(env, model, options)) {
      return new ModelSignature(
          new ArrayList<>(session.getInputInfo().keySet()), new ArrayList<>(session.getOutputInfo().keySet()));
    } catch (OrtException e) {
      throw failure("onnxruntime_cannot_describe", "ONNX Runtime's Java API cannot describe the inputs and outputs of " + name(model), e);
    }
  }

  /**
   * The model must exist, and before ONNX Runtime opens it our own reader checks it: ONNX Runtime follows
   * external-data locations as written, so a location that is absolute or climbs out of the model's folder is
   * refused here ({@code UnsafeModelPathException}) instead of being read by the native library.
   */
  private static void requireFile(Path model) {
    if (!Files.isRegularFile(model)) {
      throw new UserFacingException(Kind.NOT_FOUND, "model_not_found", "no model file at " + model);
    }
    OnnxModelReader.read(model);
  }

  public ReferenceResult run(ReferenceRequest request) {
    Path model = request.model();
    requireFile(model);
    // The environment is a process-wide singleton whose close() is a no-op in the Java API; closing it here
    // keeps the pattern uniform and stays correct should a later version reference-count it.
    try (OrtEnvironment env = environment();
        OrtSession.SessionOptions options = oneShot(sessionOptions(request.threads()), request);
        OrtSession session = open(env, model, options)) {
      return run(env, session, request);
    } catch (OrtException e) {
      // Loading and running translate their own failures; this covers metadata, tensor creation and close().
      throw failure("onnxruntime_failed", "ONNX Runtime failed on " + name(model), e);
    }
  }

  private ReferenceResult run(OrtEnvironment env, OrtSession session, ReferenceRequest request) throws OrtException {
    PreparedInputs prepared = prepareInputs(session, request);
    long[] latencies = new long[request.runs()];
    Map<String, HostTensor> outputs = new LinkedHashMap<>();
    try (OrtTensors.Inputs inputs = new OrtTensors.Inputs()) {
      for (HostTensor t : prepared.tensors().values()) {
        inputs.put(t.name(), OrtTensors.toOrt(env, t));
      }
      for (int i = 0; i < request.warmup(); i++) {
        try (OrtSession.Result ignored = runOnce(session, inputs, request.model())) {
          // Warm-up: allocator arenas and kernel caches settle before timing.
        }
      }
      for (int i = 0; i < request.runs(); i++) {
        long start = System.nanoTime();
        try (OrtSession.Result result = runOnce(session, inputs, request.model())) {
          latencies[i] = System.nanoTime() - start;
          if (i == request.runs() - 1) {
            for (Map.Entry<String, OnnxValue> e : result) {
              outputs.put(e.getKey(), OrtTensors.fromOrt(e.getKey(), e.getValue()));
            }
          }
        }
      }
    }
    return result(env.getVersion(), request, prepared, latencies, outputs);
  }

  private static OrtSession.Result runOnce(OrtSession session, OrtTensors.Inputs inputs, Path model) {
    try {
      return session.run(inputs.asMap());
    } catch (OrtException e) {
      throw failure("onnxruntime_run_failed", "ONNX Runtime loaded " + name(model) + " but could not run it", e);
    }
  }

  private ReferenceResult result(
      String version, ReferenceRequest request, PreparedInputs prepared, long[] latencies,
      Map<String, HostTensor> outputs) {
    long total = Arrays.stream(latencies).sum();
    double throughput = total == 0 ? 0 : request.runs() / (total / 1e9);
    ReferenceFiles files = null;
    try {
      if (request.outDir() != null) {
        files = new ReferenceFiles(request.outDir());
      }
      List<ReferenceResult.InputSummary> inputSummaries = new ArrayList<>();
      for (ReferenceResult.InputSummary s : prepared.summaries()) {
        String file = files == null ? null : files.write(ReferenceFiles.INPUTS, prepared.tensors().get(s.name()));
        inputSummaries.add(
            new ReferenceResult.InputSummary(s.name(), s.elemType(), s.shape(), s.source(), s.defaultedDims(), file));
      }
      List<ReferenceResult.OutputSummary> outputSummaries = new ArrayList<>();
      for (HostTensor t : outputs.values()) {
        TensorStats st = TensorStats.of(t);
        String file = files == null ? null : files.write(ReferenceFiles.OUTPUTS, t);
        outputSummaries.add(
            new ReferenceResult.OutputSummary(
                t.name(), t.type().name(), t.shape(), st.min(), st.max(), st.mean(), st.nanCount(), file));
      }
      ReferenceResult result =
          new ReferenceResult(
              version, request.threads(), request.runs(), ReferenceResult.LatencyMs.ofNanos(latencies), throughput,
              outputSummaries, request.warmup(), request.seed(), inputSummaries, prepared.notes(),
              files == null ? null : files.root().toString(), prepared.tensors(), outputs);
      if (files != null) {
        Json.pretty().writeValue(files.root().resolve(ReferenceFiles.RESULT).toFile(), result);
      }
      return result;
    } catch (IOException e) {
      throw new UserFacingException(
          Kind.UNAVAILABLE, "reference_not_written",
          "cannot write the reference under " + request.outDir() + ": " + e.getMessage(), e);
    }
  }

  /** Inputs in the session's order, their summaries and notes on defaults that were applied. */
  private record PreparedInputs(
      Map<String, HostTensor> tensors, List<ReferenceResult.InputSummary> summaries, List<String> notes) {}

  private static PreparedInputs prepareInputs(OrtSession session, ReferenceRequest request) throws OrtException {
    Map<String, NodeInfo> infos = session.getInputInfo();
    rejectUnknown(request.shapes().byName().keySet(), infos, "--shapes names");
    rejectUnknown(request.givenInputs().keySet(), infos, "given inputs name");
    Map<String, HostTensor> tensors = new LinkedHashMap<>();
    List<ReferenceResult.InputSummary> summaries = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    for (NodeInfo node : infos.values()) {
      String name = node.getName();
      if (!(node.getInfo() instanceof TensorInfo info)) {
        throw new UserFacingException(
            Kind.INVALID_INPUT, "unsupported_input",
            "input '" + name + "' is " + node.getInfo() + "; the reference runner feeds tensor inputs only");
      }
      ElementType type =
          OrtTensors.elementType(info)
              .filter(t -> OrtTensors.javaType(t).isPresent())
              .orElseThrow(
                  () -> new UserFacingException(
                      Kind.INVALID_INPUT, "unsupported_input_type",
                      "input '" + name + "' is " + OrtTensors.onnxName(info)
                          + ", which the reference runner cannot feed (float, double, float16, bool, int8/16/32/64"
                          + " and uint8 are supported)"));
      long[] declared = info.getShape();
      HostTensor given = request.givenInputs().get(name);
      if (given != null) {
        if (given.type() != type) {
          throw badInput(name, "the given tensor is " + given.type() + " but the model expects " + type);
        }
        checkAgainstDeclared(name, declared, given.shape());
        tensors.put(name, given.withName(name));
        summaries.add(new ReferenceResult.InputSummary(name, type.name(), given.shape(), "given", List.of(), null));
        continue;
      }
      long[] shape;
      List<String> defaulted = new ArrayList<>();
      var fixed = request.shapes().shapeOf(name);
      if (fixed.isPresent()) {
        shape = fixed.get();
        checkAgainstDeclared(name, declared, shape);
      } else {
        shape = declared.clone();
        String[] dimNames = info.getDimensionNames();
        for (int i = 0; i < shape.length; i++) {
          if (shape[i] < 0) {
            shape[i] = 1;
            String dimName = i < dimNames.length && !dimNames[i].isEmpty() ? dimNames[i] : "dim " + i;
            defaulted.add(dimName);
          }
        }
        if (!defaulted.isEmpty()) {
          notes.add(
              "input '" + name + "': dynamic dimension(s) " + String.join(", ", defaulted)
                  + " set to 1 (the default for dynamic dimensions); pass --shapes " + name + ":"
                  + InputShapes.formatDims(shape) + " or another shape to choose");
        }
      }
      tensors.put(name, RandomInputs.generate(name, type, shape, request.seed()));
      summaries.add(
          new ReferenceResult.InputSummary(
              name, type.name(), shape, RandomInputs.describe(type, request.seed()), defaulted, null));
    }
    return new PreparedInputs(tensors, summaries, notes);
  }

  private static void checkAgainstDeclared(String name, long[] declared, long[] shape) {
    if (declared.length != shape.length) {
      throw badInput(
          name, "shape " + InputShapes.formatDims(shape) + " has rank " + shape.length + " but the model declares rank "
              + declared.length + " (" + describeDeclared(declared) + ")");
    }
    for (int i = 0; i < declared.length; i++) {
      if (declared[i] >= 0 && declared[i] != shape[i]) {
        throw badInput(
            name, "shape " + InputShapes.formatDims(shape) + " differs from the model's fixed shape "
                + describeDeclared(declared) + " at dimension " + i);
      }
    }
  }

  private static String describeDeclared(long[] declared) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < declared.length; i++) {
      sb.append(i == 0 ? "" : "x").append(declared[i] < 0 ? "?" : Long.toString(declared[i]));
    }
    return declared.length == 0 ? "scalar" : sb.toString();
  }

  private static void rejectUnknown(java.util.Set<String> names, Map<String, NodeInfo> infos, String what) {
    for (String n : names) {
      if (!infos.containsKey(n)) {
        throw new UserFacingException(
            Kind.BAD_REQUEST, "unknown_input",
            what + " '" + n + "', which is not an input of the model; its inputs are " + infos.keySet());
      }
    }
  }

  private static UserFacingException badInput(String name, String why) {
    return new UserFacingException(Kind.BAD_REQUEST, "invalid_input_shape", "input '" + name + "': " + why);
  }

  /**
   * Logging at FATAL only: ONNX Runtime would otherwise print each load failure to stderr itself, next to the
   * one-line message we build from the same text.
   */
  public static OrtEnvironment environment() {
    OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
    OrtNativeFiles.removeExtracted(); // the libraries are mapped now: their extracted copies can go
    return env;
  }

  /**
   * Intra-op threads are set explicitly (ONNX Runtime's default is one per physical core, which would make
   * the reported figure depend on the machine); inter-op is 1 because execution is sequential.
   */
  public static OrtSession.SessionOptions sessionOptions(int threads) {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    try {
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
      return options;
    } catch (OrtException e) {
      options.close();
      throw failure("onnxruntime_options", "ONNX Runtime rejected the session options", e);
    }
  }

  /**
   * A single run (fix's equivalence proof) skips weight prepacking: ONNX Runtime copies every MatMul/Conv weight
   * into a kernel-friendly layout at load time, which pays off over many runs; for one run it only costs load time
   * and a second copy of the weights in memory (about a third of the CPU time of loading a 1.5 GB MatMul model,
   * docs/benchmarks.md). Both sides of a comparison use the same settings.
   */
  private static OrtSession.SessionOptions oneShot(OrtSession.SessionOptions options, ReferenceRequest request) {
    if (request.runs() + request.warmup() <= 1) {
      try {
        options.addConfigEntry("session.disable_prepacking", "1");
      } catch (OrtException e) {
        options.close();
        throw failure("onnxruntime_options", "ONNX Runtime rejected the session options", e);
      }
    }
    return options;
  }

  private static OrtSession open(OrtEnvironment env, Path model, OrtSession.SessionOptions options) {
    try {
      // A path, not bytes: ONNX Runtime then resolves external-data files relative to the model's folder.
      return env.createSession(model.toAbsolutePath().toString(), options);
    } catch (OrtException e) {
      throw failure("onnxruntime_cannot_load", "ONNX Runtime cannot load " + name(model), e);
    }
  }

  private static String name(Path model) {
    Path f = model.getFileName();
    return f == null ? model.toString() : f.toString();
  }

  private static ReferenceRunException failure(String error, String what, OrtException e) {
    return new ReferenceRunException(Kind.INVALID_INPUT, error, what + ": " + e.getMessage(), e);
  }
}
