package dev.trtcompat.quantize;

import com.google.protobuf.ByteString;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.TensorProtoFiles;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes the Q/DQ model: for every planned activation a per-tensor QuantizeLinear/DequantizeLinear pair with scale
 * {@code amax / 127} and INT8 zero point 0 (symmetric, TensorRT's only INT8 scheme), for every weight a per-channel
 * pair with one scale per output channel; the planned consumers then read the dequantized tensor. New nodes follow
 * their input's producer so the node list stays topologically sorted.
 */
final class QdqRewriter {

  static final double QMAX = 127.0;

  private final GraphIndex g;
  private final Set<String> taken;
  private final List<TensorProto> newInitializers = new ArrayList<>();
  /** Q/DQ nodes to emit right after the producer of their input (key: the input tensor). */
  private final Map<String, List<NodeProto>> pending = new java.util.LinkedHashMap<>();
  /** (node index, input index) to the tensor it reads instead. */
  private final Map<Long, String> replaced = new HashMap<>();

  private QdqRewriter(GraphIndex g) {
    this.g = g;
    this.taken = new java.util.HashSet<>(g.names());
  }

  /**
   * @param amax the clipping range per activation tensor of the plan (tensors missing here are left FP32)
   * @param metadata provenance entries set in {@code metadata_props}
   */
  static ModelProto rewrite(ModelProto model, QdqPlacement.Plan plan, Map<String, Double> amax, Map<String, String> metadata) {
    GraphIndex g = new GraphIndex(model.getGraph());
    QdqRewriter r = new QdqRewriter(g);
    plan.activations().forEach(
        (tensor, consumers) -> {
          Double a = amax.get(tensor);
          if (a != null) {
            r.activation(tensor, a, consumers);
          }
        });
    plan.weights().forEach(r::weight);
    GraphProto graph = r.build(model.getGraph());
    ModelProto.Builder b = model.toBuilder().setGraph(graph);
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      for (int i = b.getMetadataPropsCount() - 1; i >= 0; i--) {
        if (b.getMetadataProps(i).getKey().equals(e.getKey())) {
          b.removeMetadataProps(i);
        }
      }
      b.addMetadataProps(ModelFiles.entry(e.getKey(), e.getValue()));
    }
    return b.build();
  }

  /** The per-tensor scale for a clipping range; a tensor that was always zero gets 1 (any positive value works). */
  static float scale(double amax) {
    return amax > 0 ? (float) (amax / QMAX) : 1f;
  }

  private void activation(String tensor, double amax, Set<Integer> consumers) {
    String base = sanitize(tensor);
    String s = unique(base + "_scale");
    String zp = unique(base + "_zero_point");
    newInitializers.add(floats(s, new long[0], new float[] {scale(amax)}));
    newInitializers.add(int8Zeros(zp, new long[0], 1));
    addPair(tensor, base, s, zp, -1, consumers);
  }

  private void weight(QdqPlacement.WeightSite site, Set<Integer> consumers) {
    TensorProto w = g.constant(site.tensor()).orElseThrow();
    HostTensor t = TensorProtoFiles.decode(w, site.tensor());
    long[] shape = t.shape();
    int count = Math.toIntExact(t.elementCount());
    int channels = site.axis() < 0 ? 1 : Math.toIntExact(shape[site.axis()]);
    long inner = 1;
    for (int i = site.axis() + 1; site.axis() >= 0 && i < shape.length; i++) {
      inner *= shape[i];
    }
    double[] amax = new double[channels];
    // read in place (a view of the mapped weight), one initializer at a time: no copy of the weights on the heap
    for (int i = 0; i < count; i++) {
      int c = site.axis() < 0 ? 0 : (int) ((i / inner) % channels);
      amax[c] = Math.max(amax[c], Math.abs(t.get(i)));
    }
    float[] scales = new float[channels];
    for (int c = 0; c < channels; c++) {
      scales[c] = scale(amax[c]);
    }
    String base = sanitize(site.tensor());
    String s = unique(base + "_w_scale");
    String zp = unique(base + "_w_zero_point");
    long[] dims = site.axis() < 0 ? new long[0] : new long[] {channels};
    newInitializers.add(floats(s, dims, scales));
    newInitializers.add(int8Zeros(zp, dims, channels));
    addPair(site.tensor(), base + "_w", s, zp, site.axis(), consumers);
  }

  private void addPair(String tensor, String base, String scale, String zp, int axis, Set<Integer> consumers) {
    String q = unique(base + "_quantized");
    String dq = unique(base + "_dequantized");
    NodeProto.Builder qn = NodeProto.newBuilder().setOpType("QuantizeLinear").setName(unique(base + "_QuantizeLinear"))
        .addInput(tensor).addInput(scale).addInput(zp).addOutput(q);
    NodeProto.Builder dqn = NodeProto.newBuilder().setOpType("DequantizeLinear")
        .setName(unique(base + "_DequantizeLinear")).addInput(q).addInput(scale).addInput(zp).addOutput(dq);
    if (axis >= 0) {
      AttributeProto a = AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(axis).build();
      qn.addAttribute(a);
      dqn.addAttribute(a);
    }
    pending.computeIfAbsent(tensor, k -> new ArrayList<>()).add(qn.build());
    pending.get(tensor).add(dqn.build());
    for (int node : consumers) {
      NodeProto n = g.node(node);
      for (int k = 0; k < n.getInputCount(); k++) {
        if (n.getInput(k).equals(tensor)) {
          replaced.put(key(node, k), dq);
        }
      }
    }
  }

  private GraphProto build(GraphProto original) {
    GraphProto.Builder b = original.toBuilder().clearNode();
    b.addAllInitializer(newInitializers);
    // Pairs on graph inputs and initializers come first; the others right after the node producing their input.
    for (Map.Entry<String, List<NodeProto>> e : pending.entrySet()) {
      if (g.producerIndex(e.getKey()).isEmpty()) {
        b.addAllNode(e.getValue());
      }
    }
    for (int i = 0; i < original.getNodeCount(); i++) {
      NodeProto n = original.getNode(i);
      NodeProto.Builder nb = n.toBuilder();
      for (int k = 0; k < n.getInputCount(); k++) {
        String r = replaced.get(key(i, k));
        if (r != null) {
          nb.setInput(k, r);
        }
      }
      b.addNode(nb);
      for (String out : n.getOutputList()) {
        List<NodeProto> after = pending.get(out);
        if (after != null) {
          b.addAllNode(after);
        }
      }
    }
    return b.build();
  }

  private static long key(int node, int input) {
    return ((long) node << 20) | input;
  }

  private String unique(String name) {
    String n = name;
    for (int i = 1; !taken.add(n); i++) {
      n = name + "_" + i;
    }
    return n;
  }

  private static String sanitize(String tensor) {
    return tensor.isEmpty() ? "t" : tensor;
  }

  static TensorProto floats(String name, long[] dims, float[] values) {
    ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : values) {
      buf.putFloat(f);
    }
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
        .setRawData(ByteString.copyFrom(buf.flip()));
    for (long d : dims) {
      t.addDims(d);
    }
    return t.build();
  }

  private static TensorProto int8Zeros(String name, long[] dims, int count) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT8_VALUE)
        .setRawData(ByteString.copyFrom(new byte[count]));
    for (long d : dims) {
      t.addDims(d);
    }
    return t.build();
  }
}
