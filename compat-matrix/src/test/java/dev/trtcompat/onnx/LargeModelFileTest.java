package dev.trtcompat.onnx;

import static dev.trtcompat.onnx.WireBytes.concat;
import static dev.trtcompat.onnx.WireBytes.field;
import static dev.trtcompat.onnx.WireBytes.node;
import static dev.trtcompat.onnx.WireBytes.tag;
import static dev.trtcompat.onnx.WireBytes.valueInfo;
import static dev.trtcompat.onnx.WireBytes.varint;
import static dev.trtcompat.onnx.WireBytes.varintField;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model over protobuf's 2 GiB limit: one initializer whose raw_data is ~2.2 GB of zeros, written as a
 * hole in a sparse file, with nodes before and after it. The reader must find everything around the weights
 * and record the weights' place without reading them.
 */
class LargeModelFileTest {

  static final long ELEMENTS = 550_000_000L;
  static final long RAW = ELEMENTS * 4;

  @TempDir Path dir;

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void modelOverTwoGibIsReadAroundItsWeights() throws Exception {
    byte[] before = field(1, node("MatMul", "x", "big", "m"));
    byte[] tensorHeader = concat(varintField(1, ELEMENTS), varintField(2, 1), field(8, "big".getBytes()), tag(9, 2), varint(RAW));
    byte[] after =
        concat(
            field(1, node("Relu", "m", null, "y")),
            field(11, valueInfo("x")),
            field(12, valueInfo("y")));
    long tensorLength = tensorHeader.length + RAW;
    byte[] initializerPrefix = concat(tag(5, 2), varint(tensorLength));
    long graphLength = before.length + initializerPrefix.length + tensorLength + after.length;
    byte[] head = concat(varintField(1, 9), field(2, "tests".getBytes()), tag(7, 2), varint(graphLength), before, initializerPrefix, tensorHeader);
    byte[] tail = concat(after, field(8, concat(varintField(2, 17))));

    Path file = dir.resolve("big.onnx");
    long rawOffset = head.length;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(head));
      ch.write(ByteBuffer.wrap(tail), rawOffset + RAW);
    }

    OnnxModel m = OnnxModelReader.read(file);

    assertThat(m.fileBytes()).isEqualTo(head.length + RAW + tail.length).isGreaterThan(Integer.MAX_VALUE);
    assertThat(m.graph().nodes()).extracting(NodeProto::getOpType).containsExactly("MatMul", "Relu");
    TensorInfo t = m.graph().initializers().get(0);
    assertThat(t.name()).isEqualTo("big");
    assertThat(t.elemType()).isEqualTo(ElementType.FLOAT);
    assertThat(t.dims()).containsExactly(ELEMENTS);
    assertThat(t.payloadBytes()).isEqualTo(RAW);
    assertThat(t.storedOffset()).isEqualTo(rawOffset);
    assertThat(t.storedLength()).isEqualTo(RAW);
    ModelSummary s = ModelSummary.of(m);
    assertThat(s.irVersion()).isEqualTo(9);
    assertThat(s.producerName()).isEqualTo("tests");
    assertThat(s.opsetImports()).containsExactly(Map.entry("ai.onnx", 17L));
    assertThat(s.inputs()).extracting(ModelSummary.ValueSummary::name).containsExactly("x");
    assertThat(s.outputs()).extracting(ModelSummary.ValueSummary::name).containsExactly("y");
    assertThat(s.initializerBytes()).isEqualTo(RAW);
  }
}
