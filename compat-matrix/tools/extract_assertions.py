#!/usr/bin/env python3
"""Lists every assertion and error return of each release's ONNX op importers, checkers and their helpers.

For every release of tools/releases.tsv whose `code` column names a readable source (`git:<ref>` of an
onnx-tensorrt mirror, or `dir:<path>`: a plain directory holding the importer files), it reads

  - the op importers (builtin_op_importers.cpp before 10.0, onnxOpImporters.cpp from 10.0),
  - the static checkers (builtin_op_static_checkers.cpp from 9.1, onnxOpCheckers.cpp from 10.0),
  - the helpers they call (onnx2trt_utils.cpp / importerUtils.cpp, ConditionalHelpers, LoopHelpers, RNNHelpers),

splits them into function bodies, builds the call graph from each `DEFINE_BUILTIN_OP_IMPORTER(Op)` /
`DEFINE_OP_CHECKER(Op)` body through the helpers it calls (transitively), and records each occurrence of the
assertion / error family with the op(s) it is reached from:

  ASSERT ASSERT_C ASSERT_INPUT ASSERT_NODE STATIC_CHECK CHECK_INPUT ONNXTRT_CHECK ONNXTRT_CHECK_NODE
  MAKE_ERROR MAKE_NODE_ERROR MAKE_STATIC_ERROR MAKE_INPUT_ERROR ADD_STATIC_ERROR  throw std::<exception>(...)

Not recorded, on purpose: CHECK / CHECK_STATUS / TRT_CHECK / GET_VALUE only forward the status of a call whose
own assertions are recorded where they are written (the call graph attributes them to the calling op), and
ONNXTRT_THROW wraps a MAKE_*ERROR that is recorded itself.

Each record gets a stable id: the first 12 hex digits of sha1(context | normalized message | normalized
condition), where context is `importer:<Op>`, `checker:<Op>` or `helper:<function>`. The same assertion in two
releases has the same id even when its line moved, so a classification is written once.

The committed manifests hold no code: id, context, file, line, macro, the message as the parser prints it,
the error code, and the ops it is attributed to. The condition text is used only for the id and, with
--conditions DIR, written to DIR (not committed) so that a reader can classify the assertion.

usage: python3 compat-matrix/tools/extract_assertions.py ONNX_TENSORRT_GIT_DIR OUT_DIR [--conditions DIR]
       [--releases compat-matrix/tools/releases.tsv] [--only 9.3,10.0]
"""
import argparse, csv, hashlib, json, os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
IMPORTER_FILES = ["builtin_op_importers.cpp", "onnxOpImporters.cpp"]
CHECKER_FILES = ["builtin_op_static_checkers.cpp", "onnxOpCheckers.cpp"]
HELPER_FILES = ["onnx2trt_utils.cpp", "importerUtils.cpp", "ConditionalHelpers.cpp", "LoopHelpers.cpp",
                "RNNHelpers.cpp"]

# macro -> (index of the condition argument or None, index of the message argument or "cond", index of the code)
MACROS = {
    "ASSERT": (0, "cond", 1), "ASSERT_C": (0, "cond", 1), "ASSERT_INPUT": (0, "cond", 1),
    "ASSERT_NODE": (0, 1, 4), "STATIC_CHECK": (0, "cond", 1), "CHECK_INPUT": (0, "cond", 1),
    "ONNXTRT_CHECK": (0, "cond", 1), "ONNXTRT_CHECK_NODE": (0, 1, 4),
    "MAKE_ERROR": (None, 0, 1), "MAKE_NODE_ERROR": (None, 0, 1), "MAKE_STATIC_ERROR": (None, 0, 1),
    "MAKE_INPUT_ERROR": (None, 0, 1), "ADD_STATIC_ERROR": (None, 0, 1),
    # assertIsWeights(input, message) throws with the caller's message: each call site is an assertion
    "assertIsWeights": (0, 1, None),
}
MACRO_RE = re.compile(r"\b(" + "|".join(sorted(MACROS, key=len, reverse=True)) + r")\s*\(")
THROW_RE = re.compile(r"\bthrow\s+std::(\w+)\s*[({]")
STRING_RE = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
KEYWORDS = {"if", "for", "while", "switch", "return", "sizeof", "catch", "static_cast", "dynamic_cast",
            "reinterpret_cast", "const_cast", "decltype", "alignof", "defined"}


def read_releases(path):
    rows = []
    with open(path) as fh:
        lines = [l for l in fh if not l.startswith("#")]
    for r in csv.DictReader(lines, delimiter="\t"):
        rows.append(r)
    return rows


class Source:
    """The files of one release: a git ref of the mirror or a plain directory."""

    def __init__(self, mirror, code):
        self.mirror, self.code = mirror, code

    def read(self, name):
        if self.code.startswith("git:"):
            r = subprocess.run(["git", "-C", self.mirror, "show", f"{self.code[4:]}:{name}"],
                               capture_output=True, text=True)
            return r.stdout if r.returncode == 0 else None
        p = os.path.join(self.code[4:], name)
        return open(p, encoding="utf-8", errors="replace").read() if os.path.exists(p) else None


def blank_comments(text):
    """Replaces comments by spaces (newlines kept) so line numbers stay right; string literals are kept."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1]); i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i); j = n if j < 0 else j
            out.append(" " * (j - i)); i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2); j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j])); i = j
        else:
            out.append(c); i += 1
    return "".join(out)


def blank_preprocessor(text):
    """Blanks #define lines (with continuations) so the macro definitions are not taken for uses."""
    lines = text.split("\n")
    cont = False
    for k, l in enumerate(lines):
        if cont or l.lstrip().startswith("#define"):
            cont = l.rstrip().endswith("\\")
            lines[k] = " " * len(l)
    return "\n".join(lines)


def mask_strings(text):
    return STRING_RE.sub(lambda m: '"' + " " * len(m.group(1)) + '"', re.sub(r"'(?:[^'\\\n]|\\.)'", "' '", text))


def functions(text):
    """Top-level bodies: (kind, name, start, end) with kind importer | checker | helper."""
    masked = mask_strings(text)
    res, depth, ns_depths, last_stmt = [], 0, [], 0
    i, n = 0, len(masked)
    while i < n:
        c = masked[i]
        if c == "{":
            header = masked[last_stmt:i]
            if depth == len(ns_depths) and re.search(r"\bnamespace\b[\w\s:]*$", header):
                ns_depths.append(depth); depth += 1; last_stmt = i + 1; i += 1; continue
            if depth == len(ns_depths):
                j, d = i + 1, 1
                while j < n and d:
                    d += {"{": 1, "}": -1}.get(masked[j], 0); j += 1
                # the last registration in the header: DEFINE_OP_EMPTY_CHECKER(A) has no ';' before the next one
                m = last(re.finditer(r"DEFINE_BUILTIN_OP_IMPORTER\s*\(\s*(\w+)\s*\)", header))
                k = last(re.finditer(r"DEFINE_OP_CHECKER\s*\(\s*(\w+)\s*\)", header))
                if m:
                    res.append(("importer", m.group(1), i, j))
                elif k:
                    res.append(("checker", k.group(1), i, j))
                else:
                    name = function_name(header)
                    if name:
                        res.append(("helper", name, i, j))
                i = j; last_stmt = j; continue
            depth += 1
        elif c == "}":
            if ns_depths and depth - 1 == ns_depths[-1]:
                ns_depths.pop()
            depth -= 1; last_stmt = i + 1
        elif c == ";" and depth == len(ns_depths):
            last_stmt = i + 1
        i += 1
    return res


def last(matches):
    found = None
    for found in matches:
        pass
    return found


def function_name(header):
    """The name of the function a top-level header declares, or None (struct, enum, initializer...)."""
    h = header.strip()
    if not h or re.match(r"(struct|class|enum|union)\b", h.split("\n")[-1].strip()) or "(" not in h:
        return None
    # the parameter list is the last balanced (...) group before the body
    depth, end = 0, None
    for k in range(len(h) - 1, -1, -1):
        if h[k] == ")":
            if depth == 0 and end is None:
                end = k
            depth += 1
        elif h[k] == "(":
            depth -= 1
            if depth == 0 and end is not None:
                m = re.search(r"([A-Za-z_]\w*)\s*(?:<[^<>]*>)?\s*$", h[:k])
                if m and m.group(1) not in KEYWORDS:
                    return m.group(1)
                return None
    return None


def split_args(s):
    args, depth, cur, i = [], 0, [], 0
    while i < len(s):
        c = s[i]
        if c == '"':
            m = STRING_RE.match(s, i)
            if m:
                cur.append(m.group(0)); i = m.end(); continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        if c == "," and depth == 0:
            args.append("".join(cur)); cur = []
        else:
            cur.append(c)
        i += 1
    args.append("".join(cur))
    return [a.strip() for a in args]


def balanced(text, open_idx):
    """Text between the bracket at open_idx and its partner (strings respected)."""
    pairs = {"(": ")", "{": "}"}
    o, cl = text[open_idx], pairs[text[open_idx]]
    depth, i = 0, open_idx
    while i < len(text):
        c = text[i]
        if c == '"':
            m = STRING_RE.match(text, i)
            if m:
                i = m.end(); continue
        if c == o:
            depth += 1
        elif c == cl:
            depth -= 1
            if depth == 0:
                return text[open_idx + 1:i], i
        i += 1
    return text[open_idx + 1:], len(text)


def message_of(expr):
    """The message as printed: adjacent literals joined, other expression parts shown as <...>."""
    parts, last = [], 0
    for m in STRING_RE.finditer(expr):
        between = expr[last:m.start()].strip().strip("+<").strip()
        if between and parts:
            parts.append("<" + re.sub(r"\s+", "", between)[:40] + ">")
        parts.append(m.group(1).encode().decode("unicode_escape", errors="replace"))
        last = m.end()
    tail = expr[last:].strip().strip("+<").strip()
    if tail and parts:
        parts.append("<" + re.sub(r"\s+", "", tail)[:40] + ">")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


TRAILING_MSG = re.compile(r'&&\s*!?\s*((?:"(?:[^"\\\n]|\\.)*"\s*)+)\)*\s*$')
LEADING_MSG = re.compile(r'^\s*!\s*((?:"(?:[^"\\\n]|\\.)*"\s*)+)$')


def split_message(expr):
    """`cond && "msg"` -> (cond, msg literal text); `!"msg"` -> ("false", msg)."""
    e = expr.strip()
    m = LEADING_MSG.match(e)
    if m:
        return "false", m.group(1)
    m = TRAILING_MSG.search(e)
    if m:
        cond = e[:m.start()].strip()
        opened = cond.count("(") - cond.count(")")
        if opened > 0 and cond.startswith("("):
            cond = cond[1:]
        return cond, m.group(1)
    return e, ""


def condition_of(expr):
    return re.sub(r"\s+", " ", expr).strip()


def norm(s):
    s = re.sub(r"\b(nvonnxparser|onnx2trt|nvinfer1|ONNX_NAMESPACE|std)::", "", s)
    s = re.sub(r"\b(int32_t|int64_t|size_t|int)\b", "int", s)
    return re.sub(r"[\s()]+", "", s).lower()


def assertions_in(text, fname, funcs):
    clean = blank_preprocessor(blank_comments(text))
    line_starts = [0] + [m.end() for m in re.finditer("\n", clean)]

    def line_of(pos):
        lo, hi = 0, len(line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if line_starts[mid] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    found = []
    for kind, name, start, end in funcs:
        body = clean[start:end]
        for m in MACRO_RE.finditer(body):
            macro = m.group(1)
            inner, _ = balanced(body, m.end() - 1)
            args = split_args(inner)
            ci, mi, ki = MACROS[macro]
            cond = args[ci] if ci is not None and len(args) > ci else ""
            if mi == "cond":
                cond, msg_expr = split_message(cond)
            else:
                msg_expr = args[mi] if len(args) > mi else ""
            code = args[ki] if ki is not None and len(args) > ki else ""
            macro_used = macro
            if macro.startswith("MAKE_") and re.search(r"\breturn\s*$", body[max(0, m.start() - 20):m.start()]):
                macro_used = "return " + macro
            found.append(dict(kind=kind, fn=name, file=fname, line=line_of(start + m.start()), macro=macro_used,
                              message=message_of(msg_expr), condition=condition_of(cond) if cond else "",
                              code=re.sub(r"^.*::", "", code.strip())))
        for m in THROW_RE.finditer(body):
            inner, _ = balanced(body, m.end() - 1)
            found.append(dict(kind=kind, fn=name, file=fname, line=line_of(start + m.start()),
                              macro="throw std::" + m.group(1), message=message_of(inner), condition="", code=""))
    return found


def calls(body, names):
    return {m.group(1) for m in re.finditer(r"\b([A-Za-z_]\w*)\s*(?:<[^;(){}]*?>)?\s*\(", body)} & names


def extract(src):
    files, texts = {}, {}
    for group in (IMPORTER_FILES, CHECKER_FILES, HELPER_FILES):
        for f in group:
            t = src.read(f)
            if t is not None:
                texts[f] = t
    if not any(f in texts for f in IMPORTER_FILES):
        return None
    funcs = {f: functions(mask_comments_only(t)) for f, t in texts.items()}
    helper_bodies = {}
    for f, fs in funcs.items():
        masked = mask_strings(blank_comments(texts[f]))
        for kind, name, s, e in fs:
            if kind == "helper":
                helper_bodies.setdefault(name, []).append(masked[s:e])
    helper_names = set(helper_bodies)
    helper_calls = {h: set().union(*(calls(b, helper_names) for b in bs)) - {h} for h, bs in helper_bodies.items()}
    reach = {}  # helper -> set of "importer:Op"/"checker:Op"
    for f, fs in funcs.items():
        masked = mask_strings(blank_comments(texts[f]))
        for kind, name, s, e in fs:
            if kind == "helper":
                continue
            todo, seen = list(calls(masked[s:e], helper_names)), set()
            while todo:
                h = todo.pop()
                if h in seen:
                    continue
                seen.add(h)
                todo.extend(helper_calls.get(h, ()))
            for h in seen:
                reach.setdefault(h, set()).add(f"{kind}:{name}")
    records = []
    for f, fs in funcs.items():
        for a in assertions_in(texts[f], f, fs):
            if a["kind"] == "helper" and a["fn"] not in reach:
                continue  # not reached from any op importer or checker (model-level or internal)
            records.append(a)
    return records, reach, sorted(texts)


def mask_comments_only(text):
    return blank_preprocessor(blank_comments(text))


def assertion_id(a):
    ctx = f"{a['kind']}:{a['fn']}"
    key = ctx + "|" + norm(a["message"]).rstrip(".!") + "|" + norm(a["condition"])
    return hashlib.sha1(key.encode()).hexdigest()[:12]


def write_manifest(manifest, fh):
    """JSON with one assertion per line, so that a regenerated manifest diffs line by line."""
    fh.write("{\n")
    keys = list(manifest)
    for k in keys:
        v = manifest[k]
        fh.write(f" {json.dumps(k)}: ")
        if k == "assertions":
            fh.write("[\n" + ",\n".join("  " + json.dumps(a) for a in v) + "\n ]")
        elif k == "helperReachedFrom":
            fh.write("{\n" + ",\n".join(f"  {json.dumps(h)}: {json.dumps(ops)}" for h, ops in v.items()) + "\n }")
        else:
            fh.write(json.dumps(v))
        fh.write(",\n" if k != keys[-1] else "\n")
    fh.write("}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mirror", help="git dir of an onnx-tensorrt mirror with tags release-X.Y")
    ap.add_argument("out", help="directory for tensorrt-<release>.json manifests")
    ap.add_argument("--releases", default=os.path.join(HERE, "releases.tsv"))
    ap.add_argument("--conditions", help="also write <release>.tsv with condition texts here (not to commit)")
    ap.add_argument("--only", help="comma-separated releases")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    only = set(args.only.split(",")) if args.only else None
    index = []
    for row in read_releases(args.releases):
        rel, code = row["release"], row["code"]
        if only and rel not in only:
            continue
        if code == "none" or not code:
            local = os.path.join("/work/sources/index", rel)
            if not os.path.isdir(local):
                continue
            code = "dir:" + local
        res = extract(Source(args.mirror, code))
        if res is None:
            print(f"{rel}: no importer file in {code}", file=sys.stderr)
            continue
        records, reach, read_files = res
        for a in records:
            a["id"] = assertion_id(a)
        records.sort(key=lambda a: (a["file"], a["line"], a["macro"]))
        ops_of_helper = {h: sorted(v) for h, v in sorted(reach.items())
                         if any(a["kind"] == "helper" and a["fn"] == h for a in records)}
        manifest = {
            "release": rel, "commit": row["commit"], "code": code if code.startswith("git:") else "dir",
            "generatedBy": "compat-matrix/tools/extract_assertions.py",
            "files": read_files,
            "assertions": [{"id": a["id"], "context": f"{a['kind']}:{a['fn']}", "file": a["file"], "line": a["line"],
                            "macro": a["macro"], "message": a["message"], "code": a["code"]} for a in records],
            "helperReachedFrom": ops_of_helper,
        }
        with open(os.path.join(args.out, f"tensorrt-{rel}.json"), "w") as fh:
            write_manifest(manifest, fh)
        if args.conditions:
            os.makedirs(args.conditions, exist_ok=True)
            with open(os.path.join(args.conditions, f"{rel}.tsv"), "w") as fh:
                for a in records:
                    fh.write("\t".join([a["id"], f"{a['kind']}:{a['fn']}", f"{a['file']}:{a['line']}", a["macro"],
                                        a["message"], a["condition"], a["code"]]) + "\n")
        index.append(rel)
        print(f"{rel}: {len(records)} assertions, {len({a['id'] for a in records})} ids", file=sys.stderr)
    with open(os.path.join(args.out, "releases.txt"), "w") as fh:
        fh.write("# assertion manifests, oldest release first (written by tools/extract_assertions.py)\n")
        for r in index:
            fh.write(f"tensorrt-{r}.json\n")


if __name__ == "__main__":
    main()
