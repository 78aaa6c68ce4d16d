package dev.trtcompat.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.check.ExplicitQuantizationVerdict;
import dev.trtcompat.check.ExplicitQuantizationVerdict.Mode;
import dev.trtcompat.check.Severity;
import dev.trtcompat.check.Verdict;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.reference.InputShapes;
import dev.trtcompat.rules.ReleaseRules;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The static checker's explicit-quantization rules (compat-matrix {@code QdqRules}) judge quantize's own output per
 * release, as the result reports it, and find what a hand-broken Q/DQ model does wrong.
 */
class QdqVerdictTest {

  @TempDir Path tmp;

  private Path quantized() throws Exception {
    Path model = QuantizeFixtures.write(tmp.resolve("residual.onnx"), QuantizeFixtures.residualNet(13));
    Path out = tmp.resolve("residual.int8.onnx");
    QuantizeResult r = new Quantizer().quantize(
        QuantizeRequest.of(model, new SyntheticCalibrationSet(4, 1, InputShapes.NONE), out).withThreads(2),
        Progress.NONE);
    List<String> releases =
        CompatibilityChecker.bundled().knowledgeBase().releases().stream().map(ReleaseRules::release).toList();
    assertThat(r.explicitQuantization()).extracting(ExplicitQuantizationVerdict::tensorrt)
        .containsExactlyElementsOf(releases);
    // TensorRT 7.x imports Q/DQ as scale layers (no INT8 from the scales); 8.0 and newer build it as explicit INT8.
    for (ExplicitQuantizationVerdict v : r.explicitQuantization()) {
      if (v.tensorrt().startsWith("7.")) {
        assertThat(v.mode()).as(v.tensorrt()).isEqualTo(Mode.SCALE_LAYERS);
        assertThat(v.verdict()).as(v.tensorrt()).isEqualTo(Verdict.INCOMPATIBLE);
        assertThat(v.findings()).anyMatch(f -> f.rule().equals("qdq.not_explicit"));
      } else {
        assertThat(v.mode()).as(v.tensorrt()).isEqualTo(Mode.EXPLICIT);
        assertThat(v.verdict()).as(v.tensorrt() + ": " + v.findings()).isEqualTo(Verdict.COMPATIBLE);
        assertThat(v.findings()).isEmpty();
      }
    }
    assertThat(releases).anyMatch(t -> t.startsWith("7.")).contains("8.0", "10.0");
    return out;
  }

  private ExplicitQuantizationVerdict judge(ModelProto m, String release) throws Exception {
    Path file = QuantizeFixtures.write(tmp.resolve("broken-" + release + ".onnx"), m);
    List<ExplicitQuantizationVerdict> vs =
        ExplicitQuantizationVerdict.of(CompatibilityChecker.bundled().check(OnnxModelReader.read(file), List.of(release)));
    assertThat(vs).hasSize(1);
    return vs.get(0);
  }

  @Test
  void ourOutputIsExplicitInt8From80AndAPerChannelAxisOnTheWrongDimensionIsFound() throws Exception {
    ModelProto ok = ModelFiles.load(quantized());
    // fc's weight [10, 64] (transB=1) has 10 per-channel scales on axis 0; moving its QuantizeLinear to axis 1
    // (64 channels) breaks the scale count.
    ModelProto broken = editNode(ok, "fc_w_w_QuantizeLinear", n -> n.toBuilder().clearAttribute()
        .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(1))
        .build());
    ExplicitQuantizationVerdict v = judge(broken, "8.6");
    assertThat(v.mode()).isEqualTo(Mode.EXPLICIT);
    assertThat(v.verdict()).isEqualTo(Verdict.INCOMPATIBLE);
    assertThat(v.findings()).anySatisfy(f -> {
      assertThat(f.rule()).isEqualTo("qdq.scale_count");
      assertThat(f.node()).isEqualTo("fc_w_w_QuantizeLinear");
      assertThat(f.message()).contains("10 scales").contains("64 channels on axis 1");
    });
    assertThat(judge(ok, "8.6").verdict()).isEqualTo(Verdict.COMPATIBLE);
  }

  @Test
  void aNonZeroZeroPointIsFound() throws Exception {
    ModelProto ok = ModelFiles.load(quantized());
    GraphProto g = ok.getGraph();
    int i = g.getInitializerList().stream().map(TensorProto::getName).toList().indexOf("x_zero_point");
    assertThat(i).isNotNegative();
    ModelProto broken = ok.toBuilder().setGraph(g.toBuilder().setInitializer(i,
        g.getInitializer(i).toBuilder().setRawData(ByteString.copyFrom(new byte[] {3})))).build();
    // TensorRT 10.0's importer asserts symmetric quantization: the parse finding on the Q/DQ node counts (the Q/DQ
    // rules cite the importer instead of repeating it).
    ExplicitQuantizationVerdict v = judge(broken, "10.0");
    assertThat(v.findings()).anySatisfy(f -> {
      assertThat(f.severity()).isEqualTo(Severity.ERROR);
      assertThat(f.node()).isEqualTo("x_QuantizeLinear");
      assertThat(f.message()).contains("zero_point is not zero").contains("symmetric");
    });
    assertThat(v.mode()).isEqualTo(Mode.EXPLICIT);
    assertThat(v.verdict()).isEqualTo(Verdict.INCOMPATIBLE);
  }

  private static ModelProto editNode(ModelProto m, String name, UnaryOperator<NodeProto> edit) {
    GraphProto.Builder g = m.getGraph().toBuilder();
    for (int i = 0; i < g.getNodeCount(); i++) {
      if (g.getNode(i).getName().equals(name)) {
        g.setNode(i, edit.apply(g.getNode(i)));
        return m.toBuilder().setGraph(g).build();
      }
    }
    throw new AssertionError("no node " + name);
  }
}
