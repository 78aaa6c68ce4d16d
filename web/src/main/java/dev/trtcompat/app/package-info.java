/** Start-up configuration of trt-compat serve: defaults, file, environment and flags in one record. */
package dev.trtcompat.app;
