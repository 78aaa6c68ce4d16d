package dev.trtcompat.images;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A container image reference parsed into its parts, so registries can be swapped (private mirror,
 * air-gapped copy) without string surgery.
 *
 * <p>{@code registry} is empty for Docker Hub short names and local images. {@code digest} is empty when the
 * reference is pinned by tag only.
 */
public record ImageReference(String registry, String repository, String tag, String digest) {

  private static final Pattern REPOSITORY = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final Pattern DIGEST = Pattern.compile("[a-z0-9]+:[a-f0-9]{32,}");

  public ImageReference {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(tag, "tag");
    Objects.requireNonNull(digest, "digest");
    if (!REPOSITORY.matcher(repository).matches()) {
      throw new IllegalArgumentException("not an image repository name: '" + repository + "'");
    }
    if (!tag.isEmpty() && !TAG.matcher(tag).matches()) {
      throw new IllegalArgumentException("not an image tag: '" + tag + "'");
    }
    if (!digest.isEmpty() && !DIGEST.matcher(digest).matches()) {
      throw new IllegalArgumentException("not an image digest: '" + digest + "'");
    }
    if (tag.isEmpty() && digest.isEmpty()) {
      // An unpinned reference silently means "latest"; trt-compat never wants that implicitly.
      throw new IllegalArgumentException("image '" + repository + "' names neither a tag nor a digest");
    }
  }

  /**
   * Parses {@code [registry/]repository[:tag][@digest]}. The first path part is a registry when it contains a
   * dot or a colon or is {@code localhost}, as Docker decides it.
   */
  public static ImageReference parse(String text) {
    Objects.requireNonNull(text, "text");
    String rest = text.strip();
    if (rest.isEmpty()) {
      throw new IllegalArgumentException("empty image reference");
    }
    String digest = "";
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.substring(at + 1);
      rest = rest.substring(0, at);
    }
    String registry = "";
    int slash = rest.indexOf('/');
    if (slash > 0) {
      String first = rest.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
        registry = first;
        rest = rest.substring(slash + 1);
      }
    }
    String tag = "";
    int colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
    }
    return new ImageReference(registry, rest, tag, digest);
  }

  /** The same image under another registry prefix, e.g. {@code nvcr.io/nvidia} to {@code mirror.local:5000/nv}. */
  public ImageReference withPrefix(String prefix) {
    String name = repository.substring(repository.lastIndexOf('/') + 1);
    ImageReference moved = parse(prefix.strip().replaceAll("/+$", "") + "/" + name + ":x");
    return new ImageReference(moved.registry(), moved.repository(), tag, digest);
  }

  /** The registry that serves this image, as Docker sees it ({@code docker.io} for short names). */
  public String registryOrDefault() {
    return registry.isEmpty() ? "docker.io" : registry;
  }

  /** Repository with registry, without tag or digest: what the pull API calls {@code fromImage}. */
  public String name() {
    return registry.isEmpty() ? repository : registry + "/" + repository;
  }

  @Override
  public String toString() {
    return name() + (tag.isEmpty() ? "" : ":" + tag) + (digest.isEmpty() ? "" : "@" + digest);
  }
}
