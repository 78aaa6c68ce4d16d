package dev.trtcompat.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatenciesTest {

  private static Latencies millis(long... values) {
    Latencies l = new Latencies();
    for (long v : values) {
      l.add(v * 1_000_000);
    }
    return l;
  }

  @Test
  void nearestRankPercentilesOfOneToHundredAreTheValuesThemselves() {
    List<Long> values = new ArrayList<>();
    for (long i = 1; i <= 100; i++) {
      values.add(i);
    }
    Collections.shuffle(values, new Random(7)); // recorded out of order, as concurrent clients do
    Latencies l = new Latencies();
    values.forEach(v -> l.add(v * 1_000_000));

    assertThat(l.count()).isEqualTo(100);
    assertThat(l.percentileMillis(50)).isEqualTo(50.0);
    assertThat(l.percentileMillis(90)).isEqualTo(90.0);
    assertThat(l.percentileMillis(99)).isEqualTo(99.0);
    assertThat(l.maxMillis()).isEqualTo(100.0);
    assertThat(l.percentileMillis(0.5)).isEqualTo(1.0);
  }

  @Test
  void oneSlowRequestInAThousandShowsInTheMaxButNotTheP99() {
    long[] v = new long[1000];
    java.util.Arrays.fill(v, 5);
    v[500] = 900;
    Latencies l = millis(v);

    assertThat(l.percentileMillis(99)).isEqualTo(5.0);
    assertThat(l.maxMillis()).isEqualTo(900.0);
  }

  @Test
  void elevenSlowRequestsInAThousandMoveTheP99() {
    long[] v = new long[1000];
    java.util.Arrays.fill(v, 5);
    for (int i = 0; i < 11; i++) {
      v[i * 90] = 250;
    }
    assertThat(millis(v).percentileMillis(99)).isEqualTo(250.0);
  }

  @Test
  void mergingKeepsEveryValueAndAddingAfterAReadStillSorts() {
    Latencies a = millis(30, 10);
    assertThat(a.maxMillis()).isEqualTo(30.0);
    a.addAll(millis(20, 40));
    a.add(1_000_000);

    assertThat(a.count()).isEqualTo(5);
    assertThat(a.percentileMillis(50)).isEqualTo(20.0);
    assertThat(a.percentileMillis(20)).isEqualTo(1.0);
    assertThat(a.maxMillis()).isEqualTo(40.0);
  }

  @Test
  void growsPastItsInitialCapacity() {
    Latencies l = new Latencies();
    for (int i = 1; i <= 5000; i++) {
      l.add(i * 1_000L);
    }
    assertThat(l.count()).isEqualTo(5000);
    assertThat(l.percentileMillis(50)).isEqualTo(2.5);
    assertThat(l.maxMillis()).isEqualTo(5.0);
  }

  @Test
  void noValuesGiveNaNAndPercentilesOutsideTheRangeAreRefused() {
    assertThat(new Latencies().percentileMillis(99)).isNaN();
    assertThatThrownBy(() -> millis(1).percentileMillis(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> millis(1).percentileMillis(100.5)).isInstanceOf(IllegalArgumentException.class);
  }
}
