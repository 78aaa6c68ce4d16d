package dev.trtcompat.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.PullResponseItem;
import dev.trtcompat.images.ImageReference;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/** Images on one engine: is an image there, and fetching it from its registry with progress reported. */
public final class ImageStore {

  private final DockerEngine engine;

  public ImageStore(DockerEngine engine) {
    this.engine = engine;
  }

  /** Whether the engine has this image locally. */
  public boolean isPresent(ImageReference image) {
    try {
      engine.client().inspectImageCmd(image.toString()).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  /**
   * Makes sure the image is on the engine: returns at once when it is, otherwise pulls it (when allowed).
   *
   * @throws ImageUnavailableException when absent and pulling is off, or the pull fails or exceeds {@code timeout}
   */
  public void ensurePresent(ImageReference image, boolean pullAllowed, Duration timeout, Consumer<PullProgress> progress) {
    if (isPresent(image)) {
      return;
    }
    if (!pullAllowed) {
      throw ImageUnavailableException.notPresentAndPullDisabled(image);
    }
    pull(image, timeout, progress);
  }

  /** Pulls the image, reporting each progress message as the engine sends it. */
  public void pull(ImageReference image, Duration timeout, Consumer<PullProgress> progress) {
    AtomicReference<String> engineError = new AtomicReference<>();
    ResultCallback.Adapter<PullResponseItem> callback = new ResultCallback.Adapter<>() {
      @Override
      public void onNext(PullResponseItem item) {
        if (item.getErrorDetail() != null) {
          String message = item.getErrorDetail().getMessage();
          engineError.compareAndSet(null, message == null ? "the engine reported an error" : message);
        }
        var detail = item.getProgressDetail();
        progress.accept(new PullProgress(image.toString(), item.getId() == null ? "" : item.getId(),
            item.getStatus() == null ? "" : item.getStatus(),
            detail == null || detail.getCurrent() == null ? 0 : detail.getCurrent(),
            detail == null || detail.getTotal() == null ? 0 : detail.getTotal()));
      }
    };
    var cmd = engine.client().pullImageCmd(image.name());
    if (!image.digest().isEmpty()) {
      cmd = engine.client().pullImageCmd(image.name() + "@" + image.digest());
    } else {
      cmd = cmd.withTag(image.tag());
    }
    try (var running = cmd.exec(callback)) {
      if (!running.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw ImageUnavailableException.pullFailed(image, "no answer within " + timeout.toSeconds() + " s", null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ImageUnavailableException.pullFailed(image, "interrupted", e);
    } catch (ImageUnavailableException e) {
      throw e;
    } catch (Exception e) {
      throw ImageUnavailableException.pullFailed(image, e.getMessage(), e);
    }
    if (engineError.get() != null) {
      throw ImageUnavailableException.pullFailed(image, engineError.get(), null);
    }
    if (!isPresent(image)) {
      throw ImageUnavailableException.pullFailed(image, "the engine reported no error but has no such image", null);
    }
  }
}
