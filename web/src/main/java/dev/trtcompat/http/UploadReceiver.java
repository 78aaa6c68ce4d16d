package dev.trtcompat.http;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.http.upload.MultipartReader;
import dev.trtcompat.http.upload.MultipartReader.Part;
import dev.trtcompat.http.upload.RefusedUploads;
import dev.trtcompat.models.DiskSpace;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.models.StagedUpload;
import dev.trtcompat.models.StoreResult;
import dev.trtcompat.models.UploadTooLargeException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Receives a multipart upload straight from the request stream into a {@link StagedUpload}: parts are
 * copied to disk as they arrive ({@link MultipartReader}), never buffered whole. Fields:
 * {@code model} (one file) and {@code external} (any number of files, each under the name the model uses).
 */
final class UploadReceiver {

  static final String MODEL_FIELD = "model";
  static final String EXTERNAL_FIELD = "external";

  /** A model with more external files than this is not plausible; it bounds the work per request. */
  private static final int MAX_PARTS = 10_000;

  private final ModelStore store;
  private final long maxUploadBytes;
  private final Supplier<DiskSpace.Promised> promised;

  /**
   * @param promised the bytes unfinished resumable uploads still have to send: an upload of known length must fit
   *     beside them, as a new resumable declaration must
   */
  UploadReceiver(ModelStore store, long maxUploadBytes, Supplier<DiskSpace.Promised> promised) {
    this.store = store;
    this.maxUploadBytes = maxUploadBytes;
    this.promised = promised;
  }

  /** Text fields the upload may carry besides files: the job to start once the model is stored. */
  static final Set<String> JOB_FIELDS = Set.of("trt", "precision", "reference", "shapes", "timeout", "label");
  private static final int MAX_FIELD_CHARS = 2000;
  private static final int MAX_FIELDS = 256;

  /** A stored upload and the job fields sent with it (field name to values, in order). */
  record Received(StoreResult stored, Map<String, List<String>> fields) {
    List<String> values(String field) {
      return fields.getOrDefault(field, List.of());
    }
  }

  StoreResult receive(HttpServletRequest req) throws IOException {
    return receiveWithFields(req).stored();
  }

  Received receiveWithFields(HttpServletRequest req) throws IOException {
    Map<String, List<String>> fields = new LinkedHashMap<>();
    Optional<String> boundary = MultipartReader.boundary(req.getContentType());
    if (boundary.isEmpty()) {
      throw new UserFacingException(
          Kind.BAD_REQUEST, "not_multipart",
          "send the model as multipart/form-data with the file in the field 'model' (e.g. curl -F model=@model.onnx)");
    }
    long declared = req.getContentLengthLong();
    if (declared > maxUploadBytes) {
      // Refused before a byte is read: a client that sent Expect: 100-continue never sends the body.
      throw new UploadTooLargeException(maxUploadBytes);
    }
    try (StagedUpload staged = store.stage(maxUploadBytes)) {
      if (declared > 0) {
        staged.requireRoom(declared, promised.get()); // also before a byte is read
      }
      try {
        MultipartReader parts = new MultipartReader(req.getInputStream(), boundary.get(), maxUploadBytes);
        int count = 0;
        for (Optional<Part> next = parts.next(); next.isPresent(); next = parts.next()) {
          if (++count > MAX_PARTS) {
            throw new UserFacingException(
                Kind.BAD_REQUEST, "too_many_parts", "the upload has more than " + MAX_PARTS + " parts");
          }
          Part part = next.get();
          String field = part.headers().fieldName() == null ? "" : part.headers().fieldName();
          InputStream in = part.body();
          switch (field) {
            case MODEL_FIELD -> staged.addModel(requireFile(part), in);
            case EXTERNAL_FIELD -> staged.addExternal(requireFile(part), in);
            default -> {
              if (!JOB_FIELDS.contains(field)) {
                throw new UserFacingException(
                    Kind.BAD_REQUEST, "unknown_field",
                    "unexpected form field '" + field + "'; send 'model' and, for external data, 'external' files"
                        + " (optionally 'trt' and 'precision' text fields to start a job)");
              }
              addField(fields, field, part);
            }
          }
        }
      } catch (RuntimeException | IOException e) {
        throw refused(req, e);
      }
      if (!staged.hasModel()) {
        throw new UserFacingException(
            Kind.BAD_REQUEST, "missing_model", "the upload has no 'model' file field; send the .onnx file as 'model'");
      }
      return new Received(store.add(staged), fields);
    }
  }

  /** A short text field; anything long or a file here is a mistake, refused before the model is stored. */
  private static void addField(Map<String, List<String>> fields, String field, Part part) throws IOException {
    if (part.headers().fileName() != null) {
      throw new UserFacingException(Kind.BAD_REQUEST, "not_a_text_field", "the field '" + field + "' must be text, not a file");
    }
    byte[] bytes = part.body().readNBytes(MAX_FIELD_CHARS + 1);
    if (bytes.length > MAX_FIELD_CHARS || fields.values().stream().mapToInt(List::size).sum() >= MAX_FIELDS) {
      throw new UserFacingException(Kind.BAD_REQUEST, "invalid_field", "the field '" + field + "' is too long or repeated too often");
    }
    fields.computeIfAbsent(field, k -> new ArrayList<>()).add(new String(bytes, StandardCharsets.UTF_8).trim());
  }

  private static String requireFile(Part part) {
    if (part.headers().fileName() == null) {
      throw new UserFacingException(
          Kind.BAD_REQUEST, "not_a_file",
          "the field '" + part.headers().fieldName() + "' must be a file part (with a filename), not a text field");
    }
    return part.headers().fileName();
  }

  /** Translates a failure while reading parts into what the user should hear, and drains the rest. */
  private RuntimeException refused(HttpServletRequest req, Exception e) {
    return RefusedUploads.answer(req, e, () -> new UploadTooLargeException(maxUploadBytes), "the upload");
  }
}
