package dev.trtcompat.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {

  @ParameterizedTest
  @CsvSource({
      "nvcr.io/nvidia/tensorrt:24.05-py3, nvcr.io, nvidia/tensorrt, 24.05-py3, ''",
      "trt-compat-test-double/tensorrt:latest, '', trt-compat-test-double/tensorrt, latest, ''",
      "localhost:5000/nvidia/tensorrt:23.04-py3, localhost:5000, nvidia/tensorrt, 23.04-py3, ''",
      "busybox:1.36, '', busybox, 1.36, ''",
      "nvcr.io/nvidia/tensorrt@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef, nvcr.io, nvidia/tensorrt, '', sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
  })
  void parsesAndPrintsBack(String text, String registry, String repository, String tag, String digest) {
    ImageReference ref = ImageReference.parse(text);
    assertThat(ref).isEqualTo(new ImageReference(registry, repository, tag, digest));
    assertThat(ref.toString()).isEqualTo(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "nvidia/tensorrt", "NVIDIA/TensorRT:1", "nvcr.io/nvidia/tensorrt:bad tag", "repo:tag@sha256:xyz"})
  void rejectsMalformedOrUnpinnedReferences(String text) {
    assertThatThrownBy(() -> ImageReference.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void movesToAPrivateMirrorKeepingTheTag() {
    ImageReference ngc = ImageReference.parse("nvcr.io/nvidia/tensorrt:23.04-py3");
    assertThat(ngc.withPrefix("mirror.internal:5000/ngc/").toString()).isEqualTo("mirror.internal:5000/ngc/tensorrt:23.04-py3");
    assertThat(ngc.withPrefix("trt-compat-test-double").toString()).isEqualTo("trt-compat-test-double/tensorrt:23.04-py3");
    assertThat(ngc.registryOrDefault()).isEqualTo("nvcr.io");
    assertThat(ImageReference.parse("busybox:1").registryOrDefault()).isEqualTo("docker.io");
  }
}
