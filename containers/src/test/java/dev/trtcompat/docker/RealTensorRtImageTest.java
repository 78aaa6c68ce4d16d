package dev.trtcompat.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.trtcompat.images.ImageReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same runner against a real NVIDIA TensorRT image on a GPU host. Runs only when TRTCOMPAT_REAL_IMAGE names
 * an image (e.g. nvcr.io/nvidia/tensorrt:24.08-py3) and the engine has the NVIDIA runtime; otherwise each test
 * is skipped with the reason shown in the report. See docs/containers.md.
 */
@Tag("docker")
@Tag("gpu")
class RealTensorRtImageTest extends DockerTestSupport {

  static final String IMAGE_VARIABLE = "TRTCOMPAT_REAL_IMAGE";
  private static final Path MODEL = Path.of("/usr/share/libonnx-testdata/data/node/test_relu/model.onnx");

  private ImageReference image;

  @BeforeEach
  void needsARealImageAndAGpu() {
    String name = System.getenv(IMAGE_VARIABLE);
    assumeTrue(name != null && !name.isBlank(),
        IMAGE_VARIABLE + " is not set; set it to a TensorRT image (e.g. nvcr.io/nvidia/tensorrt:24.08-py3) on a GPU host to run these");
    assumeTrue(engine.hasNvidiaRuntime(), "the Docker engine has no NVIDIA runtime; install the NVIDIA Container Toolkit");
    image = ImageReference.parse(name);
  }

  private RunnerSettings realSettings() {
    return RunnerSettings.defaults(owner).withPull(true, Duration.ofMinutes(30)).withStopGrace(Duration.ofSeconds(5));
  }

  @Test
  void trtexecConvertsAnOnnxModelOnTheGpu(@TempDir Path models, @TempDir Path out) throws Exception {
    assumeTrue(Files.exists(MODEL), "needs Debian package libonnx-testdata for " + MODEL);
    Files.copy(MODEL, models.resolve("model.onnx"));
    out.toFile().setWritable(true, false);
    Lines logs = new Lines();
    try (ContainerRunner runner = new ContainerRunner(engine, realSettings())) {
      RunResult result = runner.run(ContainerRun.builder(image, "trtexec", "--onnx=/models/model.onnx",
              "--saveEngine=/out/model.plan")
          .modelDir(models).outputDir(out).gpus(GpuRequest.allGpus()).memoryLimitMiB(8192)
          .timeout(Duration.ofMinutes(5)).build(), logs, Duration.ofMinutes(30));
      assertThat(result.succeeded()).as(String.join("\n", logs.texts())).isTrue();
      assertThat(logs.texts()).anyMatch(l -> l.startsWith("&&&& PASSED TensorRT.trtexec"));
      assertThat(Files.size(out.resolve("model.plan"))).isPositive();
    }
  }

  @Test
  void timeLimitStopsARealTrtexec() {
    try (ContainerRunner runner = new ContainerRunner(engine, realSettings())) {
      RunResult result = runner.run(ContainerRun.builder(image, "sleep", "600").gpus(GpuRequest.allGpus())
          .timeout(Duration.ofSeconds(3)).build(), new Lines(), Duration.ofMinutes(30));
      assertThat(result.timedOut()).isTrue();
    }
  }
}
