package dev.trtcompat.trtexec;

import dev.trtcompat.trtexec.TrtexecLog.FailingNode;
import dev.trtcompat.trtexec.TrtexecLog.Outcome;
import dev.trtcompat.trtexec.TrtexecLog.Timing;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The facts each fixture log states, transcribed from its INDEX.tsv row and checked by hand against the
 * log text. One entry per file; {@link TrtexecLogFixturesTest} fails when a file has none.
 */
final class LogFixtures {

  static final String DIR = "/trtexec-logs/";

  /**
   * @param warnings kind -> a fragment of a warning message of that kind that must be present
   * @param errors fragments that must each appear in some error line
   */
  record Expected(
      String file,
      String version,
      Outcome outcome,
      String mode,
      FailingNode node,
      List<String> errors,
      Map<String, String> warnings,
      Double buildTimeSeconds,
      Long engineBytes,
      Double throughputQps,
      Timing latency,
      Timing gpuCompute,
      Double h2dMean,
      Double d2hMean,
      String gpuName,
      String computeCapability,
      String precision,
      Boolean comparisonPassed,
      List<String> failedOutputs) {

    @Override
    public String toString() {
      return file;
    }
  }

  private static final Map<String, Expected> ALL = new LinkedHashMap<>();

  private static Timing t(Double min, Double mean, Double median, Double p90, Double p95, Double p99, Double max) {
    return new Timing(min, mean, median, p90, p95, p99, max);
  }

  private static Map<String, String> w(String... kindAndFragment) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kindAndFragment.length; i += 2) {
      m.put(kindAndFragment[i], kindAndFragment[i + 1]);
    }
    return m;
  }

  private static void add(Expected e) {
    ALL.put(e.file(), e);
  }

  static {
    add(new Expected("trt10.16-fp32-success.log", "10.16.1", Outcome.SUCCESS, "build_and_inference", null, List.of(),
        w("int64_binding", "Make sure output z has Int64 binding",
            "dynamic_shape_override", "Automatically overriding shape to: 1x1x28x28",
            "gpu_compute_unstable", "coefficient of variance = 6.58751%"),
        8.09138, 13_185_214L /* 12.5744 MiB */, 15374.3,
        t(0.0410156, 0.0441053, 0.0440674, 0.0450439, 0.0458984, 0.0512695, 0.14917),
        t(0.0331421, 0.0359588, 0.0361328, 0.0368652, 0.0371094, 0.041748, 0.140381),
        0.00395853, 0.00418773, "NVIDIA H100 PCIe", "9.0", "FP32", null, null));
    add(new Expected("trt10.14-fp16-build-only-verbose-success.log", "10.14.1", Outcome.SUCCESS, "build_only", null,
        List.of(),
        w("deprecated_flag", "Weakly-typed networks have been deprecated",
            "int64_binding", "Make sure output z has Int64 binding"),
        13.8436, 6_684_357L /* 6.3747 MiB */, null, null, null, null, null,
        "NVIDIA RTX 6000 Ada Generation", "8.9", "FP32+FP16", null, null));
    add(new Expected("trt10.14-fp16-loadengine-cudagraph-verbose-success.log", "10.14.1", Outcome.SUCCESS,
        "inference_only", null, List.of(),
        w("gpu_compute_unstable", "coefficient of variance = 80.1687%"),
        null, 6L * 1048576, 30518.1,
        t(0.0285645, 0.0314152, 0.029541, 0.0297852, 0.0297852, 0.0656738, 1.43262),
        t(0.0285645, 0.0314152, 0.029541, 0.0297852, 0.0297852, 0.0656738, 1.43262),
        0.0, 0.0, "NVIDIA RTX 6000 Ada Generation", "8.9", null, null, null));
    add(new Expected("trt8.5-fp16-plugin-int64warn-success.log", "8.5.2", Outcome.SUCCESS, "build_and_inference", null,
        List.of(),
        w("deprecated_flag", "--workspace flag has been deprecated by --memPoolSize flag",
            "int64_cast_down", "Attempting to cast down to INT32",
            "plugin_fallback", "No importer registered for op: EfficientNMSCustom_TRT"),
        351.008, 8L * 1048576, 196.933,
        t(9.57434, 9.77405, 9.76929, 9.82129, 9.8645, 9.89069, 9.91241),
        t(4.76367, 4.9113, 4.9054, 4.94385, 5.00531, 5.02271, 5.03192),
        1.63357, 3.22918, "NVIDIA GeForce RTX 3090", "8.6", "FP32+FP16", null, null));
    add(new Expected("trt8.4-fp16-verbose-success.log", "8.4.1", Outcome.SUCCESS, "build_and_inference", null,
        List.of(), w(),
        3.05461, 12L * 1048576, 6106.55,
        t(0.158203, 0.169435, 0.161621, null, null, 0.433105, 1.80566),
        t(0.152466, 0.16247, 0.154663, null, null, 0.427002, 1.80005),
        0.00456482, 0.00241382, "NVIDIA GeForce GTX 1070", "6.1", "FP32+FP16", null, null));
    add(new Expected("trt8.0-fp32-dynamic-verbose-success.log", "8.0.3", Outcome.SUCCESS, "build_and_inference", null,
        List.of(), w(),
        4.66332, 12_000_000L, 6168.97,
        t(0.155518, 0.159274, 0.158691, null, null, 0.165344, 0.44165),
        t(0.149414, 0.152784, 0.152588, null, null, 0.157715, 0.429199),
        0.00408445, 0.00240923, "NVIDIA GeForce GTX 1070", "6.1", "FP32", null, null));
    add(new Expected("trt7.1-int8-caffe-success.log", null, Outcome.SUCCESS, "build_and_inference", null,
        List.of(), w(),
        null, null, 18.0758,
        t(55.1414, 55.3094, 55.2737, null, null, 57.542, 57.542),
        t(55.0791, 55.2468, 55.2111, null, null, 57.4766, 57.4766),
        null, null, null, null, "FP32+INT8", null, null));
    add(new Expected("trt7.1-fp16-caffe-success.log", null, Outcome.SUCCESS, "build_and_inference", null,
        List.of(), w(),
        null, null, 37.0368,
        t(26.8054, 26.9861, 26.9689, null, null, 27.1187, 29.0007),
        t(26.7439, 26.925, 26.9075, null, null, 27.0562, 28.9368),
        null, null, null, null, "FP32+FP16", null, null));
    add(new Expected("polygraphy-trt10.16-onnxrt-vs-trt-pass.log", "10.16.2.5", Outcome.SUCCESS, null, null,
        List.of(),
        w("int64_binding", "Make sure output z has Int64 binding",
            "deprecated_flag", "profileSharing0806"),
        1.39, null, null, null, null, null, null, null, null, null, true, List.of()));
    add(new Expected("polygraphy-onnxrt-vs-trt-fp16-vit-fail-tail.log", null, Outcome.ACCURACY_FAILURE, null, null,
        List.of("FAILED | Output: '1265' | Difference exceeds tolerance (rel=1e-05, abs=1e-05)",
            "Mismatched outputs: ['1265']"),
        w(), null, null, null, null, null, null, null, null, null, null, false, List.of("1265")));
    add(new Expected("polygraphy-2021-trt-fp16-vs-onnxrt-yolov3tiny-fail.log", null, Outcome.ACCURACY_FAILURE, null,
        null, List.of("Difference exceeds tolerance (rtol=1e-05, atol=1e-05)"),
        w(), null, null, null, null, null, null, null, null, null, null, false, List.of("016_convolutional")));
    add(new Expected("trt8.2-int8-qdq-qat-mobilenetv2-success.log", "8.2.5", Outcome.SUCCESS, "build_and_inference",
        null, List.of(),
        w("explicit_quantization", "Calibrator won't be used in explicit precision mode",
            "int64_cast_down", "Attempting to cast down to INT32",
            "gpu_compute_unstable", "Throughput may be bound by Enqueue Time"),
        25.2523, 2L * 1048576, 324.544,
        t(4.63513, 4.69772, 4.68481, null, null, 4.86353, 5.62218),
        t(1.578, 1.61667, 1.61377, null, null, 1.69678, 2.49139),
        3.06713, 0.0139259, "NVIDIA Graphics Device", "8.0", "FP32+INT8", null, null));
    add(new Expected("trt8.2-int8-qdq-ptq-mobilenetv2-success.log", "8.2.5", Outcome.SUCCESS, "build_and_inference",
        null, List.of(),
        w("explicit_quantization", "Calibrator won't be used in explicit precision mode",
            "int64_cast_down", "Attempting to cast down to INT32",
            "gpu_compute_unstable", "Throughput may be bound by host-to-device transfers"),
        24.535, 2L * 1048576, 321.422,
        t(4.61383, 4.71056, 4.71863, null, null, 4.80322, 5.11646),
        t(1.56671, 1.59911, 1.59741, null, null, 1.63635, 1.6599),
        3.09767, 0.0137833, "NVIDIA Graphics Device", "8.0", "FP32+INT8", null, null));
    add(new Expected("trt8.x-int8-qdq-build-failure-outscales-excerpt.log", null, Outcome.BUILD_FAILURE, null, null,
        List.of("Assertion outScales.size() == 1 failed", "Engine could not be created from network",
            "Engine set up failed"),
        w("explicit_quantization", "Calibrator won't be used in explicit precision mode"),
        null, null, null, null, null, null, null, null, null, null, null, null));
    add(new Expected("trt7.x-qdq-zero-point-not-initializer-parse-failure.log", null, Outcome.PARSE_FAILURE, null,
        new FailingNode(9, "QuantizeLinear", null, null),
        List.of("Assertion failed: inputs.at(2).is_weights()", "Failed to parse onnx file", "Parsing model failed",
            "Engine set up failed"),
        w(), null, null, null, null, null, null, null, null, null, null, null, null));
    add(new Expected("trt8.x-nonzero-unsupported-plugin-not-found.log", null, Outcome.PARSE_FAILURE, null,
        new FailingNode(84, "NonZero", "NonZero_559", "onnx::Transpose_634"),
        List.of("Assertion failed: creator && \"Plugin not found, are the plugin name, version, and namespace correct?\"",
            "Failed to parse onnx file", "Parsing model failed", "Failed to create engine from model or file.",
            "Engine set up failed"),
        w("plugin_fallback", "No importer registered for op: NonZero. Attempting to import as plugin."),
        null, null, null, null, null, null, null, null, null, null, null, null));
    add(new Expected("trt10.x-grid_sampler-plugin-not-found-parse-failure.log", null, Outcome.PARSE_FAILURE, null,
        new FailingNode(8539, "grid_sampler", "grid_sampler_8539", "onnx::Unsqueeze_10031"),
        List.of("IPluginRegistry::getCreator: Error Code 4: API Usage Error (Cannot find plugin: grid_sampler, version: 1, namespace:.)"),
        w("plugin_fallback", "No checker registered for op: grid_sampler"),
        null, null, null, null, null, null, null, null, null, null, null, null));
    add(new Expected("trt7.1-resize-nearest-verbose-parse-failure.log", null, Outcome.PARSE_FAILURE, null,
        new FailingNode(347, "Resize", "Resize__366", "Resize__366:0"),
        List.of(), w(), null, null, null, null, null, null, null, null, null, null, null, null));
    add(new Expected("trt7.0-resize-scales-not-initializer.log", null, Outcome.PARSE_FAILURE, null,
        new FailingNode(209, "Resize", null, null),
        List.of("Assertion failed: scales.is_weights() && \"Resize scales must be an initializer!\""),
        w(), null, null, null, null, null, null, null, null, null, null, null, null));
    add(new Expected("trt6.0-ir-version-newer-parse-failure.log", "6.0.1.5", Outcome.PARSE_FAILURE, null,
        new FailingNode(1, "BatchNormalization", null, null),
        List.of("Assertion failed: tensors.count(input_name)", "Failed to parse onnx file", "Parsing model failed",
            "Engine could not be created"),
        w("ir_version_newer", "ONNX model has a newer ir_version (0.0.7) than this parser was built against (0.0.3)."),
        null, null, null, null, null, null, null, null, null, null, null, null));
    add(new Expected("trt6.0-batchnorm-parse-failure-month00.log", null, Outcome.PARSE_FAILURE, null,
        new FailingNode(1, "BatchNormalization", null, null),
        List.of("(Unnamed Layer* 0) [Convolution]: at least 4 dimensions are required for input",
            "Assertion failed: scale_weights.shape == weights_shape", "Engine could not be created"),
        w(), null, null, null, null, null, null, null, null, null, null, null, null));
    add(new Expected("trt7.x-jetson-dynamic-shape-no-optimization-profile.log", null, Outcome.BUILD_FAILURE, null,
        null,
        List.of("Network has dynamic or shape inputs, but no optimization profile has been defined.",
            "Network validation failed.", "Engine creation failed", "Engine set up failed"),
        w("int64_cast_down", "Attempting to cast down to INT32",
            "other", "Tensor DataType is determined at build time"),
        null, null, null, null, null, null, null, null, null, null, null, null));
    add(new Expected("trt7.x-onnx-host-latency-summary-throughput0-excerpt.log", null, Outcome.SUCCESS,
        "build_and_inference", null, List.of(), w(),
        null, null, 0.0,
        t(1.64058, 1.66069, 1.65601, null, null, 1.67065, 6.2915),
        null, null, null, null, null, null, null, null));
  }

  static List<Expected> all() {
    return new ArrayList<>(ALL.values());
  }

  static Expected get(String file) {
    return ALL.get(file);
  }

  /** File names listed in the copied INDEX.tsv (first column, header skipped). */
  static List<String> indexedFiles() {
    String index = read("INDEX.tsv");
    List<String> files = new ArrayList<>();
    for (String line : index.split("\n")) {
      if (line.isBlank() || line.startsWith("file\t")) {
        continue;
      }
      files.add(line.substring(0, line.indexOf('\t')));
    }
    return files;
  }

  static String read(String file) {
    try (InputStream in = LogFixtures.class.getResourceAsStream(DIR + file)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + DIR + file);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final Map<String, TrtexecLog> PARSED = new java.util.concurrent.ConcurrentHashMap<>();

  /** Parsed once per test run: records are immutable, and the verbose fixtures run to thousands of lines. */
  static TrtexecLog parse(String file) {
    return PARSED.computeIfAbsent(file, LogFixtures::parseNow);
  }

  private static TrtexecLog parseNow(String file) {
    try (InputStream in = LogFixtures.class.getResourceAsStream(DIR + file)) {
      return TrtexecLog.parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private LogFixtures() {}
}
