package dev.trtcompat.conversion;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.json.Json;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.InputShapes;
import dev.trtcompat.reference.NpyFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Reference inputs and outputs kept per model SHA-256, input shapes and seed, so converting one model for several
 * releases and precisions runs ONNX Runtime once. Each entry is a folder of {@code .npy} files plus an index
 * holding tensor names in graph order; it is written aside and moved in whole, so a reader never sees half.
 */
final class ReferenceCache {

  private static final String INDEX = "index.json";

  /** The tensors a conversion needs from the reference, in graph order. */
  record Entry(Map<String, HostTensor> inputs, Map<String, HostTensor> outputs) {}

  private final Path root;

  ReferenceCache(Path root) {
    this.root = root;
  }

  static String key(String modelSha256, InputShapes shapes, long seed) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256")
          .digest((shapes.format() + "|seed=" + seed).getBytes(StandardCharsets.UTF_8));
      return modelSha256 + "-" + HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The entry, or empty when absent or unreadable (then it is simply computed again). */
  Optional<Entry> get(String key) {
    Path dir = root.resolve(key);
    if (!Files.isRegularFile(dir.resolve(INDEX))) {
      return Optional.empty();
    }
    try {
      JsonNode index = Json.mapper().readTree(dir.resolve(INDEX).toFile());
      return Optional.of(new Entry(read(dir, "inputs", index), read(dir, "outputs", index)));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  void put(String key, Entry entry) throws IOException {
    Path target = root.resolve(key);
    if (Files.exists(target)) {
      return;
    }
    Files.createDirectories(root);
    Path tmp = root.resolve(".tmp-" + UUID.randomUUID());
    try {
      Map<String, List<String>> index = new LinkedHashMap<>();
      index.put("inputs", write(tmp, "inputs", entry.inputs()));
      index.put("outputs", write(tmp, "outputs", entry.outputs()));
      Json.mapper().writeValue(tmp.resolve(INDEX).toFile(), index);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
        // Another conversion of the same model stored it first; theirs is as good as ours.
      } catch (IOException e) {
        if (!Files.exists(target)) {
          throw e;
        }
      }
    } finally {
      EngineStore.deleteTree(tmp);
    }
  }

  private static List<String> write(Path dir, String folder, Map<String, HostTensor> tensors) throws IOException {
    Files.createDirectories(dir.resolve(folder));
    List<String> names = new ArrayList<>();
    int i = 0;
    for (HostTensor t : tensors.values()) {
      NpyFormat.write(dir.resolve(folder).resolve(i++ + ".npy"), t);
      names.add(t.name());
    }
    return names;
  }

  private static Map<String, HostTensor> read(Path dir, String folder, JsonNode index) throws IOException {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    int i = 0;
    for (JsonNode name : index.get(folder)) {
      out.put(name.asText(), NpyFormat.read(dir.resolve(folder).resolve(i++ + ".npy")).withName(name.asText()));
    }
    return out;
  }
}
