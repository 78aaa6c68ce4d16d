package dev.trtcompat.check;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.TensorInfo;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import dev.trtcompat.rules.KnowledgeBase;
import dev.trtcompat.rules.OpsetFacts;
import dev.trtcompat.rules.ReleaseRules;
import dev.trtcompat.rules.TypePolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Rules about the model as a whole: opset, IR version, element types, dynamic inputs. */
final class ModelRules {

  /** Ops that legitimately read low-precision (quantized) initializers. */
  private static final Set<String> QUANTIZED_READERS = Set.of("DequantizeLinear", "QuantizeLinear");

  private final KnowledgeBase kb;
  private final ReleaseRules rel;
  private final ModelIndex ix;
  private final Findings out;

  ModelRules(KnowledgeBase kb, ReleaseRules rel, ModelIndex ix, Findings out) {
    this.kb = kb;
    this.rel = rel;
    this.ix = ix;
    this.out = out;
  }

  void check() {
    OnnxModel m = ix.model;
    opset(m);
    irVersion(m);
    otherDomains(m);
    graphIoTypes(m);
    initializerTypes(m);
    dynamicInputs(m);
  }

  private void opset(OnnxModel m) {
    long opset = m.defaultOpset();
    if (opset == 0) {
      out.model(Severity.ERROR, "parser.no_default_opset",
          "the model imports no default-domain (ai.onnx) opset", "re-export the model; every ONNX model needs one");
      return;
    }
    if (opset < rel.parser().opsetMin()) {
      out.model(Severity.WARNING, "parser.opset_below_minimum",
          "opset " + opset + " is below " + rel.parser().opsetMin() + "; TensorRT " + rel.release()
              + "'s parser warns that such models are not guaranteed to work",
          "re-export with opset " + Math.max(11, rel.parser().opsetMin()) + " or newer (or convert with onnx.version_converter)");
    }
    if (opset > rel.parser().opsetMax()) {
      // The parser's code does not reject a newer opset, but what the release does with it is not documented:
      // unknown, never a silent pass (schemas newer than the range are also flagged per node).
      out.model(Severity.WARNING, "parser.opset_newer_than_parser.unknown",
          "the model's opset " + opset + " is newer than TensorRT " + rel.release() + "'s parser supports (up to opset "
              + rel.parser().opsetMax() + ")"
              + (rel.isDerived() ? "; the range is TensorRT " + rel.derivedFrom() + "'s, as " + rel.release()
                  + "'s own is not known" : ""),
          "re-export with opset " + rel.parser().opsetMax() + " or lower for TensorRT " + rel.release()
              + ", or use a newer release");
    }
  }

  private void irVersion(OnnxModel m) {
    if (m.irVersion() < 3) {
      out.model(Severity.ERROR, "parser.ir_version_too_old",
          "IR version " + m.irVersion() + " predates opset imports; TensorRT's parser needs IR version 3 or newer",
          "re-export the model with a current exporter");
      return;
    }
    OpsetFacts.OnnxRelease bundled = kb.opsetFacts().onnx().stream()
        .filter(o -> o.opset() == rel.parser().opsetMax()).findFirst().orElse(null);
    if (bundled != null && m.irVersion() > bundled.irVersion()) {
      out.model(Severity.INFO, "parser.ir_version_newer",
          "IR version " + m.irVersion() + " is newer than IR " + bundled.irVersion() + " (ONNX " + bundled.onnx()
              + ", the release matching TensorRT " + rel.release() + "'s newest opset); the parser does not check the"
              + " IR version, but fields added later are ignored",
          "if parsing fails, save the model with an older ONNX (onnx.save with ir_version " + bundled.irVersion() + ")");
    }
  }

  private void otherDomains(OnnxModel m) {
    for (Map.Entry<String, Long> e : m.opsetImports().entrySet()) {
      String d = e.getKey();
      if (!d.equals(OnnxModel.DEFAULT_DOMAIN) && !d.isEmpty()
          && ix.sites.stream().anyMatch(s -> s.domain().equals(d))) {
        out.model(Severity.INFO, "domain.imported",
            "the model imports domain '" + d + "' (version " + e.getValue() + "); its ops need plugins or local functions",
            "see the per-node findings for each op of that domain");
      }
    }
  }

  private void graphIoTypes(OnnxModel m) {
    List<ValueInfoProto> io = new ArrayList<>();
    for (ValueInfoProto v : m.graph().inputs()) {
      if (!ix.initializerNames.contains(v.getName())) {
        io.add(v);
      }
    }
    io.addAll(m.graph().outputs());
    Map<ElementType, List<String>> castDown = new LinkedHashMap<>();
    for (ValueInfoProto v : io) {
      if (!v.getType().hasTensorType()) {
        out.model(Severity.ERROR, "io.non_tensor",
            "network input/output '" + v.getName() + "' is not a tensor (sequence, map or optional)",
            "make every graph input and output a plain tensor");
        continue;
      }
      ElementType t = ElementType.fromWire(v.getType().getTensorType().getElemType()).orElse(null);
      if (t == null || t == ElementType.UNDEFINED) {
        continue;
      }
      TypePolicy p = rel.elementType(t.name()).orElse(null);
      if (p == null) {
        out.model(Severity.WARNING, "type.policy.unknown",
            "no fact about element type " + t + " for TensorRT " + rel.release() + " (tensor '" + v.getName() + "')",
            "cast '" + v.getName() + "' to FLOAT or INT32");
      } else if (p == TypePolicy.UNSUPPORTED || p == TypePolicy.QUANTIZED_ONLY) {
        out.model(Severity.ERROR, "type.io_unsupported",
            "network input/output '" + v.getName() + "' is " + t + ", which TensorRT " + rel.release()
                + (p == TypePolicy.QUANTIZED_ONLY ? " accepts only inside Q/DQ quantization" : " does not support"),
            "change its type to FLOAT, FLOAT16, INT32 or BOOL (cast inside the model)");
      } else if (p == TypePolicy.CAST_DOWN) {
        castDown.computeIfAbsent(t, k -> new ArrayList<>()).add(v.getName());
      }
    }
    castDown.forEach((t, names) -> out.model(Severity.WARNING, "type.cast_down." + t.name().toLowerCase(),
        "inputs/outputs " + quoteList(names) + " are " + t + "; TensorRT " + rel.release() + " casts them to "
            + (t == ElementType.DOUBLE ? "FLOAT" : "INT32"),
        "declare them as " + (t == ElementType.DOUBLE ? "FLOAT" : "INT32") + " to avoid the cast"));
  }

  private void initializerTypes(OnnxModel m) {
    Map<ElementType, List<String>> castDown = new LinkedHashMap<>();
    for (TensorInfo t : m.graph().initializers()) {
      ElementType type = t.elemType();
      TypePolicy p = rel.elementType(type.name()).orElse(null);
      if (p == null) {
        out.model(Severity.WARNING, "type.policy.unknown",
            "no fact about element type " + type + " for TensorRT " + rel.release() + " (initializer '" + t.name() + "')",
            "store it as FLOAT or INT32");
        continue;
      }
      List<String> readers = ix.initializerReaders.getOrDefault(t.name(), List.of());
      boolean onlyQuantized = !readers.isEmpty() && readers.stream().allMatch(QUANTIZED_READERS::contains);
      switch (p) {
        case SUPPORTED -> { }
        case CAST_DOWN -> castDown.computeIfAbsent(type, k -> new ArrayList<>()).add(t.name());
        case QUANTIZED_ONLY -> {
          if (!onlyQuantized && !readers.isEmpty()) {
            out.model(Severity.ERROR, "type.quantized_only",
                "initializer '" + t.name() + "' is " + type + " and is read by " + readers.get(0)
                    + "; TensorRT " + rel.release() + " accepts " + type + " only through QuantizeLinear/DequantizeLinear",
                "store it in a floating-point type and quantize with Q/DQ nodes");
          }
        }
        case IO_ONLY, UNSUPPORTED -> {
          if (!readers.isEmpty()) {
            out.model(Severity.ERROR, "type.unsupported",
                "initializer '" + t.name() + "' is " + type + ", which TensorRT " + rel.release()
                    + (p == TypePolicy.IO_ONLY ? " accepts only as a network input or output" : " does not support"),
                type == ElementType.UINT8 && onlyQuantized
                    ? "quantize symmetrically to INT8 (zero point 0) instead of UINT8"
                    : "store it as FLOAT, INT32 or BOOL");
          }
        }
      }
    }
    castDown.forEach((t, names) -> out.model(Severity.WARNING, "type.cast_down." + t.name().toLowerCase(),
        names.size() + " initializer(s) (" + quoteList(names) + ") are " + t + "; TensorRT " + rel.release()
            + " casts them to " + (t == ElementType.DOUBLE ? "FLOAT" : "INT32") + ", clamping out-of-range values",
        "store weights as " + (t == ElementType.DOUBLE ? "FLOAT" : "INT32") + " if exact values matter"));
  }

  private void dynamicInputs(OnnxModel m) {
    for (ValueInfoProto v : m.graph().inputs()) {
      if (ix.initializerNames.contains(v.getName()) || !v.getType().hasTensorType()) {
        continue;
      }
      TensorFact f = ModelIndex.fromValueInfo(v, TensorFact.Origin.GRAPH_INPUT);
      if (f.dims() == null) {
        out.model(Severity.WARNING, "input.unknown_rank",
            "input '" + v.getName() + "' has no shape; TensorRT needs its rank and an optimization profile",
            "export with a declared shape and set --minShapes/--optShapes/--maxShapes for '" + v.getName() + "'");
        continue;
      }
      List<String> dyn = new ArrayList<>();
      for (int i = 0; i < f.dims().size(); i++) {
        if (f.dims().get(i) < 0) {
          dyn.add(i + (f.dimNames().get(i).equals("?") ? "" : " ('" + f.dimNames().get(i) + "')"));
        }
      }
      if (!dyn.isEmpty()) {
        out.model(Severity.WARNING, "input.dynamic_shape",
            "input '" + v.getName() + "' " + NodeRules.describe(f.dims()) + " has dynamic dimension(s) "
                + String.join(", ", dyn) + "; the engine needs an optimization profile",
            "set --minShapes/--optShapes/--maxShapes for input '" + v.getName() + "' (e.g. --optShapes="
                + v.getName() + ":" + example(f.dims()) + ")");
      }
    }
  }

  private static String example(List<Long> dims) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < dims.size(); i++) {
      b.append(i == 0 ? "" : "x").append(dims.get(i) < 0 ? (i == 0 ? 1 : 224) : dims.get(i));
    }
    return b.toString();
  }

  private static String quoteList(List<String> names) {
    List<String> shown = names.subList(0, Math.min(5, names.size()));
    String s = "'" + String.join("', '", shown) + "'";
    return names.size() > shown.size() ? s + " and " + (names.size() - shown.size()) + " more" : s;
  }
}
