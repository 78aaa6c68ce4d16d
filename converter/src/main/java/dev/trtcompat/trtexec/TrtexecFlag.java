package dev.trtcompat.trtexec;

/**
 * When each trtexec flag this project emits exists, read from {@code samples/common/sampleOptions.cpp} on
 * the release branches of github.com/NVIDIA/TensorRT (the file that parses trtexec's arguments). A flag is
 * offered from {@code since} (inclusive) until {@code removedIn} (exclusive; null: still there).
 *
 * <p>Sources are written as {@code release/X.Y}, meaning
 * https://github.com/NVIDIA/TensorRT/blob/release/X.Y/samples/common/sampleOptions.cpp.
 */
public enum TrtexecFlag {
  ONNX("--onnx", 6, 0, null, "release/6.0: checkEraseOption(\"--onnx\")"),
  EXPLICIT_BATCH("--explicitBatch", 6, 0, TensorRtRelease.of(10, 0),
      "release/6.0 adds it (default implicit; 6.0-7.1 need it for ONNX); release/7.2 sets explicit batch for ONNX "
          + "itself (\"ONNX only supports explicit batch mode.\"); release/8.2 warns \"--explicitBatch flag has been "
          + "deprecated and has no effect!\"; absent from release/10.0"),
  WORKSPACE("--workspace", 6, 0, TensorRtRelease.of(10, 0),
      "release/6.0 \"--workspace=N Set workspace size in megabytes\"; release/8.4 warns \"--workspace flag has "
          + "been deprecated by --memPoolSize flag.\"; absent from release/10.0"),
  MEM_POOL_SIZE("--memPoolSize", 8, 4, null,
      "release/8.4 adds \"--memPoolSize=poolspec ... in MiB\" (value read with std::stod, so a bare number is "
          + "MiB); release/10.1+ appends the default unit M to a bare number but reads a trailing B as bytes, "
          + "so \"1024MiB\" means 1024 bytes there"),
  FP16("--fp16", 6, 0, TensorRtRelease.of(11, 0),
      "release/6.0 adds it; release/10.14 help: \"--fp16, --bf16, --int8, --fp8, --int4, --best are deprecated "
          + "and superseded by strong typing\"; absent from release/11.0"),
  INT8("--int8", 6, 0, TensorRtRelease.of(11, 0), "release/6.0 adds it; deprecated in release/10.14; absent from release/11.0"),
  CALIB("--calib", 6, 0, TensorRtRelease.of(11, 0), "release/6.0: checkEraseOption(\"--calib\"); absent from release/11.0"),
  BEST("--best", 7, 1, TensorRtRelease.of(11, 0),
      "absent from release/6.0 and release/7.0; release/7.1 adds it; deprecated in release/10.14; absent from release/11.0"),
  STRONGLY_TYPED("--stronglyTyped", 9, 0, null, "release/9.0 \"--stronglyTyped Create a strongly typed network\""),
  SHAPES("--minShapes/--optShapes/--maxShapes", 6, 0, null,
      "release/6.0 getShapes(\"--minShapes\"...) splits NAME:DIMS at the first ':'; release/7.0 accepts 'quoted' "
          + "names; release/8.0 splits at the last ':'"),
  SAVE_ENGINE("--saveEngine", 6, 0, null, "release/6.0: checkEraseOption(\"--saveEngine\")"),
  TIMING_CACHE_FILE("--timingCacheFile", 8, 0, null, "absent from release/7.2; release/8.0 adds it"),
  EXPORT_TIMES("--exportTimes", 6, 0, null, "release/6.0 \"--exportTimes=<file> Write the timing results in a json file\""),
  EXPORT_PROFILE("--exportProfile", 6, 0, null, "release/6.0 \"--exportProfile=<file> Write the profile information per layer in a json file\""),
  LOAD_INPUTS("--loadInputs", 7, 0, null,
      "trtexec help \"--loadInputs=spec Load input values from files\" (samples/common/sampleOptions.cpp); "
          + "the issue (#6) dates it to TensorRT 6/7: encoded from 7.0, release/6.0 not checked here"),
  EXPORT_OUTPUT("--exportOutput", 7, 0, null,
      "trtexec help \"--exportOutput=<file> Write the output tensors to a json file\" "
          + "(samples/common/sampleOptions.cpp); the issue (#6) dates it to 7.x: encoded from 7.0, release/6.0 not checked"),
  EXPORT_LAYER_INFO("--exportLayerInfo", 8, 2, null, "absent from release/8.0; release/8.2 adds it"),
  PROFILING_VERBOSITY("--profilingVerbosity", 8, 2, null,
      "release/8.2: \"mode ::= layer_names_only|detailed|none\" (needed for a useful --exportLayerInfo)"),
  BUILD_ONLY("--buildOnly", 6, 0, TensorRtRelease.of(10, 0),
      "release/6.0 \"--buildOnly Skip inference perf measurement\"; release/8.6 warns \"--buildOnly flag has been "
          + "deprecated by --skipInference flag.\"; absent from release/10.0"),
  SKIP_INFERENCE("--skipInference", 8, 6, null, "absent from release/8.5; release/8.6 adds it"),
  VERBOSE("--verbose", 6, 0, null, "release/6.0: checkEraseOption(\"--verbose\")");

  private final String flag;
  private final TensorRtRelease since;
  private final TensorRtRelease removedIn;
  private final String source;

  TrtexecFlag(String flag, int sinceMajor, int sinceMinor, TensorRtRelease removedIn, String source) {
    this.flag = flag;
    this.since = TensorRtRelease.of(sinceMajor, sinceMinor);
    this.removedIn = removedIn;
    this.source = source;
  }

  public String flag() {
    return flag;
  }

  public TensorRtRelease since() {
    return since;
  }

  /** The first release without the flag, or null. */
  public TensorRtRelease removedIn() {
    return removedIn;
  }

  /** Where the fact was read (branch and evidence). */
  public String source() {
    return source;
  }

  public boolean offeredIn(TensorRtRelease release) {
    return release.compareTo(since) >= 0 && (removedIn == null || release.compareTo(removedIn) < 0);
  }
}
