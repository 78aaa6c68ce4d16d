package dev.trtcompat.fp16;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.OperatorSetIdProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorShapeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TypeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import dev.trtcompat.quantize.ModelFiles;
import dev.trtcompat.quantize.OutputAccuracy;
import dev.trtcompat.quantize.Progress;
import dev.trtcompat.quantize.Quantizer;
import dev.trtcompat.quantize.SyntheticCalibrationSet;
import dev.trtcompat.reference.InputShapes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Fp16ConverterTest {

  static final Path EXPORTS =
      Path.of(System.getProperty("trtcompat.repo", ".."), "compat-matrix/src/test/resources/pytorch-exports");

  @TempDir Path tmp;

  private static TensorProto scalar(String name, float v) {
    return TensorProto.newBuilder().setName(name).setDataType(1)
        .setRawData(ByteString.copyFrom(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, v))).build();
  }

  private static ValueInfoProto value(String name) {
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
        TypeProto.Tensor.newBuilder().setElemType(1).setShape(TensorShapeProto.newBuilder()
            .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(1))
            .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(4))))).build();
  }

  private static NodeProto node(String op, String name, String a, String b, String out) {
    return NodeProto.newBuilder().setOpType(op).setName(name).addInput(a).addInput(b).addOutput(out).build();
  }

  /** x -> big = x * 1e6 (|big| up to 1e6, beyond FP16) -> small = big * 1e-6 -> y = Tanh(small + 0.5). */
  private Path overflowing() throws Exception {
    GraphProto g = GraphProto.newBuilder().setName("overflow")
        .addInput(value("x")).addOutput(value("y"))
        .addInitializer(scalar("up", 1e6f)).addInitializer(scalar("down", 1e-6f)).addInitializer(scalar("half", 0.5f))
        .addNode(node("Mul", "scale_up", "x", "up", "big"))
        .addNode(node("Mul", "scale_down", "big", "down", "small"))
        .addNode(node("Add", "shift", "small", "half", "shifted"))
        .addNode(NodeProto.newBuilder().setOpType("Tanh").setName("act").addInput("shifted").addOutput("y"))
        .build();
    ModelProto m = ModelProto.newBuilder().setIrVersion(8).setGraph(g)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).build();
    Path file = tmp.resolve("overflow.onnx");
    Files.write(file, m.toByteArray());
    return file;
  }

  @Test
  void nodesThatOverflowStayFp32AndTheRestRunsInFp16() throws Exception {
    Path out = tmp.resolve("overflow.fp16.onnx");
    Fp16Result r = new Fp16Converter().convert(
        Fp16Request.of(overflowing(), new SyntheticCalibrationSet(8, 1, InputShapes.NONE), out).withThreads(1),
        Progress.NONE);
    assertThat(r.keptFp32()).extracting(Fp16Result.KeptNode::node).containsExactly("scale_up", "scale_down");
    assertThat(r.keptFp32().get(0).reason()).contains("beyond FP16's 65504");
    assertThat(r.fp16Nodes()).isEqualTo(2); // shift and act
    ModelProto written = ModelFiles.load(out);
    assertThat(written.getGraph().getNodeList()).filteredOn(n -> n.getOpType().equals("Cast")).hasSize(2);
    assertThat(written.getGraph().getInitializerList())
        .anySatisfy(t -> assertThat(t.getDataType()).isEqualTo(TensorProto.DataType.FLOAT16_VALUE));
    // Tanh of values near 0.5 in FP16: 10 mantissa bits, errors of a few 1e-4 at most.
    assertThat(r.accuracy().outputs().get(0).maxAbsError()).isLessThan(2e-3);
    assertThat(r.accuracy().outputs().get(0).cosineMin()).isGreaterThan(0.9999);
  }

  @Test
  void mobilenetAndTransformerConvertWithBoundedError() throws Exception {
    Fp16Result mobilenet = new Fp16Converter().convert(
        Fp16Request.of(EXPORTS.resolve("classification_mobilenet_v2.onnx"),
            new SyntheticCalibrationSet(6, 1, InputShapes.NONE), tmp.resolve("m.fp16.onnx")).withThreads(2),
        Progress.NONE);
    // measured: cosine 0.99999+; the classifier's logits (~1e-8, untrained weights) are below FP16's normal range
    assertThat(mobilenet.accuracy().outputs().get(0).cosineMin()).isGreaterThan(0.999);
    assertThat(mobilenet.fp16Nodes()).isGreaterThan(100);
    // a weight read only by FP16 nodes is stored once, as FLOAT16: the file is smaller than the FP32 one (939 against
    // 1,011 KB; most weights of this untrained export stay FP32 with their nodes), not larger by the copies
    assertThat(Files.size(tmp.resolve("m.fp16.onnx")))
        .isLessThan(Files.size(EXPORTS.resolve("classification_mobilenet_v2.onnx")));
    Fp16Result transformer = new Fp16Converter().convert(
        Fp16Request.of(EXPORTS.resolve("transformer_encoder.onnx"),
            new SyntheticCalibrationSet(6, 1, InputShapes.parse("tokens:2x16x32")), tmp.resolve("t.fp16.onnx"))
            .withThreads(2),
        Progress.NONE);
    assertThat(transformer.keptFp32()).extracting(Fp16Result.KeptNode::op).contains("ReduceMean", "Softmax");
    assertThat(transformer.accuracy().outputs().get(0).cosineMin()).isGreaterThan(0.999);
  }

  @Test
  void detectionBoxesAreComparedByIou() {
    // NonZero picks the boxes: the exposed tensors' shapes change from sample to sample.
    Fp16Result r = new Fp16Converter().convert(
        Fp16Request.of(EXPORTS.resolve("detection_nms_nonzero.onnx"),
            new SyntheticCalibrationSet(8, 1, InputShapes.NONE), tmp.resolve("d.fp16.onnx"))
            .withBoxesOutput("boxes").withThreads(2),
        Progress.NONE);
    OutputAccuracy boxes =
        r.accuracy().outputs().stream().filter(o -> o.name().equals("boxes")).findFirst().orElseThrow();
    assertThat(boxes.meanIou()).isNotNull().isGreaterThan(0.5);
    assertThat(boxes.iouAtLeastHalf()).isNotNull();
    assertThat(boxes.top1Agreement()).as("no class agreement for the named box output").isNull();
    assertThat(r.accuracy().outputs()).filteredOn(o -> !o.name().equals("boxes"))
        .allSatisfy(o -> assertThat(o.meanIou()).isNull());
  }

  /** FP16 has no scales: random data says what it costs FP16 (the keep list and the accuracy), in every text. */
  @Test
  void randomDataIsFlaggedInFp16Words() throws Exception {
    Path out = tmp.resolve("random.fp16.onnx");
    Fp16Result r = new Fp16Converter().convert(
        Fp16Request.of(overflowing(), new SyntheticCalibrationSet(4, 1, InputShapes.NONE), out).withThreads(1),
        Progress.NONE);
    String caveat = "FP32 keep list and accuracy from random data: timing only";
    assertThat(r.caveat()).isEqualTo(caveat);
    assertThat(r.statistics()).isEqualTo("4 random sample(s), seed 1 (" + caveat + ")");
    assertThat(r.accuracy().data()).endsWith("(" + caveat + ")");
    assertThat(ModelFiles.load(out).getMetadataPropsList())
        .filteredOn(p -> p.getKey().equals(Quantizer.META_DATA))
        .singleElement().satisfies(p -> assertThat(p.getValue()).isEqualTo(r.statistics()));
  }
}
