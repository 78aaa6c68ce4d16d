package dev.trtcompat.reference;

import dev.trtcompat.onnx.ElementType;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The ONNX element types the reference can hold in memory and files ({@link HostTensor}), with the NumPy type
 * string each has in NPY headers. Every other format (trtexec raw input, TensorProto) reads the width from
 * {@link ElementType} itself.
 *
 * <p>NumPy type strings follow https://numpy.org/doc/stable/reference/arrays.dtypes.html (all little-endian,
 * {@code |} where byte order does not apply).
 */
public final class HostTypes {

  private static final Map<ElementType, String> NPY_DESCR = new EnumMap<>(ElementType.class);

  static {
    NPY_DESCR.put(ElementType.FLOAT, "<f4");
    NPY_DESCR.put(ElementType.UINT8, "|u1");
    NPY_DESCR.put(ElementType.INT8, "|i1");
    NPY_DESCR.put(ElementType.UINT16, "<u2");
    NPY_DESCR.put(ElementType.INT16, "<i2");
    NPY_DESCR.put(ElementType.INT32, "<i4");
    NPY_DESCR.put(ElementType.INT64, "<i8");
    NPY_DESCR.put(ElementType.BOOL, "|b1");
    NPY_DESCR.put(ElementType.FLOAT16, "<f2");
    NPY_DESCR.put(ElementType.DOUBLE, "<f8");
    NPY_DESCR.put(ElementType.UINT32, "<u4");
    NPY_DESCR.put(ElementType.UINT64, "<u8");
  }

  /** Every type a {@link HostTensor} may have, in ONNX wire order. */
  public static final Set<ElementType> ALL = Collections.unmodifiableSet(EnumSet.copyOf(NPY_DESCR.keySet()));

  private HostTypes() {}

  /** The host type with this {@code TensorProto.DataType} number; empty for one the reference cannot hold. */
  public static Optional<ElementType> fromWire(int wire) {
    return ElementType.fromWire(wire).filter(ALL::contains);
  }

  /** The NumPy {@code descr} string written into NPY headers. */
  public static String npyDescr(ElementType type) {
    String d = NPY_DESCR.get(type);
    if (d == null) {
      throw new IllegalArgumentException(type + " is not a type the reference holds");
    }
    return d;
  }

  /** Accepts any byte-order prefix ({@code <f4}, {@code >f4}, {@code =f4}, {@code f4}); readers swap big-endian data. */
  public static Optional<ElementType> fromNpyDescr(String descr) {
    String d = descr.trim().toLowerCase(Locale.ROOT);
    String bare = d.startsWith("=") || d.startsWith("|") || d.startsWith("<") || d.startsWith(">") ? d.substring(1) : d;
    return NPY_DESCR.entrySet().stream()
        .filter(e -> e.getValue().substring(1).equals(bare))
        .map(Map.Entry::getKey)
        .findFirst();
  }
}
