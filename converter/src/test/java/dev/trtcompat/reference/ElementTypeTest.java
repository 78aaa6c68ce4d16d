package dev.trtcompat.reference;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ElementTypeTest {

  @Test
  void agreesWithTheModelReadersTableOnNameWireValueAndWidth() {
    for (ElementType t : ElementType.values()) {
      dev.trtcompat.onnx.ElementType o = t.onnx();
      assertThat(o.name()).isEqualTo(t.name());
      assertThat(o.wire()).isEqualTo(t.onnxValue());
      assertThat(o.bits()).isEqualTo(t.byteSize() * 8);
    }
  }

  @Test
  void readsNumpyTypeStringsInAnyByteOrder() {
    assertThat(ElementType.fromNpyDescr("<f4")).contains(ElementType.FLOAT);
    assertThat(ElementType.fromNpyDescr(">f2")).contains(ElementType.FLOAT16);
    assertThat(ElementType.fromNpyDescr("|b1")).contains(ElementType.BOOL);
    assertThat(ElementType.fromNpyDescr("i8")).contains(ElementType.INT64);
    assertThat(ElementType.fromNpyDescr("<c8")).isEmpty();
  }
}
