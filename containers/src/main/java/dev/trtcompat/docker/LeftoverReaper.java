package dev.trtcompat.docker;

import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes containers that an earlier process of the same owner left behind (a crash or a kill -9 skips the
 * normal clean-up). Containers of other owners, and of the running process, are never touched.
 */
public final class LeftoverReaper {

  private static final Logger LOG = LoggerFactory.getLogger(LeftoverReaper.class);

  private final DockerEngine engine;
  private final String ownerId;
  private final String currentInstance;

  public LeftoverReaper(DockerEngine engine, String ownerId, String currentInstance) {
    this.engine = engine;
    this.ownerId = ownerId;
    this.currentInstance = currentInstance;
  }

  /** Finds and force-removes the leftovers; returns the ids of the containers removed. */
  public List<String> reap() {
    List<String> removed = new ArrayList<>();
    for (Container c : leftovers()) {
      try {
        engine.client().removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
        removed.add(c.getId());
        LOG.info("removed leftover trt-compat container {} (run {}, instance {})", c.getId().substring(0, 12),
            c.getLabels().get(ContainerLabels.RUN), c.getLabels().get(ContainerLabels.INSTANCE));
      } catch (NotFoundException e) {
        // Removed meanwhile by someone else: the goal is reached.
      }
    }
    return removed;
  }

  /** This owner's containers from other instances, running or not. */
  public List<Container> leftovers() {
    return engine.client().listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(Map.of(ContainerLabels.MANAGED, "true", ContainerLabels.OWNER, ownerId))
        .exec()
        .stream()
        .filter(c -> !currentInstance.equals(c.getLabels().get(ContainerLabels.INSTANCE)))
        .toList();
  }

  /**
   * Force-removes this owner's containers labelled with {@code cell} and an attempt up to {@code upToAttempt},
   * whichever instance made them (the job layer calls this for a cell whose instance died). Later attempts
   * may be running elsewhere and are left alone. Idempotent.
   */
  public List<String> reapCell(String cell, int upToAttempt) {
    List<String> removed = new ArrayList<>();
    List<Container> found = engine.client().listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(Map.of(ContainerLabels.MANAGED, "true", ContainerLabels.OWNER, ownerId, ContainerLabels.CELL, cell))
        .exec();
    for (Container c : found) {
      int attempt;
      try {
        attempt = Integer.parseInt(c.getLabels().getOrDefault(ContainerLabels.ATTEMPT, "0"));
      } catch (NumberFormatException e) {
        attempt = 0;
      }
      if (attempt > upToAttempt) {
        continue;
      }
      try {
        engine.client().removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
        removed.add(c.getId());
        LOG.info("removed container {} of interrupted cell {} (attempt {})", c.getId().substring(0, 12), cell, attempt);
      } catch (NotFoundException e) {
        // Removed meanwhile by someone else: the goal is reached.
      }
    }
    return removed;
  }
}
