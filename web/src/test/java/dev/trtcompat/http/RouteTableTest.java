package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The route tables in docs/web.md list exactly the routes the server registers: a route added without a row,
 * or a row left behind by a removed route, fails here.
 */
class RouteTableTest {

  /** A table row whose first cell starts with a method and a path: {@code | `GET /api/v1/jobs/{id}`, `/x` | ...}. */
  private static final Pattern ROW = Pattern.compile("^\\| (`(GET|POST|PUT|PATCH|DELETE) [^|]*)\\|", Pattern.MULTILINE);
  private static final Pattern SPAN = Pattern.compile("`([^`]*)`");

  @TempDir Path data;

  @Test
  void docsWebMdListsExactlyTheRegisteredRoutes() throws Exception {
    String docs = Files.readString(Path.of(System.getProperty("trtcompat.repo"), "docs", "web.md"));
    Set<String> documented = new TreeSet<>();
    Matcher row = ROW.matcher(docs);
    while (row.find()) {
      documented.addAll(routes(row.group(1)));
    }
    Set<String> registered = new TreeSet<>();
    try (TestServer server = new TestServer(data)) {
      server.server().routes().forEach(r -> registered.add(r.method() + " " + r.path()));
    }

    assertThat(documented).as("routes in docs/web.md's tables").isEqualTo(registered);
  }

  /**
   * {@code `POST /a/{id}/cancel`, `/retry[?force=true]`} is two routes (a bare path takes the method and folder of
   * the route before it), and so is {@code `POST /a`, `PUT /b`}; query strings are left out.
   */
  static List<String> routes(String cell) {
    List<String> out = new ArrayList<>();
    String method = null;
    String base = null;
    Matcher span = SPAN.matcher(cell);
    while (span.find()) {
      String text = span.group(1).replaceAll("\\[?\\?.*$", "");
      if (text.matches("(GET|POST|PUT|PATCH|DELETE) /.*")) {
        method = null; // a span with its own method starts a new route: `POST /a`, `PUT /b`
      }
      if (method == null) {
        int space = text.indexOf(' ');
        method = text.substring(0, space);
        String path = text.substring(space + 1);
        base = path.substring(0, path.lastIndexOf('/'));
        out.add(method + " " + path);
      } else if (text.startsWith("/")) {
        out.add(method + " " + base + text);
      }
    }
    return out;
  }
}
