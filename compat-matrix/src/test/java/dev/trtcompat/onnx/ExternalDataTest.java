package dev.trtcompat.onnx;

import static dev.trtcompat.onnx.ModelBuilder.external;
import static dev.trtcompat.onnx.ModelBuilder.model;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExternalDataTest {

  @TempDir Path root;
  Path dir;

  @BeforeEach
  void folders() throws Exception {
    dir = Files.createDirectories(root.resolve("model"));
    Files.write(dir.resolve("weights.bin"), new byte[4096]);
    Files.createDirectories(dir.resolve("sub"));
    Files.write(dir.resolve("sub/more.bin"), new byte[100]);
    Files.write(root.resolve("secret.bin"), new byte[4096]);
  }

  private Path modelWith(String location, long offset, long length) throws Exception {
    ModelBuilder b = model();
    b.graph()
        .initializer(external("w", ElementType.FLOAT, location, offset, length, 16))
        .node("Relu", List.of("w"), List.of("y"));
    return b.write(dir.resolve("model.onnx"));
  }

  @Test
  void externalDataIsRecordedWithLocationOffsetAndLength() throws Exception {
    ModelBuilder b = model();
    b.graph()
        .initializer(external("w", ElementType.FLOAT, "weights.bin", 1024, 64, 16))
        .initializer(external("v", ElementType.INT8, "sub/more.bin", -1, -1, 100))
        .initializer(external("u", ElementType.FLOAT, "weights.bin", 0, 64, 16))
        .node("Relu", List.of("w"), List.of("y"));
    OnnxModel m = OnnxModelReader.read(b.write(dir.resolve("model.onnx")));

    TensorInfo w = m.graph().initializers().get(0);
    assertThat(w.externalLocation()).isEqualTo("weights.bin");
    assertThat(w.storedOffset()).isEqualTo(1024);
    assertThat(w.storedLength()).isEqualTo(64);
    assertThat(w.payloadBytes()).isEqualTo(64);
    TensorInfo v = m.graph().initializers().get(1);
    assertThat(v.storedOffset()).isZero();
    assertThat(v.payloadBytes()).isEqualTo(100);
    assertThat(m.externalDataFiles()).containsExactly("weights.bin", "sub/more.bin");
    ModelSummary s = ModelSummary.of(m);
    assertThat(s.externalDataFiles()).containsExactly("weights.bin", "sub/more.bin");
    assertThat(s.initializerBytes()).isEqualTo(228);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/etc/passwd", "../secret.bin", "sub/../../secret.bin", "..\\secret.bin", "sub\\..\\..\\secret.bin",
        "\\\\server\\share\\w.bin", "C:\\weights.bin", "c:/weights.bin", ""
      })
  void locationsLeavingTheFolderAreRefused(String location) throws Exception {
    Path m = modelWith(location, 0, 64);
    assertThatThrownBy(() -> OnnxModelReader.read(m))
        .isInstanceOf(UnsafeModelPathException.class)
        .hasMessageNotContaining("\n")
        .hasMessageContaining("initializer 'w'");
  }

  @Test
  void symlinkLeavingTheFolderIsRefused() throws Exception {
    Files.createSymbolicLink(dir.resolve("link.bin"), root.resolve("secret.bin"));
    Path m = modelWith("link.bin", 0, 64);
    assertThatThrownBy(() -> OnnxModelReader.read(m))
        .isInstanceOf(UnsafeModelPathException.class)
        .hasMessageContaining("a link that leaves the model's folder");
  }

  @Test
  void symlinkedFolderLeavingTheModelFolderIsRefused() throws Exception {
    Files.createSymbolicLink(dir.resolve("out"), root);
    Path m = modelWith("out/secret.bin", 0, 64);
    assertThatThrownBy(() -> OnnxModelReader.read(m)).isInstanceOf(UnsafeModelPathException.class);
  }

  @Test
  void symlinkInsideTheFolderIsFollowed() throws Exception {
    Files.createSymbolicLink(dir.resolve("alias.bin"), dir.resolve("weights.bin"));
    assertThat(OnnxModelReader.read(modelWith("alias.bin", 0, 64)).externalDataFiles()).containsExactly("alias.bin");
  }

  @Test
  void missingFileIsAClearError() throws Exception {
    Path m = modelWith("nowhere.bin", 0, 64);
    assertThatThrownBy(() -> OnnxModelReader.read(m))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("'nowhere.bin', which is not next to the model");
  }

  @Test
  void fileTooShortIsAClearError() throws Exception {
    Path m = modelWith("weights.bin", 4090, 64);
    assertThatThrownBy(() -> OnnxModelReader.read(m))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("has only 4096 bytes");
  }

  @Test
  void offsetNearLongMaxDoesNotOverflowTheCheck() throws Exception {
    Path m = modelWith("weights.bin", Long.MAX_VALUE - 10, 64);
    assertThatThrownBy(() -> OnnxModelReader.read(m)).isInstanceOf(InvalidModelException.class);
  }

  @Test
  void locationIsRequired() throws Exception {
    ModelBuilder b = model();
    b.graph()
        .initializer(
            external("w", ElementType.FLOAT, "x", 0, 64, 16).toBuilder().clearExternalData().build())
        .node("Relu", List.of("w"), List.of("y"));
    Path m = b.write(dir.resolve("model.onnx"));
    assertThatThrownBy(() -> OnnxModelReader.read(m))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("names no location");
  }

  @Test
  void subgraphInitializersGetTheSameChecks() throws Exception {
    GraphProto body =
        new ModelBuilder.Graph("body")
            .initializer(external("k", ElementType.FLOAT, "../secret.bin", 0, 64, 16))
            .node("Add", List.of("k", "k"), List.of("o"))
            .build();
    ModelBuilder b = model();
    b.graph().ifNode("cond", body, body, "y");
    Path m = b.write(dir.resolve("model.onnx"));
    assertThatThrownBy(() -> OnnxModelReader.read(m)).isInstanceOf(UnsafeModelPathException.class);
  }
}
