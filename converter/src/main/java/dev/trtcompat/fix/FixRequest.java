package dev.trtcompat.fix;

import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.InputShapes;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to fix and how.
 *
 * @param releases target TensorRT releases ({@code 8.6}, ...); empty means every release known
 * @param passes pass names; empty means all
 * @param givenInputs inputs for the equivalence run by name; others are seeded random
 */
public record FixRequest(
    Path model, Path out, List<String> releases, InputShapes shapes, List<String> passes,
    Map<String, HostTensor> givenInputs, long seed) {

  public FixRequest {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(out, "out");
    releases = List.copyOf(releases == null ? List.of() : releases);
    shapes = shapes == null ? InputShapes.NONE : shapes;
    passes = List.copyOf(passes == null ? List.of() : passes);
    givenInputs = Map.copyOf(givenInputs == null ? Map.of() : givenInputs);
  }

  public static FixRequest of(Path model, Path out) {
    return new FixRequest(model, out, List.of(), InputShapes.NONE, List.of(), Map.of(), 42L);
  }

  public FixRequest withReleases(List<String> r) {
    return new FixRequest(model, out, r, shapes, passes, givenInputs, seed);
  }

  public FixRequest withShapes(InputShapes s) {
    return new FixRequest(model, out, releases, s, passes, givenInputs, seed);
  }

  public FixRequest withPasses(List<String> p) {
    return new FixRequest(model, out, releases, shapes, p, givenInputs, seed);
  }

  public FixRequest withGivenInputs(Map<String, HostTensor> g) {
    return new FixRequest(model, out, releases, shapes, passes, g, seed);
  }
}
