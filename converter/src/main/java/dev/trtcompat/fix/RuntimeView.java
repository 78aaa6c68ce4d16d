package dev.trtcompat.fix;

import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.onnx.TensorInfo;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How ONNX Runtime is handed a one-file model for the equivalence proof: a small model file with the same graph whose
 * large initializers are external data pointing back into the model file itself, at the offsets where their
 * {@code raw_data} payloads lie. ONNX Runtime then maps those bytes instead of parsing them out of the protobuf and
 * copying them (about 2 s of CPU and 1.5 GB of memory per session for a 1.5 GB model, and impossible over 2 GiB);
 * the weights it runs on are the file's own bytes, and the graph is the file's own graph, re-encoded by protobuf-java.
 *
 * <p>The view lives in a folder of its own under the staging folder, under the model's own name (ONNX Runtime's
 * messages name it), next to a hard link to the model file: external-data locations must be plain names in the
 * view's folder. Where no view helps (no large inline payload, or weights already external) or the link cannot be
 * made (another file system), the model file itself is used.
 */
final class RuntimeView {

  /** Name of the hard link to the model file inside the view's folder. */
  static final String WEIGHTS_LINK = "weights.bin";

  private RuntimeView() {}

  /**
   * @param info {@code file} as {@link OnnxModelReader} read it (payload offsets in the file)
   * @param proto {@code file} as written or read (same initializers, same order)
   * @param folder an empty folder on {@code file}'s file system, removed with the staging folder
   * @return the file ONNX Runtime should load: the view, or {@code file} itself
   */
  static Path of(Path file, OnnxModel info, ModelProto proto, Path folder) throws IOException {
    List<TensorInfo> infos = info.graph().initializers();
    GraphProto graph = proto.getGraph();
    if (!info.externalDataFiles().isEmpty() || infos.size() != graph.getInitializerCount()) {
      return file;
    }
    GraphProto.Builder viewGraph = graph.toBuilder();
    boolean any = false;
    for (int i = 0; i < infos.size(); i++) {
      TensorInfo t = infos.get(i);
      TensorProto p = graph.getInitializer(i);
      if (t.storedOffset() >= 0 && !t.external() && p.getName().equals(t.name())
          && p.getRawData().size() == t.storedLength() && t.storedLength() >= ExternalDataWriter.MIN_BYTES) {
        viewGraph.setInitializer(i, p.toBuilder().clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
            .addExternalData(ExternalDataWriter.entry("location", WEIGHTS_LINK))
            .addExternalData(ExternalDataWriter.entry("offset", Long.toString(t.storedOffset())))
            .addExternalData(ExternalDataWriter.entry("length", Long.toString(t.storedLength())))
            .build());
        any = true;
      }
    }
    if (!any) {
      return file;
    }
    try {
      Files.createLink(folder.resolve(WEIGHTS_LINK), file);
    } catch (IOException | UnsupportedOperationException e) {
      return file; // another file system: ONNX Runtime parses the file itself, slower but the same proof
    }
    String name = file.getFileName().toString();
    Path view = folder.resolve(name.equals(WEIGHTS_LINK) ? "model-" + name : name);
    Files.write(view, proto.toBuilder().setGraph(viewGraph).build().toByteArray());
    return view;
  }
}
