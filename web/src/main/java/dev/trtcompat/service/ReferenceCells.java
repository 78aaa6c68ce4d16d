package dev.trtcompat.service;

import dev.trtcompat.jobs.CellLog;
import dev.trtcompat.jobs.CellResult;
import java.nio.file.Path;
import java.util.Map;

/** Runs a job's ONNX Runtime CPU reference cell on the calling thread (the web layer keeps the result). */
@FunctionalInterface
public interface ReferenceCells {
  CellResult run(String modelId, Path modelFile, Map<String, long[]> shapes, CellLog log) throws Exception;
}
