package dev.trtcompat.fix;

import static dev.trtcompat.fix.Models.FLOAT;
import static dev.trtcompat.fix.Models.i;
import static dev.trtcompat.fix.Models.node;
import static dev.trtcompat.fix.Models.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.StringStringEntryProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.ReferenceRequest;
import dev.trtcompat.reference.ReferenceRunner;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixed model written with external data: forced on small real models by a 1 MiB threshold (the default is
 * protobuf's 2 GiB, too slow to cross in a unit test; bench/fix-speed.sh crosses it), and always when the input
 * kept its weights in external files. ONNX Runtime runs every output from its own folder and must match the
 * original exactly.
 */
class ExternalDataOutputTest {

  static final CompatibilityChecker CHECKER = CompatibilityChecker.bundled();
  static final long MIB = 1 << 20;

  @TempDir Path dir;

  /**
   * MatMul by a 1 MiB weight, Add a bias, Gather 256 columns by INT64 indices (int64-to-int32 rewrites them), Reshape
   * to the Shape of the result (fold-constants turns the Shape into a new initializer), MatMul by a 256 KiB weight,
   * Mul by a scalar.
   */
  static GraphProto.Builder graph() {
    long[] idx = new long[256];
    for (int k = 0; k < idx.length; k++) {
      idx[k] = (k * 7L) % 512;
    }
    return GraphProto.newBuilder().setName("ext")
        .addNode(node("MatMul", "mm1", new String[] {"x", "w1"}, new String[] {"h1"}))
        .addNode(node("Add", "add", new String[] {"h1", "b"}, new String[] {"h2"}))
        .addNode(node("Gather", "gather", new String[] {"h2", "idx"}, new String[] {"g"}, i("axis", 1)))
        .addNode(node("Shape", "shape", new String[] {"g"}, new String[] {"s"}))
        .addNode(node("Reshape", "reshape", new String[] {"g", "s"}, new String[] {"r"}))
        .addNode(node("MatMul", "mm2", new String[] {"r", "w2"}, new String[] {"m"}))
        .addNode(node("Mul", "mul", new String[] {"m", "half"}, new String[] {"y"}))
        .addInitializer(floats("b", 2, 512))
        .addInitializer(floats("w1", 1, 512, 512))
        .addInitializer(Models.int64s("idx", new long[] {256}, idx))
        .addInitializer(floats("w2", 3, 256, 256))
        .addInitializer(Models.floats("half", new long[0], 0.5f))
        .addInput(value("x", FLOAT, 1, 512))
        .addOutput(value("y", FLOAT, 1, 256));
  }

  @Test
  void overTheThresholdTheWeightsGoToAnAlignedDataFileThatOnnxRuntimeReads() throws IOException {
    Path src = Models.write(dir.resolve("ext.onnx"), graph().build(), 13);
    Path out = dir.resolve("fixed.onnx");
    FixReport r = new ModelFixer(CHECKER, "test").withExternalDataAbove(MIB).fix(FixRequest.of(src, out));

    assertThat(r.status()).isEqualTo("fixed");
    assertThat(r.proven()).isTrue();
    assertThat(r.passesApplied()).contains("fold-constants", "int64-to-int32");
    assertThat(r.notes()).anySatisfy(n -> assertThat(n).contains("external data to fixed.onnx.data"));
    assertThat(listing()).containsExactlyInAnyOrder("ext.onnx", "fixed.onnx", "fixed.onnx.data");

    ModelProto fixed = Models.read(out);
    Map<String, TensorProto> inits = initializers(fixed);
    Map<String, TensorProto> before = initializers(Models.read(src));
    Path data = dir.resolve("fixed.onnx.data");
    for (String name : List.of("w1", "b", "w2")) {
      TensorProto t = inits.get(name);
      assertThat(t.getDataLocation()).as(name).isEqualTo(TensorProto.DataLocation.EXTERNAL);
      assertThat(t.hasRawData()).isFalse();
      assertThat(external(t)).containsEntry("location", "fixed.onnx.data");
      assertThat(bytesAt(data, t)).as(name).isEqualTo(before.get(name).getRawData());
    }
    // the 2 KiB bias comes first; the 1 MiB weight after it starts on the next 64 KiB boundary; smaller ones follow
    // without padding
    assertThat(external(inits.get("b")).get("offset")).isEqualTo("0");
    assertThat(external(inits.get("w1")).get("offset")).isEqualTo(Long.toString(ExternalDataWriter.ALIGNMENT));
    assertThat(Long.parseLong(external(inits.get("w1")).get("length"))).isEqualTo(MIB);
    // rewritten by a pass: written from its new INT32 value
    TensorProto idx = inits.get("idx");
    assertThat(idx.getDataType()).isEqualTo(6);
    assertThat(idx.getDataLocation()).isEqualTo(TensorProto.DataLocation.EXTERNAL);
    ByteBuffer ints = bytesAt(data, idx).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    assertThat(ints.getInt(4 * 3)).isEqualTo(21);
    assertThat(ints.getInt(4 * 255)).isEqualTo((255 * 7) % 512);
    // under 1 KiB stays inline: the scalar and the folded shape
    assertThat(inits.get("half").getDataLocation()).isEqualTo(TensorProto.DataLocation.DEFAULT);
    assertThat(inits.get("s").getRawData().size()).isEqualTo(16);

    assertSameOutputs(src, out);
  }

  @Test
  void underTheThresholdTheModelStaysOneFile() throws IOException {
    Path src = Models.write(dir.resolve("ext.onnx"), graph().build(), 13);
    Path out = dir.resolve("fixed.onnx");
    FixReport r = new ModelFixer(CHECKER, "test").withExternalDataAbove(4 * MIB).fix(FixRequest.of(src, out));
    assertThat(r.proven()).isTrue();
    assertThat(listing()).containsExactlyInAnyOrder("ext.onnx", "fixed.onnx");
    assertThat(initializers(Models.read(out)).get("w1").getRawData().size()).isEqualTo(MIB);
  }

  @Test
  void anInputWithExternalDataIsFixedIntoAnotherFolderWithItsOwnDataFile() throws IOException {
    Path srcDir = Files.createDirectories(dir.resolve("src"));
    Path src = withExternalWeights(srcDir, "weights.bin");
    Path outDir = dir.resolve("out");
    Path out = outDir.resolve("fixed.onnx");
    Map<String, HostTensor> expected = outputs(src);

    FixReport r = new ModelFixer(CHECKER, "test").fix(FixRequest.of(src, out));

    assertThat(r.proven()).isTrue();
    try (Stream<Path> s = Files.list(outDir)) {
      assertThat(s.map(p -> p.getFileName().toString()).toList())
          .containsExactlyInAnyOrder("fixed.onnx", "fixed.onnx.data");
    }
    ModelProto fixed = Models.read(out);
    for (TensorProto t : fixed.getGraph().getInitializerList()) {
      if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
        assertThat(external(t)).containsEntry("location", "fixed.onnx.data");
      }
    }
    // the output no longer needs the source folder
    Files.delete(srcDir.resolve("weights.bin"));
    assertSameValues(outputs(out), expected);
  }

  @Test
  void anOutputWhoseDataFileWouldOverwriteTheInputsWeightsIsRefused() throws IOException {
    Path srcDir = Files.createDirectories(dir.resolve("src"));
    Path src = withExternalWeights(srcDir, "fixed.onnx.data");
    byte[] weights = Files.readAllBytes(srcDir.resolve("fixed.onnx.data"));
    assertThatThrownBy(() -> new ModelFixer(CHECKER, "test").fix(FixRequest.of(src, srcDir.resolve("fixed.onnx"))))
        .isInstanceOf(UserFacingException.class)
        .hasMessageContaining("holds the input's weights");
    assertThat(srcDir.resolve("fixed.onnx")).doesNotExist();
    assertThat(Files.readAllBytes(srcDir.resolve("fixed.onnx.data"))).isEqualTo(weights);
  }

  @Test
  void aStagedOutputThatIsNotCommittedLeavesNothing() throws IOException {
    Path src = Models.write(dir.resolve("ext.onnx"), graph().build(), 13);
    Path out = dir.resolve("fixed.onnx");
    try (StagedOutput staged = StagedOutput.beside(out)) {
      staged.write(ModelFiles.read(src), dir, true);
      assertThat(staged.hasExternalData()).isTrue();
      assertThat(staged.model().resolveSibling("fixed.onnx.data")).exists();
    }
    assertThat(listing()).containsExactly("ext.onnx");
  }

  /** The graph of {@link #graph} saved with w1 and w2 in {@code dataName} (w2 at an unaligned offset). */
  private static Path withExternalWeights(Path srcDir, String dataName) throws IOException {
    GraphProto.Builder g = graph();
    long offset = 0;
    try (FileChannel ch = FileChannel.open(srcDir.resolve(dataName), StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      for (int k = 0; k < g.getInitializerCount(); k++) {
        TensorProto t = g.getInitializer(k);
        if (!t.getName().startsWith("w")) {
          continue;
        }
        ch.write(t.getRawData().asReadOnlyByteBuffer(), offset);
        g.setInitializer(k, t.toBuilder().clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
            .addExternalData(entry("location", dataName))
            .addExternalData(entry("offset", Long.toString(offset)))
            .addExternalData(entry("length", Long.toString(t.getRawData().size()))).build());
        offset += t.getRawData().size() + 100;
      }
    }
    return Models.write(srcDir.resolve("model.onnx"), g.build(), 13);
  }

  private static void assertSameOutputs(Path original, Path fixed) {
    assertSameValues(outputs(fixed), outputs(original));
  }

  static void assertSameValues(Map<String, HostTensor> got, Map<String, HostTensor> expected) {
    assertThat(got.keySet()).containsExactlyElementsOf(expected.keySet());
    expected.forEach((name, e) -> {
      assertThat(got.get(name).shape()).isEqualTo(e.shape());
      assertThat(got.get(name).toDoubles()).isEqualTo(e.toDoubles());
    });
  }

  /** ONNX Runtime's outputs for one fixed input, the model loaded from its own folder. */
  static Map<String, HostTensor> outputs(Path model) {
    float[] x = new float[512];
    Random rnd = new Random(7);
    for (int k = 0; k < x.length; k++) {
      x[k] = rnd.nextFloat() - 0.5f;
    }
    Map<String, HostTensor> given = new LinkedHashMap<>();
    given.put("x", HostTensor.ofFloats("x", new long[] {1, 512}, x));
    return new ReferenceRunner().run(ReferenceRequest.of(model).withRuns(1).withWarmup(0).withThreads(1)
        .withGivenInputs(given)).outputTensors();
  }

  private List<String> listing() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).toList();
    }
  }

  static Map<String, TensorProto> initializers(ModelProto m) {
    return m.getGraph().getInitializerList().stream().collect(Collectors.toMap(TensorProto::getName, t -> t));
  }

  static Map<String, String> external(TensorProto t) {
    return t.getExternalDataList().stream()
        .collect(Collectors.toMap(StringStringEntryProto::getKey, StringStringEntryProto::getValue));
  }

  static ByteString bytesAt(Path data, TensorProto t) throws IOException {
    Map<String, String> e = external(t);
    ByteBuffer b = ByteBuffer.allocate(Integer.parseInt(e.get("length")));
    try (FileChannel ch = FileChannel.open(data, StandardOpenOption.READ)) {
      long at = Long.parseLong(e.get("offset"));
      while (b.hasRemaining() && ch.read(b, at + b.position()) > 0) {
        // read until full
      }
    }
    return ByteString.copyFrom(b.flip());
  }

  private static TensorProto floats(String name, int seed, long... dims) {
    int n = 1;
    for (long d : dims) {
      n *= (int) d;
    }
    float[] v = new float[n];
    Random rnd = new Random(seed);
    for (int k = 0; k < n; k++) {
      v[k] = (float) (rnd.nextGaussian() * 0.05);
    }
    return Models.floats(name, dims, v);
  }

  private static StringStringEntryProto entry(String k, String v) {
    return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
  }
}
