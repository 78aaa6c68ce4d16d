package dev.trtcompat.images;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which NGC TensorRT container image to run for a TensorRT release, read from the sourced table
 * {@code tensorrt-containers.tsv}, with the registry prefix configurable for private mirrors.
 */
public final class TensorRtImageCatalog {

  /** NVIDIA's registry path; images are {@code <prefix>/tensorrt:<tag>}. */
  public static final String NGC_PREFIX = "nvcr.io/nvidia";

  private static final String RESOURCE = "tensorrt-containers.tsv";

  /** Gap rows: tag {@code -}. */
  static final String NO_TAG = "-";

  private final List<TensorRtImage> images;
  private final List<Gap> gaps;
  private final String registryPrefix;

  /**
   * A TensorRT release with no known container tag, said explicitly instead of guessed.
   *
   * @param note why there is no tag (never shipped, or no source read states it)
   * @param sources what states it, or where to look it up
   */
  public record Gap(String release, String note, List<String> sources) {
    public Gap {
      sources = List.copyOf(sources);
    }
  }

  private record Table(List<TensorRtImage> images, List<Gap> gaps) {}

  private TensorRtImageCatalog(Table table, String registryPrefix) {
    this.images = List.copyOf(table.images());
    this.gaps = List.copyOf(table.gaps());
    this.registryPrefix = registryPrefix;
  }

  /** The built-in table, images served from NGC. */
  public static TensorRtImageCatalog builtIn() {
    try (InputStream in = TensorRtImageCatalog.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCE);
      }
      return new TensorRtImageCatalog(parse(in), NGC_PREFIX);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The same table served from another registry path, e.g. {@code registry.internal:5000/nvidia}. */
  public TensorRtImageCatalog withRegistryPrefix(String prefix) {
    if (prefix == null || prefix.isBlank()) {
      throw new IllegalArgumentException("registry prefix is empty");
    }
    // Validate now so a bad setting fails at start-up, not at the first conversion.
    ImageReference.parse(prefix.strip().replaceAll("/+$", "") + "/tensorrt:x");
    return new TensorRtImageCatalog(new Table(images, gaps), prefix.strip().replaceAll("/+$", ""));
  }

  public String registryPrefix() {
    return registryPrefix;
  }

  /** Every known tag, oldest first. */
  public List<TensorRtImage> images() {
    return images;
  }

  /** Releases with no known tag, with the reason, oldest first. */
  public List<Gap> gaps() {
    return gaps;
  }

  /** Why a release has no known tag, if the table says so. */
  public Optional<Gap> gapFor(String release) {
    return gaps.stream().filter(g -> g.release().equals(release.strip())).findFirst();
  }

  /** TensorRT release lines with at least one known container, oldest first (e.g. 7.0 ... 10.0). */
  public List<String> releases() {
    return images.stream().map(TensorRtImage::release).distinct().sorted(RELEASE_ORDER).toList();
  }

  /** The newest known container tag of a TensorRT release line ("8.6") or exact version ("8.6.1"). */
  public Optional<TensorRtImage> newestFor(String tensorRtVersion) {
    String wanted = tensorRtVersion.strip();
    return images.stream()
        .filter(i -> i.release().equals(wanted) || i.tensorRtVersion().equals(wanted)
            || i.tensorRtVersion().startsWith(wanted + "."))
        .reduce((first, second) -> second);
  }

  /** The catalog row of an NGC tag such as {@code 23.04-py3}. */
  public Optional<TensorRtImage> byTag(String tag) {
    return images.stream().filter(i -> i.tag().equals(tag)).findFirst();
  }

  /** Where to pull the image from under this catalog's registry prefix. */
  public ImageReference referenceOf(TensorRtImage image) {
    return ImageReference.parse(registryPrefix + "/tensorrt:" + image.tag());
  }

  static final Comparator<String> RELEASE_ORDER = Comparator.comparing(
      (String v) -> Arrays.stream(v.split("\\.")).mapToInt(Integer::parseInt).toArray(), Arrays::compare);

  static Table parse(InputStream in) throws IOException {
    List<TensorRtImage> rows = new ArrayList<>();
    List<Gap> gaps = new ArrayList<>();
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    String header = null;
    String line;
    int number = 0;
    while ((line = reader.readLine()) != null) {
      number++;
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      if (header == null) {
        header = line;
        if (!line.equals("tag\ttensorrt\ttensorrt_version\tcuda\tmin_driver\tnote\tsource")) {
          throw new IllegalStateException(RESOURCE + ": unexpected header '" + line + "'");
        }
        continue;
      }
      String[] cells = line.split("\t", -1);
      if (cells.length != 7 || cells[6].isBlank()) {
        throw new IllegalStateException(RESOURCE + " line " + number + ": expected 7 cells with a source");
      }
      List<String> sources = List.of(cells[6].strip().split("\\s+"));
      if (cells[0].equals(NO_TAG)) {
        if (cells[5].isBlank()) {
          throw new IllegalStateException(RESOURCE + " line " + number + ": a gap row says why in its note");
        }
        gaps.add(new Gap(cells[1], cells[5], sources));
      } else {
        rows.add(new TensorRtImage(cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], sources));
      }
    }
    return new Table(rows, gaps);
  }
}
