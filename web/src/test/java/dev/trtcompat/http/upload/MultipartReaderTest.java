package dev.trtcompat.http.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trtcompat.models.UploadTooLargeException;
import dev.trtcompat.testing.Multipart;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The multipart reader against real bodies, read through small buffers and streams that hand out a few bytes. */
class MultipartReaderTest {

  private static final String B = "b0undary";

  /** One part as read: its headers and all of its body. */
  record Read(MultipartReader.PartHeaders headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  @ParameterizedTest(name = "reads of {0} bytes")
  @ValueSource(ints = {1, 3, 7, 47, 64, 1 << 20})
  void theDelimiterIsFoundAtEveryOffsetAcrossTheBufferEdges(int readSize) throws IOException {
    Random random = new Random(readSize);
    // Content that keeps nearly matching the delimiter, and random bytes, at every length around the buffer size.
    byte[] nearMisses = "\r\n--b0undar\r\n-\r\n--\r\r\n--b0undarx\n--b0undary\r".repeat(8).getBytes(StandardCharsets.ISO_8859_1);
    for (int length = 0; length <= 200; length++) {
      byte[] content = new byte[length];
      random.nextBytes(content);
      if (length % 2 == 0) {
        System.arraycopy(nearMisses, 0, content, 0, Math.min(length, nearMisses.length));
      }
      byte[] body = body("--" + B + "\r\nContent-Disposition: form-data; name=\"model\"; filename=\"m.onnx\"\r\n\r\n",
          content, "\r\n--" + B + "\r\nContent-Disposition: form-data; name=\"trt\"\r\n\r\n10.3\r\n--" + B + "--\r\n");

      List<Read> parts = readAll(new MultipartReader(new Trickle(body, readSize), B, Long.MAX_VALUE, 96));

      assertThat(parts).hasSize(2);
      assertThat(parts.get(0).body()).as("content of %d bytes", length).isEqualTo(content);
      assertThat(parts.get(0).headers()).isEqualTo(new MultipartReader.PartHeaders("model", "m.onnx", null));
      assertThat(parts.get(1).text()).isEqualTo("10.3");
    }
  }

  @Test
  void aBodyBuiltByTheTestsClientReadsBackWithALargeBuffer() throws IOException {
    byte[] model = new byte[3 << 20];
    new Random(1).nextBytes(model);
    Multipart m = new Multipart().file("model", "m.onnx", model).file("external", "w.bin", new byte[] {1, 2}).text("label", "x");

    List<Read> parts = readAll(new MultipartReader(new ByteArrayInputStream(m.bytes()), boundaryOf(m), Long.MAX_VALUE));

    assertThat(parts).extracting(p -> p.headers().fieldName()).containsExactly("model", "external", "label");
    assertThat(parts.get(0).body()).isEqualTo(model);
    assertThat(parts.get(0).headers().contentType()).isEqualTo("application/octet-stream");
    assertThat(parts.get(1).body()).containsExactly(1, 2);
    assertThat(parts.get(2).headers().fileName()).isNull();
  }

  @Test
  void headerLinesMayEndInLfAloneButContentKeepsItsCrAndLf() throws IOException {
    byte[] body = body("--" + B + "\nContent-Disposition: form-data; name=\"model\"; filename=\"m\"\n\n",
        "a\rb\nc\r\n-d\r\n".getBytes(StandardCharsets.ISO_8859_1), "\r\n--" + B + "--");

    List<Read> parts = readAll(new MultipartReader(new Trickle(body, 5), B, Long.MAX_VALUE, 64));

    assertThat(parts).singleElement().extracting(Read::text).isEqualTo("a\rb\nc\r\n-d\r\n");
  }

  @Test
  void delimitersWithoutCrlfAreNotDelimiters() {
    // An LF-only body: "\n--b0undary--" is content, so the body ends before its closing boundary.
    byte[] body = ("--" + B + "\nContent-Disposition: form-data; name=\"model\"; filename=\"m\"\n\nabc\n--" + B + "--\n")
        .getBytes(StandardCharsets.ISO_8859_1);

    assertThatThrownBy(() -> readAll(new MultipartReader(new ByteArrayInputStream(body), B, Long.MAX_VALUE, 64)))
        .isInstanceOf(MultipartException.class)
        .hasMessageContaining("before the closing boundary");
  }

  @Test
  void thePreambleAndEpilogueAreIgnored() throws IOException {
    byte[] body = body("This is the preamble. --b0undar is not it.\r\n--" + B + "  \r\n"
            + "content-disposition: form-data; name=model; filename=m.onnx\r\n\r\n",
        "x".getBytes(StandardCharsets.US_ASCII), "\r\n--" + B + "--\r\nepilogue\r\n--" + B + "\r\nnot a part");

    List<Read> parts = readAll(new MultipartReader(new Trickle(body, 2), B, Long.MAX_VALUE, 64));

    assertThat(parts).singleElement().satisfies(p -> {
      assertThat(p.text()).isEqualTo("x");
      assertThat(p.headers()).isEqualTo(new MultipartReader.PartHeaders("model", "m.onnx", null));
    });
  }

  @Test
  void quotedParametersAndFileNamesWithPathCharactersAreKeptAsSent() throws IOException {
    byte[] body = body("--" + B + "\r\nContent-Disposition: form-data; filename=\"a; b \\\"q\\\".onnx\"; NAME=\"model\"\r\n\r\n1"
            + "\r\n--" + B + "\r\nContent-Disposition: form-data; name=\"external\"; filename=\"C:\\dir\\w.bin\"\r\n\r\n2"
            + "\r\n--" + B + "\r\nContent-Disposition: form-data; name=\"external\"; filename=\"../../etc/passwd\"\r\n\r\n3"
            + "\r\n--" + B + "\r\nContent-Disposition: form-data; name=\"external\"; filename=\"gr\u00fc\u00dfe.bin\"\r\n\r\n4"
            + "\r\n--" + B + "\r\nContent-Disposition: form-data; name=\"filename\"\r\n\r\n5"
            + "\r\n--" + B + "\r\nContent-Type: text/plain\r\n\r\n6",
        new byte[0], "\r\n--" + B + "--");

    List<Read> parts = readAll(new MultipartReader(new ByteArrayInputStream(body), B, Long.MAX_VALUE, 128));

    assertThat(parts).extracting(Read::headers).containsExactly(
        new MultipartReader.PartHeaders("model", "a; b \"q\".onnx", null),
        new MultipartReader.PartHeaders("external", "C:\\dir\\w.bin", null),
        new MultipartReader.PartHeaders("external", "../../etc/passwd", null),
        new MultipartReader.PartHeaders("external", "gr\u00fc\u00dfe.bin", null),
        new MultipartReader.PartHeaders("filename", null, null),
        new MultipartReader.PartHeaders(null, null, "text/plain"));
    assertThat(parts).extracting(Read::text).containsExactly("1", "2", "3", "4", "5", "6");
  }

  @Test
  void theBoundaryComesFromTheContentTypeQuotedOrNot() {
    assertThat(MultipartReader.boundary("multipart/form-data; boundary=abc")).contains("abc");
    assertThat(MultipartReader.boundary("Multipart/Form-Data; charset=utf-8; BOUNDARY=\"a b:c\"")).contains("a b:c");
    assertThat(MultipartReader.boundary("multipart/form-data")).isEmpty();
    assertThat(MultipartReader.boundary("multipart/form-data; boundary=")).isEmpty();
    assertThat(MultipartReader.boundary("application/octet-stream; boundary=abc")).isEmpty();
    assertThat(MultipartReader.boundary(null)).isEmpty();
  }

  @ParameterizedTest(name = "cut at {0} bytes from the end")
  @ValueSource(ints = {1, 2, 3, 8, 14, 15, 20, 60, 90})
  void aBodyCutBeforeItsClosingBoundaryIsAnErrorNotAShorterPart(int cut) {
    byte[] whole = body("--" + B + "\r\nContent-Disposition: form-data; name=\"model\"; filename=\"m\"\r\n\r\n",
        "0123456789".repeat(3).getBytes(StandardCharsets.US_ASCII), "\r\n--" + B + "--");
    byte[] body = Arrays.copyOf(whole, whole.length - cut);

    assertThatThrownBy(() -> readAll(new MultipartReader(new Trickle(body, 4), B, Long.MAX_VALUE, 64)))
        .isInstanceOf(MultipartException.class)
        .hasMessageStartingWith("the body ended");
  }

  @Test
  void anEmptyBodyOrOneWithoutTheBoundaryIsAnError() {
    for (String body : new String[] {"", "no boundary here\r\n--other--\r\n"}) {
      assertThatThrownBy(() -> readAll(new MultipartReader(
              new ByteArrayInputStream(body.getBytes(StandardCharsets.US_ASCII)), B, Long.MAX_VALUE, 64)))
          .isInstanceOf(MultipartException.class)
          .hasMessage("the body has no multipart boundary");
    }
  }

  @Test
  void onlyTheClosingDelimiterIsABodyWithoutParts() throws IOException {
    byte[] body = ("--" + B + "--\r\n").getBytes(StandardCharsets.US_ASCII);

    assertThat(readAll(new MultipartReader(new ByteArrayInputStream(body), B, Long.MAX_VALUE, 64))).isEmpty();
  }

  @Test
  void manyPartsEachReadOrSkippedUnread() throws IOException {
    Multipart m = new Multipart();
    for (int i = 0; i < 2000; i++) {
      m.file("external", "w" + i + ".bin", ("part " + i).repeat(i % 17).getBytes(StandardCharsets.US_ASCII));
    }
    MultipartReader reader = new MultipartReader(new Trickle(m.bytes(), 1000), boundaryOf(m), Long.MAX_VALUE, 4096);

    int count = 0;
    for (Optional<MultipartReader.Part> p = reader.next(); p.isPresent(); p = reader.next(), count++) {
      assertThat(p.get().headers().fileName()).isEqualTo("w" + count + ".bin");
      if (count % 2 == 0) { // odd parts are left unread: next() skips them
        assertThat(new String(p.get().body().readAllBytes(), StandardCharsets.US_ASCII))
            .isEqualTo(("part " + count).repeat(count % 17));
      }
    }
    assertThat(count).isEqualTo(2000);
    assertThat(reader.received()).isEqualTo(m.bytes().length);
  }

  @Test
  void aBodyPastTheLimitIsRefusedWhileStreaming() {
    Multipart m = new Multipart().file("model", "m.onnx", new byte[10_000]);

    assertThatThrownBy(() -> readAll(new MultipartReader(new Trickle(m.bytes(), 512), boundaryOf(m), 5_000, 1024)))
        .isInstanceOf(UploadTooLargeException.class);
  }

  @Test
  void aHeaderLineLongerThanTheBufferIsAnError() {
    byte[] body = ("--" + B + "\r\nContent-Disposition: form-data; name=\"" + "n".repeat(500) + "\"\r\n\r\nx\r\n--" + B + "--")
        .getBytes(StandardCharsets.US_ASCII);

    assertThatThrownBy(() -> readAll(new MultipartReader(new ByteArrayInputStream(body), B, Long.MAX_VALUE, 64)))
        .isInstanceOf(MultipartException.class)
        .hasMessageContaining("longer than the read buffer");
  }

  private static List<Read> readAll(MultipartReader reader) throws IOException {
    List<Read> parts = new ArrayList<>();
    for (Optional<MultipartReader.Part> p = reader.next(); p.isPresent(); p = reader.next()) {
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[13]; // small reads, so a part's body is handed out across many calls
      int n;
      while ((n = p.get().body().read(buf)) >= 0) {
        got.write(buf, 0, n);
      }
      parts.add(new Read(p.get().headers(), got.toByteArray()));
    }
    return parts;
  }

  private static byte[] body(String head, byte[] content, String tail) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(head.getBytes(StandardCharsets.UTF_8));
    b.writeBytes(content);
    b.writeBytes(tail.getBytes(StandardCharsets.UTF_8));
    return b.toByteArray();
  }

  private static String boundaryOf(Multipart m) {
    return MultipartReader.boundary(m.contentType()).orElseThrow();
  }

  /** A request stream that hands out at most {@code step} bytes per read, as a network does. */
  private static final class Trickle extends InputStream {
    private final byte[] data;
    private final int step;
    private int at;

    Trickle(byte[] data, int step) {
      this.data = data;
      this.step = step;
    }

    @Override
    public int read() {
      return at < data.length ? data[at++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (at >= data.length) {
        return -1;
      }
      int n = Math.min(Math.min(len, step), data.length - at);
      System.arraycopy(data, at, b, off, n);
      at += n;
      return n;
    }
  }
}
