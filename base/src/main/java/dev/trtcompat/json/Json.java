package dev.trtcompat.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;

/** The one JSON configuration every interface shares, so the CLI and the API print identical documents. */
public final class Json {

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .setSerializationInclusion(JsonInclude.Include.ALWAYS)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private Json() {}

  /** A shared, thread-safe mapper; do not reconfigure it. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  public static ObjectWriter pretty() {
    return MAPPER.writerWithDefaultPrettyPrinter();
  }
}
