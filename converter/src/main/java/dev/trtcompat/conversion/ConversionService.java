package dev.trtcompat.conversion;

import dev.trtcompat.accuracy.AccuracyReport;
import dev.trtcompat.conversion.ConversionResult.Outcome;
import dev.trtcompat.docker.ContainerRun;
import dev.trtcompat.docker.ContainerRunner;
import dev.trtcompat.docker.DockerEngine;
import dev.trtcompat.docker.ImageIdentity;
import dev.trtcompat.docker.ImageStore;
import dev.trtcompat.docker.ImageUnavailableException;
import dev.trtcompat.docker.OutputLine;
import dev.trtcompat.docker.RunResult;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.images.ImageReference;
import dev.trtcompat.images.TensorRtImage;
import dev.trtcompat.images.TensorRtImageCatalog;
import dev.trtcompat.onnx.ModelSummary;
import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.trtexec.ModelNodeMatch;
import dev.trtcompat.trtexec.QdqEvidence;
import dev.trtcompat.trtexec.TrtexecCommand;
import dev.trtcompat.trtexec.TrtexecCommand.ModelInput;
import dev.trtcompat.trtexec.TrtexecLog;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one conversion end to end: picks the TensorRT image, builds the trtexec command, runs it in a container
 * with the model mounted read-only, reads the log, maps a failing node back to the model, compares the engine's
 * outputs with the ONNX Runtime reference on the same inputs and stores the engine.
 */
public final class ConversionService {

  private static final Logger LOG = LoggerFactory.getLogger(ConversionService.class);

  /** Names of the files trtexec writes into the output folder, as seen inside the container. */
  static final String LOG_FILE = "trtexec.log";
  static final String CALIBRATION_FILE = "calibration.cache";
  static final String TIMES_FILE = "times.json";
  static final String PROFILE_FILE = "profile.json";
  static final String LAYERS_FILE = "layers.json";

  private final DockerEngine engine;
  private final ContainerRunner runner;
  private final TensorRtImageCatalog catalog;
  private final EngineStore store;
  private final ConversionSettings settings;

  public ConversionService(DockerEngine engine, ContainerRunner runner, TensorRtImageCatalog catalog,
      EngineStore store, ConversionSettings settings) {
    this.engine = engine;
    this.runner = runner;
    this.catalog = catalog.withRegistryPrefix(settings.registryPrefix());
    this.store = store;
    this.settings = settings;
  }

  public EngineStore engines() {
    return store;
  }

  /** The image a release runs in under this service's settings. */
  public ImageReference imageFor(String release) {
    if (settings.imageOverride() != null) {
      return ImageReference.parse(settings.imageOverride());
    }
    TensorRtImage image = catalog.newestFor(release).orElseThrow(() -> new UserFacingException(
        UserFacingException.Kind.BAD_REQUEST, "unknown_tensorrt_release",
        "No TensorRT container is known for TensorRT " + release + "; known releases: "
            + String.join(", ", catalog.releases()) + ". Pick one of them or name an image with --image."));
    return catalog.referenceOf(image);
  }

  /**
   * Fails early when a release's image cannot run here: no image known for it, or absent while pulls are off.
   *
   * @throws ImageUnavailableException when the image is absent and may not be pulled
   */
  public void checkImage(String release, boolean pullAllowed) {
    ImageReference image = imageFor(release);
    if (!pullAllowed && !new ImageStore(engine).isPresent(image)) {
      throw new ImageUnavailableException(image, "Image " + image + " is not on the Docker engine and pulling is turned"
          + " off: load it with 'docker pull " + image + "' (or 'docker load' on an air-gapped host) or allow pulls.", null);
    }
  }

  /**
   * Runs the conversion and waits for it. Log lines reach {@code lines} as trtexec prints them.
   *
   * @throws UserFacingException when it cannot run at all: bad request (shapes, release), Docker down, image
   *     missing, no NVIDIA runtime
   */
  public ConversionResult convert(ConversionRequest request, Consumer<OutputLine> lines) {
    return convert(request, Map.of(), lines);
  }

  /**
   * As {@link #convert(ConversionRequest, Consumer)}, with extra container labels (keys under {@code
   * dev.trtcompat.}, e.g. the job cell and attempt, so leftovers of a dead instance can be found).
   */
  public ConversionResult convert(ConversionRequest request, Map<String, String> labels, Consumer<OutputLine> lines) {
    long startNanos = System.nanoTime();
    ImageReference image = imageFor(request.release().toString());
    OnnxModel model = OnnxModelReader.read(request.model());
    Path work;
    try {
      work = store.newWorkDir();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    boolean stored = false;
    try {
      List<String> notes = new ArrayList<>();
      EngineAccuracyCheck accuracyCheck = request.accuracy() ? EngineAccuracyCheck.prepare(request, work, new ReferenceCache(store.referencesDir()), notes) : null;
      ModelSummary summary = ModelSummary.of(model);
      boolean quantizedModel = summary.ops().containsKey("QuantizeLinear") && summary.ops().containsKey("DequantizeLinear");
      TrtexecCommand command = command(request, summary, quantizedModel, work, accuracyCheck);
      ContainerRun.Builder run = ContainerRun.builder(image, command.arguments().toArray(String[]::new))
          .modelDir(request.model().getParent())
          .outputDir(work)
          .gpus(settings.gpus())
          .memoryLimitBytes(settings.memoryLimitBytes())
          .timeout(request.timeout())
          .description("trtexec " + request.release() + " " + request.precision());
      settings.containerEnv().forEach(run::env);
      labels.forEach(run::label);
      RunResult result;
      try (BufferedWriter logFile = Files.newBufferedWriter(work.resolve(LOG_FILE), StandardCharsets.UTF_8)) {
        result = runner.run(run.build(), line -> {
          write(logFile, line.text());
          lines.accept(line);
        }, settings.maxQueueWait());
      }
      TrtexecLog log;
      try (InputStream in = Files.newInputStream(work.resolve(LOG_FILE))) {
        log = TrtexecLog.parse(in);
      }
      Path engineFile = work.resolve(EngineStore.ENGINE_FILE);
      boolean engineBuilt = Files.isRegularFile(engineFile) && Files.size(engineFile) > 0;
      if (engineBuilt) {
        log = log.withEngineBytes(Files.size(engineFile), "engine_file");
      }
      if (command.accuracyCaveat() != null) {
        notes.add(command.accuracyCaveat());
      }
      notes.addAll(command.notes());
      Outcome outcome = outcome(result, log, engineBuilt, notes);
      QdqEvidence qdqEvidence = QdqEvidence.of(command, quantizedModel, log);
      if (qdqEvidence != null && qdqEvidence.state() != QdqEvidence.State.NOT_IN_LOG) {
        notes.add(qdqEvidence.message());
      }
      ModelNodeMatch node = log.failingNode() == null ? null : ModelNodeMatch.of(log.failingNode(), model,
          log.tensorrtVersion() != null ? log.tensorrtVersion() : request.release().toString());
      AccuracyReport accuracy = null;
      if (accuracyCheck != null && outcome == Outcome.SUCCESS) {
        accuracy = accuracyCheck.compare(work, request.precision(), command.timingOnly(), notes);
      }
      EngineAccuracyCheck.cleanUp(work);
      EngineArtifact artifact = null;
      if (outcome == Outcome.SUCCESS) {
        TrtexecLog facts = log;
        artifact = store.put(work, f -> describe(f, request, image, command, facts));
        stored = true;
        notes.add(artifact.validity());
      }
      double wall = (System.nanoTime() - startNanos) / 1e9;
      return new ConversionResult(outcome, request.release().toString(),
          request.precision().wireName(), image.toString(), command.arguments(),
          result.exitCode(), wall, log, node, artifact, accuracy, qdqEvidence, notes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (!stored) {
        try {
          EngineStore.deleteTree(work);
        } catch (IOException e) {
          LOG.warn("could not remove scratch folder {}", work, e);
        }
      }
    }
  }

  private TrtexecCommand command(ConversionRequest request, ModelSummary summary, boolean quantizedModel, Path work,
      EngineAccuracyCheck accuracyCheck) throws IOException {
    String inContainer = ContainerRun.MODEL_MOUNT + "/" + request.model().getFileName();
    String out = ContainerRun.OUTPUT_MOUNT + "/";
    TrtexecCommand.Builder b = TrtexecCommand.builder(request.release(), inContainer)
        .precision(request.precision())
        .inputs(inputs(summary))
        .quantizedModel(quantizedModel)
        .saveEngine(out + EngineStore.ENGINE_FILE)
        .exportTimes(out + TIMES_FILE)
        .exportProfile(out + PROFILE_FILE)
        .exportLayerInfo(out + LAYERS_FILE);
    request.shapes().forEach(b::shape);
    if (accuracyCheck != null) {
      accuracyCheck.addFlags(b);
    }
    if (request.calibrationCache() != null) {
      // The output folder is the only host folder the container sees besides the model's.
      Files.copy(request.calibrationCache(), work.resolve(CALIBRATION_FILE));
      b.calibrationCache(out + CALIBRATION_FILE);
    }
    return b.build();
  }

  static List<ModelInput> inputs(ModelSummary summary) {
    List<ModelInput> inputs = new ArrayList<>();
    for (ModelSummary.ValueSummary v : summary.inputs()) {
      List<Long> dims = null;
      if (v.shape() != null) {
        dims = v.shape().stream().map(d -> d instanceof Number n ? n.longValue() : -1L).toList();
      }
      inputs.add(new ModelInput(v.name(), dims));
    }
    return inputs;
  }

  static Outcome outcome(RunResult run, TrtexecLog log, boolean engineBuilt, List<String> notes) {
    if (run.timedOut()) {
      notes.add("Stopped after the time limit of " + run.timeout().toSeconds() + " s; raise the timeout for large models.");
      return Outcome.TIMEOUT;
    }
    if (run.cancelled()) {
      return Outcome.CANCELLED;
    }
    if (run.oomKilled()) {
      notes.add("The container ran out of memory (limit " + (run.memoryLimitBytes() >> 20) + " MiB) and was killed.");
      return Outcome.ERROR;
    }
    switch (log.outcome()) {
      case PARSE_FAILURE:
        return Outcome.PARSE_FAILURE;
      case BUILD_FAILURE:
        return Outcome.BUILD_FAILURE;
      default:
        break;
    }
    if (run.exitCode() == 0 && engineBuilt) {
      return Outcome.SUCCESS;
    }
    if (run.exitCode() == 0) {
      notes.add("trtexec exited 0 but wrote no engine file.");
    } else {
      notes.add("trtexec exited with code " + run.exitCode() + " and its log does not say why"
          + (log.recognised() ? "." : " (no TensorRT output recognised)."));
    }
    return Outcome.ERROR;
  }

  private EngineArtifact describe(EngineStore.EngineFacts facts, ConversionRequest request, ImageReference image,
      TrtexecCommand command, TrtexecLog log) {
    String version = log.tensorrtVersion() != null ? log.tensorrtVersion() : request.release().toString();
    String gpu = log.gpu() == null ? null : log.gpu().name();
    String cc = log.gpu() == null ? null : log.gpu().computeCapability();
    ImageIdentity identity = ImageIdentity.of(engine, image).orElse(new ImageIdentity(null, List.of()));
    return new EngineArtifact(facts.sha256(), request.modelSha256(), version, image.toString(), identity.id(),
        identity.repoDigests(), gpu, cc, request.precision().wireName(), command.arguments(),
        log.buildTimeSeconds(), facts.bytes(), Instant.now().toString(), EngineArtifact.validity(version, gpu, cc));
  }

  private static void write(BufferedWriter file, String line) {
    try {
      file.write(line);
      file.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
