package dev.trtcompat.docker;

/**
 * One progress report while an image is pulled: a layer's status and, while downloading, bytes so far.
 *
 * @param image the image being pulled
 * @param layer the layer id, empty for whole-image messages
 * @param status the engine's status text, e.g. "Downloading", "Pull complete"
 * @param currentBytes bytes done for this layer, 0 when unknown
 * @param totalBytes layer size, 0 when unknown
 */
public record PullProgress(String image, String layer, String status, long currentBytes, long totalBytes) {}
