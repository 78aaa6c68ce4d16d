package dev.trtcompat.quantize;

import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The model calibration runs: ONNX Runtime's own optimized form of the exposing model, with the exposed tensors taken
 * in ONNX Runtime's blocked channel layout where it computes them in it.
 *
 * <p>On x86 ONNX Runtime runs convolutions and pooling in a blocked layout (NCHWc, domain {@code com.microsoft.nchwc})
 * and turns each such tensor that is a graph output back into NCHW with a {@code ReorderOutput} node: a copy of every
 * exposed tensor per sample (22 nodes, about 8% of ResNet-18's exposed run; docs/benchmarks.md). A histogram does not
 * depend on the order of a tensor's values, and when the channel count is a multiple of the block (8 or 16 channels,
 * MLAS's NCHWc block for AVX2 or AVX-512) the blocked tensor holds exactly the same values, no padding. So the
 * reorders that produce nothing but an exposed output are dropped and their blocked inputs are exposed instead; the
 * rest of the optimized graph is what ONNX Runtime ran before, so every value is the same.
 */
record BlockedOutputs(ModelProto model, boolean optimized, Outputs outputs) {

  /**
   * Which graph output carries each tensor, and the channel count each blocked output must show to hold its tensor
   * whole.
   */
  record Outputs(Map<String, String> byTensor, Map<String, Long> blockedChannels) {

    /** The graph output that carries {@code tensor}'s values. */
    String of(String tensor) {
      return byTensor.get(tensor);
    }

    /**
     * Refuses a blocked output whose channels are padded (a block wider than 16 channels, which MLAS does not have
     * today): its histogram would count the padding. Called with the shape of each output's first run.
     */
    void requireWhole(String output, long[] shape) {
      Long channels = blockedChannels.get(output);
      if (channels != null && (shape.length < 2 || shape[1] != channels)) {
        throw new IllegalStateException("blocked output " + output + " has shape " + Arrays.toString(shape)
            + ", not " + channels + " channels: ONNX Runtime pads its blocks, so calibration cannot read it whole");
      }
    }
  }

  private static final String NCHWC = "com.microsoft.nchwc";

  /** Channel counts that are a multiple of this are a multiple of any NCHWc block MLAS uses. */
  private static final int CHANNEL_MULTIPLE = 16;

  /** The exposing model as it is, each tensor its own output (when ONNX Runtime's optimized form is not available). */
  static BlockedOutputs unchanged(ModelProto exposing, Set<String> tensors) {
    Map<String, String> same = new LinkedHashMap<>();
    tensors.forEach(t -> same.put(t, t));
    return new BlockedOutputs(exposing, false, new Outputs(same, Map.of()));
  }

  /**
   * From ONNX Runtime's optimized form of the exposing model: each of {@code tensors} whose only producer of the
   * graph output is a {@code ReorderOutput} to NCHW of a whole number of blocks is exposed as that node's input.
   */
  static BlockedOutputs of(ModelProto optimized, Set<String> tensors) {
    GraphProto g = optimized.getGraph();
    Set<String> consumed = new HashSet<>();
    for (NodeProto n : g.getNodeList()) {
      consumed.addAll(n.getInputList());
    }
    Map<String, String> outputByTensor = new LinkedHashMap<>();
    tensors.forEach(t -> outputByTensor.put(t, t));
    Map<String, Long> blockedChannels = new LinkedHashMap<>();
    GraphProto.Builder b = g.toBuilder().clearNode();
    for (NodeProto n : g.getNodeList()) {
      String out = n.getOutputCount() == 1 ? n.getOutput(0) : null;
      long channels = wholeBlockChannels(n);
      if (channels > 0 && outputByTensor.containsKey(out) && !consumed.contains(out)) {
        outputByTensor.put(out, n.getInput(0));
        blockedChannels.put(n.getInput(0), channels);
      } else {
        b.addNode(n);
      }
    }
    for (int i = 0; i < b.getOutputCount(); i++) {
      String name = b.getOutput(i).getName();
      String blocked = outputByTensor.get(name);
      if (blocked != null && !blocked.equals(name)) {
        b.setOutput(i, ValueInfoProto.newBuilder().setName(blocked)); // type and shape left to ONNX Runtime
      }
    }
    return new BlockedOutputs(optimized.toBuilder().setGraph(b).build(), true, new Outputs(outputByTensor, blockedChannels));
  }

  /** The channel count of a ReorderOutput to NCHW of whole blocks; 0 for any other node. */
  private static long wholeBlockChannels(NodeProto n) {
    if (!NCHWC.equals(n.getDomain()) || !"ReorderOutput".equals(n.getOpType()) || n.getInputCount() != 1) {
      return 0;
    }
    long channels = -1;
    long channelsLast = 0;
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals("channels")) {
        channels = a.getI();
      } else if (a.getName().equals("channels_last")) {
        channelsLast = a.getI();
      }
    }
    return channelsLast == 0 && channels > 0 && channels % CHANNEL_MULTIPLE == 0 ? channels : 0;
  }

  /** The graph output that carries {@code tensor}'s values. */
  String outputOf(String tensor) {
    return outputs.of(tensor);
  }
}
