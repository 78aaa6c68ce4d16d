package dev.trtcompat.trtexec;

import java.util.regex.Pattern;

/**
 * Warning groups with a known meaning for a conversion. Each pattern is matched against the message with
 * its stamps, tags and source location removed; the first match wins.
 */
enum WarningKind {
  /** TensorRT before 10 stores INT64 weights as INT32 (onnx2trt_utils.cpp). */
  INT64_CAST_DOWN("int64_cast_down", "generated with INT64 weights|cast down to INT32|cast down to int32"),
  /** TensorRT 10 keeps INT64 outputs and asks the caller to bind them as INT64 (ModelImporter.cpp). */
  INT64_BINDING("int64_binding", "has Int64 binding"),
  DEPRECATED_FLAG(
      "deprecated_flag",
      "flag has been deprecated|has been deprecated by --|is deprecated and has no effect|"
          + "This flag is deprecated|Weakly-typed networks have been deprecated"),
  DYNAMIC_SHAPE_OVERRIDE("dynamic_shape_override", "Dynamic dimensions required for input|Automatically overriding shape"),
  GPU_COMPUTE_UNSTABLE("gpu_compute_unstable", "GPU compute time is unstable|Throughput may be bound by"),
  IR_VERSION_NEWER("ir_version_newer", "newer ir_version|newer IR version|opset .* newer than"),
  /** An op without a built-in importer was handed to the plugin registry (an info line, promoted). */
  PLUGIN_FALLBACK("plugin_fallback", "No importer registered for op|No checker registered for op|Attempting to import as plugin"),
  FP16_WEIGHTS_CONVERSION(
      "fp16_weights_conversion",
      "subnormal FP16|converting weights between types|weights are affected by this issue|"
          + "outside of FP16 range|clamped|Check verbose logs for the list of affected weights|"
          + "modify the weights or retrain"),
  TIMING_CACHE("timing_cache", "Could not read cache from|timing cache"),
  /** A calibrator met Q/DQ layers: TensorRT builds from the model's scales (see {@code QdqEvidence}). */
  EXPLICIT_QUANTIZATION("explicit_quantization", "Calibrator won't be used in explicit"),
  INSUFFICIENT_WORKSPACE("insufficient_workspace", "insufficient memory on requested size|sufficient workspace memory"),
  OTHER("other", null);

  private final String wire;
  private final Pattern pattern;

  WarningKind(String wire, String regex) {
    this.wire = wire;
    this.pattern = regex == null ? null : Pattern.compile(regex, Pattern.CASE_INSENSITIVE);
  }

  String wire() {
    return wire;
  }

  static WarningKind classify(String message) {
    for (WarningKind k : values()) {
      if (k.pattern != null && k.pattern.matcher(message).find()) {
        return k;
      }
    }
    return OTHER;
  }
}
