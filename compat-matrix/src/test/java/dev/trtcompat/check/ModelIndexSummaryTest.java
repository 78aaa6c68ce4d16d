package dev.trtcompat.check;

import static dev.trtcompat.check.TestModels.FLOAT;
import static dev.trtcompat.check.TestModels.INT64;
import static dev.trtcompat.check.TestModels.attr;
import static dev.trtcompat.check.TestModels.function;
import static dev.trtcompat.check.TestModels.in;
import static dev.trtcompat.check.TestModels.int64s;
import static dev.trtcompat.check.TestModels.model;
import static dev.trtcompat.check.TestModels.node;
import static dev.trtcompat.check.TestModels.read;
import static dev.trtcompat.check.TestModels.tensor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.onnx.ModelSummary;
import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.OperatorSetIdProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The check's summary takes its op counts from the index's walk instead of a walk of its own; it must be the
 * summary {@code inspect} writes, byte for byte.
 */
class ModelIndexSummaryTest {

  @Test
  void theIndexSummaryIsTheInspectSummaryOverTheCorpora() throws IOException {
    List<Path> models = new ArrayList<>();
    for (String dir : List.of("src/test/resources/pytorch-exports", "src/test/resources/libonnx-testdata")) {
      try (Stream<Path> s = Files.list(Path.of(dir))) {
        s.filter(p -> p.toString().endsWith(".onnx")).sorted().forEach(models::add);
      }
    }
    if (Files.isDirectory(BackendTestValidationTest.NODE_TESTS)) {
      try (Stream<Path> s = Files.list(BackendTestValidationTest.NODE_TESTS)) {
        s.map(d -> d.resolve("model.onnx")).filter(Files::isRegularFile).sorted().forEach(models::add);
      }
    }
    int compared = 0;
    for (Path file : models) {
      OnnxModel model;
      try {
        model = OnnxModelReader.read(file);
      } catch (RuntimeException unreadable) {
        continue;
      }
      assertThat(ModelIndex.of(model).summary().toJson()).as(file.toString())
          .isEqualTo(ModelSummary.of(model).toJson());
      compared++;
    }
    assertThat(compared).isGreaterThanOrEqualTo(10);
  }

  /** Bodies of If/Loop/Scan count at any depth, local functions' bodies do not; custom-domain ops keep the domain. */
  @Test
  void subgraphsCountAndFunctionBodiesDoNot() {
    GraphProto body = GraphProto.newBuilder().setName("body")
        .addInput(tensor("i", INT64)).addInput(tensor("c", 9)).addInput(tensor("s_in", FLOAT, 4L))
        .addOutput(tensor("c_out", 9)).addOutput(tensor("s_out", FLOAT, 4L))
        .addNode(node("Identity", "", in("c"), in("c_out")))
        .addNode(node("Relu", "", in("s_in"), in("s_out"))).build();
    OnnxModel m = read(model(13, GraphProto.newBuilder()
        .addInput(tensor("x", FLOAT, 4L)).addOutput(tensor("y", FLOAT, 4L)).addOutput(tensor("z", FLOAT, 4L))
        .addInitializer(int64s("trip", 3))
        .addNode(node("MyAct", "act", in("x"), in("r")).toBuilder().setDomain("local").build())
        .addNode(node("Loop", "loop", in("trip", "", "r"), in("y"), attr("body", body)))
        .addNode(node("Relu", "last", in("r"), in("z"))))
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("local").setVersion(1))
        .addFunctions(function("local", "MyAct", in("a"), in("b"),
            node("Relu", "inner", in("a"), in("t")), node("Sigmoid", "s", in("t"), in("b")))).build());
    ModelSummary fromIndex = ModelIndex.of(m).summary();
    assertThat(fromIndex.toJson()).isEqualTo(ModelSummary.of(m).toJson());
    assertThat(fromIndex.ops()).containsEntry("Relu", 2).containsEntry("local:MyAct", 1)
        .containsEntry("Identity", 1).containsEntry("Loop", 1).doesNotContainKey("Sigmoid");
    assertThat(fromIndex.subgraphCount()).isEqualTo(1);
  }
}
