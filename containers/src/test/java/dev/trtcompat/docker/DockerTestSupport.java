package dev.trtcompat.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.github.dockerjava.api.model.Container;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Base of the tests that use the real Docker engine. They FAIL (never skip) when no engine answers, and after
 * every test assert that no container of this test run's owner id is left. The owner id is unique per test
 * class run, so tests never see or remove containers of other people sharing the engine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DockerTestSupport {

  protected DockerEngine engine;
  protected final String owner = "test-" + UUID.randomUUID().toString().substring(0, 12);

  @BeforeAll
  void connect() {
    try {
      engine = DockerEngine.connect(DockerSettings.fromEnvironment(System.getenv()));
    } catch (DockerUnavailableException e) {
      fail("These @Tag(\"docker\") tests need a running Docker engine and none answered: " + e.getMessage()
          + " scripts/test-all.sh starts one; by hand: nohup dockerd --bridge=none --iptables=false >/tmp/dockerd.log 2>&1 &");
    }
  }

  @AfterEach
  void noContainerOfThisRunRemains() {
    assertThat(containersOf(owner)).as("trt-compat containers left behind by owner " + owner).isEmpty();
  }

  @AfterAll
  void disconnect() {
    if (engine != null) {
      engine.close();
    }
  }

  protected List<Container> containersOf(String ownerId) {
    return engine.client().listContainersCmd().withShowAll(true)
        .withLabelFilter(Map.of(ContainerLabels.MANAGED, "true", ContainerLabels.OWNER, ownerId)).exec();
  }

  protected RunnerSettings settings() {
    return RunnerSettings.defaults(owner).withPull(false, Duration.ofSeconds(30)).withStopGrace(Duration.ofSeconds(1));
  }

  /** Collects log lines with the time each arrived. */
  protected static final class Lines implements Consumer<OutputLine> {
    final List<OutputLine> lines = new CopyOnWriteArrayList<>();
    final List<Long> arrivedNanos = new CopyOnWriteArrayList<>();

    @Override
    public void accept(OutputLine line) {
      lines.add(line);
      arrivedNanos.add(System.nanoTime());
    }

    List<String> texts() {
      List<String> out = new ArrayList<>();
      lines.forEach(l -> out.add(l.text()));
      return out;
    }
  }
}
