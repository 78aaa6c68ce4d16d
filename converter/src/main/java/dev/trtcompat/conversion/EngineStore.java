package dev.trtcompat.conversion;

import dev.trtcompat.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Engines on disk, addressed by their SHA-256: {@code engines/<sha256>/engine.plan} with {@code metadata.json}
 * and trtexec's JSON exports beside it. Also hands out scratch folders for runs in progress ({@code work/}). The
 * service's engine catalog is an index over this layout: the engines are stored here once, nowhere else.
 */
public final class EngineStore {

  public static final String ENGINE_FILE = "engine.plan";
  public static final String METADATA_FILE = "metadata.json";
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private final Path engines;
  private final Path work;
  private final Path references;

  private EngineStore(Path root, Path engines) {
    this.engines = engines;
    this.work = root.resolve("work");
    this.references = root.resolve("references");
  }

  /** Where ONNX Runtime reference runs are cached, beside the engines (see {@link ReferenceCache}). */
  Path referencesDir() {
    return references;
  }

  /** Opens (creating) the store under {@code root}, dropping scratch folders an earlier process left. */
  public static EngineStore open(Path root) throws IOException {
    return open(root, root.resolve("engines"));
  }

  /**
   * Opens a store whose engines live in {@code enginesDir}, which other stores may share (instances of the service
   * over one data folder), while the scratch folders and the reference cache under {@code root} are this store's.
   */
  public static EngineStore open(Path root, Path enginesDir) throws IOException {
    EngineStore store = new EngineStore(root.toAbsolutePath().normalize(), enginesDir.toAbsolutePath().normalize());
    Files.createDirectories(store.engines);
    Files.createDirectories(store.work);
    try (Stream<Path> old = Files.list(store.work)) {
      for (Path p : old.toList()) {
        deleteTree(p);
      }
    }
    return store;
  }

  /** A fresh, empty folder for one run's outputs; the container writes into it, so everyone may write. */
  Path newWorkDir() throws IOException {
    Path dir = Files.createDirectory(work.resolve(UUID.randomUUID().toString()));
    // The image's user is not ours; without this a non-root trtexec could not write its engine.
    dir.toFile().setWritable(true, false);
    dir.toFile().setExecutable(true, false);
    return dir;
  }

  /**
   * Moves the engine (and the JSON exports beside it) of a finished run into the store under its SHA-256.
   * The same engine bytes stored twice keep the first metadata (content addressing: it is the same engine); the
   * scratch folder is consumed either way.
   */
  EngineArtifact put(Path workDir, Function<EngineFacts, EngineArtifact> describe) throws IOException {
    Path engine = workDir.resolve(ENGINE_FILE);
    String sha = sha256(engine);
    EngineArtifact artifact = describe.apply(new EngineFacts(sha, Files.size(engine)));
    Path target = engines.resolve(sha);
    if (Files.exists(target.resolve(METADATA_FILE))) {
      deleteTree(workDir);
      return get(sha).orElse(artifact);
    }
    Files.write(workDir.resolve(METADATA_FILE), Json.pretty().writeValueAsBytes(artifact));
    try {
      Files.move(workDir, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      if (!Files.exists(target.resolve(METADATA_FILE))) {
        throw e;
      }
      // Another run stored the same bytes at the same moment (rename onto a non-empty folder fails); theirs stands.
      deleteTree(workDir);
      return get(sha).orElse(artifact);
    }
    return artifact;
  }

  /** What the store measured about a new engine before it is described. */
  record EngineFacts(String sha256, long bytes) {}

  public Optional<EngineArtifact> get(String sha256) {
    if (sha256 == null || !SHA256.matcher(sha256).matches()) {
      return Optional.empty();
    }
    Path meta = engines.resolve(sha256).resolve(METADATA_FILE);
    if (!Files.isRegularFile(meta)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Json.mapper().readValue(meta.toFile(), EngineArtifact.class));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The engine file of a stored engine. */
  public Optional<Path> engineFile(String sha256) {
    return get(sha256).map(a -> engines.resolve(a.sha256()).resolve(ENGINE_FILE));
  }

  /** Every stored engine, newest first. */
  public List<EngineArtifact> list() throws IOException {
    List<EngineArtifact> out = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(engines)) {
      for (Path d : dirs) {
        get(d.getFileName().toString()).ifPresent(out::add);
      }
    }
    out.sort(Comparator.comparing(EngineArtifact::createdAt).reversed());
    return out;
  }

  /** Removes a stored engine; false when there was none. */
  public boolean delete(String sha256) throws IOException {
    if (get(sha256).isEmpty()) {
      return false;
    }
    deleteTree(engines.resolve(sha256));
    return true;
  }

  /** Removes a stored engine's folder from {@code enginesDir} without opening a store (deleting a model). */
  public static void delete(Path enginesDir, String sha256) throws IOException {
    if (sha256 == null || !SHA256.matcher(sha256).matches()) {
      // The hash becomes a path: never let anything else through.
      throw new IllegalArgumentException("not a lowercase SHA-256: " + sha256);
    }
    deleteTree(enginesDir.resolve(sha256));
  }

  /** Where the engines are: the folder an engine catalog indexes. */
  public Path enginesDir() {
    return engines;
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
