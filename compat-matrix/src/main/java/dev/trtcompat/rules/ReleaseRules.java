package dev.trtcompat.rules;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the knowledge base knows about one TensorRT release's ONNX parser: one data file
 * ({@code tensorrt-<release>.json}).
 *
 * @param release {@code MAJOR.MINOR}
 * @param unlistedOperators what an operator missing from {@link #operators()} means: {@code unsupported} when
 *     the file was built from the branch's full importer registry (an op without importer fails to parse),
 *     {@code unknown} otherwise
 * @param fallbackPluginImporter the parser looks up a TensorRT plugin named like an unknown op (7.1 on)
 * @param localFunctions the parser expands model-local functions (9.0 on)
 * @param status {@code source} (built from the release's own table and/or importer code, see {@code read}) or
 *     {@code derived} (not readable: the {@code derivedFrom} release's rules plus the parser changelog lines in
 *     {@code changelog}); a derived release is never as certain as one read from source
 */
public final class ReleaseRules {

  private final String release;
  private final Status status;
  private final List<String> read;
  private final String derivedFrom;
  private final List<ChangelogLine> changelog;
  private final List<Source> sources;
  private final ParserFacts parser;
  private final Support unlistedOperators;
  private final boolean fallbackPluginImporter;
  private final boolean localFunctions;
  private final Map<String, TypePolicy> elementTypes;
  private final List<OperatorRule> operators;
  private final List<Resolution> resolutions;
  private final List<String> notes;
  private final Map<String, OperatorRule> byOp = new LinkedHashMap<>();

  @JsonCreator
  public ReleaseRules(
      @JsonProperty("release") String release,
      @JsonProperty("status") Status status,
      @JsonProperty("read") List<String> read,
      @JsonProperty("derivedFrom") String derivedFrom,
      @JsonProperty("changelog") List<ChangelogLine> changelog,
      @JsonProperty("sources") List<Source> sources,
      @JsonProperty("parser") ParserFacts parser,
      @JsonProperty("unlistedOperators") String unlistedOperators,
      @JsonProperty("fallbackPluginImporter") boolean fallbackPluginImporter,
      @JsonProperty("localFunctions") boolean localFunctions,
      @JsonProperty("elementTypes") Map<String, TypePolicy> elementTypes,
      @JsonProperty("operators") List<OperatorRule> operators,
      @JsonProperty("resolutions") List<Resolution> resolutions,
      @JsonProperty("notes") List<String> notes) {
    this.release = release;
    this.status = status;
    this.read = read == null ? List.of() : List.copyOf(read);
    this.derivedFrom = derivedFrom;
    this.changelog = changelog == null ? List.of() : List.copyOf(changelog);
    this.sources = sources == null ? List.of() : List.copyOf(sources);
    this.parser = parser;
    this.unlistedOperators = "unsupported".equals(unlistedOperators) ? Support.NO : Support.UNKNOWN;
    this.fallbackPluginImporter = fallbackPluginImporter;
    this.localFunctions = localFunctions;
    this.elementTypes = elementTypes == null ? Map.of() : Map.copyOf(elementTypes);
    this.operators = operators == null ? List.of() : List.copyOf(operators);
    this.resolutions = resolutions == null ? List.of() : List.copyOf(resolutions);
    this.notes = notes == null ? List.of() : List.copyOf(notes);
    for (OperatorRule r : this.operators) {
      byOp.put(r.op(), r);
    }
  }

  public String release() {
    return release;
  }

  /** How the release's facts were obtained; null only in a broken file (the validator rejects it). */
  public Status status() {
    return status;
  }

  public boolean isDerived() {
    return status == Status.DERIVED;
  }

  /** What of the release's own sources was read: {@code table}, {@code code}; empty for a derived release. */
  public List<String> read() {
    return read;
  }

  /** The release a derived release's rules were copied from; null for a source release. */
  public String derivedFrom() {
    return derivedFrom;
  }

  /** The changelog lines applied on top of {@link #derivedFrom()}; empty for a source release. */
  public List<ChangelogLine> changelog() {
    return changelog;
  }

  public List<Source> sources() {
    return sources;
  }

  public ParserFacts parser() {
    return parser;
  }

  /** Support for an operator missing from the file. */
  public Support unlistedOperators() {
    return unlistedOperators;
  }

  public boolean fallbackPluginImporter() {
    return fallbackPluginImporter;
  }

  public boolean localFunctions() {
    return localFunctions;
  }

  public Map<String, TypePolicy> elementTypes() {
    return elementTypes;
  }

  /** The policy for an element type name; UNKNOWN types are absent. */
  public Optional<TypePolicy> elementType(String name) {
    return Optional.ofNullable(elementTypes.get(name));
  }

  public List<OperatorRule> operators() {
    return operators;
  }

  /** The default-domain operator named {@code op}, if the file lists it. */
  public Optional<OperatorRule> operator(String op) {
    return Optional.ofNullable(byOp.get(op));
  }

  /** {@link #operator} without the {@code Optional}, for the checker's per-node loop: null when not listed. */
  public OperatorRule listedOperator(String op) {
    return byOp.get(op);
  }

  public List<Resolution> resolutions() {
    return resolutions;
  }

  public List<String> notes() {
    return notes;
  }

  /** Release as comparable numbers, e.g. 8.6 to [8, 6]. */
  public int[] versionParts() {
    String[] p = release.split("\\.");
    return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
  }

  /** Where a release's facts come from. */
  public enum Status {
    /** Read from the release's own operator table and/or importer code. */
    @JsonProperty("source")
    SOURCE,
    /** The nearest earlier release plus the parser changelog: lower certainty. */
    @JsonProperty("derived")
    DERIVED;

    @JsonValue
    public String json() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** One parser changelog line applied to a derived release, with its source and what it changed. */
  public record ChangelogLine(String line, String source, String effect) {}

  @Override
  public String toString() {
    return "TensorRT " + release;
  }
}
