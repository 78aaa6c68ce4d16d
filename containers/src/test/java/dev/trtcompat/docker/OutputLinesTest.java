package dev.trtcompat.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputLinesTest {

  @Test
  void joinsFramesSplitInsideLinesAndInsideUtf8Characters() {
    List<OutputLine> lines = new ArrayList<>();
    OutputLines assembler = new OutputLines(lines::add);
    byte[] text = "[I] Engine built in 3.05 s\r\n[W] größer\nlast".getBytes(StandardCharsets.UTF_8);
    // Split "ö" (two bytes in UTF-8) across two frames.
    int split = indexOf(text, (byte) 0xC3) + 1;
    assembler.onNext(new Frame(StreamType.STDOUT, Arrays.copyOfRange(text, 0, 7)));
    assembler.onNext(new Frame(StreamType.STDERR, "err one\n".getBytes(StandardCharsets.UTF_8)));
    assembler.onNext(new Frame(StreamType.STDOUT, Arrays.copyOfRange(text, 7, split)));
    assembler.onNext(new Frame(StreamType.STDOUT, Arrays.copyOfRange(text, split, text.length)));
    assembler.onComplete();
    assembler.finish();

    assertThat(lines).containsExactly(
        new OutputLine(true, "err one"),
        new OutputLine(false, "[I] Engine built in 3.05 s"),
        new OutputLine(false, "[W] größer"),
        new OutputLine(false, "last"));
  }

  @Test
  void aFailingConsumerDoesNotStopTheStream() {
    List<String> seen = new ArrayList<>();
    OutputLines assembler = new OutputLines(line -> {
      seen.add(line.text());
      if (line.text().equals("bad")) {
        throw new IllegalStateException("consumer bug");
      }
    });
    assembler.onNext(new Frame(StreamType.STDOUT, "bad\ngood\n".getBytes(StandardCharsets.UTF_8)));
    assertThat(seen).containsExactly("bad", "good");
  }

  @Test
  void catchUpDeliversOnlyTheBytesTheFollowedStreamMissed() {
    List<OutputLine> lines = new ArrayList<>();
    OutputLines assembler = new OutputLines(lines::add);
    assembler.onNext(new Frame(StreamType.STDOUT, "a\n".getBytes(StandardCharsets.UTF_8)));
    assembler.onNext(new Frame(StreamType.STDERR, "e\n".getBytes(StandardCharsets.UTF_8)));
    var again = assembler.catchUp();
    again.onNext(new Frame(StreamType.STDOUT, "a\n".getBytes(StandardCharsets.UTF_8)));
    again.onNext(new Frame(StreamType.STDERR, "e\n".getBytes(StandardCharsets.UTF_8)));
    again.onNext(new Frame(StreamType.STDOUT, "tail without break".getBytes(StandardCharsets.UTF_8)));
    assembler.finish();
    assembler.onNext(new Frame(StreamType.STDOUT, "ignored\n".getBytes(StandardCharsets.UTF_8)));
    assertThat(lines).containsExactly(new OutputLine(false, "a"), new OutputLine(true, "e"),
        new OutputLine(false, "tail without break"));
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    throw new AssertionError();
  }
}
