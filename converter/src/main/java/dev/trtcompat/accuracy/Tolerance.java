package dev.trtcompat.accuracy;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.precision.Precision;

/**
 * When an engine output counts as matching the reference: an element is within tolerance when
 * {@code |engine - reference| <= atol + rtol * |reference|} (NumPy's {@code isclose} rule); an output passes
 * when at least {@code minWithinShare} of its elements are within tolerance and the cosine similarity of the
 * whole output is at least {@code minCosine} (a negative {@code minCosine} disables that check).
 *
 * <p>Why two criteria: the element rule catches local damage (one wrong channel), the cosine catches a
 * global drift that stays under the absolute threshold element by element (scores that are all shrunk).
 */
public record Tolerance(double atol, double rtol, double minWithinShare, double minCosine) {

  public Tolerance {
    if (!(atol >= 0) || !(rtol >= 0)) {
      throw bad("atol and rtol must be zero or positive");
    }
    if (!(minWithinShare >= 0 && minWithinShare <= 1)) {
      throw bad("the required share of elements within tolerance must be between 0 and 1");
    }
    if (!(minCosine <= 1)) {
      throw bad("the required cosine similarity must be at most 1");
    }
  }

  /**
   * Defaults per engine precision (see docs/reference.md, "Default tolerances", for the reasoning).
   *
   * <ul>
   *   <li>FP32: atol 1e-4, rtol 1e-3, 99.9% of elements, cosine 0.9999. trtexec builds FP32 engines with TF32
   *       math enabled on Ampere and later GPUs (its {@code --noTF32} switch turns it off); TF32 keeps 10
   *       mantissa bits, a relative rounding step of about 5e-4 per product, so 1e-3 relative is the tightest
   *       bound that such an engine reliably meets.
   *   <li>FP16: atol 1e-2, rtol 1e-2, 99% of elements, cosine 0.999. Activations are stored with 10 mantissa
   *       bits and a 65504 range; rounding compounds over tens of layers, and outputs of a ResNet-class model
   *       typically differ from FP32 in the second or third significant digit.
   *   <li>INT8: atol 5e-2, rtol 5e-2, 90% of elements, cosine 0.99. Each quantised tensor has 255 levels over its
   *       calibrated range (a step of about 0.8% of the range); errors of that size in every layer leave a
   *       correct engine close in direction (cosine 0.99 is the usual acceptance bar for post-training
   *       quantisation) but not element-wise tight.
   * </ul>
   */
  public static Tolerance defaults(Precision p) {
    return switch (heldTo(p)) {
      case FP32 -> new Tolerance(1e-4, 1e-3, 0.999, 0.9999);
      case FP16 -> new Tolerance(1e-2, 1e-2, 0.99, 0.999);
      case INT8, BEST -> new Tolerance(5e-2, 5e-2, 0.90, 0.99);
    };
  }

  /**
   * The precision whose tolerance an engine built for {@code built} is held to: BEST may pick INT8 kernels, so
   * it is held to INT8's; the others to their own.
   */
  public static Precision heldTo(Precision built) {
    return built == Precision.BEST ? Precision.INT8 : built;
  }

  /**
   * The tolerance of the ONNX backend tests (numpy.testing.assert_allclose with rtol 1e-3, atol 1e-7 in
   * onnx/backend/test/runner), every element required, cosine not checked.
   */
  public static Tolerance onnxBackendTest() {
    return new Tolerance(1e-7, 1e-3, 1.0, -1);
  }

  public Tolerance withAtol(double a) {
    return new Tolerance(a, rtol, minWithinShare, minCosine);
  }

  public Tolerance withRtol(double r) {
    return new Tolerance(atol, r, minWithinShare, minCosine);
  }

  public Tolerance withMinWithinShare(double s) {
    return new Tolerance(atol, rtol, s, minCosine);
  }

  public Tolerance withMinCosine(double c) {
    return new Tolerance(atol, rtol, minWithinShare, c);
  }

  boolean within(double engine, double reference) {
    if (Double.isNaN(engine) || Double.isNaN(reference)) {
      return Double.isNaN(engine) && Double.isNaN(reference);
    }
    if (Double.isInfinite(engine) || Double.isInfinite(reference)) {
      return engine == reference;
    }
    return Math.abs(engine - reference) <= atol + rtol * Math.abs(reference);
  }

  private static UserFacingException bad(String why) {
    return new UserFacingException(UserFacingException.Kind.BAD_REQUEST, "invalid_tolerance", why);
  }
}
