#!/usr/bin/env python3
"""Packs the source tree under src/ into the single headers nn.h (and nn_cuda.h when its manifest exists).

Usage:
  python3 tools/amalgamate.py            regenerate the headers in the repository root
  python3 tools/amalgamate.py --check    regenerate in memory and fail if a committed header differs
  python3 tools/amalgamate.py --line-directives   emit #line markers (local debugging only; never committed)

Rules (after SQLite's mksqlite3c and zstd's combine.py):
  - `#include "x"` is resolved against the including file's folder, then src/; it is inlined once, later
    includes of the same file become a comment. Files ending in .inc are templates and are inlined every time.
  - `#include <x>` lines are kept as they are.
  - An include that cannot be resolved, or a .c/.h file under src/ that no manifest reaches, is an error.
  - Output is deterministic: no dates or absolute paths, '\\n' line endings, no trailing whitespace.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "src")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"\s*(?:/\*.*\*/\s*|//.*)?$')

MANIFESTS = [("nn_in.h", "nn.h"), ("nn_cuda_in.h", "nn_cuda.h")]


def self_test():
    assert INCLUDE_RE.match('#include "core/tensor.h"').group(1) == "core/tensor.h"
    assert INCLUDE_RE.match('  #  include "a.inc" /* template */').group(1) == "a.inc"
    assert INCLUDE_RE.match("#include <stdio.h>") is None
    assert INCLUDE_RE.match('// #include "x.h"') is None


class Amalgamator:
    def __init__(self, line_directives):
        self.seen = set()
        self.out = []
        self.line_directives = line_directives

    def resolve(self, name, including_dir):
        for base in (including_dir, SRC):
            path = os.path.normpath(os.path.join(base, name))
            if os.path.isfile(path):
                return path
        return None

    def emit_file(self, path, depth=0):
        rel = os.path.relpath(path, ROOT).replace(os.sep, "/")
        is_doc = rel.startswith("src/doc/")
        if not is_doc:
            self.out.append("/* ---- begin %s ---- */" % rel)
        if self.line_directives and not is_doc:
            self.out.append('#line 1 "%s"' % rel)
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        for lineno, line in enumerate(lines, 1):
            m = None if is_doc else INCLUDE_RE.match(line)
            if not m:
                self.out.append(line.rstrip())
                continue
            name = m.group(1)
            target = self.resolve(name, os.path.dirname(path))
            if target is None:
                raise SystemExit("amalgamate: %s:%d: cannot find include \"%s\"" % (rel, lineno, name))
            template = target.endswith(".inc")
            if not template and target in self.seen:
                self.out.append("/* (already included: %s) */" % name)
                continue
            self.seen.add(target)
            if depth > 32:
                raise SystemExit("amalgamate: include depth exceeded at %s" % rel)
            self.emit_file(target, depth + 1)
            if self.line_directives:
                self.out.append('#line %d "%s"' % (lineno + 1, rel))
        if not is_doc:
            self.out.append("/* ---- end %s ---- */" % rel)

    def text(self):
        return "\n".join(self.out) + "\n"


def build(line_directives=False):
    results = {}
    reached = set()
    for manifest, output in MANIFESTS:
        mpath = os.path.join(SRC, manifest)
        if not os.path.isfile(mpath):
            continue
        a = Amalgamator(line_directives)
        a.seen.add(mpath)
        # The manifest itself is not wrapped in markers: its lines are the skeleton of the output.
        with open(mpath, encoding="utf-8") as f:
            lines = f.read().split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        for lineno, line in enumerate(lines, 1):
            m = INCLUDE_RE.match(line)
            if not m:
                a.out.append(line.rstrip())
                continue
            target = a.resolve(m.group(1), SRC)
            if target is None:
                raise SystemExit("amalgamate: src/%s:%d: cannot find include \"%s\"" % (manifest, lineno, m.group(1)))
            if target in a.seen and not target.endswith(".inc"):
                a.out.append("/* (already included: %s) */" % m.group(1))
                continue
            a.seen.add(target)
            a.emit_file(target)
        results[output] = a.text()
        reached |= a.seen
    # Every source file must be part of some header.
    for dirpath, _, files in os.walk(SRC):
        for fn in files:
            if fn.endswith((".c", ".h", ".inc", ".cu", ".cuh")):
                p = os.path.normpath(os.path.join(dirpath, fn))
                if p not in reached:
                    raise SystemExit("amalgamate: %s is not reached from any manifest" % os.path.relpath(p, ROOT))
    return results


def main(argv):
    self_test()
    check = "--check" in argv
    results = build(line_directives="--line-directives" in argv)
    stale = []
    for output, text in results.items():
        path = os.path.join(ROOT, output)
        if check:
            try:
                with open(path, encoding="utf-8", newline="") as f:
                    current = f.read()
            except OSError:
                current = None
            if current != text:
                stale.append(output)
        else:
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
    if stale:
        sys.stderr.write("amalgamate: %s differs from src/: run python3 tools/amalgamate.py and commit the result\n"
                         % ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
