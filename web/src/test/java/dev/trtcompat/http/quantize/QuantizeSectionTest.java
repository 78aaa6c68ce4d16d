package dev.trtcompat.http.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.html.Html;
import dev.trtcompat.quantize.SensitivityAnalysis;
import dev.trtcompat.quantize.SensitivityResult;
import java.util.List;
import java.util.stream.IntStream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

/** The page's sensitivity ranking: what it shows, and where the rest of a long ranking is. */
class QuantizeSectionTest {

  @Test
  void aLongRankingPointsToTheSourceModelsListing() {
    List<SensitivityResult.LayerSensitivity> ranking = IntStream.range(0, QuantizeSection.LAYERS_SHOWN + 3)
        .mapToObj(i -> new SensitivityResult.LayerSensitivity("conv" + i, i, "Conv", 0.1 / (i + 1), null))
        .toList();
    SensitivityResult s = new SensitivityResult("1 - cosine similarity", SensitivityAnalysis.Mode.ONE_AT_A_TIME,
        0.01, 60, 0.2, ranking.size(), ranking.size(), true, null, List.of(), ranking, List.of(), List.of("conv0"),
        0.005, true, true, null, 1.5);
    String source = "ab".repeat(32);
    Html h = new Html();
    QuantizeSection.sensitivity(h, s, source);
    Element page = Jsoup.parseBodyFragment(h.toString());
    assertThat(page.select("tr[data-node]")).hasSize(QuantizeSection.LAYERS_SHOWN);
    assertThat(page.selectFirst("p.hint").text())
        .isEqualTo("3 more layer(s) in the JSON (/api/v1/models/" + source + "/quantizations).");
  }
}
