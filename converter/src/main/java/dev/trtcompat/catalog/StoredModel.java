package dev.trtcompat.catalog;

/**
 * The outcome of an upload.
 *
 * @param alreadyKnown true when the same bytes were uploaded before: the file was not stored again and
 *     the earlier jobs of this model can be offered
 */
public record StoredModel(ModelRecord model, boolean alreadyKnown) {}
