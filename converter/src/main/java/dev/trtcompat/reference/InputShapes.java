package dev.trtcompat.reference;

import dev.trtcompat.errors.UserFacingException;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Shapes the user fixes for a model's inputs, written as trtexec writes them: {@code name:1x3x224x224,other:1x10}.
 *
 * <p>The same spelling as trtexec's {@code --shapes} so that one string can be handed to both the reference
 * and the engine run. A name may be wrapped in single quotes (as trtexec allows) when it contains a colon;
 * {@code name:scalar} or {@code name:} is a 0-d tensor.
 */
public record InputShapes(Map<String, long[]> byName) {

  public static final InputShapes NONE = new InputShapes(Map.of());

  public InputShapes {
    LinkedHashMap<String, long[]> copy = new LinkedHashMap<>();
    byName.forEach((k, v) -> copy.put(k, v.clone()));
    byName = Collections.unmodifiableMap(copy);
  }

  public Optional<long[]> shapeOf(String inputName) {
    return Optional.ofNullable(byName.get(inputName)).map(long[]::clone);
  }

  public static InputShapes parse(String spec) {
    if (spec == null || spec.isBlank()) {
      return NONE;
    }
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (String entry : spec.split(",")) {
      String e = entry.trim();
      int colon = e.lastIndexOf(':');
      if (colon <= 0) {
        throw bad(e, "expected name:dims such as input:1x3x224x224");
      }
      String name = e.substring(0, colon).trim();
      if (name.length() >= 2 && name.startsWith("'") && name.endsWith("'")) {
        name = name.substring(1, name.length() - 1);
      }
      String dims = e.substring(colon + 1).trim();
      long[] shape;
      if (dims.isEmpty() || dims.equals("scalar")) {
        shape = new long[0];
      } else {
        try {
          shape = Arrays.stream(dims.split("x")).mapToLong(s -> Long.parseLong(s.trim())).toArray();
        } catch (NumberFormatException ex) {
          throw bad(e, "dimensions must be positive integers separated by 'x'");
        }
        if (Arrays.stream(shape).anyMatch(d -> d <= 0)) {
          throw bad(e, "dimensions must be positive integers separated by 'x'");
        }
      }
      if (shapes.put(name, shape) != null) {
        throw bad(e, "input '" + name + "' is given twice");
      }
    }
    return new InputShapes(shapes);
  }

  /** The trtexec spelling, e.g. for {@code --shapes=}. */
  public String format() {
    StringBuilder sb = new StringBuilder();
    byName.forEach(
        (name, shape) -> {
          if (sb.length() > 0) {
            sb.append(',');
          }
          sb.append(name.contains(":") ? "'" + name + "'" : name).append(':').append(formatDims(shape));
        });
    return sb.toString();
  }

  static String formatDims(long[] shape) {
    if (shape.length == 0) {
      return "scalar";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < shape.length; i++) {
      sb.append(i == 0 ? "" : "x").append(shape[i]);
    }
    return sb.toString();
  }

  private static UserFacingException bad(String entry, String why) {
    return new UserFacingException(
        UserFacingException.Kind.BAD_REQUEST, "invalid_shapes", "cannot read shape '" + entry + "': " + why);
  }
}
