package dev.trtcompat.cli;

import dev.trtcompat.accuracy.AccuracyReport;
import dev.trtcompat.accuracy.OutputComparison;
import dev.trtcompat.conversion.ConversionHost;
import dev.trtcompat.conversion.ConversionRequest;
import dev.trtcompat.conversion.ConversionResult;
import dev.trtcompat.conversion.ConversionSettings;
import dev.trtcompat.conversion.EngineArtifact;
import dev.trtcompat.docker.DockerSettings;
import dev.trtcompat.docker.GpuRequest;
import dev.trtcompat.docker.RunnerSettings;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.json.Json;
import dev.trtcompat.trtexec.TensorRtRelease;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code trt-compat convert MODEL --trt 8.6 --precision fp16}: builds a TensorRT engine with trtexec in the
 * release's NVIDIA container, prints trtexec's log on stderr as it runs and a summary (or JSON) on stdout.
 */
@Command(
    name = "convert",
    mixinStandardHelpOptions = true,
    description = "Convert an ONNX model to a TensorRT engine with trtexec in the NVIDIA TensorRT container of a release.",
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
      "0:an engine was built",
      "1:the model did not parse or the engine did not build (or trtexec failed otherwise)",
      "2:bad input (model, shapes, release, precision)",
      "3:Docker, the image or the NVIDIA runtime is unavailable",
      "4:the conversion passed its time limit"
    })
final class ConvertCommand implements Callable<Integer> {

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  @Parameters(paramLabel = "MODEL", description = "The .onnx file (external data files beside it are mounted too).")
  Path model;

  @Option(names = "--trt", required = true, paramLabel = "MAJOR.MINOR", description = "TensorRT release, e.g. 8.6 or 10.3.")
  String trt;

  @Option(names = "--precision", paramLabel = "P", defaultValue = "fp32", description = "fp32, fp16, int8 or best (default ${DEFAULT-VALUE}).")
  String precision;

  @Option(names = "--shapes", paramLabel = "SHAPES", description = "Shapes of dynamic inputs: name:1x3x224x224[,name2:...] or name:MIN/OPT/MAX.")
  String shapes;

  @Option(names = "--calib", paramLabel = "FILE", description = "INT8 calibration cache; without one INT8 results are timing only.")
  Path calib;

  @Option(names = "--out", paramLabel = "FILE", description = "Also copy the engine here.")
  Path out;

  @Option(names = "--image", paramLabel = "IMAGE", description = "Run this image instead of the catalog's NGC TensorRT image.")
  String image;

  @Option(names = "--registry", paramLabel = "PREFIX", defaultValue = "nvcr.io/nvidia", description = "Registry path of the TensorRT images, e.g. a mirror (default ${DEFAULT-VALUE}).")
  String registry;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30m", description = "Time limit of the run: 90s, 30m, 2h (default ${DEFAULT-VALUE}).")
  String timeout;

  @Option(names = "--no-gpu", description = "Request no GPU (test images only: real trtexec needs one).")
  boolean noGpu;

  @Option(names = "--no-pull", description = "Never pull images; fail when the image is not on the engine.")
  boolean noPull;

  @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data", description = "Where engines are stored (default ./${DEFAULT-VALUE}, as serve).")
  Path dataDir;

  @Option(names = "--no-accuracy", description = "Skip the ONNX Runtime reference and the comparison of the engine's"
      + " outputs with it (on by default).")
  boolean noAccuracy;

  @Option(names = "--json", description = "Print the result as JSON.")
  boolean json;

  /** Names this process's containers on the engine; tests give each run its own. */
  @Option(names = "--owner", hidden = true, defaultValue = "trt-compat-cli")
  String owner;

  @Mixin VerboseOption verbose;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Duration limit = duration(timeout);
    Path modelFile = model.toAbsolutePath().normalize();
    if (!Files.isRegularFile(modelFile)) {
      throw new UserFacingException(UserFacingException.Kind.NOT_FOUND, "model_not_found", "No model file at " + model + ". Check the path.");
    }
    ConversionRequest request = new ConversionRequest(modelFile, sha256(modelFile), TensorRtRelease.parse(trt),
        ConversionRequest.precision(precision), ConversionRequest.shapes(shapes), calib, limit).withAccuracy(!noAccuracy);
    ConversionSettings settings = ConversionSettings.defaults().withRegistryPrefix(registry)
        .withGpus(noGpu ? GpuRequest.none() : GpuRequest.allGpus());
    if (image != null) {
      settings = settings.withImageOverride(image);
    }
    // Not reaping: another convert or a server may share the engine, and a crashed CLI leaves nothing running long.
    RunnerSettings runner = RunnerSettings.defaults(owner).withReapOnStart(false).withPull(!noPull, Duration.ofHours(1));
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter stdout = spec.commandLine().getOut();
    ConversionResult r;
    try (ConversionHost host = ConversionHost.open(DockerSettings.fromEnvironment(System.getenv()), runner, dataDir, settings)) {
      err.println("trt-compat: converting " + model + " with TensorRT " + request.release() + " " + precision
          + " in " + host.service().imageFor(request.release().toString()));
      err.flush();
      r = host.service().convert(request, line -> {
        synchronized (err) {
          err.println(line.text());
          err.flush();
        }
      });
      if (out != null && r.engine() != null) {
        Files.copy(host.service().engines().engineFile(r.engine().sha256()).orElseThrow(), out, StandardCopyOption.REPLACE_EXISTING);
      }
      if (json) {
        stdout.println(Json.pretty().writeValueAsString(r));
      } else {
        summary(stdout, r, r.engine() == null ? null : host.service().engines().engineFile(r.engine().sha256()).orElse(null));
      }
    }
    stdout.flush();
    return switch (r.outcome()) {
      case SUCCESS -> 0;
      case TIMEOUT -> TrtCompatCommand.exitCode(UserFacingException.Kind.TIMEOUT);
      default -> 1;
    };
  }

  private void summary(PrintWriter o, ConversionResult r, Path stored) {
    o.println("Outcome     " + r.outcome().wire());
    o.println("TensorRT    " + (r.log() != null && r.log().tensorrtVersion() != null ? r.log().tensorrtVersion() : r.release())
        + " (" + r.image() + ")");
    o.println("Precision   " + r.precision());
    o.println("Exit code   " + r.exitCode());
    o.println(String.format(Locale.ROOT, "Wall time   %.1f s", r.wallTimeSeconds()));
    if (r.modelNode() != null) {
      o.println("Failing     " + r.modelNode().summary());
    }
    if (r.log() != null) {
      r.log().errors().stream().limit(5).forEach(e -> o.println("Error       " + e));
    }
    EngineArtifact a = r.engine();
    if (a != null) {
      o.println("Engine      " + (out != null ? out : stored) + " (" + a.bytes() + " bytes, sha256 " + a.sha256() + ")");
      o.println("GPU         " + (a.gpuName() == null ? "not stated in the log" : a.gpuName()
          + (a.computeCapability() == null ? "" : ", compute capability " + a.computeCapability())));
      o.println("Valid       " + a.validity());
    }
    if (r.accuracy() != null) {
      o.println("Accuracy    " + accuracyLine(r.accuracy()));
    }
    for (String n : r.notes()) {
      if (a == null || !n.equals(a.validity())) {
        o.println("Note        " + n);
      }
    }
  }

  /** Pass/fail, the worst output (the first failing one, else the one furthest off) and its max abs error. */
  static String accuracyLine(AccuracyReport report) {
    String verdict = report.passed() ? "pass" : "FAIL";
    String tolerance = "vs ONNX Runtime, " + report.precision().wireName() + " tolerance";
    if (!report.missingOutputs().isEmpty()) {
      return verdict + " (" + tolerance + "): engine outputs lack " + report.missingOutputs();
    }
    OutputComparison worst = report.outputs().stream().filter(c -> !c.passed()).findFirst()
        .orElse(report.outputs().stream().max(Comparator.comparingDouble(OutputComparison::maxAbsError)).orElse(null));
    if (worst == null) {
      return verdict + " (" + tolerance + "): no outputs";
    }
    return String.format(Locale.ROOT, "%s (%s): worst output %s, max abs error %.3g, cosine %.6f, %.2f%% within tolerance",
        verdict, tolerance, worst.name(), worst.maxAbsError(), worst.cosineSimilarity(), worst.withinTolerance() * 100);
  }

  static Duration duration(String text) {
    Matcher m = DURATION.matcher(text.strip());
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      Duration d = switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
      if (!d.isZero()) {
        return d;
      }
    }
    throw new UserFacingException(UserFacingException.Kind.BAD_REQUEST, "invalid_timeout",
        "'" + text + "' is not a time limit; write e.g. 90s, 30m or 2h.");
  }

  static String sha256(Path file) throws IOException {
    try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(in.getMessageDigest().digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
