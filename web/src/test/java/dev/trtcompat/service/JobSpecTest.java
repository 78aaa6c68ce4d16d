package dev.trtcompat.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.json.Json;
import dev.trtcompat.precision.Precision;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The job request as the API and the forms give it, and as it is stored with the job. */
class JobSpecTest {

  @Test
  void formFieldsBecomeTheStoredRequest() {
    JobSpec spec = JobSpec.fromForm(List.of("8.6.1", "10.0", "8.6"), List.of("fp16", "INT8"), false,
        "images:1x3x64x64/1x3x224x224/8x3x512x512, mask:1x1", "600");
    assertThat(spec.versions()).containsExactly("8.6", "10.0");
    assertThat(spec.precisions()).containsExactly(Precision.FP16, Precision.INT8);
    assertThat(spec.shapes()).containsExactlyInAnyOrderEntriesOf(
        Map.of("images", "1x3x64x64/1x3x224x224/8x3x512x512", "mask", "1x1"));
    assertThat(spec.timeoutSeconds()).isEqualTo(600);
    assertThat(spec.reference()).isFalse();
    assertThat(JobSpec.read(spec.toJson())).isEqualTo(spec);
  }

  @Test
  void aReferenceRunIsAJobWithOnlyTheReferenceCellAndItsRunCounts() {
    JobSpec spec = JobSpec.referenceOnly(Map.of("x", new long[] {1, 3, 224, 224}), 20, 3);

    assertThat(spec.versions()).isEmpty();
    assertThat(spec.reference()).isTrue();
    assertThat(spec.shapes()).containsExactly(Map.entry("x", "1x3x224x224"));
    assertThat(JobSpec.read(spec.toJson())).isEqualTo(spec);
    assertThat(ReferenceCellExecutor.optShapes(spec).get("x")).containsExactly(1, 3, 224, 224);
    // Jobs without reference options keep the stored request they had (the fields are left out).
    assertThat(JobSpec.fromForm(List.of("8.6"), List.of(), true).toJson()).doesNotContain("referenceRuns");
    assertThatThrownBy(() -> JobSpec.referenceOnly(Map.of(), 0, null))
        .isInstanceOfSatisfying(UserFacingException.class,
            e -> assertThat(e.error()).isEqualTo("invalid_reference_request"));
    assertThatThrownBy(() -> JobSpec.referenceOnly(Map.of(), null, -1))
        .isInstanceOf(UserFacingException.class).hasMessageContaining("warmup");
  }

  @Test
  void defaultsAndRefusals() throws Exception {
    JobSpec plain = fromJson("{\"versions\": [\"10.0\"]}");
    assertThat(plain.precisions()).containsExactly(Precision.FP32);
    assertThat(plain.timeoutSeconds()).isEqualTo(JobSpec.DEFAULT_TIMEOUT_SECONDS);
    assertThat(plain.reference()).isTrue();
    assertThat(plain.accuracy()).isTrue();

    assertThatThrownBy(() -> JobSpec.fromForm(List.of("8.6"), List.of(), true, "images=1x3", null))
        .isInstanceOf(UserFacingException.class);
    assertThatThrownBy(() -> JobSpec.fromForm(List.of("8.6"), List.of(), true, null, "soon"))
        .isInstanceOf(UserFacingException.class).hasMessageContaining("seconds");
    assertThatThrownBy(() -> fromJson("{\"versions\": [\"8.6\"], \"timeoutSeconds\": 0}"))
        .isInstanceOf(UserFacingException.class);
    // Only the reference is a valid job; nothing at all is not.
    assertThat(fromJson("{\"versions\": []}").versions()).isEmpty();
    assertThatThrownBy(() -> fromJson("{\"versions\": [], \"reference\": false}")).isInstanceOf(UserFacingException.class)
        .hasMessageContaining("at least one");
    assertThatThrownBy(() -> fromJson("{\"versions\": [\"8.6\"], \"precisions\": [\"fp8\"]}"))
        .isInstanceOf(UserFacingException.class).hasMessageContaining("fp8");
  }

  private static JobSpec fromJson(String body) throws Exception {
    return Json.mapper().readValue(body, JobSpec.Request.class).toSpec();
  }
}
