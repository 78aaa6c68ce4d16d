/** Benchmark drivers and generators of large synthetic models; not used by the product. */
package dev.trtcompat.bench;
