package dev.trtcompat.fp16;

import com.google.protobuf.UnsafeByteOperations;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import dev.trtcompat.reference.Float16;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.TensorProtoFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes the mixed-precision model: nodes chosen for FP16 read FLOAT16 inputs and write FLOAT16 outputs, the others
 * read and write FLOAT; where a tensor crosses between them a Cast is added before its first reader (shared by all
 * readers), FP32 weights read by FP16 nodes get a FLOAT16 copy, and graph inputs and outputs stay FLOAT so the model
 * is a drop-in replacement. {@code value_info} is dropped because the element types it recorded changed.
 */
final class Fp16Rewriter {

  private final GraphProto g;
  private final Set<String> floats;
  private final Set<Integer> fp16Nodes;
  private final Map<String, TensorProto> initializers = new HashMap<>();
  private final Map<String, Integer> producer = new HashMap<>();
  private final Set<String> half = new HashSet<>();
  private final Map<String, String> converted = new HashMap<>();
  /** Casts created while rewriting the current node: emitted just before it, after their input's producer. */
  private final List<NodeProto> beforeCurrent = new ArrayList<>();
  private final List<TensorProto> newInitializers = new ArrayList<>();
  private final Set<String> taken = new HashSet<>();
  int castsAdded;
  int weightsConverted;

  private Fp16Rewriter(GraphProto g, Set<String> floats, Set<Integer> fp16Nodes) {
    this.g = g;
    this.floats = floats;
    this.fp16Nodes = fp16Nodes;
    g.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
    for (int i = 0; i < g.getNodeCount(); i++) {
      NodeProto n = g.getNode(i);
      taken.add(n.getName());
      for (String o : n.getOutputList()) {
        producer.put(o, i);
        taken.add(o);
      }
      taken.addAll(n.getInputList());
    }
    taken.addAll(initializers.keySet());
  }

  /**
   * @param floats every FLOAT tensor of the graph (inputs, initializers, node outputs)
   * @param fp16Nodes indices of the nodes that run in FP16
   */
  static Result rewrite(ModelProto model, Set<String> floats, Set<Integer> fp16Nodes) {
    Fp16Rewriter r = new Fp16Rewriter(model.getGraph(), floats, fp16Nodes);
    GraphProto graph = r.build();
    return new Result(model.toBuilder().setGraph(graph).build(), r.castsAdded, r.weightsConverted);
  }

  record Result(ModelProto model, int castsAdded, int weightsConverted) {}

  private GraphProto build() {
    List<NodeProto> nodes = new ArrayList<>();
    for (int i = 0; i < g.getNodeCount(); i++) {
      NodeProto n = g.getNode(i);
      boolean fp16 = fp16Nodes.contains(i);
      boolean passThrough = n.getOpType().equals("Cast") || n.getOpType().equals("CastLike");
      Set<Integer> floatOnly = Fp16Policy.FLOAT_ONLY_INPUTS.getOrDefault(n.getOpType(), Set.of());
      NodeProto.Builder nb = n.toBuilder();
      for (int k = 0; k < n.getInputCount(); k++) {
        String t = n.getInput(k);
        if (t.isEmpty() || !floats.contains(t) || (passThrough && k == 0)) {
          continue;
        }
        boolean want = fp16 && !floatOnly.contains(k);
        if (want != half.contains(t)) {
          nb.setInput(k, as(t, want));
        }
      }
      if (fp16) {
        n.getOutputList().stream().filter(floats::contains).forEach(half::add);
      }
      nodes.addAll(beforeCurrent);
      beforeCurrent.clear();
      nodes.add(nb.build());
    }
    // Graph outputs written in FP16 are renamed inside the graph and cast back to FLOAT under their own name.
    Map<String, String> rename = new HashMap<>();
    List<NodeProto> outputCasts = new ArrayList<>();
    for (ValueInfoProto o : g.getOutputList()) {
      if (half.contains(o.getName())) {
        String inner = unique(o.getName() + "_fp16");
        rename.put(o.getName(), inner);
        outputCasts.add(cast(inner, o.getName(), false));
      }
    }
    GraphProto.Builder b = g.toBuilder().clearNode().clearValueInfo();
    b.addAllInitializer(newInitializers);
    for (NodeProto n : nodes) {
      b.addNode(rename.isEmpty() ? n : renamed(n, rename));
    }
    b.addAllNode(outputCasts);
    return b.build();
  }

  /** The name under which tensor {@code t} is read in the wanted precision, creating the cast or copy once. */
  private String as(String t, boolean wantHalf) {
    String key = t + (wantHalf ? "\u0000h" : "\u0000f");
    String done = converted.get(key);
    if (done != null) {
      return done;
    }
    String name = unique(t + (wantHalf ? "_fp16" : "_fp32"));
    TensorProto init = initializers.get(t);
    if (wantHalf && init != null && !producer.containsKey(t)) {
      newInitializers.add(toHalf(init, name));
      weightsConverted++;
    } else {
      beforeCurrent.add(cast(t, name, wantHalf));
      castsAdded++;
    }
    converted.put(key, name);
    return name;
  }

  private NodeProto cast(String from, String to, boolean toHalf) {
    return NodeProto.newBuilder().setOpType("Cast").setName(unique(to + "_Cast")).addInput(from).addOutput(to)
        .addAttribute(AttributeProto.newBuilder().setName("to").setType(AttributeProto.AttributeType.INT)
            .setI(toHalf ? TensorProto.DataType.FLOAT16_VALUE : TensorProto.DataType.FLOAT_VALUE))
        .build();
  }

  /**
   * A FLOAT16 copy of a FLOAT initializer; values beyond 65504 saturate (their readers stay FP32 by policy). Copies of
   * {@link #SCRATCH_FROM} bytes or more are written into {@link #scratch} pages, not the heap.
   */
  static TensorProto toHalf(TensorProto t, String name) {
    HostTensor h = TensorProtoFiles.decode(t, t.getName());
    int n = Math.toIntExact(h.elementCount());
    ByteBuffer b = n * 2L >= SCRATCH_FROM ? scratch(n * 2) : ByteBuffer.allocate(n * 2);
    b.order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      float v = (float) h.get(i);
      float clamped = Float.isNaN(v) ? v : (float) Math.max(-Fp16Policy.FP16_MAX, Math.min(Fp16Policy.FP16_MAX, v));
      b.putShort(Float16.fromFloat(clamped));
    }
    // wrapped, not copied: the buffer is never written again
    return TensorProto.newBuilder().setName(name).addAllDims(t.getDimsList())
        .setDataType(TensorProto.DataType.FLOAT16_VALUE).setRawData(UnsafeByteOperations.unsafeWrap(b.flip()))
        .build();
  }

  /**
   * The heap the FLOAT16 copies of {@code model}'s weights can take at most: those under {@link #SCRATCH_FROM} (every
   * FLOAT weight counted, whether or not an FP16 node reads it).
   */
  static long heapCopies(OnnxModel model) {
    return model.graph().initializers().stream().filter(t -> t.elemType() == ElementType.FLOAT)
        .mapToLong(t -> t.payloadBytes() / 2).filter(half -> half < SCRATCH_FROM).sum();
  }

  /** FLOAT16 copies this large go to scratch pages; smaller ones stay on the heap (a file per tensor costs more). */
  static final int SCRATCH_FROM = 1 << 20;

  /**
   * {@code bytes} of page cache for one FLOAT16 copy: a shared mapping of a temporary file that is deleted at once, so
   * nothing is left behind; its pages live as long as the mapping (until the tensor is collected) and the kernel may
   * write them out under memory pressure. The written model streams them out like the source's mapped weights.
   */
  private static ByteBuffer scratch(int bytes) {
    Path file = null;
    try {
      file = Files.createTempFile("trt-compat-fp16-", ".bin");
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        return ch.map(FileChannel.MapMode.READ_WRITE, 0, bytes);
      }
    } catch (IOException e) {
      throw new UserFacingException(Kind.UNAVAILABLE, "temp_unavailable",
          "cannot make " + bytes + " bytes of temporary space for the FLOAT16 weights: " + e.getMessage(), e);
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException ignored) {
          // best effort: the mapping works either way
        }
      }
    }
  }

  private static NodeProto renamed(NodeProto n, Map<String, String> rename) {
    NodeProto.Builder b = n.toBuilder();
    for (int k = 0; k < n.getInputCount(); k++) {
      String r = rename.get(n.getInput(k));
      if (r != null) {
        b.setInput(k, r);
      }
    }
    for (int k = 0; k < n.getOutputCount(); k++) {
      String r = rename.get(n.getOutput(k));
      if (r != null) {
        b.setOutput(k, r);
      }
    }
    return b.build();
  }

  private String unique(String name) {
    String n = name;
    for (int i = 1; !taken.add(n); i++) {
      n = name + "_" + i;
    }
    return n;
  }
}
