#!/usr/bin/env python3
"""Regenerates the per-release knowledge base files (tensorrt-<release>.json) and releases.txt (the ONNX
operator history, onnx-operator-versions.json, comes from tools/onnx_schema_history.py).

Which releases, and where each one's facts are read, is data: tools/releases.tsv (one row per release, oldest
first). Per release:
  table  shared:<key>  a release's operators.md rows in SHARED_DIR/compat-sources/operators.tsv (+ versions.tsv)
         git:<ref>     docs/operators.md (operators.md before 7.2) at that ref of the onnx-tensorrt mirror, parsed here
  code   git:<ref>     the importer source at that ref (which op importers are registered)
         none          not read: the table decides support, and the importer facts in code_facts() are carried
  status source        built from what was read
         derived       not readable: the derived_from release's rules plus the changelog lines for this release in
                       tools/parser-changelog.tsv, applied by machine (never edited by hand)
Restrictions in the doc tables are turned into structured constraints by restriction_constraints(); facts read
from the importer code are in code_facts(). Where doc and code disagree, the code fact decides and both are
written to the file. The ONNX operator history comes from Debian's python3-onnx.

usage (from the repository root, with the system Python that has python3-onnx):
  /usr/bin/python3 compat-matrix/tools/gen_rules.py /work/shared /work/sources/onnx-tensorrt.git \
      compat-matrix/src/main/resources/dev/trtcompat/rules
SHARED_DIR is the folder holding compat-sources/; ONNX_TENSORRT_GIT_DIR a clone or bare mirror of
github.com/onnx/onnx-tensorrt with the refs named in releases.tsv (tags release-X.Y).
"""
import copy, json, re, subprocess, sys, csv, os

SHARED, MIRROR, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
TOOLS = os.path.dirname(os.path.abspath(__file__))
REPO_URL = "https://github.com/onnx/onnx-tensorrt"

def read_tsv(path):
    with open(path) as fh:
        return list(csv.DictReader((l for l in fh if not l.startswith("#")), delimiter="\t"))

# Every release, oldest first, with where its table and code are read (see the docstring).
RELEASE_ROWS = read_tsv(os.path.join(TOOLS, "releases.tsv"))
RELEASES = [r["release"] for r in RELEASE_ROWS]

def rel_key(r):
    return tuple(int(x) for x in r.split("."))

def at_least(r, v):
    return rel_key(r) >= rel_key(v)

TYPE_NAMES = {"FP32": "FLOAT", "FP16": "FLOAT16", "BF16": "BFLOAT16", "INT32": "INT32", "INT64": "INT64",
              "INF64": "INT64", "BOOL": "BOOL", "UINT8": "UINT8", "INT8": "INT8", "FP8": "FLOAT8E4M3FN",
              "INT4": "INT4", "FP4": "FLOAT4E2M1"}

def parse_types(cell):
    out = []
    for t in re.split(r"[,\s]+", cell.strip()):
        if t:
            out.append(TYPE_NAMES[t])
    return sorted(set(out), key=out.index) if out else None

def git_show(ref, path):
    r = subprocess.run(["git", "-C", MIRROR, "show", f"{ref}:{path}"], capture_output=True, text=True)
    return r.stdout if r.returncode == 0 else None

def importer_file(ref):
    for f in ("builtin_op_importers.cpp", "onnxOpImporters.cpp"):
        text = git_show(ref, f)
        if text is not None:
            return f, text
    raise SystemExit("no importer file at " + ref)

def parse_operator_table(md):
    """operators.md -> rows like operators.tsv's (cells stripped, restriction cell verbatim)."""
    rows, in_table = [], False
    for line in md.splitlines():
        if line.startswith("| Operator"):
            in_table = True
            continue
        if not in_table:
            continue
        if not line.startswith("|"):
            in_table = not rows
            continue
        if re.match(r"^\|[-| ]+\|?$", line):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        cells += [""] * (4 - len(cells))
        if any(t not in TYPE_NAMES for t in re.split(r"[,\s]+", cells[2]) if t) and not "".join(cells[3:]).strip():
            # A note written in the types column (DynamicQuantizeLinear from 10.8): it is a restriction.
            cells = cells[:2] + ["", cells[2]]
        rows.append({"operator": cells[0], "supported": cells[1], "types": cells[2],
                     "restrictions_raw": "|".join(cells[3:]).strip()})
    return rows

def parse_versions(md):
    """First paragraphs of operators.md -> opset range and the data-type sentence (versions.tsv's columns)."""
    m = re.search(r"opset (\d+) to opset (\d+)", md)
    d = re.search(r"following ONNX data types: ([^\n]+)", md)
    if not m or not d:
        raise SystemExit("operators.md: no opset range or data-type sentence")
    return {"opset_min": m.group(1), "opset_max": m.group(2), "data_types": d.group(1).strip()}

def ci(i, name, mode="initializer", **kw):
    d = {"kind": "constant_input", "input": i, "name": name, "mode": mode}
    d.update(kw)
    return d

def av(attr, allowed, default=None, **kw):
    d = {"kind": "attribute_values", "attribute": attr, "allowed": allowed}
    if default is not None:
        d["default"] = default
    d.update(kw)
    return d

def rank(i, lo, hi):
    return {"kind": "input_rank", "input": i, "min": lo, "max": hi}

def optional_input(i, name, present, **kw):
    d = {"kind": "optional_input", "input": i, "name": name, "present": present}
    d.update(kw)
    return d

def manual(check):
    # A documented restriction that needs runtime shapes or values; reported as info, never as a pass.
    return {"kind": "not_statically_checkable", "check": check}

def restriction_constraints(op, text, release):
    """Doc restriction text -> structured constraints (the doc text stays in the file as provenance)."""
    t = text.replace("\\", "")
    c = []
    if op in ("AveragePool", "MaxPool") and "2D or 3D" in t:
        c.append(rank(0, 4, 5))
    if "dilations` must be empty or all ones" in t:
        c.append({"kind": "attribute_all_ones", "attribute": "dilations"})
    if op == "MaxPool" and "Indices" in t:
        c.append({"kind": "unsupported_output", "output": 1, "name": "Indices"})
    if op == "Clip" and "min" in t:
        c += [ci(1, "min", sinceOpset=11), ci(2, "max", sinceOpset=11)]
    if op == "Conv" and "W` must be an initailizer" in t:
        c.append(ci(1, "W"))
    if op == "ConvTranspose":
        c.append(ci(1, "W"))
    if op == "CumSum":
        c.append(ci(1, "axis"))
    if op == "DequantizeLinear":
        if "zero_point` must be zero" in t:
            c.append({"kind": "input_all_zero", "input": 2, "name": "x_zero_point"})
        else:
            c += [ci(1, "x_scale"), ci(2, "x_zero_point")]
    if op == "QuantizeLinear":
        if "must be 0" in t:
            c.append({"kind": "input_all_zero", "input": 2, "name": "y_zero_point"})
        else:
            c += [ci(1, "y_scale"), ci(2, "y_zero_point")]
    if op in ("QuantizeLinear", "DequantizeLinear") and at_least(release, "8.0") and not at_least(release, "8.7"):
        # QuantDequantLinearHelper 8.0-8.6 asserts three inputs (ids 535a120d1f9f, e74c42785a5d)
        c.append(optional_input(2, "y_zero_point" if op == "QuantizeLinear" else "x_zero_point", True))
    # Dropout training_mode and Constant's sparse/string values: asserted from 8.0 (ids 4e4459734ded, 7505159a1d75)
    if op == "Dropout" and ("is_traning" in t or at_least(release, "8.0")):
        c.append(ci(2, "training_mode", sinceOpset=12))
    if op == "Einsum" and "Ellipsis" in t:
        c.append({"kind": "attribute_excludes", "attribute": "equation", "substrings": ["..."]})
    if op == "EyeLike" or (op == "ReverseSequence" and "Dynamic" in t):
        c.append({"kind": "static_input_shape", "input": 0})
    if op in ("Gather", "GatherElements") and "positive indices" in t:
        c.append(manual("non_negative_indices"))
    if op in ("GRU", "LSTM", "RNN"):
        c.append(manual("bidirectional_same_activations"))
    if op == "LSTM":
        # 'Coupled input/forget is unsupported' is asserted on every branch (importer, static checker from 9.1),
        # whether or not the table says so (ids 79731543ac3e, 931633e44a85)
        c.append(av("input_forget", ["0"], "0"))
        if "input_forget" in t:
            c.append(av("layout", ["0"], "0"))
    if op == "GridSample":
        c.append(rank(0, 4, 4))
    if op == "Hardmax":
        c.append(manual("axis_dimension_build_time_constant"))
    if op == "If":
        c.append(manual("branch_outputs_compatible"))
    if op == "InstanceNormalization":
        c += [ci(1, "scale"), ci(2, "B")]
        # rank asserted by the importer: 3..4 on 7.1, 3..5 on 7.2-8.5 (ids 134f0515e103, 05fb43de1613)
        if release == "7.1":
            c.append(rank(0, 3, 4))
        elif "rank" in t or (at_least(release, "7.2") and not at_least(release, "8.6")):
            c.append(rank(0, 3, 5))
        elif at_least(release, "8.6"):
            # normalizationHelper: 'Input to normalization should be at least 3D' (ids c7e1a61cc390, 18cc2c6df5d3)
            c.append(rank(0, 3, 8))
    if op == "GroupNormalization" and at_least(release, "8.6"):
        c.append(rank(0, 3, 8))  # the same normalizationHelper assertion
    if op == "LayerNormalization":
        c += [{"kind": "unsupported_output", "output": 1, "name": "Mean"},
              {"kind": "unsupported_output", "output": 2, "name": "InvStdDev"}]
    if op == "Loop":
        c.append(manual("loop_carried_shapes_static"))
    if op == "NonMaxSuppression" and "initializers" in t:
        c += [ci(2, "max_output_boxes_per_class"), ci(3, "iou_threshold"), ci(4, "score_threshold")]
    if op == "OneHot" and release == "8.5":
        # 8.5 asserts the depth is known at build time (id 63621a28f216); from 8.6 a run-time depth is converted
        c.append(ci(1, "depth", "constant"))
    if op == "Pad":
        if "axes" in t:
            c.append(ci(3, "axes", sinceOpset=18))
        else:
            c += [ci(1, "pads", sinceOpset=11), av("mode", ["constant"], "constant"),
                  ci(2, "constant_value", sinceOpset=11), manual("zero_padding_last_two_dims")]
    if op == "Range":
        c.append(manual("float_range_inputs_initializers"))
    if op.startswith("Reduce") and "axes" in t:
        c.append(ci(1, "axes", sinceOpset=18 if op != "ReduceSum" else 13))
    elif op == "ReduceSum" and at_least(release, "8.0") and not at_least(release, "10.0"):
        # reduceTensor 'Axis input must be an initializer!' (id 197201b97e66): on 8.0-9.3 only ReduceSum passes its
        # opset-13 axes input; the table says nothing
        c.append(ci(1, "axes", sinceOpset=13))
    if op == "ScatterND" and "reduction" in t:
        c.append(av("reduction", ["none"], "none"))
    if op == "Slice" and "axes" in t:
        c.append(ci(3, "axes", sinceOpset=10))
    if op == "Split" and "split" in t:
        c.append(ci(1, "split", sinceOpset=13))
    if op == "Squeeze":
        c.append(ci(1, "axes", sinceOpset=13))
    if op == "Unsqueeze":
        c.append(ci(1, "axes", "constant", sinceOpset=13))
    if op == "TopK":
        if "initializer" in t:
            c.append(ci(1, "K", sinceOpset=10))
        if "sorted" in t:
            c += [av("sorted", ["1"], "1"), {"kind": "input_value_max", "input": 1, "name": "K", "max": 3839}]
    if op == "Constant" and ("sparse_value" in t or at_least(release, "8.0")):
        c.append({"kind": "forbidden_attributes", "attributes": ["sparse_value", "value_string", "value_strings"]})
    if op == "Resize":
        c += resize_constraints(release)
    return c

# Resize's sizes form on 7.0-8.2: 'if (inputs.size() == 4)' (boi 7.0:2529, 7.1:2576, 7.2:3026, 8.0:3479, 8.2:3505)
# counts declared inputs, and ModelImporter's node import pushes a null input for an empty name (7.0/7.1:118,
# 7.2:100, 8.0/8.2:130), so [X, roi, scales, ""] takes the sizes path: the form tests mean "declared", and the
# path converts that null input (convertToTensor -> TensorOrWeights::tensor(), whose assert(!isNullTensor()) is
# gone under NDEBUG, then 'return *_tensor') for layer->setInput(1, ...) and returns before setScales, so the
# layer never gets the node's scales. From 8.4 (boi:3487) the test is 'inputs.size() == 4 &&
# !inputs.at(3).isNullTensor()': present means given, the default.
RESIZE_SIZES_BY_COUNT = ("7.0", "7.1", "7.2", "8.0", "8.2")

def resize_constraints(release):
    """Resize: value sets read from the importer code (the doc tables lag; e.g. cubic from 8.5)."""
    by_count = release in RESIZE_SIZES_BY_COUNT
    form = {"inputPresence": "declared"} if by_count else {}
    scales = [ci(1, "scales", untilOpset=10), ci(2, "scales", sinceOpset=11, unlessInputPresent=3, **form)]
    if by_count:
        scales.append({"kind": "declared_empty_input", "input": 3, "name": "sizes", "sinceOpset": 11})
    if release == "7.0":
        return [av("mode", ["nearest", "linear"], "nearest"),
                av("coordinate_transformation_mode", ["asymmetric"], "half_pixel", sinceOpset=11),
                av("nearest_mode", ["floor"], "round_prefer_floor", sinceOpset=11, when={"mode": "nearest"})] + scales
    if release in ("7.1", "7.2"):
        # the coordinate modes each form accepts: with sizes (input 3) ids b7a8ae2f70ca (nearest), 2da7b5fece90
        # (linear); with scales ids 9751b559f6a2 (nearest), 4c73a3b06f2d (linear)
        def ctm(mode, allowed, **cond):
            return av("coordinate_transformation_mode", allowed, "half_pixel", sinceOpset=11, when={"mode": mode},
                      **cond, **form)
        return [av("mode", ["nearest", "linear"], "nearest"),
                av("coordinate_transformation_mode", ["asymmetric", "align_corners", "half_pixel", "pytorch_half_pixel"],
                   "half_pixel", sinceOpset=11),
                ctm("nearest", ["asymmetric", "align_corners"], whenInputPresent=3),
                ctm("linear", ["half_pixel", "pytorch_half_pixel", "align_corners"], whenInputPresent=3),
                ctm("nearest", ["asymmetric"], unlessInputPresent=3),
                ctm("linear", ["asymmetric", "half_pixel", "pytorch_half_pixel"], unlessInputPresent=3),
                av("nearest_mode", ["floor"], "round_prefer_floor", sinceOpset=11, when={"mode": "nearest"})] + scales
    modes = ["nearest", "linear"] + (["cubic"] if at_least(release, "8.5") else [])
    c = [av("mode", modes, "nearest"),
         av("coordinate_transformation_mode",
            ["half_pixel", "pytorch_half_pixel", "tf_half_pixel_for_nn", "asymmetric", "align_corners"],
            "half_pixel", sinceOpset=11),
         av("nearest_mode", ["floor", "ceil", "round_prefer_floor", "round_prefer_ceil"], "round_prefer_floor",
            sinceOpset=11, when={"mode": "nearest"})]
    if not at_least(release, "8.4"):
        c += scales
    if at_least(release, "10.0"):
        c += [av("antialias", ["0"], "0", sinceOpset=18), av("keep_aspect_ratio_policy", ["stretch"], "stretch", sinceOpset=18)]
    return c

# Facts read from the importer code where the doc table is silent, wrong or imprecise.
# (release predicate, op) -> dict(supported=?, constraints=[...], note=...)
def code_facts(release, registered, code=None):
    f = {}
    def put(op, **kw):
        f[op] = kw
    # Conv: the importer expands 1D convolutions to 2D on every branch (needToExpandDims), so the doc's
    # "2D or 3D only" is narrower than the code; weights must be initializers until 8.x made them tensors.
    # Weights: 7.x asserts W is an initializer (7.1-7.2 accept a tensor W only in explicit-precision QAT networks);
    # 8.0-8.4 route a tensor W to the multi-input convolution but assert a given B is an initializer; from 8.5 a
    # tensor B takes the multi-input path too (assertion ids 63248c7b177f, 864ff1ba5615, 3466328b4cb0,
    # a09a4aebcfc7, c06e1b8c5dcb).
    conv = [ci(1, "W")] if not at_least(release, "8.0") else []
    conv += [ci(2, "B")] if not at_least(release, "8.5") else []
    put("Conv", constraints=conv + [rank(0, 3, 5)],
        note="importer expands 1D convolutions (needToExpandDims); W must be an initializer before 8.0, a given B before 8.5")
    # ConvTranspose: W initializer until 8.0 (8.2+ converts a tensor kernel), B until 8.4, rank 3..5 asserted
    # ('only supports 1D, 2D or 3D deconvolutions'; ids 983d4c7ad313, e30460db00c2, 308bba778591, 41cdef7152aa).
    deconv = [ci(1, "W")] if not at_least(release, "8.2") else []
    deconv += [ci(2, "B")] if not at_least(release, "8.5") else []
    put("ConvTranspose", constraints=deconv + [rank(0, 3, 5)],
        note="ConvTranspose importer: W initializer before 8.2, a given B before 8.5, input rank 3 to 5")
    # Upsample (opset 7-9): mode nearest|linear, + bilinear from 8.4; opset-9 scales input asserted an
    # initializer up to 8.2 (ids 83c1c12dee45, da283dcfbeb6, 67b73321de85, 14db948226f6, 58b396bab55e, d9b9274cf768)
    up = [av("mode", ["nearest", "linear"] + (["bilinear"] if at_least(release, "8.4") else []), "nearest")]
    if not at_least(release, "8.4"):
        up.append(ci(1, "scales", sinceOpset=9))
    put("Upsample", constraints=up, note="Upsample importer: mode set and (before 8.4) scales initializer asserted")
    if at_least(release, "8.5"):
        # 'does not support training_mode == 1 in BatchNormalization' (importer 8.5-9.0, static checker 9.1+)
        put("BatchNormalization", constraints=[av("training_mode", ["0"], "0", sinceOpset=14)],
            note="BatchNormalization importer/checker reject training_mode == 1")
    # Pooling: poolingHelper (onnx2trt_utils.cpp) expands 1D pooling like Conv and asserts dilations == 1
    # ("Do not support pooling dilations currently"); the tables say "2D or 3D" and mention dilations only from 10.0.
    for pool in ("AveragePool", "MaxPool"):
        cons = [rank(0, 3, 5), {"kind": "attribute_all_ones", "attribute": "dilations"}]
        if pool == "MaxPool":
            # 7.1+: the importer (static checker from 9.1) asserts node.output().size() == 1: a declared Indices
            # output fails even when nothing reads it (ids c2f745b64660, 03501a8d545e)
            idx = {"kind": "unsupported_output", "output": 1, "name": "Indices"}
            if at_least(release, "7.1"):
                idx["whenDeclared"] = True
            cons.append(idx)
        put(pool, constraints=cons,
            note="poolingHelper expands 1D pooling (needToExpandDims) and asserts dilations[i] == 1")
    if at_least(release, "8.5"):
        # NonZero importer asserts its own type list, wider than the table's "FP32, FP16".
        nz = ["FLOAT", "FLOAT16", "INT32", "INT8", "BOOL"] + (["BFLOAT16", "INT64"] if at_least(release, "10.0") else [])
        put("NonZero", types=nz, note="NonZero importer asserts input type in {" + ", ".join(nz) + "}")
    if at_least(release, "8.5"):
        put("Resize", constraints=resize_constraints(release),
            note="importer handles mode == \"cubic\" (cubic_coeff_a, exclude_outside) although the table lists nearest/linear only")
    if not at_least(release, "8.0"):
        put("Clip", constraints=[ci(1, "min", sinceOpset=11), ci(2, "max", sinceOpset=11)],
            note="Clip importer asserts inputs.at(1/2).is_weights(): 'Clip min value must be an initializer!'")
    # TopK K, Pad, Slice axes, Split split: re-derived from the importer assertions (assertions/classes.json ids in
    # the notes); docs/compat-matrix.md lists the corrections to the earlier hand facts.
    if not at_least(release, "8.6"):
        # 7.0-8.2: ASSERT(inputs.at(1).is_weights()); 8.4-8.5: assertIsWeights(inputs.at(1)); 8.6+ converts K to a tensor
        put("TopK", constraints=[ci(1, "K", sinceOpset=10)],
            note="TopK importer asserts K is an initializer before 8.6 (ids a6c5efe3476d, 02dfce6d4611, a32bf22e6eea)")
    if release == "7.0":
        put("Pad", constraints=[ci(1, "pads", sinceOpset=11), av("mode", ["constant"], "constant"),
                                ci(2, "constant_value", sinceOpset=11), rank(0, 4, 8), manual("zero_padding_last_two_dims")],
            note="Pad importer: pads/constant_value initializers, 'only supports constant 0 padding', input rank >= 4")
    elif release in ("7.1", "7.2", "8.0"):
        put("Pad", constraints=[ci(1, "pads", sinceOpset=11), av("mode", ["constant"], "constant"),
                                ci(2, "constant_value", sinceOpset=11), manual("zero_padding_last_two_dims")],
            note="Pad importer: pads/constant_value initializers, 'only supports constant 0 padding' on the outer two dims")
    else:
        # 8.2+: pads/constant_value given as tensors build an ISliceLayer in fill mode; reflect -> kREFLECT,
        # edge -> kCLAMP, wrap -> kWRAP from 10.0; anything else is 'Unsupported pad mode'. 8.5-10.3 reject
        # axes (opset 18) that are not initializers ('does not support dynamic axes for pad').
        modes = ["constant", "reflect", "edge"] + (["wrap"] if at_least(release, "10.0") else [])
        cons = [av("mode", modes, "constant")]
        if at_least(release, "8.5") and not at_least(release, "10.4"):
            cons.append(ci(3, "axes", sinceOpset=18))
        put("Pad", constraints=cons, codeOnly=True,
            note="Pad importer: run-time pads/constant_value through a fill-mode slice; modes " + ", ".join(modes))
    # Slice axes: ASSERT(axes.allValuesKnown()) (a ShapeTensor: build-time constant, not only an initializer), until 10.2
    if not at_least(release, "10.3"):
        put("Slice", constraints=[ci(3, "axes", "constant", sinceOpset=10)],
            note="Slice importer asserts axes values are known at build time (allValuesKnown)")
    # Split split input: ASSERT(inputs.at(1).is_weights()) on 7.2-8.0; from 8.2 a tensor split is converted
    if release in ("7.2", "8.0"):
        put("Split", constraints=[ci(1, "split", sinceOpset=13)], note="Split importer asserts 'split' is an initializer")
    elif at_least(release, "8.2"):
        put("Split", constraints=[], note="Split importer accepts a run-time 'split' input from 8.2")
    # QuantizeLinear zero point: QuantDequantLinearHelper asserts a constant INT8 zero point is all zeros (id
    # ced21f249797). Where that check sits under 'chosenDataType == DataType::kINT8 && isDQ' (9.0, 9.2), a constant
    # QuantizeLinear zero point is neither checked nor given to the layer: it is dropped, so a non-zero one parses
    # and quantizes as zero. Read from the code; releases without code keep the table's "must be 0".
    if code is not None and re.search(r"kINT8\s*&&\s*isDQ\)\s*\{[^}]*?shiftIsAllZeros", code, re.S):
        put("QuantizeLinear", constraints=[{"kind": "input_all_zero", "input": 2, "name": "y_zero_point",
                                            "ignoredWhenConstant": True}],
            note="QuantDequantLinearHelper checks the zero point only for DequantizeLinear (isDQ): a constant "
                 "QuantizeLinear zero point is dropped, not checked")
    # Assertions of the operators classified last (ids in assertions/classes.json):
    # LpNormalization/LpPool 'Only L1 and L2 normalization are supported' (importer 7.2-9.0, static checker 9.1+:
    # 5fe7a56d1a9f, 70710372907e, 8002ec12bc41, d2ea8d151b80); the LpPool checker also calls poolingCheckHelper
    # (dilations, 51ec17e17392).
    if at_least(release, "7.2"):
        put("LpNormalization", constraints=[av("p", ["1", "2"], "2")], note="LpNormalization asserts p is 1 or 2")
        lp = [av("p", ["1", "2"], "2")] + ([{"kind": "attribute_all_ones", "attribute": "dilations"}]
                                           if at_least(release, "9.1") else [])
        put("LpPool", constraints=lp, note="LpPool asserts p is 1 or 2" + (" and dilations == 1" if len(lp) > 1 else ""))
    # STFT (10.5+): frame_step, and window / frame_length when given, must be initializers (8edae7f4c91f,
    # af322af1cd32, 91c25f28f2d3)
    if at_least(release, "10.5"):
        put("STFT", constraints=[ci(1, "frame_step"), ci(2, "window"), ci(3, "frame_length")],
            note="STFT importer: frame_step, window and frame_length must be initializers")
    # DeformConv (10.1+): modulatedDeformableConvPluginHelper 'only supports DeformConv on 3D, or 4D tensors' (b97780e6d275)
    if at_least(release, "10.1"):
        put("DeformConv", constraints=[rank(0, 3, 4)], note="DeformConv plugin helper: input rank 3 or 4")
    # Window functions (10.4+): 'Output must be float32-type!' (b1b0fcb9cee1, b5cf3d5cab29, ceb4a8b20dff)
    for window in ("BlackmanWindow", "HammingWindow", "HannWindow"):
        if at_least(release, "10.4"):
            put(window, constraints=[av("output_datatype", ["1"], "1")], note=window + " importer: output_datatype FLOAT only")
    # Scan, opset 8: 'TensorRT doesn't support sequence_lens input for this node!' (9607f1db9db4)
    put("Scan", constraints=[optional_input(0, "sequence_lens", False, sinceOpset=8, untilOpset=8)],
        note="Scan importer: no sequence_lens input (opset 8)")
    if release in ("7.1", "7.2"):
        put("If", supported="yes", constraints=[ci(0, "cond")],
            note="If importer registered; asserts 'If condition must be a initializer!' and inlines the taken branch")
    return f

DATA_DEPENDENT = {"NonZero", "NonMaxSuppression", "Unique"}

def rel_in(release, spec):
    """'7.0-7.2', '8.0-' (open), '9.3' (one release)."""
    lo, _, hi = spec.partition("-")
    if "-" not in spec:
        return release == lo
    return at_least(release, lo) and (not hi or at_least(hi, release))

def class_for(entry, release):
    """The classification of one assertion on one release (ranges pick by release)."""
    if "ranges" not in entry:
        return entry
    for r in entry["ranges"]:
        if rel_in(release, r["releases"]):
            return dict(r, op=entry["op"])
    return None

def constraint_ids(entry):
    ids = set()
    for c in entry.get("constraints", []):
        # the ids of dev.trtcompat.rules.Constraint#id()
        k = c["kind"]
        if k in ("constant_input", "unsupported_output", "input_value_max", "input_all_zero", "optional_input",
                 "declared_empty_input"):
            ids.add(k + "." + c["name"])
        elif k in ("attribute_values", "attribute_all_ones", "attribute_excludes"):
            ids.add(k + "." + c["attribute"])
        elif k == "not_statically_checkable":
            ids.add("runtime_restriction." + c["check"])
        else:
            ids.add(k)
    if entry.get("typesFrom") == "code":
        ids.add("types")
    return ids

def attach_fact(release, manifest, rule, a, c, classes):
    """Adds one classified assertion to an operator rule; returns the problem when a modelled one's constraint is
    missing from the rule."""
    fact = {"id": a["id"], "class": c["class"], "at": f"{a['file']}:{a['line']}@{manifest['commit'][:12]}"}
    problems = []
    if c["class"] == "modelled":
        fact["constraint"] = c["constraint"]
        if not set(c["constraint"].split("|")) & constraint_ids(rule):
            problems.append(f"{release} {rule['op']}: assertion {a['id']} ({a['message'][:60]}) is modelled by "
                            f"{c['constraint']}, which the rule lacks")
    elif c["class"] in ("runtime", "static_unmodelled"):
        fact["what"] = c.get("what") or classes[a["id"]]["what"]
    rule.setdefault("assertions", []).append(fact)
    return problems

def attach_assertions(release, commit, ops):
    """Adds each operator's classified importer assertions (id, class, constraint, file:line) to its rule and
    fails when a modelled assertion has no matching constraint in the rule (a fact not traced to code)."""
    mpath = os.path.join(OUT, "assertions", f"tensorrt-{release}.json")
    if not os.path.exists(mpath):
        return []
    manifest = json.load(open(mpath))
    classes = json.load(open(os.path.join(OUT, "assertions", "classes.json")))["classes"]
    by_op = {e["op"]: e for e in ops}
    problems = []
    reached = manifest.get("helperReachedFrom", {})
    for a in manifest["assertions"]:
        kind, _, op = a["context"].partition(":")
        if a["id"] not in classes:
            continue
        c = class_for(classes[a["id"]], release)
        if kind == "helper":
            # A helper's assertion belongs to the operators named in its class ("ops") that call the helper on
            # this release; without "ops" it is classified but attached to no rule.
            if c is None or c["class"] == "not_applicable":
                continue
            callers = {ctx.partition(":")[2] for ctx in reached.get(op, [])}
            for target in c.get("ops", []):
                if target in callers and target in by_op and by_op[target]["supported"] == "yes":
                    problems += attach_fact(release, manifest, by_op[target], a, c, classes)
            continue
        if c is not None and c.get("constraint") == "op.unsupported":
            if op in by_op and by_op[op]["supported"] == "yes":
                problems.append(f"{release} {op}: static checker {a['id']} rejects the operator, the rule supports it")
            continue
        if c is None or op not in by_op or by_op[op]["supported"] != "yes":
            continue
        problems += attach_fact(release, manifest, by_op[op], a, c, classes)
    for e in ops:
        if "assertions" in e:
            seen, uniq = set(), []
            for f in e["assertions"]:
                if f["id"] not in seen:
                    seen.add(f["id"]); uniq.append(f)
            e["assertions"] = uniq
    return problems

def element_types(release, doc_data_types=""):
    """Model-level element type policy (first paragraphs of the operator docs; DOUBLE/INT64 notes)."""
    t = {"FLOAT": "supported", "FLOAT16": "supported", "BOOL": "supported", "INT32": "supported",
         "STRING": "unsupported", "COMPLEX64": "unsupported", "COMPLEX128": "unsupported",
         "UINT16": "unsupported", "UINT32": "unsupported", "UINT64": "unsupported", "INT16": "unsupported"}
    t["DOUBLE"] = "cast_down" if at_least(release, "7.2") else "unsupported"
    t["INT64"] = "supported" if at_least(release, "10.0") else "cast_down"
    t["INT8"] = "quantized_only"
    t["UINT8"] = "io_only" if at_least(release, "9.0") else "unsupported"
    t["BFLOAT16"] = "supported" if at_least(release, "9.0") else "unsupported"
    fp8 = "quantized_only" if at_least(release, "9.0") else "unsupported"
    for n in ("FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ"):
        t[n] = fp8 if n == "FLOAT8E4M3FN" else "unsupported"
    t["INT4"] = "quantized_only" if at_least(release, "10.0") else "unsupported"
    t["UINT4"] = "unsupported"
    # FP4 (FLOAT4E2M1) is listed among the data types from 10.8 (10.8 changelog: FP4 for quantized networks).
    t["FLOAT4E2M1"] = "quantized_only" if re.search(r"\bFP4\b", doc_data_types) else "unsupported"
    return t

NEWEST_CODE_READ = None  # set while generating: the newest release whose importer code was read

def source_release(row, ops_rows, ver_rows):
    """A release built from what was read: its table and, where readable, its importer code."""
    global NEWEST_CODE_READ
    release, commit, table, code_ref = row["release"], row["commit"], row["table"], row["code"]
    kind, _, key = table.partition(":")
    # Old releases keep their branch name as the label; newer ones are named by the pinned commit.
    legacy_branch = kind == "shared" and not re.fullmatch(r"[0-9a-f]{7}", key)
    label = key if legacy_branch else commit[:7]
    ref_in_url = key if legacy_branch else commit
    doc_name = "operators.md" if release in ("7.0", "7.1") else "docs/operators.md"
    if kind == "shared":
        rows = [r for r in ops_rows if r["branch"] == key]
        v = ver_rows[key]
        via = "trt-compat shared/compat-sources/operators.tsv, versions.tsv"
    elif kind == "git":
        md = git_show(key, doc_name)
        if md is None:
            raise SystemExit(f"{release}: no {doc_name} at {key}")
        rows, v = parse_operator_table(md), parse_versions(md)
        via = f"onnx-tensorrt git {key}, parsed by tools/gen_rules.py"
    else:
        raise SystemExit(f"{release}: status source needs a table")
    if not rows:
        raise SystemExit(f"{release}: empty operator table at {table}")
    code_read = code_ref.startswith("git:")
    if code_read:
        fname, code = importer_file(code_ref[4:])
        registered = sorted(set(re.findall(r"DEFINE_BUILTIN_OP_IMPORTER\((\w+)\)", code)))
        registered = [r for r in registered if not r.startswith("TRT_") and r not in ("op", "FallbackPluginImporter", "LocalFunctionImporter")]
        NEWEST_CODE_READ = release
    else:
        fname, code, registered = "onnxOpImporters.cpp", None, None
    by_op = {}
    resolutions = []
    for r in rows:
        by_op.setdefault(r["operator"], []).append(r)
    facts = code_facts(release, registered, code)
    ops = []
    doc_ops = set(by_op)
    for op in sorted(doc_ops | set(registered or [])):
        rs = by_op.get(op, [])
        doc_flags = [r["supported"] for r in rs]
        doc_y = [f for f in doc_flags if f.startswith("Y")]
        # Without code the table decides.
        in_code = op in registered if code_read else bool(doc_y)
        entry = {"op": op}
        if rs:
            r = next((x for x in rs if x["supported"].startswith("Y")), rs[0]) if in_code else rs[0]
            entry["doc"] = {"supported": r["supported"], "types": r["types"] or None,
                            "restrictions": r["restrictions_raw"] or None}
            if len(rs) > 1:
                entry["doc"]["duplicateRows"] = doc_flags
        if code_read:
            entry["code"] = {"registered": in_code}
        supported = "yes" if in_code else "no"
        fact = facts.get(op, {})
        doc_sup = ("yes" if doc_y else "no") if rs else None
        if code_read:
            if len(rs) > 1 and len(set(doc_flags)) > 1:
                resolutions.append({"op": op, "doc": "rows " + " and ".join(doc_flags),
                                    "decision": supported,
                                    "evidence": f"DEFINE_BUILTIN_OP_IMPORTER({op}) {'present' if in_code else 'absent'} in {fname}@{label}"})
            elif doc_sup is not None and doc_sup != supported:
                resolutions.append({"op": op, "doc": doc_flags[0], "decision": supported,
                                    "evidence": f"DEFINE_BUILTIN_OP_IMPORTER({op}) {'present' if in_code else 'absent'} in {fname}@{label}"})
            elif doc_sup is None:
                resolutions.append({"op": op, "doc": "not in the table", "decision": supported,
                                    "evidence": f"DEFINE_BUILTIN_OP_IMPORTER({op}) present in {fname}@{label}"})
        entry["supported"] = supported
        if "Y [EXPERIMENTAL]" in doc_flags and supported == "yes":
            entry["experimental"] = True
        types = parse_types(entry.get("doc", {}).get("types") or "") if rs else None
        entry["types"] = types if supported == "yes" else None
        entry["typesFrom"] = "doc" if entry["types"] else None
        if supported == "yes" and "types" in fact:
            entry["types"] = fact["types"]
            entry["typesFrom"] = "code"
        if entry["typesFrom"] is None:
            del entry["typesFrom"]
        cons = []
        if supported == "yes":
            text = entry.get("doc", {}).get("restrictions") or ""
            cons = restriction_constraints(op, text, release)
            if "constraints" in fact:
                # codeOnly: the table's run-time restriction is gone from the code (Pad 8.2+: any padding)
                keep = [] if fact.get("codeOnly") else [c for c in cons if c["kind"] == "not_statically_checkable"]
                cons = fact["constraints"] + [c for c in keep if c not in fact["constraints"]]
            if op in DATA_DEPENDENT:
                entry["dataDependentOutputShape"] = True
        entry["constraints"] = cons
        if "note" in fact and supported == "yes":
            note = fact["note"]
            if not code_read:
                note = f"carried from the importer code of {NEWEST_CODE_READ} (this release's code not read): " + note
            entry.setdefault("code", {})["note"] = note
        elif "note" in fact and code_read:
            entry["code"]["note"] = fact["note"]
        ops.append(entry)
    if code_read:
        problems = attach_assertions(release, None, ops)
        if problems:
            raise SystemExit("facts not traced to code:\n  " + "\n  ".join(problems))
    sources = [{"what": "operator table and parser opset range", "url": f"{REPO_URL}/blob/{ref_in_url}/{doc_name}",
                "branch": label, "file": doc_name, "via": via}]
    if code_read:
        sources += [
            {"what": "registered op importers and importer checks", "url": f"{REPO_URL}/blob/{ref_in_url}/{fname}",
             "branch": label, "file": fname},
            {"what": "opset handling (below 7 warns, nothing rejects above the documented range)",
             "url": f"{REPO_URL}/blob/{ref_in_url}/ModelImporter.cpp", "branch": label, "file": "ModelImporter.cpp"}]
    out = {
        "release": release,
        "status": "source",
        "read": ["table", "code"] if code_read else ["table"],
        "sources": sources,
        "parser": {
            "opsetMin": 7,
            "opsetMinDocumented": int(v["opset_min"]) if v["opset_min"] else None,
            "opsetMax": int(v["opset_max"]),
            "docDataTypes": v["data_types"],
        },
        "unlistedOperators": "unsupported",
        "fallbackPluginImporter": "FallbackPluginImporter" in code if code_read else True,
        "localFunctions": "LocalFunctionImporter" in code if code_read else True,
        "elementTypes": element_types(release, v["data_types"]),
        "operators": ops,
        "resolutions": resolutions,
    }
    notes = []
    if release == "10.1":
        notes.append("the 10.1-GA branch's operators.md still says 'TensorRT 10.0'; its importer code is the 10.1 fact")
    m = re.search(r"TensorRT (\d+\.\d+) supports operators", md) if kind == "git" else None
    if m and m.group(1) != release:
        notes.append(f"operators.md at {label} still says 'TensorRT {m.group(1)}'; the table and code at the {release} pin are the {release} facts")
    if not code_read:
        notes.append(f"importer code at {label} not read: support is the table's Y/N, and importer facts (1D Conv/pooling, "
                     f"Resize modes, NonZero types) are carried from {NEWEST_CODE_READ}, the newest release whose code was read")
    if notes:
        out["notes"] = notes
    return out

def load_changelog():
    by_release = {}
    for r in read_tsv(os.path.join(TOOLS, "parser-changelog.tsv")):
        by_release.setdefault(r["release"], []).append(r)
    return by_release

def apply_change(rules, ch):
    """One changelog line onto a copy of the base release's rules; returns what it changed, in words."""
    op, action, value = ch["op"], ch["action"], ch["value"]
    ops = {o["op"]: o for o in rules["operators"]}
    if action == "none":
        return "no rule change"
    if action == "opset_max":
        before = rules["parser"]["opsetMax"]
        rules["parser"]["opsetMax"] = int(value)
        return f"parser opset range: up to {before} -> up to {value}"
    o = ops.get(op)
    if action == "support":
        if o is None:
            o = {"op": op, "supported": "no", "constraints": []}
            rules["operators"].append(o)
            rules["operators"].sort(key=lambda x: x["op"])
        before = o["supported"]
        o["supported"] = value
        if value == "no":
            o["constraints"], o["types"] = [], None
            o.pop("typesFrom", None)
        return f"{op}: supported {before} -> {value}"
    if o is None or o["supported"] != "yes":
        raise SystemExit(f"changelog {ch['release']}: {action} on {op}, which the base does not support")
    if action == "types":
        o["types"], o["typesFrom"] = value.split(","), "changelog"
        return f"{op}: types -> {value}"
    if action == "drop_constraint":
        n = len(o["constraints"])
        o["constraints"] = [c for c in o["constraints"] if c["kind"] != value]
        if len(o["constraints"]) == n:
            raise SystemExit(f"changelog {ch['release']}: {op} has no {value} constraint to drop")
        return f"{op}: {value} constraint removed"
    if action == "input_rank":
        i, lo, hi = (int(x) for x in value.split(":"))
        o["constraints"] = [c for c in o["constraints"] if not (c["kind"] == "input_rank" and c["input"] == i)]
        o["constraints"].append(rank(i, lo, hi))
        return f"{op}: input {i} rank {lo}..{hi}"
    raise SystemExit(f"changelog {ch['release']}: unknown action {action}")

def derived_release(row, base, changelog):
    """Nearest earlier release's rules plus this release's changelog lines: marked derived, never as certain."""
    release = row["release"]
    rules = copy.deepcopy(base)
    applied = []
    for ch in changelog.get(release, []):
        applied.append({"line": ch["line"], "source": ch["source"], "effect": apply_change(rules, ch)})
    for o in rules["operators"]:
        # This release's importer was not read: keep the base's note as provenance, claim no registration.
        if "code" in o:
            was = "registered" if o["code"].get("registered") else "not registered" if "registered" in o["code"] else "not read"
            o["code"] = {"note": f"importer not read for {release}; in {base['release']}: {was}"
                                 + (f"; {o['code']['note']}" if o["code"].get("note") else "")}
    rules["release"] = release
    rules["status"] = "derived"
    rules["derivedFrom"] = base["release"]
    rules["read"] = []
    rules["changelog"] = applied
    rules["sources"] = [{"what": f"parser changelog lines for {release}", "url": url}
                        for url in dict.fromkeys(ch["source"] for ch in changelog.get(release, []))] + base["sources"]
    rules["resolutions"] = []
    rules["notes"] = [f"derived: TensorRT {release}'s operator table and importer code were not read here ({row['note']}); "
                      f"these rules are TensorRT {base['release']}'s plus the {len(applied)} changelog line(s) below, so "
                      f"support added or changed without a changelog line is not known"]
    return rules

def main():
    ops_rows = list(csv.DictReader(open(os.path.join(SHARED, "compat-sources/operators.tsv")), delimiter="\t"))
    ver_rows = {r["branch"]: r for r in csv.DictReader(open(os.path.join(SHARED, "compat-sources/versions.tsv")), delimiter="\t")}
    changelog = load_changelog()
    unknown = set(changelog) - set(r["release"] for r in RELEASE_ROWS if r["status"] == "derived")
    if unknown:
        raise SystemExit("parser-changelog.tsv has lines for releases that are not derived: " + ", ".join(sorted(unknown)))
    os.makedirs(OUT, exist_ok=True)
    built = {}
    for row in RELEASE_ROWS:
        release = row["release"]
        if row["status"] == "source":
            out = source_release(row, ops_rows, ver_rows)
        elif row["status"] == "derived":
            if row["derived_from"] not in built:
                raise SystemExit(f"{release}: derived_from {row['derived_from']} must be an earlier row")
            out = derived_release(row, built[row["derived_from"]], changelog)
        else:
            raise SystemExit(f"{release}: status must be source or derived")
        built[release] = out
        with open(os.path.join(OUT, f"tensorrt-{release}.json"), "w") as fh:
            json.dump(out, fh, indent=1)
            fh.write("\n")
    with open(os.path.join(OUT, "releases.txt"), "w") as fh:
        fh.write("# knowledge base files, oldest release first (written by tools/gen_rules.py from tools/releases.tsv)\n")
        for release in RELEASES:
            fh.write(f"tensorrt-{release}.json\n")
    # onnx-operator-versions.json is written by tools/onnx_schema_history.py from the ONNX sources.

main()
