package dev.trtcompat.accuracy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.precision.Precision;
import dev.trtcompat.reference.HostTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrtexecFilesTest {

  @TempDir Path dir;

  /**
   * Written character for character as exportJSONOutput prints it (samples/common/sampleReporting.cpp): the
   * first object is preceded by two spaces, later ones by ", "; fields on their own lines led by "  , ";
   * values joined by ", " with C++ stream formatting, including "-nan" and "inf".
   */
  static final String EXPORTED =
      "[\n"
          + "  { \"name\" : \"logits\"\n"
          + "  , \"dimensions\" : \"1x2x3\"\n"
          + "  , \"values\" : [ 0.123457, -1.5, 1e-07, -nan, inf, -inf ]\n"
          + "  }\n"
          + ", { \"name\" : \"nan inf/index:0\"\n"
          + "  , \"dimensions\" : \"2\"\n"
          + "  , \"values\" : [ 7, -3 ]\n"
          + "  }\n"
          + "]\n";

  @Test
  void readsTrtexecExportOutputJson() throws Exception {
    Path f = Files.writeString(dir.resolve("out.json"), EXPORTED);
    List<TrtexecOutputJson.ExportedOutput> outs = TrtexecOutputJson.read(f);
    assertThat(outs).hasSize(2);
    assertThat(outs.get(0).name()).isEqualTo("logits");
    assertThat(outs.get(0).dimensions()).containsExactly(1, 2, 3);
    double[] v = outs.get(0).values();
    assertThat(v[0]).isEqualTo(0.123457);
    assertThat(v[2]).isEqualTo(1e-7);
    assertThat(v[3]).isNaN();
    assertThat(v[4]).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(v[5]).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(outs.get(1).name()).isEqualTo("nan inf/index:0"); // words inside names are left alone
    assertThat(outs.get(1).values()).containsExactly(7, -3);
  }

  @Test
  void takesElementTypesFromTheReference() throws Exception {
    Path f = Files.writeString(dir.resolve("out.json"), EXPORTED);
    Map<String, HostTensor> ref = Map.of("nan inf/index:0", HostTensor.ofLongs("nan inf/index:0", new long[] {2}, 7, -3));
    Map<String, HostTensor> engine = TrtexecOutputJson.readAs(f, ref);
    assertThat(engine.get("logits").type()).isEqualTo(ElementType.FLOAT);
    assertThat(engine.get("nan inf/index:0").type()).isEqualTo(ElementType.INT64);
    assertThat(AccuracyComparison.compare(ref, engine, Precision.FP32, Tolerance.defaults(Precision.FP32)).passed()).isTrue();
  }

  @Test
  void rejectsFilesThatAreNotTrtexecOutput() {
    assertThatThrownBy(() -> TrtexecOutputJson.parse("{\"name\": 1}")).isInstanceOf(UserFacingException.class);
    assertThatThrownBy(() -> TrtexecOutputJson.parse("[ { \"name\" : \"a\", \"dimensions\" : \"3\", \"values\" : [ 1, 2 ] } ]"))
        .isInstanceOf(UserFacingException.class).hasMessageContaining("2 values");
    assertThatThrownBy(() -> TrtexecOutputJson.parse("[ { \"name\" : \"a\", \"values\" : [ 1 ] } ]"))
        .hasMessageContaining("lacks");
    assertThatThrownBy(() -> TrtexecOutputJson.parse("[ { \"name\" : \"a\", \"dimensions\" : \"1x\", \"values\" : [ 1 ] "))
        .isInstanceOf(UserFacingException.class);
  }

  @Test
  void writesRawLittleEndianInputsAndTheLoadInputsSpec() throws Exception {
    HostTensor image = HostTensor.ofFloats("images", new long[] {1, 2}, 1.5f, -2f);
    HostTensor ids = HostTensor.ofLongs("input:ids", new long[] {3}, 1, 2, 300);
    TrtexecInputFiles.Written w =
        TrtexecInputFiles.write(dir.resolve("in"), "/work/in", List.of(image, ids), Map.of());
    assertThat(w.loadInputsSpec()).isEqualTo("images:/work/in/images.bin,'input:ids':/work/in/input_ids.bin");
    byte[] img = Files.readAllBytes(w.files().get("images"));
    ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(img).hasSize(8);
    assertThat(b.getFloat()).isEqualTo(1.5f);
    assertThat(b.getFloat()).isEqualTo(-2f);
    assertThat(Files.size(w.files().get("input:ids"))).isEqualTo(24);
  }

  @Test
  void castsToTheEnginesBindingTypes() throws Exception {
    HostTensor image = HostTensor.ofFloats("images", new long[] {2}, 1f, -2f);
    HostTensor ids = HostTensor.ofLongs("ids", new long[] {2}, 1, 300);
    TrtexecInputFiles.Written w = TrtexecInputFiles.write(
        dir, "/in", List.of(image, ids), Map.of("images", ElementType.FLOAT16, "ids", ElementType.INT32));
    ByteBuffer half = ByteBuffer.wrap(Files.readAllBytes(w.files().get("images"))).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(half.getShort()).isEqualTo((short) 0x3c00);
    assertThat(half.getShort()).isEqualTo((short) 0xc000);
    ByteBuffer i32 = ByteBuffer.wrap(Files.readAllBytes(w.files().get("ids"))).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(i32.getInt()).isEqualTo(1);
    assertThat(i32.getInt()).isEqualTo(300);
    assertThatThrownBy(() -> TrtexecInputFiles.write(dir, "/in", List.of(ids), Map.of("ids", ElementType.INT8)))
        .hasMessageContaining("does not fit");
  }
}
