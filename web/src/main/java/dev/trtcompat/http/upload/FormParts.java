package dev.trtcompat.http.upload;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Walks a multipart form made of file parts and short text fields, as the model upload, the quantize request's
 * calibration files and the fix request's proof inputs all are: counts the parts, reads each text field within a
 * bound, hands every file part to the caller as it arrives, and refuses anything else by name. The three forms
 * differ only in their fields and in what a file part becomes.
 */
public final class FormParts {

  /** Characters of one text field; more is a mistake (a file sent in the wrong field). */
  public static final int MAX_FIELD_CHARS = 2000;

  /** Text values over all fields; bounds the work a request can ask for. */
  static final int MAX_FIELDS = 256;

  /** Receives one file part: its field, the sender's file name ({@code ""} for a browser's empty input), its body. */
  @FunctionalInterface
  public interface FileSink {
    void accept(String field, String fileName, InputStream body) throws IOException;
  }

  /**
   * The shape of one form.
   *
   * @param what the request, in messages ("the calibration upload")
   * @param fileFields the fields whose parts are files
   * @param textFields the fields whose parts are short text
   * @param maxParts parts accepted in one request
   * @param expected what to send instead, for the message that refuses an unknown field
   */
  public record Spec(String what, Set<String> fileFields, Set<String> textFields, int maxParts, String expected) {
    public Spec {
      fileFields = Set.copyOf(fileFields);
      textFields = Set.copyOf(textFields);
    }
  }

  private FormParts() {}

  /** Reads every part: files go to {@code files}; the text fields come back (name to values, in order). */
  public static Map<String, List<String>> read(MultipartReader parts, Spec spec, FileSink files) throws IOException {
    Map<String, List<String>> fields = new LinkedHashMap<>();
    int count = 0;
    for (Optional<MultipartReader.Part> next = parts.next(); next.isPresent(); next = parts.next()) {
      if (++count > spec.maxParts()) {
        throw bad("too_many_parts", spec.what() + " has more than " + spec.maxParts() + " parts");
      }
      MultipartReader.Part part = next.get();
      String field = part.headers().fieldName() == null ? "" : part.headers().fieldName();
      String fileName = part.headers().fileName();
      if (spec.fileFields().contains(field)) {
        if (fileName == null) {
          throw bad("not_a_file", "the field '" + field + "' must be a file part (with a file name), not a text field");
        }
        files.accept(field, fileName, part.body());
      } else if (spec.textFields().contains(field)) {
        if (fileName != null) {
          throw bad("not_a_text_field", "the field '" + field + "' must be text, not a file");
        }
        byte[] bytes = part.body().readNBytes(MAX_FIELD_CHARS + 1);
        if (bytes.length > MAX_FIELD_CHARS || fields.values().stream().mapToInt(List::size).sum() >= MAX_FIELDS) {
          throw bad("invalid_field", "the field '" + field + "' is longer than " + MAX_FIELD_CHARS
              + " characters or repeated too often");
        }
        fields.computeIfAbsent(field, k -> new ArrayList<>()).add(new String(bytes, StandardCharsets.UTF_8).strip());
      } else {
        throw bad("unknown_field", "unexpected form field '" + printable(field) + "'; " + spec.expected());
      }
    }
    return fields;
  }

  /**
   * Streams a file part to {@code target}, which must not exist yet: a name sent twice is refused as
   * {@code duplicate_file} rather than overwriting the first.
   */
  public static void copyNew(InputStream in, Path target, String what) throws IOException {
    try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      in.transferTo(out);
    } catch (FileAlreadyExistsException e) {
      throw bad("duplicate_file", what + " " + target.getFileName() + " was sent twice");
    }
  }

  /** A sender's text made safe to quote: control characters as '?', at most 80 characters. */
  public static String printable(String s) {
    String p = s.codePoints().map(c -> c < 0x20 || c == 0x7f ? '?' : c)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    return p.length() > 80 ? p.substring(0, 80) + "..." : p;
  }

  private static UserFacingException bad(String error, String detail) {
    return new UserFacingException(Kind.BAD_REQUEST, error, detail);
  }
}
