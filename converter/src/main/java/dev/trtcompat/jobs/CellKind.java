package dev.trtcompat.jobs;

/** What a cell measures. */
public enum CellKind {
  /** trtexec converts the model with one TensorRT release and precision inside its container. */
  TRT_CONVERSION,
  /** ONNX Runtime runs the model on the CPU to give reference outputs and timings (no release, no precision). */
  ORT_REFERENCE,
  /**
   * The model is quantized to INT8 Q/DQ on ONNX Runtime (calibration, rewrite, held-out accuracy); the result is a
   * model of its own (no release, no precision).
   */
  QUANTIZE,
  /**
   * The model is converted to FP16 / mixed precision on ONNX Runtime (statistics, FP32 keep list, rewrite, held-out
   * accuracy); the result is a model of its own (no release, no precision).
   */
  FP16,
  /**
   * The fixer rewrites the model for target releases and proves the outputs unchanged with ONNX Runtime; the fixed
   * model is stored as a model of its own (no release, no precision).
   */
  FIX
}
