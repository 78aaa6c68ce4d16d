package dev.trtcompat.precision;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;

/**
 * The bundled precision knowledge: {@code quantization.json} (per release) and {@code gpus.json} (per
 * architecture), read with unknown fields rejected and validated once; a broken file stops start-up.
 */
public final class PrecisionFacts {

  static final String BASE = "/dev/trtcompat/precision/";

  private final QuantizationFacts quantization;
  private final GpuFacts gpus;

  PrecisionFacts(QuantizationFacts quantization, GpuFacts gpus) {
    this.quantization = quantization;
    this.gpus = gpus;
  }

  private static final class Holder {
    static final PrecisionFacts BUNDLED = load(BASE + "quantization.json", BASE + "gpus.json");
  }

  /** The facts shipped in the jar. */
  public static PrecisionFacts bundled() {
    return Holder.BUNDLED;
  }

  /** Reads and validates two classpath resources. */
  static PrecisionFacts load(String quantizationResource, String gpusResource) {
    ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    QuantizationFacts q = read(mapper, quantizationResource, QuantizationFacts.class);
    GpuFacts g = read(mapper, gpusResource, GpuFacts.class);
    FactsValidator.validate(quantizationResource, q);
    FactsValidator.validate(gpusResource, g);
    return new PrecisionFacts(q, g);
  }

  private static <T> T read(ObjectMapper mapper, String resource, Class<T> type) {
    try (InputStream in = PrecisionFacts.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("precision facts file " + resource + " is missing from the classpath");
      }
      return mapper.readValue(in, type);
    } catch (IOException e) {
      throw new IllegalStateException("precision facts file " + resource + " is invalid: " + e.getMessage(), e);
    }
  }

  public QuantizationFacts quantization() {
    return quantization;
  }

  public GpuFacts gpus() {
    return gpus;
  }
}
