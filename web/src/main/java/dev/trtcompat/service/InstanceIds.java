package dev.trtcompat.service;

import dev.trtcompat.jobs.JobRunnerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Where an instance's id comes from when none is configured. */
public final class InstanceIds {

  static final String FILE = "instance-id";

  private InstanceIds() {}

  /**
   * The id kept in {@code dataDir/instance-id}, created on first use. Stable across restarts, so a restarted
   * server recognises the cells it was running when it died and recovers them at once instead of waiting for
   * their leases. Only for a data folder one server owns (the embedded database); instances sharing a folder
   * need ids of their own.
   */
  public static String stable(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    try {
      if (Files.isRegularFile(file)) {
        String id = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (!id.isEmpty()) {
          return id;
        }
      }
      Files.createDirectories(dataDir);
      String id = JobRunnerConfig.generatedInstanceId();
      Path part = dataDir.resolve(FILE + ".part");
      Files.writeString(part, id + "\n", StandardCharsets.UTF_8);
      Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return id;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the instance id in " + file, e);
    }
  }
}
