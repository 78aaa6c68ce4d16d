package dev.trtcompat.accuracy;

/** The precision a TensorRT engine was built with, which sets how far its outputs may drift from FP32. */
public enum Precision {
  FP32,
  FP16,
  INT8
}
