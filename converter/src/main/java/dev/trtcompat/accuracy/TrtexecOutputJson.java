package dev.trtcompat.accuracy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.reference.Float16;
import dev.trtcompat.reference.HostTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the file {@code trtexec --exportOutput=file.json} writes: a JSON list with one object per output,
 * {@code {"name": "...", "dimensions": "1x1000", "values": [v0, v1, ...]}}.
 *
 * <p>Format, from {@code exportJSONOutput} in samples/common/sampleReporting.cpp and {@code dumpBuffer} in
 * samples/common/sampleUtils.cpp (https://github.com/NVIDIA/TensorRT, release/8.x to 10.x): dimensions are the
 * binding's dims joined with {@code x}; values are printed row-major with C++ stream defaults, so floats carry
 * 6 significant digits, half values are printed as float, int8/uint8 as integers and bool as {@code 0}/{@code 1};
 * a NaN or infinity comes out as {@code nan}, {@code -nan}, {@code inf} or {@code -inf}, which is not JSON.
 * The reader therefore rewrites those bare words outside strings before parsing. The file carries no element
 * type: {@link #readAs} takes it from the reference output of the same name.
 */
public final class TrtexecOutputJson {

  /** Largest file accepted; an output of 64 M floats printed as text stays below it. */
  static final long MAX_BYTES = 1L << 30;

  /** One exported output as printed: name, dimensions and values. */
  public record ExportedOutput(String name, long[] dimensions, double[] values) {

    /** The values in {@code type}, as they were in the engine's binding (NaN stays NaN in float types). */
    public HostTensor toTensor(ElementType type) {
      ByteBuffer b = ByteBuffer.allocate(values.length * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
      for (double v : values) {
        switch (type) {
          case FLOAT -> b.putFloat((float) v);
          case DOUBLE -> b.putDouble(v);
          case FLOAT16 -> b.putShort(Float16.fromFloat((float) v));
          case BOOL -> b.put((byte) (v != 0 ? 1 : 0));
          case INT8, UINT8 -> b.put((byte) (long) v);
          case INT16, UINT16 -> b.putShort((short) (long) v);
          case INT32, UINT32 -> b.putInt((int) (long) v);
          case INT64, UINT64 -> b.putLong((long) v);
        }
      }
      return new HostTensor(name, type, dimensions, b.flip());
    }
  }

  private TrtexecOutputJson() {}

  public static List<ExportedOutput> read(Path file) throws IOException {
    if (Files.size(file) > MAX_BYTES) {
      throw invalid(file.getFileName() + " is larger than " + (MAX_BYTES >> 20) + " MiB");
    }
    return parse(Files.readString(file, StandardCharsets.UTF_8));
  }

  /** Reads the outputs, each in the element type of the reference output of the same name (FLOAT if none). */
  public static Map<String, HostTensor> readAs(Path file, Map<String, HostTensor> reference) throws IOException {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (ExportedOutput o : read(file)) {
      HostTensor ref = reference.get(o.name());
      out.put(o.name(), o.toTensor(ref == null ? ElementType.FLOAT : ref.type()));
    }
    return out;
  }

  public static List<ExportedOutput> parse(String text) throws IOException {
    JsonFactory factory = JsonFactory.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    List<ExportedOutput> outputs = new ArrayList<>();
    try (JsonParser p = factory.createParser(asJson(text))) {
      expect(p.nextToken(), JsonToken.START_ARRAY, "a list of outputs");
      while (p.nextToken() == JsonToken.START_OBJECT) {
        outputs.add(readOutput(p));
      }
      if (p.currentToken() != JsonToken.END_ARRAY) {
        throw invalid("expected an output object or the end of the list, found " + p.currentToken());
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw invalid("it is not the JSON trtexec --exportOutput writes: " + e.getOriginalMessage());
    }
    return outputs;
  }

  private static ExportedOutput readOutput(JsonParser p) throws IOException {
    String name = null;
    long[] dims = null;
    double[] values = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      switch (field) {
        case "name" -> name = p.getValueAsString();
        case "dimensions" -> dims = parseDims(p.getValueAsString());
        case "values" -> {
          expect(t, JsonToken.START_ARRAY, "a list of values");
          values = readValues(p);
        }
        default -> p.skipChildren();
      }
    }
    if (name == null || dims == null || values == null) {
      throw invalid("an output object lacks one of name, dimensions, values");
    }
    long expected = HostTensor.elementCount(dims);
    if (expected != values.length) {
      throw invalid(
          "output '" + name + "' has " + values.length + " values for dimensions " + Arrays.toString(dims));
    }
    return new ExportedOutput(name, dims, values);
  }

  private static double[] readValues(JsonParser p) throws IOException {
    double[] buf = new double[1024];
    int n = 0;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      double v =
          switch (t) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> 1;
            case VALUE_FALSE -> 0;
            default -> throw invalid("unexpected " + t + " among the values");
          };
      if (n == buf.length) {
        buf = Arrays.copyOf(buf, n * 2);
      }
      buf[n++] = v;
    }
    return Arrays.copyOf(buf, n);
  }

  static long[] parseDims(String s) {
    String d = s.trim();
    if (d.isEmpty()) {
      return new long[0];
    }
    try {
      return Arrays.stream(d.split("x")).mapToLong(x -> Long.parseLong(x.trim())).toArray();
    } catch (NumberFormatException e) {
      throw invalid("dimensions '" + s + "' are not numbers joined by 'x'");
    }
  }

  /** Replaces C++'s nan/inf spellings outside strings with the tokens Jackson's non-numeric mode accepts. */
  static String asJson(String text) {
    StringBuilder out = new StringBuilder(text.length());
    boolean inString = false;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (inString) {
        out.append(c);
        if (c == '\\' && i + 1 < text.length()) {
          out.append(text.charAt(++i));
        } else if (c == '"') {
          inString = false;
        }
        i++;
        continue;
      }
      if (c == '"') {
        inString = true;
        out.append(c);
        i++;
        continue;
      }
      int start = i;
      boolean negative = false;
      if ((c == '-' || c == '+') && i + 1 < text.length() && Character.isLetter(text.charAt(i + 1))) {
        negative = c == '-';
        i++;
      }
      if (Character.isLetter(text.charAt(i))) {
        int end = i;
        while (end < text.length() && Character.isLetter(text.charAt(end))) {
          end++;
        }
        String word = text.substring(i, end).toLowerCase(java.util.Locale.ROOT);
        switch (word) {
          case "nan" -> out.append("NaN"); // the sign of a NaN carries no meaning here
          case "inf", "infinity" -> out.append(negative ? "-Infinity" : "Infinity");
          default -> out.append(text, start, end);
        }
        i = end;
        continue;
      }
      out.append(c);
      i++;
    }
    return out.toString();
  }

  private static void expect(JsonToken got, JsonToken want, String what) {
    if (got != want) {
      throw invalid("expected " + what + ", found " + got);
    }
  }

  private static UserFacingException invalid(String why) {
    return new UserFacingException(Kind.INVALID_INPUT, "invalid_trtexec_output", "cannot read trtexec's exported outputs: " + why);
  }
}
