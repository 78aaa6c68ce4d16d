package dev.trtcompat.bench;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * One URL the load generator requests, checked to be plain HTTP on this machine's loopback interface: the
 * generator is a benchmark for our own service and must never send traffic anywhere else.
 */
record LoadTarget(String url, InetAddress address, int port, String hostHeader, String path) {

  /** Parses {@code http://127.0.0.1:PORT/path}, {@code http://localhost:PORT/path} or {@code http://[::1]:PORT/path}. */
  static LoadTarget parse(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URL: " + url, e);
    }
    if (!"http".equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException("only http:// URLs on the loopback interface are allowed: " + url);
    }
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    InetAddress address =
        switch (host) {
          // Literal addresses only (no DNS): "localhost" maps to the loopback address without a lookup.
          case "127.0.0.1", "localhost" -> InetAddress.getLoopbackAddress();
          case "[::1]", "::1" -> loopbackV6();
          default -> throw new IllegalArgumentException(
              "refusing " + url + ": the load generator only talks to 127.0.0.1, localhost or [::1]");
        };
    int port = uri.getPort() == -1 ? 80 : uri.getPort();
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      path += "?" + uri.getRawQuery();
    }
    return new LoadTarget(url, address, port, uri.getHost() + ":" + port, path);
  }

  private static InetAddress loopbackV6() {
    try {
      return InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e); // a 16-byte literal is always a valid address
    }
  }
}
