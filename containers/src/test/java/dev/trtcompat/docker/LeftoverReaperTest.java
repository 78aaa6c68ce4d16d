package dev.trtcompat.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.exception.NotFoundException;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Containers a crashed process left behind are removed at start-up; other owners' containers are not. */
@Tag("docker")
class LeftoverReaperTest extends DockerTestSupport {

  @Test
  void startUpRemovesLeftoversOfThisOwnerOnly() {
    String crashedInstance = UUID.randomUUID().toString();
    String leftoverRunning = createOutOfBand(owner, crashedInstance, true);
    String leftoverCreated = createOutOfBand(owner, crashedInstance, false);
    String otherOwner = "test-other-" + UUID.randomUUID().toString().substring(0, 8);
    String foreign = createOutOfBand(otherOwner, crashedInstance, true);
    try {
      assertThat(containersOf(owner)).hasSize(2);

      try (ContainerRunner runner = new ContainerRunner(engine, settings())) {
        assertThat(containersOf(owner)).isEmpty();
        assertThat(exists(leftoverRunning)).isFalse();
        assertThat(exists(leftoverCreated)).isFalse();
        assertThat(exists(foreign)).as("a container of another owner must survive").isTrue();
        assertThat(runner.instanceId()).isNotEqualTo(crashedInstance);
      }
    } finally {
      engine.client().removeContainerCmd(foreign).withForce(true).exec();
    }
    assertThat(containersOf(otherOwner)).isEmpty();
  }

  @Test
  void reaperSparesTheContainersOfTheRunningInstance() {
    String current = UUID.randomUUID().toString();
    String mine = createOutOfBand(owner, current, false);
    LeftoverReaper reaper = new LeftoverReaper(engine, owner, current);
    assertThat(reaper.reap()).isEmpty();
    assertThat(exists(mine)).isTrue();
    assertThat(new LeftoverReaper(engine, owner, "a-later-process").reap()).containsExactly(mine);
    assertThat(exists(mine)).isFalse();
  }

  private String createOutOfBand(String ownerId, String instance, boolean start) {
    String id = engine.client().createContainerCmd(TestDoubleImage.image().toString())
        .withCmd("sleep", "300")
        .withLabels(Map.of(ContainerLabels.MANAGED, "true", ContainerLabels.OWNER, ownerId,
            ContainerLabels.INSTANCE, instance, ContainerLabels.RUN, "crashed-run"))
        .withHostConfig(com.github.dockerjava.api.model.HostConfig.newHostConfig().withNetworkMode("none"))
        .exec().getId();
    if (start) {
      engine.client().startContainerCmd(id).exec();
    }
    return id;
  }

  private boolean exists(String id) {
    try {
      engine.client().inspectContainerCmd(id).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }
}
