package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.ModelBuilder;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.testing.ConversionTestSupport;
import dev.trtcompat.testing.Multipart;
import dev.trtcompat.testing.TestModels;
import dev.trtcompat.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The upload page, its script, and the model page, including models built to attack the page. */
class PagesTest {

  static final String SCRIPT = "<script>alert(1)</script>";

  @TempDir Path data;
  TestServer server;

  @BeforeEach
  void start() throws IOException {
    server = new TestServer(data, 64L << 20);
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
  }

  @Test
  void theUploadPageHasTheFormTheDropZoneTheProgressBarAndTheScript() throws Exception {
    HttpResponse<String> r = server.get("/");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/html"));
    assertThat(r.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp -> assertThat(csp).contains("script-src 'self'"));
    assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(r.body())
        .contains("<form id=\"upload-form\"")
        .contains("enctype=\"multipart/form-data\"")
        .contains("<input type=\"file\" id=\"model-input\" name=\"model\"")
        .contains("name=\"external\" multiple")
        .contains("id=\"drop-zone\"")
        .contains("<progress id=\"upload-progress\"")
        .contains("data-max-upload=\"67108864\"")
        .contains("Up to 64 MiB")
        .contains("<script src=\"/assets/upload.js\" defer></script>")
        .doesNotContain("http://")
        .doesNotContain("https://");
  }

  @Test
  void theScriptAndStylesheetAreServedFromTheJar() throws Exception {
    HttpResponse<String> js = server.get("/assets/upload.js");
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/javascript"));
    assertThat(js.body()).contains("xhr.upload.onprogress").contains("\"drop\"").contains("textContent").doesNotContain("innerHTML");

    HttpResponse<String> live = server.get("/assets/model.js");
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(live.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/javascript"));
    assertThat(live.body()).contains("new EventSource(").contains("\"cell\"").contains("\"log\"")
        .contains("textContent += data.line + \"\\n\"").doesNotContain("innerHTML").doesNotContain("eval(");

    HttpResponse<String> css = server.get("/assets/style.css");
    assertThat(css.statusCode()).isEqualTo(200);
    assertThat(css.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/css"));

    assertThat(server.get("/assets/..%2Fopenapi.json").statusCode()).isEqualTo(404);
    assertThat(server.get("/assets/nothing.js").statusCode()).isEqualTo(404);
  }

  @Test
  void theModelPageShowsTheSummarySections() throws Exception {
    byte[] model = TestModels.single("Relu").build().toByteArray();
    String id = TestServer.json(server.uploadModel("relu.onnx", model)).get("id").asText();

    HttpResponse<String> r = server.get("/models/" + id);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("<h1>relu.onnx</h1>")
        .contains("<section id=\"overview\">", "<section id=\"inputs-outputs\">", "<section id=\"operators\">",
            "<section id=\"weights\">", "<section id=\"metadata\">")
        .contains("trt-compat-tests 1")
        .contains("ai.onnx 17")
        .contains("<td class=\"mono\">FLOAT</td><td class=\"mono\">[1, 4]</td>")
        .contains("<td class=\"mono\">Relu</td><td class=\"num\">1</td>")
        .contains("<rect width=\"100.00\"")
        .contains(id);
    // The sections appear in order, after the table of contents.
    assertThat(r.body().indexOf("id=\"overview\"")).isLessThan(r.body().indexOf("id=\"operators\""));
  }

  /**
   * Issue 11 defect 4: the answer came after the overview and a full operator histogram. Now the verdict section
   * is first (accepted releases, the first blocker of the others with its fix, what was measured) and the long
   * tables (operators, graph) are folded.
   */
  @Test
  void theVerdictComesFirstAndTheLongTablesAreFolded() throws Exception {
    byte[] model = ConversionTestSupport.nonZeroModel(40, "nz", "y");
    String id = TestServer.json(server.uploadModel("nonzero.onnx", model)).get("id").asText();

    Document page = Jsoup.parse(server.get("/models/" + id).body());

    List<String> sections = page.select("main > section").eachAttr("id");
    assertThat(sections.get(0)).isEqualTo("verdict");
    assertThat(sections.indexOf("verdict")).isLessThan(sections.indexOf("overview"));
    assertThat(sections.indexOf("compatibility")).isLessThan(sections.indexOf("overview"));
    assertThat(page.select("nav.sections a").first().attr("href")).isEqualTo("#verdict");
    Element verdict = page.selectFirst("section#verdict");
    assertThat(verdict.selectFirst("#verdict-accepts").text()).startsWith("Expected to convert with TensorRT")
        .contains("10.0");
    // Releases that rule the model out share a line per first blocker, with the checker's fix.
    assertThat(verdict.select("#verdict-blockers li")).isNotEmpty()
        .allSatisfy(li -> assertThat(li.text()).startsWith("TensorRT ").contains("NonZero"));
    assertThat(verdict.select("#verdict-blockers span.fix")).isNotEmpty();
    assertThat(verdict.selectFirst("#verdict-measured").text()).startsWith("Nothing measured yet");
    // A long table sits in a closed <details> with a one-line summary; a short one stays open.
    assertThat(page.select("section#graph > details:not([open]) > table.graph")).hasSize(1);
    assertThat(page.selectFirst("section#graph > details > summary").text()).contains("nodes of the main graph");
    assertThat(page.select("section#graph tr#node-0")).hasSize(1);
    assertThat(page.select("section#operators details")).isEmpty();
    assertThat(page.select("section#operators > table.ops")).hasSize(1);

    GraphProto.Builder g = GraphProto.newBuilder().setName("many-ops").addInput(ModelBuilder.value("x", ElementType.FLOAT, 1, 4));
    String previous = "x";
    for (String op : List.of("Relu", "Sigmoid", "Tanh", "Abs", "Neg", "Exp", "Log", "Sqrt", "Floor", "Ceil",
        "Reciprocal", "Softsign", "Sin", "Cos", "Erf")) {
      g.addNode(TestModels.node(op, previous, op + "_out"));
      previous = op + "_out";
    }
    g.addOutput(ModelBuilder.value(previous, ElementType.FLOAT, 1, 4));
    String many = TestServer.json(server.uploadModel("many.onnx", TestModels.model(g).build().toByteArray()))
        .get("id").asText();
    Document manyPage = Jsoup.parse(server.get("/models/" + many).body());
    assertThat(manyPage.select("section#operators > details:not([open]) > table.ops")).hasSize(1);
    assertThat(manyPage.selectFirst("section#operators > details > summary").text())
        .startsWith("15 op types over 15 nodes; most used:");
  }

  @Test
  void theMeasureFieldsAreLaidOutOneControlPerLabel() throws Exception {
    Document home = Jsoup.parse(server.get("/").body());
    // Every text-like control has its own label element, so the stylesheet can put each on its own line.
    for (Element input : home.select("fieldset.job-fields input[type=text], fieldset.job-fields input[type=number]")) {
      assertThat(input.parent().tagName()).isEqualTo("label");
      assertThat(input.parent().hasClass("field")).isTrue();
    }
    String css = server.get("/assets/style.css").body();
    assertThat(css).contains("fieldset.job-fields label.field { display: block;");
  }

  @Test
  void modelControlledTextIsEscapedEverywhereOnThePages() throws Exception {
    byte[] model = TestModels.hostile(SCRIPT);
    String id = TestServer.json(server.upload(new Multipart().file("model", "<img src=x onerror=alert(3)>.onnx", model)))
        .get("id").asText();

    String page = server.get("/models/" + id).body();
    String home = server.get("/").body();

    for (String html : new String[] {page, home}) {
      assertThat(html).doesNotContain("<script>alert").doesNotContain("<img src=x").doesNotContain("\"><img");
      assertThat(html.split("<script", -1)).hasSize(2); // only our own script tag (upload.js, model.js)
    }
    assertThat(page)
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        .contains("evil&lt;script&gt;alert(1)&lt;/script&gt;:&lt;script&gt;")
        .contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;")
        .contains("&lt;img src=x onerror=alert(3)&gt;.onnx");
    assertThat(home).contains("&lt;img src=x onerror=alert(3)&gt;.onnx");
  }

  @Test
  void anUnknownModelPageIsA404Page() throws Exception {
    HttpResponse<String> r = server.get("/models/" + "f".repeat(64));

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/html"));
    assertThat(r.body()).contains("<h1>Not found</h1>").contains("data-error=\"model_not_found\"");
  }

  @Test
  void aBadModelSentByTheFormGetsAnErrorPage() throws Exception {
    HttpResponse<String> r = server.send(new Multipart().file("model", "e.onnx", new byte[0]).post(server.uri("/models")).build());

    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(r.body()).contains("is empty").contains("<a href=\"/\">");
  }
}
