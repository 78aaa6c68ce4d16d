package dev.trtcompat.http;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.http.upload.MultipartReader;
import dev.trtcompat.http.upload.MultipartReader.Part;
import dev.trtcompat.http.upload.RefusedUploads;
import dev.trtcompat.models.UploadTooLargeException;
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
  private static final int MAX_PARTS = 1000;
  private static final int MAX_FIELD_CHARS = 2000;

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
    Map<String, List<String>> fields = new LinkedHashMap<>();
    List<String> files = new ArrayList<>();
    try {
      MultipartReader parts = new MultipartReader(req.getInputStream(), boundary, maxBytes);
      int count = 0;
      for (var next = parts.next(); next.isPresent(); next = parts.next()) {
        if (++count > MAX_PARTS) {
          throw bad("too_many_parts", "the request has more than " + MAX_PARTS + " parts");
        }
        Part part = next.get();
        String field = part.headers().fieldName() == null ? "" : part.headers().fieldName();
        String fileName = part.headers().fileName();
        if (field.equals(INPUTS_FIELD)) {
          if (fileName == null) {
            throw bad("not_a_file", "the field 'inputs' must be a file part (NAME.npy or an .npz)");
          }
          if (fileName.isEmpty()) {
            part.body().transferTo(OutputStream.nullOutputStream()); // a browser's empty file input
            continue;
          }
          String name = fileName(fileName);
          Files.createDirectories(dir);
          copy(part.body(), dir.resolve(name));
          files.add(name);
        } else if (TEXT_FIELDS.contains(field)) {
          if (fileName != null) {
            throw bad("not_a_text_field", "the field '" + field + "' must be text, not a file");
          }
          byte[] bytes = part.body().readNBytes(MAX_FIELD_CHARS + 1);
          if (bytes.length > MAX_FIELD_CHARS) {
            throw bad("invalid_field", "the field '" + field + "' is longer than " + MAX_FIELD_CHARS + " characters");
          }
          fields.computeIfAbsent(field, k -> new ArrayList<>()).add(new String(bytes, StandardCharsets.UTF_8).strip());
        } else {
          throw bad("unknown_field", "unexpected form field '" + field.replaceAll("\\p{Cntrl}", "?")
              + "'; send 'inputs' files and the fields trt, shapes, passes, int64io");
        }
      }
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
      throw bad("invalid_inputs", "input file '" + n.replaceAll("\\p{Cntrl}", "?") + "': send NAME.npy (NAME the"
          + " model input it feeds) or an .npz archive, named with letters, digits, '.', '_', '+' or '-'");
    }
    return n.substring(0, n.length() - 4) + lower.substring(lower.length() - 4);
  }

  private static void copy(InputStream in, Path target) throws IOException {
    try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      in.transferTo(out);
    } catch (FileAlreadyExistsException e) {
      throw bad("duplicate_file", "the input file " + target.getFileName() + " was sent twice");
    }
  }

  private static UserFacingException bad(String error, String detail) {
    return new UserFacingException(Kind.BAD_REQUEST, error, detail);
  }
}
