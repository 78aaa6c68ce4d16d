package dev.trtcompat.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPOutputStream;

/**
 * A read-only image registry (the few endpoints of the Docker Registry HTTP API v2 that a pull uses) on
 * 127.0.0.1, serving one image taken from {@code docker save}. It lets tests exercise a real pull with progress
 * without any network: dockerd treats 127.0.0.0/8 as an insecure registry and speaks plain HTTP to it.
 */
final class LocalRegistry implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(2);
  private final Map<String, byte[]> blobs = new HashMap<>();
  private final byte[] manifest;
  private final String repository;
  private final String tag;

  /** Serves the image saved in {@code savedTar} (output of docker save) as {@code repository:tag}. */
  LocalRegistry(InputStream savedTar, String repository, String tag) throws Exception {
    this.repository = repository;
    this.tag = tag;
    Map<String, byte[]> files = untar(savedTar);
    JsonNode saved = JSON.readTree(files.get("manifest.json")).get(0);
    // One extra layer that the engine cannot have yet, so the pull really downloads something: unique to this
    // repository and 8 MiB of incompressible bytes, so the engine has time to report download progress.
    byte[] name = (repository + ":" + tag + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] body = new byte[8 << 20];
    new java.util.Random(repository.hashCode()).nextBytes(body);
    System.arraycopy(name, 0, body, 0, name.length);
    byte[] extra = tarOf("pulled-from-local-registry", body);
    ObjectNode config = (ObjectNode) JSON.readTree(files.get(saved.get("Config").asText()));
    ((ArrayNode) config.get("rootfs").get("diff_ids")).add("sha256:" + sha256(extra));
    config.remove("history");
    ObjectNode m = JSON.createObjectNode();
    m.put("schemaVersion", 2);
    m.put("mediaType", "application/vnd.docker.distribution.manifest.v2+json");
    m.set("config", descriptor("application/vnd.docker.container.image.v1+json", JSON.writeValueAsBytes(config)));
    ArrayNode layers = m.putArray("layers");
    for (JsonNode layer : saved.get("Layers")) {
      layers.add(descriptor("application/vnd.docker.image.rootfs.diff.tar.gzip", gzip(files.get(layer.asText()))));
    }
    layers.add(descriptor("application/vnd.docker.image.rootfs.diff.tar.gzip", gzip(extra)));
    this.manifest = JSON.writeValueAsBytes(m);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.setExecutor(executor);
    server.createContext("/v2/", this::handle);
    server.start();
  }

  /** host:port of the registry, e.g. {@code 127.0.0.1:41235}. */
  String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  private ObjectNode descriptor(String mediaType, byte[] content) throws Exception {
    String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    blobs.put(digest, content);
    ObjectNode d = JSON.createObjectNode();
    d.put("mediaType", mediaType);
    d.put("size", content.length);
    d.put("digest", digest);
    return d;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      boolean head = exchange.getRequestMethod().equals("HEAD");
      exchange.getResponseHeaders().add("Docker-Distribution-API-Version", "registry/2.0");
      if (path.equals("/v2/")) {
        send(exchange, head, "application/json", "{}".getBytes(StandardCharsets.UTF_8));
      } else if (path.equals("/v2/" + repository + "/manifests/" + tag)
          || path.equals("/v2/" + repository + "/manifests/sha256:" + sha256(manifest))) {
        exchange.getResponseHeaders().add("Docker-Content-Digest", "sha256:" + sha256(manifest));
        send(exchange, head, "application/vnd.docker.distribution.manifest.v2+json", manifest);
      } else if (path.startsWith("/v2/" + repository + "/blobs/") && blobs.containsKey(path.substring(path.lastIndexOf('/') + 1))) {
        send(exchange, head, "application/octet-stream", blobs.get(path.substring(path.lastIndexOf('/') + 1)));
      } else {
        byte[] body = "{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"not served here\"}]}".getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(404, body.length);
        exchange.getResponseBody().write(body);
      }
    }
  }

  private static void send(HttpExchange exchange, boolean head, String type, byte[] body) throws IOException {
    exchange.getResponseHeaders().add("Content-Type", type);
    exchange.getResponseHeaders().add("Content-Length", Integer.toString(body.length));
    exchange.sendResponseHeaders(200, head ? -1 : body.length);
    if (!head) {
      exchange.getResponseBody().write(body);
    }
  }

  private static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] gzip(byte[] content) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream gz = new GZIPOutputStream(out)) {
      gz.write(content);
    }
    return out.toByteArray();
  }

  /** A tar archive holding one regular file. */
  private static byte[] tarOf(String name, byte[] content) {
    byte[] header = new byte[512];
    put(header, 0, name);
    put(header, 100, "0000644");
    put(header, 108, "0000000");
    put(header, 116, "0000000");
    put(header, 124, String.format("%011o", content.length));
    put(header, 136, "00000000000");
    header[156] = '0';
    put(header, 257, "ustar");
    put(header, 263, "00");
    java.util.Arrays.fill(header, 148, 156, (byte) ' ');
    int sum = 0;
    for (byte b : header) {
      sum += b & 0xff;
    }
    put(header, 148, String.format("%06o", sum));
    header[154] = 0;
    header[155] = ' ';
    int padded = (content.length + 511) / 512 * 512;
    byte[] tar = new byte[512 + padded + 1024];
    System.arraycopy(header, 0, tar, 0, 512);
    System.arraycopy(content, 0, tar, 512, content.length);
    return tar;
  }

  private static void put(byte[] header, int offset, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(bytes, 0, header, offset, bytes.length);
  }

  /** Reads a ustar archive into memory (names to contents); enough for docker save output. */
  private static Map<String, byte[]> untar(InputStream in) throws IOException {
    Map<String, byte[]> files = new HashMap<>();
    byte[] header = new byte[512];
    while (in.readNBytes(header, 0, 512) == 512) {
      String name = field(header, 0, 100);
      if (name.isEmpty()) {
        break;
      }
      String prefix = field(header, 345, 155);
      long size = Long.parseLong(field(header, 124, 12).isEmpty() ? "0" : field(header, 124, 12), 8);
      byte[] content = in.readNBytes((int) size);
      in.skipNBytes((512 - size % 512) % 512);
      char type = (char) header[156];
      if (type == '0' || type == '\0') {
        files.put(prefix.isEmpty() ? name : prefix + "/" + name, content);
      }
    }
    return files;
  }

  private static String field(byte[] header, int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.US_ASCII).strip();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
