package dev.trtcompat.check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The include/exclude regexes of one onnx-tensorrt branch's onnx_backend_test.py. The ONNX backend test runner
 * applies them with re.search to names like {@code test_abs_cuda}; an exclude keeps the comment above it.
 */
record BackendTestList(String branch, List<Pattern> includes, List<Exclude> excludes) {

  record Exclude(Pattern pattern, String comment) {}

  private static final Pattern CALL = Pattern.compile("^backend_test\\.(include|exclude)\\(r?['\"](.*)['\"]\\)");

  static BackendTestList read(Path file) throws IOException {
    List<Pattern> inc = new ArrayList<>();
    List<Exclude> exc = new ArrayList<>();
    StringBuilder comment = new StringBuilder();
    for (String raw : Files.readAllLines(file)) {
      String line = raw.strip();
      if (line.startsWith("#")) {
        comment.append(line.substring(1).strip()).append(' ');
        continue;
      }
      Matcher m = CALL.matcher(line);
      if (m.find()) {
        Pattern p = Pattern.compile(m.group(2));
        if (m.group(1).equals("include")) {
          inc.add(p);
        } else {
          exc.add(new Exclude(p, comment.toString().strip()));
        }
        comment.setLength(0);
        continue;
      }
      if (line.isEmpty()) {
        comment.setLength(0);
      }
    }
    String name = file.getFileName().toString().replaceFirst("\\.py$", "");
    return new BackendTestList(name, List.copyOf(inc), List.copyOf(exc));
  }

  /** The runner's name for a node test on the CUDA device the TensorRT backend reports. */
  static String runnerName(String test) {
    return test + "_cuda";
  }

  boolean included(String test) {
    String n = runnerName(test);
    return includes.stream().anyMatch(p -> p.matcher(n).find());
  }

  Exclude exclusion(String test) {
    String n = runnerName(test);
    return excludes.stream().filter(e -> e.pattern().matcher(n).find()).findFirst().orElse(null);
  }

  /** Selected for running (and so expected to pass) on this branch. */
  boolean selected(String test) {
    return included(test) && exclusion(test) == null;
  }
}
