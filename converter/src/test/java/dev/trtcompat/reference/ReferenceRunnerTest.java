package dev.trtcompat.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.json.Json;
import dev.trtcompat.onnx.ElementType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ReferenceRunnerTest {

  @TempDir Path dir;
  final ReferenceRunner runner = new ReferenceRunner();

  @Test
  void computesOutputsTimesRunsAndReportsThreadsAndVersion() throws Exception {
    Path model = TestModels.addBias(dir, false);
    HostTensor x = HostTensor.ofFloats("x", new long[] {2, 4}, 0, 0, 0, 0, 10, 20, 30, 40);
    ReferenceResult r = runner.run(
        ReferenceRequest.of(model).withRuns(7).withWarmup(1).withThreads(2).withGivenInputs(Map.of("x", x)));

    assertThat(r.outputTensors().get("y").toDoubles()).containsExactly(1, 2, 3, 4, 11, 22, 33, 44);
    assertThat(r.onnxruntimeVersion()).isEqualTo("1.19.2");
    assertThat(r.threads()).isEqualTo(2);
    assertThat(r.runs()).isEqualTo(7);
    ReferenceResult.LatencyMs l = r.latencyMs();
    assertThat(l.min()).isPositive().isLessThanOrEqualTo(l.median());
    assertThat(l.median()).isLessThanOrEqualTo(l.p90());
    assertThat(l.p90()).isLessThanOrEqualTo(l.p99());
    assertThat(l.p99()).isLessThanOrEqualTo(l.max());
    assertThat(r.throughputPerSec()).isPositive();
    ReferenceResult.OutputSummary y = r.outputs().get(0);
    assertThat(y.name()).isEqualTo("y");
    assertThat(y.elemType()).isEqualTo("FLOAT");
    assertThat(y.shape()).containsExactly(2, 4);
    assertThat(y.min()).isEqualTo(1);
    assertThat(y.max()).isEqualTo(44);
    assertThat(y.mean()).isEqualTo(120 / 8.0);
  }

  @Test
  void jsonHasTheDocumentedFieldsInOrder() throws Exception {
    ReferenceResult r = runner.run(ReferenceRequest.of(TestModels.addBias(dir, false)).withRuns(3));
    JsonNode json = Json.mapper().readTree(Json.mapper().writeValueAsString(r));
    List<String> fields = new ArrayList<>();
    json.fieldNames().forEachRemaining(fields::add);
    assertThat(fields.subList(0, 6))
        .containsExactly("onnxruntimeVersion", "threads", "runs", "latencyMs", "throughputPerSec", "outputs");
    List<String> latency = new ArrayList<>();
    json.get("latencyMs").fieldNames().forEachRemaining(latency::add);
    assertThat(latency).containsExactly("min", "median", "p90", "p99", "max");
    List<String> output = new ArrayList<>();
    json.get("outputs").get(0).fieldNames().forEachRemaining(output::add);
    assertThat(output.subList(0, 6)).containsExactly("name", "elemType", "shape", "min", "max", "mean");
    assertThat(json.toString()).doesNotContain("outputTensors").doesNotContain("inputTensors");
  }

  @Test
  void dynamicDimensionsDefaultToOneAndSaySo() throws Exception {
    ReferenceResult r = runner.run(ReferenceRequest.of(TestModels.addBias(dir, false)).withRuns(1));
    assertThat(r.inputs().get(0).shape()).containsExactly(1, 4);
    assertThat(r.inputs().get(0).defaultedDims()).containsExactly("batch");
    assertThat(r.notes()).singleElement().asString().contains("batch").contains("set to 1");
  }

  @Test
  void userShapesFixDynamicDimensions() throws Exception {
    ReferenceResult r = runner.run(
        ReferenceRequest.of(TestModels.addBias(dir, false)).withRuns(1).withShapes(InputShapes.parse("x:3x4")));
    assertThat(r.outputTensors().get("y").shape()).containsExactly(3, 4);
    assertThat(r.notes()).isEmpty();
  }

  @Test
  void shapesThatContradictTheModelAreRejected() throws Exception {
    Path model = TestModels.addBias(dir, false);
    assertThatThrownBy(() -> runner.run(ReferenceRequest.of(model).withShapes(InputShapes.parse("x:3x5"))))
        .isInstanceOf(UserFacingException.class)
        .hasMessageContaining("dimension 1");
    assertThatThrownBy(() -> runner.run(ReferenceRequest.of(model).withShapes(InputShapes.parse("nope:1x4"))))
        .isInstanceOfSatisfying(UserFacingException.class, e -> assertThat(e.kind()).isEqualTo(UserFacingException.Kind.BAD_REQUEST))
        .hasMessageContaining("[x]");
    assertThatThrownBy(() -> runner.run(ReferenceRequest.of(model).withShapes(InputShapes.parse("x:4"))))
        .hasMessageContaining("rank");
  }

  @Test
  void weightsInAnExternalFileNextToTheModelAreLoaded() throws Exception {
    Path model = TestModels.addBias(dir, true);
    assertThat(Files.readAllBytes(model)).hasSizeLessThan(300); // the weights are not inside
    HostTensor x = HostTensor.ofFloats("x", new long[] {1, 4}, 0, 0, 0, 0);
    ReferenceResult r = runner.run(ReferenceRequest.of(model).withRuns(1).withGivenInputs(Map.of("x", x)));
    assertThat(r.outputTensors().get("y").toDoubles()).containsExactly(1, 2, 3, 4);

    Files.delete(dir.resolve("weights.bin"));
    assertThatThrownBy(() -> runner.run(ReferenceRequest.of(model)))
        .isInstanceOf(UserFacingException.class)
        .hasMessageContaining("weights.bin");
  }

  @Test
  void externalDataOutsideTheModelsFolderIsRefusedBeforeOnnxRuntimeReadsIt() throws Exception {
    Path inner = Files.createDirectories(dir.resolve("inner"));
    Path model = TestModels.addBias(dir, true);
    byte[] bytes = Files.readAllBytes(model);
    Files.write(inner.resolve("escape.onnx"),
        new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1)
            .replace("\u000bweights.bin", "\u000b../weig.bin")
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    Files.copy(dir.resolve("weights.bin"), dir.resolve("weig.bin"));
    assertThatThrownBy(() -> runner.run(ReferenceRequest.of(inner.resolve("escape.onnx"))))
        .isInstanceOf(UserFacingException.class)
        .hasMessageContaining("../weig.bin");
  }

  @ParameterizedTest
  @EnumSource(value = ElementType.class, names = {"FLOAT", "DOUBLE", "FLOAT16", "INT8", "INT16", "INT32", "INT64", "UINT8", "BOOL"})
  void feedsAndReadsBackEveryElementType(ElementType type) throws Exception {
    Path model = TestModels.identity(dir, type, 2, 3);
    ReferenceResult r = runner.run(ReferenceRequest.of(model).withRuns(1).withOutDir(dir.resolve("ref")));
    HostTensor in = r.inputTensors().get("x");
    HostTensor out = r.outputTensors().get("y");
    assertThat(in.type()).isEqualTo(type);
    assertThat(out.type()).isEqualTo(type);
    assertThat(out.data()).isEqualTo(in.data());
    assertThat(r.outputs().get(0).elemType()).isEqualTo(type.name());
    // The reference on disk reads back to the same tensor.
    assertThat(NpyFormat.read(dir.resolve("ref").resolve(r.outputs().get(0).file()))).isEqualTo(out);
    assertThat(NpyFormat.read(dir.resolve("ref").resolve(r.inputs().get(0).file()))).isEqualTo(in);
    assertThat(dir.resolve("ref/reference.json")).isRegularFile();
    double[] values = in.toDoubles();
    if (type.isFloatingPoint()) {
      assertThat(java.util.Arrays.stream(values).allMatch(v -> v >= -1 && v <= 1)).isTrue();
    } else {
      assertThat(java.util.Arrays.stream(values).allMatch(v -> v >= 0 && v <= 3)).isTrue();
    }
  }

  @Test
  void randomInputsDependOnlyOnTheSeed() throws Exception {
    Path model = TestModels.identity(dir, ElementType.FLOAT, 8);
    HostTensor a = runner.run(ReferenceRequest.of(model).withRuns(1).withSeed(7)).inputTensors().get("x");
    HostTensor b = runner.run(ReferenceRequest.of(model).withRuns(1).withSeed(7)).inputTensors().get("x");
    HostTensor c = runner.run(ReferenceRequest.of(model).withRuns(1).withSeed(8)).inputTensors().get("x");
    assertThat(a).isEqualTo(b);
    assertThat(a).isNotEqualTo(c);
  }

  @Test
  void anOperatorOnnxRuntimeLacksIsAUserFacingErrorWithItsMessage() throws Exception {
    Path model = TestModels.unknownOp(dir);
    assertThatThrownBy(() -> runner.run(ReferenceRequest.of(model)))
        .isInstanceOfSatisfying(ReferenceRunException.class, e -> {
          assertThat(e.kind()).isEqualTo(UserFacingException.Kind.INVALID_INPUT);
          assertThat(e.error()).isEqualTo("onnxruntime_cannot_load");
        })
        .hasMessageContaining("NoSuchOperator")
        .hasMessageNotContaining("\n");
  }

  @Test
  void aFileThatIsNotAModelOrIsMissingIsAUserFacingError() throws Exception {
    Path junk = Files.write(dir.resolve("junk.onnx"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    assertThatThrownBy(() -> runner.run(ReferenceRequest.of(junk)))
        .isInstanceOfSatisfying(UserFacingException.class, e -> assertThat(e.kind()).isEqualTo(UserFacingException.Kind.INVALID_INPUT))
        .hasMessageContaining("junk.onnx");
    assertThatThrownBy(() -> runner.run(ReferenceRequest.of(dir.resolve("absent.onnx"))))
        .isInstanceOfSatisfying(UserFacingException.class, e -> assertThat(e.kind()).isEqualTo(UserFacingException.Kind.NOT_FOUND));
  }

  @Test
  void heapStaysBoundedOver200Runs() throws Exception {
    Path model = TestModels.matMul(dir);
    ReferenceRequest request = ReferenceRequest.of(model).withRuns(1).withWarmup(0).withThreads(1);
    for (int i = 0; i < 10; i++) {
      runner.run(request); // class loading, JIT and ONNX Runtime's one-time set-up
    }
    long before = usedHeapAfterGc();
    for (int i = 0; i < 200; i++) {
      runner.run(request);
    }
    long after = usedHeapAfterGc();
    // Each run copies 4 KiB in and out; 200 leaked results would be > 1.6 MiB plus session objects.
    assertThat(after - before).as("heap growth in bytes").isLessThan(1L << 20);
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(50);
      best = Math.min(best, rt.totalMemory() - rt.freeMemory());
    }
    return best;
  }
}
