package dev.trtcompat.http.quantize;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.http.upload.MultipartReader;
import dev.trtcompat.http.upload.MultipartReader.Part;
import dev.trtcompat.http.upload.RefusedUploads;
import jakarta.servlet.http.HttpServletRequest;
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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Receives a quantize request's multipart body straight into a folder, read by the model upload's
 * {@link MultipartReader}: {@code calib} file parts (.npy, .npz, JPEG, PNG) are streamed to disk under a checked
 * plain name as they arrive, within the upload limit; the text fields are {@link QuantizeOrder#FIELDS}. Anything else is refused with the field's name. The caller owns the folder and
 * deletes it when the request fails.
 */
final class CalibrationUpload {

  /** What came in: how many calibration files were written and the text fields (name to values, in order). */
  record Received(int files, Map<String, List<String>> fields) {}

  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,200}");
  /** Parts per request: a folder of calibration images is large, but not unbounded. */
  private static final int MAX_PARTS = 100_000;
  private static final int MAX_FIELD_CHARS = 2000;

  private CalibrationUpload() {}

  static Received receive(HttpServletRequest req, Path dir, long maxBytes) throws IOException {
    Optional<String> boundary = MultipartReader.boundary(req.getContentType());
    if (boundary.isEmpty()) {
      throw bad("not_multipart", "send multipart/form-data: calibration files in the field 'calib' (curl -F"
          + " calib=@sample0.npz) or the field 'synthetic' with a sample count");
    }
    if (req.getContentLengthLong() > maxBytes) {
      throw tooLarge(maxBytes); // before a byte is read: a client that sent Expect: 100-continue sends nothing
    }
    Files.createDirectories(dir);
    Map<String, List<String>> fields = new LinkedHashMap<>();
    int files = 0;
    try {
      MultipartReader parts = new MultipartReader(req.getInputStream(), boundary.get(), maxBytes);
      int count = 0;
      for (Optional<Part> next = parts.next(); next.isPresent(); next = parts.next()) {
        if (++count > MAX_PARTS) {
          throw bad("too_many_parts", "the calibration upload has more than " + MAX_PARTS + " parts");
        }
        Part item = next.get();
        String field = item.headers().fieldName() == null ? "" : item.headers().fieldName();
        String name = item.headers().fileName();
        InputStream in = item.body();
        if (field.equals(QuantizeOrder.CALIB_FIELD)) {
          if (name == null) {
            throw bad("not_a_file", "the field 'calib' must be a file part (with a file name)");
          }
          if (name.isEmpty()) {
            continue; // a browser's empty file input; the reader skips its body
          }
          copy(in, dir.resolve(fileName(name)));
          files++;
        } else if (QuantizeOrder.FIELDS.contains(field)) {
          if (name != null) {
            throw bad("not_a_text_field", "the field '" + field + "' must be text, not a file");
          }
          byte[] bytes = in.readNBytes(MAX_FIELD_CHARS + 1);
          if (bytes.length > MAX_FIELD_CHARS) {
            throw bad("invalid_field", "the field '" + field + "' is longer than " + MAX_FIELD_CHARS + " characters");
          }
          String value = new String(bytes, StandardCharsets.UTF_8).strip();
          fields.computeIfAbsent(field, k -> new ArrayList<>()).add(value);
        } else {
          throw bad("unknown_field", "unexpected form field '" + printable(field) + "'; send 'calib' files and the"
              + " fields " + String.join(", ", QuantizeOrder.FIELDS));
        }
      }
    } catch (IOException | RuntimeException e) {
      throw RefusedUploads.answer(req, e, () -> tooLarge(maxBytes), "the calibration upload");
    }
    return new Received(files, fields);
  }

  private static UserFacingException tooLarge(long maxBytes) {
    return new UserFacingException(Kind.TOO_LARGE, "upload_too_large", "the calibration upload is larger than "
        + maxBytes + " bytes (max-upload)");
  }

  /**
   * The uploader's name reduced to its last segment; it must be a plain name with a calibration suffix and must
   * not repeat (the files are taken in name order, as a folder of them would be).
   */
  static String fileName(String original) {
    String n = original.substring(Math.max(original.lastIndexOf('/'), original.lastIndexOf('\\')) + 1).strip();
    String lower = n.toLowerCase(Locale.ROOT);
    if (!SAFE_NAME.matcher(n).matches()) {
      throw bad("invalid_file_name", "calibration file name '" + printable(n) + "' must be letters, digits, '.', '_',"
          + " '+' or '-' (not starting with '.' or '-')");
    }
    if (!(lower.endsWith(".npy") || lower.endsWith(".npz") || lower.endsWith(".jpg") || lower.endsWith(".jpeg")
        || lower.endsWith(".png"))) {
      throw bad("invalid_calibration_data", "calibration file " + n + " is neither .npy/.npz nor a JPEG/PNG image");
    }
    return n;
  }

  private static void copy(InputStream in, Path target) throws IOException {
    try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      in.transferTo(out);
    } catch (FileAlreadyExistsException e) {
      throw bad("duplicate_file", "the calibration file " + target.getFileName() + " was sent twice");
    }
  }

  private static String printable(String s) {
    String p = s.codePoints().map(c -> c < 0x20 || c == 0x7f ? '?' : c)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    return p.length() > 80 ? p.substring(0, 80) + "..." : p;
  }

  private static UserFacingException bad(String error, String detail) {
    return new UserFacingException(Kind.BAD_REQUEST, error, detail);
  }
}
