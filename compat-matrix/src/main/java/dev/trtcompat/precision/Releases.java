package dev.trtcompat.precision;

/** Ordering of TensorRT release names ({@code MAJOR.MINOR}) for the from/until windows of the facts. */
final class Releases {

  private Releases() {}

  static int compare(String a, String b) {
    int[] x = parts(a);
    int[] y = parts(b);
    return x[0] != y[0] ? Integer.compare(x[0], y[0]) : Integer.compare(x[1], y[1]);
  }

  /** {@code from <= release < until}; a null {@code until} means no end. */
  static boolean within(String release, String from, String until) {
    return compare(release, from) >= 0 && (until == null || compare(release, until) < 0);
  }

  static boolean valid(String release) {
    return release != null && release.matches("\\d+\\.\\d+");
  }

  private static int[] parts(String release) {
    String[] p = release.split("\\.");
    return new int[] {Integer.parseInt(p[0]), p.length > 1 ? Integer.parseInt(p[1]) : 0};
  }
}
