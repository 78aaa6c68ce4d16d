package dev.trtcompat.conversion;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.ModelBuilder;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.OperatorSetIdProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test pieces for conversions: the LOCAL trtexec test double image (a stand-in for nvcr.io/nvidia/tensorrt built by
 * containers/test-image/build.sh; not TensorRT), a real small model, and a model with NonZero at a chosen index.
 */
public final class ConversionFixtures {

  /** A real ONNX model from Debian's libonnx-testdata. */
  public static final Path ABS_MODEL = Path.of("/usr/share/libonnx-testdata/data/node/test_abs/model.onnx");

  private static String image;

  private ConversionFixtures() {}

  /** The test double's reference, built once per JVM (the script keeps an up-to-date image). */
  public static synchronized String testDoubleImage() {
    if (image == null) {
      Path script = repoRoot().resolve("containers/test-image/build.sh");
      try {
        Process p = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException("test double image build took over 120 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
          throw new IllegalStateException("test double image build failed:\n" + out);
        }
        image = out.lines().filter(l -> l.startsWith("trt-compat-test-double/tensorrt:")).findFirst().orElseThrow();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return image;
  }

  static Path repoRoot() {
    String repo = System.getProperty("trtcompat.repo");
    return repo != null ? Path.of(repo) : Path.of("").toAbsolutePath().getParent();
  }

  /** Container ids (running or not) carrying this owner label; must be empty after every test. */
  public static List<String> containersOf(String owner) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("docker", "ps", "-aq", "--filter", "label=dev.trtcompat.owner=" + owner)
        .redirectErrorStream(true).start();
    p.waitFor(30, TimeUnit.SECONDS);
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
  }

  /**
   * {@code nodesBefore} Identity nodes, then NonZero named {@code name} with first output {@code output}, as the
   * log trt8.x-nonzero-unsupported-plugin-not-found.log describes (node 84, NonZero_559, onnx::Transpose_634).
   */
  public static byte[] nonZeroModel(int nodesBefore, String name, String output) {
    GraphProto.Builder g = GraphProto.newBuilder().setName("nonzero").addInput(value("x", 4)).addOutput(value(output, -1));
    String prev = "x";
    List<NodeProto> nodes = new ArrayList<>();
    for (int i = 0; i < nodesBefore; i++) {
      String out = "t" + i;
      nodes.add(NodeProto.newBuilder().setOpType("Identity").setName("Identity_" + i).addInput(prev).addOutput(out).build());
      prev = out;
    }
    nodes.add(NodeProto.newBuilder().setOpType("NonZero").setName(name).addInput(prev).addOutput(output).build());
    g.addAllNode(nodes);
    return ModelProto.newBuilder().setIrVersion(8).setProducerName("trt-compat-tests")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build().toByteArray();
  }

  private static ValueInfoProto value(String name, long dim) {
    return ModelBuilder.value(name, ElementType.FLOAT, dim > 0 ? (Object) dim : "n");
  }

  public static String sha256(Path file) throws IOException {
    return EngineStore.sha256(file);
  }

  public static Path copy(Path from, Path dir) throws IOException {
    return Files.copy(from, dir.resolve(from.getFileName()));
  }
}
