package dev.trtcompat.precision;

import dev.trtcompat.precision.ReleaseFact.Kind;
import java.util.List;
import java.util.Optional;

/**
 * Per TensorRT release: the build precisions trtexec offers and how the ONNX parser imports
 * QuantizeLinear/DequantizeLinear ({@code quantization.json}).
 */
public record QuantizationFacts(String about, List<FactSource> sources, List<ReleaseFact> facts) {

  public QuantizationFacts {
    sources = List.copyOf(sources);
    facts = List.copyOf(facts);
  }

  /** The first fact of that kind (and, when given, operator) holding for the release. */
  public Optional<ReleaseFact> find(String release, Kind kind, String op) {
    return facts.stream()
        .filter(f -> f.is(kind) && f.holdsFor(release) && (op == null || f.ops().contains(op)))
        .findFirst();
  }

  public boolean holds(String release, Kind kind) {
    return find(release, kind, null).isPresent();
  }

  /** Whether trtexec of that release offers the build precision (fp32, fp16, int8). */
  public Optional<ReleaseFact> buildPrecision(String release, Precision p) {
    return facts.stream()
        .filter(f -> f.is(Kind.BUILD_PRECISION) && p.wireName().equals(f.precision()) && f.holdsFor(release))
        .findFirst();
  }

  /** The Q/DQ fact for a quantized element type on that release; empty when the importer does not take it. */
  public Optional<ReleaseFact> qdqType(String release, String type) {
    return facts.stream()
        .filter(f -> f.is(Kind.QDQ_TYPE) && type.equals(f.type()) && f.holdsFor(release))
        .findFirst();
  }

  /** The oldest release from which the importer takes the quantized type; empty when no fact names it. */
  public Optional<String> qdqTypeSince(String type) {
    return facts.stream().filter(f -> f.is(Kind.QDQ_TYPE) && type.equals(f.type())).map(ReleaseFact::from)
        .min(Releases::compare);
  }

  /** The source with that id. */
  public Optional<FactSource> source(String id) {
    return sources.stream().filter(s -> s.id().equals(id)).findFirst();
  }

  /** The URLs behind a fact, for a finding's citation. */
  public String cite(ReleaseFact f) {
    return String.join(" ", f.sources().stream().map(id -> source(id).map(FactSource::url).orElse(id)).toList());
  }
}
