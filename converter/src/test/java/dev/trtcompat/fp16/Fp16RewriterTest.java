package dev.trtcompat.fp16;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.OperatorSetIdProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.reference.Float16;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FLOAT16 copies of weights: the same bytes whether they live on the heap or in scratch pages. */
class Fp16RewriterTest {

  @Test
  void aLargeCopyLivesInScratchPagesAndHoldsTheSameValuesAsASmallOne() {
    int large = Fp16Rewriter.SCRATCH_FROM / 2 + 3; // FLOAT16 copy just over the scratch threshold
    TensorProto big = floats("big", large);
    TensorProto small = floats("small", 1000);

    TensorProto bigHalf = Fp16Rewriter.toHalf(big, "big_fp16");
    TensorProto smallHalf = Fp16Rewriter.toHalf(small, "small_fp16");

    assertThat(bigHalf.getRawData().asReadOnlyByteBuffer().isDirect()).isTrue();
    assertThat(smallHalf.getRawData().asReadOnlyByteBuffer().isDirect()).isFalse();
    for (TensorProto[] pair : new TensorProto[][] {{big, bigHalf}, {small, smallHalf}}) {
      assertThat(pair[1].getDataType()).isEqualTo(TensorProto.DataType.FLOAT16_VALUE);
      assertThat(pair[1].getDimsList()).isEqualTo(pair[0].getDimsList());
      assertThat(pair[1].getRawData()).isEqualTo(expectedHalf(pair[0]));
    }
  }

  @Test
  void theHeapNeedCountsTheSmallFloatCopiesOnly(@TempDir Path dir) throws IOException {
    TensorProto big = floats("big", Fp16Rewriter.SCRATCH_FROM / 2); // its copy is exactly the threshold: scratch
    TensorProto small = floats("small", 1000);
    TensorProto ints = TensorProto.newBuilder().setName("shape").setDataType(TensorProto.DataType.INT64_VALUE)
        .addDims(2).setRawData(ByteString.copyFrom(new byte[16])).build();
    ModelProto model = ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17))
        .setGraph(GraphProto.newBuilder().setName("g").addInitializer(big).addInitializer(small).addInitializer(ints))
        .build();
    Path file = Files.write(dir.resolve("m.onnx"), model.toByteArray());

    assertThat(Fp16Rewriter.heapCopies(OnnxModelReader.read(file))).isEqualTo(2000);
  }

  /** Values that cover saturation (beyond 65504) and NaN, spread over the whole tensor. */
  private static TensorProto floats(String name, int n) {
    ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      float v = i % 1000 == 7 ? Float.NaN : i % 1000 == 11 ? 1e6f : (i % 2000 - 1000) * 0.37f;
      b.putFloat(v);
    }
    return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE).addDims(n)
        .setRawData(ByteString.copyFrom(b.flip())).build();
  }

  private static ByteString expectedHalf(TensorProto t) {
    ByteBuffer in = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer out = ByteBuffer.allocate(in.remaining() / 2).order(ByteOrder.LITTLE_ENDIAN);
    while (in.hasRemaining()) {
      float v = in.getFloat();
      out.putShort(Float16.fromFloat(Float.isNaN(v) ? v : Math.max(-65504f, Math.min(65504f, v))));
    }
    return ByteString.copyFrom(out.flip());
  }
}
