package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.testing.TestServer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The served OpenAPI description and the routes the server really registers describe the same API. */
class OpenApiTest {

  @Test
  void everyApiRouteIsDescribedAndEveryDescribedRouteExists(@TempDir Path data) throws Exception {
    try (TestServer server = new TestServer(data)) {
      var r = server.get("/api/v1/openapi.json");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
      JsonNode doc = TestServer.json(r);
      assertThat(doc.get("openapi").asText()).startsWith("3.");

      Set<String> described = new HashSet<>();
      for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields(); paths.hasNext(); ) {
        Map.Entry<String, JsonNode> p = paths.next();
        for (Iterator<String> methods = p.getValue().fieldNames(); methods.hasNext(); ) {
          String method = methods.next();
          described.add(method.toUpperCase(Locale.ROOT) + " " + p.getKey());
          JsonNode op = p.getValue().get(method);
          assertThat(op.get("responses")).as(method + " " + p.getKey() + " has responses").isNotNull();
          assertThat(op.get("operationId")).as(method + " " + p.getKey() + " has an operationId").isNotNull();
        }
      }
      Set<String> registered = new HashSet<>();
      for (WebServer.Route route : server.server().routes()) {
        if (route.path().startsWith(WebServer.API + "/")) {
          registered.add(route.method() + " " + route.path());
        }
      }

      assertThat(registered).isNotEmpty().contains("POST /api/v1/models", "GET /api/v1/models/{id}");
      assertThat(described).containsExactlyInAnyOrderElementsOf(registered);
      // Every reference points at something that exists.
      String text = r.body();
      java.util.regex.Matcher refs = java.util.regex.Pattern.compile("\"\\$ref\"\\s*:\\s*\"#/([^\"]+)\"").matcher(text);
      while (refs.find()) {
        assertThat(doc.at("/" + refs.group(1)).isMissingNode()).as(refs.group(1)).isFalse();
      }
    }
  }
}
