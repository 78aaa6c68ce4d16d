package dev.trtcompat.bench;

import com.google.protobuf.ByteString;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorShapeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TypeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes the benchmark models into a folder: a 1.5 GB MatMul stack (single file and external-data twin),
 * the same stack at 0.15 GB, and a ~1,400-node detection graph shaped like a Faster R-CNN export.
 *
 * <p>Usage: {@code java -cp ... dev.trtcompat.bench.BenchModels OUT_DIR [matmul-1.5g | matmul-2.5g | matmul-1g]}: with
 * {@code matmul-1.5g} only the 1.5 GB single-file model is written (the upload benchmark needs no other); with
 * {@code matmul-2.5g} only a 2.5 GB stack, as one file and with external data (the fix benchmark's case over 2 GiB);
 * with {@code matmul-1g} only a 1 GB single-file stack (the quantize and fp16 memory benchmark).
 */
public final class BenchModels {

  private static final int FLOAT = 1;
  private static final int INT64 = 7;

  private BenchModels() {}

  public static void main(String[] args) throws IOException {
    Path out = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "bench/out"));
    if (args.length > 1 && args[1].equals("matmul-1g")) {
      // ~1 GB of weights: 24 layers of 3232 x 3232 FLOAT = 41.8 MB each, 1.003 GB (bench/quantize/large-model.sh)
      matmulStack(3232).write(out.resolve("matmul-1g.onnx"));
      return;
    }
    if (args.length > 1 && args[1].equals("matmul-2.5g")) {
      // Over protobuf's 2 GiB: 24 layers of 5120 x 5120 FLOAT = 105 MB each, 2.52 GB in all (bench/fix-speed.sh).
      matmulStack(5120).write(out.resolve("matmul-2.5g.onnx"));
      matmulStack(5120).write(out.resolve("matmul-2.5g-external.onnx"), "matmul-2.5g-external.onnx.data");
      return;
    }
    // 24 layers of 3968 x 3968 FLOAT = 63 MB each, 1.51 GB in all; 1248 x 1248 gives 6.2 MB, 0.15 GB.
    matmulStack(3968).write(out.resolve("matmul-1.5g.onnx"));
    if (args.length > 1 && args[1].equals("matmul-1.5g")) {
      return;
    }
    matmulStack(3968).write(out.resolve("matmul-1.5g-external.onnx"), "matmul-1.5g-external.onnx.data");
    matmulStack(1248).write(out.resolve("matmul-0.15g.onnx"));
    matmulStack(1248).write(out.resolve("matmul-0.15g-external.onnx"), "matmul-0.15g-external.onnx.data");
    StreamingModelWriter rcnn = new DetectionGraph().build();
    rcnn.write(out.resolve("faster-rcnn-like.onnx"));
    System.out.println("wrote models to " + out + " (detection graph: " + rcnn.nodeCount() + " nodes)");
  }

  static StreamingModelWriter matmulStack(int width) {
    StreamingModelWriter m = new StreamingModelWriter("matmul_stack", 17);
    m.input(tensor("x", FLOAT, "batch", width));
    String x = "x";
    for (int i = 0; i < 24; i++) {
      String w = "layer" + i + ".weight";
      m.weight(w, FLOAT, 4, width, width);
      String y = i == 23 ? "y" : "h" + i;
      m.node(node("MatMul", "matmul" + i, List.of(x, w), List.of(y)));
      x = y;
    }
    m.output(tensor("y", FLOAT, "batch", width));
    return m;
  }

  static ValueInfoProto tensor(String name, int type, Object... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (Object d : dims) {
      shape.addDim(
          d instanceof String s
              ? TensorShapeProto.Dimension.newBuilder().setDimParam(s)
              : TensorShapeProto.Dimension.newBuilder().setDimValue(((Number) d).longValue()));
    }
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape)))
        .build();
  }

  static NodeProto node(String op, String name, List<String> inputs, List<String> outputs, AttributeProto... attrs) {
    return NodeProto.newBuilder()
        .setOpType(op)
        .setName(name)
        .addAllInput(inputs)
        .addAllOutput(outputs)
        .addAllAttribute(Arrays.asList(attrs))
        .build();
  }

  static AttributeProto ints(String name, long... v) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long x : v) {
      a.addInts(x);
    }
    return a.build();
  }

  static AttributeProto i(String name, long v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
  }

  static AttributeProto f(String name, float v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
  }

  static AttributeProto s(String name, String v) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.STRING)
        .setS(ByteString.copyFromUtf8(v))
        .build();
  }

  static AttributeProto tensorValue(TensorProto t) {
    return AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(t).build();
  }

  /**
   * A graph with the op mix and size of a torchvision Faster R-CNN (ResNet-50 FPN) export: a ResNet
   * backbone, FPN, per-level RPN heads with TopK/Gather/NonMaxSuppression, RoiAlign, box heads, and the
   * Shape/Gather/Unsqueeze/Concat/Reshape arithmetic exporters emit around dynamic shapes. Valid for the ONNX
   * checker; not meant to compute anything sensible.
   */
  static final class DetectionGraph {
    private final StreamingModelWriter m = new StreamingModelWriter("faster_rcnn_like", 17);
    private int counter;

    private String fresh(String base) {
      return base + "_" + (counter++);
    }

    private String op(String type, List<String> inputs, AttributeProto... attrs) {
      String out = fresh(type.toLowerCase());
      m.node(node(type, out + "_node", inputs, List.of(out), attrs));
      return out;
    }

    private String constant(long... values) {
      ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
      for (long v : values) {
        b.putLong(v);
      }
      String out = fresh("const");
      TensorProto t = TensorProto.newBuilder().setDataType(INT64).addDims(values.length).setRawData(ByteString.copyFrom(b.array())).build();
      m.node(node("Constant", out + "_node", List.of(), List.of(out), tensorValue(t)));
      return out;
    }

    private String scalarFloat(float v) {
      String out = fresh("constf");
      TensorProto t = TensorProto.newBuilder().setDataType(FLOAT).setRawData(ByteString.copyFrom(
          ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array())).build();
      m.node(node("Constant", out + "_node", List.of(), List.of(out), tensorValue(t)));
      return out;
    }

    private String conv(String x, int in, int outCh, int k, int stride) {
      String w = fresh("conv_w");
      String b = fresh("conv_b");
      m.weight(w, FLOAT, 4, outCh, in, k, k);
      m.weight(b, FLOAT, 4, outCh);
      return op("Conv", List.of(x, w, b), ints("kernel_shape", k, k), ints("strides", stride, stride),
          ints("pads", k / 2, k / 2, k / 2, k / 2));
    }

    /** Reshape to a shape computed from the input's own shape, as exporters write it. */
    private String dynamicReshape(String x, long... tail) {
      String shape = op("Shape", List.of(x));
      String n = op("Gather", List.of(shape, constant(0)), i("axis", 0));
      String rest = constant(tail);
      String target = op("Concat", List.of(n, rest), i("axis", 0));
      return op("Reshape", List.of(x, target));
    }

    private String bottleneck(String x, int in, int mid, int out, int stride) {
      String y = op("Relu", List.of(conv(x, in, mid, 1, 1)));
      y = op("Relu", List.of(conv(y, mid, mid, 3, stride)));
      y = conv(y, mid, out, 1, 1);
      String skip = in == out && stride == 1 ? x : conv(x, in, out, 1, stride);
      return op("Relu", List.of(op("Add", List.of(y, skip))));
    }

    StreamingModelWriter build() {
      m.input(tensor("images", FLOAT, "batch", 3, "height", "width"));
      String x = op("Relu", List.of(conv("images", 3, 64, 7, 2)));
      x = op("MaxPool", List.of(x), ints("kernel_shape", 3, 3), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1));
      int[] blocks = {3, 4, 6, 3};
      int in = 64;
      List<String> stages = new ArrayList<>();
      for (int s = 0; s < 4; s++) {
        int mid = 64 << s;
        int out = mid * 4;
        for (int b = 0; b < blocks[s]; b++) {
          x = bottleneck(x, in, mid, out, b == 0 && s > 0 ? 2 : 1);
          in = out;
        }
        stages.add(x);
      }
      // FPN, top-down.
      List<String> levels = new ArrayList<>();
      String top = conv(stages.get(3), 2048, 256, 1, 1);
      levels.add(conv(top, 256, 256, 3, 1));
      for (int s = 2; s >= 0; s--) {
        String lateral = conv(stages.get(s), 256 << s, 256, 1, 1);
        String up = op("Resize", List.of(top, "", constantFloats(1, 1, 2, 2)), s("mode", "nearest"));
        top = op("Add", List.of(lateral, up));
        levels.add(0, conv(top, 256, 256, 3, 1));
      }
      levels.add(op("MaxPool", List.of(levels.get(3)), ints("kernel_shape", 1, 1), ints("strides", 2, 2)));
      // RPN head per level, shared weights as in torchvision.
      List<String> boxes = new ArrayList<>();
      List<String> scores = new ArrayList<>();
      for (String level : levels) {
        String t = op("Relu", List.of(conv(level, 256, 256, 3, 1)));
        String logits = dynamicReshape(op("Transpose", List.of(conv(t, 256, 3, 1, 1)), ints("perm", 0, 2, 3, 1)), -1);
        String deltas = dynamicReshape(op("Transpose", List.of(conv(t, 256, 12, 1, 1)), ints("perm", 0, 2, 3, 1)), -1, 4);
        String k = constant(1000);
        String top2 = fresh("topk");
        m.node(node("TopK", top2 + "_node", List.of(logits, k), List.of(top2 + "_values", top2 + "_indices"), i("axis", 1)));
        String picked = op("Gather", List.of(deltas, top2 + "_indices"), i("axis", 1));
        boxes.add(decode(picked));
        scores.add(op("Sigmoid", List.of(top2 + "_values")));
      }
      String allBoxes = op("Concat", boxes, i("axis", 1));
      String allScores = op("Unsqueeze", List.of(op("Concat", scores, i("axis", 1)), constant(1)));
      String keep = op("NonMaxSuppression", List.of(allBoxes, allScores, constant(1000), scalarFloat(0.7f), scalarFloat(0.0f)));
      String keepIdx = op("Gather", List.of(keep, constant(2)), i("axis", 1));
      String proposals = op("Gather", List.of(op("Squeeze", List.of(allBoxes, constant(0))), keepIdx), i("axis", 0));
      String batchIdx = op("Cast", List.of(op("Mul", List.of(op("Shape", List.of(keepIdx)), constant(0)))), i("to", INT64));
      // RoiAlign per level, then the box head (two FCs) per level, merged.
      List<String> pooled = new ArrayList<>();
      for (int l = 0; l < 4; l++) {
        pooled.add(op("RoiAlign", List.of(levels.get(l), proposals, batchIdx), i("output_height", 7),
            i("output_width", 7), i("sampling_ratio", 2), f("spatial_scale", 1f / (4 << l))));
      }
      String feats = op("Concat", pooled, i("axis", 0));
      String flat = op("Flatten", List.of(feats), i("axis", 1));
      String fc6 = op("Relu", List.of(gemm(flat, 256 * 7 * 7, 1024)));
      String fc7 = op("Relu", List.of(gemm(fc6, 1024, 1024)));
      String cls = op("Softmax", List.of(gemm(fc7, 1024, 91)), i("axis", 1));
      String reg = gemm(fc7, 1024, 91 * 4);
      // Post-processing per class group until the graph has the size of a real export.
      String det = decode(dynamicReshape(reg, -1, 4));
      int group = 0;
      List<String> outs = new ArrayList<>();
      while (m.nodeCount() < 1380) {
        String sl = op("Slice", List.of(cls, constant(group), constant(group + 1), constant(1)));
        String score = op("Squeeze", List.of(sl, constant(1)));
        String topk = fresh("topk");
        m.node(node("TopK", topk + "_node", List.of(score, constant(100)), List.of(topk + "_v", topk + "_i"), i("axis", 0)));
        String b = op("Gather", List.of(det, topk + "_i"), i("axis", 0));
        String sel = op("NonMaxSuppression", List.of(op("Unsqueeze", List.of(b, constant(0))),
            op("Unsqueeze", List.of(op("Unsqueeze", List.of(topk + "_v", constant(0))), constant(0))),
            constant(100), scalarFloat(0.5f)));
        outs.add(op("Gather", List.of(sel, constant(2)), i("axis", 1)));
        group++;
      }
      String detections = fresh("detections");
      m.node(node("Concat", detections + "_node", outs, List.of("detections"), i("axis", 0)));
      m.output(tensor("detections", INT64, "n"));
      return m;
    }

    private String constantFloats(float... values) {
      ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (float v : values) {
        b.putFloat(v);
      }
      String out = fresh("constf");
      TensorProto t = TensorProto.newBuilder().setDataType(FLOAT).addDims(values.length).setRawData(ByteString.copyFrom(b.array())).build();
      m.node(node("Constant", out + "_node", List.of(), List.of(out), tensorValue(t)));
      return out;
    }

    private String gemm(String x, int in, int out) {
      String w = fresh("fc_w");
      String b = fresh("fc_b");
      m.weight(w, FLOAT, 4, out, in);
      m.weight(b, FLOAT, 4, out);
      return op("Gemm", List.of(x, w, b), i("transB", 1));
    }

    /** Box decoding as exporters spell it: slices, exp, mul, add, concat. */
    private String decode(String deltas) {
      String ctr = op("Slice", List.of(deltas, constant(0), constant(2), constant(-1)));
      String size = op("Exp", List.of(op("Slice", List.of(deltas, constant(2), constant(4), constant(-1)))));
      String half = op("Mul", List.of(size, constantFloats(0.5f)));
      String lo = op("Sub", List.of(ctr, half));
      String hi = op("Add", List.of(ctr, half));
      return op("Concat", List.of(lo, hi), i("axis", -1));
    }
  }
}
