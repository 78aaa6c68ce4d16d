package dev.trtcompat.reference;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Removes the folder ONNX Runtime's Java binding extracts its native libraries into, once they are loaded.
 *
 * <p>ONNX Runtime 1.19 copies its shared libraries into a fresh {@code onnxruntime-java*} folder under
 * {@code java.io.tmpdir} on every start and only marks folder and files for deletion at exit. It marks the folder
 * after the files, and the JVM deletes in reverse order, so the folder is tried while still full and one empty
 * folder is left behind per process (a CLI run, a test fork, a service start) — and the files too when the process
 * is killed. Once the libraries are mapped, Linux lets them be unlinked: this deletes them and the folder right
 * after loading, so nothing is left whatever way the process ends. Where that fails (another OS, another ORT
 * layout) it leaves the binding's own exit-time deletion in place.
 */
final class OrtNativeFiles {

  private static final AtomicBoolean DONE = new AtomicBoolean();

  private OrtNativeFiles() {}

  /** Deletes the extraction folder of the already-loaded binding; later calls do nothing. */
  static void removeExtracted() {
    if (!DONE.compareAndSet(false, true)) {
      return;
    }
    Path dir = extractionFolder();
    if (dir == null || !Files.isDirectory(dir) || !dir.getFileName().toString().startsWith("onnxruntime-java")) {
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException | SecurityException e) {
      // left to the binding's deleteOnExit; not worth failing a run over
    }
  }

  /** The binding keeps the folder in a private static field; null when this version has none. */
  private static Path extractionFolder() {
    try {
      Class<?> runtime = Class.forName("ai.onnxruntime.OnnxRuntime");
      Field f = runtime.getDeclaredField("tempDirectory");
      f.setAccessible(true);
      return f.get(null) instanceof Path p ? p : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
