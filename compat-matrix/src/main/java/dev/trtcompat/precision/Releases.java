package dev.trtcompat.precision;

/** Ordering of TensorRT release names ({@code MAJOR.MINOR}) for the from/until windows of the facts. */
final class Releases {

  private Releases() {}

  /** Release names seen so far to a sortable number; the checker compares the same few names many times. */
  private static final java.util.concurrent.ConcurrentHashMap<String, Integer> KEYS =
      new java.util.concurrent.ConcurrentHashMap<>();

  static int compare(String a, String b) {
    return Integer.compare(key(a), key(b));
  }

  private static int key(String release) {
    Integer k = KEYS.get(release);
    if (k == null) {
      int[] p = parts(release);
      k = p[0] * 1000 + p[1];
      if (KEYS.size() < 1000) {
        KEYS.put(release, k);
      }
    }
    return k;
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
