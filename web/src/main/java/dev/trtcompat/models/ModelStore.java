package dev.trtcompat.models;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Where uploaded models live. Uploads are staged on disk first, then {@link #add added}: only models the
 * reader accepts are kept. The files always stay on disk; a later implementation may keep the index in a
 * database instead of the folder tree.
 */
public interface ModelStore extends AutoCloseable {

  /** A fresh staging area for one upload, accepting at most {@code maxBytes} in all. */
  StagedUpload stage(long maxBytes) throws IOException;

  /**
   * Reads the staged model (this is where bad models are refused) and keeps it under its content address.
   * The staging area is consumed or left for its owner to close.
   *
   * @throws dev.trtcompat.errors.UserFacingException when the model cannot be read or the upload is inconsistent
   */
  StoreResult add(StagedUpload upload) throws IOException;

  /** The model with this id, or empty when there is none; ids that are not 64 hex digits find nothing. */
  Optional<StoredModel> find(String id) throws IOException;

  /** The stored model file ({@code model.onnx}, external data beside it), or empty when there is none. */
  Optional<java.nio.file.Path> modelFile(String id);

  /**
   * A folder beside the model's files where later stages keep what they derive from it (reference runs),
   * created on demand; empty when there is no such model. Removed with the model.
   */
  Optional<java.nio.file.Path> derivedDir(String id) throws IOException;

  /** Removes the model and everything derived from it; false when there was no such model. */
  boolean delete(String id) throws IOException;

  /** Most recently uploaded first, at most {@code limit}. */
  List<ModelEntry> recent(int limit) throws IOException;

  @Override
  void close() throws IOException;
}
