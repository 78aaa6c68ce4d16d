package dev.trtcompat.trtexec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.trtexec.TrtexecLog.FailingNode;
import dev.trtcompat.trtexec.TrtexecLog.Outcome;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Logs built in test code for the shapes the fixtures do not cover. */
class TrtexecLogEdgeCasesTest {

  /** Builds trtexec-style lines with a stamp and tags, as trtexec 8.x and later print them. */
  private static final class Log {
    private final StringBuilder sb = new StringBuilder();

    Log raw(String line) {
      sb.append(line).append('\n');
      return this;
    }

    Log i(String msg) {
      return raw("[11/24/2026-10:00:00] [I] " + msg);
    }

    Log w(String msg) {
      return raw("[11/24/2026-10:00:00] [W] " + msg);
    }

    Log e(String msg) {
      return raw("[11/24/2026-10:00:00] [E] " + msg);
    }

    Log trtE(String msg) {
      return raw("[11/24/2026-10:00:00] [E] [TRT] " + msg);
    }

    TrtexecLog parse() {
      return TrtexecLog.parse(sb.toString());
    }

    String text() {
      return sb.toString();
    }
  }

  @Test
  void emptyInputIsRejectedAsUnrecognised() {
    TrtexecLog log = TrtexecLog.parse("");
    assertThat(log.recognised()).isFalse();
    assertThat(log.outcome()).isEqualTo(Outcome.UNKNOWN);
    assertThat(log.linesRead()).isZero();
    assertThatThrownBy(() -> LogExplainer.explain(new ByteArrayInputStream(new byte[0])))
        .isInstanceOfSatisfying(UserFacingException.class, u -> {
          assertThat(u.kind()).isEqualTo(UserFacingException.Kind.INVALID_INPUT);
          assertThat(u.detail()).contains("empty");
        });
  }

  @Test
  void binaryGarbageIsRejectedWithoutHoldingHugeLines() throws IOException {
    byte[] garbage = new byte[3 * 1024 * 1024];
    new Random(42).nextBytes(garbage);
    TrtexecLog log = TrtexecLog.parse(new ByteArrayInputStream(garbage));
    assertThat(log.recognised()).isFalse();
    assertThat(log.errors()).isEmpty();
    assertThatThrownBy(() -> LogExplainer.explain(new ByteArrayInputStream(garbage)))
        .isInstanceOf(UserFacingException.class)
        .hasMessageContaining("No trtexec, TensorRT or Polygraphy output");
  }

  @Test
  void aLineWithoutEndIsCutAndNoted() {
    String huge = "&&&& RUNNING TensorRT.trtexec [TensorRT v8601] # trtexec --onnx=m.onnx\n" + "x".repeat(200_000);
    TrtexecLog log = TrtexecLog.parse(huge);
    assertThat(log.tensorrtVersion()).isEqualTo("8.6.1");
    assertThat(log.notes()).anySatisfy(n -> assertThat(n).contains("1 line(s) longer than"));
  }

  @Test
  void truncatedBuildIsUnknownAndSaysSo() {
    TrtexecLog log = new Log()
        .raw("&&&& RUNNING TensorRT.trtexec [TensorRT v100300] # trtexec --onnx=m.onnx --fp16")
        .i("TensorRT version: 10.3.0")
        .i("Start parsing network model.")
        .i("Finished parsing network model. Parse time: 0.1")
        .parse();
    assertThat(log.outcome()).isEqualTo(Outcome.UNKNOWN);
    assertThat(log.tensorrtVersion()).isEqualTo("10.3.0");
    assertThat(log.notes()).anySatisfy(n -> assertThat(n).contains("no final '&&&& PASSED'"));
  }

  @Test
  void failedVerdictIsAttributedToThePhaseOfTheFirstError() {
    TrtexecLog build = new Log()
        .raw("&&&& RUNNING TensorRT.trtexec [TensorRT v8601] # trtexec --onnx=m.onnx")
        .i("Start parsing network model")
        .i("Finish parsing network model")
        .trtE("10: [optimizer.cpp::computeCosts::3728] Error Code 10: Internal Error (Could not find any implementation for node Conv_0.)")
        .raw("&&&& FAILED TensorRT.trtexec [TensorRT v8601] # trtexec --onnx=m.onnx")
        .parse();
    assertThat(build.outcome()).isEqualTo(Outcome.BUILD_FAILURE);

    TrtexecLog inference = new Log()
        .raw("&&&& RUNNING TensorRT.trtexec [TensorRT v8601] # trtexec --loadEngine=m.plan")
        .i("Engine deserialized in 0.01 sec.")
        .i("Starting inference")
        .trtE("1: [runner.cpp::execute::416] Error Code 1: Cuda Runtime (an illegal memory access was encountered)")
        .raw("&&&& FAILED TensorRT.trtexec [TensorRT v8601] # trtexec --loadEngine=m.plan")
        .parse();
    assertThat(inference.outcome()).isEqualTo(Outcome.INFERENCE_FAILURE);
    assertThat(inference.mode()).isEqualTo("inference_only");
  }

  @Test
  void passedFollowedByTeardownLinesStaysSuccess() {
    TrtexecLog log = new Log()
        .raw("&&&& PASSED TensorRT.trtexec [TensorRT v8003] # trtexec --onnx=m.onnx")
        .trtE("late teardown complaint")
        .raw("&&&& FAILED TensorRT.trtexec [TensorRT v8003] # trtexec --onnx=m.onnx")
        .parse();
    assertThat(log.outcome()).isEqualTo(Outcome.SUCCESS);
  }

  @Test
  void tensorRt10ParserErrorsNameEveryFailingNode() {
    TrtexecLog log = new Log()
        .trtE("ModelImporter.cpp:949: While parsing node number 11 [GridSample3D -> \"/warp/out\"]:")
        .trtE("ModelImporter.cpp:950: --- Begin node ---")
        .raw("input: \"a\"")
        .raw("output: \"/warp/out\"")
        .raw("name: \"/dense_motion_network/GridSample\"")
        .raw("op_type: \"GridSample3D\"")
        .raw("attribute {")
        .raw("  name: \"align_corners\"")
        .raw("  i: 0")
        .raw("  type: INT")
        .raw("}")
        .raw("domain: \"custom\"")
        .trtE("ModelImporter.cpp:951: --- End node ---")
        .trtE("ModelImporter.cpp:954: ERROR: onnxOpCheckers.cpp:818 In function checkFallbackPluginImporter:")
        .raw("[6] creator && \"Plugin not found, are the plugin name, version, and namespace correct?\"")
        .raw("In node 11 with name: /dense_motion_network/GridSample and operator: GridSample3D (checkFallbackPluginImporter): INVALID_NODE: creator && \"Plugin not found, are the plugin name, version, and namespace correct?\"")
        .raw("In node 77 with name: /GridSample and operator: GridSample3D (checkFallbackPluginImporter): INVALID_NODE: creator && \"Plugin not found, are the plugin name, version, and namespace correct?\"")
        .e("Failed to parse onnx file")
        .parse();
    assertThat(log.outcome()).isEqualTo(Outcome.PARSE_FAILURE);
    assertThat(log.failingNode())
        .isEqualTo(new FailingNode(11, "GridSample3D", "/dense_motion_network/GridSample", "/warp/out"));
    assertThat(log.failingNodes())
        .containsExactly(
            new FailingNode(11, "GridSample3D", "/dense_motion_network/GridSample", "/warp/out"),
            new FailingNode(77, "GridSample3D", "/GridSample", null));
    // The attribute's nested name did not overwrite the node name; the repeated text is listed once.
    assertThat(log.errors())
        .containsExactly(
            "creator && \"Plugin not found, are the plugin name, version, and namespace correct?\"",
            "Failed to parse onnx file");
  }

  @Test
  void polygraphyParseFailureWithIndentedDump() {
    TrtexecLog log = new Log()
        .raw("[V] Loaded Module: tensorrt | Version: 8.6.1")
        .raw("[E] ModelImporter.cpp:726: While parsing node number 7 [LayerNormalization -> \"/ln/out\"]:")
        .raw("[E] ModelImporter.cpp:727: --- Begin node ---")
        .raw("[E] ModelImporter.cpp:728: input: \"/emb/out\"")
        .raw("    output: \"/ln/out\"")
        .raw("    name: \"/text_model/encoder/layers.0/layer_norm1/LayerNormalization\"")
        .raw("    op_type: \"LayerNormalization\"")
        .raw("[E] ModelImporter.cpp:729: --- End node ---")
        .raw("[E] ModelImporter.cpp:732: ERROR: builtin_op_importers.cpp:5428 In function importFallbackPluginImporter:")
        .raw("    [8] Assertion failed: creator && \"Plugin not found, are the plugin name, version, and namespace correct?\"")
        .raw("[E] In node 7 (importFallbackPluginImporter): UNSUPPORTED_NODE: Assertion failed: creator && \"Plugin not found, are the plugin name, version, and namespace correct?\"")
        .raw("[!] Could not parse ONNX correctly")
        .parse();
    assertThat(log.tool()).isEqualTo("polygraphy");
    assertThat(log.tensorrtVersion()).isEqualTo("8.6.1");
    assertThat(log.outcome()).isEqualTo(Outcome.PARSE_FAILURE);
    assertThat(log.failingNode())
        .isEqualTo(new FailingNode(7, "LayerNormalization", "/text_model/encoder/layers.0/layer_norm1/LayerNormalization", "/ln/out"));
    assertThat(log.errors())
        .containsExactly(
            "Assertion failed: creator && \"Plugin not found, are the plugin name, version, and namespace correct?\"",
            "Could not parse ONNX correctly");
  }

  @Test
  void outOfBoundsNodeNumberStillNamesTheIndex() {
    TrtexecLog log = new Log().trtE("ModelImporter.cpp:800: While parsing node number 12 (index out of bounds, graph size: 5)").parse();
    assertThat(log.failingNode()).isEqualTo(new FailingNode(12, null, null, null));
  }

  @Test
  void bannerVersionsDecodeForEveryNumberingScheme() {
    assertThat(TrtexecLogParser.decodeVersion("8502")).isEqualTo("8.5.2");
    assertThat(TrtexecLogParser.decodeVersion("8003")).isEqualTo("8.0.3");
    assertThat(TrtexecLogParser.decodeVersion("7103")).isEqualTo("7.1.3");
    assertThat(TrtexecLogParser.decodeVersion("9300")).isEqualTo("9.3.0");
    assertThat(TrtexecLogParser.decodeVersion("101601")).isEqualTo("10.16.1");
    assertThat(TrtexecLogParser.decodeVersion("100000")).isEqualTo("10.0.0");
    assertThat(new Log().i("TensorRT version: 8003").parse().tensorrtVersion()).isEqualTo("8.0.3");
    assertThat(new Log().i("TensorRT version: 10.16.1").parse().tensorrtVersion()).isEqualTo("10.16.1");
  }

  @Test
  void windowsLineEndsAndPythonLoggerTagOrder() {
    String text = "[09/04/2023-09:08:57] [TRT] [W] onnx2trt_utils.cpp:374: Your ONNX model has been generated with INT64 weights, while TensorRT does not natively support INT64. Attempting to cast down to INT32.\r\n"
        + "[09/04/2023-09:08:57] [TRT] [E] 4: [network.cpp::validate::2965] Error Code 4: Internal Error (Network has dynamic or shape inputs, but no optimization profile has been defined.)\r\n";
    TrtexecLog log = TrtexecLog.parse(text);
    assertThat(log.warnings()).singleElement().satisfies(w -> assertThat(w.kind()).isEqualTo("int64_cast_down"));
    assertThat(log.outcome()).isEqualTo(Outcome.BUILD_FAILURE);
    assertThat(log.errors()).singleElement().satisfies(e -> assertThat(e).endsWith("optimization profile has been defined.)"));
  }

  @Test
  void warningsAndErrorsAreCappedAndCounted() {
    Log log = new Log().raw("&&&& RUNNING TensorRT.trtexec [TensorRT v8601] # trtexec --onnx=m.onnx");
    for (int i = 0; i < 1000; i++) {
      log.w("distinct warning " + i).trtE("distinct error " + i);
    }
    TrtexecLog parsed = log.parse();
    assertThat(parsed.warnings()).hasSize(TrtexecLogParser.MAX_WARNINGS);
    assertThat(parsed.errors()).hasSize(TrtexecLogParser.MAX_ERRORS);
    assertThat(parsed.notes())
        .anySatisfy(n -> assertThat(n).isEqualTo("900 further distinct error line(s) not listed."))
        .anySatisfy(n -> assertThat(n).isEqualTo("800 further distinct warning(s) not listed."));
  }

  /** A verbose log of a million lines streams through without being held: the reader generates it lazily. */
  @Test
  void verboseLogOfMillionsOfLinesStreams() throws IOException {
    String head = "&&&& RUNNING TensorRT.trtexec [TensorRT v8601] # trtexec --onnx=m.onnx --verbose\n";
    String verbose = "[11/24/2026-10:00:00] [V] [TRT] Tactic: 0x0000000000000000 Time: 0.0123\n";
    String tail = "[11/24/2026-10:00:09] [I] Engine built in 9.5 sec.\n"
        + "[11/24/2026-10:00:12] [I] Throughput: 100.5 qps\n"
        + "&&&& PASSED TensorRT.trtexec [TensorRT v8601] # trtexec --onnx=m.onnx --verbose\n";
    long lines = 1_000_000;
    Reader generated = new Reader() {
      long emitted;
      String current = head;
      int pos;

      @Override
      public int read(char[] buf, int off, int len) {
        int n = 0;
        while (n < len) {
          if (pos == current.length()) {
            if (current == tail) {
              break;
            }
            emitted++;
            current = emitted < lines ? verbose : tail;
            if (emitted > lines) {
              break;
            }
            pos = 0;
          }
          buf[off + n++] = current.charAt(pos++);
        }
        return n == 0 ? -1 : n;
      }

      @Override
      public void close() {}
    };
    TrtexecLog log = TrtexecLog.parse(generated);
    assertThat(log.outcome()).isEqualTo(Outcome.SUCCESS);
    assertThat(log.buildTimeSeconds()).isEqualTo(9.5);
    assertThat(log.throughputQps()).isEqualTo(100.5);
    assertThat(log.linesRead()).isEqualTo(lines + 3);
  }

  @Test
  void engineFileGivesTheExactSize(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws IOException {
    java.nio.file.Path logFile = dir.resolve("build.log");
    java.nio.file.Files.writeString(logFile, LogFixtures.read("trt10.16-fp32-success.log"));
    java.nio.file.Path engine = dir.resolve("model.plan");
    java.nio.file.Files.write(engine, new byte[12345]);
    TrtexecLog log = LogExplainer.explain(logFile, engine);
    assertThat(log.engineBytes()).isEqualTo(12345L);
    assertThat(log.engineBytesSource()).isEqualTo("engine_file");
    assertThatThrownBy(() -> LogExplainer.explain(dir.resolve("missing.log")))
        .isInstanceOfSatisfying(UserFacingException.class,
            u -> assertThat(u.kind()).isEqualTo(UserFacingException.Kind.NOT_FOUND));
  }

  @Test
  void describeLeadsWithTheVerdict() throws IOException {
    try (InputStream in = new ByteArrayInputStream(
        LogFixtures.read("trt8.x-nonzero-unsupported-plugin-not-found.log").getBytes(StandardCharsets.UTF_8))) {
      var lines = LogExplainer.describe(LogExplainer.explain(in));
      assertThat(lines.get(0)).startsWith("PARSE FAILURE");
      assertThat(lines).contains("Failing node #84: NonZero named 'NonZero_559' -> 'onnx::Transpose_634'");
    }
  }
}
