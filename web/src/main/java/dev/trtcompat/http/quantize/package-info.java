/**
 * INT8 quantization in the service: the calibration upload, the quantization job cell, the Q/DQ model it stores and
 * the page section.
 */
package dev.trtcompat.http.quantize;
