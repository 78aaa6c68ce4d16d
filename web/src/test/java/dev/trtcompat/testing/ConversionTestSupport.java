package dev.trtcompat.testing;

import dev.trtcompat.conversion.ConversionSettings;
import dev.trtcompat.docker.DockerSettings;
import dev.trtcompat.docker.RunnerSettings;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.ModelBuilder;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.service.JobSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * For the conversion tests against the real Docker engine: the LOCAL trtexec TEST DOUBLE image (built by
 * containers/test-image/build.sh; it replays recorded trtexec logs and is not TensorRT), the recorded logs, a
 * model with NonZero at a chosen node index, and the containers an owner id left.
 */
public final class ConversionTestSupport {

  /** A real ONNX model from Debian's libonnx-testdata. */
  public static final Path ABS_MODEL = Path.of("/usr/share/libonnx-testdata/data/node/test_abs/model.onnx");

  private static String image;

  private ConversionTestSupport() {}

  public static Path repoRoot() {
    String repo = System.getProperty("trtcompat.repo");
    return repo != null ? Path.of(repo) : Path.of("").toAbsolutePath().getParent();
  }

  /** A recorded trtexec log that the test double replays. */
  public static String recordedLog(String name) throws IOException {
    return Files.readString(repoRoot().resolve("containers/test-image/logs").resolve(name), StandardCharsets.UTF_8);
  }

  public static synchronized String testDoubleImage() throws IOException, InterruptedException {
    if (image == null) {
      Process p = new ProcessBuilder("bash", repoRoot().resolve("containers/test-image/build.sh").toString())
          .redirectErrorStream(true).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("test double image build took over 120 s");
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IllegalStateException("test double image build failed:\n" + out);
      }
      image = out.lines().filter(l -> l.startsWith("trt-compat-test-double/tensorrt:")).findFirst().orElseThrow();
    }
    return image;
  }

  /**
   * The test double under the tag the built-in catalog names for {@code release}, so a service configured with
   * the registry prefix {@code trt-compat-test-double} finds it as that release's image.
   */
  public static synchronized String testDoubleImageFor(String release) throws IOException, InterruptedException {
    String tag = dev.trtcompat.images.TensorRtImageCatalog.builtIn().newestFor(release).orElseThrow().tag();
    Process p = new ProcessBuilder("bash", repoRoot().resolve("containers/test-image/build.sh").toString(), tag)
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("test double image build failed:\n" + out);
    }
    return "trt-compat-test-double/tensorrt:" + tag;
  }

  /**
   * Job settings for a {@link TestServer} whose cells run on the real Docker engine (as {@code DOCKER_HOST} says):
   * SQLite in {@code dataDir}, containers labelled with {@code owner} (which also names the instance), images never
   * pulled (the test double is built locally), a cancelled container stopped within a second.
   *
   * @param lease how long a running cell's lease lasts before another instance may take it over
   */
  public static JobSettings containerJobs(Path dataDir, String owner, int workers, int maxJobsPerClient, Duration lease,
      ConversionSettings conversion) {
    return containerJobs(dataDir, owner, workers, maxJobsPerClient, lease, DockerSettings.fromEnvironment(System.getenv()),
        conversion);
  }

  /** As above, with the Docker engine {@code docker} names (e.g. a socket where none listens). */
  public static JobSettings containerJobs(Path dataDir, String owner, int workers, int maxJobsPerClient, Duration lease,
      DockerSettings docker, ConversionSettings conversion) {
    return new JobSettings(dataDir, null, workers, 100, maxJobsPerClient, JobSettings.DEFAULT_ENGINE_QUOTA, owner, lease,
        docker,
        RunnerSettings.defaults(owner).withPull(false, Duration.ofSeconds(10)).withStopGrace(Duration.ofSeconds(1)),
        conversion);
  }

  /** Ids of containers (any state) labelled with this trt-compat owner id. */
  public static List<String> containersOf(String owner) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("docker", "ps", "-aq", "--filter", "label=dev.trtcompat.owner=" + owner)
        .redirectErrorStream(true).start();
    p.waitFor(30, TimeUnit.SECONDS);
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
  }

  /** {@code before} Identity nodes then NonZero named {@code name}: the node trt8.x-nonzero-...log fails at (84). */
  public static byte[] nonZeroModel(int before, String name, String output) {
    GraphProto.Builder g = GraphProto.newBuilder().setName("nonzero")
        .addInput(ModelBuilder.value("x", ElementType.FLOAT, 4)).addOutput(ModelBuilder.value(output, ElementType.FLOAT, 1, 4));
    String prev = "x";
    for (int i = 0; i < before; i++) {
      g.addNode(NodeProto.newBuilder().setOpType("Identity").setName("Identity_" + i).addInput(prev).addOutput("t" + i));
      prev = "t" + i;
    }
    g.addNode(NodeProto.newBuilder().setOpType("NonZero").setName(name).addInput(prev).addOutput(output));
    return TestModels.model(g).build().toByteArray();
  }
}
