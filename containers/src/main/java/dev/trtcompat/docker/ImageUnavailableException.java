package dev.trtcompat.docker;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.images.ImageReference;

/** An image is not on the engine and could not (or may not) be pulled from its registry. */
public class ImageUnavailableException extends UserFacingException {

  private final ImageReference image;

  public ImageUnavailableException(ImageReference image, String detail, Throwable cause) {
    super(Kind.UNAVAILABLE, "image_unavailable", detail, cause);
    this.image = image;
  }

  public ImageReference image() {
    return image;
  }

  static ImageUnavailableException notPresentAndPullDisabled(ImageReference image) {
    return new ImageUnavailableException(image,
        "Image " + image + " is not on the Docker engine and pulling is turned off: load it with 'docker pull "
            + image + "' (or 'docker load' on an air-gapped host) or allow pulls.", null);
  }

  static ImageUnavailableException pullFailed(ImageReference image, String reason, Throwable cause) {
    return new ImageUnavailableException(image,
        "Image " + image + " is not on the Docker engine and could not be pulled from registry "
            + image.registryOrDefault() + " (" + oneLine(reason) + "): check the registry prefix, network access"
            + " and 'docker login " + image.registryOrDefault() + "', or load the image by hand.", cause);
  }

  static String oneLine(String text) {
    return text == null ? "no reason given" : text.replaceAll("\\s+", " ").strip();
  }
}
