package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.testing.Multipart;
import dev.trtcompat.testing.TestModels;
import dev.trtcompat.testing.TestServer;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Attribute;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model whose every name, doc string and metadata entry is markup is uploaded, then every page, fragment
 * and JSON answer that can show it is fetched and parsed as a browser would (jsoup): no element or attribute
 * may come from the model, and the model's text must still be shown, as text.
 */
class HostileNamesTest {

  static final List<String> PAYLOADS = List.of(
      "<script>alert(1)</script>",
      "\"><img src=x onerror=alert(1)>",
      "'><svg onload=alert(1)>",
      "javascript:alert(1)",
      "fish &amp; chips &lt;b&gt;",
      "\u202Eevil\u202C txt.onnx",
      "</textarea></title></style><script>alert(2)</script>",
      "<a href=\"javascript:alert(3)\">click</a>",
      "<iframe src=javascript:alert(4)></iframe>");
  static final String LONG = "<script>alert(5)</script>".repeat(4000);
  static final String FILE_NAME = "<img src=x onerror=alert(6)>.onnx";

  /** Elements none of our pages uses, which only injected markup could create. */
  static final Set<String> FOREIGN_TAGS = Set.of("img", "iframe", "object", "embed", "base", "textarea", "frame", "style");
  static final Set<String> URL_ATTRIBUTES = Set.of("href", "src", "action", "formaction", "xlink:href", "data", "poster");

  @TempDir static Path dir;
  static TestServer server;
  static String id;

  @BeforeAll
  static void upload() throws Exception {
    server = new TestServer(dir);
    HttpResponse<String> r = server.upload(new Multipart().file("model", FILE_NAME, TestModels.hostileEverywhere(PAYLOADS, LONG)));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    id = TestServer.json(r).get("id").asText();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void theModelPageShowsEveryHostileStringAsTextOnly() throws Exception {
    HttpResponse<String> r = server.get("/models/" + id);
    assertThat(r.statusCode()).isEqualTo(200);
    Document doc = assertSafePage("/models/" + id, r);

    String text = doc.text();
    for (String p : PAYLOADS) {
      assertThat(text).as("shown as text: %s", p).contains(p);
    }
    assertThat(text).contains(FILE_NAME).contains("<script>alert(5)</script><script>alert(5)</script>");
  }

  @Test
  void theHomePageListsTheHostileFileNameAsText() throws Exception {
    HttpResponse<String> r = server.get("/");
    Document doc = assertSafePage("/", r);

    assertThat(doc.select("#recent a").eachText()).contains(FILE_NAME);
  }

  @Test
  void everyPageAndFragmentTheServerRegistersIsSafe() throws Exception {
    List<String> fetched = new ArrayList<>();
    for (WebServer.Route route : server.server().routes()) {
      String path = route.path();
      if (!route.method().equals("GET") || path.startsWith(Assets.PATH) || path.endsWith("/events")
          || path.replace("{id}", "").contains("{")) {
        continue;
      }
      String url = path.replace("{id}", id);
      HttpResponse<String> r = server.get(url);
      assertThat(r.statusCode()).as(url).isLessThan(500);
      String type = r.headers().firstValue("Content-Type").orElse("");
      assertThat(type).as("Content-Type of %s", url).isNotEmpty();
      if (type.startsWith("text/html")) {
        assertSafePage(url, r);
      } else if (type.startsWith("application/json")) {
        assertThat(r.headers().firstValue("X-Content-Type-Options")).as(url).hasValue("nosniff");
      }
      fetched.add(url);
    }
    assertThat(fetched).contains("/", "/models/" + id, "/api/v1/models/" + id, "/api/v1/models/" + id + "/compatibility");
  }

  @Test
  void theJsonAnswersCarryTheStringsUnchanged() throws Exception {
    String model = server.get("/api/v1/models/" + id).body();
    String compatibility = server.get("/api/v1/models/" + id + "/compatibility").body();

    // JSON is data, not markup: the strings come back exactly (JSON-escaped, never HTML-escaped), and
    // nosniff keeps a browser from reading them as a page.
    assertThat(model).contains("<script>alert(1)</script>", "fish &amp; chips &lt;b&gt;", FILE_NAME);
    assertThat(compatibility).contains("<script>alert(1)</script>");
  }

  @Test
  void errorPagesEchoingARequestedIdAreSafe() throws Exception {
    // Payloads with '/' are left out: Jetty refuses an encoded slash in a path before any route sees it.
    for (String p : PAYLOADS.stream().filter(p -> !p.contains("/")).toList()) {
      String url = "/models/" + URLEncoder.encode(p, StandardCharsets.UTF_8).replace("+", "%20");
      HttpResponse<String> r = server.get(url);
      assertThat(r.statusCode()).as(url).isEqualTo(404);
      assertSafePage(url, r);
    }
  }

  /** Parses the page and fails on anything model-controlled that became markup; checks the security headers. */
  static Document assertSafePage(String url, HttpResponse<String> r) {
    assertThat(r.headers().firstValue("Content-Security-Policy")).as("CSP of %s", url)
        .hasValueSatisfying(csp -> assertThat(csp).contains("default-src 'none'").contains("script-src 'self'"));
    assertThat(r.headers().firstValue("X-Content-Type-Options")).as(url).hasValue("nosniff");
    Document doc = Jsoup.parse(r.body());
    for (Element e : doc.getAllElements()) {
      String where = url + ": <" + e.tagName() + "> " + abbreviate(e.outerHtml());
      assertThat(FOREIGN_TAGS).as(where).doesNotContain(e.tagName());
      if (e.tagName().equals("script")) {
        assertThat(e.attr("src")).as(where).startsWith(Assets.PATH + "/");
        assertThat(e.data()).as(where).isEmpty();
      }
      for (Attribute a : e.attributes()) {
        String name = a.getKey().toLowerCase(Locale.ROOT);
        assertThat(name).as(where).doesNotStartWith("on").isNotEqualTo("style").isNotEqualTo("srcdoc");
        if (URL_ATTRIBUTES.contains(name)) {
          String value = a.getValue().replaceAll("[\\s\\x00-\\x1f]", "").toLowerCase(Locale.ROOT);
          assertThat(value).as(where).doesNotStartWith("javascript:").doesNotStartWith("data:").doesNotStartWith("vbscript:");
        }
      }
    }
    return doc;
  }

  private static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }
}
