package dev.trtcompat.docker;

import dev.trtcompat.images.ImageReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What to run in a container and under which limits. The network is always {@code none}: converting a model
 * needs no network, and a model file is untrusted input.
 *
 * @param image the image to run
 * @param command the command and its arguments (no shell)
 * @param env extra environment variables
 * @param modelDir host folder mounted read-only at {@link #MODEL_MOUNT}, or null
 * @param outputDir host folder mounted read-write at {@link #OUTPUT_MOUNT}, or null
 * @param gpus GPUs to hand to the container
 * @param memoryLimitBytes hard memory limit (swap included); the kernel kills the container above it
 * @param pidsLimit most processes and threads the container may have
 * @param user user[:group] to run as, or null for the image's default user
 * @param timeout wall-clock limit from start to exit; the container is stopped when it passes
 * @param description a short name for messages, e.g. "trtexec 8.6 FP16"
 * @param labels extra labels, keys under {@value ContainerLabels#EXTRA_PREFIX} (e.g. the job cell a run belongs
 *     to, so a later instance can find what a dead one left)
 */
public record ContainerRun(ImageReference image, List<String> command, Map<String, String> env, Path modelDir,
    Path outputDir, GpuRequest gpus, long memoryLimitBytes, long pidsLimit, String user, Duration timeout,
    String description, Map<String, String> labels) {

  /** Where the model folder appears inside the container (read-only). */
  public static final String MODEL_MOUNT = "/models";
  /** Where the output folder appears inside the container (read-write). */
  public static final String OUTPUT_MOUNT = "/out";

  public ContainerRun {
    Objects.requireNonNull(image, "image");
    command = List.copyOf(command);
    env = Map.copyOf(env);
    labels = Map.copyOf(labels);
    for (String key : labels.keySet()) {
      if (!key.startsWith(ContainerLabels.EXTRA_PREFIX) || ContainerLabels.RESERVED.contains(key)) {
        throw new IllegalArgumentException("extra labels must start with " + ContainerLabels.EXTRA_PREFIX
            + " and not be one of the runner's own: " + key);
      }
    }
    Objects.requireNonNull(gpus, "gpus");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(description, "description");
    if (command.isEmpty()) {
      throw new IllegalArgumentException("a container run needs a command");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive");
    }
    if (memoryLimitBytes < 6 * 1024 * 1024) {
      // Docker refuses limits under 6 MiB; say so here rather than through an engine error.
      throw new IllegalArgumentException("memory limit must be at least 6 MiB");
    }
    if (pidsLimit < 1) {
      throw new IllegalArgumentException("pids limit must be at least 1");
    }
    for (Path dir : new Path[] {modelDir, outputDir}) {
      if (dir != null && (!dir.isAbsolute() || !Files.isDirectory(dir))) {
        throw new IllegalArgumentException("mount source must be an existing absolute folder: " + dir);
      }
    }
  }

  public static Builder builder(ImageReference image, String... command) {
    return new Builder(image, List.of(command));
  }

  public Optional<Path> model() {
    return Optional.ofNullable(modelDir);
  }

  public Optional<Path> output() {
    return Optional.ofNullable(outputDir);
  }

  /** Builds a {@link ContainerRun}; defaults: no GPU, 2 GiB memory, 256 pids, image user, 10 minutes. */
  public static final class Builder {
    private final ImageReference image;
    private final List<String> command;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private Path modelDir;
    private Path outputDir;
    private GpuRequest gpus = GpuRequest.none();
    private long memoryLimitBytes = 2L * 1024 * 1024 * 1024;
    private long pidsLimit = 256;
    private String user;
    private Duration timeout = Duration.ofMinutes(10);
    private String description;

    private Builder(ImageReference image, List<String> command) {
      this.image = image;
      this.command = command;
    }

    public Builder env(String name, String value) {
      env.put(name, value);
      return this;
    }

    public Builder modelDir(Path dir) {
      this.modelDir = dir;
      return this;
    }

    public Builder outputDir(Path dir) {
      this.outputDir = dir;
      return this;
    }

    public Builder gpus(GpuRequest gpus) {
      this.gpus = gpus;
      return this;
    }

    public Builder memoryLimitBytes(long bytes) {
      this.memoryLimitBytes = bytes;
      return this;
    }

    public Builder memoryLimitMiB(long mib) {
      return memoryLimitBytes(mib * 1024 * 1024);
    }

    public Builder pidsLimit(long pids) {
      this.pidsLimit = pids;
      return this;
    }

    public Builder user(String user) {
      this.user = user;
      return this;
    }

    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    public Builder label(String key, String value) {
      labels.put(key, value);
      return this;
    }

    public Builder description(String description) {
      this.description = description;
      return this;
    }

    public ContainerRun build() {
      return new ContainerRun(image, command, env, modelDir, outputDir, gpus, memoryLimitBytes, pidsLimit, user,
          timeout, description == null ? "container " + image : description, labels);
    }
  }
}
