package dev.trtcompat.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ParallelMapTest {

  @Test
  void resultsComeInTheItemsOrder() {
    List<Integer> items = IntStream.range(0, 200).boxed().toList();
    assertThat(ParallelMap.inOrder(items, 3, i -> "v" + i))
        .containsExactlyElementsOf(items.stream().map(i -> "v" + i).toList());
    assertThat(ParallelMap.inOrder(List.of(), 3, i -> i)).isEmpty();
  }

  @Test
  void theItemsRunOnTwoThreadsAtOnceWhenTwoAreAsked() {
    // Each of the two items waits for the other at the barrier: this passes only if both run at the same time.
    CyclicBarrier both = new CyclicBarrier(2);
    Set<String> threads = ConcurrentHashMap.newKeySet();
    List<String> out = ParallelMap.inOrder(List.of("a", "b"), 2, s -> {
      threads.add(Thread.currentThread().getName());
      try {
        both.await(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("the two items did not run together", e);
      }
      return s.toUpperCase();
    });
    assertThat(out).containsExactly("A", "B");
    assertThat(threads).hasSize(2).contains(Thread.currentThread().getName());
  }

  @Test
  void oneThreadRunsEverythingOnTheCaller() {
    Set<String> threads = ConcurrentHashMap.newKeySet();
    ParallelMap.inOrder(List.of(1, 2, 3), 1, i -> threads.add(Thread.currentThread().getName()));
    assertThat(threads).containsExactly(Thread.currentThread().getName());
  }

  @Test
  void aFailingItemIsRethrownAsItWasThrownWhicheverThreadRanIt() {
    List<Integer> items = IntStream.range(0, 50).boxed().toList();
    for (int n = 1; n <= 4; n++) {
      int threads = n;
      assertThatThrownBy(() -> ParallelMap.inOrder(items, threads, i -> {
        if (i == 37) {
          throw new IllegalStateException("item 37 is invalid");
        }
        return i;
      })).isExactlyInstanceOf(IllegalStateException.class).hasMessage("item 37 is invalid");
    }
  }
}
