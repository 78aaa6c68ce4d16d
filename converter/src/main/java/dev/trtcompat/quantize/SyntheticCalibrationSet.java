package dev.trtcompat.quantize;

import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.InputShapes;
import dev.trtcompat.reference.RandomInputs;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Random samples drawn like the reference runner's inputs (floats uniform in [-1, 1), integers in [0, 3]), each from
 * its own seed. Scales computed from them only make an engine's timings real: {@link #TIMING_ONLY}; a conversion
 * that computes no scales (FP16) says what random data costs it instead ({@link #withCaveat}).
 */
public final class SyntheticCalibrationSet implements CalibrationSet {

  public static final String TIMING_ONLY = "scales from random data: timing only";
  public static final int MAX_SAMPLES = 100_000;

  private final int count;
  private final long seed;
  private final InputShapes shapes;
  private final String caveat;

  /** @param shapes shapes for dynamic inputs; dynamic dimensions not given are 1 */
  public SyntheticCalibrationSet(int count, long seed, InputShapes shapes) {
    this(count, seed, shapes, TIMING_ONLY);
  }

  private SyntheticCalibrationSet(int count, long seed, InputShapes shapes, String caveat) {
    if (count < 1 || count > MAX_SAMPLES) {
      throw OptionException.of("invalid_synthetic_count", RequestOption.SYNTHETIC,
          " takes a sample count between 1 and " + MAX_SAMPLES + ", got " + count);
    }
    this.count = count;
    this.seed = seed;
    this.shapes = shapes == null ? InputShapes.NONE : shapes;
    this.caveat = caveat;
  }

  /** The same samples, flagged with what random data costs the conversion they feed. */
  public SyntheticCalibrationSet withCaveat(String caveat) {
    return new SyntheticCalibrationSet(count, seed, shapes, caveat);
  }

  /** What random data cannot tell the conversion: {@link #TIMING_ONLY} unless {@link #withCaveat} said otherwise. */
  public String caveat() {
    return caveat;
  }

  /** Another {@code count} random samples from a different seed: evaluation data that calibration never saw. */
  public SyntheticCalibrationSet heldOut(int count) {
    return new SyntheticCalibrationSet(count, seed + 7_919, shapes, caveat);
  }

  @Override
  public int size() {
    return count;
  }

  @Override
  public Map<String, HostTensor> sample(int index, List<ModelInput> inputs) {
    Map<String, HostTensor> sample = new LinkedHashMap<>();
    for (ModelInput in : inputs) {
      long[] shape = shapes.shapeOf(in.name()).orElse(in.concreteShape());
      sample.put(in.name(), RandomInputs.generate(in.name(), in.type(), shape, seed * 1_000_003L + index));
    }
    return sample;
  }

  @Override
  public String label(int index) {
    return "random sample " + index;
  }

  @Override
  public String description() {
    return count + " random sample(s), seed " + seed + " (" + caveat + ")";
  }

  @Override
  public String sha256() {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256")
          .digest(("synthetic:" + count + ":" + seed + ":" + shapes.format()).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean synthetic() {
    return true;
  }
}
