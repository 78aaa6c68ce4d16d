/**
 * The precision vocabulary (FP32, FP16, INT8, BEST) that rules, command lines, jobs, tolerances and the matrix share.
 */
package dev.trtcompat.precision;
