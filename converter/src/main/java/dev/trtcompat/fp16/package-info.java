/**
 * FP16 / mixed precision: converts a model's weights and compute to FLOAT16 while keeping in FP32 the nodes that
 * would overflow or lose too much, decided from calibration statistics and a list the user can extend.
 */
package dev.trtcompat.fp16;
