package dev.trtcompat.reference;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Float16Test {

  @Test
  void knownValues() {
    assertThat(Float16.fromFloat(1f)).isEqualTo((short) 0x3c00);
    assertThat(Float16.fromFloat(-2f)).isEqualTo((short) 0xc000);
    assertThat(Float16.fromFloat(65504f)).isEqualTo((short) 0x7bff);
    assertThat(Float16.fromFloat(65520f)).isEqualTo((short) 0x7c00); // rounds to infinity, as NumPy does
    assertThat(Float16.fromFloat(5.9604645e-8f)).isEqualTo((short) 0x0001); // smallest subnormal
    assertThat(Float16.fromFloat(1e-9f)).isEqualTo((short) 0);
    assertThat(Float.isNaN(Float16.toFloat(Float16.fromFloat(Float.NaN)))).isTrue();
    assertThat(Float16.toFloat((short) 0x3555)).isEqualTo(0.33325195f);
    // Ties round to even: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10.
    assertThat(Float16.fromFloat(1f + 0x1p-11f)).isEqualTo((short) 0x3c00);
    assertThat(Float16.fromFloat(1f + 3 * 0x1p-11f)).isEqualTo((short) 0x3c02);
  }

  @Test
  void everyHalfRoundTripsThroughFloat() {
    for (int bits = 0; bits < 0x10000; bits++) {
      float f = Float16.toFloat((short) bits);
      if (Float.isNaN(f)) {
        continue;
      }
      assertThat(Float16.fromFloat(f) & 0xffff).as("0x%04x", bits).isEqualTo(bits);
    }
  }
}
