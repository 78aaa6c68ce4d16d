package dev.trtcompat.conversion;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.trtcompat.accuracy.AccuracyReport;
import dev.trtcompat.trtexec.ModelNodeMatch;
import dev.trtcompat.trtexec.QdqEvidence;
import dev.trtcompat.trtexec.TrtexecLog;
import java.util.List;

/**
 * How one conversion ended: the JSON body of a finished conversion and the CLI's {@code --json} output.
 *
 * @param release the TensorRT release asked for
 * @param precision the precision asked for (fp32, fp16, int8, best)
 * @param image the container image that ran
 * @param arguments the trtexec argument list
 * @param exitCode trtexec's exit code; -1 when it never ran to an end
 * @param wallTimeSeconds from submitting the run to its end, queueing included
 * @param log what the trtexec log says; null when the run produced no log
 * @param modelNode the model's node at the failing index (name, op, position); null when nothing failed at a node
 * @param engine the stored engine when one was built, else null
 * @param accuracy the engine's outputs against the ONNX Runtime reference on the same inputs; null when not
 *     checked or when trtexec exported no readable outputs (a note says why)
 * @param qdqEvidence for an INT8 build of a Q/DQ model, whether its log shows the model's scales were used (a
 *     warning when an {@code --int8} build's log does not); null for any other build
 * @param notes what a user must know to read the result (timing only, flag substitutions, why no engine)
 */
public record ConversionResult(Outcome outcome, String release, String precision, String image,
    List<String> arguments, int exitCode, double wallTimeSeconds, TrtexecLog log, ModelNodeMatch modelNode,
    EngineArtifact engine, AccuracyReport accuracy, QdqEvidence qdqEvidence, List<String> notes) {

  public ConversionResult {
    arguments = List.copyOf(arguments);
    notes = List.copyOf(notes);
  }

  /** How a conversion ended. */
  public enum Outcome {
    SUCCESS("success"),
    PARSE_FAILURE("parse_failure"),
    BUILD_FAILURE("build_failure"),
    TIMEOUT("timeout"),
    CANCELLED("cancelled"),
    /** trtexec ran but the result cannot be read (crash, out of memory, unrecognised log, missing engine). */
    ERROR("error");

    private final String wire;

    Outcome(String wire) {
      this.wire = wire;
    }

    @JsonValue
    public String wire() {
      return wire;
    }
  }

  public boolean succeeded() {
    return outcome == Outcome.SUCCESS;
  }
}
