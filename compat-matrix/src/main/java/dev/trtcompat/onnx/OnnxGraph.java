package dev.trtcompat.onnx;

import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.util.List;

/**
 * A graph with its nodes in file order and its initializers described, not loaded.
 *
 * <p>The main graph comes from {@link OnnxModelReader}; If/Loop/Scan bodies found in node attributes are
 * wrapped with {@link #of(GraphProto)}.
 */
public record OnnxGraph(
    String name,
    List<NodeProto> nodes,
    List<TensorInfo> initializers,
    List<ValueInfoProto> inputs,
    List<ValueInfoProto> outputs,
    List<ValueInfoProto> valueInfo) {

  /** Wraps a subgraph parsed by protobuf-java (bodies are small; their payloads alias the file mapping). */
  public static OnnxGraph of(GraphProto g) {
    return new OnnxGraph(
        g.getName(),
        g.getNodeList(),
        g.getInitializerList().stream().map(TensorDecoding::describe).toList(),
        g.getInputList(),
        g.getOutputList(),
        g.getValueInfoList());
  }
}
