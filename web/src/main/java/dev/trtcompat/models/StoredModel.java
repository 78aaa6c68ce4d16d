package dev.trtcompat.models;

import dev.trtcompat.onnx.ModelSummary;
import java.util.List;

/** A model in the store with its summary: the body of {@code GET /api/v1/models/{id}}. */
public record StoredModel(
    String id,
    String sha256,
    String fileName,
    long bytes,
    String uploadedAt,
    List<StoredFile> externalFiles,
    ModelSummary summary) {

  static StoredModel of(ModelEntry e, ModelSummary summary) {
    return new StoredModel(e.id(), e.sha256(), e.fileName(), e.bytes(), e.uploadedAt(), e.externalFiles(), summary);
  }

  public ModelEntry entry() {
    return new ModelEntry(id, sha256, fileName, bytes, uploadedAt, externalFiles);
  }
}
