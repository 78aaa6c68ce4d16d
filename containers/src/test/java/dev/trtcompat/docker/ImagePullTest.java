package dev.trtcompat.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.images.ImageReference;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A real pull through the engine from a registry on 127.0.0.1, with progress reported as it happens. */
@Tag("docker")
class ImagePullTest extends DockerTestSupport {

  @Test
  void pullsAMissingImageAndReportsProgressThenRunsIt() throws Exception {
    String repository = "trt-compat-test-double/pulled-" + UUID.randomUUID().toString().substring(0, 8);
    LocalRegistry registry;
    try (InputStream saved = engine.client().saveImageCmd(TestDoubleImage.image().toString()).exec()) {
      registry = new LocalRegistry(saved, repository, "24.05-py3");
    }
    ImageReference image = ImageReference.parse(registry.address() + "/" + repository + ":24.05-py3");
    List<PullProgress> progress = new CopyOnWriteArrayList<>();
    try (registry; ContainerRunner runner = new ContainerRunner(engine, settings().withPull(true, Duration.ofMinutes(2)))) {
      ImageStore store = new ImageStore(engine);
      assertThat(store.isPresent(image)).isFalse();
      store.ensurePresent(image, true, Duration.ofMinutes(2), progress::add);

      assertThat(store.isPresent(image)).isTrue();
      assertThat(progress).isNotEmpty().allSatisfy(p -> assertThat(p.image()).isEqualTo(image.toString()));
      assertThat(progress).extracting(PullProgress::status).contains("Pulling fs layer", "Pull complete")
          .containsAnyOf("Downloading", "Download complete")
          .anyMatch(s -> s.startsWith("Status: Downloaded newer image"))
          .noneMatch(s -> s.contains("does not appear to conform"));
      // Both layers (the test double's and the registry's extra one) end as pulled or, when the engine still
      // knows that blob from an earlier pull, as already there.
      assertThat(progress).filteredOn(p -> p.status().equals("Pull complete") || p.status().equals("Already exists"))
          .extracting(PullProgress::layer).doesNotContain("").doesNotHaveDuplicates().hasSize(2);
      // The engine reports byte progress only while a download takes a while; when it does, the counts are sane.
      assertThat(progress).filteredOn(p -> p.status().equals("Downloading"))
          .allSatisfy(p -> assertThat(p.totalBytes()).isPositive().isGreaterThanOrEqualTo(p.currentBytes()));
      Lines logs = new Lines();
      RunResult result = runner.run(ContainerRun.builder(image, "trtexec").build(), logs, Duration.ofSeconds(30));
      assertThat(result.succeeded()).isTrue();
      RunResult marker = runner.run(ContainerRun.builder(image, "cat", "/pulled-from-local-registry").build(), logs,
          Duration.ofSeconds(30));
      assertThat(marker.succeeded()).isTrue();
      assertThat(logs.texts()).contains(repository + ":24.05-py3");
      assertThat(logs.texts()).filteredOn(l -> l.startsWith("&&&&")).last().asString().startsWith("&&&& PASSED TensorRT.trtexec [TensorRT v101601]");
      // The runner pulls by itself when the image is missing, reporting progress to the caller.
      engine.client().removeImageCmd(image.toString()).withForce(true).exec();
      List<PullProgress> runnerProgress = new CopyOnWriteArrayList<>();
      RunResult pulledByRunner = runner.start(ContainerRun.builder(image, "true").build(), new Lines(), runnerProgress::add)
          .await(Duration.ofMinutes(2));
      assertThat(pulledByRunner.succeeded()).isTrue();
      assertThat(runnerProgress).extracting(PullProgress::status).anyMatch(s -> s.startsWith("Status: Downloaded newer image"));
    } finally {
      engine.client().removeImageCmd(image.toString()).withForce(true).exec();
    }
  }
}
