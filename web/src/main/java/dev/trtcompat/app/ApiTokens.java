package dev.trtcompat.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The API tokens clients present ({@code Authorization: Bearer SECRET}), each under a client name used for
 * per-client limits and logs. Only a SHA-256 digest and a derived session key of each secret are kept, and
 * {@link #toString()} names clients only, so a secret can never reach a log through this object.
 */
public final class ApiTokens {

  /** The smallest secret accepted: 16 characters of a random token are out of reach of guessing over HTTP. */
  public static final int MIN_SECRET_LENGTH = 16;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
  /** Visible ASCII without the comma (which separates tokens in {@code api-tokens}). */
  private static final Pattern SECRET = Pattern.compile("[\\x21-\\x2b\\x2d-\\x7e]{" + MIN_SECRET_LENGTH + ",1024}");
  private static final byte[] SESSION_LABEL = "trt-compat session key v1".getBytes(StandardCharsets.US_ASCII);

  private static final ApiTokens NONE = new ApiTokens(List.of());

  /** One client: the digest compared with presented secrets, and the key its session cookies are signed with. */
  private record Client(String name, byte[] digest, byte[] sessionKey) {}

  private final List<Client> clients;

  private ApiTokens(List<Client> clients) {
    this.clients = List.copyOf(clients);
  }

  /** No tokens: the service is open, and therefore bound to loopback. */
  public static ApiTokens none() {
    return NONE;
  }

  /**
   * Parses {@code name:secret} entries: from {@code inline} separated by commas or new lines, and from
   * the file's lines ({@code #} starts a comment; blank lines are skipped). Both may be given; names must
   * be unique over both.
   *
   * @param inline the {@code api-tokens} value, may be empty
   * @param file the {@code api-tokens-file}, or null
   * @param inlineSource where {@code inline} came from, for messages
   * @param fileSource where the file's name came from, for messages
   * @throws InvalidConfigException naming the source and the line, never the secret
   */
  public static ApiTokens parse(String inline, Path file, String inlineSource, String fileSource) {
    Map<String, Client> byName = new LinkedHashMap<>();
    if (inline != null && !inline.isBlank()) {
      String[] entries = inline.split("[,\\n]");
      for (int i = 0; i < entries.length; i++) {
        add(byName, entries[i], "entry " + (i + 1) + " of api-tokens (from " + inlineSource + ")");
      }
    }
    if (file != null) {
      List<String> lines;
      try {
        lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new InvalidConfigException(
            "cannot read the API token file " + file + " (api-tokens-file from " + fileSource + "): " + e.getMessage());
      }
      for (int i = 0; i < lines.size(); i++) {
        add(byName, lines.get(i), "line " + (i + 1) + " of " + file);
      }
    }
    return byName.isEmpty() ? NONE : new ApiTokens(new ArrayList<>(byName.values()));
  }

  private static void add(Map<String, Client> byName, String raw, String where) {
    String entry = raw.strip();
    if (entry.isEmpty() || entry.startsWith("#")) {
      return;
    }
    int colon = entry.indexOf(':');
    if (colon < 0) {
      throw new InvalidConfigException(where + " is not 'name:secret'");
    }
    String name = entry.substring(0, colon).strip();
    String secret = entry.substring(colon + 1).strip();
    if (!NAME.matcher(name).matches()) {
      throw new InvalidConfigException(
          where + ": the client name '" + shorten(name) + "' must be 1 to 64 letters, digits, '.', '_', '@' or '-'");
    }
    if (!SECRET.matcher(secret).matches()) {
      throw new InvalidConfigException(
          where + ": the secret of client '" + name + "' must be " + MIN_SECRET_LENGTH
              + " to 1024 visible ASCII characters without commas or spaces (e.g. the output of openssl rand -hex 32)");
    }
    if (byName.containsKey(name)) {
      throw new InvalidConfigException(where + ": the client name '" + name + "' is given twice");
    }
    byte[] digest = sha256(secret);
    for (Client c : byName.values()) {
      if (MessageDigest.isEqual(c.digest(), digest)) {
        throw new InvalidConfigException(
            where + ": client '" + name + "' has the same secret as client '" + c.name() + "'; give each client its own");
      }
    }
    byName.put(name, new Client(name, digest, hmac(secret.getBytes(StandardCharsets.UTF_8), SESSION_LABEL)));
  }

  /** Whether any token is configured, i.e. whether requests must authenticate. */
  public boolean enabled() {
    return !clients.isEmpty();
  }

  /** The client names, in the order configured. */
  public List<String> clientNames() {
    return clients.stream().map(Client::name).toList();
  }

  /**
   * The client whose secret this is. Compares digests in constant time against every client, without
   * stopping at a match, so neither the position nor the length of a secret shows in the timing.
   */
  public Optional<String> clientFor(String presented) {
    if (presented == null) {
      return Optional.empty();
    }
    byte[] digest = sha256(presented);
    String found = null;
    for (Client c : clients) {
      if (MessageDigest.isEqual(c.digest(), digest)) {
        found = c.name();
      }
    }
    return Optional.ofNullable(found);
  }

  /**
   * The HMAC-SHA256 of {@code message} under {@code client}'s session key, or empty for an unknown client.
   * The key is derived from the client's secret, so every instance with the same token file accepts the
   * same cookies, and changing a secret ends that client's sessions.
   */
  public Optional<byte[]> sessionMac(String client, byte[] message) {
    for (Client c : clients) {
      if (c.name().equals(client)) {
        return Optional.of(hmac(c.sessionKey(), message));
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "ApiTokens" + clientNames();
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  private static byte[] hmac(byte[] key, byte[] message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(message);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 missing from the JDK", e);
    }
  }

  private static String shorten(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
