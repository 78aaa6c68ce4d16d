package dev.trtcompat.onnx;

import dev.trtcompat.onnx.proto.OnnxProtos.StringStringEntryProto;
import java.util.List;

/**
 * Where an EXTERNAL tensor's bytes lie, from its {@code external_data} entries (ONNX IR: {@code location} relative
 * to the model's folder, optional {@code offset}, optional {@code length}; other keys such as {@code checksum} are
 * ignored).
 *
 * @param length the declared byte count, or -1 when absent (the rest of the file from {@code offset})
 */
public record ExternalDataRef(String location, long offset, long length) {

  /** Parses the entries of tensor {@code tensorName}; a missing location or a bad number is an invalid model. */
  public static ExternalDataRef of(String tensorName, List<StringStringEntryProto> entries) {
    String location = null;
    long offset = 0;
    long length = -1;
    for (StringStringEntryProto e : entries) {
      switch (e.getKey()) {
        case "location" -> location = e.getValue();
        case "offset" -> offset = TensorDecoding.parseLong(e.getValue(), tensorName, "offset");
        case "length" -> length = TensorDecoding.parseLong(e.getValue(), tensorName, "length");
        default -> {}
      }
    }
    if (location == null) {
      throw new InvalidModelException("initializer '" + tensorName + "' is marked EXTERNAL but names no location");
    }
    return new ExternalDataRef(location, offset, length);
  }
}
