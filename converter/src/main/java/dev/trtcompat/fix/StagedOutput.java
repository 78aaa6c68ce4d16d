package dev.trtcompat.fix;

import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The fixed model's files while they are checked and proven: a hidden folder beside {@code --out} holding the model
 * and, when it has one, its external-data file {@code OUT.data} (the name the model records). The folder is a
 * complete model folder, so the after-check and ONNX Runtime read it as the user will. {@link #commit} moves the
 * data file, then the model into place (each an atomic rename in the same folder): the model file appears last, so
 * no model is ever visible without its data. {@link #close} removes whatever was not committed.
 *
 * <p>Also how quantize and fp16 write their models ({@code quantize.ModelFiles.writeAtomically}): one writer of
 * models, streaming mapped weights out, for the three commands.
 */
public final class StagedOutput implements AutoCloseable {

  private final Path out;
  private final Path dir;
  private final Path model;
  private Path data;

  private StagedOutput(Path out, Path dir) {
    this.out = out;
    this.dir = dir;
    this.model = dir.resolve(out.getFileName());
  }

  /** A fresh staging folder in {@code out}'s folder (same file system, so the final moves are renames). */
  public static StagedOutput beside(Path out) throws IOException {
    Path parent = Files.createDirectories(out.toAbsolutePath().getParent());
    return new StagedOutput(out, Files.createTempDirectory(parent, "." + out.getFileName() + "."));
  }

  /** The name of the external-data file beside {@code out}: {@code fixed.onnx} keeps its weights in {@code fixed.onnx.data}. */
  static String dataName(Path out) {
    return out.getFileName() + ".data";
  }

  /**
   * Writes {@code fixed} into the staging folder: one file, or with {@code external} the model plus its
   * external-data file.
   *
   * @param sourceDir the folder of the model that was fixed: external-data locations in {@code fixed} are relative
   *     to it
   * @return the model as written (with external data, the tensors pointing at the data file)
   */
  public ModelProto write(ModelProto fixed, Path sourceDir, boolean external) throws IOException {
    ModelProto toWrite = fixed;
    if (external) {
      data = dir.resolve(dataName(out));
      toWrite = ExternalDataWriter.write(fixed, sourceDir, data, dataName(out));
    }
    ModelFiles.write(toWrite, model);
    return toWrite;
  }

  /**
   * A fresh empty folder inside the staging folder for {@code role}'s ONNX Runtime view ({@link RuntimeView}),
   * removed with the rest.
   */
  Path proofFolder(String role) throws IOException {
    return Files.createDirectory(dir.resolve("." + role + "-view")); // hidden: no --out name collides
  }

  /** The staged model file, for the checks before {@link #commit}. */
  Path model() {
    return model;
  }

  boolean hasExternalData() {
    return data != null;
  }

  /** Moves the files into place, the model last. */
  public void commit() throws IOException {
    if (data != null) {
      move(data, out.resolveSibling(dataName(out)));
    }
    move(model, out);
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Removes the staging folder and anything left in it (its proof folders included). */
  @Override
  public void close() throws IOException {
    delete(dir);
  }

  private static void delete(Path folder) throws IOException {
    if (!Files.exists(folder)) {
      return;
    }
    try (DirectoryStream<Path> left = Files.newDirectoryStream(folder)) {
      for (Path p : left) {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          delete(p);
        } else {
          Files.deleteIfExists(p);
        }
      }
    }
    Files.deleteIfExists(folder);
  }
}
