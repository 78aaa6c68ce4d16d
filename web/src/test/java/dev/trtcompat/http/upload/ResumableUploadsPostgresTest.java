package dev.trtcompat.http.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.models.FileModelStore;
import dev.trtcompat.models.StoreResult;
import dev.trtcompat.models.StoredModel;
import dev.trtcompat.store.Database;
import dev.trtcompat.testing.TestDatabases;
import dev.trtcompat.testing.TestDatabases.FreshPostgres;
import dev.trtcompat.testing.TestModels;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upload rows on PostgreSQL (the shared database): declare, two chunks, a refused offset, the bytes still to come,
 * resume, complete.
 */
@Tag("postgres")
class ResumableUploadsPostgresTest {

  @Test
  void aChunkedUploadCompletesOnPostgres(@TempDir Path data) throws Exception {
    byte[] model = TestModels.withInlineWeights(3 << 20);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model));
    List<StoredModel> registered = new ArrayList<>();
    try (FreshPostgres pg = TestDatabases.freshPostgres(); Database db = pg.open(data);
        FileModelStore store = FileModelStore.open(data);
        ResumableUploads uploads = new ResumableUploads(db, store, data, 1L << 30, Duration.ofHours(1),
            Clock.systemUTC(), "/api/v1/uploads", registered::add)) {
      var declared = uploads.create("alice", new ResumableUploads.Declaration(
          new ResumableUploads.FileDeclaration("m.onnx", (long) model.length, sha), null));
      String id = declared.id();
      int half = model.length / 2;
      uploads.append(id, "alice", "m.onnx", ChunkRange.of(null, "0"), half,
          new ByteArrayInputStream(Arrays.copyOfRange(model, 0, half)));
      assertThatThrownBy(() -> uploads.append(id, "alice", "m.onnx", ChunkRange.of(null, "1"), 1,
          new ByteArrayInputStream(new byte[1])))
          .isInstanceOf(OffsetMismatch.class);
      assertThatThrownBy(() -> uploads.status(id, "bob")).isInstanceOf(UserFacingException.class)
          .hasMessageContaining("no upload in progress");
      // SUM over bigint is numeric on PostgreSQL: the bytes still to come read back as the same long.
      assertThat(new UploadSessions(db).outstandingBytes()).containsExactlyEntriesOf(Map.of(id, (long) model.length - half));

      // A second service on the same database and folder (another instance, or this one restarted) resumes it.
      try (ResumableUploads other = new ResumableUploads(db, store, data, 1L << 30, Duration.ofHours(1),
          Clock.systemUTC(), "/api/v1/uploads", registered::add)) {
        assertThat(other.status(id, "alice").received()).isEqualTo(half);
        other.append(id, "alice", "m.onnx", ChunkRange.of("bytes " + half + "-" + (model.length - 1) + "/*", null),
            model.length - half, new ByteArrayInputStream(Arrays.copyOfRange(model, half, model.length)));
        StoreResult r = other.complete(id, "alice");
        assertThat(r.created()).isTrue();
        assertThat(r.model().id()).isEqualTo(sha);
      }
      assertThat(registered).extracting(StoredModel::id).containsExactly(sha);
      assertThatThrownBy(() -> uploads.status(id, "alice")).isInstanceOf(UserFacingException.class);
    }
  }
}
