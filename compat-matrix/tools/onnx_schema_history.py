#!/usr/bin/env python3
"""Writes rules/onnx-operator-versions.json: every ONNX operator's schema since-versions, per domain.

Read from the ONNX source tree at a release tag (onnx/defs/**/*.cc, the ONNX_*OPERATOR_SET_SCHEMA registrations),
not from an installed onnx package: Debian's python3-onnx is 1.12 (opset 17), and the parser releases in the
knowledge base document opsets up to 25. Checked: at tag v1.12.0 this reader gives exactly the history that
python3-onnx 1.12's onnx.defs.get_all_schemas_with_history() gives (every domain, operator and version).

usage: onnx_schema_history.py ONNX_GIT_DIR TAG OUT_JSON
       e.g. onnx_schema_history.py /work/.mirror/onnx+onnx/repo v1.22.0 \
                compat-matrix/src/main/resources/dev/trtcompat/rules/onnx-operator-versions.json
"""
import json
import re
import subprocess
import sys

# The registration macro's prefix names the domain: ONNX_OPERATOR_SET_SCHEMA(Name, SinceVersion, ...).
REGISTRATION = re.compile(r"\bONNX_(ML_|PREVIEW_TRAINING_|TRAINING_|PREVIEW_)?OPERATOR_SET_SCHEMA\s*\(\s*(\w+)\s*,\s*(\d+)\s*,")
DOMAINS = {None: "ai.onnx", "ML_": "ai.onnx.ml", "PREVIEW_TRAINING_": "ai.onnx.preview.training",
           "TRAINING_": "ai.onnx.training", "PREVIEW_": "ai.onnx.preview"}


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=True).stdout


def history(repo, tag):
    found = {}
    for path in git(repo, "ls-tree", "-r", "--name-only", tag, "onnx/defs").split():
        if not path.endswith(".cc"):
            continue
        # Line comments hold usage examples of the macro (schema.h documents it that way): drop them first.
        text = re.sub(r"//[^\n]*", "", git(repo, "show", f"{tag}:{path}"))
        for m in REGISTRATION.finditer(text):
            found.setdefault(DOMAINS[m.group(1)], {}).setdefault(m.group(2), set()).add(int(m.group(3)))
    return found


def main():
    repo, tag, out = sys.argv[1:4]
    commit = git(repo, "rev-parse", f"{tag}^{{commit}}").strip()
    found = history(repo, tag)
    doc = {"source": f"ONNX {tag} operator registrations (ONNX_*OPERATOR_SET_SCHEMA in onnx/defs/**/*.cc), "
                     f"https://github.com/onnx/onnx/tree/{commit}/onnx/defs",
           "domains": {d: {op: sorted(v) for op, v in sorted(ops.items())} for d, ops in sorted(found.items())}}
    with open(out, "w") as fh:
        json.dump(doc, fh, indent=0)
        fh.write("\n")


main()
