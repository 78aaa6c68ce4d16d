package dev.trtcompat.models;

/** One external-data file kept beside a stored model. */
public record StoredFile(String name, long bytes, String sha256) {}
