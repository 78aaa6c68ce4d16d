package dev.trtcompat.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.images.ImageReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The failures a user can meet, each with its own error: engine down, image missing, no NVIDIA runtime. */
@Tag("docker")
class EngineErrorsTest extends DockerTestSupport {

  @Test
  void engineDownOnAUnixSocketFailsFastWithAFix() {
    String socket = "/tmp/trtcompat-no-engine-" + UUID.randomUUID() + ".sock";
    DockerSettings settings = DockerSettings.fromEnvironment(Map.of("DOCKER_HOST", "unix://" + socket));
    long start = System.nanoTime();
    assertThatThrownBy(() -> DockerEngine.connect(settings))
        .isInstanceOf(DockerUnavailableException.class)
        .hasMessageContaining("unix://" + socket)
        .hasMessageContaining("DOCKER_HOST")
        .hasMessageContaining("start the engine")
        .satisfies(e -> assertThat(((UserFacingException) e).kind()).isEqualTo(UserFacingException.Kind.UNAVAILABLE));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void engineDownOnTcpFailsWithinThePingTimeout() {
    DockerSettings settings = DockerSettings.fromEnvironment(Map.of("DOCKER_HOST", "tcp://127.0.0.1:1"))
        .withPingTimeout(Duration.ofMillis(500));
    long start = System.nanoTime();
    assertThatThrownBy(() -> DockerEngine.connect(settings))
        .isInstanceOf(DockerUnavailableException.class)
        .hasMessageContaining("tcp://127.0.0.1:1");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void missingImageWithPullsOffNamesTheImage() {
    ImageReference missing = ImageReference.parse("trt-compat-test-double/not-built:" + UUID.randomUUID());
    try (ContainerRunner runner = new ContainerRunner(engine, settings())) {
      assertThatThrownBy(() -> runner.run(ContainerRun.builder(missing, "true").build(), new Lines(), Duration.ofSeconds(5)))
          .isInstanceOf(ImageUnavailableException.class)
          .hasMessageContaining(missing.toString())
          .hasMessageContaining("pulling is turned off");
    }
  }

  @Test
  void missingImageFromAnUnreachableRegistryNamesTheRegistry() {
    ImageReference missing = ImageReference.parse("127.0.0.1:1/nvidia/tensorrt:24.05-py3");
    ImageStore store = new ImageStore(engine);
    List<PullProgress> progress = new ArrayList<>();
    long start = System.nanoTime();
    assertThatThrownBy(() -> store.ensurePresent(missing, true, Duration.ofSeconds(30), progress::add))
        .isInstanceOf(ImageUnavailableException.class)
        .hasMessageContaining("127.0.0.1:1/nvidia/tensorrt:24.05-py3")
        .hasMessageContaining("registry 127.0.0.1:1")
        .satisfies(e -> assertThat(((ImageUnavailableException) e).image()).isEqualTo(missing));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void presentImageIsFound() {
    assertThat(new ImageStore(engine).isPresent(TestDoubleImage.image())).isTrue();
  }

  @Test
  void gpuRequestWithoutTheNvidiaRuntimeSaysTheToolkitIsMissing() {
    assumeFalse(engine.hasNvidiaRuntime(),
        "this engine has the NVIDIA runtime, so a GPU request would succeed; the test needs an engine without it");
    try (ContainerRunner runner = new ContainerRunner(engine, settings())) {
      for (GpuRequest gpus : List.of(GpuRequest.allGpus(), GpuRequest.devices("0"))) {
        assertThatThrownBy(() -> runner.run(ContainerRun.builder(TestDoubleImage.image(), "true").gpus(gpus).build(),
                new Lines(), Duration.ofSeconds(5)))
            .isInstanceOf(NvidiaRuntimeMissingException.class)
            .hasMessageContaining("NVIDIA Container Toolkit is missing")
            .hasStackTraceContaining("could not select device driver").hasStackTraceContaining("capabilities: [[gpu]]")
            .satisfies(e -> assertThat(((UserFacingException) e).kind()).isEqualTo(UserFacingException.Kind.UNAVAILABLE));
      }
    }
  }
}
