package dev.trtcompat.http;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.http.upload.MultipartReader;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.plugin.Plugin;
import java.util.concurrent.Semaphore;

/**
 * Bounds the uploads received at once, on the API, on the page's form, as resumable chunks ({@code PUT
 * /api/v1/uploads/{id}/files/{name}}) and as the files of a quantize, fp16 or fix request: each holds a request thread, a
 * stream to disk and a file in {@code tmp/} until it is stored, so without a bound a few slow clients could
 * hold them all. One more is answered 429 with {@code Retry-After}, before any of its body is read.
 *
 * <p>A Javalin plugin: registered after {@link Access}, so a request that is refused access never takes a slot.
 */
final class UploadSlots extends Plugin<Void> {

  static final int RETRY_AFTER_SECONDS = 5;

  private static final String HELD = "trtcompat.uploadSlot";

  private final int limit;
  private final Semaphore slots;

  UploadSlots(int limit) {
    this.limit = limit;
    this.slots = new Semaphore(limit);
  }

  @Override
  public void onStart(JavalinConfig config) {
    config.router.mount(routes -> {
      for (String path : new String[] {"/models", WebServer.API + "/models"}) {
        routes.before(path, ctx -> acquire(ctx, HandlerType.POST));
        // After-handlers run also when the upload route failed, so a refused upload gives its slot back.
        routes.after(path, this::release);
      }
      // A resumable upload's chunk holds a request thread and a file being written just as a whole upload does.
      routes.before(WebServer.API + "/uploads/*", ctx -> acquire(ctx, HandlerType.PUT));
      routes.after(WebServer.API + "/uploads/*", this::release);
      // So do calibration data and fix proof inputs sent with a quantize, fp16 or fix request (each multipart upload holds
      // the reader's buffer and a staged file); the same requests as JSON carry no files and take no slot.
      for (String prefix : new String[] {"/models/{id}/", WebServer.API + "/models/{id}/"}) {
        for (String action : new String[] {"quantize", "fp16", "fix"}) {
          routes.before(prefix + action, ctx -> {
            // the routes' own test for a multipart body (a boundary in the Content-Type), so the two never disagree
            if (MultipartReader.boundary(ctx.header("Content-Type")).isPresent()) {
              acquire(ctx, HandlerType.POST);
            }
          });
          routes.after(prefix + action, this::release);
        }
      }
    });
  }

  private void acquire(Context ctx, HandlerType receiving) {
    if (ctx.method() != receiving) {
      return;
    }
    if (!slots.tryAcquire()) {
      ctx.header("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
      throw new UserFacingException(Kind.LIMIT_REACHED, "too_many_uploads",
          "this server is already receiving " + limit + " uploads, the most it takes at once; try again in a few seconds");
    }
    ctx.attribute(HELD, Boolean.TRUE);
  }

  private void release(Context ctx) {
    if (ctx.attribute(HELD) != null) {
      ctx.attribute(HELD, null);
      slots.release();
    }
  }
}
