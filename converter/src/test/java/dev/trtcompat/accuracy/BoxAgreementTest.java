package dev.trtcompat.accuracy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.trtcompat.reference.HostTensor;
import org.junit.jupiter.api.Test;

/**
 * IoU agreement of corner boxes {@code (x1, y1, x2, y2)} on hand-computed cases. Mutations tried, each failing a
 * test here: IoU without ordering the corners (min/max), the zero-area branch answering 0 for identical points,
 * "at least half" as {@code > 0.5}, matching each reference box with the other's first box instead of its best.
 */
class BoxAgreementTest {

  static HostTensor boxes(float... corners) {
    return HostTensor.ofFloats("boxes", new long[] {corners.length / 4, 4}, corners);
  }

  static double iou(HostTensor a, HostTensor b) {
    return BoxAgreement.iou(a, 0, b, 0);
  }

  @Test
  void boxesAreFloatTensorsWhoseLastDimensionIsFour() {
    assertThat(BoxAgreement.looksLikeBoxes(boxes(0, 0, 1, 1, 2, 2, 3, 3))).isTrue(); // [2, 4]
    assertThat(BoxAgreement.looksLikeBoxes(HostTensor.ofFloats("b", new long[] {1, 3, 4}, new float[12]))).isTrue();
    assertThat(BoxAgreement.looksLikeBoxes(HostTensor.ofFloats("b", new long[] {0, 4}))).isTrue(); // no detections
    assertThat(BoxAgreement.looksLikeBoxes(HostTensor.ofFloats("b", new long[] {2, 5}, new float[10]))).isFalse();
    assertThat(BoxAgreement.looksLikeBoxes(HostTensor.ofLongs("b", new long[] {1, 4}, 0, 0, 1, 1))).isFalse();
  }

  @Test
  void iouOfIdenticalDisjointTouchingNestedAndOverlappingBoxes() {
    HostTensor a = boxes(0, 0, 2, 2);
    assertThat(iou(a, boxes(0, 0, 2, 2))).isEqualTo(1.0);
    assertThat(iou(a, boxes(5, 5, 7, 7))).isEqualTo(0.0); // disjoint
    assertThat(iou(a, boxes(2, 0, 4, 2))).isEqualTo(0.0); // sharing an edge: no area in common
    assertThat(iou(boxes(0, 0, 4, 4), boxes(1, 1, 3, 3))).isEqualTo(0.25); // nested: 4 / 16
    assertThat(iou(boxes(1, 1, 3, 3), boxes(0, 0, 4, 4))).isEqualTo(0.25); // symmetric
    assertThat(iou(a, boxes(1, 1, 3, 3))).isCloseTo(1.0 / 7, within(1e-12)); // 1 / (4 + 4 - 1)
  }

  @Test
  void cornersMayComeInEitherOrder() {
    // (x2, y2, x1, y1) and mixed orders are the same box as (x1, y1, x2, y2).
    assertThat(iou(boxes(2, 2, 0, 0), boxes(0, 0, 2, 2))).isEqualTo(1.0);
    assertThat(iou(boxes(0, 2, 2, 0), boxes(1, 1, 3, 3))).isCloseTo(1.0 / 7, within(1e-12));
  }

  @Test
  void zeroAreaBoxesMatchOnlyThemselves() {
    assertThat(iou(boxes(1, 1, 1, 1), boxes(1, 1, 1, 1))).isEqualTo(1.0); // the same point
    assertThat(iou(boxes(1, 1, 1, 1), boxes(2, 2, 2, 2))).isEqualTo(0.0);
    assertThat(iou(boxes(0, 1, 3, 1), boxes(0, 1, 3, 1))).isEqualTo(1.0); // the same line
    assertThat(iou(boxes(1, 1, 1, 1), boxes(0, 0, 2, 2))).isEqualTo(0.0); // a point inside a box: no area
  }

  @Test
  void eachReferenceBoxIsMatchedWithTheOtherModelsBestOverlapInAnyOrder() {
    HostTensor reference = boxes(0, 0, 2, 2, 10, 10, 12, 12);
    // In another order, with one extra box: (10,10,12,13) overlaps the second by 4/6, (0,0,2,4) the first by
    // exactly 4/8, which counts as "at least half".
    HostTensor other = boxes(10, 10, 12, 13, 50, 50, 51, 51, 0, 0, 2, 4);
    BoxAgreement.Counts c = BoxAgreement.count(reference, other);
    assertThat(c.boxes()).isEqualTo(2);
    assertThat(c.iouSum()).isCloseTo(0.5 + 4.0 / 6, within(1e-12));
    assertThat(c.atLeastHalf()).isEqualTo(2);
    assertThat(c.meanIou()).isCloseTo((0.5 + 4.0 / 6) / 2, within(1e-12));
  }

  @Test
  void emptyOutputs() {
    HostTensor none = HostTensor.ofFloats("boxes", new long[] {0, 4});
    // The other model found nothing: every reference box scores 0.
    assertThat(BoxAgreement.count(boxes(0, 0, 2, 2, 3, 3, 4, 4), none)).isEqualTo(new BoxAgreement.Counts(2, 0, 0));
    assertThat(BoxAgreement.count(boxes(0, 0, 2, 2, 3, 3, 4, 4), none).meanIou()).isZero();
    // No reference box: nothing compared, the mean is undefined rather than perfect.
    BoxAgreement.Counts nothing = BoxAgreement.count(none, boxes(0, 0, 2, 2));
    assertThat(nothing).isEqualTo(new BoxAgreement.Counts(0, 0, 0));
    assertThat(nothing.meanIou()).isNaN();
  }

  @Test
  void countsAddUp() {
    BoxAgreement.Counts sum = new BoxAgreement.Counts(2, 1.5, 1).plus(new BoxAgreement.Counts(1, 0.25, 0));
    assertThat(sum).isEqualTo(new BoxAgreement.Counts(3, 1.75, 1));
    assertThat(sum.meanIou()).isCloseTo(1.75 / 3, within(1e-12));
  }
}
