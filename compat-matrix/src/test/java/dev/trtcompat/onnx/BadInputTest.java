package dev.trtcompat.onnx;

import static dev.trtcompat.onnx.ModelBuilder.model;
import static dev.trtcompat.onnx.ModelBuilder.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every kind of bad file gets an InvalidModelException with a one-line message, never another exception. */
class BadInputTest {

  @TempDir Path dir;

  static byte[] fixture(String name) throws Exception {
    try (InputStream in = BadInputTest.class.getResourceAsStream("/libonnx-testdata/" + name)) {
      return in.readAllBytes();
    }
  }

  private Path file(String name, byte[] bytes) throws Exception {
    return Files.write(dir.resolve(name), bytes);
  }

  private static void assertInvalid(Path p, String expected) {
    assertThatThrownBy(() -> OnnxModelReader.read(p))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining(expected)
        .hasMessageNotContaining("\n");
  }

  @Test
  void fixturesAreValid() throws Exception {
    OnnxModel m = OnnxModelReader.read(file("if.onnx", fixture("test_if.onnx")));
    assertThat(ModelSummary.of(m).ops()).containsKeys("If");
  }

  @Test
  void emptyFile() throws Exception {
    assertInvalid(file("empty.onnx", new byte[0]), "is empty");
  }

  @Test
  void folder() throws Exception {
    assertInvalid(Files.createDirectory(dir.resolve("folder.onnx")), "is a folder");
  }

  @Test
  void missingFile() {
    assertInvalid(dir.resolve("absent.onnx"), "does not exist");
  }

  @Test
  void tensorProtoIsNotAModel() throws Exception {
    assertInvalid(file("input_0.pb", fixture("test_if_input_0.pb")), "not an ONNX model");
    TensorProto t = raw("x", ElementType.FLOAT, new byte[400], 10, 10);
    assertInvalid(file("tensor.pb", t.toByteArray()), "not an ONNX model");
  }

  @Test
  void graphWithoutModelAroundItIsNotAModel() throws Exception {
    GraphProto g = model().build().getGraph();
    assertThatThrownBy(() -> OnnxModelReader.read(file("graph.pb", g.toByteArray())))
        .isInstanceOf(InvalidModelException.class);
  }

  @Test
  void lengthPrefixLargerThanTheFile() throws Exception {
    // ir_version 8, then field 7 (graph) declaring 1,000,000 bytes of which 3 exist.
    byte[] bytes = {0x08, 0x08, 0x3a, (byte) 0xc0, (byte) 0x84, 0x3d, 0x0a, 0x00, 0x00};
    assertInvalid(file("long.onnx", bytes), "declares 1000000 bytes but only 3 remain");
  }

  @Test
  void lengthPrefixOfTheMaximumVarint() throws Exception {
    byte[] bytes = {0x3a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
        (byte) 0xff, (byte) 0xff, 0x01};
    assertThatThrownBy(() -> OnnxModelReader.read(file("max.onnx", bytes))).isInstanceOf(InvalidModelException.class);
  }

  @ParameterizedTest
  @ValueSource(ints = {99, 25, -1, 1000})
  void unknownElementTypeOfAnInitializer(int type) throws Exception {
    ModelBuilder b = model();
    b.graph()
        .initializer(TensorProto.newBuilder().setName("w").setDataType(type).addDims(2).build())
        .node("Relu", List.of("w"), List.of("y"));
    assertInvalid(b.write(dir.resolve("type.onnx")), "has element type " + type);
  }

  @Test
  void unknownElementTypeOfALargeInitializer() throws Exception {
    ModelBuilder b = model();
    b.graph()
        .initializer(raw("w", ElementType.FLOAT, new byte[100_000], 25_000).toBuilder().setDataType(77).build())
        .node("Relu", List.of("w"), List.of("y"));
    assertInvalid(b.write(dir.resolve("type.onnx")), "initializer 'w' has element type 77");
  }

  @Test
  void unknownElementTypeOfAnInput() throws Exception {
    ModelBuilder b = model();
    b.graph().input("x", ModelBuilder.tensorType(ElementType.FLOAT, 1).toBuilder()
        .setTensorType(ModelBuilder.tensorType(ElementType.FLOAT, 1).getTensorType().toBuilder().setElemType(40))
        .build());
    assertInvalid(b.write(dir.resolve("in.onnx")), "graph input 'x' has element type 40");
  }

  @Test
  void shapeWhoseSizeOverflows() throws Exception {
    ModelBuilder b = model();
    b.graph()
        .initializer(TensorProto.newBuilder().setName("w").setDataType(1).addDims(1L << 40).addDims(1L << 40).build())
        .node("Relu", List.of("w"), List.of("y"));
    assertInvalid(b.write(dir.resolve("overflow.onnx")), "overflows 64 bits");
  }

  @Test
  void modelWithoutOpsetImport() throws Exception {
    byte[] full = model().build().toBuilder().clearOpsetImport().build().toByteArray();
    assertInvalid(file("noopset.onnx", full), "imports no operator set");
  }

  @Test
  void nestingBelowTheLimitIsRead() throws Exception {
    int depth = OnnxModelReader.SUBGRAPH_DEPTH_LIMIT - 2;
    ModelSummary s = ModelSummary.of(OnnxModelReader.read(nested(depth)));
    assertThat(s.subgraphCount()).isEqualTo(2 * depth);
    assertThat(s.ops()).containsEntry("If", depth).containsEntry("Identity", 1);
  }

  @Test
  void nestingBeyondTheLimitIsAClearError() throws Exception {
    assertInvalid(nested(OnnxModelReader.SUBGRAPH_DEPTH_LIMIT + 30), "levels deep");
    assertInvalid(nestedOnTheWire(5000), "levels deep");
  }

  /**
   * If nodes nested {@code depth} deep, written field by field: protobuf-java itself cannot serialize a
   * message this deep without running out of stack.
   */
  private Path nestedOnTheWire(int depth) throws Exception {
    byte[] graph = new ModelBuilder.Graph("leaf").node("Identity", List.of("x"), List.of("y")).build().toByteArray();
    for (int i = 0; i < depth; i++) {
      byte[] attribute = concat(field(1, "then_branch".getBytes()), new byte[] {(byte) 0xa0, 0x01, 0x05}, field(6, graph));
      byte[] node = concat(field(4, "If".getBytes()), field(5, attribute));
      graph = field(1, node);
    }
    byte[] model = concat(new byte[] {0x08, 0x08}, field(7, graph), field(8, new byte[] {0x10, 0x11}));
    return file("deep.onnx", model);
  }

  private static byte[] field(int number, byte[] value) throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    com.google.protobuf.CodedOutputStream c = com.google.protobuf.CodedOutputStream.newInstance(out);
    c.writeByteArray(number, value);
    c.flush();
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** A chain of If nodes, each nested in the then-branch of the one before, with typed outputs at every level. */
  private Path nested(int depth) throws Exception {
    GraphProto g =
        new ModelBuilder.Graph("leaf")
            .node("Identity", List.of("x"), List.of("y"))
            .output("y", ElementType.FLOAT, "n", 3)
            .build();
    GraphProto empty = new ModelBuilder.Graph("empty").output("y", ElementType.FLOAT, "n", 3).build();
    for (int i = 1; i < depth; i++) {
      g = new ModelBuilder.Graph("level" + i).ifNode("c", g, empty, "y").output("y", ElementType.FLOAT, "n", 3).build();
    }
    ModelBuilder b = model();
    b.graph().ifNode("c", g, empty, "y").output("y", ElementType.FLOAT, "n", 3);
    return b.write(dir.resolve("nested" + depth + ".onnx"));
  }

  static List<String> realModels() {
    return List.of("test_if.onnx", "test_AvgPool2d.onnx");
  }

  @ParameterizedTest
  @MethodSource("realModels")
  void everyCutOfARealModelIsInvalid(String name) throws Exception {
    byte[] full = fixture(name);
    for (int cut = 0; cut < full.length; cut++) {
      Path p = file("cut.onnx", Arrays.copyOf(full, cut));
      try {
        OnnxModelReader.read(p);
        fail("a model cut at byte " + cut + " of " + full.length + " was accepted");
      } catch (InvalidModelException e) {
        assertThat(e.getMessage()).as("cut at %d", cut).doesNotContain("\n").isNotBlank();
      }
    }
  }

  @Test
  void cutsOfAModelWithSkimmedWeightsAreInvalid() throws Exception {
    ModelBuilder b = model().producer("tests", "1");
    b.graph()
        .input("x", ElementType.FLOAT, 1, 25_000)
        .initializer(raw("w", ElementType.FLOAT, new byte[100_000], 25_000))
        .initializer(raw("b", ElementType.FLOAT, new byte[8], 2))
        .node("Add", List.of("x", "w"), List.of("y"))
        .output("y", ElementType.FLOAT, 1, 25_000);
    // The opset import is the last field on the wire, so no cut leaves a complete model.
    byte[] full = b.build().toByteArray();
    int checked = 0;
    int stop = full.length;
    for (int cut : IntStream.range(0, stop).filter(c -> c < 2000 || c > stop - 2000 || c % 97 == 0).toArray()) {
      Path p = file("cut.onnx", Arrays.copyOf(full, cut));
      assertThatThrownBy(() -> OnnxModelReader.read(p)).as("cut at %d", cut).isInstanceOf(InvalidModelException.class);
      checked++;
    }
    assertThat(checked).isGreaterThan(4000);
  }

  @Test
  void randomBytesAreInvalid() throws Exception {
    for (int seed = 0; seed < 2000; seed++) {
      Random r = new Random(seed);
      byte[] bytes = new byte[1 + r.nextInt(seed < 1000 ? 64 : 8192)];
      r.nextBytes(bytes);
      Path p = file("random.onnx", bytes);
      int s = seed;
      assertThatThrownBy(() -> OnnxModelReader.read(p))
          .as("seed %d", s)
          .isInstanceOf(InvalidModelException.class)
          .hasMessageNotContaining("\n");
    }
  }

  @Test
  void mutatedModelsAreReadOrRefusedCleanly() throws Exception {
    byte[] original = fixture("test_if.onnx");
    int read = 0;
    for (int seed = 0; seed < 3000; seed++) {
      Random r = new Random(seed);
      byte[] bytes = original.clone();
      for (int k = 1 + r.nextInt(4); k > 0; k--) {
        bytes[r.nextInt(bytes.length)] = (byte) r.nextInt(256);
      }
      Path p = file("mutant.onnx", bytes);
      try {
        OnnxModelReader.read(p);
        read++;
      } catch (InvalidModelException | UnsafeModelPathException e) {
        assertThat(e.getMessage()).doesNotContain("\n");
      }
    }
    assertThat(read).as("many single-byte changes only alter names or values").isPositive();
  }
}
