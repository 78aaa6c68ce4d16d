package dev.trtcompat.jobs;

/** The precision a TensorRT engine is built for (trtexec {@code --fp16}, {@code --int8}, {@code --best}). */
public enum Precision {
  FP32,
  FP16,
  INT8,
  BEST
}
