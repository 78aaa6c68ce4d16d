package dev.trtcompat.models;

import java.util.List;

/**
 * What the store knows about one model apart from its summary; one line of {@code GET /api/v1/models}.
 *
 * @param id the content address: the model file's SHA-256 when it has no external data, else the SHA-256
 *     of a manifest naming every file with its SHA-256 (see {@link FileModelStore})
 * @param sha256 the SHA-256 of the model file itself
 * @param fileName the name the file had on the uploader's machine (for display only; never used as a path)
 * @param bytes size of the model file
 * @param uploadedAt ISO-8601 instant of the first upload of this content
 */
public record ModelEntry(
    String id, String sha256, String fileName, long bytes, String uploadedAt, List<StoredFile> externalFiles) {

  public ModelEntry {
    externalFiles = List.copyOf(externalFiles);
  }
}
