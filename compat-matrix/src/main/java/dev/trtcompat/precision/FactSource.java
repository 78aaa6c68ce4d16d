package dev.trtcompat.precision;

/** A document or source file a precision or GPU fact was read from. */
public record FactSource(String id, String url, String what) {}
