package dev.trtcompat.catalog;

import java.time.Instant;

/** A stored model: its content hash, the name it was uploaded under, its size and when it was used. */
public record ModelRecord(String sha256, String originalName, long sizeBytes, Instant uploadedAt, Instant lastUsedAt) {}
