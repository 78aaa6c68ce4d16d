package dev.trtcompat.onnx;

import dev.trtcompat.onnx.proto.OnnxProtos.FunctionProto;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A parsed ONNX model: everything except weight payloads, which stay in the file.
 *
 * @param opsetImports domain to version; the default domain is written {@code ai.onnx}
 * @param externalDataFiles distinct external-data locations, relative to the model's folder, all verified
 *     to exist inside it
 */
public record OnnxModel(
    Path path,
    long fileBytes,
    long irVersion,
    String producerName,
    String producerVersion,
    String domain,
    long modelVersion,
    Map<String, Long> opsetImports,
    Map<String, String> metadata,
    OnnxGraph graph,
    List<FunctionProto> functions,
    List<String> externalDataFiles) {

  public static final String DEFAULT_DOMAIN = "ai.onnx";

  /** The opset version of the default domain, or 0 when the model imports none. */
  public long defaultOpset() {
    return opsetImports.getOrDefault(DEFAULT_DOMAIN, 0L);
  }
}
