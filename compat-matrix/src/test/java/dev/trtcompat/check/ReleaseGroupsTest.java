package dev.trtcompat.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.rules.KnowledgeBase;
import dev.trtcompat.rules.ReleaseRules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The checker evaluates a node once per group of releases that judge it alike ({@link ReleaseGroups}); a check of
 * one release has no group to share. Both must give the same results, finding for finding and in the same order.
 */
class ReleaseGroupsTest {

  static final CompatibilityChecker CHECKER = CompatibilityChecker.bundled();
  static final Path NODE_TESTS = BackendTestValidationTest.NODE_TESTS;

  @Test
  void everyReleaseCheckedWithTheOthersEqualsItCheckedAlone() throws IOException {
    List<Path> models = new ArrayList<>();
    try (Stream<Path> s = Files.list(Path.of("src/test/resources/pytorch-exports"))) {
      s.filter(p -> p.toString().endsWith(".onnx")).sorted().forEach(models::add);
    }
    try (Stream<Path> s = Files.list(Path.of("src/test/resources/libonnx-testdata"))) {
      s.filter(p -> p.toString().endsWith(".onnx")).sorted().forEach(models::add);
    }
    // The ONNX node tests (installed by scripts/test-all.sh) add about a thousand single-operator models.
    if (Files.isDirectory(NODE_TESTS)) {
      try (Stream<Path> s = Files.list(NODE_TESTS)) {
        s.map(d -> d.resolve("model.onnx")).filter(Files::isRegularFile).sorted().forEach(models::add);
      }
    }
    List<String> releases = CHECKER.knowledgeBase().releases().stream().map(ReleaseRules::release).toList();
    int compared = 0;
    for (Path file : models) {
      OnnxModel model;
      try {
        model = OnnxModelReader.read(file);
      } catch (RuntimeException unreadable) {
        continue; // a model the reader refuses is not checked at all
      }
      CompatibilityReport all = CHECKER.check(model);
      assertThat(all.results()).hasSize(releases.size());
      for (int i = 0; i < releases.size(); i++) {
        ReleaseResult alone = CHECKER.check(model, List.of(releases.get(i))).results().get(0);
        assertThat(all.results().get(i)).as(file + " TensorRT " + releases.get(i)).isEqualTo(alone);
        compared++;
      }
    }
    assertThat(compared).isGreaterThanOrEqualTo(10 * releases.size());
  }

  @Test
  void releasesWithTheSameRulesForAnOperatorShareAGroup() {
    KnowledgeBase kb = CHECKER.knowledgeBase();
    List<ReleaseRules> releases = kb.releases();
    int[][] relu = new ReleaseGroups(kb, releases).of("Relu", 17);
    // Relu's facts change in a few releases, not in each of them.
    assertThat(relu.length).isGreaterThan(1).isLessThan(releases.size() / 2);
    // Every release is in exactly one group, the groups in release order of their first member.
    assertThat(Arrays.stream(relu).flatMapToInt(Arrays::stream).sorted().toArray())
        .containsExactly(java.util.stream.IntStream.range(0, releases.size()).toArray());
    // Releases that document opset 17 and those that do not never share a group (the schema-newer warning).
    for (int[] g : relu) {
      assertThat(Arrays.stream(g).mapToObj(releases::get).map(r -> r.parser().opsetMax() >= 14).distinct())
          .hasSize(1);
    }
  }
}
