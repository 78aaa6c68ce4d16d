package dev.trtcompat.http;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.http.upload.FormParts;
import dev.trtcompat.http.upload.MultipartReader;
import dev.trtcompat.http.upload.RefusedUploads;
import dev.trtcompat.models.DiskSpace;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.models.StagedUpload;
import dev.trtcompat.models.StoreResult;
import dev.trtcompat.models.UploadTooLargeException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
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

  /** A model with more external files than 10,000 is not plausible; the bound limits the work per request. */
  private static final FormParts.Spec FORM = new FormParts.Spec("the upload", Set.of(MODEL_FIELD, EXTERNAL_FIELD),
      JOB_FIELDS, 10_000, "send 'model' and, for external data, 'external' files (optionally 'trt' and 'precision'"
          + " text fields to start a job)");

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
        fields.putAll(FormParts.read(new MultipartReader(req.getInputStream(), boundary.get(), maxUploadBytes), FORM,
            (field, name, in) -> {
              if (field.equals(MODEL_FIELD)) {
                staged.addModel(name, in);
              } else {
                staged.addExternal(name, in);
              }
            }));
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



  /** Translates a failure while reading parts into what the user should hear, and drains the rest. */
  private RuntimeException refused(HttpServletRequest req, Exception e) {
    return RefusedUploads.answer(req, e, () -> new UploadTooLargeException(maxUploadBytes), "the upload");
  }
}
