package dev.trtcompat.quantize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.InputShapes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Wrong calibration data and unrunnable models: a clear error naming what is wrong, and nothing written. */
class QuantizeBadInputTest {

  @TempDir Path tmp;

  private Path model() throws Exception {
    return QuantizeFixtures.write(tmp.resolve("net.onnx"), QuantizeFixtures.residualNet(13));
  }

  private AbstractThrowableAssert<?, ? extends Throwable> quantizing(Path model, CalibrationSet data) throws Exception {
    Path outDir = Files.createDirectories(tmp.resolve("out"));
    var a = assertThatThrownBy(
        () -> new Quantizer().quantize(QuantizeRequest.of(model, data, outDir.resolve("q.onnx")).withThreads(1), Progress.NONE))
        .isInstanceOf(UserFacingException.class);
    try (Stream<Path> left = Files.list(outDir)) {
      assertThat(left).as("nothing half-written").isEmpty();
    }
    return a;
  }

  private CalibrationSet npz(String name, HostTensor t) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("calib-" + name));
    QuantizeFixtures.npz(dir.resolve("a.npz"), Map.of(t.name(), t));
    QuantizeFixtures.npz(dir.resolve("b.npz"), Map.of(t.name(), t));
    return CalibrationFiles.open(dir, null);
  }

  @Test
  void anArrayWithAnotherNameNamesTheInputsAndTheirShapes() throws Exception {
    quantizing(model(), npz("name", QuantizeFixtures.randomFloats("images", 1, 1, 4, 8, 8)))
        .hasMessageContaining("'images'").hasMessageContaining("x FLOAT 1x4x8x8")
        .extracting(e -> ((UserFacingException) e).kind()).isEqualTo(Kind.BAD_REQUEST);
  }

  @Test
  void aWrongShapeNamesTheInputAndTheExpectedShape() throws Exception {
    quantizing(model(), npz("shape", QuantizeFixtures.randomFloats("x", 1, 1, 4, 16, 16)))
        .hasMessageContaining("input 'x' has shape 1x4x16x16 but the model expects 1x4x8x8")
        .extracting(e -> ((UserFacingException) e).kind()).isEqualTo(Kind.BAD_REQUEST);
  }

  @Test
  void aWrongTypeNamesTheInputAndTheExpectedType() throws Exception {
    HostTensor doubles = new HostTensor("x", ElementType.DOUBLE, new long[] {1, 4, 8, 8}, ByteBuffer.allocate(256 * 8));
    quantizing(model(), npz("type", doubles))
        .hasMessageContaining("input 'x' is DOUBLE but the model expects FLOAT 1x4x8x8")
        .extracting(e -> ((UserFacingException) e).kind()).isEqualTo(Kind.BAD_REQUEST);
  }

  @Test
  void anEmptyFolderIsRefused() throws Exception {
    Path empty = Files.createDirectory(tmp.resolve("empty"));
    assertThatThrownBy(() -> CalibrationFiles.open(empty, null))
        .isInstanceOf(UserFacingException.class).hasMessageContaining("holds no .npy, .npz, .jpg");
  }

  @Test
  void anUnreadableImageIsNamed() throws Exception {
    Path images = Files.createDirectory(tmp.resolve("images"));
    // a PNG's signature, then nothing a decoder can read: refused when calibration decodes it
    Files.write(images.resolve("broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 1, 2});
    Path mobilenet = QuantizeFixtures.EXPORTS.resolve("classification_mobilenet_v2.onnx");
    quantizing(mobilenet, CalibrationFiles.open(images, ImagePreprocessing.defaults()))
        .hasMessage("calibration image broken.png is a truncated or damaged PNG: it cannot be decoded whole");
    // a file holding no image at all is refused when the folder is opened, before anything runs
    Files.write(images.resolve("text.png"), "not a picture".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> CalibrationFiles.open(images, ImagePreprocessing.defaults()))
        .hasMessage("calibration image text.png holds text, not a JPEG or PNG image");
  }

  @Test
  void aModelOnnxRuntimeCannotRunLeavesNothingBehind() throws Exception {
    ModelProto net = QuantizeFixtures.residualNet(13);
    var g = net.getGraph().toBuilder();
    g.setNode(1, g.getNode(1).toBuilder().setOpType("NoSuchOperator")); // Relu -> an operator nobody implements
    Path broken = QuantizeFixtures.write(tmp.resolve("broken.onnx"), net.toBuilder().setGraph(g).build());
    quantizing(broken, new SyntheticCalibrationSet(2, 1, InputShapes.NONE))
        .hasMessageContaining("ONNX Runtime cannot load");
  }

  /**
   * A model that loads but fails while running: a Gather whose constant indices reach past the input's 4 channels
   * (shape inference accepts it: 4 indices give 4 channels; the bound is only checked on the values, at run time).
   */
  @Test
  void aModelThatFailsAtRunTimeLeavesNothingBehind() throws Exception {
    ModelProto net = QuantizeFixtures.residualNet(13);
    var g = net.getGraph().toBuilder();
    g.addInitializer(dev.trtcompat.onnx.proto.OnnxProtos.TensorProto.newBuilder().setName("channels")
        .setDataType(dev.trtcompat.onnx.proto.OnnxProtos.TensorProto.DataType.INT64_VALUE).addDims(4)
        .addAllInt64Data(java.util.List.of(0L, 1L, 2L, 7L)));
    g.addNode(0, dev.trtcompat.onnx.proto.OnnxProtos.NodeProto.newBuilder().setName("pick").setOpType("Gather")
        .addInput("x").addInput("channels").addOutput("xg")
        .addAttribute(dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto.newBuilder().setName("axis").setI(1)
            .setType(dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto.AttributeType.INT)));
    g.setNode(1, g.getNode(1).toBuilder().setInput(0, "xg")); // c1 reads the gathered channels
    Path broken = QuantizeFixtures.write(tmp.resolve("fails-at-run.onnx"), net.toBuilder().setGraph(g).build());
    quantizing(broken, new SyntheticCalibrationSet(2, 1, InputShapes.NONE))
        .hasMessageContaining("ONNX Runtime could not run")
        .extracting(e -> ((UserFacingException) e).error()).isEqualTo("onnxruntime_run_failed");
  }

  @Test
  void anOldOpsetWithChangedOperatorsIsRefusedWithTheReason() throws Exception {
    ModelProto net = QuantizeFixtures.residualNet(11);
    var g = net.getGraph().toBuilder();
    g.setNode(5, g.getNode(5).toBuilder().setOpType("Squeeze").clearAttribute()); // Flatten -> Squeeze
    Path old = QuantizeFixtures.write(tmp.resolve("old.onnx"), net.toBuilder().setGraph(g).build());
    quantizing(old, new SyntheticCalibrationSet(2, 1, InputShapes.NONE))
        .hasMessageContaining("opset 11").hasMessageContaining("[Squeeze]");
  }
}
