package dev.trtcompat.service;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.fix.FixPipeline;
import dev.trtcompat.json.Json;
import dev.trtcompat.reference.InputShapes;
import dev.trtcompat.trtexec.TensorRtRelease;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * What a user asks {@code fix} to do for a stored model: the target TensorRT releases (empty: every release), fixed
 * shapes for dynamic inputs and the passes (empty: all). Stored verbatim as the fix job's request JSON, so the
 * cell executor reads it back from there.
 *
 * @param versions TensorRT releases, MAJOR.MINOR, in the order given
 * @param shapes input name to {@code 1x3x224x224} (one fixed shape, no ranges: the fixed model is static)
 * @param passes pass names as {@code trt-compat fix --passes} takes them
 * @param inputs the uploaded arrays the proof runs on; null: seeded random inputs
 */
public record FixSpec(List<String> versions, Map<String, String> shapes, List<String> passes, ProofInputs inputs) {

  /** The seed of the proof's random inputs, the CLI's default. */
  public static final long SEED = 42L;

  /**
   * Arrays uploaded with the request for the proof, kept with the source model until the fix succeeds.
   *
   * @param upload the folder they wait in (a random id, under the source model's derived files)
   * @param files their plain file names ({@code x.npy}, {@code sample.npz}), in the order given
   */
  public record ProofInputs(String upload, List<String> files) {

    public ProofInputs {
      files = List.copyOf(files);
    }
  }

  public FixSpec(List<String> versions, Map<String, String> shapes, List<String> passes) {
    this(versions, shapes, passes, null);
  }

  public FixSpec {
    versions = List.copyOf(new LinkedHashSet<>(versions.stream().map(v -> TensorRtRelease.parse(v).toString()).toList()));
    shapes = Map.copyOf(new LinkedHashMap<>(shapes));
    passes = List.copyOf(new LinkedHashSet<>(passes.stream().map(String::strip).filter(p -> !p.isEmpty()).toList()));
    inputShapes(shapes); // refuses malformed shapes now, not when the cell runs
  }

  /**
   * The JSON body of {@code POST /api/v1/models/{id}/fix}: every field optional, nothing else allowed (read with
   * unknown fields refused). {@code int64Io: true} adds the opt-in {@code int64-io} pass to the passes named
   * (or to the default ones), as {@code trt-compat fix --int64-io} does.
   */
  public record Request(List<String> versions, Map<String, String> shapes, List<String> passes, Boolean int64Io) {

    public Request(List<String> versions, Map<String, String> shapes, List<String> passes) {
      this(versions, shapes, passes, null);
    }

    public FixSpec toSpec() {
      List<String> named = passes == null ? List.of() : passes;
      return new FixSpec(versions == null ? List.of() : versions, shapes == null ? Map.of() : shapes,
          Boolean.TRUE.equals(int64Io) ? FixPipeline.plus(named, "int64-io") : named);
    }
  }

  /** The same request, its proof run on the uploaded arrays. */
  public FixSpec withInputs(ProofInputs given) {
    return new FixSpec(versions, shapes, passes, given);
  }

  /** How the proof's inputs are described on pages and in logs. */
  public String inputsDescription() {
    return inputs == null ? "seeded random inputs (seed " + SEED + ")"
        : "your inputs (" + String.join(", ", inputs.files()) + ")";
  }

  /** From the model page's form: repeated {@code trt} fields, {@code shapes} as {@code x:1x3x224x224,y:1x8}, passes. */
  public static FixSpec fromForm(List<String> trt, String shapes, List<String> passes) {
    return fromForm(trt, shapes, passes, false);
  }

  /** As above; {@code int64Io} adds the opt-in {@code int64-io} pass, as the form's switch and the API's flag do. */
  public static FixSpec fromForm(List<String> trt, String shapes, List<String> passes, boolean int64Io) {
    Map<String, String> byName = new LinkedHashMap<>();
    InputShapes.parse(shapes).byName().forEach((name, dims) -> byName.put(name, dims(dims)));
    List<String> named = passes.stream().flatMap(p -> Arrays.stream(p.split(","))).toList();
    return new FixSpec(trt.stream().map(String::strip).filter(v -> !v.isEmpty()).toList(), byName,
        int64Io ? FixPipeline.plus(named, "int64-io") : named);
  }

  /** The shapes as the fixer takes them; a malformed shape is a 400 naming the input. */
  public InputShapes toInputShapes() {
    return inputShapes(shapes);
  }

  private static InputShapes inputShapes(Map<String, String> shapes) {
    Map<String, long[]> out = new LinkedHashMap<>();
    shapes.forEach((name, text) -> {
      if (text == null || text.contains("/")) {
        throw new UserFacingException(Kind.BAD_REQUEST, "invalid_input_shape", "input '" + name
            + "': give one fixed shape such as 1x3x224x224; the fixed model is static, so shape ranges do not apply");
      }
      out.put(name, InputShapes.parse("x:" + text).byName().get("x"));
    });
    return new InputShapes(out);
  }

  /** The canonical JSON kept with the job (and read back by the cell executor). */
  public String toJson() {
    try {
      return Json.mapper().writeValueAsString(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads back what {@link #toJson()} wrote. */
  public static FixSpec read(String requestJson) {
    try {
      return Json.mapper().readValue(requestJson, FixSpec.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String dims(long[] dims) {
    return String.join("x", Arrays.stream(dims).mapToObj(Long::toString).toList());
  }
}
