package dev.trtcompat.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.json.Json;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

/**
 * Concurrent large uploads against a running service: writes one valid ONNX model of about MB megabytes
 * (one big FLOAT initializer), then N clients upload it at the same moment, each streaming it from disk
 * with 8 bytes in the middle of the weights changed so every upload is new content (no deduplication),
 * and hashing what it sends. Afterwards every stored file is hashed again from the data folder and
 * compared with what was sent and with the sha256 the API answered.
 *
 * <p>Usage: {@code java -cp bench/target/classes:web/target/lib/* dev.trtcompat.bench.UploadLoad
 * --url http://127.0.0.1:PORT --data-dir DIR --work DIR [--uploads 20] [--mb 200]}. Exits 1 unless every
 * upload was stored intact.
 */
public final class UploadLoad {

  private static final int FLOAT = 1;
  private static final int PATCH_BYTES = 8;

  /** One upload's outcome. */
  record Upload(int index, int status, double seconds, long bytes, String sent, String answered, String id,
      String stored, String error) {

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
    // Refuse anything off loopback the same way the page load generator does.
    LoadTarget.parse(url);
    Path model = Files.createDirectories(work).resolve("upload-base.onnx");
    long t0 = System.nanoTime();
    oneWeightModel(mb * 1_000_000).write(model);
    System.err.printf(Locale.ROOT, "upload-load: wrote %s (%d bytes) in %.1f s%n", model, Files.size(model),
        (System.nanoTime() - t0) / 1e9);

    Run run = run(URI.create(url.replaceAll("/+$", "") + "/api/v1/models"), model, uploads);
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

  static Run run(URI endpoint, Path model, int uploads) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    ExecutorService pool = Executors.newFixedThreadPool(uploads);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<Upload>> futures = new ArrayList<>();
      for (int i = 0; i < uploads; i++) {
        int index = i;
        futures.add(pool.submit(() -> {
          go.await();
          return upload(http, endpoint, model, index);
        }));
      }
      long t0 = System.nanoTime();
      go.countDown();
      List<Upload> results = new ArrayList<>();
      for (Future<Upload> f : futures) {
        results.add(f.get());
      }
      return new Run(results, (System.nanoTime() - t0) / 1e9);
    } finally {
      pool.shutdownNow();
    }
  }

  private static Upload upload(HttpClient http, URI endpoint, Path model, int index) throws IOException {
    String boundary = "trtcompatbench" + index + "x" + Long.toHexString(System.nanoTime());
    byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"model\"; filename=\"upload-" + index
        + ".onnx\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    long fileBytes = Files.size(model);
    long patchAt = fileBytes / 2;
    byte[] patch = patch(index);
    MessageDigest[] digest = new MessageDigest[1];
    HttpRequest request = HttpRequest.newBuilder(endpoint)
        .timeout(Duration.ofMinutes(30))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> {
          try {
            // A fresh digest per stream: the client may ask for the body again when it resends.
            digest[0] = sha256();
            InputStream file = new DigestInputStream(
                new PatchedStream(new BufferedInputStream(Files.newInputStream(model), 1 << 16), patchAt, patch), digest[0]);
            return new SequenceInputStream(java.util.Collections.enumeration(
                List.of(new ByteArrayInputStream(head), file, new ByteArrayInputStream(tail))));
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }), head.length + fileBytes + tail.length))
        .build();
    long t0 = System.nanoTime();
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      double seconds = (System.nanoTime() - t0) / 1e9;
      String sent = HexFormat.of().formatHex(digest[0].digest());
      String answered = null;
      String id = null;
      String error = null;
      if (r.statusCode() == 200 || r.statusCode() == 201) {
        JsonNode body = Json.mapper().readTree(r.body());
        answered = body.path("sha256").asText(null);
        id = body.path("id").asText(null);
      } else {
        error = "HTTP " + r.statusCode() + ": " + r.body().lines().findFirst().orElse("");
      }
      return new Upload(index, r.statusCode(), seconds, fileBytes, sent, answered, id, null, error);
    } catch (IOException e) {
      return new Upload(index, 0, (System.nanoTime() - t0) / 1e9, fileBytes, null, null, null, null,
          e.getClass().getSimpleName() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
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
          "no stored file at " + stored);
    }
    MessageDigest d = sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(stored), d)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return new Upload(u.index(), u.status(), u.seconds(), u.bytes(), u.sent(), u.answered(), u.id(),
        HexFormat.of().formatHex(d.digest()), u.error());
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

  /** The file's bytes with {@code patch} written over them at {@code at}. */
  static final class PatchedStream extends FilterInputStream {
    private final long at;
    private final byte[] patch;
    private long position;

    PatchedStream(InputStream in, long at, byte[] patch) {
      super(in);
      this.at = at;
      this.patch = patch;
    }

    @Override
    public int read() throws IOException {
      int c = super.read();
      if (c >= 0) {
        if (position >= at && position < at + patch.length) {
          c = patch[(int) (position - at)] & 0xff;
        }
        position++;
      }
      return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        for (long p = Math.max(position, at); p < Math.min(position + n, at + patch.length); p++) {
          b[off + (int) (p - position)] = patch[(int) (p - at)];
        }
        position += n;
      }
      return n;
    }

    @Override
    public long skip(long n) {
      throw new UnsupportedOperationException("the upload is read front to back");
    }
  }
}
