package dev.trtcompat.quantize;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.OperatorSetIdProto;
import java.util.Set;
import java.util.TreeSet;

/**
 * Per-channel QuantizeLinear/DequantizeLinear need their {@code axis} attribute, which arrived in opset 13 (ONNX
 * Operators.md, QuantizeLinear-13). A model on opset 11 or 12 is moved to 13 when none of its operators changed
 * their signature between its opset and 13; otherwise, or below 11, it is refused with the operators in the way.
 */
final class OpsetRequirement {

  static final int QDQ_OPSET = 13;
  /** IR version 7 is the first that may import opset 13 (ONNX docs/Versioning.md, released versions table). */
  static final int MIN_IR = 7;

  /**
   * Operators whose inputs or attributes changed incompatibly between opset 11 and 13 (ONNX Changelog.md):
   * Split, Squeeze, Unsqueeze and ReduceSum moved attributes to inputs in 13; Dropout moved {@code ratio} to an
   * input in 12.
   */
  static final Set<String> CHANGED_SINCE_11 = Set.of("Split", "Squeeze", "Unsqueeze", "ReduceSum", "Dropout");

  private OpsetRequirement() {}

  static int defaultOpset(ModelProto m) {
    for (OperatorSetIdProto o : m.getOpsetImportList()) {
      if (!o.hasDomain() || o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
        return (int) o.getVersion();
      }
    }
    return 1;
  }

  /** The model on opset 13 or later, unchanged when it already is. */
  static ModelProto atLeast13(ModelProto m) {
    int opset = defaultOpset(m);
    ModelProto.Builder b = m.toBuilder();
    if (b.getIrVersion() < MIN_IR) {
      b.setIrVersion(MIN_IR);
    }
    if (opset >= QDQ_OPSET) {
      return b.build();
    }
    if (opset < 11) {
      throw refuse("the model uses opset " + opset + "; per-channel Q/DQ needs opset 13 and trt-compat moves only"
          + " opset 11 and 12 models there. Re-export with opset_version=13 or later");
    }
    Set<String> inTheWay = new TreeSet<>();
    for (NodeProto n : m.getGraph().getNodeList()) {
      if (GraphIndex.isDefaultDomain(n) && CHANGED_SINCE_11.contains(n.getOpType())) {
        inTheWay.add(n.getOpType());
      }
    }
    if (!inTheWay.isEmpty()) {
      throw refuse("the model uses opset " + opset + " and per-channel Q/DQ needs opset 13, but " + inTheWay
          + " changed signature by opset 13. Re-export with opset_version=13 or later");
    }
    for (int i = 0; i < b.getOpsetImportCount(); i++) {
      OperatorSetIdProto o = b.getOpsetImport(i);
      if (!o.hasDomain() || o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
        b.setOpsetImport(i, o.toBuilder().setVersion(QDQ_OPSET));
      }
    }
    return b.build();
  }

  private static UserFacingException refuse(String detail) {
    return new UserFacingException(UserFacingException.Kind.BAD_REQUEST, "opset_too_old", detail);
  }
}
