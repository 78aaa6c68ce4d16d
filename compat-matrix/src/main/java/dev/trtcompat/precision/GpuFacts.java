package dev.trtcompat.precision;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * GPU architectures and TensorRT ({@code gpus.json}): the build precisions each compute capability has, the
 * architectures each release documents, and common GPU names. Null means "not found in a source".
 */
public record GpuFacts(
    String about, List<FactSource> sources, List<Architecture> architectures, List<ReleaseSupport> releaseSupport,
    List<GpuName> gpus) {

  public GpuFacts {
    sources = List.copyOf(sources);
    architectures = List.copyOf(architectures);
    releaseSupport = List.copyOf(releaseSupport);
    gpus = List.copyOf(gpus);
  }

  /**
   * What one compute capability can build; a null capability is unknown.
   *
   * @param fp8 FLOAT8E4M3FN Q/DQ layers; {@code fp4} FLOAT4E2M1
   */
  public record Architecture(
      ComputeCapability sm, String family, Boolean fp16, Boolean int8, Boolean fp8, Boolean fp4,
      List<String> sources) {
    public Architecture {
      sources = sources == null ? List.of() : List.copyOf(sources);
    }

    /** The capability for a precision or quantized element type; null when unknown or not a hardware question. */
    public Boolean can(String what) {
      return switch (what) {
        case "fp32" -> Boolean.TRUE;
        case "fp16" -> fp16;
        case "int8", "INT8" -> int8;
        case "FLOAT8E4M3FN" -> fp8;
        case "FLOAT4E2M1" -> fp4;
        default -> null;
      };
    }
  }

  /**
   * The compute capabilities a release's support matrix documents: from {@code minSm}; architectures newer than
   * {@code newestListedSm} are not known to be supported. {@code note} says how the range follows from its sources
   * where no support matrix of that very release was read (a removal or addition announced in a release note).
   */
  public record ReleaseSupport(
      String release, ComputeCapability minSm, ComputeCapability newestListedSm, List<String> sources, String note) {
    public ReleaseSupport {
      sources = sources == null ? List.of() : List.copyOf(sources);
    }
  }

  /** A GPU's marketing name (and other spellings) to its compute capability. */
  public record GpuName(String name, List<String> aliases, ComputeCapability sm, List<String> sources) {
    public GpuName {
      aliases = aliases == null ? List.of() : List.copyOf(aliases);
      sources = sources == null ? List.of() : List.copyOf(sources);
    }
  }

  public Optional<Architecture> architecture(ComputeCapability sm) {
    return architectures.stream().filter(a -> a.sm().equals(sm)).findFirst();
  }

  public Optional<ReleaseSupport> support(String release) {
    return releaseSupport.stream().filter(r -> r.release().equals(release)).findFirst();
  }

  /**
   * Reads a GPU choice: {@code sm_89}, {@code 8.9}, {@code 89} or a name from the list ({@code L4},
   * {@code RTX 4090}; letter case and spaces do not matter).
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  public Gpu resolve(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("no GPU given; " + acceptedForms());
    }
    Optional<ComputeCapability> cc = ComputeCapability.find(text);
    if (cc.isPresent()) {
      return new Gpu(cc.get().sm(), cc.get(), architecture(cc.get()).orElse(null));
    }
    String key = squash(text);
    for (GpuName g : gpus) {
      List<String> names = new ArrayList<>(g.aliases());
      names.add(g.name());
      if (names.stream().anyMatch(n -> squash(n).equals(key))) {
        return new Gpu(g.name(), g.sm(), architecture(g.sm()).orElse(null));
      }
    }
    throw new IllegalArgumentException("unknown GPU '" + (text.length() > 40 ? text.substring(0, 40) + "…" : text)
        + "'; " + acceptedForms());
  }

  /** One line naming what {@link #resolve} accepts. */
  public String acceptedForms() {
    return "give a compute capability (sm_89, 8.9) or one of: "
        + String.join(", ", gpus.stream().map(g -> g.name() + " (" + g.sm().sm() + ")").toList());
  }

  private static String squash(String s) {
    return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "").replaceFirst("^(nvidia|tesla|geforce)", "");
  }
}
