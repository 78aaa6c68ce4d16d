package dev.trtcompat.accuracy;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * How one engine output compares with the reference output of the same name. Error figures cover the
 * elements where neither side is NaN ({@code nanMismatches} counts the elements where exactly one is);
 * {@code maxRelError} is taken over elements whose reference value is not zero. When the outputs cannot be
 * compared element by element (different element counts) the figures are NaN and {@code problem} says why.
 */
@JsonPropertyOrder({
  "name", "passed", "problem", "referenceElemType", "engineElemType", "referenceShape", "engineShape",
  "shapeMismatch", "dtypeMismatch", "elements", "maxAbsError", "maxRelError", "meanAbsError",
  "cosineSimilarity", "withinTolerance", "nanMismatches"
})
public record OutputComparison(
    String name,
    boolean passed,
    String problem,
    String referenceElemType,
    String engineElemType,
    long[] referenceShape,
    long[] engineShape,
    boolean shapeMismatch,
    boolean dtypeMismatch,
    long elements,
    double maxAbsError,
    double maxRelError,
    double meanAbsError,
    double cosineSimilarity,
    double withinTolerance,
    long nanMismatches) {}
