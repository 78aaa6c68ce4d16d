package dev.trtcompat.check;

import dev.trtcompat.check.GpuSupport.Status;
import dev.trtcompat.precision.Gpu;
import dev.trtcompat.precision.GpuFacts;
import dev.trtcompat.precision.PrecisionFacts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Narrows a report to one GPU: a release whose support matrix does not cover the GPU's compute capability fails
 * every column (or is unknown when the knowledge base has no support matrix for it), and a precision or quantized
 * type the architecture cannot build fails that column. Works on the report alone, so a cached check can be
 * filtered for any GPU without reading the model again.
 */
public final class GpuFilter {

  private final PrecisionFacts facts;

  public GpuFilter(PrecisionFacts facts) {
    this.facts = facts;
  }

  public static GpuFilter bundled() {
    return new GpuFilter(PrecisionFacts.bundled());
  }

  public PrecisionFacts facts() {
    return facts;
  }

  /** Reads {@code sm_89}, {@code 8.9} or a GPU name; IllegalArgumentException naming the accepted forms. */
  public Gpu resolve(String text) {
    return facts.gpus().resolve(text);
  }

  public CompatibilityReport apply(CompatibilityReport r, Gpu gpu) {
    List<ReleaseResult> results = new ArrayList<>(r.results().size());
    for (ReleaseResult rr : r.results()) {
      results.add(apply(rr, gpu, r.quantization()));
    }
    return new CompatibilityReport(r.model(), results, r.opsetAdvice(), r.quantization(), GpuChoice.of(gpu));
  }

  private ReleaseResult apply(ReleaseResult rr, Gpu gpu, Quantization quantization) {
    GpuSupport support = support(rr.tensorrt(), gpu);
    Map<String, PrecisionResult> columns = new LinkedHashMap<>();
    for (Map.Entry<String, PrecisionResult> e : rr.precisions().entrySet()) {
      List<Finding> own = new ArrayList<>(e.getValue().findings());
      List<String> sources = new ArrayList<>(e.getValue().sources());
      if (support.status() == Status.UNSUPPORTED) {
        own.add(model(Severity.ERROR, "gpu.release_unsupported", support.reason(),
            "use a TensorRT release that supports " + gpu.sm().sm()));
      } else if (support.status() == Status.UNKNOWN) {
        own.add(model(Severity.WARNING, "gpu.release_support.unknown", support.reason(),
            "check NVIDIA's support matrix for TensorRT " + rr.tensorrt() + " or build a test engine"));
      }
      sources.addAll(support.sources());
      capability(gpu, e.getKey(), e.getKey(), own, sources);
      for (String t : quantization.types()) {
        if (!t.equals("INT8")) {
          capability(gpu, t, PrecisionCheck.shortType(t) + " Q/DQ", own, sources);
        }
      }
      columns.put(e.getKey(), PrecisionResult.of(rr.verdict(), own, gpu.label(), sources));
    }
    return rr.withGpu(columns, support);
  }

  /** One finding when the architecture lacks (error) or is not known to have (unknown) what the column needs. */
  private void capability(Gpu gpu, String what, String label, List<Finding> own, List<String> sources) {
    GpuFacts.Architecture a = gpu.architecture();
    Boolean can = a == null ? null : a.can(what);
    if (Boolean.TRUE.equals(can) || what.equals("fp32")) {
      if (a != null) {
        sources.addAll(urls(a.sources()));
      }
      return;
    }
    if (Boolean.FALSE.equals(can)) {
      own.add(model(Severity.ERROR, "gpu.precision_unavailable",
          gpu.label() + " (" + a.family() + ") has no " + label + " support",
          "build " + label + " on a GPU that has it, or pick another precision"));
      sources.addAll(urls(a.sources()));
    } else if (what.equals("fp16") || what.equals("int8") || what.equals("FLOAT8E4M3FN")
        || what.equals("FLOAT4E2M1")) {
      own.add(model(Severity.WARNING, "gpu.precision.unknown",
          "the knowledge base does not know whether " + gpu.label() + " has " + label + " support",
          "check NVIDIA's support matrix for this GPU or build a test engine"));
    }
  }

  GpuSupport support(String release, Gpu gpu) {
    return facts.gpus().support(release).map(s -> {
      List<String> urls = urls(s.sources());
      if (!gpu.sm().atLeast(s.minSm())) {
        return new GpuSupport(Status.UNSUPPORTED, "TensorRT " + release + " supports compute capability "
            + s.minSm() + " and newer; " + gpu.label() + " is " + gpu.sm(), urls);
      }
      if (!s.newestListedSm().atLeast(gpu.sm())) {
        return new GpuSupport(Status.UNKNOWN, "TensorRT " + release + "'s support matrix lists compute capabilities "
            + s.minSm() + " to " + s.newestListedSm() + "; whether it supports " + gpu.label() + " is not known",
            urls);
      }
      return new GpuSupport(Status.SUPPORTED, "TensorRT " + release + " supports compute capability " + s.minSm()
          + " and newer (" + s.newestListedSm() + " is the newest listed)", urls);
    }).orElse(new GpuSupport(Status.UNKNOWN, "the knowledge base has no support matrix for TensorRT " + release
        + "; whether it supports " + gpu.label() + " is not known", List.of()));
  }

  private List<String> urls(List<String> ids) {
    return ids.stream().map(id -> facts.gpus().sources().stream().filter(s -> s.id().equals(id)).findFirst()
        .map(dev.trtcompat.precision.FactSource::url).orElse(id)).toList();
  }

  private static Finding model(Severity sev, String rule, String message, String fix) {
    return new Finding(sev, null, null, null, null, rule, message, fix);
  }
}
