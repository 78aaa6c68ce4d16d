package dev.trtcompat.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Concurrent large uploads against a running service: writes one valid ONNX model of about MB megabytes
 * (one big FLOAT initializer), then N clients upload it at the same moment, each streaming it from disk
 * with 8 bytes in the middle of the weights changed so every upload is new content (no deduplication).
 * The SHA-256 of each upload's bytes is computed beforehand; afterwards every stored file is hashed again
 * from the data folder and compared with it and with the sha256 the API answered.
 *
 * <p>Usage: {@code java -cp bench/target/classes:web/target/lib/* dev.trtcompat.bench.UploadLoad
 * --url http://127.0.0.1:PORT --data-dir DIR --work DIR [--uploads 20] [--mb 200]}. Exits 1 unless every
 * upload was stored intact.
 */
public final class UploadLoad {

  private static final int FLOAT = 1;
  private static final int PATCH_BYTES = 8;
  /** The whole run's bound: 20 x 200 MB on a busy 2-core machine takes minutes, not half an hour. */
  private static final Duration UPLOAD_TIMEOUT = Duration.ofMinutes(30);

  /** One upload's outcome. */
  record Upload(int index, int status, double seconds, long bytes, String sent, String answered, String id,
      String stored, String error, long startNanos) {

    boolean intact() {
      return error == null && (status == 201) && sent.equals(answered) && sent.equals(stored);
    }
  }

  private UploadLoad() {}

  public static void main(String[] args) throws Exception {
    String url = null;
    Path dataDir = null;
    Path work = null;
    int uploads = 20;
    long mb = 200;
    for (int i = 0; i < args.length; i += 2) {
      String v = i + 1 < args.length ? args[i + 1] : null;
      if (v == null) {
        usage("option " + args[i] + " needs a value");
      }
      switch (args[i]) {
        case "--url" -> url = v;
        case "--data-dir" -> dataDir = Path.of(v);
        case "--work" -> work = Path.of(v);
        case "--uploads" -> uploads = Integer.parseInt(v);
        case "--mb" -> mb = Long.parseLong(v);
        default -> usage("unknown option " + args[i]);
      }
    }
    if (url == null || dataDir == null || work == null || uploads < 1 || mb < 1) {
      usage("--url, --data-dir and --work are required; --uploads and --mb must be positive");
    }
    // Refuse anything off loopback the same way the page load generator does (before writing anything).
    LoadTarget.parse(url);
    Path model = Files.createDirectories(work).resolve("upload-base.onnx");
    long t0 = System.nanoTime();
    oneWeightModel(mb * 1_000_000).write(model);
    System.err.printf(Locale.ROOT, "upload-load: wrote %s (%d bytes) in %.1f s%n", model, Files.size(model),
        (System.nanoTime() - t0) / 1e9);

    t0 = System.nanoTime();
    List<String> expected = expectedHashes(model, uploads);
    System.err.printf(Locale.ROOT, "upload-load: hashed the %d upload contents in %.1f s; uploading%n", uploads,
        (System.nanoTime() - t0) / 1e9);
    Run run = run(LoadTarget.parse(url.replaceAll("/+$", "") + "/api/v1/models"), model, expected);
    System.err.println("upload-load: hashing the stored files in " + dataDir);
    List<Upload> checked = new ArrayList<>();
    for (Upload u : run.uploads()) {
      checked.add(verifyStored(u, dataDir));
    }
    boolean allIntact = print(new Run(checked, run.wallSeconds()), model);
    System.exit(allIntact ? 0 : 1);
  }

  private static void usage(String why) {
    System.err.println("upload-load: " + why);
    System.exit(2);
  }

  /** y = x * W with W a FLOAT vector of {@code bytes / 4} elements, opset 17; checker-valid ONNX. */
  static StreamingModelWriter oneWeightModel(long bytes) {
    long n = bytes / 4;
    return new StreamingModelWriter("upload_bench", 17)
        .input(BenchModels.tensor("x", FLOAT, n))
        .weight("W", FLOAT, 4, n)
        .node(BenchModels.node("Mul", "scale", List.of("x", "W"), List.of("y")))
        .output(BenchModels.tensor("y", FLOAT, n));
  }

  /**
   * The 8 bytes upload {@code index} writes over the middle of the weights: base-60 digits of the index,
   * each plus 1, so every byte is in 0x01..0x3C. Whatever the alignment, a float whose top byte is one of
   * these has a biased exponent below 0x7F and stays finite; the model stays a valid model.
   */
  static byte[] patch(int index) {
    byte[] b = new byte[PATCH_BYTES];
    long v = index;
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (v % 60 + 1);
      v /= 60;
    }
    return b;
  }

  /** All uploads and the wall time from the first request sent to the last answer received. */
  record Run(List<Upload> uploads, double wallSeconds) {}

  static Run run(LoadTarget endpoint, Path model, List<String> expected) throws Exception {
    int uploads = expected.size();
    ExecutorService pool = Executors.newFixedThreadPool(uploads);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<Upload>> futures = new ArrayList<>();
      for (int i = 0; i < uploads; i++) {
        int index = i;
        futures.add(pool.submit(() -> {
          go.await();
          return upload(endpoint, model, index, expected.get(index));
        }));
      }
      long t0 = System.nanoTime();
      go.countDown();
      List<Upload> results = new ArrayList<>();
      for (Future<Upload> f : futures) {
        // Bounded: a stuck upload is cancelled (its channel closes on interrupt) and reported, not waited for.
        try {
          results.add(f.get(Math.max(1, UPLOAD_TIMEOUT.toNanos() - (System.nanoTime() - t0)), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
          f.cancel(true);
          results.add(new Upload(results.size(), 0, (System.nanoTime() - t0) / 1e9, Files.size(model),
              expected.get(results.size()), null, null, null, "no answer within " + UPLOAD_TIMEOUT, t0));
        }
      }
      // From the first byte sent to the last answer, leaving out the clients' own first-use start-up.
      long first = results.stream().mapToLong(Upload::startNanos).min().orElse(t0);
      long last = results.stream().mapToLong(u -> u.startNanos() + (long) (u.seconds() * 1e9)).max().orElse(t0);
      return new Run(results, (last - first) / 1e9);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * The SHA-256 of each upload's bytes, computed before the timed run so the uploading clients only move
   * bytes (sendfile) and leave the machine's CPU to the server. The digest of the common prefix is computed
   * once and cloned.
   */
  static List<String> expectedHashes(Path model, int uploads) throws IOException {
    long size = Files.size(model);
    long patchAt = size / 2;
    MessageDigest prefix = sha256();
    try (FileChannel f = FileChannel.open(model)) {
      hash(f, 0, patchAt, prefix);
      List<String> out = new ArrayList<>();
      for (int i = 0; i < uploads; i++) {
        MessageDigest d;
        try {
          d = (MessageDigest) prefix.clone();
        } catch (CloneNotSupportedException e) {
          throw new IllegalStateException("the JDK's SHA-256 is cloneable", e);
        }
        d.update(patch(i));
        hash(f, patchAt + PATCH_BYTES, size - patchAt - PATCH_BYTES, d);
        out.add(HexFormat.of().formatHex(d.digest()));
      }
      return out;
    }
  }

  private static void hash(FileChannel f, long from, long count, MessageDigest d) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    for (long pos = from, end = from + count; pos < end; ) {
      buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
      int n = f.read(buf, pos);
      if (n < 0) {
        throw new IOException("the model file shrank while it was being hashed");
      }
      buf.flip();
      d.update(buf);
      pos += n;
    }
  }

  /**
   * One upload over a plain socket: the request and multipart head, then the model file straight from the
   * page cache to the socket (FileChannel.transferTo) with the 8 patch bytes in the middle, then the tail.
   */
  static Upload upload(LoadTarget endpoint, Path model, int index, String expected) throws IOException {
    String boundary = "trtcompatbench" + index + "x" + Long.toHexString(System.nanoTime());
    byte[] partHead = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"model\"; filename=\"upload-" + index
        + ".onnx\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    long size = Files.size(model);
    long patchAt = size / 2;
    byte[] requestHead = ("POST " + endpoint.path() + " HTTP/1.1\r\nHost: " + endpoint.hostHeader()
        + "\r\nUser-Agent: trt-compat-bench\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary="
        + boundary + "\r\nContent-Length: " + (partHead.length + size + tail.length) + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    long t0 = System.nanoTime();
    try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(endpoint.address(), endpoint.port()));
        FileChannel file = FileChannel.open(model)) {
      write(ch, requestHead, partHead);
      send(file, 0, patchAt, ch);
      write(ch, patch(index));
      send(file, patchAt + PATCH_BYTES, size - patchAt - PATCH_BYTES, ch);
      write(ch, tail);
      HttpAnswer r = HttpAnswer.read(Channels.newInputStream(ch));
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (r.status() != 200 && r.status() != 201) {
        return new Upload(index, r.status(), seconds, size, expected, null, null, null,
            "HTTP " + r.status() + ": " + r.body().lines().findFirst().orElse(""), t0);
      }
      JsonNode body = Json.mapper().readTree(r.body());
      return new Upload(index, r.status(), seconds, size, expected, body.path("sha256").asText(null),
          body.path("id").asText(null), null, null, t0);
    } catch (IOException e) {
      return new Upload(index, 0, (System.nanoTime() - t0) / 1e9, size, expected, null, null, null,
          e.getClass().getSimpleName() + ": " + e.getMessage(), t0);
    }
  }

  private static void write(SocketChannel ch, byte[]... parts) throws IOException {
    for (byte[] p : parts) {
      ByteBuffer b = ByteBuffer.wrap(p);
      while (b.hasRemaining()) {
        ch.write(b);
      }
    }
  }

  private static void send(FileChannel file, long from, long count, SocketChannel ch) throws IOException {
    for (long pos = from, end = from + count; pos < end; ) {
      pos += file.transferTo(pos, end - pos, ch);
    }
  }

  /** A response read to the end of the connection (the request said Connection: close). */
  record HttpAnswer(int status, String body) {
    static HttpAnswer read(InputStream in) throws IOException {
      String all = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      int split = all.indexOf("\r\n\r\n");
      if (!all.startsWith("HTTP/1.") || split < 0) {
        throw new IOException("not an HTTP response: " + all.lines().findFirst().orElse("(nothing)"));
      }
      String head = all.substring(0, split);
      String body = all.substring(split + 4);
      if (head.toLowerCase(Locale.ROOT).contains("\r\ntransfer-encoding: chunked")) {
        body = dechunk(body);
      }
      int status = Integer.parseInt(head.substring(9, 12));
      return new HttpAnswer(status, new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
    }

    private static String dechunk(String s) {
      StringBuilder out = new StringBuilder();
      int i = 0;
      while (true) {
        int eol = s.indexOf("\r\n", i);
        String sizeField = s.substring(i, eol);
        int semi = sizeField.indexOf(';');
        int n = Integer.parseInt((semi < 0 ? sizeField : sizeField.substring(0, semi)).trim(), 16);
        if (n == 0) {
          return out.toString();
        }
        out.append(s, eol + 2, eol + 2 + n);
        i = eol + 2 + n + 2;
      }
    }
  }

  /** Hashes {@code DATA_DIR/models/ID/files/model.onnx}, the file the service stored for this upload. */
  static Upload verifyStored(Upload u, Path dataDir) throws IOException {
    if (u.id() == null) {
      return u;
    }
    Path stored = dataDir.resolve("models").resolve(u.id()).resolve("files").resolve("model.onnx");
    if (!Files.isRegularFile(stored)) {
      return new Upload(u.index(), u.status(), u.seconds(), u.bytes(), u.sent(), u.answered(), u.id(), null,
          "no stored file at " + stored, u.startNanos());
    }
    MessageDigest d = sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(stored), d)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return new Upload(u.index(), u.status(), u.seconds(), u.bytes(), u.sent(), u.answered(), u.id(),
        HexFormat.of().formatHex(d.digest()), u.error(), u.startNanos());
  }

  static boolean print(Run run, Path model) throws IOException {
    List<Upload> uploads = run.uploads();
    double wallSeconds = run.wallSeconds();
    System.out.println("| upload | HTTP | seconds | MB/s | SHA-256 sent = answered = stored |");
    System.out.println("|---|---|---|---|---|");
    long bytes = 0;
    int intact = 0;
    for (Upload u : uploads) {
      System.out.printf(Locale.ROOT, "| %d | %d | %.1f | %.1f | %s |%n", u.index(), u.status(), u.seconds(),
          u.bytes() / 1e6 / u.seconds(), u.intact() ? "yes (" + u.sent().substring(0, 12) + "...)" : "NO: " + why(u));
      bytes += u.error() == null ? u.bytes() : 0;
      intact += u.intact() ? 1 : 0;
    }
    long distinct = uploads.stream().map(Upload::sent).filter(java.util.Objects::nonNull).distinct().count();
    System.out.printf(Locale.ROOT, "%d uploads of %s (%d bytes each, %d distinct contents): %d stored intact%n",
        uploads.size(), model.getFileName(), Files.size(model), distinct, intact);
    System.out.printf(Locale.ROOT, "wall time %.1f s for all, %.0f MB/s aggregate (%d MB received)%n",
        wallSeconds, bytes / 1e6 / wallSeconds, bytes / 1_000_000);
    return intact == uploads.size();
  }

  private static String why(Upload u) {
    if (u.error() != null) {
      return u.error();
    }
    if (u.status() != 201) {
      return "HTTP " + u.status() + " (not stored as new content)";
    }
    return "sent " + u.sent() + ", answered " + u.answered() + ", stored " + u.stored();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
