package dev.trtcompat.quantize;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The two image formats calibration reads, told apart by their first bytes rather than by the file's name (a PNG
 * named .jpg is a PNG), and decoded whole or refused: {@code ImageIO.read} would also take a GIF or BMP that only
 * its name calls a JPEG, and decodes a JPEG cut short with a warning, grey where the pixels are missing.
 */
enum ImageFormat {
  JPEG(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff}),
  PNG(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});

  /** Formats ImageIO would decode too, named so that the error says what the file holds. */
  private static final List<Other> OTHERS = List.of(
      new Other("GIF", "GIF8".getBytes(StandardCharsets.US_ASCII)), new Other("BMP", "BM".getBytes(StandardCharsets.US_ASCII)),
      new Other("TIFF", new byte[] {'I', 'I', '*', 0}), new Other("TIFF", new byte[] {'M', 'M', 0, '*'}));

  private record Other(String name, byte[] magic) {}

  private final byte[] magic;

  ImageFormat(byte[] magic) {
    this.magic = magic;
  }

  /** The format {@code f} holds, by its first bytes; a clear 400 / exit 2 naming the file when it is neither. */
  static ImageFormat of(Path f) {
    byte[] head;
    try (InputStream in = Files.newInputStream(f)) {
      head = in.readNBytes(64);
    } catch (IOException e) {
      throw new UserFacingException(
          Kind.INVALID_INPUT, "calibration_unreadable", "cannot read calibration image " + f.getFileName() + ": "
              + e.getMessage());
    }
    for (ImageFormat format : values()) {
      if (startsWith(head, format.magic)) {
        return format;
      }
    }
    String name = f.getFileName().toString();
    if (head.length == 0) {
      throw refused(name + " is empty, not a JPEG or PNG image");
    }
    for (Other o : OTHERS) {
      if (startsWith(head, o.magic())) {
        throw refused(name + " holds a " + o.name() + " image, not a JPEG or PNG");
      }
    }
    throw refused(name + (isText(head) ? " holds text, not a JPEG or PNG image" : " is not a JPEG or PNG image"));
  }

  /** Decodes {@code f}, which holds this format, whole: a decoder's error or warning means it is cut or damaged. */
  BufferedImage decode(Path f) {
    List<String> warnings = new ArrayList<>();
    try (ImageInputStream in = ImageIO.createImageInputStream(f.toFile())) {
      ImageReader reader = ImageIO.getImageReadersByFormatName(name()).next();
      try {
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        reader.setInput(in, true, true);
        BufferedImage image = reader.read(0);
        if (warnings.isEmpty()) {
          return image;
        }
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      // the decoder's words (e.g. "missing SOS marker") do not tell the user what to do
    }
    throw refused(f.getFileName() + " is a truncated or damaged " + name() + ": it cannot be decoded whole");
  }

  private static boolean startsWith(byte[] head, byte[] magic) {
    return head.length >= magic.length && Arrays.equals(head, 0, magic.length, magic, 0, magic.length);
  }

  /** Printable ASCII and whitespace only (UTF-8 text starting in ASCII): a text file given an image's name. */
  private static boolean isText(byte[] head) {
    for (byte b : head) {
      if (b < 0x20 && b != '\n' && b != '\r' && b != '\t' || b == 0x7f) {
        return false;
      }
    }
    return true;
  }

  private static UserFacingException refused(String detail) {
    return new UserFacingException(Kind.BAD_REQUEST, "unreadable_image", "calibration image " + detail);
  }
}
