package dev.trtcompat.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trtcompat.conversion.EngineStore;
import dev.trtcompat.conversion.StoredEngines;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.jobs.Cell;
import dev.trtcompat.jobs.CellSpec;
import dev.trtcompat.jobs.Job;
import dev.trtcompat.jobs.JobLimits;
import dev.trtcompat.jobs.JobQueue;
import dev.trtcompat.jobs.JobRequest;
import dev.trtcompat.precision.Precision;
import dev.trtcompat.store.Database;
import dev.trtcompat.testing.Backend;
import dev.trtcompat.testing.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models indexed once per content, engines evicted least recently used first, deletion that cascades. */
abstract class CatalogContract {

  @TempDir Path dataDir;
  @TempDir Path buildDir;
  private final Backend backend;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  Database db;
  ModelCatalog models;
  private EngineStore store;

  CatalogContract(Backend backend) {
    this.backend = backend;
  }

  @BeforeEach
  void open() {
    db = Database.open(backend.newDatabase(dataDir));
    models = new ModelCatalog(db, dataDir, clock);
  }

  @AfterEach
  void close() {
    if (db == null) {
      return; // the database never opened (e.g. PostgreSQL skipped on purpose): nothing to close
    }
    db.close();
    backend.dropDatabase();
  }

  /** Registers a model as the file store does after an upload, under the SHA-256 of {@code content}. */
  ModelRecord upload(String content, String name) throws Exception {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    return models.register(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), name,
        bytes.length);
  }

  /** An engine of {@code size} bytes put into the store as a conversion would; its SHA-256. */
  String built(String name, int size, byte fill) throws IOException {
    byte[] bytes = new byte[size];
    Arrays.fill(bytes, fill);
    return StoredEngines.put(store(), "e".repeat(64), bytes);
  }

  /** The service's layout: engines shared in the data folder, scratch folders elsewhere. */
  EngineStore store() throws IOException {
    if (store == null) {
      store = EngineStore.open(buildDir.resolve("scratch"), EngineCatalog.enginesDir(dataDir));
    }
    return store;
  }

  Path engineFolder(String sha256) {
    return EngineCatalog.enginesDir(dataDir).resolve(sha256);
  }

  static EngineBuild build(String model, String release) {
    return new EngineBuild(model, null, release, Precision.FP16, "sha256:" + "d".repeat(64), "NVIDIA H100",
        "--fp16 --onnx=model.onnx", 12.5);
  }

  @Test
  void theSameModelRegisteredTwiceIsOneRowMarkedUsedAgain() throws Exception {
    ModelRecord first = upload("resnet bytes", "resnet50.onnx");
    clock.advance(Duration.ofMinutes(5));
    ModelRecord second = upload("resnet bytes", "copy-of-resnet.onnx");

    assertThat(second.sha256()).isEqualTo(first.sha256());
    assertThat(second.originalName()).isEqualTo("resnet50.onnx");
    assertThat(second.sizeBytes()).isEqualTo(12);
    assertThat(second.uploadedAt()).isEqualTo(first.uploadedAt());
    assertThat(second.lastUsedAt()).isEqualTo(first.uploadedAt().plus(Duration.ofMinutes(5)));
    assertThat(count("SELECT COUNT(*) FROM model")).isEqualTo(1);
    assertThat(models.find("0".repeat(64))).isEmpty();
  }

  @Test
  void enginesPastTheQuotaAreEvictedLeastRecentlyUsedFirst() throws Exception {
    String model = upload("model", "m.onnx").sha256();
    EngineCatalog engines = new EngineCatalog(db, store(), 250, clock);

    EngineRecord e1 = engines.index(build(model, "8.6"), built("e1", 100, (byte) 1));
    clock.advance(Duration.ofMinutes(1));
    EngineRecord e2 = engines.index(build(model, "10.0"), built("e2", 100, (byte) 2));
    clock.advance(Duration.ofMinutes(1));
    // Downloading e1 makes it the most recently used: e2 is now the oldest.
    Path file = engines.download(e1.sha256());
    assertThat(Files.readAllBytes(file)).hasSize(100).containsOnly((byte) 1);
    clock.advance(Duration.ofMinutes(1));
    EngineRecord e3 = engines.index(build(model, "10.3"), built("e3", 100, (byte) 3));

    assertThat(engines.forModel(model)).extracting(EngineRecord::sha256).containsExactly(e1.sha256(), e3.sha256());
    assertThat(engines.usedBytes()).isEqualTo(200);
    assertThat(engineFolder(e2.sha256())).doesNotExist();
    assertThat(engineFolder(e1.sha256())).exists();
    assertThatThrownBy(() -> engines.download(e2.sha256()))
        .isInstanceOfSatisfying(UserFacingException.class, e -> {
          assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
          assertThat(e.detail()).contains("evicted").contains("Retry its cell");
        });
    EngineRecord stored = engines.require(e1.sha256());
    assertThat(stored.build()).isEqualTo(build(model, "8.6"));
    assertThat(stored.lastDownloadedAt()).isEqualTo(Instant.parse("2026-01-01T00:02:00Z"));
    assertThat(stored.sizeBytes()).isEqualTo(100);
  }

  @Test
  void theCatalogIndexesTheStoresEngineWithoutCopyingIt() throws Exception {
    String model = upload("model", "m.onnx").sha256();
    EngineCatalog engines = new EngineCatalog(db, store(), 1 << 20, clock);
    String sha = built("e", 64, (byte) 5);

    EngineRecord indexed = engines.index(build(model, "10.3"), sha);
    EngineRecord again = engines.index(build(model, "10.3"), sha);

    assertThat(again).isEqualTo(indexed);
    assertThat(indexed.sizeBytes()).isEqualTo(64);
    assertThat(engines.download(sha)).isEqualTo(store().engineFile(sha).orElseThrow());
    try (var all = Files.walk(EngineCatalog.enginesDir(dataDir))) {
      assertThat(all.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(EngineStore.ENGINE_FILE, EngineStore.METADATA_FILE);
    }
    assertThatThrownBy(() -> engines.index(build(model, "10.3"), "f".repeat(64)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void anEngineCopiedByAnEarlierVersionIsStillServedAndEvicted() throws Exception {
    String model = upload("model", "m.onnx").sha256();
    EngineCatalog engines = new EngineCatalog(db, store(), 150, clock);
    String sha = built("old", 100, (byte) 9);
    engines.index(build(model, "8.6"), sha);
    // What the earlier catalog left: its own copy at <ab>/<sha>.engine, none in the store.
    Path earlier = EngineCatalog.enginesDir(dataDir).resolve(sha.substring(0, 2)).resolve(sha + ".engine");
    Files.createDirectories(earlier.getParent());
    Files.copy(store().engineFile(sha).orElseThrow(), earlier);
    store().delete(sha);

    assertThat(engines.download(sha)).isEqualTo(earlier);
    clock.advance(Duration.ofMinutes(1));
    engines.index(build(model, "10.3"), built("new", 100, (byte) 1));

    assertThat(engines.find(sha)).isEmpty();
    assertThat(earlier).doesNotExist();
  }

  @Test
  void anEngineLargerThanTheQuotaEvictsTheOthersButStaysItself() throws Exception {
    String model = upload("model", "m.onnx").sha256();
    EngineCatalog engines = new EngineCatalog(db, store(), 150, clock);
    EngineRecord small = engines.index(build(model, "8.6"), built("s", 100, (byte) 1));
    clock.advance(Duration.ofMinutes(1));
    EngineRecord big = engines.index(build(model, "10.3"), built("b", 400, (byte) 2));

    assertThat(engines.find(small.sha256())).isEmpty();
    assertThat(engines.find(big.sha256())).isPresent();
    // The next arrival evicts it in turn.
    clock.advance(Duration.ofMinutes(1));
    EngineRecord next = engines.index(build(model, "10.4"), built("n", 100, (byte) 3));
    assertThat(engines.forModel(model)).extracting(EngineRecord::sha256).containsExactly(next.sha256());
  }

  @Test
  void deletingAModelRemovesItsJobsCellsEventsEnginesAndLogs() throws Exception {
    String model = upload("doomed", "doomed.onnx").sha256();
    String other = upload("kept", "kept.onnx").sha256();
    JobQueue queue = new JobQueue(db, dataDir, JobLimits.defaults(), clock);
    Job job = queue.submit(new JobRequest(model, "alice", "{}",
        List.of(JobRequest.CellRequest.of(CellSpec.conversion("10.3", Precision.FP16)))));
    Job kept = queue.submit(new JobRequest(other, "alice", "{}",
        List.of(JobRequest.CellRequest.of(CellSpec.reference()))));
    Cell cell = job.cells().get(0);
    EngineCatalog engines = new EngineCatalog(db, store(), 1 << 20, clock);
    EngineRecord engine = engines.index(new EngineBuild(model, cell.id(), "10.3", Precision.FP16, "sha256:x", "gpu",
        "--fp16", 1.0), built("e", 10, (byte) 7));
    Path log = dataDir.resolve("logs/job-" + job.id() + "/cell-" + cell.id() + "-attempt-1.log");
    Files.createDirectories(log.getParent());
    Files.writeString(log, "a log line\n");

    models.delete(model);

    assertThat(models.find(model)).isEmpty();
    assertThat(queue.job(job.id())).isEmpty();
    assertThat(queue.cell(cell.id())).isEmpty();
    assertThat(queue.events(cell.id())).isEmpty();
    assertThat(engines.find(engine.sha256())).isEmpty();
    assertThat(engineFolder(engine.sha256())).doesNotExist();
    assertThat(log.getParent()).doesNotExist();
    assertThat(count("SELECT COUNT(*) FROM cell_event WHERE job_id = " + job.id())).isZero();
    // The other model and its job are untouched.
    assertThat(models.find(other)).isPresent();
    assertThat(queue.job(kept.id())).isPresent();
  }

  @Test
  void aModelWithARunningCellCannotBeDeleted() throws Exception {
    String model = upload("busy", "busy.onnx").sha256();
    JobQueue queue = new JobQueue(db, dataDir, JobLimits.defaults(), clock);
    Job job = queue.submit(new JobRequest(model, "alice", "{}",
        List.of(JobRequest.CellRequest.of(CellSpec.reference()))));
    db.inTransaction(c -> c.createStatement().executeUpdate(
        "UPDATE cell SET state = 'RUNNING', owner = 'x' WHERE job_id = " + job.id()));

    assertThatThrownBy(() -> models.delete(model))
        .isInstanceOfSatisfying(UserFacingException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFLICT));
    assertThat(models.find(model)).isPresent();
  }

  private int count(String sql) {
    return db.read(c -> {
      try (ResultSet rs = c.createStatement().executeQuery(sql)) {
        rs.next();
        return rs.getInt(1);
      }
    });
  }
}
