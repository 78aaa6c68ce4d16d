package dev.trtcompat.onnx;

import static dev.trtcompat.onnx.ModelBuilder.model;
import static dev.trtcompat.onnx.ModelBuilder.raw;
import static dev.trtcompat.onnx.ModelBuilder.sequenceOf;
import static dev.trtcompat.onnx.ModelBuilder.tensorType;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import dev.trtcompat.json.Json;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxModelReaderTest {

  @TempDir Path dir;

  @Test
  void summaryCarriesEveryField() throws Exception {
    ModelBuilder b =
        model()
            .ir(9)
            .producer("pytorch", "2.1.0")
            .opset("", 17)
            .opset("com.microsoft", 1)
            .metadata("author", "tests")
            .metadata("license", "MIT")
            .function("custom", "Gelu2", "Relu");
    GraphProto thenBranch = new ModelBuilder.Graph("then").node("Relu", List.of("x"), List.of("t")).build();
    GraphProto elseBranch =
        new ModelBuilder.Graph("else").node("com.microsoft", "FusedGemm", List.of("x"), List.of("e")).build();
    b.graph()
        .input("images", ElementType.FLOAT, "batch", 3, 224, null)
        .input("w", ElementType.FLOAT, 4)
        .input("seq", sequenceOf(tensorType(ElementType.INT64, "n")))
        .output("y", ElementType.FLOAT16, "batch", 1000)
        .initializer(raw("w", ElementType.FLOAT, new byte[16], 4))
        .initializer(raw("b", ElementType.INT8, new byte[3], 3))
        .node("Conv", List.of("images", "w"), List.of("c"))
        .node("Relu", List.of("c"), List.of("r"))
        .node("com.microsoft", "FusedGemm", List.of("r"), List.of("g"))
        .node("custom", "Gelu2", List.of("g"), List.of("h"))
        .ifNode("cond", thenBranch, elseBranch, "y");

    ModelSummary s = ModelSummary.of(OnnxModelReader.read(b.write(dir.resolve("m.onnx"))));

    assertThat(s.irVersion()).isEqualTo(9);
    assertThat(s.producerName()).isEqualTo("pytorch");
    assertThat(s.producerVersion()).isEqualTo("2.1.0");
    assertThat(s.opsetImports()).containsExactly(Map.entry("ai.onnx", 17L), Map.entry("com.microsoft", 1L));
    // "w" is both input and initializer (IR < 4 style): not an input a caller feeds.
    assertThat(s.inputs())
        .containsExactly(
            new ModelSummary.ValueSummary("images", "FLOAT", List.of("batch", 3L, 224L, "?")),
            new ModelSummary.ValueSummary("seq", "sequence(INT64)", null));
    assertThat(s.outputs()).containsExactly(new ModelSummary.ValueSummary("y", "FLOAT16", List.of("batch", 1000L)));
    assertThat(s.nodeCount()).isEqualTo(5);
    assertThat(s.ops())
        .containsExactly(
            Map.entry("Relu", 2),
            Map.entry("com.microsoft:FusedGemm", 2),
            Map.entry("Conv", 1),
            Map.entry("If", 1),
            Map.entry("custom:Gelu2", 1));
    assertThat(s.initializerCount()).isEqualTo(2);
    assertThat(s.initializerBytes()).isEqualTo(19);
    assertThat(s.externalDataFiles()).isEmpty();
    assertThat(s.subgraphCount()).isEqualTo(2);
    assertThat(s.metadata()).containsExactly(Map.entry("author", "tests"), Map.entry("license", "MIT"));
    assertThat(s.functions()).containsExactly("Gelu2");

    String json = Json.mapper().writeValueAsString(s);
    assertThat(Json.mapper().readTree(json).fieldNames())
        .toIterable()
        .containsExactly(
            "irVersion", "producerName", "producerVersion", "opsetImports", "inputs", "outputs", "nodeCount", "ops",
            "initializerCount", "initializerBytes", "externalDataFiles", "subgraphCount", "metadata", "functions");
    assertThat(json).contains("\"shape\":[\"batch\",3,224,\"?\"]");
  }

  @Test
  void handWrittenJsonMatchesJacksonForOddValues() throws Exception {
    ModelSummary s =
        new ModelSummary(
            3, "we\"ird\\ \n\t\u0001 \u00e9\u4e2d /", "", Map.of(), List.of(
                new ModelSummary.ValueSummary("a", "FLOAT", null),
                new ModelSummary.ValueSummary("b", "sequence(INT64)", List.of()),
                new ModelSummary.ValueSummary("c", "FLOAT", List.of(1L, "n", "?"))),
            List.of(), 0, Map.of(), 0, 0, List.of("x.bin", "y\u007f.bin"), 0, Map.of("k\r", "\b\f"), List.of());
    assertThat(s.toJson()).isEqualTo(Json.pretty().writeValueAsString(s));
    assertThat(Json.mapper().readTree(s.toJson()).get("producerName").asText()).isEqualTo(s.producerName());
  }

  @Test
  void trainingInfoAndUnknownFieldsAreSteppedOver() throws Exception {
    ModelBuilder b = model().trainingInfo();
    b.graph()
        .input("x", ElementType.FLOAT, 2)
        .output("y", ElementType.FLOAT, 2)
        .node("Relu", List.of("x"), List.of("y"))
        .initializer(raw("big", ElementType.FLOAT, new byte[400_000], 100_000));
    ModelProto m = b.build();
    UnknownFieldSet unknown =
        UnknownFieldSet.newBuilder()
            .addField(99, UnknownFieldSet.Field.newBuilder().addVarint(7).build())
            .addField(100, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("future")).build())
            .addField(101, UnknownFieldSet.Field.newBuilder().addFixed32(1).addFixed64(2L).build())
            .build();
    TensorProto big = m.getGraph().getInitializer(0).toBuilder().setUnknownFields(unknown).build();
    NodeProto node = m.getGraph().getNode(0).toBuilder().setUnknownFields(unknown).build();
    GraphProto g = m.getGraph().toBuilder().setInitializer(0, big).setNode(0, node).setUnknownFields(unknown).build();
    ModelProto withUnknown = m.toBuilder().setGraph(g).setUnknownFields(unknown).build();
    Path file = dir.resolve("future.onnx");
    Files.write(file, withUnknown.toByteArray());

    OnnxModel read = OnnxModelReader.read(file);

    assertThat(read.graph().nodes()).hasSize(1);
    TensorInfo t = read.graph().initializers().get(0);
    assertThat(t.name()).isEqualTo("big");
    assertThat(t.dims()).containsExactly(100_000L);
    assertThat(t.payloadBytes()).isEqualTo(400_000);
    assertThat(t.storedLength()).isEqualTo(400_000);
    assertThat(t.smallValue()).as("large weights are skimmed, not loaded").isNull();
    byte[] bytes = Files.readAllBytes(file);
    assertThat(t.storedOffset()).isBetween(0L, (long) bytes.length - 400_000);
  }

  @Test
  void skimmedTensorOffsetPointsAtItsBytes() throws Exception {
    byte[] values = new byte[200_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = (byte) (i * 31);
    }
    ModelBuilder b = model();
    b.graph().node("Identity", List.of("w"), List.of("y")).initializer(raw("w", ElementType.UINT8, values, 200_000));
    Path file = b.write(dir.resolve("w.onnx"));

    TensorInfo t = OnnxModelReader.read(file).graph().initializers().get(0);

    byte[] all = Files.readAllBytes(file);
    byte[] at = java.util.Arrays.copyOfRange(all, (int) t.storedOffset(), (int) (t.storedOffset() + t.storedLength()));
    assertThat(at).isEqualTo(values);
  }

  @Test
  void typedDataFieldsAndSmallValues() throws Exception {
    TensorProto shape = TensorProto.newBuilder().setName("shape").setDataType(7).addDims(2).addInt64Data(1).addInt64Data(-1).build();
    TensorProto.Builder floats = TensorProto.newBuilder().setName("f").setDataType(1).addDims(30_000);
    for (int i = 0; i < 30_000; i++) {
      floats.addFloatData(i);
    }
    ModelBuilder b = model();
    b.graph().initializer(shape).initializer(floats.build()).node("Reshape", List.of("x", "shape"), List.of("y"));
    OnnxModel m = OnnxModelReader.read(b.write(dir.resolve("typed.onnx")));

    TensorInfo s = m.graph().initializers().get(0);
    assertThat(s.smallValue()).hasSize(16);
    assertThat(java.nio.ByteBuffer.wrap(s.smallValue()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(8)).isEqualTo(-1);
    TensorInfo f = m.graph().initializers().get(1);
    assertThat(f.payloadBytes()).isEqualTo(120_000);
    assertThat(f.smallValue()).isNull();
  }

  @Test
  void smallValuesStopBeingKeptPastTheBudget() throws Exception {
    ModelBuilder b = model();
    int n = (int) (OnnxModelReader.SMALL_VALUES_BUDGET / 60_000) + 20;
    for (int i = 0; i < n; i++) {
      b.graph().initializer(raw("w" + i, ElementType.UINT8, new byte[60_000], 60_000));
    }
    b.graph().node("Identity", List.of("w0"), List.of("y"));
    List<TensorInfo> ts = OnnxModelReader.read(b.write(dir.resolve("many.onnx"))).graph().initializers();
    long kept = ts.stream().filter(t -> t.smallValue() != null).mapToLong(t -> t.smallValue().length).sum();
    assertThat(ts).hasSize(n);
    assertThat(kept).isPositive().isLessThanOrEqualTo(OnnxModelReader.SMALL_VALUES_BUDGET);
    assertThat(ts.get(0).smallValue()).isNotNull();
    assertThat(ts.get(n - 1).smallValue()).isNull();
    assertThat(ts.get(n - 1).payloadBytes()).isEqualTo(60_000);
  }

  @Test
  void largeConstantNodeIsReadFromTheMapping() throws Exception {
    ModelBuilder b = model();
    byte[] values = new byte[3_000_000];
    values[2_999_999] = 42;
    b.graph().constant("c", raw("c", ElementType.UINT8, values, 3_000_000)).node("Relu", List.of("c"), List.of("y"));
    OnnxModel m = OnnxModelReader.read(b.write(dir.resolve("const.onnx")));
    NodeProto c = m.graph().nodes().get(0);
    assertThat(c.getOpType()).isEqualTo("Constant");
    assertThat(c.getAttribute(0).getT().getRawData().size()).isEqualTo(3_000_000);
    assertThat(c.getAttribute(0).getT().getRawData().byteAt(2_999_999)).isEqualTo((byte) 42);
    // A view of the file mapping (direct), not a copy on the heap.
    assertThat(c.getAttribute(0).getT().getRawData().asReadOnlyByteBuffer().isDirect()).isTrue();
  }

  @Test
  void sparseInitializerIsDescribedByItsDenseShape() throws Exception {
    ModelBuilder b = model();
    b.graph()
        .sparseInitializer(raw("sp", ElementType.FLOAT, new byte[12], 3), raw("", ElementType.INT64, new byte[24], 3), 100, 100)
        .node("Identity", List.of("sp"), List.of("y"));
    ModelSummary s = ModelSummary.of(OnnxModelReader.read(b.write(dir.resolve("sparse.onnx"))));
    assertThat(s.initializerCount()).isEqualTo(1);
    assertThat(s.initializerBytes()).isEqualTo(36);
    TensorInfo t = OnnxModelReader.read(dir.resolve("sparse.onnx")).graph().initializers().get(0);
    assertThat(t.name()).isEqualTo("sp");
    assertThat(t.dims()).containsExactly(100L, 100L);
  }

  @Test
  void subgraphCountAndOpsCoverLoopBodies() throws Exception {
    GraphProto inner = new ModelBuilder.Graph("inner").node("Add", List.of("a", "b"), List.of("c")).build();
    GraphProto middle = new ModelBuilder.Graph("middle").ifNode("c", inner, inner, "m").build();
    ModelBuilder b = model();
    b.graph().ifNode("cond", middle, inner, "y");
    ModelSummary s = ModelSummary.of(OnnxModelReader.read(b.write(dir.resolve("nested.onnx"))));
    assertThat(s.nodeCount()).isEqualTo(1);
    assertThat(s.subgraphCount()).isEqualTo(4);
    assertThat(s.ops()).containsExactly(Map.entry("Add", 3), Map.entry("If", 2));
  }
}
