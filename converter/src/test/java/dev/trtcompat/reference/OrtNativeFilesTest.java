package dev.trtcompat.reference;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process that runs a model on ONNX Runtime must leave nothing in the temporary folder: the binding's extracted
 * native libraries and their folder go once loaded. Runs a real child JVM (the leak showed at process exit: one
 * empty {@code onnxruntime-java*} folder per run) with its own {@code java.io.tmpdir}.
 */
class OrtNativeFilesTest {

  /** The child: runs a tiny model through the reference runner, then exits normally. */
  public static final class RunOnce {
    public static void main(String[] args) throws IOException {
      Path model = TestModels.addBias(Path.of(args[0]), false);
      ReferenceResult r = new ReferenceRunner().run(ReferenceRequest.of(model).withRuns(1));
      System.out.println("outputs=" + r.outputs().size());
    }
  }

  @Test
  void aProcessThatRanOnnxRuntimeLeavesNoExtractedLibrariesBehind(@TempDir Path dir) throws Exception {
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Path models = Files.createDirectories(dir.resolve("models"));
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(java.toString(), "-Djava.io.tmpdir=" + tmp, "-cp", classpath,
        RunOnce.class.getName(), models.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("outputs=1"); // ONNX Runtime was really loaded and ran
    try (Stream<Path> left = Files.list(tmp)) {
      List<String> names = left.map(f -> f.getFileName().toString()).toList();
      assertThat(names).as("left in java.io.tmpdir").isEmpty();
    }
  }
}
