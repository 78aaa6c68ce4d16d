package dev.trtcompat.docker;

import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.trtcompat.images.ImageReference;
import java.util.List;
import java.util.Optional;

/**
 * Which exact image a tag pointed at when it ran: the engine's image id and the registry digests, so an engine
 * can name the image that built it even after the tag moves.
 *
 * @param id the image id ({@code sha256:...}), the content hash of its configuration
 * @param repoDigests {@code name@sha256:...} for each registry it was pulled from; empty for local-only images
 */
public record ImageIdentity(String id, List<String> repoDigests) {

  public ImageIdentity {
    repoDigests = List.copyOf(repoDigests);
  }

  /** Inspects the image on the engine; empty when the engine has no such image. */
  public static Optional<ImageIdentity> of(DockerEngine engine, ImageReference image) {
    try {
      InspectImageResponse r = engine.client().inspectImageCmd(image.toString()).exec();
      return Optional.of(new ImageIdentity(r.getId(), r.getRepoDigests() == null ? List.of() : r.getRepoDigests()));
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }
}
