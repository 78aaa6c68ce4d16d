package dev.trtcompat.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.onnx.InvalidModelException;
import dev.trtcompat.testing.TestModels;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileModelStoreTest {

  @TempDir Path data;

  @Test
  void storesAModelUnderItsSha256WithItsSummaryAndUploadFacts() throws Exception {
    byte[] model = TestModels.single("Relu").build().toByteArray();
    try (FileModelStore store = FileModelStore.open(data)) {
      StoreResult r = add(store, "relu.onnx", model);

      assertThat(r.created()).isTrue();
      Path dir = data.resolve("models").resolve(r.model().id());
      assertThat(dir.resolve("files/model.onnx")).hasBinaryContent(model);
      assertThat(dir.resolve("summary.json")).content().contains("\"Relu\" : 1");
      assertThat(dir.resolve("upload.json")).content().contains("\"fileName\" : \"relu.onnx\"");
      assertThat(r.model().summary().nodeCount()).isEqualTo(1);
      assertThat(store.modelFile(r.model().id())).hasValue(dir.resolve("files/model.onnx"));
      assertThat(list(data.resolve("tmp"))).isZero();
    }
  }

  @Test
  void aStreamHandedOutInSmallPiecesIsWrittenAndHashedWholeAcrossManyBuffers() throws Exception {
    // 5 MiB and some: twenty-odd 256 KiB buffers, so the hashing thread reuses every buffer several times.
    byte[] weights = new byte[(5 << 20) + 12_345];
    new Random(7).nextBytes(weights);
    try (FileModelStore store = FileModelStore.open(data); StagedUpload up = store.stage(Long.MAX_VALUE)) {
      // At most 4 KiB per read, as commons-fileupload's part streams hand them out.
      up.addExternal("w.bin", new FilterInputStream(new ByteArrayInputStream(weights)) {
        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          return super.read(b, off, Math.min(len, 4096));
        }
      });

      StoredFile f = up.externals().get(0);
      assertThat(f.bytes()).isEqualTo(weights.length);
      assertThat(f.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(weights)));
      assertThat(up.dir().resolve("files/w.bin")).hasBinaryContent(weights);
    }
  }

  @Test
  void aReopenedStoreFindsWhatWasStoredAndTheSameContentIsNotStoredTwice() throws Exception {
    byte[] model = TestModels.single("Tanh").build().toByteArray();
    String id;
    try (FileModelStore store = FileModelStore.open(data)) {
      id = add(store, "a.onnx", model).model().id();
    }
    try (FileModelStore store = FileModelStore.open(data)) {
      assertThat(store.find(id)).hasValueSatisfying(m -> assertThat(m.summary().ops()).containsEntry("Tanh", 1));
      StoreResult again = add(store, "b.onnx", model);
      assertThat(again.created()).isFalse();
      assertThat(again.model().fileName()).isEqualTo("a.onnx");
      assertThat(list(data.resolve("models"))).isEqualTo(1);
      assertThat(list(data.resolve("tmp"))).isZero();
    }
  }

  @Test
  void aBadModelIsRefusedAndItsStagingFolderRemoved() throws Exception {
    try (FileModelStore store = FileModelStore.open(data)) {
      assertThatThrownBy(() -> add(store, "x.onnx", new byte[] {1, 2, 3})).isInstanceOf(InvalidModelException.class);
      assertThat(list(data.resolve("tmp"))).isZero();
      assertThat(list(data.resolve("models"))).isZero();
    }
  }

  @Test
  void theStreamedByteCountIsEnforcedEvenWithoutAnyDeclaredLength() throws Exception {
    try (FileModelStore store = FileModelStore.open(data)) {
      try (StagedUpload up = store.stage(1000)) {
        assertThatThrownBy(() -> up.addModel("big.onnx", new ByteArrayInputStream(new byte[1001])))
            .isInstanceOf(UploadTooLargeException.class);
      }
      assertThat(list(data.resolve("tmp"))).isZero();
    }
  }

  @Test
  void debrisOfAnInterruptedUploadIsClearedAtStart() throws Exception {
    Files.createDirectories(data.resolve("tmp/upload-crashed/files"));
    Files.write(data.resolve("tmp/upload-crashed/files/model.onnx"), new byte[100]);

    try (FileModelStore store = FileModelStore.open(data)) {
      assertThat(list(store.tmpDir())).isZero();
    }
  }

  @Test
  void twoServersCannotShareOneDataFolder() throws Exception {
    try (FileModelStore first = FileModelStore.open(data)) {
      assertThatThrownBy(() -> FileModelStore.open(data))
          .isInstanceOf(UserFacingException.class)
          .hasMessageContaining("in use by another trt-compat server");
    }
    FileModelStore.open(data).close(); // free again
  }

  @Test
  void aLostSummaryIsRecomputedFromTheModel() throws Exception {
    try (FileModelStore store = FileModelStore.open(data)) {
      String id = add(store, "m.onnx", TestModels.single("Exp").build().toByteArray()).model().id();
      Files.delete(data.resolve("models").resolve(id).resolve("summary.json"));

      assertThat(store.find(id)).hasValueSatisfying(m -> assertThat(m.summary().ops()).containsEntry("Exp", 1));
      assertThat(data.resolve("models").resolve(id).resolve("summary.json")).exists();
    }
  }

  @Test
  void idsThatAreNotSha256HexFindNothing() throws Exception {
    try (FileModelStore store = FileModelStore.open(data)) {
      assertThat(store.find("../tmp")).isEmpty();
      assertThat(store.find("ABCDEF".repeat(10) + "ABCD")).isEmpty();
      assertThat(store.find(null)).isEmpty();
      assertThat(store.modelFile("..")).isEmpty();
    }
  }

  @Test
  void externalFileNamesAreChecked() {
    assertThat(StagedUpload.checkExternalName("weights.bin")).isEqualTo("weights.bin");
    for (String bad : new String[] {"", "a/b", "a\\b", "..", "../x", ".hidden", "model.onnx", "a\u0000b", "c:x"}) {
      assertThatThrownBy(() -> StagedUpload.checkExternalName(bad)).as(bad).isInstanceOf(UserFacingException.class);
    }
  }

  @Test
  void displayNamesKeepOnlyTheLastSegment() {
    assertThat(StagedUpload.displayName("C:\\models\\resnet.onnx")).isEqualTo("resnet.onnx");
    assertThat(StagedUpload.displayName("../../x.onnx")).isEqualTo("x.onnx");
    assertThat(StagedUpload.displayName("a\nb.onnx")).isEqualTo("a?b.onnx");
    assertThat(StagedUpload.displayName("")).isEqualTo("model.onnx");
  }

  private static StoreResult add(FileModelStore store, String name, byte[] model) throws IOException {
    try (StagedUpload up = store.stage(1L << 30)) {
      up.addModel(name, new ByteArrayInputStream(model));
      return store.add(up);
    }
  }

  private static long list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }
}
