package dev.trtcompat.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the engine's log frames into whole lines as they arrive. Frames split output at arbitrary byte offsets
 * (even inside a UTF-8 character), so bytes are buffered per stream until a line break arrives.
 *
 * <p>A followed log stream can end before the engine has stored a last line that has no line break (seen with
 * dockerd 20.10), so after the container exits {@link #catchUp()} reads the stored log once more and delivers
 * only the bytes the followed stream did not; {@link #finish()} then hands over what is left.
 */
final class OutputLines extends ResultCallback.Adapter<Frame> {

  private static final Logger LOG = LoggerFactory.getLogger(OutputLines.class);
  private static final int MAX_LINE_BYTES = 1 << 20;

  private final Consumer<OutputLine> consumer;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private long outBytes;
  private long errBytes;
  private boolean finished;

  OutputLines(Consumer<OutputLine> consumer) {
    this.consumer = consumer;
  }

  @Override
  public void onNext(Frame frame) {
    accept(frame, 0);
  }

  /** A callback for a second, non-followed read of the log that skips what this stream already delivered. */
  ResultCallback.Adapter<Frame> catchUp() {
    long[] skipOut = {outBytes()};
    long[] skipErr = {errBytes()};
    return new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Frame frame) {
        long[] skip = frame.getStreamType() == StreamType.STDERR ? skipErr : skipOut;
        int from = (int) Math.min(skip[0], frame.getPayload().length);
        skip[0] -= from;
        accept(frame, from);
      }
    };
  }

  /** Delivers a last line without a line break, if any. Later frames are ignored. */
  synchronized void finish() {
    if (finished) {
      return;
    }
    finished = true;
    if (out.size() > 0) {
      emit(out, false);
    }
    if (err.size() > 0) {
      emit(err, true);
    }
  }

  private synchronized long outBytes() {
    return outBytes;
  }

  private synchronized long errBytes() {
    return errBytes;
  }

  private synchronized void accept(Frame frame, int from) {
    if (finished) {
      return;
    }
    boolean stderr = frame.getStreamType() == StreamType.STDERR;
    ByteArrayOutputStream buffer = stderr ? err : out;
    byte[] payload = frame.getPayload();
    for (int i = from; i < payload.length; i++) {
      byte b = payload[i];
      if (b == '\n') {
        emit(buffer, stderr);
      } else {
        buffer.write(b);
        if (buffer.size() >= MAX_LINE_BYTES) {
          // A runaway line without breaks must not exhaust memory; hand it over in pieces.
          emit(buffer, stderr);
        }
      }
    }
    if (stderr) {
      errBytes += payload.length - from;
    } else {
      outBytes += payload.length - from;
    }
  }

  private void emit(ByteArrayOutputStream buffer, boolean stderr) {
    String text = buffer.toString(StandardCharsets.UTF_8);
    buffer.reset();
    if (text.endsWith("\r")) {
      text = text.substring(0, text.length() - 1);
    }
    try {
      consumer.accept(new OutputLine(stderr, text));
    } catch (RuntimeException e) {
      // A failing consumer must not stop the stream, or the run would lose the rest of its log.
      LOG.warn("log consumer failed on a line; continuing", e);
    }
  }
}
