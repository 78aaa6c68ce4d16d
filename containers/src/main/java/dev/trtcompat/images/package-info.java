/** Which NVIDIA TensorRT container image holds which TensorRT release. */
package dev.trtcompat.images;
