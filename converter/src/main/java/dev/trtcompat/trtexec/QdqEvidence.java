package dev.trtcompat.trtexec;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.trtcompat.precision.Precision;

/**
 * What an INT8 build's log says about a Q/DQ model's scales being used. trtexec {@code --int8} attaches its random
 * calibrator to every network with Q/DQ layers (samples/common/sampleEngines.cpp, 8.0.1 to 10.16: only networks
 * without them get placeholder dynamic ranges instead), and TensorRT answers with "Calibrator won't be used in
 * explicit precision mode": the scales come from the model. A strongly typed build attaches no calibrator, so its
 * log has no such line either way.
 *
 * @param state what the log shows
 * @param logLine the log's line, when it has one
 * @param message the finding in words for people
 */
public record QdqEvidence(State state, String logLine, String message) {

  /** How far the log goes. */
  public enum State {
    /** The log says TensorRT built in explicit-quantization mode. */
    SHOWN("shown"),
    /** An {@code --int8} build of a Q/DQ model that succeeded without the line: a warning. */
    MISSING("missing"),
    /** A strongly typed build: its log cannot show it. */
    NOT_IN_LOG("not_in_log");

    private final String wire;

    State(String wire) {
      this.wire = wire;
    }

    @JsonValue
    public String wire() {
      return wire;
    }
  }

  /**
   * The evidence for one conversion; null when there is nothing to judge: not an INT8 build of a Q/DQ model, or
   * a run that ended before the builder without the line.
   */
  public static QdqEvidence of(TrtexecCommand command, boolean quantizedModel, TrtexecLog log) {
    if (!quantizedModel || command.precision() != Precision.INT8 || log == null) {
      return null;
    }
    if (log.explicitQuantizationLine() != null) {
      return new QdqEvidence(State.SHOWN, log.explicitQuantizationLine(), "TensorRT built in explicit-quantization"
          + " mode: the INT8 scales come from the model's Q/DQ nodes, not from a calibrator (its log says \""
          + log.explicitQuantizationLine() + "\").");
    }
    boolean int8Flag = command.arguments().contains(TrtexecFlag.INT8.flag());
    // trtexec turns --int8 off beside --stronglyTyped (sampleOptions.cpp, v10.16 lines 1292-1305).
    if (command.arguments().contains(TrtexecFlag.STRONGLY_TYPED.flag())) {
      return new QdqEvidence(State.NOT_IN_LOG, null, "A strongly typed build attaches no calibrator, so its log"
          + " prints no line about explicit quantization; the log cannot show whether the Q/DQ scales were used.");
    }
    if (int8Flag && log.outcome() == TrtexecLog.Outcome.SUCCESS) {
      return new QdqEvidence(State.MISSING, null, "Warning: no sign in the log that TensorRT took the"
          + " explicit-quantization path. trtexec --int8 attaches a calibrator to a network with Q/DQ layers and"
          + " TensorRT then prints \"Calibrator won't be used in explicit precision mode\"; this log does not, so"
          + " the INT8 figures may not come from the model's Q/DQ scales.");
    }
    return null;
  }
}
