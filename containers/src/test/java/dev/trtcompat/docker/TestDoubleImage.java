package dev.trtcompat.docker;

import dev.trtcompat.images.ImageReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds (once per JVM, and only when its content changed) the LOCAL trtexec test double image with
 * {@code containers/test-image/build.sh}. It is a stand-in for nvcr.io/nvidia/tensorrt, not TensorRT.
 */
public final class TestDoubleImage {

  /** The test double's repository; every tag of it is the same image. */
  public static final String REPOSITORY = "trt-compat-test-double/tensorrt";

  private static ImageReference built;

  private TestDoubleImage() {}

  /** {@code trt-compat-test-double/tensorrt:latest}, built if needed. */
  public static synchronized ImageReference image() {
    if (built == null) {
      built = ImageReference.parse(build(List.of("latest")).get(0));
    }
    return built;
  }

  /** Builds the image under the given tags (e.g. NGC tags like {@code 23.04-py3}) and returns their references. */
  public static synchronized List<String> build(List<String> tags) {
    Path script = repoRoot().resolve("containers/test-image/build.sh");
    List<String> command = new ArrayList<>(List.of("bash", script.toString()));
    command.addAll(tags);
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("test double image build took over 120 s: " + script);
      }
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IllegalStateException("test double image build failed (" + script + "):\n" + output);
      }
      return output.lines().filter(l -> l.startsWith(REPOSITORY + ":")).toList();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + script, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static Path repoRoot() {
    String repo = System.getProperty("trtcompat.repo");
    Path root = repo != null ? Path.of(repo) : Path.of("").toAbsolutePath().getParent();
    if (!Files.exists(root.resolve("containers/test-image/build.sh"))) {
      throw new IllegalStateException("cannot find containers/test-image/build.sh under " + root);
    }
    return root;
  }
}
