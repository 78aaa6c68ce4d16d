package dev.trtcompat.quantize;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.OrtTensors;
import dev.trtcompat.reference.ReferenceRunException;
import dev.trtcompat.reference.ReferenceRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * An ONNX Runtime CPU session over an in-memory model: the model is written to a private temporary folder (so
 * that large weights can go to external data) and opened by path; closing removes the folder.
 */
final class OrtModelSession implements AutoCloseable {

  private final OrtEnvironment env;
  private final OrtSession.SessionOptions options;
  private final OrtSession session;
  private final Path dir;
  private final String label;

  OrtModelSession(ModelProto model, String label, int threads) {
    this(model, label, threads, true);
  }

  /**
   * @param spinning whether ONNX Runtime's intra-op threads busy-wait for work after a run (its default); off where
   *     the caller's own threads use the cores between runs, so the spinning would compete with them
   */
  OrtModelSession(ModelProto model, String label, int threads, boolean spinning) {
    this(model, label, threads, spinning, false);
  }

  /**
   * @param optimized whether {@code model} is already ONNX Runtime's optimized form of a model
   *     ({@link #optimizedForm}): it is then run as it is, without graph optimizations
   */
  OrtModelSession(ModelProto model, String label, int threads, boolean spinning, boolean optimized) {
    this.label = label;
    this.env = ReferenceRunner.environment();
    Path d = null;
    OrtSession.SessionOptions o = null;
    try {
      d = Files.createTempDirectory("trt-compat-ort-");
      Path file = d.resolve("model.onnx");
      ModelFiles.writeAtomically(model, file);
      o = ReferenceRunner.sessionOptions(threads);
      if (!spinning) {
        o.addConfigEntry("session.intra_op.allow_spinning", "0");
      }
      if (optimized) {
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
      }
      this.session = env.createSession(file.toString(), o);
    } catch (OrtException e) {
      closeQuietly(o);
      deleteTree(d);
      throw new ReferenceRunException(
          Kind.INVALID_INPUT, "onnxruntime_cannot_load", "ONNX Runtime cannot load " + label + ": " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      closeQuietly(o);
      deleteTree(d);
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new ReferenceRunException(Kind.UNAVAILABLE, "temp_unavailable", "cannot write a temporary model: " + e.getMessage(), e);
    }
    this.options = o;
    this.dir = d;
  }

  /**
   * ONNX Runtime's optimized form of {@code model} on this machine (fused and, on x86, blocked-layout operators of
   * its own domains), as it saves it; a model ONNX Runtime cannot load is the caller's {@code ReferenceRunException}.
   * Meant for a session opened with {@code optimized} on the same machine and ONNX Runtime version.
   */
  static ModelProto optimizedForm(ModelProto model, String label, int threads) {
    Path d = null;
    try {
      d = Files.createTempDirectory("trt-compat-ort-");
      Path file = d.resolve("model.onnx");
      Path optimized = d.resolve("model.optimized.onnx");
      ModelFiles.writeAtomically(model, file);
      try (OrtSession.SessionOptions o = ReferenceRunner.sessionOptions(threads)) {
        o.setOptimizedModelFilePath(optimized.toString());
        o.addConfigEntry("session.disable_prepacking", "1"); // the session is only opened to save the optimized graph
        ReferenceRunner.environment().createSession(file.toString(), o).close();
      }
      return ModelFiles.load(optimized);
    } catch (OrtException e) {
      throw new ReferenceRunException(
          Kind.INVALID_INPUT, "onnxruntime_cannot_load", "ONNX Runtime cannot load " + label + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new ReferenceRunException(Kind.UNAVAILABLE, "temp_unavailable", "cannot write a temporary model: " + e.getMessage(), e);
    } finally {
      deleteTree(d);
    }
  }

  /**
   * Runs one sample and hands each requested output, still native, to {@code consumer}; the tensors are closed
   * afterwards.
   */
  void run(Map<String, HostTensor> inputs, Set<String> outputs, BiConsumer<String, OnnxValue> consumer) {
    try (OrtTensors.Inputs native_ = new OrtTensors.Inputs()) {
      for (HostTensor t : inputs.values()) {
        native_.put(t.name(), OrtTensors.toOrt(env, t));
      }
      try (OrtSession.Result result = outputs == null ? session.run(native_.asMap()) : session.run(native_.asMap(), outputs)) {
        for (Map.Entry<String, OnnxValue> e : result) {
          consumer.accept(e.getKey(), e.getValue());
        }
      }
    } catch (OrtException e) {
      throw new ReferenceRunException(
          Kind.INVALID_INPUT, "onnxruntime_run_failed", "ONNX Runtime could not run " + label + ": " + e.getMessage(), e);
    }
  }

  /**
   * Runs one sample with ONNX Runtime writing the outputs into {@code pinned}: tensors over the caller's direct
   * buffers, of the right shapes, reused from sample to sample (no output allocation, no copy to the heap). The
   * result does not own them; the caller closes them.
   */
  void runInto(Map<String, HostTensor> inputs, Map<String, OnnxTensor> pinned) {
    try (OrtTensors.Inputs native_ = new OrtTensors.Inputs()) {
      for (HostTensor t : inputs.values()) {
        native_.put(t.name(), OrtTensors.toOrt(env, t));
      }
      session.run(native_.asMap(), pinned).close();
    } catch (OrtException e) {
      throw new ReferenceRunException(
          Kind.INVALID_INPUT, "onnxruntime_run_failed", "ONNX Runtime could not run " + label + ": " + e.getMessage(), e);
    }
  }

  OrtEnvironment environment() {
    return env;
  }

  /** Runs one sample and copies every model output to the heap. */
  Map<String, HostTensor> run(Map<String, HostTensor> inputs) {
    Map<String, HostTensor> out = new java.util.LinkedHashMap<>();
    run(inputs, null, (name, v) -> out.put(name, OrtTensors.fromOrt(name, v)));
    return out;
  }

  Set<String> outputNames() {
    try {
      return session.getOutputNames();
    } catch (RuntimeException e) {
      return Set.of();
    }
  }

  static boolean isFloatTensor(OnnxValue v) {
    return v instanceof OnnxTensor t && t.getInfo().onnxType == ai.onnxruntime.TensorInfo.OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException ignored) {
      // closing a session that ran is not expected to fail; the folder is removed regardless
    }
    options.close();
    deleteTree(dir);
  }

  private static void closeQuietly(OrtSession.SessionOptions o) {
    if (o != null) {
      o.close();
    }
  }

  static void deleteTree(Path d) {
    if (d == null) {
      return;
    }
    try (Stream<Path> s = Files.walk(d)) {
      s.sorted(Comparator.reverseOrder()).forEach(ModelFiles::deleteQuietly);
    } catch (IOException ignored) {
      // best effort
    }
  }
}
