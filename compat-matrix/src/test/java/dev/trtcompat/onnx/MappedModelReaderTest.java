package dev.trtcompat.onnx;

import static dev.trtcompat.onnx.WireBytes.concat;
import static dev.trtcompat.onnx.WireBytes.field;
import static dev.trtcompat.onnx.WireBytes.node;
import static dev.trtcompat.onnx.WireBytes.tag;
import static dev.trtcompat.onnx.WireBytes.valueInfo;
import static dev.trtcompat.onnx.WireBytes.varint;
import static dev.trtcompat.onnx.WireBytes.varintField;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MappedModelReader}: the full ModelProto of a file, including one over 2 GiB (a sparse file: two
 * initializers of 1.1 GB of zeros each, written as holes, with marker bytes at the ends of each payload).
 */
class MappedModelReaderTest {

  /** 275M floats: 1.1 GB per tensor, 2.2 GB for the two, each under protobuf's 2 GiB field limit. */
  static final long ELEMENTS = 275_000_000L;
  static final long RAW = ELEMENTS * 4;

  @TempDir Path dir;

  @Test
  void smallModelEqualsProtobufsOwnParse() throws IOException {
    ModelBuilder b = ModelBuilder.model().producer("tests", "1").metadata("k", "v").trainingInfo();
    b.graph()
        .input("x", ElementType.FLOAT, "n", 300)
        .initializer(ModelBuilder.floats("w", new float[300], 300))
        .constant("c", ModelBuilder.floats("", new float[20_000], 20_000))
        .node("Relu", java.util.List.of("x"), java.util.List.of("r"))
        .node("Add", java.util.List.of("r", "w"), java.util.List.of("y"))
        .output("y", ElementType.FLOAT, "n", 300);
    ModelProto m = b.build();
    Path file = Files.write(dir.resolve("m.onnx"), m.toByteArray());
    assertThat(MappedModelReader.read(file)).isEqualTo(ModelProto.parseFrom(Files.readAllBytes(file)));
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void modelOverTwoGibIsReadWithItsPayloadsLeftInTheMapping() throws IOException {
    Path file = dir.resolve("big.onnx");
    long[] payloadAt = writeSparseModel(file);
    assertThat(Files.size(file)).isGreaterThan(Integer.MAX_VALUE);

    ModelProto m = MappedModelReader.read(file);

    GraphProto g = m.getGraph();
    assertThat(g.getNodeList()).extracting(NodeProto::getOpType).containsExactly("MatMul", "MatMul", "Relu");
    assertThat(g.getInitializerList()).extracting(TensorProto::getName).containsExactly("a", "b");
    assertThat(m.getOpsetImport(0).getVersion()).isEqualTo(17);
    assertThat(g.getOutput(0).getName()).isEqualTo("y");
    for (int i = 0; i < 2; i++) {
      ByteString raw = g.getInitializer(i).getRawData();
      assertThat(raw.size()).isEqualTo(RAW);
      // a view of the file, not a heap copy
      assertThat(raw.asReadOnlyByteBuffer().isDirect()).isTrue();
      // marker bytes at both ends of each payload: the second lies past 2 GiB in the file
      assertThat(raw.byteAt(0)).isEqualTo((byte) (0x10 + i));
      assertThat(raw.byteAt((int) RAW - 1)).isEqualTo((byte) (0x20 + i));
      assertThat(raw.byteAt((int) RAW / 2)).isZero();
    }
    assertThat(payloadAt[1] + RAW).isGreaterThan(Integer.MAX_VALUE);
  }

  @Test
  void aFieldOverTwoGibIsAClearError() throws IOException {
    Path file = dir.resolve("huge-field.onnx");
    byte[] header = concat(varintField(1, 600_000_000L), varintField(2, 1), field(8, "big".getBytes()), tag(9, 2),
        varint(2_400_000_000L));
    long tensorLength = header.length + 2_400_000_000L;
    byte[] head = concat(varintField(1, 9), tag(7, 2), varint(lengthField(5, tensorLength)), tag(5, 2),
        varint(tensorLength), header);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(head));
      ch.write(ByteBuffer.wrap(concat(field(8, varintField(2, 17)))), head.length + 2_400_000_000L);
    }
    assertThatThrownBy(() -> MappedModelReader.read(file))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("at most 2 GiB");
  }

  /** MatMul(x, a), MatMul(., b), Relu; a and b 1.1 GB each as holes; returns the payloads' file offsets. */
  private static long[] writeSparseModel(Path file) throws IOException {
    byte[] nodes = concat(
        field(1, node("MatMul", "x", "a", "m1")),
        field(1, node("MatMul", "m1", "b", "m2")),
        field(1, node("Relu", "m2", null, "y")));
    byte[] headerA = tensorHeader("a");
    byte[] headerB = tensorHeader("b");
    long lenA = headerA.length + RAW;
    long lenB = headerB.length + RAW;
    byte[] prefixA = concat(tag(5, 2), varint(lenA));
    byte[] prefixB = concat(tag(5, 2), varint(lenB));
    byte[] after = concat(field(11, valueInfo("x")), field(12, valueInfo("y")));
    long graphLength = nodes.length + prefixA.length + lenA + prefixB.length + lenB + after.length;
    byte[] head = concat(varintField(1, 9), field(2, "tests".getBytes()), tag(7, 2), varint(graphLength), nodes,
        prefixA, headerA);
    long payloadA = head.length;
    long payloadB = payloadA + RAW + prefixB.length + headerB.length;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(head));
      ch.write(ByteBuffer.wrap(new byte[] {0x10}), payloadA);
      ch.write(ByteBuffer.wrap(concat(new byte[] {0x20}, prefixB, headerB, new byte[] {0x11})), payloadA + RAW - 1);
      ch.write(ByteBuffer.wrap(concat(new byte[] {0x21}, after, field(8, varintField(2, 17)))), payloadB + RAW - 1);
    }
    return new long[] {payloadA, payloadB};
  }

  private static byte[] tensorHeader(String name) throws IOException {
    return concat(varintField(1, ELEMENTS), varintField(2, 1), field(8, name.getBytes()), tag(9, 2), varint(RAW));
  }

  private static long lengthField(int field, long length) {
    return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt64SizeNoTag(length) + length;
  }
}
