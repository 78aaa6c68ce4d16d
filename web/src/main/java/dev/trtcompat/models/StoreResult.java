package dev.trtcompat.models;

/**
 * The outcome of adding an upload.
 *
 * @param created false when the same content was already stored; {@code model} is then the existing one
 */
public record StoreResult(StoredModel model, boolean created) {}
