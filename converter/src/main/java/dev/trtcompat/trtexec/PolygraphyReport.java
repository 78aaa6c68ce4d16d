package dev.trtcompat.trtexec;

import dev.trtcompat.trtexec.TrtexecLog.Comparison;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Polygraphy side of a log: {@code polygraphy run} accuracy comparisons in both the 2021 format
 * ("Required tolerances ... FAILED | Difference exceeds tolerance") and the current one ("FAILED | Output:
 * 'x' | ...", "Accuracy Summary | ... | Pass Rate: 0.0%", "FAILED | Runtime: 464.396s | Command: ...").
 */
final class PolygraphyReport {

  private static final int MAX_OUTPUTS = 100;
  private static final Pattern RUNNING = Pattern.compile("^RUNNING \\| Command: (.*)$");
  private static final Pattern MODULE = Pattern.compile("^Loaded Module: \\S+ \\| Version: ");
  private static final Pattern COMPARING = Pattern.compile("Comparing Output: '(.*?)'");
  private static final Pattern OUTPUT_VERDICT = Pattern.compile("^(PASSED|FAILED) \\| Output: '(.*?)' \\|");
  private static final Pattern OLD_FAILED = Pattern.compile("^FAILED \\| Difference exceeds tolerance");
  private static final Pattern MISMATCHED = Pattern.compile("^FAILED \\| Mismatched outputs: \\[(.*)\\]");
  private static final Pattern SUMMARY =
      Pattern.compile("Accuracy Summary \\|.*\\| Passed: (\\d+)/(\\d+) iterations \\| Pass Rate: ([\\d.]+)%");
  private static final Pattern FINAL = Pattern.compile("^(PASSED|FAILED) \\| Runtime: ([\\d.]+)s \\| Command: (.*)$");
  private static final Pattern RUNNER = Pattern.compile("\\b(?:trt|onnxrt|tf|onnx)-runner-N\\d+-");

  private String command;
  private String currentOutput;
  private final Set<String> passedOutputs = new LinkedHashSet<>();
  private final Set<String> failedOutputs = new LinkedHashSet<>();
  private Integer iterationsPassed;
  private Integer iterationsTotal;
  private Double passRate;
  private Boolean finalPassed;
  private Double runtimeSeconds;

  /** Returns true when the message is Polygraphy output. */
  boolean accept(String msg) {
    if (msg.indexOf('|') < 0 && msg.indexOf('\'') < 0 && !msg.contains("-runner-N")) {
      return false;
    }
    Matcher m;
    if ((m = RUNNING.matcher(msg)).matches()) {
      if (command == null) {
        command = truncate(m.group(1));
      }
      return true;
    }
    if (MODULE.matcher(msg).find()) {
      return true;
    }
    if ((m = COMPARING.matcher(msg)).find()) {
      currentOutput = m.group(1);
      return true;
    }
    if ((m = OUTPUT_VERDICT.matcher(msg)).find()) {
      (m.group(1).equals("PASSED") ? passedOutputs : failedOutputs).add(limit(m.group(2)));
      return true;
    }
    if (OLD_FAILED.matcher(msg).find()) {
      if (currentOutput != null) {
        failedOutputs.add(limit(currentOutput));
      }
      return true;
    }
    if ((m = MISMATCHED.matcher(msg)).find()) {
      for (String name : m.group(1).split(",")) {
        String n = name.strip().replaceAll("^'|'$", "");
        if (!n.isEmpty()) {
          failedOutputs.add(limit(n));
        }
      }
      return true;
    }
    if ((m = SUMMARY.matcher(msg)).find()) {
      iterationsPassed = Integer.parseInt(m.group(1));
      iterationsTotal = Integer.parseInt(m.group(2));
      passRate = Double.parseDouble(m.group(3));
      return true;
    }
    if ((m = FINAL.matcher(msg)).matches()) {
      finalPassed = m.group(1).equals("PASSED");
      runtimeSeconds = Double.parseDouble(m.group(2));
      if (command == null) {
        command = truncate(m.group(3));
      }
      return true;
    }
    return RUNNER.matcher(msg).find() || msg.startsWith("Accuracy Comparison |");
  }

  private String limit(String output) {
    return passedOutputs.size() + failedOutputs.size() < MAX_OUTPUTS ? output : "…";
  }

  boolean comparisonFailed() {
    return !failedOutputs.isEmpty() || (iterationsPassed != null && iterationsPassed < iterationsTotal);
  }

  Boolean finalPassed() {
    return finalPassed;
  }

  String command() {
    return command;
  }

  Comparison comparison() {
    Boolean passed;
    if (comparisonFailed()) {
      passed = false;
    } else if (iterationsPassed != null) {
      passed = iterationsPassed.equals(iterationsTotal);
    } else if (!passedOutputs.isEmpty()) {
      passed = true;
    } else {
      passed = null;
    }
    return new Comparison(
        passed,
        passRate,
        iterationsPassed,
        iterationsTotal,
        List.copyOf(new ArrayList<>(passedOutputs)),
        List.copyOf(new ArrayList<>(failedOutputs)),
        runtimeSeconds);
  }

  private static String truncate(String s) {
    return s.length() <= 2000 ? s : s.substring(0, 2000) + "…";
  }
}
