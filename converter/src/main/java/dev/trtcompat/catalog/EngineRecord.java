package dev.trtcompat.catalog;

import java.time.Instant;

/** A stored TensorRT engine: content hash, how it was built, size and when it was last wanted. */
public record EngineRecord(
    String sha256, EngineBuild build, long sizeBytes, Instant createdAt, Instant lastDownloadedAt) {

  /** When the engine was last wanted: its last download, or its creation if never downloaded. */
  public Instant lastUsed() {
    return lastDownloadedAt == null ? createdAt : lastDownloadedAt;
  }
}
