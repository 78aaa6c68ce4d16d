package dev.trtcompat.check;

import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.rules.KnowledgeBase;
import dev.trtcompat.rules.OpsetFacts;
import dev.trtcompat.rules.ReleaseRules;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes the opset advice from the per-release results and the exporter opset facts. */
final class AdviceWriter {

  private final KnowledgeBase kb;

  AdviceWriter(KnowledgeBase kb) {
    this.kb = kb;
  }

  OpsetAdvice advise(OnnxModel model, List<ReleaseRules> releases, List<ReleaseResult> results) {
    long opset = model.defaultOpset();
    List<String> parsing = new ArrayList<>();
    for (ReleaseRules r : releases) {
      if (opset <= r.parser().opsetMax()) {
        parsing.add(r.release());
      }
    }
    String oldest = results.stream().filter(r -> r.verdict().accepts()).map(ReleaseResult::tensorrt)
        .findFirst().orElse(null);
    List<String> advice = new ArrayList<>();
    if (oldest != null) {
      advice.add("TensorRT " + oldest + " is the oldest release expected to accept the whole model");
    } else {
      advice.add("no checked TensorRT release is expected to accept the whole model; see the findings");
    }
    if (parsing.isEmpty() && !releases.isEmpty()) {
      advice.add("opset " + opset + " is newer than every checked release documents; re-export with opset "
          + releases.get(releases.size() - 1).parser().opsetMax() + " or lower");
    } else if (!parsing.isEmpty() && !parsing.get(0).equals(releases.get(0).release())) {
      advice.add("opset " + opset + " is documented from TensorRT " + parsing.get(0)
          + "; older releases need a re-export with a lower opset");
    }
    OpsetAdvice.PyTorchAdvice pt = pytorch(model, releases, advice);
    return new OpsetAdvice(opset, List.copyOf(parsing), oldest, pt, List.copyOf(advice));
  }

  private OpsetAdvice.PyTorchAdvice pytorch(OnnxModel model, List<ReleaseRules> releases, List<String> advice) {
    String producer = model.producerName() == null ? "" : model.producerName().toLowerCase(Locale.ROOT);
    if (!producer.equals("pytorch")) {
      return null;
    }
    String version = model.producerVersion();
    String torch = majorMinor(version);
    OpsetFacts.PyTorchRelease pr = kb.opsetFacts().pytorch().stream()
        .filter(p -> p.torch().equals(torch)).findFirst().orElse(null);
    int lo = pr == null ? 7 : pr.opsetMin();
    Integer hi = pr == null ? null : pr.opsetMax();
    Map<String, List<Integer>> perRelease = new LinkedHashMap<>();
    for (ReleaseRules r : releases) {
      int max = hi == null ? r.parser().opsetMax() : Math.min(hi, r.parser().opsetMax());
      int min = Math.max(lo, r.parser().opsetMin());
      if (min <= max) {
        perRelease.put(r.release(), List.of(min, max));
      }
    }
    if (pr != null && model.defaultOpset() > 0) {
      for (Map.Entry<String, List<Integer>> e : perRelease.entrySet()) {
        if (model.defaultOpset() > e.getValue().get(1)) {
          advice.add("for TensorRT " + e.getKey() + ", export with torch.onnx.export(..., opset_version="
              + e.getValue().get(1) + ") (PyTorch " + torch + " exports opsets " + lo + ".." + hi + ")");
          break;
        }
      }
    }
    return new OpsetAdvice.PyTorchAdvice(version, pr == null ? null : torch,
        pr == null ? null : List.of(lo, hi), perRelease);
  }

  /** {@code 2.1.0+cu118} to {@code 2.1}; null when unreadable. */
  static String majorMinor(String v) {
    if (v == null) {
      return null;
    }
    String[] p = v.split("[.+]");
    return p.length >= 2 && p[0].matches("\\d+") && p[1].matches("\\d+") ? p[0] + "." + p[1] : null;
  }
}
