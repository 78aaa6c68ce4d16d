package dev.trtcompat.bench;

import com.google.protobuf.ByteString;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.OperatorSetIdProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorShapeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TypeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A synthetic detection-class graph shaped like a YOLO-style export: Conv+SiLU blocks with residual adds,
 * an upsampling neck (Resize, Concat), per-level heads with Reshape/Transpose, exporter shape arithmetic
 * (Shape, Gather, Unsqueeze, Concat) and NMS post-processing (TopK, NonMaxSuppression, Gather). Weights are
 * small zero tensors: the checker never reads them.
 */
final class DetectionGraph {

  private final GraphProto.Builder g = GraphProto.newBuilder().setName("detector");
  private int next;
  private int nodes;

  static ModelProto build(int targetNodes) {
    DetectionGraph d = new DetectionGraph();
    return d.model(targetNodes);
  }

  private ModelProto model(int targetNodes) {
    g.addInput(tensor("images", 1, "batch", 3L, 640L, 640L));
    String x = "images";
    int c = 16;
    String[] levels = new String[3];
    int level = 0;
    // backbone: blocks of conv-silu-conv-silu-add until ~70% of the node budget, tapping three levels
    while (nodes < targetNodes * 0.7) {
      String y = convSilu(x, c, c);
      y = convSilu(y, c, c);
      x = op("Add", x, y);
      if (nodes > targetNodes * 0.7 * (level + 1) / 3 && level < 3) {
        levels[level++] = x;
      }
    }
    for (int i = 0; i < 3; i++) {
      levels[i] = levels[i] == null ? x : levels[i];
    }
    // neck: upsample and concat with shape arithmetic as exporters write it
    String up = op("Resize", new String[] {levels[2], "", scales()}, attr("mode", "nearest"));
    String merged = op("Concat", new String[] {up, levels[1]}, attr("axis", 1));
    x = convSilu(merged, 2 * c, c);
    // heads: conv + reshape/transpose per level, until the budget is nearly spent
    String detections = null;
    int head = 0;
    while (nodes < targetNodes - 20) {
      String lvl = levels[head++ % 3];
      String h = convSilu(lvl, c, c);
      String shape = op("Shape", lvl);
      String b = op("Gather", new String[] {shape, int64("idx" + next, 0)}, attr("axis", 0));
      String bu = op("Unsqueeze", b, int64("axes" + next, 0));
      String newShape = op("Concat", new String[] {bu, int64("rest" + next, -1, 85)}, attr("axis", 0));
      String r = op("Reshape", h, newShape);
      detections = detections == null ? r : op("Concat", new String[] {detections, r}, attr("axis", 1));
    }
    // post-processing: scores, top-k, NMS
    String boxes = op("Slice", detections, int64("s0", 0), int64("s1", 4), int64("s2", 2));
    String scores = op("Sigmoid", op("Slice", detections, int64("s3", 4), int64("s4", 85), int64("s5", 2)));
    String scoresT = op("Transpose", new String[] {scores}, ints("perm", 0, 2, 1));
    String nms = op("NonMaxSuppression", boxes, scoresT, int64("max_out", 100), float32("iou", 0.45f),
        float32("score", 0.25f));
    String sel = op("Gather", new String[] {nms, int64("col", 2)}, attr("axis", 1));
    g.addOutput(tensor(op("TopK", new String[] {op("Cast", new String[] {sel}, attr("to", 1)), int64("k", 100)},
        attr("axis", 0)), 1));
    g.addOutput(tensor(nms, 7));
    return ModelProto.newBuilder().setIrVersion(8).setProducerName("pytorch").setProducerVersion("1.13.1")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).setGraph(g).build();
  }

  int nodes() {
    return nodes;
  }

  private String convSilu(String x, int cin, int cout) {
    String w = weight(cout, cin, 3, 3);
    String conv = op("Conv", new String[] {x, w}, ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1));
    return op("Mul", conv, op("Sigmoid", conv));
  }

  private String op(String type, String... inputs) {
    return op(type, inputs, new AttributeProto[0]);
  }

  private String op(String type, String[] inputs, AttributeProto... attrs) {
    String out = type.toLowerCase() + "_" + next++;
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(type).setName("/" + type + "_" + nodes).addOutput(out);
    for (String i : inputs) {
      n.addInput(i);
    }
    for (AttributeProto a : attrs) {
      n.addAttribute(a);
    }
    g.addNode(n);
    nodes++;
    return out;
  }

  private String weight(long... dims) {
    String name = "w" + next++;
    long n = 1;
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1);
    for (long d : dims) {
      t.addDims(d);
      n *= d;
    }
    g.addInitializer(t.setRawData(ByteString.copyFrom(new byte[(int) n * 4])));
    return name;
  }

  private String int64(String name, long... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      b.putLong(v);
    }
    g.addInitializer(TensorProto.newBuilder().setName(name).setDataType(7).addDims(values.length)
        .setRawData(ByteString.copyFrom(b.array())));
    return name;
  }

  private String float32(String name, float v) {
    g.addInitializer(TensorProto.newBuilder().setName(name).setDataType(1).addDims(1)
        .setRawData(ByteString.copyFrom(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array())));
    return name;
  }

  private String scales() {
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(1).putFloat(2).putFloat(2);
    g.addInitializer(TensorProto.newBuilder().setName("up_scales").setDataType(1).addDims(4)
        .setRawData(ByteString.copyFrom(b.array())));
    return "up_scales";
  }

  private static AttributeProto attr(String name, long v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
  }

  private static AttributeProto attr(String name, String v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
        .setS(ByteString.copyFromUtf8(v)).build();
  }

  private static AttributeProto ints(String name, long... v) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long x : v) {
      a.addInts(x);
    }
    return a.build();
  }

  private static ValueInfoProto tensor(String name, int elemType, Object... dims) {
    TypeProto.Tensor.Builder t = TypeProto.Tensor.newBuilder().setElemType(elemType);
    if (dims.length > 0) {
      TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
      for (Object d : dims) {
        s.addDim(d instanceof String p ? TensorShapeProto.Dimension.newBuilder().setDimParam(p)
            : TensorShapeProto.Dimension.newBuilder().setDimValue((Long) d));
      }
      t.setShape(s);
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(t)).build();
  }
}
