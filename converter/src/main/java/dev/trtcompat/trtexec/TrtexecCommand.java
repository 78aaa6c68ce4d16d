package dev.trtcompat.trtexec;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.precision.Precision;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A trtexec argument list for one TensorRT release, with what the run can and cannot tell. Built by {@link
 * #builder}; which flags exist in which release is {@link TrtexecFlag}'s table.
 *
 * @param arguments argv, starting with {@code trtexec}
 * @param accuracyCaveat non-null when the engine's numbers mean nothing (INT8 without calibration): the run
 *     is timing only
 * @param notes choices the builder made that a user should know about (flag substitutions, skipped exports)
 */
public record TrtexecCommand(
    TensorRtRelease release,
    Precision precision,
    List<String> arguments,
    String accuracyCaveat,
    List<String> notes) {

  /** The caveat attached to INT8 builds that have neither a calibration cache nor Q/DQ nodes. */
  public static final String TIMING_ONLY =
      "timing only: random scales, accuracy not representative (INT8 without a calibration cache or Q/DQ nodes)";

  /**
   * A model input as the ONNX file declares it.
   *
   * @param dims one entry per axis, a value below 1 for a symbolic or unknown extent; null when the rank
   *     itself is unknown
   */
  public record ModelInput(String name, List<Long> dims) {
    public boolean dynamic() {
      return dims == null || dims.stream().anyMatch(d -> d == null || d < 1);
    }
  }

  /** Shapes for one input's optimization profile. */
  public record ShapeRange(List<Long> min, List<Long> opt, List<Long> max) {
    /** One fixed shape for all three. */
    public static ShapeRange fixed(List<Long> dims) {
      return new ShapeRange(dims, dims, dims);
    }
  }

  public TrtexecCommand {
    arguments = List.copyOf(arguments);
    notes = List.copyOf(notes);
  }

  public boolean timingOnly() {
    return accuracyCaveat != null;
  }

  /** The arguments as one POSIX shell line, each quoted only when it needs it. */
  public String commandLine() {
    return arguments.stream().map(TrtexecCommand::shellQuote).collect(Collectors.joining(" "));
  }

  public static Builder builder(TensorRtRelease release, String onnxPath) {
    return new Builder(release, onnxPath);
  }

  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

  static String shellQuote(String s) {
    return SAFE.matcher(s).matches() ? s : "'" + s.replace("'", "'\\''") + "'";
  }

  /** Collects the options; {@link #build()} applies the per-release rules and validates shapes. */
  public static final class Builder {
    private final TensorRtRelease release;
    private final String onnxPath;
    private Precision precision = Precision.FP32;
    private String calibrationCache;
    private boolean quantizedModel;
    private Long workspaceMiB;
    private List<ModelInput> inputs = List.of();
    private final Map<String, ShapeRange> shapes = new LinkedHashMap<>();
    private String saveEngine;
    private String timingCacheFile;
    private String exportTimes;
    private String exportProfile;
    private String exportLayerInfo;
    private String loadInputs;
    private String exportOutput;
    private boolean stronglyTyped;
    private boolean skipInference;
    private boolean verbose;

    private Builder(TensorRtRelease release, String onnxPath) {
      this.release = Objects.requireNonNull(release, "release");
      this.onnxPath = Objects.requireNonNull(onnxPath, "onnxPath");
    }

    public Builder precision(Precision p) {
      this.precision = Objects.requireNonNull(p);
      return this;
    }

    /** A calibration cache trtexec reads with {@code --calib}; used for INT8 and BEST. */
    public Builder calibrationCache(String path) {
      this.calibrationCache = path;
      return this;
    }

    /** The model carries QuantizeLinear/DequantizeLinear pairs, so INT8 scales come from the model. */
    public Builder quantizedModel(boolean qdq) {
      this.quantizedModel = qdq;
      return this;
    }

    public Builder workspaceMiB(long mib) {
      if (mib < 1) {
        throw new UserFacingException(UserFacingException.Kind.BAD_REQUEST, "invalid_workspace",
            "The workspace must be at least 1 MiB; got " + mib + ".");
      }
      this.workspaceMiB = mib;
      return this;
    }

    /** The model's inputs in declaration order; shape flags are derived from them. */
    public Builder inputs(List<ModelInput> modelInputs) {
      this.inputs = List.copyOf(modelInputs);
      return this;
    }

    /** Shapes the user gave for one input (required for each dynamic input). */
    public Builder shape(String inputName, ShapeRange range) {
      shapes.put(inputName, range);
      return this;
    }

    public Builder saveEngine(String path) {
      this.saveEngine = path;
      return this;
    }

    public Builder timingCacheFile(String path) {
      this.timingCacheFile = path;
      return this;
    }

    public Builder exportTimes(String jsonPath) {
      this.exportTimes = jsonPath;
      return this;
    }

    public Builder exportProfile(String jsonPath) {
      this.exportProfile = jsonPath;
      return this;
    }

    public Builder exportLayerInfo(String jsonPath) {
      this.exportLayerInfo = jsonPath;
      return this;
    }

    /** {@code name:file,...} for {@code --loadInputs}: the engine runs on these values instead of random ones. */
    public Builder loadInputs(String spec) {
      this.loadInputs = spec;
      return this;
    }

    /** Where trtexec writes the output tensors of its last inference as JSON. */
    public Builder exportOutput(String jsonPath) {
      this.exportOutput = jsonPath;
      return this;
    }

    public Builder stronglyTyped(boolean on) {
      this.stronglyTyped = on;
      return this;
    }

    /** Build the engine and stop; no performance figures. */
    public Builder skipInference(boolean on) {
      this.skipInference = on;
      return this;
    }

    public Builder verbose(boolean on) {
      this.verbose = on;
      return this;
    }

    public TrtexecCommand build() {
      if (release.compareTo(TensorRtRelease.OLDEST) < 0) {
        throw badRequest("unsupported_tensorrt_release",
            "TensorRT " + release + " is older than 6.0, the first trtexec with explicit batch and dynamic shapes; "
                + "pick 6.0 or newer.");
      }
      List<String> args = new ArrayList<>();
      List<String> notes = new ArrayList<>();
      args.add("trtexec");
      args.add(TrtexecFlag.ONNX.flag() + "=" + onnxPath);
      if (release.before(8, 0)) {
        // 6.0-7.1 default to implicit batch, which their ONNX parser rejects; 7.2 switches ONNX to explicit
        // batch itself, where the flag is still accepted and harmless, so all of 6.x/7.x get it.
        args.add(TrtexecFlag.EXPLICIT_BATCH.flag());
      }
      String caveat = precisionFlags(args, notes);
      if (workspaceMiB != null) {
        workspaceFlag(args, notes);
      }
      shapeFlags(args);
      if (saveEngine != null) {
        args.add(TrtexecFlag.SAVE_ENGINE.flag() + "=" + saveEngine);
      }
      optional(args, notes, TrtexecFlag.TIMING_CACHE_FILE, timingCacheFile);
      if (skipInference) {
        if (TrtexecFlag.SKIP_INFERENCE.offeredIn(release)) {
          args.add(TrtexecFlag.SKIP_INFERENCE.flag());
        } else {
          args.add(TrtexecFlag.BUILD_ONLY.flag());
        }
        if (exportTimes != null || exportProfile != null) {
          notes.add("--exportTimes/--exportProfile write nothing useful when inference is skipped.");
        }
      }
      if (!skipInference) {
        // Both only make sense when trtexec runs inference.
        optional(args, notes, TrtexecFlag.LOAD_INPUTS, loadInputs);
        optional(args, notes, TrtexecFlag.EXPORT_OUTPUT, exportOutput);
      }
      optional(args, notes, TrtexecFlag.EXPORT_TIMES, exportTimes);
      optional(args, notes, TrtexecFlag.EXPORT_PROFILE, exportProfile);
      if (optional(args, notes, TrtexecFlag.EXPORT_LAYER_INFO, exportLayerInfo)) {
        // Without detailed verbosity the layer JSON holds names only.
        args.add(TrtexecFlag.PROFILING_VERBOSITY.flag() + "=detailed");
      }
      if (verbose) {
        args.add(TrtexecFlag.VERBOSE.flag());
      }
      return new TrtexecCommand(release, precision, args, caveat, notes);
    }

    /** Adds precision flags and returns the accuracy caveat, if any. */
    private String precisionFlags(List<String> args, List<String> notes) {
      boolean int8Wanted = precision == Precision.INT8 || precision == Precision.BEST;
      if (stronglyTyped) {
        if (!TrtexecFlag.STRONGLY_TYPED.offeredIn(release)) {
          throw badRequest("flag_not_offered", "TensorRT " + release + " has no --stronglyTyped (added in "
              + TrtexecFlag.STRONGLY_TYPED.since() + "); drop the option or pick a newer release.");
        }
        if (precision == Precision.FP16 || precision == Precision.BEST || (precision == Precision.INT8 && !quantizedModel)) {
          throw badRequest("precision_conflict", "A strongly typed build takes its types from the model; "
              + precision + " needs precision flags, which trtexec refuses with --stronglyTyped. Use FP32 "
              + "(or INT8 with a Q/DQ model), or drop --stronglyTyped.");
        }
        args.add(TrtexecFlag.STRONGLY_TYPED.flag());
        return null;
      }
      if (precision == Precision.FP32) {
        return null;
      }
      if (!TrtexecFlag.FP16.offeredIn(release)) {
        if (precision == Precision.INT8 && quantizedModel) {
          args.add(TrtexecFlag.STRONGLY_TYPED.flag());
          notes.add("TensorRT " + release + " has no precision flags; the Q/DQ model is built strongly typed.");
          return null;
        }
        throw badRequest("flag_not_offered", "TensorRT " + release + " removed --fp16/--int8/--best (strong typing "
            + "only, see release/11.0 sampleOptions.cpp); export the model in the precision you want (FP16 "
            + "casts or Q/DQ nodes) and request FP32.");
      }
      if (precision == Precision.INT8 && quantizedModel && TrtexecFlag.STRONGLY_TYPED.offeredIn(release)) {
        // Explicit quantization: the Q/DQ pairs carry the scales and the model its types. From 9.0 trtexec builds
        // that strongly typed, and it refuses precision flags beside --stronglyTyped, so --int8 is left out.
        args.add(TrtexecFlag.STRONGLY_TYPED.flag());
        notes.add("Q/DQ model built strongly typed (--stronglyTyped, offered from " + TrtexecFlag.STRONGLY_TYPED.since()
            + "): INT8 where the model's Q/DQ pairs say, FP32 elsewhere; --int8 is not passed beside it.");
        if (calibrationCache != null) {
          notes.add("The calibration cache is not passed: a Q/DQ model carries its own scales.");
        }
        return null;
      }
      if (release.atLeast(10, 14)) {
        notes.add("TensorRT " + release + " deprecates --fp16/--int8/--best in favour of strongly typed "
            + "models; trtexec prints a 'Weakly-typed networks have been deprecated' warning.");
      }
      switch (precision) {
        case FP16 -> args.add(TrtexecFlag.FP16.flag());
        case INT8 -> args.add(TrtexecFlag.INT8.flag());
        case BEST -> {
          if (TrtexecFlag.BEST.offeredIn(release)) {
            args.add(TrtexecFlag.BEST.flag());
          } else {
            // --best arrived in 7.1; before it, FP16 and INT8 together give the builder the same choice.
            args.add(TrtexecFlag.FP16.flag());
            args.add(TrtexecFlag.INT8.flag());
            notes.add("TensorRT " + release + " has no --best (added in 7.1); using --fp16 --int8, which "
                + "enables the same precisions.");
          }
        }
        default -> { }
      }
      if (!int8Wanted) {
        if (calibrationCache != null) {
          notes.add("The calibration cache is ignored: it only matters for INT8 or BEST.");
        }
        return null;
      }
      if (quantizedModel) {
        if (release.before(8, 0)) {
          notes.add("Q/DQ (explicit quantization) needs TensorRT 8.0 or newer; expect " + release
              + " to reject QuantizeLinear/DequantizeLinear.");
        }
        if (calibrationCache != null) {
          notes.add("The calibration cache is not passed: a Q/DQ model carries its own scales.");
        }
        return null;
      }
      if (calibrationCache != null) {
        args.add(TrtexecFlag.CALIB.flag() + "=" + calibrationCache);
        return null;
      }
      return TIMING_ONLY;
    }

    private void workspaceFlag(List<String> args, List<String> notes) {
      if (TrtexecFlag.MEM_POOL_SIZE.offeredIn(release)) {
        // 8.4-10.0 read the number as MiB and ignore any suffix; 10.1+ read suffixes, and "MiB" ends in B
        // (bytes), so the unit is written as the single letter M there.
        String value = release.atLeast(10, 1) ? workspaceMiB + "M" : String.valueOf(workspaceMiB);
        args.add(TrtexecFlag.MEM_POOL_SIZE.flag() + "=workspace:" + value);
      } else {
        args.add(TrtexecFlag.WORKSPACE.flag() + "=" + workspaceMiB);
      }
    }

    private boolean optional(List<String> args, List<String> notes, TrtexecFlag flag, String value) {
      if (value == null) {
        return false;
      }
      if (!flag.offeredIn(release)) {
        notes.add(flag.flag() + " skipped: TensorRT " + release + " does not offer it (added in " + flag.since() + ").");
        return false;
      }
      args.add(flag.flag() + "=" + value);
      return true;
    }

    private void shapeFlags(List<String> args) {
      Map<String, ModelInput> byName = new LinkedHashMap<>();
      for (ModelInput in : inputs) {
        byName.put(in.name(), in);
      }
      for (String name : shapes.keySet()) {
        if (!byName.isEmpty() && !byName.containsKey(name)) {
          throw badRequest("unknown_input", "The model has no input named '" + name + "'; its inputs are "
              + String.join(", ", byName.keySet()) + ".");
        }
      }
      boolean anyDynamic = inputs.stream().anyMatch(ModelInput::dynamic);
      if (!anyDynamic && shapes.isEmpty()) {
        return;
      }
      Map<String, ShapeRange> ranges = new LinkedHashMap<>();
      for (ModelInput in : inputs) {
        ShapeRange given = shapes.get(in.name());
        if (given != null) {
          validate(in, given);
          ranges.put(in.name(), given);
        } else if (in.dynamic()) {
          throw new UserFacingException(UserFacingException.Kind.INVALID_INPUT, "shapes_required",
              "Input '" + in.name() + "' has dynamic dimensions " + describe(in.dims())
                  + "; give its min, opt and max shapes (for example " + example(in) + ").");
        } else if (!in.dims().isEmpty()) {
          ranges.put(in.name(), ShapeRange.fixed(in.dims()));
        }
      }
      if (inputs.isEmpty()) {
        for (Map.Entry<String, ShapeRange> e : shapes.entrySet()) {
          validate(new ModelInput(e.getKey(), null), e.getValue());
          ranges.put(e.getKey(), e.getValue());
        }
      }
      if (ranges.isEmpty()) {
        return;
      }
      args.add("--minShapes=" + spec(ranges, ShapeRange::min));
      args.add("--optShapes=" + spec(ranges, ShapeRange::opt));
      args.add("--maxShapes=" + spec(ranges, ShapeRange::max));
    }

    private void validate(ModelInput in, ShapeRange r) {
      List<List<Long>> all = List.of(r.min(), r.opt(), r.max());
      int rank = r.min().size();
      for (List<Long> s : all) {
        if (s.size() != rank || (in.dims() != null && s.size() != in.dims().size())) {
          throw badRequest("shape_rank_mismatch", "Shapes for input '" + in.name() + "' must all have rank "
              + (in.dims() != null ? in.dims().size() : rank) + " " + describe(in.dims()) + "; got "
              + dims(r.min()) + ", " + dims(r.opt()) + ", " + dims(r.max()) + ".");
        }
      }
      for (int i = 0; i < rank; i++) {
        long min = r.min().get(i);
        long opt = r.opt().get(i);
        long max = r.max().get(i);
        if (min < 1 || !(min <= opt && opt <= max)) {
          throw badRequest("shape_order", "Input '" + in.name() + "' axis " + i + ": need 1 <= min <= opt <= max; got "
              + min + ", " + opt + ", " + max + ".");
        }
        Long fixed = in.dims() == null ? null : in.dims().get(i);
        if (fixed != null && fixed >= 1 && (min != fixed || max != fixed)) {
          throw badRequest("shape_static_mismatch", "Input '" + in.name() + "' axis " + i + " is fixed at " + fixed
              + " in the model; min/opt/max must all be " + fixed + ".");
        }
      }
    }

    private String spec(Map<String, ShapeRange> ranges, java.util.function.Function<ShapeRange, List<Long>> pick) {
      List<String> parts = new ArrayList<>();
      for (Map.Entry<String, ShapeRange> e : ranges.entrySet()) {
        parts.add(tensorName(e.getKey()) + ":" + dims(pick.apply(e.getValue())));
      }
      return String.join(",", parts);
    }

    /** Writes a tensor name so this release's splitter reads it back whole. */
    private String tensorName(String name) {
      if (name.contains(",") || name.contains("'")) {
        throw badRequest("unsupported_input_name", "Input '" + name + "' contains ',' or a quote, which trtexec's "
            + "shape options cannot express; rename the input in the model.");
      }
      if (name.contains(":")) {
        if (release.before(7, 0)) {
          throw badRequest("unsupported_input_name", "TensorRT " + release + " splits shape options at the first ':', "
              + "so input '" + name + "' cannot be named; rename it or use TensorRT 7.0 or newer.");
        }
        return "'" + name + "'";
      }
      return name;
    }

    private static String dims(List<Long> d) {
      return d.stream().map(String::valueOf).collect(Collectors.joining("x"));
    }

    private static String describe(List<Long> d) {
      if (d == null) {
        return "(rank unknown)";
      }
      return "(" + d.stream().map(x -> x == null || x < 1 ? "?" : String.valueOf(x)).collect(Collectors.joining("x")) + ")";
    }

    private static String example(ModelInput in) {
      if (in.dims() == null) {
        return in.name() + " min=1x3x224x224 opt=... max=...";
      }
      String min = in.dims().stream().map(x -> x == null || x < 1 ? "1" : String.valueOf(x)).collect(Collectors.joining("x"));
      String max = in.dims().stream().map(x -> x == null || x < 1 ? "8" : String.valueOf(x)).collect(Collectors.joining("x"));
      return in.name() + " min=" + min + " opt=" + min + " max=" + max;
    }

    private static UserFacingException badRequest(String error, String detail) {
      return new UserFacingException(UserFacingException.Kind.BAD_REQUEST, error, detail);
    }
  }
}
