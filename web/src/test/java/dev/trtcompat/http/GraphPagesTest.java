package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.ModelBuilder;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.testing.TestModels;
import dev.trtcompat.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model page's graph listing a page at a time ({@code ?graph-page=}, {@code ?graph-q=}, {@code ?graph-op=}),
 * finding links that name the node's page, and {@code GET /api/v1/models/{id}/nodes} with offset, limit and total.
 * The model: 250 nodes, 100 a page, so 3 pages; node 150 (page 2) is a NonZero with a hostile name, which TensorRT
 * 8.4 does not import, so 8.4's findings link to it.
 */
class GraphPagesTest {

  static final String IMG = "<img src=x onerror=alert(1)>";
  static final int NODES = 250;
  static final int HOSTILE = 150;

  @TempDir Path data;
  TestServer server;
  String id;

  @BeforeEach
  void start() throws Exception {
    server = new TestServer(data, 64L << 20);
    GraphProto.Builder g = GraphProto.newBuilder().setName("chain")
        .addInput(ModelBuilder.value("x", ElementType.FLOAT, 2, 2))
        .addOutput(ModelBuilder.value("nz", ElementType.INT64, 2, -1))
        .addOutput(ModelBuilder.value("y", ElementType.FLOAT, 2, 2));
    String previous = "x";
    for (int i = 0; i < NODES; i++) {
      if (i == HOSTILE) {
        g.addNode(NodeProto.newBuilder().setOpType("NonZero").setName(IMG).addInput(previous).addOutput("nz"));
        previous = "x";
        continue;
      }
      String out = i == NODES - 1 ? "y" : "r" + i;
      g.addNode(NodeProto.newBuilder().setOpType("Relu").setName("relu_" + i).addInput(previous).addOutput(out));
      previous = out;
    }
    id = TestServer.json(server.uploadModel("chain.onnx", TestModels.model(g).build().toByteArray()))
        .get("id").asText();
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
  }

  private Document page(String query) throws Exception {
    HttpResponse<String> r = server.get("/models/" + id + query);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Jsoup.parse(r.body());
  }

  @Test
  void theFirstPageListsTheFirstHundredNodesAndLinksForward() throws Exception {
    Document p = page("");
    Element graph = p.selectFirst("section#graph");
    assertThat(graph.select("table.graph tbody tr")).hasSize(100);
    assertThat(graph.select("tr#node-0")).hasSize(1);
    assertThat(graph.select("tr#node-99")).hasSize(1);
    assertThat(graph.select("tr#node-100")).isEmpty();
    assertThat(graph.selectFirst("details#graph-nodes > summary").text())
        .isEqualTo("250 nodes of the main graph, in order; page 1 of 3");
    // Closed on the first view; no way back from page 1, a way forward and to the end.
    assertThat(graph.selectFirst("details#graph-nodes").hasAttr("open")).isFalse();
    assertThat(graph.select("a.pager-previous, a.pager-first")).isEmpty();
    assertThat(graph.selectFirst("a.pager-next").attr("href")).isEqualTo("?graph-page=2#graph");
    assertThat(graph.selectFirst("a.pager-last").attr("href")).isEqualTo("?graph-page=3#graph");
  }

  @Test
  void theLastPageHoldsTheRestAndPastTheEndSaysSo() throws Exception {
    Element last = page("?graph-page=3").selectFirst("section#graph");
    assertThat(last.select("table.graph tbody tr")).hasSize(50);
    assertThat(last.select("tr#node-200")).hasSize(1);
    assertThat(last.select("tr#node-249")).hasSize(1);
    assertThat(last.selectFirst("details#graph-nodes").hasAttr("open")).isTrue();
    assertThat(last.select("a.pager-next, a.pager-last")).isEmpty();
    assertThat(last.selectFirst("a.pager-previous").attr("href")).isEqualTo("?graph-page=2#graph");

    Element past = page("?graph-page=4").selectFirst("section#graph");
    assertThat(past.select("table.graph")).isEmpty();
    assertThat(past.selectFirst("#graph-empty").text()).isEqualTo("Page 4 is past the end: there are 3 pages.");
    assertThat(past.selectFirst("a.pager-last").attr("href")).isEqualTo("?graph-page=3#graph");

    for (String bad : new String[] {"0", "-1", "two", "99999999999"}) {
      HttpResponse<String> r = server.get("/models/" + id + "?graph-page=" + bad);
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      assertThat(r.body()).as(bad).contains("graph-page must be a whole number from 1");
    }
  }

  @Test
  void aFindingLinkLandsOnItsNodesPageWhereAHostileNameStaysText() throws Exception {
    Document first = page("");
    Element link = first.selectFirst("details#findings-8-4 a.finding-node[href$=#node-" + HOSTILE + "]");
    assertThat(link.attr("href")).isEqualTo("?graph-page=2#node-" + HOSTILE);
    assertThat(link.text()).isEqualTo("#" + HOSTILE + " " + IMG);

    // Follow it as a browser would: the query replaces the page's, the fragment names the row.
    URI target = URI.create("http://127.0.0.1/models/" + id).resolve(link.attr("href"));
    Document second = page("?" + target.getRawQuery());
    Element row = second.selectFirst("section#graph tr#node-" + target.getFragment().substring("node-".length()));
    assertThat(row).isNotNull();
    assertThat(row.select("td").get(1).text()).isEqualTo("NonZero");
    assertThat(row.select("td").get(2).text()).isEqualTo(IMG);
    assertThat(second.select("img")).isEmpty();
    assertThat(second.select("script").stream().map(s -> s.attr("src")))
        .allSatisfy(src -> assertThat(src).startsWith(Assets.PATH));

    // Page 2 again comes from the render cache, the same escaped bytes; a hostile search is kept as text too.
    HttpResponse<String> cached = server.get("/models/" + id + "?" + target.getRawQuery());
    assertThat(cached.headers().firstValue(RenderCache.HEADER)).hasValue("hit");
    assertThat(Jsoup.parse(cached.body()).select("section#graph tr#node-" + HOSTILE + " td").get(2).text()).isEqualTo(IMG);
    String hostileSearch = "?graph-q=" + URLEncoder.encode(IMG, StandardCharsets.UTF_8);
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> r = server.get("/models/" + id + hostileSearch);
      assertThat(r.headers().firstValue(RenderCache.HEADER)).hasValue(i == 0 ? "miss" : "hit");
      Document d = Jsoup.parse(r.body());
      assertThat(d.select("img")).isEmpty();
      assertThat(d.selectFirst("form.graph-search input[name=graph-q]").attr("value")).isEqualTo(IMG);
      assertThat(d.select("section#graph tbody tr")).hasSize(1);
    }
  }

  @Test
  void theListingSearchesByNameAndFiltersByOp() throws Exception {
    Element byName = page("?graph-q=" + URLEncoder.encode("RELU_24", StandardCharsets.UTF_8))
        .selectFirst("section#graph");
    // relu_24 and relu_240 ... relu_249
    assertThat(byName.select("table.graph tbody tr td:eq(2)").eachText())
        .containsExactly("relu_24", "relu_240", "relu_241", "relu_242", "relu_243", "relu_244", "relu_245",
            "relu_246", "relu_247", "relu_248", "relu_249");
    assertThat(byName.selectFirst("details#graph-nodes > summary").text()).startsWith("11 of 250 nodes match");

    Element byOp = page("?graph-op=NonZero").selectFirst("section#graph");
    assertThat(byOp.select("table.graph tbody tr")).hasSize(1);
    assertThat(byOp.select("tr#node-" + HOSTILE)).hasSize(1);
    assertThat(byOp.selectFirst("select[name=graph-op] option[selected]").attr("value")).isEqualTo("NonZero");

    Element relus = page("?graph-op=Relu&graph-page=3").selectFirst("section#graph");
    assertThat(relus.select("table.graph tbody tr")).hasSize(49);
    assertThat(relus.selectFirst("a.pager-first").attr("href")).isEqualTo("?graph-page=1&graph-op=Relu#graph");

    Element none = page("?graph-q=nothing-like-this").selectFirst("section#graph");
    assertThat(none.selectFirst("#graph-empty").text()).isEqualTo("No node matches.");
  }

  @Test
  void findingsTablesShowFiftyAPageAndFilterBySearchAndKind() throws Exception {
    // 120 NonZero nodes: TensorRT 8.4 has no importer for NonZero, so 8.4 has at least 120 findings.
    GraphProto.Builder g = GraphProto.newBuilder().setName("many")
        .addInput(ModelBuilder.value("x", ElementType.FLOAT, 2, 2));
    for (int i = 0; i < 120; i++) {
      g.addNode(NodeProto.newBuilder().setOpType("NonZero").setName("nz_" + i).addInput("x").addOutput("o" + i));
      g.addOutput(ModelBuilder.value("o" + i, ElementType.INT64, 2, -1));
    }
    String many = TestServer.json(server.uploadModel("many.onnx", TestModels.model(g).build().toByteArray()))
        .get("id").asText();
    int total = release84(many).get("findings").size();
    assertThat(total).isGreaterThanOrEqualTo(120);
    int pages = (total + 49) / 50;

    Document first = Jsoup.parse(server.get("/models/" + many).body());
    Element t84 = first.selectFirst("details#findings-8-4");
    assertThat(t84.hasAttr("open")).isFalse();
    assertThat(t84.select("tbody tr")).hasSize(50);
    assertThat(t84.selectFirst("summary").text()).isEqualTo("TensorRT 8.4: " + total + " finding(s), page 1 of " + pages);
    assertThat(t84.select("a.pager-previous")).isEmpty();
    assertThat(t84.selectFirst("a.pager-next").attr("href")).isEqualTo("?findings-page=2#findings-8-4");
    assertThat(first.select("form.findings-search select[name=findings-kind] option").eachAttr("value"))
        .contains("", "op.unsupported");

    Document last = Jsoup.parse(server.get("/models/" + many + "?findings-page=" + pages).body());
    Element last84 = last.selectFirst("details#findings-8-4");
    assertThat(last84.hasAttr("open")).isTrue();
    assertThat(last84.select("tbody tr")).hasSize(total - 50 * (pages - 1));
    assertThat(last84.select("a.pager-next")).isEmpty();

    Document past = Jsoup.parse(server.get("/models/" + many + "?findings-page=" + (pages + 1)).body());
    assertThat(past.selectFirst("details#findings-8-4 .findings-empty").text())
        .isEqualTo("Page " + (pages + 1) + " is past the end: there are " + pages + " pages.");

    Document search = Jsoup.parse(server.get("/models/" + many + "?findings-q=NZ_11&findings-kind=op.unsupported").body());
    Element s84 = search.selectFirst("details#findings-8-4");
    // nz_11 and nz_110 ... nz_119
    assertThat(s84.select("tbody tr td:eq(2)").eachText()).hasSize(11).allSatisfy(n -> assertThat(n).contains("nz_11"));
    assertThat(s84.select("tbody tr td:eq(3)").eachText()).containsOnly("op.unsupported");
    assertThat(s84.selectFirst("summary").text()).isEqualTo("TensorRT 8.4: 11 of " + total + " finding(s) match");
    // Releases that import NonZero have no op.unsupported finding: their tables are left out.
    assertThat(search.select("details#findings-10-0")).isEmpty();

    HttpResponse<String> bad = server.get("/models/" + many + "?findings-page=x");
    assertThat(bad.statusCode()).isEqualTo(400);
  }

  private JsonNode release84(String model) throws Exception {
    for (JsonNode r : TestServer.json(server.get("/api/v1/models/" + model + "/compatibility")).get("results")) {
      if (r.get("tensorrt").asText().equals("8.4")) {
        return r;
      }
    }
    throw new AssertionError("no 8.4 in the report");
  }

  @Test
  void theNodesRouteReturnsEverythingByDefaultAndSlicesWithATotal() throws Exception {
    String api = "/api/v1/models/" + id + "/nodes";
    JsonNode all = TestServer.json(server.get(api));
    assertThat(all.get("total").asInt()).isEqualTo(NODES);
    assertThat(all.get("nodes")).hasSize(NODES);
    assertThat(all.get("nodes").get(HOSTILE).get("name").asText()).isEqualTo(IMG);
    assertThat(all.get("nodes").get(HOSTILE).get("index").asInt()).isEqualTo(HOSTILE);

    JsonNode slice = TestServer.json(server.get(api + "?offset=240&limit=100"));
    assertThat(slice.get("total").asInt()).isEqualTo(NODES);
    assertThat(slice.get("offset").asInt()).isEqualTo(240);
    assertThat(slice.get("limit").asInt()).isEqualTo(100);
    assertThat(slice.get("nodes")).hasSize(10);
    assertThat(slice.get("nodes").get(0).get("index").asInt()).isEqualTo(240);

    assertThat(TestServer.json(server.get(api + "?offset=250")).get("nodes")).isEmpty();
    JsonNode filtered = TestServer.json(server.get(api + "?op=NonZero"));
    assertThat(filtered.get("total").asInt()).isEqualTo(1);
    assertThat(filtered.get("nodes").get(0).get("op").asText()).isEqualTo("NonZero");

    HttpResponse<String> bad = server.get(api + "?limit=-5");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(bad).get("error").asText()).isEqualTo("bad_limit");
  }
}
