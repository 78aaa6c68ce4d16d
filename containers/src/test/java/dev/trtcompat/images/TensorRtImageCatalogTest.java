package dev.trtcompat.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trtcompat.rules.KnowledgeBase;
import dev.trtcompat.rules.ReleaseRules;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TensorRtImageCatalogTest {

  private final TensorRtImageCatalog catalog = TensorRtImageCatalog.builtIn();

  static Stream<TensorRtImage> rows() {
    return TensorRtImageCatalog.builtIn().images().stream();
  }

  @ParameterizedTest
  @MethodSource("rows")
  void everyRowIsWellFormedAndSourced(TensorRtImage row) {
    assertThat(row.tag()).matches("\\d{2}\\.(0[1-9]|1[0-2])-py3");
    assertThat(row.release()).matches("\\d+\\.\\d+");
    assertThat(row.tensorRtVersion()).startsWith(row.release());
    assertThat(row.cudaVersion()).matches("(\\d+\\.\\d+(\\.\\d+)?)?");
    assertThat(row.minDriver()).matches("(\\d+(\\.\\d+)*)?");
    assertThat(row.sources()).isNotEmpty().allSatisfy(url -> assertThat(url).startsWith("https://"));
    assertThat(row.reference().toString()).isEqualTo("nvcr.io/nvidia/tensorrt:" + row.tag());
  }

  @Test
  void tagsAreUniqueAndInReleaseOrder() {
    List<String> tags = catalog.images().stream().map(TensorRtImage::tag).toList();
    assertThat(tags).doesNotHaveDuplicates().isSorted();
    List<String> releases = catalog.images().stream().map(TensorRtImage::release).toList();
    assertThat(releases).isSortedAccordingTo(TensorRtImageCatalog.RELEASE_ORDER);
  }

  @Test
  void coversTensorRt7To10() {
    assertThat(catalog.releases()).contains("7.0", "7.1", "7.2", "8.0", "8.2", "8.4", "8.5", "8.6", "10.0", "10.8", "10.15")
        .doesNotContain("9.0");
    assertThat(catalog.newestFor("10.15")).get().extracting(TensorRtImage::tag).isEqualTo("26.02-py3");
    assertThat(catalog.byTag("23.06-py3")).get().extracting(TensorRtImage::minDriver).isEqualTo("530");
  }

  @Test
  void everyKnowledgeBaseReleaseHasATagOrAnExplicitGap() {
    for (ReleaseRules r : KnowledgeBase.bundled().releases()) {
      boolean tagged = catalog.newestFor(r.release()).isPresent();
      boolean gap = catalog.gapFor(r.release()).isPresent();
      assertThat(tagged ^ gap).as("TensorRT %s: exactly one of a tag row or a gap row", r.release()).isTrue();
    }
    assertThat(catalog.gapFor("9.0")).get().satisfies(g -> assertThat(g.note()).contains("TensorRT-LLM only"));
    assertThat(catalog.gapFor("11.3")).get().satisfies(g -> {
      assertThat(g.note()).startsWith("no tag known");
      assertThat(g.sources()).allSatisfy(u -> assertThat(u).startsWith("https://"));
    });
  }

  @Test
  void findsTheNewestContainerOfAReleaseOrVersion() {
    assertThat(catalog.newestFor("8.0")).get().extracting(TensorRtImage::tag).isEqualTo("21.11-py3");
    assertThat(catalog.newestFor("7.1.2")).get().extracting(TensorRtImage::tag).isEqualTo("20.06-py3");
    assertThat(catalog.newestFor("7.2.3")).get().extracting(TensorRtImage::tensorRtVersion).isEqualTo("7.2.3.4");
    assertThat(catalog.newestFor("9.0")).isEmpty();
    assertThat(catalog.byTag("23.04-py3")).get().extracting(TensorRtImage::release).isEqualTo("8.6");
  }

  @Test
  void servesImagesFromAConfiguredRegistryPrefix() {
    TensorRtImage row = catalog.byTag("21.07-py3").orElseThrow();
    assertThat(catalog.referenceOf(row).toString()).isEqualTo("nvcr.io/nvidia/tensorrt:21.07-py3");
    TensorRtImageCatalog mirrored = catalog.withRegistryPrefix("registry.lab:5000/nvidia/");
    assertThat(mirrored.referenceOf(row).toString()).isEqualTo("registry.lab:5000/nvidia/tensorrt:21.07-py3");
    assertThat(mirrored.referenceOf(row).registryOrDefault()).isEqualTo("registry.lab:5000");
    assertThatThrownBy(() -> catalog.withRegistryPrefix("Bad Prefix")).isInstanceOf(IllegalArgumentException.class);
  }
}
