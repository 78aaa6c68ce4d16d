package dev.trtcompat.quantize;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorShapeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.HostTypes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A graph input that calibration data must feed: name, element type and declared shape (-1 for a dynamic
 * dimension). Checks samples against it so that a wrong name, type or shape is refused with the expected shape.
 */
public record ModelInput(String name, ElementType type, long[] dims) {

  public ModelInput {
    dims = dims.clone();
  }

  @Override
  public long[] dims() {
    return dims.clone();
  }

  /** Graph inputs that are not initializers, in graph order. */
  public static List<ModelInput> of(GraphProto graph) {
    Set<String> initializers = new HashSet<>();
    for (TensorProto t : graph.getInitializerList()) {
      initializers.add(t.getName());
    }
    List<ModelInput> inputs = new ArrayList<>();
    for (ValueInfoProto v : graph.getInputList()) {
      if (initializers.contains(v.getName())) {
        continue;
      }
      if (!v.getType().hasTensorType()) {
        throw unsupported("input '" + v.getName() + "' is not a tensor; calibration feeds tensors only");
      }
      int wire = v.getType().getTensorType().getElemType();
      ElementType type =
          HostTypes.fromWire(wire)
              .orElseThrow(() -> unsupported("input '" + v.getName() + "' is " + ElementType.nameOf(wire)));
      TensorShapeProto shape = v.getType().getTensorType().getShape();
      long[] dims = new long[shape.getDimCount()];
      for (int i = 0; i < dims.length; i++) {
        var d = shape.getDim(i);
        dims[i] = d.hasDimValue() && d.getDimValue() > 0 ? d.getDimValue() : -1;
      }
      inputs.add(new ModelInput(v.getName(), type, dims));
    }
    return inputs;
  }

  /** The declared shape for messages: {@code 1x3x224x224}, {@code ?x3x224x224} for a dynamic dimension. */
  public String describeShape() {
    if (dims.length == 0) {
      return "scalar";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < dims.length; i++) {
      sb.append(i == 0 ? "" : "x").append(dims[i] < 0 ? "?" : Long.toString(dims[i]));
    }
    return sb.toString();
  }

  /** The declared shape with every dynamic dimension set to 1. */
  public long[] concreteShape() {
    long[] s = dims.clone();
    for (int i = 0; i < s.length; i++) {
      if (s[i] < 0) {
        s[i] = 1;
      }
    }
    return s;
  }

  /**
   * Checks one calibration sample against the inputs: the same names, each array of the input's type and of a
   * shape that agrees with every fixed dimension.
   *
   * @param where names the sample in messages (a file name)
   * @throws UserFacingException BAD_REQUEST naming the input and its expected shape
   */
  public static void check(List<ModelInput> inputs, Map<String, HostTensor> sample, String where) {
    check(inputs, sample, where, "invalid_calibration_data");
  }

  /**
   * As {@link #check(List, Map, String)}, for arrays other than calibration samples (fix's proof inputs).
   *
   * @param error the error id of the refusal
   */
  public static void check(List<ModelInput> inputs, Map<String, HostTensor> sample, String where, String error) {
    for (String name : sample.keySet()) {
      if (inputs.stream().noneMatch(i -> i.name().equals(name))) {
        throw bad(error,
            where + ": array '" + name + "' matches no input of the model; its inputs are "
                + inputs.stream().map(i -> i.name() + " " + i.type() + " " + i.describeShape()).toList());
      }
    }
    for (ModelInput in : inputs) {
      HostTensor t = sample.get(in.name());
      if (t == null) {
        throw bad(error, where + ": no array for input '" + in.name() + "' (" + in.type() + " " + in.describeShape() + ")");
      }
      if (t.type() != in.type()) {
        throw bad(error,
            where + ": input '" + in.name() + "' is " + t.type() + " but the model expects " + in.type() + " "
                + in.describeShape());
      }
      long[] s = t.shape();
      boolean ok = s.length == in.dims.length;
      for (int i = 0; ok && i < s.length; i++) {
        ok = in.dims[i] < 0 || in.dims[i] == s[i];
      }
      if (!ok) {
        throw bad(error,
            where + ": input '" + in.name() + "' has shape " + shapeText(s) + " but the model expects "
                + in.describeShape() + " (? = any size)");
      }
    }
  }

  static String shapeText(long[] s) {
    if (s.length == 0) {
      return "scalar";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length; i++) {
      sb.append(i == 0 ? "" : "x").append(s[i]);
    }
    return sb.toString();
  }

  private static UserFacingException bad(String error, String detail) {
    return new UserFacingException(UserFacingException.Kind.BAD_REQUEST, error, detail);
  }

  private static UserFacingException unsupported(String detail) {
    return new UserFacingException(UserFacingException.Kind.INVALID_INPUT, "unsupported_model", detail);
  }
}
