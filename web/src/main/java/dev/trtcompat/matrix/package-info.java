/**
 * The compatibility-matrix report: predicted by release times measured per precision, as JSON, CSV, chart and page
 * section.
 */
package dev.trtcompat.matrix;
