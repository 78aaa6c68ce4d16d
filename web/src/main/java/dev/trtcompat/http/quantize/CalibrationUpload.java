package dev.trtcompat.http.quantize;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.http.upload.FormParts;
import dev.trtcompat.http.upload.MultipartReader;
import dev.trtcompat.http.upload.RefusedUploads;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Receives a quantize or FP16 request's multipart body straight into a folder, read by the model upload's
 * {@link MultipartReader}: {@code calib} file parts (.npy, .npz, JPEG, PNG) are streamed to disk under a checked
 * plain name as they arrive, within the upload limit; the text fields are the conversion's ({@link QuantizeOrder#FIELDS}, {@link QuantizeOrder#FP16_FIELDS}). Anything
 * else is refused with the field's name. The caller owns the folder and deletes it when the request fails.
 */
final class CalibrationUpload {

  /** What came in: how many calibration files were written and the text fields (name to values, in order). */
  record Received(int files, Map<String, List<String>> fields) {}

  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,200}");

  private CalibrationUpload() {}

  /** @param conversion which text fields the request may carry */
  static Received receive(HttpServletRequest req, Path dir, long maxBytes, Conversion conversion) throws IOException {
    Optional<String> boundary = MultipartReader.boundary(req.getContentType());
    if (boundary.isEmpty()) {
      throw bad("not_multipart", "send multipart/form-data: calibration files in the field 'calib' (curl -F"
          + " calib=@sample0.npz) or the field 'synthetic' with a sample count");
    }
    if (req.getContentLengthLong() > maxBytes) {
      throw tooLarge(maxBytes); // before a byte is read: a client that sent Expect: 100-continue sends nothing
    }
    Files.createDirectories(dir);
    int[] files = {0};
    Map<String, List<String>> fields;
    try {
      fields = FormParts.read(new MultipartReader(req.getInputStream(), boundary.get(), maxBytes), conversion.form,
          (field, name, in) -> {
            if (name.isEmpty()) {
              return; // a browser's empty file input; the reader skips its body
            }
            FormParts.copyNew(in, dir.resolve(fileName(name)), "the calibration file");
            files[0]++;
          });
    } catch (IOException | RuntimeException e) {
      throw RefusedUploads.answer(req, e, () -> tooLarge(maxBytes), "the calibration upload");
    }
    return new Received(files[0], fields);
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
      throw bad("invalid_file_name", "calibration file name '" + FormParts.printable(n) + "' must be letters, digits, '.', '_',"
          + " '+' or '-' (not starting with '.' or '-')");
    }
    if (!(lower.endsWith(".npy") || lower.endsWith(".npz") || lower.endsWith(".jpg") || lower.endsWith(".jpeg")
        || lower.endsWith(".png"))) {
      throw bad("invalid_calibration_data", "calibration file " + n + " is neither .npy/.npz nor a JPEG/PNG image");
    }
    return n;
  }

  private static UserFacingException bad(String error, String detail) {
    return new UserFacingException(Kind.BAD_REQUEST, error, detail);
  }
}
