package dev.trtcompat.shapes;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BroadcastingTest {

  @Test
  void shapesAlignAtTheLastDimensionAndOnesStretch() {
    assertThat(Broadcasting.shape(new long[] {2, 3, 4}, new long[] {4})).containsExactly(2, 3, 4);
    assertThat(Broadcasting.shape(new long[] {2, 1, 4}, new long[] {3, 1})).containsExactly(2, 3, 4);
    assertThat(Broadcasting.shape(new long[] {}, new long[] {5})).containsExactly(5);
    assertThat(Broadcasting.shape(new long[] {1}, new long[] {})).containsExactly(1);
  }

  @Test
  void unknownDimensionsStayUnknownUnlessTheOtherSideDecides() {
    assertThat(Broadcasting.shape(new long[] {-1, 4}, new long[] {1, 4})).containsExactly(-1, 4);
    assertThat(Broadcasting.shape(new long[] {-1, 4}, new long[] {7, 4})).containsExactly(7, 4);
    assertThat(Broadcasting.shape(new long[] {-1}, new long[] {-1})).containsExactly(-1);
  }

  @Test
  void mismatchedSizesDoNotBroadcast() {
    assertThat(Broadcasting.shape(new long[] {2, 3}, new long[] {4})).isNull();
    assertThat(Broadcasting.shape(new long[] {3}, new long[] {2, 2})).isNull();
  }
}
