package dev.trtcompat.catalog;

import dev.trtcompat.precision.Precision;


/**
 * How an engine was built, recorded beside it.
 *
 * @param cellId the cell whose run built it, or null
 * @param imageDigest the container image's digest, so a result can be traced to the exact TensorRT build
 * @param flags the trtexec flags used
 */
public record EngineBuild(
    String modelSha256, Long cellId, String trtRelease, Precision precision, String imageDigest, String gpu,
    String flags, Double buildSeconds) {}
