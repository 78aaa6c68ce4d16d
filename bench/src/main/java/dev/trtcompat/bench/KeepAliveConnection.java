package dev.trtcompat.bench;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * One client's HTTP/1.1 connection, reused across requests as a browser would (keep-alive), reopened after
 * the server closes it or a request fails. Deliberately minimal (GET, Content-Length or chunked bodies, read
 * and thrown away) so that on a small machine the generator costs the server as little CPU as possible.
 */
final class KeepAliveConnection implements AutoCloseable {

  private final Duration timeout;
  private Socket socket;
  private InputStream in;
  private OutputStream out;
  private LoadTarget connectedTo;
  /** Whether the current response's status line arrived: a failure before it on a reused connection is retried. */
  private boolean gotStatus;

  KeepAliveConnection(Duration timeout) {
    this.timeout = timeout;
  }

  /** Sends one GET and reads the whole response; returns the status code. */
  int get(LoadTarget target) throws IOException {
    boolean reused = socket != null && sameServer(target);
    if (!reused) {
      open(target);
    }
    try {
      return exchange(target);
    } catch (IOException e) {
      close();
      if (!reused || gotStatus || e instanceof SocketTimeoutException) {
        throw e;
      }
      // The server may close an idle kept-alive connection just as we reuse it; like browsers, retry such a
      // request once on a fresh connection (its latency then includes the reconnect).
      open(target);
      try {
        return exchange(target);
      } catch (IOException | RuntimeException again) {
        close();
        throw again;
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private int exchange(LoadTarget target) throws IOException {
    gotStatus = false;
    out.write(("GET " + target.path() + " HTTP/1.1\r\nHost: " + target.hostHeader()
            + "\r\nUser-Agent: trt-compat-bench\r\nAccept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return readResponse();
  }

  private boolean sameServer(LoadTarget t) {
    return connectedTo.address().equals(t.address()) && connectedTo.port() == t.port();
  }

  private void open(LoadTarget target) throws IOException {
    close();
    Socket s = new Socket();
    try {
      s.setTcpNoDelay(true);
      s.setSoTimeout((int) timeout.toMillis());
      s.connect(new InetSocketAddress(target.address(), target.port()), (int) timeout.toMillis());
    } catch (IOException e) {
      s.close();
      throw e;
    }
    socket = s;
    in = new BufferedInputStream(s.getInputStream(), 1 << 16);
    out = s.getOutputStream();
    connectedTo = target;
  }

  private int readResponse() throws IOException {
    String status = line();
    gotStatus = true;
    // "HTTP/1.1 200 OK"
    String[] parts = status.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new MalformedResponseException("bad status line: " + status);
    }
    int code = Integer.parseInt(parts[1]);
    boolean keepAlive = parts[0].equals("HTTP/1.1");
    long length = -1;
    boolean chunked = false;
    for (String h = line(); !h.isEmpty(); h = line()) {
      int colon = h.indexOf(':');
      if (colon < 0) {
        throw new MalformedResponseException("bad header line: " + h);
      }
      String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = h.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
      switch (name) {
        case "content-length" -> length = Long.parseLong(value);
        case "transfer-encoding" -> chunked = value.contains("chunked");
        case "connection" -> keepAlive = keepAlive ? !value.contains("close") : value.contains("keep-alive");
        default -> {}
      }
    }
    if (code == 204 || code == 304 || (code >= 100 && code < 200)) {
      length = 0;
    }
    if (chunked) {
      for (long size = chunkSize(); size > 0; size = chunkSize()) {
        skip(size);
        line();
      }
      while (!line().isEmpty()) {
        // trailers
      }
    } else if (length >= 0) {
      skip(length);
    } else {
      in.transferTo(OutputStream.nullOutputStream()); // body ends when the server closes
      keepAlive = false;
    }
    if (!keepAlive) {
      close();
    }
    return code;
  }

  private long chunkSize() throws IOException {
    String l = line();
    int semi = l.indexOf(';');
    return Long.parseLong((semi < 0 ? l : l.substring(0, semi)).trim(), 16);
  }

  private void skip(long n) throws IOException {
    while (n > 0) {
      long k = in.skip(n);
      if (k <= 0) {
        if (in.read() < 0) {
          throw new EOFException("connection closed in the middle of a response body");
        }
        k = 1;
      }
      n -= k;
    }
  }

  /** A CRLF-terminated line without its terminator. */
  private String line() throws IOException {
    StringBuilder b = new StringBuilder(64);
    for (int c = in.read(); ; c = in.read()) {
      if (c < 0) {
        throw new EOFException("connection closed by the server before the response was complete");
      }
      if (c == '\n') {
        int end = b.length();
        if (end > 0 && b.charAt(end - 1) == '\r') {
          b.setLength(end - 1);
        }
        return b.toString();
      }
      if (b.length() > 16 * 1024) {
        throw new MalformedResponseException("header line over 16 KiB");
      }
      b.append((char) c);
    }
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing a connection we are abandoning: nothing to report
      }
      socket = null;
      in = null;
      out = null;
      connectedTo = null;
    }
  }

  /** The server's answer is not HTTP/1.x as we parse it; counted as its own error kind. */
  static final class MalformedResponseException extends IOException {
    MalformedResponseException(String message) {
      super(message);
    }
  }
}
