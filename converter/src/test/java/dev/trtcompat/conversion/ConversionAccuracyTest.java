package dev.trtcompat.conversion;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.accuracy.AccuracyReport;
import dev.trtcompat.accuracy.OutputComparison;
import dev.trtcompat.docker.ContainerRunner;
import dev.trtcompat.docker.DockerEngine;
import dev.trtcompat.docker.DockerSettings;
import dev.trtcompat.docker.GpuRequest;
import dev.trtcompat.docker.OutputLine;
import dev.trtcompat.docker.RunnerSettings;
import dev.trtcompat.images.TensorRtImageCatalog;
import dev.trtcompat.json.Json;
import dev.trtcompat.precision.Precision;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.ReferenceRequest;
import dev.trtcompat.reference.ReferenceRunner;
import dev.trtcompat.trtexec.TensorRtRelease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The accuracy check of a conversion against the real Docker engine: the trtexec TEST DOUBLE copies the "engine
 * outputs" this test writes next to the model, so the comparison with the ONNX Runtime reference is exercised
 * end to end (inputs written to /out, flags passed, outputs.json read back) without a GPU.
 */
@Tag("docker")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConversionAccuracyTest {

  /** Three outputs of two elements each, so a failure must name the one output that is off. */
  private static final Path SPLIT_MODEL =
      Path.of("/usr/share/libonnx-testdata/data/node/test_split_equal_parts_1d/model.onnx");
  private static final String OUTPUTS_FOR_DOUBLE = ".test-double-outputs.json";

  private final String owner = "test-acc-" + UUID.randomUUID().toString().substring(0, 8);
  private DockerEngine engine;
  private ContainerRunner runner;
  @TempDir Path dir;

  @BeforeAll
  void connect() {
    engine = DockerEngine.connect(DockerSettings.fromEnvironment(System.getenv()));
    runner = new ContainerRunner(engine, RunnerSettings.defaults(owner).withPull(false, Duration.ofSeconds(30))
        .withStopGrace(Duration.ofSeconds(1)));
  }

  @AfterAll
  void close() {
    runner.close();
    engine.close();
  }

  @AfterEach
  void noContainerLeft() throws Exception {
    assertThat(ConversionFixtures.containersOf(owner)).isEmpty();
  }

  private ConversionService service(EngineStore store) {
    return new ConversionService(engine, runner, TensorRtImageCatalog.builtIn(), store,
        ConversionSettings.defaults().withImageOverride(ConversionFixtures.testDoubleImage())
            .withGpus(GpuRequest.none()).withContainerEnv(Map.of("TRTEXEC_DOUBLE_LOG", "trt10.16-fp32-success.log")));
  }

  private static ConversionRequest request(Path model, String release, Precision p) throws Exception {
    return new ConversionRequest(model, ConversionFixtures.sha256(model), TensorRtRelease.parse(release), p,
        Map.of(), null, Duration.ofMinutes(1));
  }

  /** What ConversionService's reference run computes: one run, seed 42, the model's own shapes. */
  private static Map<String, HostTensor> referenceOutputs(Path model) {
    return new ReferenceRunner().run(ReferenceRequest.of(model).withRuns(1).withWarmup(0)).outputTensors();
  }

  /** Writes outputs in trtexec's --exportOutput format, scaling output {@code scaled} by {@code factor}. */
  private static void writeEngineOutputs(Path modelDir, Map<String, HostTensor> outputs, String scaled, double factor)
      throws Exception {
    List<Map<String, Object>> list = new ArrayList<>();
    for (HostTensor t : outputs.values()) {
      double f = t.name().equals(scaled) ? factor : 1.0;
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("name", t.name());
      o.put("dimensions", LongStream.of(t.shape()).mapToObj(Long::toString).collect(Collectors.joining("x")));
      List<Double> values = new ArrayList<>();
      for (double v : t.toDoubles()) {
        values.add(v * f);
      }
      o.put("values", values);
      list.add(o);
    }
    Files.writeString(modelDir.resolve(OUTPUTS_FOR_DOUBLE), Json.mapper().writeValueAsString(list));
  }

  private Path modelIn(String folder) throws Exception {
    return ConversionFixtures.copy(SPLIT_MODEL, Files.createDirectory(dir.resolve(folder)));
  }

  @Test
  void engineOutputsEqualToTheReferencePassAndTheFlagsPointAtFilesInOut() throws Exception {
    Path model = modelIn("pass");
    Map<String, HostTensor> reference = referenceOutputs(model);
    assertThat(reference).containsOnlyKeys("output_1", "output_2", "output_3");
    writeEngineOutputs(model.getParent(), reference, null, 1.0);
    EngineStore store = EngineStore.open(dir.resolve("store-pass"));
    List<OutputLine> lines = new CopyOnWriteArrayList<>();

    ConversionResult r = service(store).convert(request(model, "10.3", Precision.FP32), lines::add);

    assertThat(r.succeeded()).isTrue();
    assertThat(r.arguments()).contains("--loadInputs=input:/out/inputs/input.bin", "--exportOutput=/out/outputs.json");
    // The test double fails when a --loadInputs file is absent and prints each one it found: 6 floats.
    assertThat(lines).extracting(OutputLine::text).contains("[I] test double: input input from /out/inputs/input.bin (24 bytes)");
    AccuracyReport a = r.accuracy();
    assertThat(a).isNotNull();
    assertThat(a.passed()).isTrue();
    assertThat(a.precision()).isEqualTo(Precision.FP32);
    assertThat(a.outputs()).extracting(OutputComparison::name).containsExactly("output_1", "output_2", "output_3");
    assertThat(a.outputs()).allSatisfy(o -> {
      assertThat(o.maxAbsError()).isLessThan(1e-6);
      assertThat(o.withinTolerance()).isEqualTo(1.0);
    });
    // It is part of the JSON a client reads, and the scratch inputs are not stored with the engine.
    assertThat(Json.mapper().valueToTree(r).get("accuracy").get("passed").asBoolean()).isTrue();
    Path engineDir = store.engineFile(r.engine().sha256()).orElseThrow().getParent();
    assertThat(engineDir.resolve("inputs")).doesNotExist();
    assertThat(engineDir.resolve("outputs.json")).doesNotExist();
  }

  @Test
  void aPerturbedOutputFailsAndIsNamed() throws Exception {
    Path model = modelIn("fail");
    writeEngineOutputs(model.getParent(), referenceOutputs(model), "output_2", 1.1);

    ConversionResult r = service(EngineStore.open(dir.resolve("store-fail")))
        .convert(request(model, "10.3", Precision.FP16), l -> {});

    assertThat(r.succeeded()).isTrue(); // accuracy does not decide whether it converted
    AccuracyReport a = r.accuracy();
    assertThat(a.passed()).isFalse();
    assertThat(a.precision()).isEqualTo(Precision.FP16);
    assertThat(a.outputs()).filteredOn(o -> !o.passed()).extracting(OutputComparison::name).containsExactly("output_2");
    assertThat(a.summary()).startsWith("output_2: ");
    assertThat(a.outputs().get(1).maxRelError()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void noExportedOutputsMeansNoReportAndANoteButTheConversionStands() throws Exception {
    Path model = modelIn("none");
    ConversionResult r = service(EngineStore.open(dir.resolve("store-none")))
        .convert(request(model, "10.3", Precision.FP32), l -> {});
    assertThat(r.succeeded()).isTrue();
    assertThat(r.accuracy()).isNull();
    assertThat(r.notes()).anyMatch(n -> n.contains("outputs.json"));
  }

  @Test
  void int8WithoutCalibrationIsComparedButMarkedNotRepresentative() throws Exception {
    Path model = modelIn("int8");
    writeEngineOutputs(model.getParent(), referenceOutputs(model), null, 1.0);
    ConversionResult r = service(EngineStore.open(dir.resolve("store-int8")))
        .convert(request(model, "10.3", Precision.INT8), l -> {});
    assertThat(r.accuracy()).isNotNull();
    assertThat(r.accuracy().precision()).isEqualTo(Precision.INT8);
    assertThat(r.notes()).anyMatch(n -> n.startsWith("Accuracy not representative"));
  }

  @Test
  void theReferenceIsCachedPerModelAndShapesAndReadBackForTheNextConversion() throws Exception {
    Path model = modelIn("cache");
    Map<String, HostTensor> reference = referenceOutputs(model);
    writeEngineOutputs(model.getParent(), reference, null, 1.0);
    EngineStore store = EngineStore.open(dir.resolve("store-cache"));
    assertThat(service(store).convert(request(model, "10.3", Precision.FP32), l -> {}).accuracy().passed())
        .isTrue();

    String key = ReferenceCache.key(ConversionFixtures.sha256(model), dev.trtcompat.reference.InputShapes.NONE,
        ReferenceRequest.DEFAULT_SEED);
    Path entry = store.referencesDir().resolve(key);
    assertThat(entry.resolve("index.json")).exists();
    ReferenceCache.Entry cached = new ReferenceCache(store.referencesDir()).get(key).orElseThrow();
    assertThat(cached.outputs()).isEqualTo(reference);
    assertThat(cached.inputs()).containsOnlyKeys("input");

    // Doctor the cached output_2: a conversion that reads the cache (rather than running ONNX Runtime) now fails there.
    HostTensor o2 = cached.outputs().get("output_2");
    float[] doubled = new float[(int) o2.elementCount()];
    for (int i = 0; i < doubled.length; i++) {
      doubled[i] = (float) (o2.get(i) * 2 + 1);
    }
    dev.trtcompat.reference.NpyFormat.write(entry.resolve("outputs/1.npy"), HostTensor.ofFloats("output_2", o2.shape(), doubled));
    AccuracyReport second = service(store).convert(request(model, "8.6", Precision.FP32), l -> {}).accuracy();
    assertThat(second.outputs()).filteredOn(o -> !o.passed()).extracting(OutputComparison::name).containsExactly("output_2");
  }

  @Test
  void turnedOffOrUnsupportedReleaseAddsNoFlags() throws Exception {
    Path model = modelIn("off");
    ConversionResult off = service(EngineStore.open(dir.resolve("store-off")))
        .convert(request(model, "10.3", Precision.FP32).withAccuracy(false), l -> {});
    assertThat(off.accuracy()).isNull();
    assertThat(off.arguments()).noneMatch(a -> a.startsWith("--loadInputs") || a.startsWith("--exportOutput"));

    ConversionResult old = service(EngineStore.open(dir.resolve("store-old")))
        .convert(request(model, "6.0", Precision.FP32), l -> {});
    assertThat(old.arguments()).noneMatch(a -> a.startsWith("--loadInputs") || a.startsWith("--exportOutput"));
    assertThat(old.notes()).anyMatch(n -> n.contains("lacks --loadInputs/--exportOutput"));
  }
}
