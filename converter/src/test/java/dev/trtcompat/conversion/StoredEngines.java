package dev.trtcompat.conversion;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** Puts engine files into an {@link EngineStore} the way a finished conversion does, for other packages' tests. */
public final class StoredEngines {

  private StoredEngines() {}

  /** Stores {@code bytes} as an engine built from {@code modelSha256}; returns its SHA-256. */
  public static String put(EngineStore store, String modelSha256, byte[] bytes) throws IOException {
    Path work = store.newWorkDir();
    Files.write(work.resolve(EngineStore.ENGINE_FILE), bytes);
    return store.put(work, facts -> new EngineArtifact(facts.sha256(), modelSha256, "10.3.0", "test:image",
        "sha256:" + "d".repeat(64), List.of(), "NVIDIA H100", "9.0", "fp16", List.of("--fp16"), 12.5, facts.bytes(),
        Instant.now().toString(), EngineArtifact.validity("10.3.0", "NVIDIA H100", "9.0"))).sha256();
  }
}
