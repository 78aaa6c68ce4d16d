package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.ModelBuilder;
import dev.trtcompat.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model page of a large model right after its upload: it answers without waiting for the analysis, with the
 * sections that show it as placeholders and no verdict, never kept by the render cache; once the analysis is done
 * the complete page is rendered once and then answered from the cache, as are its paged views.
 */
class AnalysingPageTest {

  /**
   * Large enough that its analysis cannot be done within the page's wait. The analysis starts at the upload, so it
   * runs during the upload's answer, the page request and the 100 ms wait: 100,000 nodes stopped being enough once
   * the checker got faster (the first view came back complete on a fresh clone); 300,000 take about a second.
   */
  static final int NODES = 300_000;

  @TempDir Path data;
  TestServer server;

  @BeforeEach
  void start() throws Exception {
    server = new TestServer(data, 64L << 20);
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  /** A chain of {@code n} Relu nodes. */
  static byte[] chain(int n) {
    ModelBuilder m = ModelBuilder.model().opset("", 17);
    ModelBuilder.Graph g = m.graph().input("t0", ElementType.FLOAT, "batch", 8);
    for (int i = 0; i < n; i++) {
      g.node("Relu", List.of("t" + i), List.of("t" + (i + 1)));
    }
    g.output("t" + n, ElementType.FLOAT, "batch", 8);
    return m.build().toByteArray();
  }

  private static String cache(HttpResponse<String> r) {
    return r.headers().firstValue(RenderCache.HEADER).orElse("");
  }

  @Test
  void theFirstViewShowsPlaceholdersUntilTheAnalysisIsDoneThenTheCompletePageIsKept() throws Exception {
    String id = TestServer.json(server.uploadModel("chain.onnx", chain(NODES))).get("id").asText();

    HttpResponse<String> first = server.get("/models/" + id);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("Cache-Control")).contains("no-store");
    assertThat(cache(first)).isEqualTo("miss");
    Document p = Jsoup.parse(first.body());
    assertThat(p.select("section[data-analysing]").eachAttr("id"))
        .containsExactly(VerdictSection.ID, CompatibilitySections.COMPATIBILITY, CompatibilitySections.GRAPH);
    // Honest: no verdict, no matrix, no graph listing before the check is done; what the upload knew is there.
    assertThat(p.select("#verdict-accepts, table#matrix, table.graph")).isEmpty();
    assertThat(p.select("section#verdict p.analysing").text()).contains(NODES + " nodes");
    assertThat(p.select("section#overview").text()).contains(NODES + " in the main graph");
    assertThat(first.body()).contains("<noscript><meta http-equiv=\"refresh\" content=\""
        + Pages.ANALYSING_REFRESH_SECONDS + "\"></noscript>");

    HttpResponse<String> second = server.get("/models/" + id);
    if (second.body().contains("data-analysing")) {
      assertThat(cache(second)).as("a placeholder page is never answered from the cache").isEqualTo("miss");
    }

    HttpResponse<String> complete = second;
    long deadline = System.nanoTime() + 180_000_000_000L;
    while (complete.body().contains("data-analysing")) {
      assertThat(System.nanoTime()).as("the analysis of %d nodes is done within 3 minutes", NODES).isLessThan(deadline);
      Thread.sleep(200);
      complete = server.get("/models/" + id);
      if (complete.body().contains("data-analysing")) {
        assertThat(cache(complete)).isEqualTo("miss");
      }
    }
    assertThat(cache(complete)).isEqualTo("miss");
    assertThat(complete.headers().firstValue("Cache-Control")).isEmpty();
    Document done = Jsoup.parse(complete.body());
    assertThat(done.select("#verdict-accepts")).hasSize(1);
    assertThat(done.select("table#matrix")).hasSize(1);
    assertThat(done.select("noscript")).isEmpty();

    HttpResponse<String> cached = server.get("/models/" + id);
    assertThat(cache(cached)).isEqualTo("hit");
    assertThat(cached.body()).isEqualTo(complete.body());

    // The last page of the listing and one past it, each kept under its own query.
    int last = NODES / 100;
    HttpResponse<String> lastPage = server.get("/models/" + id + "?graph-page=" + last);
    assertThat(cache(lastPage)).isEqualTo("miss");
    assertThat(Jsoup.parse(lastPage.body()).select("table.graph tbody tr")).hasSize(100);
    assertThat(Jsoup.parse(lastPage.body()).select("tr#node-" + (NODES - 1))).hasSize(1);
    HttpResponse<String> lastAgain = server.get("/models/" + id + "?graph-page=" + last);
    assertThat(cache(lastAgain)).isEqualTo("hit");
    assertThat(lastAgain.body()).isEqualTo(lastPage.body());
    HttpResponse<String> past = server.get("/models/" + id + "?graph-page=" + (last + 1));
    assertThat(Jsoup.parse(past.body()).select("#graph-empty").text())
        .isEqualTo("Page " + (last + 1) + " is past the end: there are " + last + " pages.");
    assertThat(cache(server.get("/models/" + id))).as("the plain page is still kept").isEqualTo("hit");
  }
}
