package dev.trtcompat.precision;

import java.util.List;

/**
 * One fact about a range of TensorRT releases: true from {@code from} (inclusive) until {@code until}
 * (exclusive; null while it still holds at the newest release read).
 *
 * @param fact the kind, one of {@link Kind}'s wire names
 * @param precision for {@code build_precision}: fp32, fp16 or int8
 * @param type for {@code qdq_type}: the ONNX element type the importer quantizes to
 * @param ops for zero-point facts: the operators the fact is about
 * @param sources ids from the file's source list
 */
public record ReleaseFact(
    String fact, String precision, String type, List<String> ops, String from, String until, List<String> sources,
    String note) {

  public ReleaseFact {
    ops = ops == null ? List.of() : List.copyOf(ops);
    sources = sources == null ? List.of() : List.copyOf(sources);
  }

  /** The kinds of fact the checker reads; a file naming any other kind is rejected at load. */
  public enum Kind {
    BUILD_PRECISION,
    STRONGLY_TYPED,
    QDQ_AS_SCALE_LAYER,
    EXPLICIT_QUANTIZATION,
    QDQ_TYPE,
    ZERO_POINT_REQUIRED,
    ZERO_POINT_ALL_ZERO,
    ZERO_POINT_IGNORED,
    UINT8_REFUSED,
    SCALE_POSITIVE,
    PER_TENSOR_AXIS_REFUSED,
    PER_CHANNEL_AXIS_DEFAULT_ZERO,
    BLOCK_QUANTIZATION;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  boolean is(Kind k) {
    return k.wireName().equals(fact);
  }

  boolean holdsFor(String release) {
    return Releases.within(release, from, until);
  }
}
