package dev.trtcompat.quantize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.ReferenceRequest;
import dev.trtcompat.reference.ReferenceRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quantize's model files with external data, written by the one external-data writer (fix's). */
class ModelFilesTest {

  @TempDir Path dir;

  @Test
  void weightsOverTheThresholdGoToTheDataFileBesideTheModelAndReadBackTheSame() throws IOException {
    ModelProto model = QuantizeFixtures.residualNet(13);
    Path original = QuantizeFixtures.write(dir.resolve("original.onnx"), model);
    Path out = dir.resolve("q").resolve("model.onnx");

    ModelFiles.writeAtomically(model, out, 1024);

    try (Stream<Path> files = Files.list(out.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("model.onnx", "model.onnx.data");
    }
    assertThat(OnnxModelReader.read(out).externalDataFiles()).containsExactly("model.onnx.data");
    // fc_w (2,560 bytes) is at least 1 KiB: external; w1 (576 bytes) stays inline
    assertThat(ModelProto.parseFrom(Files.readAllBytes(out)).getGraph().getInitializerList())
        .filteredOn(t -> t.getDataLocation() == TensorProto.DataLocation.EXTERNAL)
        .extracting(TensorProto::getName).contains("fc_w").doesNotContain("w1");
    ModelProto back = ModelFiles.load(out);
    for (int i = 0; i < model.getGraph().getInitializerCount(); i++) {
      assertThat(back.getGraph().getInitializer(i).getRawData())
          .isEqualTo(model.getGraph().getInitializer(i).getRawData());
    }
    Map<String, HostTensor> expected = outputs(original);
    Map<String, HostTensor> got = outputs(out);
    assertThat(got.get("y").toDoubles()).isEqualTo(expected.get("y").toDoubles());
  }

  @Test
  void underTheThresholdTheModelIsOneFile() throws IOException {
    Path out = dir.resolve("model.onnx");
    ModelFiles.writeAtomically(QuantizeFixtures.residualNet(13), out);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("model.onnx");
    }
  }

  @Test
  void aRewriteNeedsWhatItAddsPlusTheWorkingSetAndIsRefusedUpFrontWithTheSettingThatRaisesIt() throws IOException {
    Path file = QuantizeFixtures.write(dir.resolve("model.onnx"), QuantizeFixtures.residualNet(13));
    var parsed = OnnxModelReader.read(file);
    long added = 300L << 20; // e.g. fp16's FLOAT16 copies: the weights themselves stay mapped
    long needed = added + (64L << 20);

    ModelFiles.requireHeapFor(parsed, needed, added); // exactly enough
    assertThatThrownBy(() -> ModelFiles.requireHeapFor(parsed, needed - 1, added))
        .isInstanceOfSatisfying(UserFacingException.class, e -> {
          assertThat(e.error()).isEqualTo("model_too_large_for_heap");
          assertThat(e.getMessage()).contains("model.onnx", "364 MiB", "TRT_COMPAT_JAVA_OPTS=-Xmx1g");
        });
  }

  @Test
  void quantizeAddsNothingOfTheWeightsSoOnlyTheWorkingSetCounts() throws IOException {
    Path file = QuantizeFixtures.write(dir.resolve("model.onnx"), QuantizeFixtures.residualNet(13));
    var parsed = OnnxModelReader.read(file);

    ModelFiles.requireHeapFor(parsed, 64L << 20, 0);
    assertThatThrownBy(() -> ModelFiles.requireHeapFor(parsed, (64L << 20) - 1, 0))
        .isInstanceOfSatisfying(UserFacingException.class,
            e -> assertThat(e.error()).isEqualTo("model_too_large_for_heap"));
  }

  @Test
  void theLoadedWeightsAreViewsOfTheFileNotHeapCopies() throws IOException {
    ModelProto model = QuantizeFixtures.residualNet(13);
    Path file = QuantizeFixtures.write(dir.resolve("model.onnx"), model);

    ModelProto loaded = ModelFiles.load(file);

    assertThat(loaded).isEqualTo(model);
    assertThat(loaded.getGraph().getInitializerList()).filteredOn(t -> t.getRawData().size() > 0)
        .allSatisfy(t -> assertThat(t.getRawData().asReadOnlyByteBuffer().isDirect()).as(t.getName()).isTrue());
  }

  @Test
  void externalDataIsPulledInAsViewsOfTheDataFile() throws IOException {
    ModelProto model = QuantizeFixtures.residualNet(13);
    Path out = dir.resolve("ext").resolve("model.onnx");
    ModelFiles.writeAtomically(model, out, 1024);

    ModelProto loaded = ModelFiles.load(out);

    TensorProto fc = loaded.getGraph().getInitializerList().stream().filter(t -> t.getName().equals("fc_w"))
        .findFirst().orElseThrow();
    assertThat(fc.getDataLocation()).isEqualTo(TensorProto.DataLocation.DEFAULT);
    assertThat(fc.getExternalDataList()).isEmpty();
    assertThat(fc.getRawData().asReadOnlyByteBuffer().isDirect()).isTrue();
    assertThat(loaded).isEqualTo(model);
  }

  private static Map<String, HostTensor> outputs(Path model) {
    return new ReferenceRunner().run(ReferenceRequest.of(model).withRuns(1).withWarmup(0).withThreads(1).withSeed(3))
        .outputTensors();
  }
}
