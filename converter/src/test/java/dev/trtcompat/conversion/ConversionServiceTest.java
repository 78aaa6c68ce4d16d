package dev.trtcompat.conversion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trtcompat.docker.ContainerRunner;
import dev.trtcompat.docker.DockerEngine;
import dev.trtcompat.docker.DockerSettings;
import dev.trtcompat.docker.GpuRequest;
import dev.trtcompat.docker.ImageUnavailableException;
import dev.trtcompat.docker.OutputLine;
import dev.trtcompat.docker.RunnerSettings;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.images.TensorRtImageCatalog;
import dev.trtcompat.json.Json;
import dev.trtcompat.precision.Precision;
import dev.trtcompat.trtexec.TensorRtRelease;
import dev.trtcompat.trtexec.TrtexecCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Conversions against the real Docker engine with the trtexec TEST DOUBLE image replaying recorded logs. */
@Tag("docker")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConversionServiceTest {

  private final String owner = "test-conv-" + UUID.randomUUID().toString().substring(0, 8);
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

  private ConversionService service(EngineStore store, String log, Map<String, String> extraEnv) {
    Map<String, String> env = new java.util.HashMap<>(extraEnv);
    env.put("TRTEXEC_DOUBLE_LOG", log);
    return new ConversionService(engine, runner, TensorRtImageCatalog.builtIn(), store,
        ConversionSettings.defaults().withImageOverride(ConversionFixtures.testDoubleImage())
            .withGpus(GpuRequest.none()).withContainerEnv(env));
  }

  private ConversionRequest request(Path model, String release, Precision p, Duration timeout) throws Exception {
    return new ConversionRequest(model, ConversionFixtures.sha256(model), TensorRtRelease.parse(release), p,
        Map.of(), null, timeout);
  }

  @Test
  void realModelConvertsAndTheEngineIsStoredUnderItsSha256() throws Exception {
    Path model = ConversionFixtures.copy(ConversionFixtures.ABS_MODEL, Files.createDirectory(dir.resolve("m")));
    EngineStore store = EngineStore.open(dir.resolve("store"));
    List<OutputLine> lines = new CopyOnWriteArrayList<>();
    ConversionResult r = service(store, "trt10.16-fp32-success.log", Map.of())
        .convert(request(model, "10.3", Precision.FP16, Duration.ofMinutes(1)), lines::add);

    assertThat(r.outcome()).isEqualTo(ConversionResult.Outcome.SUCCESS);
    assertThat(r.exitCode()).isZero();
    assertThat(r.wallTimeSeconds()).isPositive();
    assertThat(lines).extracting(OutputLine::text).anyMatch(l -> l.contains("&&&& PASSED"));
    assertThat(r.arguments()).contains("trtexec", "--onnx=/models/model.onnx", "--fp16", "--saveEngine=/out/engine.plan");
    assertThat(r.log().buildTimeSeconds()).isEqualTo(8.09138);
    assertThat(r.modelNode()).isNull();

    EngineArtifact a = r.engine();
    Path engineFile = store.engineFile(a.sha256()).orElseThrow();
    assertThat(ConversionFixtures.sha256(engineFile)).isEqualTo(a.sha256());
    assertThat(a.bytes()).isEqualTo(Files.size(engineFile)).isEqualTo(r.log().engineBytes());
    assertThat(a.modelSha256()).isEqualTo(ConversionFixtures.sha256(model));
    assertThat(a.tensorrtVersion()).startsWith("10.16");
    assertThat(a.gpuName()).isEqualTo(r.log().gpu().name()).contains("H100");
    assertThat(a.computeCapability()).isEqualTo("9.0");
    assertThat(a.precision()).isEqualTo("fp16");
    assertThat(a.image()).isEqualTo(ConversionFixtures.testDoubleImage());
    assertThat(a.imageId()).startsWith("sha256:");
    assertThat(a.flags()).isEqualTo(r.arguments());
    assertThat(a.validity()).contains("Only valid with TensorRT " + a.tensorrtVersion()).contains(a.gpuName());
    assertThat(a.fileName()).startsWith("model-" + a.modelSha256().substring(0, 12) + "_trt10.16").endsWith(".plan")
        .contains("_fp16_").contains("H100").doesNotContain(" ");
    assertThat(r.notes()).contains(a.validity());

    // metadata.json round-trips and the store lists, finds and deletes it
    assertThat(store.get(a.sha256())).contains(a);
    assertThat(Json.mapper().readTree(engineFile.resolveSibling(EngineStore.METADATA_FILE).toFile()).get("validity").asText())
        .isEqualTo(a.validity());
    assertThat(engineFile.resolveSibling(ConversionService.LOG_FILE)).exists();
    assertThat(store.list()).containsExactly(a);
    assertThat(store.delete(a.sha256())).isTrue();
    assertThat(store.get(a.sha256())).isEmpty();
    assertThat(store.list()).isEmpty();
    assertThat(workDirs(dir.resolve("store"))).isEmpty();
  }

  @Test
  void parseFailureMapsTheFailingNodeToTheModelsNonZero() throws Exception {
    Path model = Files.createDirectory(dir.resolve("nz")).resolve("nonzero.onnx");
    Files.write(model, ConversionFixtures.nonZeroModel(84, "NonZero_559", "onnx::Transpose_634"));
    EngineStore store = EngineStore.open(dir.resolve("store2"));
    ConversionResult r = service(store, "trt8.x-nonzero-unsupported-plugin-not-found.log", Map.of())
        .convert(request(model, "8.6", Precision.FP32, Duration.ofMinutes(1)), l -> { });

    assertThat(r.outcome()).isEqualTo(ConversionResult.Outcome.PARSE_FAILURE);
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.engine()).isNull();
    assertThat(r.log().failingNode().index()).isEqualTo(84);
    assertThat(r.modelNode().found()).isTrue();
    assertThat(r.modelNode().position()).isEqualTo(84);
    assertThat(r.modelNode().modelOp()).isEqualTo("NonZero");
    assertThat(r.modelNode().modelName()).isEqualTo("NonZero_559");
    assertThat(r.modelNode().opAgrees()).isTrue();
    assertThat(store.list()).isEmpty();
    assertThat(workDirs(dir.resolve("store2"))).isEmpty();
  }

  @Test
  void slowBuildStopsAtTheTimeout() throws Exception {
    Path model = ConversionFixtures.copy(ConversionFixtures.ABS_MODEL, Files.createDirectory(dir.resolve("t")));
    EngineStore store = EngineStore.open(dir.resolve("store3"));
    long t0 = System.nanoTime();
    ConversionResult r = service(store, "trt10.16-fp32-success.log", Map.of("TRTEXEC_DOUBLE_SLEEP", "60"))
        .convert(request(model, "10.3", Precision.FP32, Duration.ofSeconds(3)), l -> { });
    assertThat(r.outcome()).isEqualTo(ConversionResult.Outcome.TIMEOUT);
    assertThat(r.engine()).isNull();
    assertThat((System.nanoTime() - t0) / 1e9).isLessThan(30);
    assertThat(r.notes()).anyMatch(n -> n.contains("time limit of 3 s"));
  }

  @Test
  void int8WithoutCalibrationIsMarkedTimingOnly() throws Exception {
    Path model = ConversionFixtures.copy(ConversionFixtures.ABS_MODEL, Files.createDirectory(dir.resolve("i")));
    EngineStore store = EngineStore.open(dir.resolve("store4"));
    ConversionResult r = service(store, "trt10.16-fp32-success.log", Map.of())
        .convert(request(model, "10.3", Precision.INT8, Duration.ofMinutes(1)), l -> { });
    assertThat(r.outcome()).isEqualTo(ConversionResult.Outcome.SUCCESS);
    assertThat(r.arguments()).contains("--int8");
    assertThat(r.notes()).contains(TrtexecCommand.TIMING_ONLY);
    assertThat(r.notes().get(0)).startsWith("timing only: random scales, accuracy not representative");
  }

  @Test
  void missingImageIsAClearUnavailableError() throws Exception {
    Path model = ConversionFixtures.copy(ConversionFixtures.ABS_MODEL, Files.createDirectory(dir.resolve("x")));
    EngineStore store = EngineStore.open(dir.resolve("store5"));
    ConversionService s = new ConversionService(engine, runner, TensorRtImageCatalog.builtIn(), store,
        ConversionSettings.defaults().withImageOverride("trt-compat-test-double/tensorrt:absent-" + owner)
            .withGpus(GpuRequest.none()));
    assertThatThrownBy(() -> s.convert(request(model, "8.6", Precision.FP16, Duration.ofMinutes(1)), l -> { }))
        .isInstanceOf(ImageUnavailableException.class)
        .satisfies(e -> assertThat(((UserFacingException) e).kind()).isEqualTo(UserFacingException.Kind.UNAVAILABLE))
        .hasMessageContaining("absent-" + owner);
    assertThat(workDirs(dir.resolve("store5"))).isEmpty();
  }

  @Test
  void catalogImageCarriesTheRegistryPrefix() throws Exception {
    EngineStore store = EngineStore.open(dir.resolve("store6"));
    ConversionService s = new ConversionService(engine, runner, TensorRtImageCatalog.builtIn(), store,
        ConversionSettings.defaults().withRegistryPrefix("mirror.local:5000/nv"));
    assertThat(s.imageFor("8.6").toString()).startsWith("mirror.local:5000/nv/tensorrt:").endsWith("-py3");
    assertThatThrownBy(() -> s.imageFor("3.1")).isInstanceOf(UserFacingException.class)
        .hasMessageContaining("No TensorRT container is known for TensorRT 3.1");
  }

  private static List<Path> workDirs(Path storeRoot) throws Exception {
    try (Stream<Path> s = Files.list(storeRoot.resolve("work"))) {
      return s.toList();
    }
  }
}
