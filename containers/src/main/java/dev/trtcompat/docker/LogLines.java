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
 * Turns the engine's log frames into whole lines. Frames split output at arbitrary byte offsets (even inside
 * a UTF-8 character), so bytes are buffered per stream until a line break arrives.
 */
final class LogLines extends ResultCallback.Adapter<Frame> {

  private static final Logger LOG = LoggerFactory.getLogger(LogLines.class);
  private static final int MAX_LINE_BYTES = 1 << 20;

  private final Consumer<LogLine> consumer;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  LogLines(Consumer<LogLine> consumer) {
    this.consumer = consumer;
  }

  @Override
  public synchronized void onNext(Frame frame) {
    boolean stderr = frame.getStreamType() == StreamType.STDERR;
    ByteArrayOutputStream buffer = stderr ? err : out;
    for (byte b : frame.getPayload()) {
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
  }

  @Override
  public void onComplete() {
    flush();
    super.onComplete();
  }

  @Override
  public void onError(Throwable throwable) {
    flush();
    super.onError(throwable);
  }

  private synchronized void flush() {
    if (out.size() > 0) {
      emit(out, false);
    }
    if (err.size() > 0) {
      emit(err, true);
    }
  }

  private void emit(ByteArrayOutputStream buffer, boolean stderr) {
    String text = buffer.toString(StandardCharsets.UTF_8);
    buffer.reset();
    if (text.endsWith("\r")) {
      text = text.substring(0, text.length() - 1);
    }
    try {
      consumer.accept(new LogLine(stderr, text));
    } catch (RuntimeException e) {
      // A failing consumer must not stop the stream, or the run would lose the rest of its log.
      LOG.warn("log consumer failed on a line; continuing", e);
    }
  }
}
