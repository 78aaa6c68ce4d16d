package dev.trtcompat.rules;

/** Where a release file's facts come from: a document or a source file of one onnx-tensorrt branch. */
public record Source(String what, String url, String branch, String file, String via) {}
