package dev.trtcompat.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.FunctionProto;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.OperatorSetIdProto;
import dev.trtcompat.onnx.proto.OnnxProtos.SparseTensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.StringStringEntryProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an ONNX model file without loading its weights.
 *
 * <p>The model and graph levels are walked on the wire (64-bit offsets, so files over protobuf's 2 GiB
 * limit work); initializers larger than {@link #SMALL_MESSAGE_LIMIT} are skimmed, recording where their
 * payload lies instead of copying it. Small messages (nodes, value infos, opsets, small tensors) are
 * decoded by protobuf-java. Heap use therefore follows the graph's structure, not its weight volume.
 */
public final class OnnxModelReader {

  /** Tensors whose values are at most this many bytes keep them, for constant analysis. */
  public static final int SMALL_VALUE_LIMIT = 64 * 1024;

  /** Messages up to this size are copied and decoded by protobuf-java; larger ones are skimmed or mapped. */
  static final int SMALL_MESSAGE_LIMIT = SMALL_VALUE_LIMIT + 4096;

  /** Protobuf nesting allowed inside one node: each If/Loop/Scan level costs three (node, attribute, graph). */
  static final int RECURSION_LIMIT = 300;

  /** Subgraph levels that fit in {@link #RECURSION_LIMIT}, with room for the value types of the deepest one. */
  static final int SUBGRAPH_DEPTH_LIMIT = (RECURSION_LIMIT - 12) / 3;

  /**
   * Total small-tensor values kept per model. A model of many 60 KiB initializers must not fill the heap
   * with weights: past this budget, tensors are still described but their values are dropped.
   */
  static final long SMALL_VALUES_BUDGET = 16L * 1024 * 1024;

  /** Metadata values and names longer than this are refused (some tools store vocabularies in metadata). */
  static final int TEXT_LIMIT = 64 * 1024 * 1024;

  /** More dims than any real tensor has; a packed dims field longer than this is a corrupt file. */
  static final int MAX_RANK = 1024;

  // ModelProto fields
  private static final int M_IR_VERSION = 1;
  private static final int M_PRODUCER_NAME = 2;
  private static final int M_PRODUCER_VERSION = 3;
  private static final int M_DOMAIN = 4;
  private static final int M_MODEL_VERSION = 5;
  private static final int M_GRAPH = 7;
  private static final int M_OPSET_IMPORT = 8;
  private static final int M_METADATA = 14;
  private static final int M_FUNCTIONS = 25;
  // GraphProto fields
  private static final int G_NODE = 1;
  private static final int G_NAME = 2;
  private static final int G_INITIALIZER = 5;
  private static final int G_INPUT = 11;
  private static final int G_OUTPUT = 12;
  private static final int G_VALUE_INFO = 13;
  private static final int G_SPARSE_INITIALIZER = 15;
  // TensorProto fields
  private static final int T_DIMS = 1;
  private static final int T_DATA_TYPE = 2;
  private static final int T_STRING_DATA = 6;
  private static final int T_NAME = 8;
  private static final int T_RAW_DATA = 9;
  private static final int T_EXTERNAL_DATA = 13;
  private static final int T_DATA_LOCATION = 14;
  // SparseTensorProto fields
  private static final int S_VALUES = 1;
  private static final int S_INDICES = 2;
  private static final int S_DIMS = 3;

  private OnnxModelReader() {}

  /**
   * Reads {@code file}.
   *
   * @throws InvalidModelException when the file is not a readable ONNX model
   * @throws UnsafeModelPathException when external data points outside the model's folder
   */
  public static OnnxModel read(Path file) {
    Path path = file.toAbsolutePath().normalize();
    String name = path.getFileName().toString();
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      if (Files.isDirectory(path)) {
        throw new InvalidModelException("'" + name + "' is a folder, not an ONNX model file");
      }
      if (channel.size() == 0) {
        throw new InvalidModelException("'" + name + "' is empty: an ONNX model is a non-empty protobuf file");
      }
      return new Pass(path, new WireReader(channel)).model();
    } catch (NoSuchFileException e) {
      throw new InvalidModelException("'" + file + "' does not exist");
    } catch (java.nio.file.AccessDeniedException e) {
      throw new InvalidModelException("'" + file + "' cannot be read: permission denied");
    } catch (EOFException e) {
      throw new InvalidModelException("'" + name + "' ends in the middle of a field: the file is truncated");
    } catch (WireReader.TruncatedException e) {
      throw new InvalidModelException("'" + name + "' is truncated or corrupt: " + e.getMessage());
    } catch (WireReader.MalformedWireException e) {
      throw new InvalidModelException("'" + name + "' is not a protobuf file (" + e.getMessage() + ")");
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidModelException("'" + name + "' has a part that does not decode: " + plain(e), e);
    } catch (ArithmeticException e) {
      throw new InvalidModelException("'" + name + "' declares a tensor whose size overflows 64 bits: the file is corrupt");
    } catch (IOException e) {
      throw new InvalidModelException("'" + name + "' cannot be read: " + e.getMessage(), e);
    }
  }

  private static String plain(InvalidProtocolBufferException e) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("too many levels of nesting")) {
      return "it nests subgraphs (If/Loop/Scan bodies) or types more than " + SUBGRAPH_DEPTH_LIMIT
          + " levels deep, the most trt-compat reads";
    }
    return m.replaceAll("\\s+", " ");
  }

  /** One reading of one file; holds the partial results. */
  private static final class Pass {
    private final Path path;
    private final WireReader in;
    private final ExternalDataCheck externals;

    private long irVersion = -1;
    private String producerName = "";
    private String producerVersion = "";
    private String domain = "";
    private long modelVersion;
    private final Map<String, Long> opsets = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<FunctionProto> functions = new ArrayList<>();
    private OnnxGraph graph;
    private final Set<String> externalFiles = new LinkedHashSet<>();
    private long smallValuesKept;

    Pass(Path path, WireReader in) throws IOException {
      this.path = path;
      this.in = in;
      this.externals = new ExternalDataCheck(path.getParent());
    }

    OnnxModel model() throws IOException {
      long end = in.size();
      while (in.position() < end) {
        long tag = in.readVarint();
        int field = field(tag);
        int wire = (int) (tag & 7);
        switch (field) {
          case M_IR_VERSION -> irVersion = expectVarint(field, wire, "ir_version");
          case M_PRODUCER_NAME -> producerName = readString(field, wire, end, "producer_name");
          case M_PRODUCER_VERSION -> producerVersion = readString(field, wire, end, "producer_version");
          case M_DOMAIN -> domain = readString(field, wire, end, "domain");
          case M_MODEL_VERSION -> modelVersion = expectVarint(field, wire, "model_version");
          case M_GRAPH -> {
            long len = expectLen(field, wire, end, "graph");
            if (graph != null) {
              throw new InvalidModelException("'" + name() + "' holds two graphs; a model has one");
            }
            graph = readGraph(in.position() + len);
          }
          case M_OPSET_IMPORT -> {
            OperatorSetIdProto op = OperatorSetIdProto.parseFrom(readSmall(field, wire, end, "opset_import"));
            String d = op.getDomain().isEmpty() ? OnnxModel.DEFAULT_DOMAIN : op.getDomain();
            opsets.put(d, op.getVersion());
          }
          case M_METADATA -> {
            StringStringEntryProto e = StringStringEntryProto.parseFrom(readText(field, wire, end, "metadata_props"));
            metadata.put(e.getKey(), e.getValue());
          }
          case M_FUNCTIONS -> functions.add(FunctionProto.parseFrom(message(field, wire, end, "functions")));
          default -> in.skipValue(wire, end);
        }
      }
      if (graph == null) {
        throw new InvalidModelException(
            "'" + name() + "' is protobuf but not an ONNX model: it has no graph (is it a tensor or another message?)");
      }
      if (irVersion < 0) {
        throw new InvalidModelException("'" + name() + "' has a graph but no ir_version: not a valid ONNX model");
      }
      // IR 3 made opset_import mandatory; it follows the graph on the wire, so its absence is also what a
      // file cut right after the graph looks like.
      if (irVersion >= 3 && opsets.isEmpty()) {
        throw new InvalidModelException(
            "'" + name() + "' imports no operator set (opset_import is required since IR 3): the file is"
                + " truncated or was not written by an ONNX exporter");
      }
      verifySubgraphExternals(graph.nodes());
      return new OnnxModel(
          path,
          in.size(),
          irVersion,
          producerName,
          producerVersion,
          domain,
          modelVersion,
          java.util.Collections.unmodifiableMap(opsets),
          java.util.Collections.unmodifiableMap(metadata),
          graph,
          List.copyOf(functions),
          List.copyOf(externalFiles));
    }

    private OnnxGraph readGraph(long end) throws IOException {
      String graphName = "";
      List<NodeProto> nodes = new ArrayList<>();
      List<TensorInfo> initializers = new ArrayList<>();
      List<ValueInfoProto> inputs = new ArrayList<>();
      List<ValueInfoProto> outputs = new ArrayList<>();
      List<ValueInfoProto> valueInfo = new ArrayList<>();
      while (in.position() < end) {
        long tag = in.readVarint();
        int field = field(tag);
        int wire = (int) (tag & 7);
        switch (field) {
          case G_NODE -> nodes.add(parseNode(field, wire, end, nodes.size()));
          case G_NAME -> graphName = readString(field, wire, end, "graph.name");
          case G_INITIALIZER -> initializers.add(track(readTensor(expectLen(field, wire, end, "initializer"))));
          case G_SPARSE_INITIALIZER -> initializers.add(
              track(readSparse(expectLen(field, wire, end, "sparse_initializer"))));
          case G_INPUT -> inputs.add(ValueInfoProto.parseFrom(message(field, wire, end, "graph.input")));
          case G_OUTPUT -> outputs.add(ValueInfoProto.parseFrom(message(field, wire, end, "graph.output")));
          case G_VALUE_INFO -> valueInfo.add(ValueInfoProto.parseFrom(message(field, wire, end, "value_info")));
          default -> in.skipValue(wire, end);
        }
      }
      checkEnd(end);
      for (ValueInfoProto v : inputs) {
        checkValueType(v, "input");
      }
      for (ValueInfoProto v : outputs) {
        checkValueType(v, "output");
      }
      return new OnnxGraph(
          graphName, List.copyOf(nodes), List.copyOf(initializers), List.copyOf(inputs), List.copyOf(outputs),
          List.copyOf(valueInfo));
    }

    private NodeProto parseNode(int field, int wire, long end, int index) throws IOException {
      try {
        return NodeProto.parseFrom(message(field, wire, end, "node"));
      } catch (InvalidProtocolBufferException e) {
        throw new InvalidModelException(
            "'" + name() + "': node " + index + " does not decode: " + plain(e), e);
      }
    }

    /** Reads an initializer: small ones through protobuf-java, large ones skimmed. */
    private TensorInfo readTensor(long len) throws IOException {
      if (len <= SMALL_MESSAGE_LIMIT) {
        TensorInfo t = TensorDecoding.describe(TensorProto.parseFrom(in.readBytes((int) len)));
        if (t.smallValue() != null) {
          smallValuesKept += t.smallValue().length;
          if (smallValuesKept > SMALL_VALUES_BUDGET) {
            return new TensorInfo(
                t.name(), t.elemType(), t.dims(), t.payloadBytes(), t.storedOffset(), t.storedLength(),
                t.externalLocation(), null);
          }
        }
        return t;
      }
      return skimTensor(in.position() + len);
    }

    private TensorInfo skimTensor(long end) throws IOException {
      List<Long> dims = new ArrayList<>();
      int dataType = 0;
      String tensorName = "";
      long rawOffset = -1;
      long rawLength = -1;
      long typedBytes = 0;
      long stringBytes = 0;
      boolean external = false;
      List<StringStringEntryProto> externalData = new ArrayList<>();
      while (in.position() < end) {
        long tag = in.readVarint();
        int field = field(tag);
        int wire = (int) (tag & 7);
        switch (field) {
          case T_DIMS -> readInt64s(wire, end, dims);
          case T_DATA_TYPE -> dataType = (int) expectVarint(field, wire, "data_type");
          case T_NAME -> tensorName = readString(field, wire, end, "tensor.name");
          case T_RAW_DATA -> {
            rawLength = expectLen(field, wire, end, "raw_data");
            rawOffset = in.position();
            in.skip(rawLength);
          }
          case T_STRING_DATA -> {
            long l = expectLen(field, wire, end, "string_data");
            stringBytes += l;
            in.skip(l);
          }
          case T_EXTERNAL_DATA -> externalData.add(
              StringStringEntryProto.parseFrom(readSmall(field, wire, end, "external_data")));
          case T_DATA_LOCATION -> external = expectVarint(field, wire, "data_location") == 1;
          case 4, 5, 7, 10, 11 -> {
            long before = in.position();
            in.skipValue(wire, end);
            typedBytes += in.position() - before;
          }
          default -> in.skipValue(wire, end);
        }
      }
      checkEnd(end);
      ElementType type = TensorDecoding.elementType(dataType, "initializer '" + tensorName + "'");
      long count = TensorDecoding.elementCount(dims);
      String location = null;
      long storedOffset = rawOffset;
      long storedLength = rawLength >= 0 ? rawLength : typedBytes;
      long payload = type == ElementType.STRING ? stringBytes : type.bytesFor(count);
      if (external) {
        ExternalDataRef ref = ExternalDataRef.of(tensorName, externalData);
        location = ref.location();
        storedOffset = ref.offset();
        storedLength = ref.length();
        if (storedLength >= 0) {
          payload = storedLength;
        }
      }
      return new TensorInfo(tensorName, type, List.copyOf(dims), payload, storedOffset, storedLength, location, null);
    }

    /** A sparse initializer is described by its values tensor, with the dense shape and both payloads. */
    private TensorInfo readSparse(long len) throws IOException {
      long end = in.position() + len;
      TensorInfo values = null;
      TensorInfo indices = null;
      List<Long> dims = new ArrayList<>();
      while (in.position() < end) {
        long tag = in.readVarint();
        int field = field(tag);
        int wire = (int) (tag & 7);
        switch (field) {
          case S_VALUES -> values = readTensor(expectLen(field, wire, end, "sparse values"));
          case S_INDICES -> indices = readTensor(expectLen(field, wire, end, "sparse indices"));
          case S_DIMS -> readInt64s(wire, end, dims);
          default -> in.skipValue(wire, end);
        }
      }
      checkEnd(end);
      if (values == null) {
        throw new InvalidModelException("a sparse initializer in '" + name() + "' has no values tensor");
      }
      if (indices != null && indices.external()) {
        track(indices);
      }
      long payload = values.payloadBytes() + (indices == null ? 0 : indices.payloadBytes());
      return new TensorInfo(
          values.name(), values.elemType(), List.copyOf(dims), payload, values.storedOffset(),
          values.storedLength(), values.externalLocation(), null);
    }

    private TensorInfo track(TensorInfo t) {
      if (t.external()) {
        externals.verify(t);
        externalFiles.add(t.externalLocation());
      }
      return t;
    }

    /** Subgraph and attribute tensors may also use external data; they get the same checks. */
    private void verifySubgraphExternals(List<NodeProto> nodes) {
      for (int i = 0, size = nodes.size(); i < size; i++) { // by index: no iterators per node of a large graph
        NodeProto n = nodes.get(i);
        for (int k = 0, attrs = n.getAttributeCount(); k < attrs; k++) {
          AttributeProto a = n.getAttribute(k);
          if (a.hasT()) {
            verifyTensor(a.getT());
          }
          a.getTensorsList().forEach(this::verifyTensor);
          if (a.hasSparseTensor()) {
            verifyTensor(a.getSparseTensor().getValues());
          }
          if (a.hasG()) {
            verifyGraph(a.getG());
          }
          a.getGraphsList().forEach(this::verifyGraph);
        }
      }
    }

    private void verifyGraph(GraphProto g) {
      g.getInitializerList().forEach(this::verifyTensor);
      for (SparseTensorProto s : g.getSparseInitializerList()) {
        verifyTensor(s.getValues());
      }
      verifySubgraphExternals(g.getNodeList());
    }

    private void verifyTensor(TensorProto t) {
      if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
        track(TensorDecoding.describe(t));
      } else {
        TensorDecoding.elementType(t.getDataType(), "tensor '" + t.getName() + "'");
      }
    }

    private void checkValueType(ValueInfoProto v, String role) {
      if (v.hasType() && v.getType().hasTensorType()) {
        int elem = v.getType().getTensorType().getElemType();
        TensorDecoding.elementType(elem, "graph " + role + " '" + v.getName() + "'");
      }
    }

    // ---- wire helpers -------------------------------------------------------------------------------

    private int field(long tag) throws IOException {
      long field = tag >>> 3;
      if (field == 0 || field > (1 << 29) - 1) {
        throw new WireReader.MalformedWireException("field number " + field + " at byte " + in.position());
      }
      return (int) field;
    }

    private long expectVarint(int field, int wire, String what) throws IOException {
      if (wire != WireReader.VARINT) {
        throw wrongType(field, wire, what);
      }
      return in.readVarint();
    }

    private long expectLen(int field, int wire, long end, String what) throws IOException {
      if (wire != WireReader.LEN) {
        throw wrongType(field, wire, what);
      }
      return in.checkedLength(end);
    }

    private String readString(int field, int wire, long end, String what) throws IOException {
      long len = expectLen(field, wire, end, what);
      if (len > TEXT_LIMIT) {
        throw new InvalidModelException("'" + name() + "': " + what + " is " + len + " bytes long, not a name");
      }
      return new String(in.readBytes((int) len), java.nio.charset.StandardCharsets.UTF_8);
    }

    private byte[] readText(int field, int wire, long end, String what) throws IOException {
      long len = expectLen(field, wire, end, what);
      if (len > TEXT_LIMIT) {
        throw new InvalidModelException(
            "'" + name() + "': a " + what + " entry is " + len + " bytes, over the " + (TEXT_LIMIT >> 20)
                + " MiB trt-compat reads");
      }
      return in.readBytes((int) len);
    }

    private byte[] readSmall(int field, int wire, long end, String what) throws IOException {
      long len = expectLen(field, wire, end, what);
      if (len > SMALL_MESSAGE_LIMIT) {
        throw new InvalidModelException("'" + name() + "': " + what + " entry is " + len + " bytes, implausibly large");
      }
      return in.readBytes((int) len);
    }

    /**
     * A message to hand to protobuf-java, to be parsed at once: read from the reader's buffer when small, mapped (not
     * copied) when large. A large node is usually a Constant holding weights; parsed from the mapping with aliasing,
     * its payload stays in the page cache instead of on the heap.
     */
    private CodedInputStream message(int field, int wire, long end, String what) throws IOException {
      long len = expectLen(field, wire, end, what);
      CodedInputStream cis;
      if (len <= SMALL_MESSAGE_LIMIT) {
        cis = in.codedInput((int) len);
      } else if (len < Integer.MAX_VALUE) {
        ByteBuffer mapped = in.map(len);
        // unsafeWrap marks the buffer immutable: only then does aliasing hand out views of the mapping.
        // CodedInputStream.newInstance(ByteBuffer) treats it as mutable and copies every bytes field onto the heap.
        cis = UnsafeByteOperations.unsafeWrap(mapped).newCodedInput();
        cis.enableAliasing(true);
      } else {
        throw new InvalidModelException(
            "'" + name() + "': one " + what + " is " + len + " bytes; single messages over 2 GiB are not supported");
      }
      cis.setRecursionLimit(RECURSION_LIMIT);
      cis.setSizeLimit(Integer.MAX_VALUE);
      return cis;
    }

    private void readInt64s(int wire, long end, List<Long> out) throws IOException {
      if (wire == WireReader.VARINT) {
        out.add(in.readVarint());
      } else if (wire == WireReader.LEN) {
        long stop = in.position() + in.checkedLength(end);
        while (in.position() < stop) {
          out.add(in.readVarint());
          if (out.size() > MAX_RANK) {
            break;
          }
        }
        if (out.size() <= MAX_RANK) {
          checkEnd(stop);
        }
      } else {
        throw wrongType(T_DIMS, wire, "dims");
      }
      if (out.size() > MAX_RANK) {
        throw new InvalidModelException(
            "'" + name() + "' has a tensor with more than " + MAX_RANK + " dims: the file is corrupt");
      }
    }

    private void checkEnd(long end) throws IOException {
      if (in.position() != end) {
        throw new WireReader.TruncatedException(in.position(), end);
      }
    }

    private InvalidModelException wrongType(int field, int wire, String what) {
      return new InvalidModelException(
          "'" + name() + "' is not an ONNX model: field " + field + " (" + what + ") has wire type " + wire
              + " where the ONNX schema expects another");
    }

    private String name() {
      return path.getFileName().toString();
    }
  }
}
