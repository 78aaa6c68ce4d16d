package dev.trtcompat.http;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.http.upload.FormParts;
import dev.trtcompat.http.upload.MultipartReader;
import dev.trtcompat.http.upload.RefusedUploads;
import dev.trtcompat.models.UploadTooLargeException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A fix request sent as {@code multipart/form-data} (the page's form, or the API with files): the text fields
 * {@code trt}, {@code shapes}, {@code passes}, and {@code inputs} file parts ({@code NAME.npy} per input or an
 * {@code .npz}) streamed to a folder for the proof. The caller owns the folder and deletes it when the request fails.
 */
final class FixInputsUpload {

  static final String INPUTS_FIELD = "inputs";
  static final Set<String> TEXT_FIELDS = Set.of("trt", "shapes", "passes", "int64io");

  /** The text fields (name to values, in order) and the plain names of the files written, in order. */
  record Received(Map<String, List<String>> fields, List<String> files) {
    List<String> values(String field) {
      return fields.getOrDefault(field, List.of());
    }
  }

  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._+-]{0,200}");
  private static final FormParts.Spec FORM = new FormParts.Spec("the fix request", Set.of(INPUTS_FIELD), TEXT_FIELDS,
      1000, "send 'inputs' files and the fields trt, shapes, passes, int64io");

  private FixInputsUpload() {}

  static boolean isMultipart(HttpServletRequest req) {
    return MultipartReader.boundary(req.getContentType()).isPresent();
  }

  static Received receive(HttpServletRequest req, Path dir, long maxBytes) throws IOException {
    String boundary = MultipartReader.boundary(req.getContentType()).orElseThrow(() -> bad("not_multipart",
        "send multipart/form-data (curl -F inputs=@sample.npz -F trt=8.6) or a JSON body"));
    if (req.getContentLengthLong() > maxBytes) {
      throw new UploadTooLargeException(maxBytes);
    }
    List<String> files = new ArrayList<>();
    Map<String, List<String>> fields;
    try {
      fields = FormParts.read(new MultipartReader(req.getInputStream(), boundary, maxBytes), FORM, (field, name, in) -> {
        if (name.isEmpty()) {
          return; // a browser's empty file input; the reader skips its body
        }
        String plain = fileName(name);
        Files.createDirectories(dir);
        FormParts.copyNew(in, dir.resolve(plain), "the input file");
        files.add(plain);
      });
    } catch (IOException | RuntimeException e) {
      // the model and calibration uploads' translation: over the limit, cut off, malformed; the rest drained
      throw RefusedUploads.answer(req, e, () -> new UploadTooLargeException(maxBytes), "the fix request");
    }
    return new Received(fields, files);
  }

  /** The last segment of the sender's name; a plain name ending in .npy or .npz. */
  static String fileName(String original) {
    String n = original.substring(Math.max(original.lastIndexOf('/'), original.lastIndexOf('\\')) + 1).strip();
    String lower = n.toLowerCase(Locale.ROOT);
    if (!SAFE_NAME.matcher(n).matches() || !(lower.endsWith(".npy") || lower.endsWith(".npz"))) {
      throw bad("invalid_inputs", "input file '" + FormParts.printable(n) + "': send NAME.npy (NAME the"
          + " model input it feeds) or an .npz archive, named with letters, digits, '.', '_', '+' or '-'");
    }
    return n.substring(0, n.length() - 4) + lower.substring(lower.length() - 4);
  }

  private static UserFacingException bad(String error, String detail) {
    return new UserFacingException(Kind.BAD_REQUEST, error, detail);
  }
}
