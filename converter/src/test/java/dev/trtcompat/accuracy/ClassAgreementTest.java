package dev.trtcompat.accuracy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.reference.HostTensor;
import org.junit.jupiter.api.Test;

/**
 * Top-1/top-5 agreement on hand-computed score rows. Mutations tried, each failing a test here: argmax keeping the
 * last of tied scores ({@code >=}), top-5 counting tied scores as higher ({@code >=}), top-5 as "fewer than
 * {@code min(5, classes - 1)} higher", and dropping the element-count check.
 */
class ClassAgreementTest {

  static HostTensor scores(int rows, float... v) {
    return HostTensor.ofFloats("logits", rows == 0 ? new long[] {v.length} : new long[] {rows, v.length / rows}, v);
  }

  @Test
  void classScoresAreFloatVectorsOrBatchesOfAtLeastTwoClasses() {
    assertThat(ClassAgreement.looksLikeClassScores(scores(2, 1, 2, 3, 4, 5, 6))).isTrue(); // [2, 3]
    assertThat(ClassAgreement.looksLikeClassScores(scores(0, 1, 2))).isTrue(); // [2]
    assertThat(ClassAgreement.looksLikeClassScores(scores(0, 1))).isFalse(); // [1]: one class
    assertThat(ClassAgreement.looksLikeClassScores(scores(2, 1, 2))).isFalse(); // [2, 1]
    assertThat(ClassAgreement.looksLikeClassScores(HostTensor.ofFloats("x", new long[] {1, 2, 3}, new float[6])))
        .isFalse(); // two batch dimensions: a feature map, not scores
    assertThat(ClassAgreement.looksLikeClassScores(HostTensor.ofLongs("ids", new long[] {1, 3}, 0, 1, 2)))
        .isFalse();
    assertThat(ClassAgreement.looksLikeClassScores(HostTensor.ofFloats("none", new long[] {0, 10})))
        .isTrue(); // an empty batch of 10-class rows
  }

  @Test
  void rowsAgreeOnTop1TopFiveOrNeither() {
    // 3 rows of 6 classes.
    // row 0: both pick class 2.
    // row 1: the reference picks 0, the other picks 1 and ranks 0 second: top-5 only.
    // row 2: the reference picks 5, which the other ranks last (5 scores above it): neither.
    HostTensor reference = scores(3,
        0.1f, 0.2f, 0.9f, 0.0f, 0.3f, 0.4f,
        0.9f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f,
        0.0f, 0.1f, 0.2f, 0.3f, 0.4f, 0.9f);
    HostTensor other = scores(3,
        0.2f, 0.1f, 0.8f, 0.0f, 0.3f, 0.5f,
        0.8f, 0.9f, 0.2f, 0.3f, 0.4f, 0.5f,
        0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 0.0f);
    assertThat(ClassAgreement.count(reference, other)).isEqualTo(new ClassAgreement.Counts(3, 1, 2));
  }

  @Test
  void tiesGoToTheFirstClassAndATiedScoreIsNotAHigherOne() {
    // Reference [1, 3, 3, 0]: classes 1 and 2 tie, its argmax is the first (1), which the other picks: top-1.
    assertThat(ClassAgreement.count(scores(1, 1, 3, 3, 0), scores(1, 0, 3, 2, 1)))
        .isEqualTo(new ClassAgreement.Counts(1, 1, 1));
    // The other's scores all equal, 7 classes: its argmax is class 0, not the reference's 3 (no top-1), but no
    // class scores strictly above class 3 (top-5).
    assertThat(ClassAgreement.count(scores(1, 0, 0, 0, 9, 0, 0, 0), scores(1, 2, 2, 2, 2, 2, 2, 2)))
        .isEqualTo(new ClassAgreement.Counts(1, 0, 1));
  }

  @Test
  void withFewerThanFiveClassesTopFiveAlwaysAgrees() {
    // 3 classes: the reference's class 0 is the other's lowest, still within its (only) 3 classes.
    assertThat(ClassAgreement.count(scores(1, 5, 1, 0), scores(1, 0, 1, 5)))
        .isEqualTo(new ClassAgreement.Counts(1, 0, 1));
    // 6 classes: the same reference class ranked last is outside the other's top five.
    assertThat(ClassAgreement.count(scores(1, 9, 1, 1, 1, 1, 1), scores(1, 0, 1, 2, 3, 4, 5)))
        .isEqualTo(new ClassAgreement.Counts(1, 0, 0));
  }

  @Test
  void emptyOrMismatchedOutputsCountNoRows() {
    HostTensor empty = HostTensor.ofFloats("logits", new long[] {0, 10});
    assertThat(ClassAgreement.count(empty, empty)).isEqualTo(new ClassAgreement.Counts(0, 0, 0));
    // A different element count (another batch size) is not compared row by row.
    assertThat(ClassAgreement.count(scores(2, 1, 2, 3, 4), scores(1, 1, 2)))
        .isEqualTo(new ClassAgreement.Counts(0, 0, 0));
  }

  @Test
  void countsAddUp() {
    assertThat(new ClassAgreement.Counts(3, 1, 2).plus(new ClassAgreement.Counts(2, 2, 2)))
        .isEqualTo(new ClassAgreement.Counts(5, 3, 4));
  }
}
