package dev.trtcompat.models;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.json.Json;
import dev.trtcompat.onnx.InvalidModelException;
import dev.trtcompat.onnx.ModelSummary;
import dev.trtcompat.onnx.OnnxModelReader;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model store as a folder tree, content-addressed:
 *
 * <pre>
 * DATA/models/ID/files/model.onnx      the model, always under this name
 * DATA/models/ID/files/NAME            its external-data files, under the names the model uses
 * DATA/models/ID/summary.json          the reader's summary
 * DATA/models/ID/upload.json           id, sha256, original file name, size, upload time, external files
 * DATA/models/ID/derived/...           what later stages derive from the model (reference runs)
 * DATA/tmp/upload-UUID/...             uploads being received (same layout), removed on failure
 * DATA/.lock                           held while a server uses the folder
 * </pre>
 *
 * <p>An upload is staged in {@code tmp/} (same file system, so the final rename is atomic), read, then
 * its whole folder is renamed to {@code models/ID}: a model folder either exists complete or not at all,
 * and a crash leaves only {@code tmp/} debris, cleared at the next start. The files live in {@code files/}
 * so no external-data name can collide with the store's own JSON files.
 *
 * <p>ID is the model file's SHA-256 when there is no external data (so {@code sha256sum model.onnx} gives
 * the id). With external data it is the SHA-256 of the manifest {@code "NAME SHA256\n"} over all files,
 * sorted by name, with the model as {@code model.onnx}: different weights give different ids.
 */
public final class FileModelStore implements ModelStore {

  private static final Logger LOG = LoggerFactory.getLogger(FileModelStore.class);
  private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");
  static final String SUMMARY_JSON = "summary.json";
  static final String UPLOAD_JSON = "upload.json";
  static final String DERIVED = "derived";

  private final Path models;
  private final Path tmp;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final ObjectMapper json = Json.mapper();

  private FileModelStore(Path dataDir, Path tmp, FileChannel lockChannel, FileLock lock) {
    this.models = dataDir.resolve("models");
    this.tmp = tmp;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Opens (creating if needed) the store in {@code dataDir}, takes its lock and clears debris of uploads
   * interrupted by an earlier crash.
   *
   * @throws UserFacingException (UNAVAILABLE) when another server holds the folder
   */
  public static FileModelStore open(Path dataDir) throws IOException {
    return open(dataDir, null);
  }

  /**
   * Opens the store for one of several instances sharing the folder (a shared PostgreSQL queue): each has its
   * own lock ({@code .lock-INSTANCE}) and staging folder ({@code tmp/INSTANCE/}), so none clears another's
   * uploads in flight; the models themselves are shared (a model folder appears by one atomic rename).
   *
   * @param instance the instance id, or null for a folder one server owns alone
   */
  public static FileModelStore open(Path dataDir, String instance) throws IOException {
    Path dir = dataDir.toAbsolutePath().normalize();
    String scope = instance == null ? null : instance.replaceAll("[^A-Za-z0-9._-]", "_");
    Files.createDirectories(dir.resolve("models"));
    Path tmp = scope == null ? dir.resolve("tmp") : dir.resolve("tmp").resolve(scope);
    Files.createDirectories(tmp);
    FileChannel ch = FileChannel.open(dir.resolve(scope == null ? ".lock" : ".lock-" + scope),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      ch.close();
      throw new UserFacingException(
          Kind.UNAVAILABLE, "data_folder_in_use",
          "the data folder " + dir + " is in use by another trt-compat server; stop it or choose another --data-dir");
    }
    FileModelStore store = new FileModelStore(dir, tmp, ch, lock);
    store.clearTmp();
    return store;
  }

  /** The folder uploads are staged in; empty whenever no upload is in flight. */
  public Path tmpDir() {
    return tmp;
  }

  public Path modelsDir() {
    return models;
  }

  @Override
  public StagedUpload stage(long maxBytes) throws IOException {
    return new StagedUpload(tmp.resolve("upload-" + UUID.randomUUID()), maxBytes);
  }

  @Override
  public StoreResult add(StagedUpload upload) throws IOException {
    if (!upload.hasModel()) {
      throw new UserFacingException(
          Kind.BAD_REQUEST, "missing_model", "the upload has no 'model' file field; send the .onnx file as 'model'");
    }
    long t0 = System.nanoTime();
    ModelSummary summary = ModelSummary.of(OnnxModelReader.read(upload.modelFile()));
    long readNanos = System.nanoTime() - t0;
    checkAllExternalsUsed(upload, summary);
    String id = idOf(upload);
    Optional<StoredModel> existing = find(id);
    if (existing.isPresent()) {
      return new StoreResult(existing.get(), false);
    }
    ModelEntry entry =
        new ModelEntry(
            id, upload.modelSha256(), upload.modelName(), upload.modelBytes(),
            Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(), upload.externals());
    writeJson(upload.dir().resolve(SUMMARY_JSON), summary);
    writeJson(upload.dir().resolve(UPLOAD_JSON), entry);
    Path target = models.resolve(id);
    try {
      Files.move(upload.dir(), target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
      // The same content finished uploading concurrently: keep the first, the caller drops this one.
      return new StoreResult(find(id).orElseThrow(() -> e), false);
    }
    LOG.info("stored model {} ({}, {} bytes, {} external file(s)); received, hashed and written in {} ms, synced in {} ms,"
        + " read in {} ms, recorded in {} ms", id, entry.fileName(), entry.bytes(), entry.externalFiles().size(),
        upload.copyNanos() / 1_000_000, upload.syncNanos() / 1_000_000, readNanos / 1_000_000,
        (System.nanoTime() - t0 - readNanos) / 1_000_000);
    return new StoreResult(StoredModel.of(entry, summary), true);
  }

  @Override
  public Optional<StoredModel> find(String id) throws IOException {
    if (id == null || !ID.matcher(id).matches()) {
      return Optional.empty();
    }
    Path dir = models.resolve(id);
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    ModelEntry entry = json.readValue(dir.resolve(UPLOAD_JSON).toFile(), ModelEntry.class);
    return Optional.of(StoredModel.of(entry, summary(dir)));
  }

  /** The on-disk model file of a stored model, for later stages (checks, conversions). */
  @Override
  public Optional<Path> modelFile(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      return Optional.empty();
    }
    Path f = models.resolve(id).resolve(StagedUpload.FILES).resolve(StagedUpload.MODEL_FILE);
    return Files.isRegularFile(f) ? Optional.of(f) : Optional.empty();
  }

  /** {@code models/ID/derived/}: outside {@code files/}, so nothing derived can collide with an external-data name. */
  @Override
  public Optional<Path> derivedDir(String id) throws IOException {
    if (modelFile(id).isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(Files.createDirectories(models.resolve(id).resolve(DERIVED)));
  }

  /**
   * Removes a model's folder: first renamed into {@code tmp/} (one atomic step, so the model is gone for
   * readers at once and a crash leaves only debris that the next start clears), then deleted.
   */
  @Override
  public boolean delete(String id) throws IOException {
    if (id == null || !ID.matcher(id).matches()) {
      return false;
    }
    Path dir = models.resolve(id);
    if (!Files.isDirectory(dir)) {
      return false;
    }
    Path doomed = tmp.resolve("deleted-" + id + "-" + UUID.randomUUID());
    Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
    StagedUpload.deleteTree(doomed);
    return true;
  }

  @Override
  public List<ModelEntry> recent(int limit) throws IOException {
    List<ModelEntry> all = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(models)) {
      for (Path dir : dirs) {
        if (!ID.matcher(dir.getFileName().toString()).matches()) {
          continue;
        }
        try {
          all.add(json.readValue(dir.resolve(UPLOAD_JSON).toFile(), ModelEntry.class));
        } catch (IOException e) {
          LOG.warn("skipping damaged model folder {}: {}", dir, e.toString());
        }
      }
    }
    return all.stream()
        .sorted(Comparator.comparing(ModelEntry::uploadedAt).reversed().thenComparing(ModelEntry::id))
        .limit(Math.max(0, limit))
        .toList();
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      lockChannel.close();
    }
  }

  /**
   * The stored summary; recomputed from the model when missing or written by an older reader, so a reader
   * upgrade does not strand stored models.
   */
  private ModelSummary summary(Path dir) throws IOException {
    Path file = dir.resolve(SUMMARY_JSON);
    try {
      return json.readValue(file.toFile(), ModelSummary.class);
    } catch (IOException e) {
      LOG.warn("summary of {} unreadable ({}); reading the model again", dir.getFileName(), e.toString());
      ModelSummary s = ModelSummary.of(OnnxModelReader.read(dir.resolve(StagedUpload.FILES).resolve(StagedUpload.MODEL_FILE)));
      writeJson(file, s);
      return s;
    }
  }

  private static void checkAllExternalsUsed(StagedUpload upload, ModelSummary summary) {
    Set<String> unused = new LinkedHashSet<>();
    for (StoredFile f : upload.externals()) {
      unused.add(f.name());
    }
    summary.externalDataFiles().forEach(unused::remove);
    if (!unused.isEmpty()) {
      throw new InvalidModelException(
          "the model does not refer to the uploaded external-data file(s) " + String.join(", ", unused)
              + "; send only the files its initializers name"
              + (summary.externalDataFiles().isEmpty() ? " (it names none)" : " (" + String.join(", ", summary.externalDataFiles()) + ")"));
    }
  }

  static String idOf(StagedUpload upload) {
    if (upload.externals().isEmpty()) {
      return upload.modelSha256();
    }
    StringBuilder manifest = new StringBuilder();
    List<StoredFile> files = new ArrayList<>(upload.externals());
    files.add(new StoredFile(StagedUpload.MODEL_FILE, upload.modelBytes(), upload.modelSha256()));
    files.sort(Comparator.comparing(StoredFile::name));
    for (StoredFile f : files) {
      manifest.append(f.name()).append(' ').append(f.sha256()).append('\n');
    }
    MessageDigest sha = StagedUpload.sha256();
    return HexFormat.of().formatHex(sha.digest(manifest.toString().getBytes(StandardCharsets.UTF_8)));
  }

  private void writeJson(Path file, Object value) throws IOException {
    Path part = file.resolveSibling(file.getFileName() + ".part");
    Files.write(part, Json.pretty().writeValueAsBytes(value));
    Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private void clearTmp() throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmp)) {
      for (Path p : entries) {
        LOG.info("removing an upload interrupted earlier: {}", p.getFileName());
        StagedUpload.deleteTree(p);
      }
    }
  }
}
