/**
 * INT8 quantization and FP16 / mixed-precision conversion in the service: the calibration upload, the job cells,
 * the converted model each stores and the page sections.
 */
package dev.trtcompat.http.quantize;
