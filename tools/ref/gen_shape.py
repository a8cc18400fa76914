#!/usr/bin/env python3
"""Writes tests/ref/shape_ref.h: NumPy reference cases for ops/shape (concatenate, stack, split, tile, repeat,
pad, flip, roll). Run with /usr/bin/python3 (NumPy 1.24). Deterministic: a fixed seed and no timestamps.

Each case stores its inputs and expected outputs as nt_ref records (dtype, shape, values as double) and a view
code the C test applies to the input before the call, so views are tested against NumPy on the same view:
  0 none, 1 transpose (x.T), 2 last axis reversed (x[..., ::-1]), 3 every other row (x[::2]),
  4 broadcast to (2,) + x.shape.

Padding: NumPy 1.24 returns a few out-of-period values for some asymmetric pads wider than the axis in the
reflect, symmetric and wrap modes (numpy#25926; wrap changed in 1.25). nn_pad follows the documented periodic
rule, so every pad case is checked against an independent NumPy construction (tiling the period and slicing);
the cases where np.pad agrees are marked "np.pad agrees", the others "np.pad 1.24 deviates".
"""
import os
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "tests", "ref",
                   "shape_ref.h")
rng = np.random.default_rng(20240611)

DT = {np.dtype("float32"): "NN_FLOAT32", np.dtype("float64"): "NN_FLOAT64", np.dtype("int32"): "NN_INT32",
      np.dtype("int64"): "NN_INT64", np.dtype("uint8"): "NN_UINT8", np.dtype("bool"): "NN_BOOL"}


def num(v):
    v = float(v)
    if np.isnan(v):
        return "NAN"
    if np.isinf(v):
        return "INFINITY" if v > 0 else "-INFINITY"
    if v == int(v) and abs(v) < 1e15:
        return "-0.0" if (v == 0 and np.signbit(v)) else str(int(v))
    return repr(v)


class Emitter:
    def __init__(self):
        self.lines = []
        self.count = 0

    def ref(self, a):
        a = np.asarray(a)
        self.count += 1
        name = "SR%d" % self.count
        flat = a.reshape(-1)
        vals = ", ".join(num(v) for v in flat.astype(np.float64)) if flat.size else "0"
        self.lines.append("static const double %s_d[] = {%s};" % (name, vals))
        shape = ", ".join(str(s) for s in a.shape) if a.ndim else "0"
        self.lines.append("static const nt_ref %s = {%s, %d, {%s}, %d, %s_d};" % (name, DT[a.dtype], a.ndim, shape,
                                                                                  a.size, name))
        return "&" + name

    def i64s(self, xs):
        self.count += 1
        name = "SI%d" % self.count
        self.lines.append("static const int64_t %s[] = {%s};" % (name, ", ".join(str(int(x)) for x in xs) or "0"))
        return name


def rand(shape, dtype):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.integers(0, 2, size=shape).astype(bool)
    if dtype == np.uint8:
        return rng.integers(0, 250, size=shape).astype(np.uint8)
    return rng.integers(-50, 50, size=shape).astype(dtype)


def view(x, code):
    if code == 0:
        return x
    if code == 1:
        return x.T
    if code == 2:
        return x[..., ::-1]
    if code == 3:
        return x[::2]
    if code == 4:
        return np.broadcast_to(x, (2,) + x.shape)
    raise ValueError(code)


def ax(a):
    return "NN_ALL_AXES" if a is None else str(a)


E = Emitter()
cases = {k: [] for k in ["concat", "stack", "split", "tile", "repeat", "pad", "flip", "roll"]}

# ---- concatenate / stack ----
concat_specs = [
    # (list of (shape, dtype, view), axis)
    ([((2, 3), "float32", 0), ((4, 3), "float32", 0)], 0),
    ([((2, 3), "float32", 0), ((2, 1), "float32", 0), ((2, 4), "float32", 0)], 1),
    ([((2, 3), "float64", 0), ((2, 2), "int32", 0)], -1),
    ([((3,), "int32", 0), ((2,), "float32", 0)], 0),           # int32 + float32 -> float64
    ([((3,), "uint8", 0), ((2,), "bool", 0)], 0),              # uint8 + bool -> uint8
    ([((3,), "uint8", 0), ((2,), "int32", 0)], 0),             # -> int32
    ([((2,), "bool", 0), ((2,), "bool", 0)], 0),
    ([((2, 3, 4), "int64", 0), ((2, 1, 4), "int64", 0)], 1),
    ([((2, 3, 4), "float32", 0), ((2, 3, 2), "float64", 0)], -1),
    ([((3, 2), "float32", 1), ((1, 3), "float32", 0)], 0),     # transposed view
    ([((2, 4), "int32", 2), ((2, 4), "int32", 0)], 1),         # reversed view
    ([((4, 3), "float64", 3), ((1, 3), "float64", 0)], 0),     # step view
    ([((3,), "float32", 4), ((1, 3), "float32", 0)], 0),       # broadcast view
    ([((2, 3), "float32", 0), ((4,), "int32", 0), ((), "float64", 0)], None),  # flatten all, 0-d allowed
    ([((2, 3), "int32", 1), ((2, 2), "uint8", 0)], None),
    ([((0, 3), "float32", 0), ((2, 3), "float32", 0)], 0),     # zero-size input
    ([((2, 0), "int64", 0), ((2, 0), "int64", 0)], 0),
    ([((2, 3), "float32", 0)], 1),                              # a single input
]
for specs, axis in concat_specs:
    raw = [rand(s, d) for s, d, v in specs]
    ins = [view(r, v) for r, (s, d, v) in zip(raw, specs)]
    out = np.concatenate(ins, axis=axis)
    cases["concat"].append("{%d, {%s}, {%s}, %s, %s}" % (
        len(ins), ", ".join(E.ref(r) for r in raw) + ", 0" * (4 - len(ins)),
        ", ".join(str(v) for s, d, v in specs) + ", 0" * (4 - len(ins)), ax(axis), E.ref(out)))

stack_specs = [
    ([((2, 3), "float32", 0), ((2, 3), "float32", 0)], 0),
    ([((2, 3), "float32", 0), ((2, 3), "int32", 0), ((2, 3), "float32", 0)], 1),
    ([((2, 3), "int64", 0), ((2, 3), "int64", 0)], 2),
    ([((2, 3), "int64", 0), ((2, 3), "int64", 0)], -1),
    ([((2, 3), "float64", 0), ((2, 3), "float64", 0)], -3),
    ([((), "float32", 0), ((), "float32", 0), ((), "float32", 0)], 0),   # 0-d -> 1-D
    ([((3,), "bool", 0), ((3,), "uint8", 0)], 1),
    ([((3, 2), "float32", 1), ((2, 3), "float32", 2)], 0),             # views
    ([((2, 2, 2), "int32", 0), ((2, 2, 2), "int32", 0)], 1),
    ([((0, 2), "float32", 0), ((0, 2), "float32", 0)], 1),
]
for specs, axis in stack_specs:
    raw = [rand(s, d) for s, d, v in specs]
    ins = [view(r, v) for r, (s, d, v) in zip(raw, specs)]
    out = np.stack(ins, axis=axis)
    cases["stack"].append("{%d, {%s}, {%s}, %s, %s}" % (
        len(ins), ", ".join(E.ref(r) for r in raw) + ", 0" * (4 - len(ins)),
        ", ".join(str(v) for s, d, v in specs) + ", 0" * (4 - len(ins)), ax(axis), E.ref(out)))

# ---- split ----
split_specs = [
    # (kind, shape, dtype, view, sections or index list, axis)   kind 0 split, 1 array_split, 2 split_at
    (0, (6,), "float32", 0, 3, 0),
    (0, (4, 6), "int32", 0, 2, 1),
    (0, (4, 6), "int32", 0, 2, -2),
    (0, (2, 3, 4), "float64", 0, 4, 2),
    (0, (3, 4), "float32", 1, 2, 0),      # transposed view (4,3) split along 0
    (0, (0, 3), "float32", 0, 2, 0),      # empty axis splits into empty views
    (1, (5,), "int64", 0, 3, 0),
    (1, (5,), "int64", 0, 7, 0),          # more sections than elements
    (1, (3, 7), "uint8", 2, 3, 1),        # reversed view
    (1, (4, 3), "float32", 0, 1, 0),
    (2, (10,), "int32", 0, [3, -2, 20, 1], 0),
    (2, (4, 5), "float32", 0, [1, 3], 1),
    (2, (4, 5), "float32", 0, [], 0),
    (2, (6, 2), "float64", 3, [1, 2], 0),   # step view (3,2)
    (2, (3, 4), "bool", 0, [0, 0, 4], -1),
]
for kind, shape, dtype, v, sec, axis in split_specs:
    raw = rand(shape, dtype)
    x = view(raw, v)
    if kind == 0:
        outs = np.split(x, sec, axis=axis)
    elif kind == 1:
        outs = np.array_split(x, sec, axis=axis)
    else:
        outs = np.split(x, sec, axis=axis)
    refs = [E.ref(o) for o in outs]
    E.count += 1
    oname = "SO%d" % E.count
    E.lines.append("static const nt_ref *const %s[] = {%s};" % (oname, ", ".join(refs)))
    if kind == 2:
        ind = E.i64s(sec)
        nsec = len(sec)
    else:
        ind = "0"
        nsec = sec
    cases["split"].append("{%d, %s, %d, %d, %s, %s, %d, %s}" % (kind, E.ref(raw), v, nsec, ind, ax(axis), len(outs),
                                                                oname))

# ---- tile ----
tile_specs = [
    ((3,), "float32", 0, [2]),
    ((3,), "int32", 0, [2, 2]),
    ((2, 3), "float64", 0, [2]),
    ((2, 3), "float64", 0, [3, 1]),
    ((2, 3), "int64", 0, [1, 2, 2]),
    ((2, 3), "float32", 1, [2, 3]),       # transposed view
    ((2, 3), "int32", 2, [2, 2]),         # reversed view
    ((), "float32", 0, [2, 3]),           # 0-d
    ((2, 2), "uint8", 0, []),
    ((3,), "bool", 0, [0]),               # zero reps
    ((2, 0), "float32", 0, [2, 2]),
    ((1, 2, 3), "float32", 0, [2, 1, 2]),
    ((2,), "float64", 4, [3, 1]),         # broadcast view (2,2)
]
for shape, dtype, v, reps in tile_specs:
    raw = rand(shape, dtype)
    out = np.tile(view(raw, v), tuple(reps))
    cases["tile"].append("{%s, %d, %s, %d, %s}" % (E.ref(raw), v, E.i64s(reps), len(reps), E.ref(out)))

# ---- repeat ----
repeat_specs = [
    # (shape, dtype, view, repeats (int or list), axis)
    ((3,), "float32", 0, 2, 0),
    ((2, 3), "int32", 0, 2, None),
    ((2, 3), "int32", 0, 3, 1),
    ((2, 3), "float64", 0, 2, -2),
    ((2, 3), "float64", 0, 0, 1),
    ((2, 3), "int64", 0, [1, 0, 2], 1),
    ((2, 3), "int64", 0, [2, 1], 0),
    ((2, 3), "uint8", 0, [3], 1),           # length-1 count array broadcasts
    ((2, 3), "float32", 1, [1, 2, 0], 0),   # transposed view (3,2)
    ((2, 3), "bool", 2, 2, None),            # reversed view, flattened
    ((), "float32", 0, 3, None),              # 0-d
    ((2, 2, 2), "int32", 0, [2, 0], 2),
    ((4, 3), "float64", 3, 2, 1),            # step view
]
for shape, dtype, v, reps, axis in repeat_specs:
    raw = rand(shape, dtype)
    out = np.repeat(view(raw, v), reps, axis=axis)
    scalar = not isinstance(reps, list)
    rl = [reps] if scalar else reps
    cases["repeat"].append("{%s, %d, %s, %d, %d, %s, %s}" % (E.ref(raw), v, E.i64s(rl), len(rl), int(scalar),
                                                             ax(axis), E.ref(out)))

# ---- pad ----
MODES = ["constant", "edge", "reflect", "symmetric", "wrap"]


def periodic_pad(x, pw, mode, value):
    """Independent NumPy construction of the periodic padding: tile one period along each axis and slice."""
    x = np.asarray(x)
    for axis, (b, a) in enumerate(pw):
        n = x.shape[axis]
        if b == 0 and a == 0:
            continue
        if mode == "constant":
            sb = list(x.shape); sb[axis] = b
            sa = list(x.shape); sa[axis] = a
            x = np.concatenate([np.full(sb, value, dtype=x.dtype), x, np.full(sa, value, dtype=x.dtype)], axis=axis)
            continue
        if mode == "edge":
            first = np.take(x, [0], axis=axis)
            last = np.take(x, [n - 1], axis=axis)
            x = np.concatenate([np.repeat(first, b, axis=axis), x, np.repeat(last, a, axis=axis)], axis=axis)
            continue
        if mode == "wrap":
            period = x
        elif mode == "symmetric":
            period = np.concatenate([x, np.flip(x, axis)], axis=axis)
        else:  # reflect
            if n == 1:
                period = x
            else:
                inner = np.take(x, np.arange(n - 2, 0, -1), axis=axis)
                period = np.concatenate([x, inner], axis=axis)
        plen = period.shape[axis]
        k0 = -(-b // plen)
        reps = k0 + -(-(n + a) // plen) + 1
        big = np.concatenate([period] * reps, axis=axis)
        start = k0 * plen - b
        x = np.take(big, np.arange(start, start + b + n + a), axis=axis)
    return x


pad_specs = [
    # (shape, dtype, view, pad pairs, mode, value)
    ((3,), "float32", 0, [(2, 1)], "constant", 0),
    ((3,), "float32", 0, [(2, 1)], "constant", 7.5),
    ((2, 3), "int32", 0, [(1, 2), (0, 3)], "constant", -4),
    ((2, 3), "int32", 0, [(1, 2), (2, 1)], "edge", 0),
    ((2, 3), "float64", 0, [(2, 2), (2, 2)], "reflect", 0),
    ((2, 3), "float64", 0, [(1, 0), (2, 2)], "symmetric", 0),
    ((2, 3), "int64", 0, [(1, 1), (2, 3)], "wrap", 0),
    ((4,), "float32", 0, [(3, 3)], "reflect", 0),
    ((4,), "float32", 0, [(9, 9)], "reflect", 0),       # wider than the axis
    ((3,), "float32", 0, [(1, 8)], "reflect", 0),        # np.pad 1.24 deviates
    ((3,), "int32", 0, [(7, 5)], "symmetric", 0),
    ((2,), "int32", 0, [(1, 8)], "symmetric", 0),        # np.pad 1.24 deviates
    ((3,), "int64", 0, [(7, 8)], "wrap", 0),
    ((2,), "int64", 0, [(1, 3)], "wrap", 0),             # np.pad 1.24 deviates
    ((3,), "float64", 0, [(5, 6)], "edge", 0),
    ((1,), "float32", 0, [(2, 3)], "reflect", 0),        # length-1 axis: edge
    ((1, 3), "uint8", 0, [(2, 2), (1, 1)], "symmetric", 0),
    ((2, 3), "bool", 0, [(1, 1), (1, 1)], "constant", 1),
    ((2, 3, 4), "float32", 0, [(1, 0), (0, 2), (3, 1)], "reflect", 0),
    ((2, 3, 4), "int32", 0, [(0, 0), (1, 1), (0, 0)], "wrap", 0),
    ((3, 2), "float32", 1, [(1, 2), (2, 0)], "edge", 0),      # transposed view (2,3)
    ((2, 5), "int32", 2, [(2, 2), (3, 3)], "reflect", 0),     # reversed view
    ((6, 3), "float64", 3, [(1, 1), (1, 1)], "symmetric", 0),  # step view (3,3)
    ((3,), "float32", 4, [(1, 1), (2, 2)], "wrap", 0),         # broadcast view (2,3)
    ((), "float32", 0, [], "constant", 3),                     # 0-d
    ((0, 3), "float32", 0, [(1, 1), (1, 0)], "constant", 2),   # empty axis, constant mode
    ((0, 3), "float32", 0, [(0, 0), (1, 1)], "edge", 0),       # empty array, nothing to extend on axis 0
    ((2, 3), "int32", 0, [(0, 0), (0, 0)], "reflect", 0),
    ((2, 3), "float64", 0, [(1, 1), (1, 1)], "constant", float("nan")),
]
deviations = 0
for shape, dtype, v, pw, mode, value in pad_specs:
    raw = rand(shape, dtype)
    x = view(raw, v)
    cv = np.array(value).astype(x.dtype)
    mine = periodic_pad(x, pw, mode, cv)
    if mode == "constant":
        ref = np.pad(x, pw if pw else 0, mode, constant_values=value)
    else:
        ref = np.pad(x, pw if pw else 0, mode)
    agree = mine.shape == ref.shape and np.array_equal(mine, ref, equal_nan=(mine.dtype.kind == "f"))
    if not agree:
        deviations += 1
    flat = [w for pair in pw for w in pair]
    cases["pad"].append("/* %s */ {%s, %d, %s, %d, %s, %s}" % (
        "np.pad agrees" if agree else "np.pad 1.24 deviates", E.ref(raw), v, E.i64s(flat),
        MODES.index(mode), num(value), E.ref(mine)))

# ---- flip / roll ----
flip_specs = [((5,), "float32", 0, 0), ((2, 3), "int32", 0, 1), ((2, 3), "int32", 0, -2),
              ((2, 3, 4), "float64", 0, None), ((2, 3), "uint8", 1, 0), ((2, 3), "float32", 2, -1),
              ((), "int64", 0, None), ((0, 3), "float32", 0, 0)]
for shape, dtype, v, axis in flip_specs:
    raw = rand(shape, dtype)
    out = np.flip(view(raw, v), axis=axis)
    cases["flip"].append("{%s, %d, %s, %s}" % (E.ref(raw), v, ax(axis), E.ref(out)))

roll_specs = [((5,), "float32", 0, 2, 0), ((5,), "float32", 0, -7, 0), ((2, 3), "int32", 0, 1, 1),
              ((2, 3), "int32", 0, 7, None), ((2, 3), "int32", 0, -1, -2), ((2, 3, 4), "float64", 0, 5, 2),
              ((2, 3, 4), "int64", 0, 0, 1), ((2, 3), "uint8", 1, 1, 0), ((2, 3), "bool", 2, 2, None),
              ((4, 3), "float32", 3, -1, 1), ((3,), "float64", 4, 1, None), ((), "int32", 0, 3, None),
              ((0, 3), "float32", 0, 2, 0), ((2, 3), "float32", 0, 1000000000007, 1)]
for shape, dtype, v, shift, axis in roll_specs:
    raw = rand(shape, dtype)
    out = np.roll(view(raw, v), shift, axis=axis)
    cases["roll"].append("{%s, %d, %dLL, %s, %s}" % (E.ref(raw), v, shift, ax(axis), E.ref(out)))

head = """/* tests/ref/shape_ref.h: generated by tools/ref/gen_shape.py with NumPy %s. Do not edit. */
#ifndef NT_REF_RECORD
#define NT_REF_RECORD
/* One array: dtype, shape and values (as double, row-major). */
typedef struct nt_ref {
  int dtype;
  int ndim;
  int64_t shape[8];
  int64_t size;
  const double *data;
} nt_ref;
#endif
typedef struct sr_join { int n; const nt_ref *in[4]; int view[4]; int axis; const nt_ref *out; } sr_join;
typedef struct sr_split { int kind; const nt_ref *in; int view; int sections; const int64_t *ind; int axis; int nout;
                          const nt_ref *const *outs; } sr_split;
typedef struct sr_tile { const nt_ref *in; int view; const int64_t *reps; int nreps; const nt_ref *out; } sr_tile;
typedef struct sr_repeat { const nt_ref *in; int view; const int64_t *reps; int nreps; int scalar; int axis;
                           const nt_ref *out; } sr_repeat;
typedef struct sr_pad { const nt_ref *in; int view; const int64_t *pw; int mode; double value; const nt_ref *out; } sr_pad;
typedef struct sr_flip { const nt_ref *in; int view; int axis; const nt_ref *out; } sr_flip;
typedef struct sr_roll { const nt_ref *in; int view; long long shift; int axis; const nt_ref *out; } sr_roll;
/* pad cases where np.pad 1.24 differs from the periodic rule: %d */
""" % (np.__version__, deviations)

body = []
for key, typ in [("concat", "sr_join"), ("stack", "sr_join"), ("split", "sr_split"), ("tile", "sr_tile"),
                 ("repeat", "sr_repeat"), ("pad", "sr_pad"), ("flip", "sr_flip"), ("roll", "sr_roll")]:
    body.append("static const %s sr_%s_cases[] = {\n  %s};" % (typ, key, ",\n  ".join(cases[key])))
    body.append("#define SR_N_%s %d" % (key.upper(), len(cases[key])))

with open(OUT, "w") as f:
    f.write(head)
    f.write("\n".join(E.lines))
    f.write("\n")
    f.write("\n".join(body))
    f.write("\n")
print("wrote %s (%d bytes, %d pad deviations from np.pad 1.24)" % (OUT, os.path.getsize(OUT), deviations),
      file=sys.stderr)
