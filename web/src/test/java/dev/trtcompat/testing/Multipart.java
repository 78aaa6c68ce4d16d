package dev.trtcompat.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Builds real multipart/form-data bodies for the tests, files from bytes or streamed from disk. */
public final class Multipart {

  private final String boundary = "----trtcompat" + UUID.randomUUID().toString().replace("-", "");
  private final List<BodyPublisher> parts = new ArrayList<>();
  private final ByteArrayOutputStream whole = new ByteArrayOutputStream();
  private boolean streamed;

  public Multipart file(String field, String fileName, byte[] content) {
    byte[] head = head(field, fileName);
    parts.add(BodyPublishers.ofByteArray(head));
    parts.add(BodyPublishers.ofByteArray(content));
    parts.add(BodyPublishers.ofByteArray(crlf()));
    whole.writeBytes(head);
    whole.writeBytes(content);
    whole.writeBytes(crlf());
    return this;
  }

  /** A file part whose content is streamed from disk when the request is sent. */
  public Multipart file(String field, String fileName, Path content) throws FileNotFoundException {
    parts.add(BodyPublishers.ofByteArray(head(field, fileName)));
    parts.add(BodyPublishers.ofFile(content));
    parts.add(BodyPublishers.ofByteArray(crlf()));
    streamed = true;
    return this;
  }

  public Multipart text(String field, String value) {
    byte[] b = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"\r\n\r\n" + value + "\r\n")
        .getBytes(StandardCharsets.UTF_8);
    parts.add(BodyPublishers.ofByteArray(b));
    whole.writeBytes(b);
    return this;
  }

  public String contentType() {
    return "multipart/form-data; boundary=" + boundary;
  }

  /** With a Content-Length. */
  public BodyPublisher publisher() {
    List<BodyPublisher> all = new ArrayList<>(parts);
    all.add(BodyPublishers.ofByteArray(tail()));
    return BodyPublishers.concat(all.toArray(BodyPublisher[]::new));
  }

  /** Without a Content-Length (chunked), so only the streamed byte count can enforce a limit. */
  public BodyPublisher chunkedPublisher() {
    if (streamed) {
      throw new IllegalStateException("chunked bodies are built from in-memory parts only");
    }
    byte[] body = bytes();
    return BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body));
  }

  public byte[] bytes() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(whole.toByteArray());
    b.writeBytes(tail());
    return b.toByteArray();
  }

  public HttpRequest.Builder post(java.net.URI uri) {
    return HttpRequest.newBuilder(uri).header("Content-Type", contentType()).POST(publisher());
  }

  private byte[] head(String field, String fileName) {
    return ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"" + fileName
            + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] crlf() {
    return "\r\n".getBytes(StandardCharsets.US_ASCII);
  }

  private byte[] tail() {
    return ("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
  }
}
