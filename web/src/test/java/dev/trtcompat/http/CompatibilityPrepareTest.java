package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.models.FileModelStore;
import dev.trtcompat.models.StagedUpload;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.ModelBuilder;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The analysis computed once per model: in the background after an upload, shared by requests arriving meanwhile. */
class CompatibilityPrepareTest {

  @TempDir Path dir;
  FileModelStore store;
  Compatibility compatibility;

  @BeforeEach
  void open() throws Exception {
    store = FileModelStore.open(dir.resolve("web"));
    compatibility = new Compatibility(store, CompatibilityChecker.bundled());
  }

  @AfterEach
  void close() {
    compatibility.close();
  }

  /** A chain of {@code n} Relu nodes: big enough (thousands of nodes) that concurrent requests overlap. */
  private String storeChain(int n) throws Exception {
    ModelBuilder m = ModelBuilder.model().opset("", 17);
    ModelBuilder.Graph g = m.graph().input("t0", ElementType.FLOAT, "batch", 8);
    for (int i = 0; i < n; i++) {
      g.node("Relu", List.of("t" + i), List.of("t" + (i + 1)));
    }
    g.output("t" + n, ElementType.FLOAT, "batch", 8);
    try (StagedUpload up = store.stage(64L << 20)) {
      up.addModel("chain.onnx", new ByteArrayInputStream(m.build().toByteArray()));
      return store.add(up).model().id();
    }
  }

  @Test
  void prepareComputesInTheBackgroundAndTheFirstRequestGetsThatResult() throws Exception {
    String id = storeChain(2_000);
    compatibility.prepare(id);
    ModelAnalysis first = compatibility.analysis(id);
    assertThat(first.nodes()).hasSize(2_000);
    assertThat(compatibility.analysis(id)).isSameAs(first);
    compatibility.prepare(id); // cached: nothing more to compute
    Thread.sleep(50);
    assertThat(compatibility.computedCount()).isEqualTo(1);
  }

  @Test
  void requestsArrivingDuringAComputationWaitForItInsteadOfStartingAnother() throws Exception {
    String id = storeChain(20_000);
    int requests = 4;
    ExecutorService pool = Executors.newFixedThreadPool(requests);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<ModelAnalysis>> answers = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        answers.add(pool.submit(() -> {
          go.await();
          return compatibility.analysis(id);
        }));
      }
      compatibility.prepare(id);
      go.countDown();
      ModelAnalysis first = answers.get(0).get(2, TimeUnit.MINUTES);
      for (Future<ModelAnalysis> a : answers) {
        assertThat(a.get(2, TimeUnit.MINUTES)).isSameAs(first);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(compatibility.computedCount()).isEqualTo(1);
  }

  @Test
  void anUnknownModelFailsForTheRequestAndIsNotKept() {
    String missing = "0".repeat(64);
    compatibility.prepare(missing); // fails in the background, quietly
    assertThatThrownBy(() -> compatibility.analysis(missing))
        .isInstanceOf(UserFacingException.class)
        .satisfies(e -> assertThat(((UserFacingException) e).kind()).isEqualTo(UserFacingException.Kind.NOT_FOUND));
    assertThat(compatibility.computedCount()).isZero();
  }

  @Test
  void aModelForgottenWhileItsAnalysisRunsIsNotKept() throws Exception {
    String id = storeChain(2_000);
    ModelAnalysis a = compatibility.analysis(id);
    compatibility.forget(id);
    assertThat(compatibility.analysis(id)).isNotSameAs(a);
    assertThat(compatibility.computedCount()).isEqualTo(2);
  }

  @Test
  void thePageWaitsOnlyBrieflyForALargeModelsAnalysisAndReportsAFailureAtOnce() throws Exception {
    String id = storeChain(100_000);
    assertThat(compatibility.atHandWithin(id, java.time.Duration.ZERO)).as("started, not done").isFalse();
    assertThat(compatibility.atHandWithin(id, java.time.Duration.ofMinutes(3))).isTrue();
    assertThat(compatibility.computedCount()).isEqualTo(1);

    String missing = "0".repeat(64);
    compatibility.prepare(missing);
    // the background run fails; the page is then rendered at once, computing again to report the error
    assertThat(compatibility.atHandWithin(missing, java.time.Duration.ofMinutes(1))).isTrue();
  }
}
