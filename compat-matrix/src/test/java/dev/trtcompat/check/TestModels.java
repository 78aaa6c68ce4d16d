package dev.trtcompat.check;

import com.google.protobuf.ByteString;
import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.FunctionProto;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.OperatorSetIdProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorShapeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TypeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small builders for test models written with the generated protobuf classes and read back by the reader. */
final class TestModels {

  static final int FLOAT = 1;
  static final int INT64 = 7;
  static final int DOUBLE = 11;

  private TestModels() {}

  /** A tensor value info; a dim is a Long (fixed) or a String (symbolic). */
  static ValueInfoProto tensor(String name, int elemType, Object... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (Object d : dims) {
      TensorShapeProto.Dimension.Builder b = TensorShapeProto.Dimension.newBuilder();
      if (d instanceof String s) {
        b.setDimParam(s);
      } else {
        b.setDimValue(((Number) d).longValue());
      }
      shape.addDim(b);
    }
    return ValueInfoProto.newBuilder().setName(name)
        .setType(TypeProto.newBuilder().setTensorType(
            TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape))).build();
  }

  static TensorProto int64s(String name, long... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      b.putLong(v);
    }
    return TensorProto.newBuilder().setName(name).setDataType(INT64).addDims(values.length)
        .setRawData(ByteString.copyFrom(b.array())).build();
  }

  static TensorProto floats(String name, int type, long... dims) {
    long n = 1;
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type);
    for (long d : dims) {
      t.addDims(d);
      n *= d;
    }
    int width = type == DOUBLE ? 8 : 4;
    return t.setRawData(ByteString.copyFrom(new byte[(int) n * width])).build();
  }

  static NodeProto node(String op, String name, String[] inputs, String[] outputs, AttributeProto... attrs) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name);
    for (String i : inputs) {
      n.addInput(i);
    }
    for (String o : outputs) {
      n.addOutput(o);
    }
    for (AttributeProto a : attrs) {
      n.addAttribute(a);
    }
    return n.build();
  }

  static String[] in(String... names) {
    return names;
  }

  static AttributeProto attr(String name, long i) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(i).build();
  }

  static AttributeProto attr(String name, String s) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
        .setS(ByteString.copyFromUtf8(s)).build();
  }

  static AttributeProto attr(String name, GraphProto g) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.GRAPH).setG(g).build();
  }

  static AttributeProto attr(String name, TensorProto t) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(t).build();
  }

  /** A model builder: opset 13 default domain, IR 8, producer "test". */
  static ModelProto.Builder model(long opset, GraphProto.Builder graph) {
    return ModelProto.newBuilder().setIrVersion(8).setProducerName("test").setProducerVersion("0")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
        .setGraph(graph.setName("g"));
  }

  static FunctionProto function(String domain, String name, String[] inputs, String[] outputs, NodeProto... nodes) {
    FunctionProto.Builder f = FunctionProto.newBuilder().setDomain(domain).setName(name)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13));
    for (String i : inputs) {
      f.addInput(i);
    }
    for (String o : outputs) {
      f.addOutput(o);
    }
    for (NodeProto n : nodes) {
      f.addNode(n);
    }
    return f.build();
  }

  /**
   * One folder per test JVM for {@link #read}'s files, removed when the JVM exits: the model keeps its file for
   * weight payloads, so a file cannot go right after reading (a folder per call left ~5,600 behind per build).
   */
  private static final Path READ_DIR = folderRemovedAtExit();

  private static Path folderRemovedAtExit() {
    try {
      Path dir = Files.createTempDirectory("trtcompat-test");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
          // the JVM is exiting; nothing better to do
        }
      }));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes the model to a temp file and reads it with the real reader. */
  static OnnxModel read(ModelProto m) {
    try {
      Path file = Files.createTempFile(READ_DIR, "model", ".onnx");
      Files.write(file, m.toByteArray());
      return OnnxModelReader.read(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
