package dev.trtcompat.http.upload;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.http.upload.UploadSessions.FileRow;
import dev.trtcompat.http.upload.UploadSessions.Session;
import dev.trtcompat.models.DiskSpace;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.models.StagedUpload;
import dev.trtcompat.models.StoreResult;
import dev.trtcompat.models.StoredModel;
import dev.trtcompat.models.UploadTooLargeException;
import dev.trtcompat.store.Database;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resumable uploads: a client declares the model and its external-data files, sends each file in chunks at the
 * offset the server reports, and completes the upload, which then goes into the model store like a multipart upload.
 *
 * <p>Bytes go straight from the request to {@code DATA/uploads/ID/N} (N: the file's place in the declaration) and
 * are hashed on the way; a chunk's bytes are forced to disk before the database counts them, so what {@code GET}
 * reports survives a crash. The running SHA-256 of each file is kept in memory between chunks; after a restart it is
 * rebuilt once from the bytes on disk. A chunk cut off mid-body keeps the bytes that arrived. Uploads idle for longer
 * than the expiry are removed at start-up and periodically.
 *
 * <p>One request at a time works on an upload (a second is answered 409 {@code upload_busy}); the lock is this
 * process's, so with several instances on one data folder a client sends an upload's chunks to one instance.
 */
public final class ResumableUploads implements AutoCloseable {

  static final String FOLDER = "uploads";
  static final int MAX_FILES = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(ResumableUploads.class);
  private static final int BUFFER = 1 << 20;
  private static final int BUSY_WAIT_SECONDS = 2;
  private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final String EMPTY_SHA256 = hex(sha256().digest());
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A file as the client declares it: its name, size in bytes and, optionally, its SHA-256 to check at the end. */
  public record FileDeclaration(String name, Long size, String sha256) {}

  /** The body of {@code POST /api/v1/uploads}: the model and its external-data files, as a multipart upload has. */
  public record Declaration(FileDeclaration model, List<FileDeclaration> external) {}

  /** One file of an upload as {@code GET} reports it. */
  public record FileView(String name, String role, long size, String sha256, long received, boolean complete,
      String url) {}

  /** An upload as {@code GET} reports it: per file the bytes received, from which a client resumes. */
  public record UploadView(String id, String createdAt, String updatedAt, String expiresAt, long size,
      long received, boolean complete, List<FileView> files, String url, String completeUrl) {}

  /** The SHA-256 of a file's first {@code covered} bytes, kept between its chunks. */
  private static final class Running {
    final MessageDigest digest = sha256();
    long covered;
  }

  private final UploadSessions sessions;
  private final ModelStore store;
  private final Path root;
  private final long maxBytes;
  private final Duration expiry;
  private final Clock clock;
  private final String apiPath;
  private final Consumer<StoredModel> register;
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  private final ScheduledExecutorService sweeper;

  /**
   * Opens the uploads in {@code dataDir/uploads}, removes those idle past {@code expiry} and starts removing them
   * periodically.
   *
   * @param apiPath where the routes live ({@code /api/v1/uploads}), for the URLs in the answers
   * @param register records a stored model with the job service, as a multipart upload does
   */
  public ResumableUploads(Database db, ModelStore store, Path dataDir, long maxBytes, Duration expiry, Clock clock,
      String apiPath, Consumer<StoredModel> register) {
    this.sessions = new UploadSessions(db);
    this.store = store;
    this.root = dataDir.resolve(FOLDER);
    this.maxBytes = maxBytes;
    this.expiry = expiry;
    this.clock = clock;
    this.apiPath = apiPath;
    this.register = register;
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    sweep();
    long every = Math.max(1_000, Math.min(expiry.toMillis() / 4, Duration.ofMinutes(10).toMillis()));
    sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "upload-expiry");
      t.setDaemon(true);
      return t;
    });
    sweeper.scheduleWithFixedDelay(this::sweepQuietly, every, every, TimeUnit.MILLISECONDS);
  }

  /** Records a new upload; its files are empty until their chunks arrive. */
  public UploadView create(String clientId, Declaration d) throws IOException {
    if (d == null || d.model() == null) {
      throw new UserFacingException(Kind.BAD_REQUEST, "missing_model",
          "declare the model: {\"model\": {\"name\": \"m.onnx\", \"size\": BYTES, \"sha256\": \"...\"}, \"external\": [...]}");
    }
    List<FileDeclaration> external = d.external() == null ? List.of() : d.external();
    if (external.size() + 1 > MAX_FILES) {
      throw new UserFacingException(Kind.BAD_REQUEST, "too_many_files",
          "an upload holds at most " + MAX_FILES + " files, not " + (external.size() + 1));
    }
    List<FileRow> files = new ArrayList<>();
    Set<String> names = new HashSet<>();
    long total = 0;
    for (int i = 0; i <= external.size(); i++) {
      FileDeclaration f = i == 0 ? d.model() : external.get(i - 1);
      if (f == null) {
        throw new UserFacingException(Kind.BAD_REQUEST, "invalid_body", "external[" + (i - 1) + "] is null");
      }
      String name = i == 0 ? StagedUpload.displayName(f.name()) : StagedUpload.checkExternalName(f.name());
      if (!names.add(name)) {
        throw new UserFacingException(Kind.BAD_REQUEST, "duplicate_file_name",
            "two files of the upload are named '" + name + "'; each file needs its own name");
      }
      if (f.size() == null || f.size() < 0) {
        throw new UserFacingException(Kind.BAD_REQUEST, "invalid_size",
            "'" + name + "' needs its size in bytes, a whole number from 0");
      }
      String sha = f.sha256() == null || f.sha256().isBlank() ? null : f.sha256().trim().toLowerCase(Locale.ROOT);
      if (sha != null && !SHA256.matcher(sha).matches()) {
        throw new UserFacingException(Kind.BAD_REQUEST, "invalid_sha256",
            "the sha256 of '" + name + "' must be 64 hex digits (as sha256sum prints)");
      }
      total += f.size();
      if (total > maxBytes) {
        throw new UploadTooLargeException(maxBytes);
      }
      files.add(new FileRow(i, name, i == 0, f.size(), sha, 0, f.size() == 0 ? EMPTY_SHA256 : null));
    }
    DiskSpace.requireRoom(root, total, promised());
    String id = newId();
    long now = clock.millis();
    Session session = new Session(id, clientId, now, now, files);
    ReentrantLock lock = lockOf(id);
    lock.lock();
    try {
      // The rows first: a folder without rows is debris the sweep removes.
      sessions.create(session);
      Path dir = Files.createDirectories(root.resolve(id));
      for (FileRow f : files) {
        Files.createFile(dir.resolve(Integer.toString(f.index())));
      }
    } finally {
      lock.unlock();
    }
    LOG.info("resumable upload {} declared: {} file(s), {} bytes", id, files.size(), total);
    return view(session);
  }

  /**
   * The bytes other unfinished uploads of this data folder have declared and not yet sent: the disk must keep room
   * for them too, or a new upload that fits today makes an older one fail near its end. Rows whose folder is not
   * under this data folder's {@code uploads/} (debris of a crash, or another folder's rows in a shared database)
   * promise nothing here. Two declarations racing each other can still both pass: this is a guard, not a reservation.
   */
  public DiskSpace.Promised promised() {
    long bytes = 0;
    int uploads = 0;
    for (Map.Entry<String, Long> e : sessions.outstandingBytes().entrySet()) {
      if (e.getValue() > 0 && Files.isDirectory(root.resolve(e.getKey()))) {
        bytes += e.getValue();
        uploads++;
      }
    }
    return new DiskSpace.Promised(bytes, uploads);
  }

  /** The upload with the bytes received per file. */
  public UploadView status(String id, String clientId) {
    return view(require(id, clientId));
  }

  /**
   * Appends one chunk of {@code name} from {@code body}. It must start at the file's received bytes; a chunk cut off
   * keeps the bytes that arrived, so the client asks where to go on and sends the rest.
   *
   * @param contentLength the request's declared body length, or -1
   */
  public FileView append(String id, String clientId, String name, ChunkRange range, long contentLength,
      InputStream body) throws IOException {
    ReentrantLock lock = acquire(id);
    try {
      Session s = require(id, clientId);
      FileRow f = s.file(name).orElseThrow(() -> new UserFacingException(Kind.NOT_FOUND, "upload_file_not_found",
          "upload " + id + " has no file '" + shorten(name) + "'; its files are "
              + String.join(", ", s.files().stream().map(FileRow::name).toList())));
      if (range.total() >= 0 && range.total() != f.size()) {
        throw new RangeNotSatisfiable("'" + f.name() + "' was declared as " + f.size() + " bytes, but the chunk says the"
            + " file has " + range.total());
      }
      if (range.end() >= f.size()) {
        throw new RangeNotSatisfiable("the chunk ends at byte " + range.end() + ", past the last byte of '" + f.name()
            + "' (" + (f.size() - 1) + "; it was declared as " + f.size() + " bytes)");
      }
      try (FileChannel ch = FileChannel.open(fileOf(id, f), StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE)) {
        long received = f.received();
        if (ch.size() < received) {
          // Bytes counted but gone (the folder was tampered with): go on from what is really there.
          LOG.warn("upload {}: '{}' holds {} bytes, {} were recorded; resuming from what is there", id, f.name(),
              ch.size(), received);
          received = ch.size();
          sessions.advance(id, f.name(), received, null, clock.millis());
        }
        if (range.start() != received) {
          throw new OffsetMismatch(f.name(), f.size(), received, range.start());
        }
        long room = f.size() - received;
        if (range.length() >= 0 && contentLength >= 0 && contentLength != range.length()) {
          throw new UserFacingException(Kind.BAD_REQUEST, "content_length_mismatch",
              "Content-Range covers " + range.length() + " bytes, but the body has " + contentLength);
        }
        if (range.length() < 0 && contentLength > room) {
          throw new RangeNotSatisfiable("the chunk has " + contentLength + " bytes, but '" + f.name() + "' has only "
              + room + " bytes left of its declared " + f.size());
        }
        // Bytes past the recorded count were never acknowledged (a crash between writing and recording them).
        if (ch.size() > received) {
          ch.truncate(received);
        }
        return write(id, f, ch, received, range.length() >= 0 ? range.length() : room, body);
      }
    } finally {
      lock.unlock();
    }
  }

  private FileView write(String id, FileRow f, FileChannel ch, long received, long expected, InputStream body)
      throws IOException {
    Running hash = runningHash(id, f, ch, received);
    ch.position(received);
    byte[] buf = new byte[BUFFER];
    long got = 0;
    boolean more = false;
    IOException cut = null;
    try {
      while (got < expected) {
        int n = body.readNBytes(buf, 0, (int) Math.min(buf.length, expected - got));
        if (n == 0) {
          break;
        }
        hash.digest.update(buf, 0, n);
        ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
        while (bb.hasRemaining()) {
          ch.write(bb);
        }
        got += n;
        hash.covered = received + got;
      }
      more = got == expected && body.read() >= 0;
    } catch (IOException e) {
      cut = e;
    }
    ch.force(false);
    long now = received + got;
    String actual = null;
    if (now == f.size()) {
      actual = hex(hash.digest.digest());
      running.remove(key(id, f));
    }
    sessions.advance(id, f.name(), now, actual, clock.millis());
    if (cut != null) {
      throw new UserFacingException(Kind.BAD_REQUEST, "upload_interrupted", "the chunk ended after " + got
          + " bytes; they are kept: send the rest of '" + f.name() + "' from byte " + now, cut);
    }
    if (more) {
      throw new RangeNotSatisfiable("the body goes on past the " + expected + " bytes the chunk may hold ('" + f.name()
          + "' is declared as " + f.size() + " bytes); the first " + expected + " were kept, the rest dropped");
    }
    if (got < expected && now < f.size()) {
      LOG.debug("upload {}: '{}' chunk shorter than its range ({} of {} bytes)", id, f.name(), got, expected);
    }
    return fileView(id, new FileRow(f.index(), f.name(), f.model(), f.size(), f.declaredSha256(), now, actual));
  }

  /**
   * Checks every file is whole and matches its declared SHA-256, then hands the files to the model store (renamed,
   * not copied), which reads the model with its external data beside it. The upload is then gone; a model the store
   * refuses leaves the upload as it was, and a file whose hash does not match is emptied to be sent again.
   */
  public StoreResult complete(String id, String clientId) throws IOException {
    ReentrantLock lock = acquire(id);
    try {
      Session s = require(id, clientId);
      List<String> missing = s.files().stream().filter(f -> !f.whole())
          .map(f -> f.name() + " (" + f.received() + " of " + f.size() + " bytes)").toList();
      if (!missing.isEmpty()) {
        throw new UserFacingException(Kind.CONFLICT, "upload_incomplete",
            "not every file has arrived: " + String.join(", ", missing) + "; send the rest, then complete");
      }
      List<String> shas = new ArrayList<>();
      for (FileRow f : s.files()) {
        String actual = f.actualSha256() != null ? f.actualSha256() : hashOnDisk(fileOf(id, f), f.size());
        if (f.declaredSha256() != null && !f.declaredSha256().equals(actual)) {
          try (FileChannel ch = FileChannel.open(fileOf(id, f), StandardOpenOption.WRITE)) {
            ch.truncate(0);
          }
          running.remove(key(id, f));
          sessions.advance(id, f.name(), 0, f.size() == 0 ? EMPTY_SHA256 : null, clock.millis());
          throw new UserFacingException(Kind.BAD_REQUEST, "sha256_mismatch",
              "'" + f.name() + "' arrived with SHA-256 " + actual + ", but " + f.declaredSha256() + " was declared;"
                  + " its bytes were dropped: send the file again from byte 0");
        }
        shas.add(actual);
      }
      StoreResult result;
      try (StagedUpload staged = store.stage(maxBytes)) {
        try {
          for (FileRow f : s.files()) {
            staged.adoptHashed(f.name(), f.model(), fileOf(id, f), f.size(), shas.get(f.index()));
          }
          result = store.add(staged);
        } catch (IOException | RuntimeException e) {
          staged.giveBack();
          throw e;
        }
      }
      register.accept(result.model());
      discard(id);
      LOG.info("resumable upload {} completed as model {}", id, result.model().id());
      return result;
    } finally {
      lock.unlock();
    }
  }

  /** Removes the upload, its files and its rows. */
  public void abort(String id, String clientId) throws IOException {
    ReentrantLock lock = acquire(id);
    try {
      require(id, clientId);
      discard(id);
      LOG.info("resumable upload {} aborted", id);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Removes uploads idle for longer than the expiry, and folders whose upload has no rows (debris of a crash); skips
   * uploads a request is working on.
   *
   * @return the number of uploads removed
   */
  public int sweep() {
    long cutoff = clock.millis() - expiry.toMillis();
    int removed = 0;
    for (String id : sessions.idleSince(cutoff)) {
      if (removeIf(id, () -> sessions.find(id).map(s -> s.updatedAt() < cutoff).orElse(false))) {
        LOG.info("resumable upload {} expired: nothing received for {}", id, expiry);
        removed++;
      }
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
      for (Path dir : dirs) {
        String id = dir.getFileName().toString();
        if (removeIf(id, () -> sessions.find(id).isEmpty())) {
          LOG.info("removed the files of an upload without a record: {}", id);
        }
      }
    } catch (IOException e) {
      LOG.warn("could not look through {} for stale uploads", root, e);
    }
    return removed;
  }

  private boolean removeIf(String id, BooleanSupplier stillStale) {
    ReentrantLock lock = lockOf(id);
    if (!lock.tryLock()) {
      return false;
    }
    try {
      if (!stillStale.getAsBoolean()) {
        return false;
      }
      discard(id);
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not remove the stale upload {}", id, e);
      return false;
    } finally {
      lock.unlock();
    }
  }

  private void sweepQuietly() {
    try {
      sweep();
    } catch (RuntimeException e) {
      LOG.warn("removing stale uploads failed; trying again later", e);
    }
  }

  /** Rows first, then files: a crash in between leaves files without rows, which the next sweep removes. */
  private void discard(String id) throws IOException {
    sessions.delete(id);
    running.keySet().removeIf(k -> k.startsWith(id + "/"));
    StagedUpload.deleteTree(root.resolve(id));
    locks.remove(id);
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
  }

  /** The running hash of {@code f}'s first {@code received} bytes: kept from the last chunk, or read from disk. */
  private Running runningHash(String id, FileRow f, FileChannel ch, long received) throws IOException {
    Running r = running.get(key(id, f));
    if (r != null && r.covered == received) {
      return r;
    }
    Running fresh = new Running();
    ByteBuffer buf = ByteBuffer.allocate(BUFFER);
    long pos = 0;
    while (pos < received) {
      buf.clear().limit((int) Math.min(BUFFER, received - pos));
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw new IOException("upload file shorter than recorded");
      }
      fresh.digest.update(buf.array(), 0, n);
      pos += n;
    }
    fresh.covered = received;
    running.put(key(id, f), fresh);
    return fresh;
  }

  private static String hashOnDisk(Path file, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      MessageDigest md = sha256();
      ByteBuffer buf = ByteBuffer.allocate(BUFFER);
      long pos = 0;
      int n;
      while (pos < size && (n = ch.read(buf.clear(), pos)) > 0) {
        md.update(buf.array(), 0, n);
        pos += n;
      }
      return hex(md.digest());
    }
  }

  private Session require(String id, String clientId) {
    if (id == null || !ID.matcher(id).matches()) {
      throw notFound(id);
    }
    // Another client's upload is as invisible as one that does not exist.
    return sessions.find(id).filter(s -> s.clientId().equals(clientId)).orElseThrow(() -> notFound(id));
  }

  private static UserFacingException notFound(String id) {
    return new UserFacingException(Kind.NOT_FOUND, "upload_not_found", "no upload in progress has the id '"
        + shorten(String.valueOf(id)) + "'; it may have been completed, aborted or expired (start one with POST "
        + "/api/v1/uploads)");
  }

  private static UserFacingException busy(String id) {
    return new UserFacingException(Kind.CONFLICT, "upload_busy",
        "another request is working on upload " + id + "; send one chunk at a time and retry when it has answered");
  }

  /**
   * The upload's lock, waiting briefly: a client resuming right after a broken connection may arrive while the
   * server is still recording the chunk that broke. Longer than that is another request at work: 409.
   */
  private ReentrantLock acquire(String id) {
    ReentrantLock lock = lockOf(id);
    try {
      if (lock.tryLock(BUSY_WAIT_SECONDS, TimeUnit.SECONDS)) {
        return lock;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw busy(id);
  }

  private ReentrantLock lockOf(String id) {
    return locks.computeIfAbsent(id, k -> new ReentrantLock());
  }

  private Path fileOf(String id, FileRow f) {
    return root.resolve(id).resolve(Integer.toString(f.index()));
  }

  private static String key(String id, FileRow f) {
    return id + "/" + f.index();
  }

  private UploadView view(Session s) {
    List<FileView> files = s.files().stream().map(f -> fileView(s.id(), f)).toList();
    long size = s.files().stream().mapToLong(FileRow::size).sum();
    long received = s.files().stream().mapToLong(FileRow::received).sum();
    String url = apiPath + "/" + s.id();
    return new UploadView(s.id(), Instant.ofEpochMilli(s.createdAt()).toString(),
        Instant.ofEpochMilli(s.updatedAt()).toString(), Instant.ofEpochMilli(s.updatedAt()).plus(expiry).toString(),
        size, received, s.files().stream().allMatch(FileRow::whole), files, url, url + "/complete");
  }

  private FileView fileView(String id, FileRow f) {
    return new FileView(f.name(), f.model() ? "model" : "external", f.size(), f.declaredSha256(), f.received(),
        f.whole(), apiPath + "/" + id + "/files/" + URLEncoder.encode(f.name(), StandardCharsets.UTF_8).replace("+", "%20"));
  }

  private static String newId() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return hex(b);
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  private static String shorten(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
