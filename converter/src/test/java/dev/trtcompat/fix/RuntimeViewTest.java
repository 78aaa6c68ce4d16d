package dev.trtcompat.fix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The view ONNX Runtime loads instead of a one-file model (the equivalence proof's fast path), and the streamed
 * writing of a model whose payloads are views of its source's mapping.
 */
class RuntimeViewTest {

  @TempDir Path dir;

  @Test
  void aOneFileModelIsViewedWithItsLargeWeightsPointingBackIntoItsOwnFile() throws IOException {
    Path src = Models.write(dir.resolve("ext.onnx"), ExternalDataOutputTest.graph().build(), 13);
    Path folder = Files.createDirectory(dir.resolve("view"));

    Path view = RuntimeView.of(src, OnnxModelReader.read(src), ModelFiles.read(src), folder);

    assertThat(view).isEqualTo(folder.resolve("ext.onnx"));
    assertThat(Files.size(view)).isLessThan(64 * 1024);
    assertThat(Files.isSameFile(folder.resolve(RuntimeView.WEIGHTS_LINK), src)).isTrue();
    Map<String, TensorProto> viewed = ExternalDataOutputTest.initializers(Models.read(view));
    Map<String, TensorProto> original = ExternalDataOutputTest.initializers(Models.read(src));
    for (String name : new String[] {"w1", "w2"}) {
      TensorProto t = viewed.get(name);
      assertThat(t.getDataLocation()).as(name).isEqualTo(TensorProto.DataLocation.EXTERNAL);
      assertThat(ExternalDataOutputTest.external(t)).containsEntry("location", RuntimeView.WEIGHTS_LINK);
      assertThat(ExternalDataOutputTest.bytesAt(src, t)).as(name).isEqualTo(original.get(name).getRawData());
    }
    // small payloads (the 2 KiB bias is below what the reader skims) stay inline
    assertThat(viewed.get("b").getRawData()).isEqualTo(original.get("b").getRawData());
    ExternalDataOutputTest.assertSameValues(ExternalDataOutputTest.outputs(view), ExternalDataOutputTest.outputs(src));
  }

  @Test
  void aModelWithoutLargeInlineWeightsIsLoadedAsItIs() throws IOException {
    Path src = Models.write(dir.resolve("small.onnx"), ExternalDataOutputTest.graph().clearInitializer()
        .addInitializer(Models.floats("w1", new long[] {1}, 1f)).build(), 13);
    Path folder = Files.createDirectory(dir.resolve("view"));
    assertThat(RuntimeView.of(src, OnnxModelReader.read(src), ModelFiles.read(src), folder)).isEqualTo(src);
    assertThat(folder).isEmptyDirectory();
  }

  @Test
  void writingAMappedModelGivesProtobufsOwnBytes() throws IOException {
    Path src = Models.write(dir.resolve("ext.onnx"), ExternalDataOutputTest.graph().setDocString("after inputs")
        .build(), 13);
    ModelProto mapped = ModelFiles.read(src);
    Path copy = dir.resolve("copy.onnx");

    ModelFiles.write(mapped, copy);

    assertThat(Files.readAllBytes(copy)).isEqualTo(mapped.toByteArray()).isEqualTo(Files.readAllBytes(src));
  }
}
