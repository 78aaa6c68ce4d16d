package dev.trtcompat.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trtcompat.onnx.ElementType;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class HostTypesTest {

  @Test
  void everyHostTypeHasAWholeByteWidthAndANumpyTypeOfThatWidth() {
    for (ElementType t : HostTypes.ALL) {
      assertThat(t.byteSize()).as(t.name()).isPositive();
      assertThat(HostTypes.npyDescr(t)).endsWith(Integer.toString(t.byteSize()));
      assertThat(HostTypes.fromWire(t.wire())).contains(t);
    }
    assertThat(HostTypes.ALL).hasSize(12).doesNotContain(ElementType.STRING, ElementType.BFLOAT16);
    assertThat(HostTypes.fromWire(ElementType.BFLOAT16.wire())).isEmpty();
  }

  @Test
  void readsNumpyTypeStringsInAnyByteOrder() {
    assertThat(HostTypes.fromNpyDescr("<f4")).contains(ElementType.FLOAT);
    assertThat(HostTypes.fromNpyDescr(">f2")).contains(ElementType.FLOAT16);
    assertThat(HostTypes.fromNpyDescr("|b1")).contains(ElementType.BOOL);
    assertThat(HostTypes.fromNpyDescr("i8")).contains(ElementType.INT64);
    assertThat(HostTypes.fromNpyDescr("=u2")).contains(ElementType.UINT16);
    assertThat(HostTypes.fromNpyDescr("<c8")).isEmpty();
  }

  @Test
  void aTensorOfATypeTheReferenceCannotHoldIsRefused() {
    assertThatThrownBy(() -> new HostTensor("b", ElementType.BFLOAT16, new long[] {1}, ByteBuffer.allocate(2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BFLOAT16");
  }
}
