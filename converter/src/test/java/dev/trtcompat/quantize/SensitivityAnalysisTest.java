package dev.trtcompat.quantize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.ByteString;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.reference.InputShapes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Per-layer sensitivity, one at a time and leave one out, on the repository's PyTorch exports and a small
 * ModelBuilder network: a layer made deliberately sensitive (its input has one
 * huge channel that its weights ignore, so a per-tensor INT8 scale wipes out the channels that matter) must rank
 * first, be the one layer kept in FP32, and the model written must meet the target when measured again on ONNX
 * Runtime; the budget must stop the analysis cleanly with a model written.
 */
class SensitivityAnalysisTest {

  @TempDir Path tmp;

  @Test
  void findsTheDeliberatelySensitiveLayerKeepsItInFp32AndTheWrittenModelMeetsTheTarget() throws Exception {
    Planted planted = plantSensitiveLayer(ModelFiles.load(QuantizeFixtures.EXPORTS.resolve("segmentation.onnx")), 1);
    Path model = QuantizeFixtures.write(tmp.resolve("segmentation-planted.onnx"), planted.model());
    Path out = tmp.resolve("planted.int8.onnx");
    QuantizeRequest request =
        QuantizeRequest.of(model, new SyntheticCalibrationSet(8, 1, InputShapes.NONE), out)
            .withMethod(RangeMethod.MINMAX, 99.99).withThreads(2).withMaxEvalSamples(4);

    SensitivityResult r = new SensitivityAnalysis().run(
        request, new SensitivityAnalysis.Options(0.01, Duration.ofMinutes(10)), Progress.NONE);

    assertThat(r.complete()).isTrue();
    assertThat(r.stoppedBy()).isNull();
    assertThat(r.layersRanked()).isEqualTo(r.layers()).isGreaterThanOrEqualTo(3);
    assertThat(r.baselineError()).as("fully quantized model misses the target").isGreaterThan(0.01);
    SensitivityResult.LayerSensitivity first = r.ranking().get(0);
    assertThat(first.node()).isEqualTo(planted.conv());
    assertThat(first.error()).isGreaterThan(10 * r.ranking().get(1).error());
    assertThat(r.keptFp32()).containsExactly(planted.conv());
    assertThat(r.targetMet()).isTrue();
    assertThat(r.error()).isLessThanOrEqualTo(0.01);
    assertThat(r.candidates()).extracting(SensitivityResult.Candidate::keptFp32).contains(0, 1);
    assertThat(r.model().excludedNodes()).containsExactly(planted.conv());

    // The written model, measured again from the file, meets the target, and the planted Conv reads FP32.
    ModelProto written = ModelFiles.load(out);
    assertThat(written.getMetadataPropsList()).anySatisfy(e -> assertThat(e.getKey())
        .isEqualTo(SensitivityAnalysis.META_SENSITIVITY));
    NodeProto conv = written.getGraph().getNodeList().stream().filter(n -> n.getName().equals(planted.conv()))
        .findFirst().orElseThrow();
    assertThat(written.getGraph().getNodeList()).noneMatch(n -> n.getOpType().equals("DequantizeLinear")
        && conv.getInputList().contains(n.getOutput(0)));
    assertThat(written.getGraph().getNodeList()).filteredOn(n -> n.getOpType().equals("QuantizeLinear")).isNotEmpty();
    Quantizer.Prepared p = new Quantizer().prepare(request, Progress.NONE);
    AccuracySummary again = p.evaluation().evaluate(written, "the written model", Progress.NONE);
    assertThat(SensitivityAnalysis.error(again)).isLessThanOrEqualTo(0.01);
  }

  /**
   * Leave one out on two models with a layer made fragile in the test (its input has a channel 1e4 times the others):
   * a Conv of the PyTorch segmentation export and the second Conv of a small residual network built with
   * ModelBuilder. Keeping that layer in FP32 must remove most of the fully quantized model's error, more than any
   * other layer, so it ranks first and is the one layer the written model keeps in FP32.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("fragileModels")
  void leaveOneOutRanksTheFragileLayerFirstAndTheWrittenModelMeetsTheTarget(String name, ModelProto fp32, int which)
      throws Exception {
    Planted planted = plantSensitiveLayer(fp32, which);
    Path model = QuantizeFixtures.write(tmp.resolve(name + "-planted.onnx"), planted.model());
    Path out = tmp.resolve(name + ".int8.onnx");
    QuantizeRequest request =
        QuantizeRequest.of(model, new SyntheticCalibrationSet(8, 3, InputShapes.NONE), out)
            .withMethod(RangeMethod.MINMAX, 99.99).withThreads(2).withMaxEvalSamples(4);
    List<String> phases = new ArrayList<>();
    Progress progress = (phase, done, total) -> phases.add(phase + " " + done + "/" + total);

    SensitivityResult r = new SensitivityAnalysis().run(request,
        new SensitivityAnalysis.Options(SensitivityAnalysis.Mode.LEAVE_ONE_OUT, 0.01, Duration.ofMinutes(10)),
        progress);

    assertThat(r.mode()).isEqualTo(SensitivityAnalysis.Mode.LEAVE_ONE_OUT);
    assertThat(r.complete()).isTrue();
    assertThat(r.layersRanked()).isEqualTo(r.layers()).isGreaterThanOrEqualTo(3);
    assertThat(r.baselineError()).as("fully quantized model misses the target").isGreaterThan(0.01);
    assertThat(phases).contains("ranking layers leave-one-out " + r.layers() + "/" + r.layers());
    SensitivityResult.LayerSensitivity first = r.ranking().get(0);
    assertThat(first.node()).isEqualTo(planted.conv());
    assertThat(first.errorRemoved()).isGreaterThan(r.baselineError() / 2);
    for (SensitivityResult.LayerSensitivity l : r.ranking()) {
      // each entry is a measured model: the error with the layer in FP32, and what that removed from the baseline
      assertThat(l.error() + l.errorRemoved()).isCloseTo(r.baselineError(), within(1e-12));
      if (l != first) {
        assertThat(l.errorRemoved()).as(l.node()).isLessThan(first.errorRemoved() / 10);
      }
    }
    assertThat(r.keptFp32()).containsExactly(planted.conv());
    assertThat(r.targetMet()).isTrue();
    assertThat(r.error()).isLessThanOrEqualTo(0.01);
    assertThat(r.model().excludedNodes()).containsExactly(planted.conv());

    // The final run measured the model as written: measured again from the file, it gives the reported error.
    ModelProto written = ModelFiles.load(out);
    assertThat(written.getMetadataPropsList()).anySatisfy(e -> assertThat(e.getValue()).contains("leave-one-out"));
    Quantizer.Prepared p = new Quantizer().prepare(request, Progress.NONE);
    AccuracySummary again = p.evaluation().evaluate(written, "the written model", Progress.NONE);
    assertThat(SensitivityAnalysis.error(again)).isCloseTo(r.error(), within(1e-6));
  }

  static Stream<Arguments> fragileModels() {
    return Stream.of(
        Arguments.of("segmentation", ModelFiles.load(QuantizeFixtures.EXPORTS.resolve("segmentation.onnx")), 0),
        Arguments.of("residual", QuantizeFixtures.residualNet(13), 1));
  }

  @Test
  void aModeOtherThanTheTwoIsABadRequestNamingBoth() {
    assertThat(SensitivityAnalysis.Mode.parse("Leave-One-Out")).isEqualTo(SensitivityAnalysis.Mode.LEAVE_ONE_OUT);
    assertThat(SensitivityAnalysis.Mode.parse(" one-at-a-time")).isEqualTo(SensitivityAnalysis.Mode.ONE_AT_A_TIME);
    assertThatThrownBy(() -> SensitivityAnalysis.Mode.parse("all-at-once"))
        .isInstanceOf(UserFacingException.class)
        .hasMessageContaining("one-at-a-time or leave-one-out").hasMessageContaining("'all-at-once'");
  }

  @Test
  void theBudgetStopsRankingCleanlyAndStillWritesAModel() throws Exception {
    // A clock that moves one second per reading: a 6 s budget covers a few layers of MobileNetV2's 60-odd.
    AtomicLong now = new AtomicLong();
    SensitivityAnalysis analysis = new SensitivityAnalysis(() -> now.addAndGet(1_000_000_000L));
    Path out = tmp.resolve("budget.int8.onnx");
    QuantizeRequest request =
        QuantizeRequest.of(QuantizeFixtures.EXPORTS.resolve("classification_mobilenet_v2.onnx"),
                new SyntheticCalibrationSet(4, 1, InputShapes.NONE), out)
            .withMethod(RangeMethod.PERCENTILE, 99.99).withThreads(2).withMaxEvalSamples(2);

    SensitivityResult r = analysis.run(request, new SensitivityAnalysis.Options(1e-9, Duration.ofSeconds(6)),
        Progress.NONE);

    assertThat(r.complete()).isFalse();
    assertThat(r.stoppedBy()).contains("budget spent while ranking").contains(r.layersRanked() + " of " + r.layers());
    assertThat(r.layersRanked()).isBetween(1, r.layers() - 1);
    assertThat(r.ranking()).hasSize(r.layersRanked());
    assertThat(r.ranking()).isSortedAccordingTo((a, b) -> Double.compare(b.error(), a.error()));
    // Only the fully quantized model was measured as a candidate; it misses the unreachable target and is written.
    assertThat(r.candidates()).extracting(SensitivityResult.Candidate::keptFp32).containsExactly(0);
    assertThat(r.targetMet()).isFalse();
    assertThat(r.keptFp32()).isEmpty();
    assertThat(Files.exists(out)).isTrue();
    try (var files = Files.list(tmp)) {
      assertThat(files.map(f -> f.getFileName().toString()).toList()).containsExactly("budget.int8.onnx");
    }
  }

  @Test
  void optionsOutOfRangeAreBadRequests() {
    assertThatThrownBy(() -> new SensitivityAnalysis.Options(0, Duration.ofSeconds(1)))
        .isInstanceOf(UserFacingException.class).hasMessageContaining("--target-error");
    assertThatThrownBy(() -> new SensitivityAnalysis.Options(1.5, Duration.ofSeconds(1)))
        .isInstanceOf(UserFacingException.class).hasMessageContaining("--target-error");
    assertThatThrownBy(() -> new SensitivityAnalysis.Options(0.01, Duration.ZERO))
        .isInstanceOf(UserFacingException.class).hasMessageContaining("--budget");
  }

  record Planted(ModelProto model, String conv) {}

  /**
   * Makes the {@code which}-th Conv (group 1, constant weights, 2+ input channels) sensitive to INT8: its input is
   * multiplied per channel by [1e4, 1, 1, ...] and its weights for input channel 0 are zeroed, so the FP32 output
   * ignores the huge channel while a per-tensor INT8 scale sized for it rounds every other channel to zero.
   */
  static Planted plantSensitiveLayer(ModelProto m, int which) {
    GraphProto g = m.getGraph();
    int seen = 0;
    for (int i = 0; i < g.getNodeCount(); i++) {
      NodeProto n = g.getNode(i);
      if (!n.getOpType().equals("Conv") || GraphIndex.intAttribute(n, "group", 1) != 1) {
        continue;
      }
      TensorProto w = g.getInitializerList().stream().filter(t -> t.getName().equals(n.getInput(1))).findFirst()
          .orElse(null);
      if (w == null || w.getDimsCount() != 4 || w.getDims(1) < 2 || seen++ < which) {
        continue;
      }
      long out = w.getDims(0);
      long in = w.getDims(1);
      long k = w.getDims(2) * w.getDims(3);
      if (w.getRawData().isEmpty()) {
        throw new IllegalArgumentException("weights " + w.getName() + " are not in raw_data");
      }
      ByteBuffer b = ByteBuffer.wrap(w.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
      for (long o = 0; o < out; o++) {
        for (long j = 0; j < k; j++) {
          b.putFloat((int) ((o * in * k + j) * 4), 0f); // input channel 0 of every output channel
        }
      }
      ByteBuffer s = ByteBuffer.allocate((int) in * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (int c = 0; c < in; c++) {
        s.putFloat(c == 0 ? 1e4f : 1f);
      }
      String x = n.getInput(0);
      String scaled = x + "_planted";
      GraphProto.Builder gb = g.toBuilder()
          .setInitializer(g.getInitializerList().indexOf(w), w.toBuilder().setRawData(ByteString.copyFrom(b.rewind())))
          .addInitializer(TensorProto.newBuilder().setName("planted_scale").setDataType(1).addAllDims(List.of(1L, in,
              1L, 1L)).setRawData(ByteString.copyFrom(s.flip())))
          .setNode(i, n.toBuilder().setInput(0, scaled));
      gb.addNode(i, QuantizeFixtures.node("Mul", "planted_mul", new String[] {x, "planted_scale"},
          new String[] {scaled}));
      return new Planted(m.toBuilder().setGraph(gb).build(), QdqPlacement.nodeLabel(n, i + 1));
    }
    throw new IllegalArgumentException("no Conv #" + which + " with group 1 and constant weights");
  }
}
