package dev.trtcompat.conversion;

import dev.trtcompat.docker.ContainerRunner;
import dev.trtcompat.docker.DockerEngine;
import dev.trtcompat.docker.DockerSettings;
import dev.trtcompat.docker.RunnerSettings;
import dev.trtcompat.images.TensorRtImageCatalog;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What conversions need, opened together and closed together: the Docker engine connection, the container runner
 * and the engine store. The CLI opens one per command, the server one for its lifetime.
 */
public final class ConversionHost implements AutoCloseable {

  private final DockerEngine engine;
  private final ContainerRunner runner;
  private final ConversionService service;

  private ConversionHost(DockerEngine engine, ContainerRunner runner, ConversionService service) {
    this.engine = engine;
    this.runner = runner;
    this.service = service;
  }

  /**
   * Connects to the engine (failing fast with {@link dev.trtcompat.docker.DockerUnavailableException} when it does
   * not answer) and opens the engine store under {@code dataDir}.
   */
  public static ConversionHost open(DockerSettings docker, RunnerSettings runnerSettings, Path dataDir,
      ConversionSettings settings) throws IOException {
    return open(docker, runnerSettings, EngineStore.open(dataDir), settings);
  }

  /** As above, with an engine store the caller opened (the service's, which its engine catalog indexes). */
  public static ConversionHost open(DockerSettings docker, RunnerSettings runnerSettings, EngineStore store,
      ConversionSettings settings) {
    DockerEngine engine = DockerEngine.connect(docker);
    try {
      ContainerRunner runner = new ContainerRunner(engine, runnerSettings);
      return new ConversionHost(engine, runner,
          new ConversionService(engine, runner, TensorRtImageCatalog.builtIn(), store, settings));
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
  }

  public ConversionService service() {
    return service;
  }

  /**
   * Removes the containers of this owner labelled with a job cell and an attempt up to {@code upToAttempt}
   * (what a dead instance left running for that cell).
   */
  public java.util.List<String> removeCellContainers(long cellId, int upToAttempt) {
    return new dev.trtcompat.docker.LeftoverReaper(engine, runner.settings().ownerId(), runner.instanceId())
        .reapCell(Long.toString(cellId), upToAttempt);
  }

  /** Cancels runs still in flight (their containers are removed), then closes the engine connection. */
  @Override
  public void close() {
    try {
      runner.close();
    } finally {
      engine.close();
    }
  }
}
