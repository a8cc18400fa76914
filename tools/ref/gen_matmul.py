#!/usr/bin/python3
"""Writes tests/ref/matmul_ref.h: inputs and NumPy results for nn_matmul, nn_dot, nn_outer, nn_inner, nn_trace.

Run with /usr/bin/python3 (NumPy 1.24) from the repository root: /usr/bin/python3 tools/ref/gen_matmul.py
Deterministic (fixed seed). Every value is written as a double that converts exactly to the case's dtype.

Each operand is stored contiguously ("stored" shape) and then viewed in C the same way as here:
  view 0: as stored
  view 1: transpose (x.T, 2-D)
  view 2: reversed last axis (x[..., ::-1])
  view 3: every other row along axis 0 (x[::2])
  view 4: last two axes swapped (np.swapaxes(x, -1, -2))
  view 5: broadcast of a (1, n) row to (rows, n) (np.broadcast_to), rows given by the case
"""
import os
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "ref", "matmul_ref.h")

DT = {np.float32: 0, np.float64: 1, np.int32: 2, np.int64: 3, np.uint8: 4, np.bool_: 5}
OPS = {"matmul": 0, "dot": 1, "outer": 2, "inner": 3, "trace": 4}

rng = np.random.default_rng(20240611)


def rand(shape, dt, lo=-5, hi=6):
    if dt in (np.float32, np.float64):
        if int(np.prod(shape)) > 200:  # big operands: quarter-integers keep the header small (and sums exact)
            return (rng.integers(-8, 9, shape) / 4.0).astype(dt)
        return rng.standard_normal(shape).astype(dt)
    if dt == np.bool_:
        return rng.integers(0, 2, shape).astype(np.bool_)
    if dt == np.uint8:
        return rng.integers(0, 256, shape).astype(np.uint8)
    return rng.integers(lo, hi, shape).astype(dt)


def view(x, kind, rows=0):
    if kind == 0:
        return x
    if kind == 1:
        return x.T
    if kind == 2:
        return x[..., ::-1]
    if kind == 3:
        return x[::2]
    if kind == 4:
        return np.swapaxes(x, -1, -2)
    if kind == 5:
        return np.broadcast_to(x, (rows,) + x.shape[1:])
    raise ValueError(kind)


cases = []


def add(name, op, a, va=0, b=None, vb=0, rows=0):
    """a and b are the stored arrays; the operation sees view(a, va) and view(b, vb)."""
    av = view(a, va, rows)
    bv = None if b is None else view(b, vb, rows)
    if op == "matmul":
        r = np.matmul(av, bv)
    elif op == "dot":
        r = np.dot(av, bv)
    elif op == "outer":
        r = np.outer(av, bv)
    elif op == "inner":
        r = np.inner(av, bv)
    else:
        r = np.trace(av)
    r = np.asarray(r)
    if r.dtype == np.uint64:  # np.trace of uint8; nn_trace gives int64
        r = r.astype(np.int64)
    cases.append((name, op, a, va, b, vb, rows, r))


f32, f64, i32, i64, u8, bl = np.float32, np.float64, np.int32, np.int64, np.uint8, np.bool_

# ---- matmul ----
add("mm 2d f32 (3,4)@(4,5)", "matmul", rand((3, 4), f32), 0, rand((4, 5), f32))
add("mm 1d@2d f32 (4,)@(4,5)", "matmul", rand((4,), f32), 0, rand((4, 5), f32))
add("mm 2d@1d f64 (3,4)@(4,)", "matmul", rand((3, 4), f64), 0, rand((4,), f64))
add("mm 1d@1d f32 (7,)@(7,)", "matmul", rand((7,), f32), 0, rand((7,), f32))
add("mm batch bcast f32 (2,1,3,4)@(5,4,2)", "matmul", rand((2, 1, 3, 4), f32), 0, rand((5, 4, 2), f32))
add("mm batch 3d@1d f64 (2,3,4)@(4,)", "matmul", rand((2, 3, 4), f64), 0, rand((4,), f64))
add("mm 1d@3d f32 (4,)@(2,4,3)", "matmul", rand((4,), f32), 0, rand((2, 4, 3), f32))
add("mm batch (1,3,4)@(2,4,5) f64", "matmul", rand((1, 3, 4), f64), 0, rand((2, 4, 5), f64))
add("mm int32 (3,4)@(4,5)", "matmul", rand((3, 4), i32, -1000, 1000), 0, rand((4, 5), i32, -1000, 1000))
add("mm int32 wraps (2,3)@(3,2)", "matmul", rand((2, 3), i32, 100000, 2000000), 0, rand((3, 2), i32, 100000, 2000000))
add("mm int64 (2,3,4)@(4,2)", "matmul", rand((2, 3, 4), i64, -100000, 100000), 0, rand((4, 2), i64, -100000, 100000))
add("mm uint8 wraps (3,5)@(5,2)", "matmul", rand((3, 5), u8), 0, rand((5, 2), u8))
add("mm bool (3,4)@(4,3)", "matmul", rand((3, 4), bl), 0, rand((4, 3), bl))
add("mm mixed i32@f32 (3,4)@(4,2)", "matmul", rand((3, 4), i32), 0, rand((4, 2), f32))
add("mm mixed f32@f64 (2,3)@(3,4)", "matmul", rand((2, 3), f32), 0, rand((3, 4), f64))
add("mm mixed u8@i32 (2,3)@(3,3)", "matmul", rand((2, 3), u8), 0, rand((3, 3), i32, -300, 300))
add("mm mixed i32@i64 1d (5,)@(5,2)", "matmul", rand((5,), i32), 0, rand((5, 2), i64))
add("mm mixed bool@f32 (2,3)@(3,2)", "matmul", rand((2, 3), bl), 0, rand((3, 2), f32))
add("mm int32 transposed a", "matmul", rand((4, 3), i32), 1, rand((4, 2), i32))
add("mm f32 transposed a (5,3).T@(5,4)", "matmul", rand((5, 3), f32), 1, rand((5, 4), f32))
add("mm f32 transposed b (3,5)@(4,5).T", "matmul", rand((3, 5), f32), 0, rand((4, 5), f32), 1)
add("mm f64 both transposed", "matmul", rand((6, 3), f64), 1, rand((2, 6), f64), 1)
add("mm f32 reversed a[:, ::-1]", "matmul", rand((3, 6), f32), 2, rand((6, 4), f32))
add("mm f64 rows a[::2]", "matmul", rand((7, 5), f64), 3, rand((5, 3), f64), 2)
add("mm f32 1d reversed", "matmul", rand((6,), f32), 2, rand((6, 3), f32))
add("mm f32 1d b rows b[::2]", "matmul", rand((3, 4), f32), 0, rand((8,), f32), 3)
add("mm f32 batch swapaxes", "matmul", rand((2, 5, 3), f32), 4, rand((2, 5, 4), f32))
add("mm f32 broadcast rows", "matmul", rand((1, 6), f32), 5, rand((6, 3), f32), rows=4)
add("mm i64 reversed b", "matmul", rand((3, 4), i64), 0, rand((4, 5), i64), 2)
add("mm f32 gemm path (33,34)@(34,35)", "matmul", rand((33, 34), f32), 0, rand((34, 35), f32))
add("mm f64 gemm path (31,37)@(37,41)", "matmul", rand((31, 37), f64), 0, rand((37, 41), f64))
add("mm f32 gemm transposed (40,37).T@(40,29)", "matmul", rand((40, 37), f32), 1, rand((40, 29), f32))
add("mm f32 gemm b transposed (30,41)@(33,41).T", "matmul", rand((30, 41), f32), 0, rand((33, 41), f32), 1)
add("mm f32 batched gemm (3,33,34)@(34,35)", "matmul", rand((3, 33, 34), f32), 0, rand((34, 35), f32))
add("mm f64 batched bcast (2,1,9,10)@(3,10,8)", "matmul", rand((2, 1, 9, 10), f64), 0, rand((3, 10, 8), f64))
add("mm f32 many small (40,2,3)@(40,3,2)", "matmul", rand((40, 2, 3), f32), 0, rand((40, 3, 2), f32))
add("mm f32 gemv (20,150)@(150,)", "matmul", rand((20, 150), f32), 0, rand((150,), f32))
add("mm f32 vecmat (150,)@(150,20)", "matmul", rand((150,), f32), 0, rand((150, 20), f32))
add("mm f32 empty k (3,0)@(0,2)", "matmul", rand((3, 0), f32), 0, rand((0, 2), f32))
add("mm f32 empty m (0,3)@(3,2)", "matmul", rand((0, 3), f32), 0, rand((3, 2), f32))
add("mm i32 empty k (2,0)@(0,3)", "matmul", rand((2, 0), i32), 0, rand((0, 3), i32))

# ---- dot ----
add("dot 2d (3,4).(4,5)", "dot", rand((3, 4), f32), 0, rand((4, 5), f32))
add("dot 1d.1d f64", "dot", rand((6,), f64), 0, rand((6,), f64))
add("dot 3d.3d (2,3,4).(5,4,6)", "dot", rand((2, 3, 4), f32), 0, rand((5, 4, 6), f32))
add("dot 3d.1d (2,3,4).(4,)", "dot", rand((2, 3, 4), f64), 0, rand((4,), f64))
add("dot 1d.3d (4,).(2,4,3)", "dot", rand((4,), f32), 0, rand((2, 4, 3), f32))
add("dot 2d.3d i32 (2,3).(2,3,4)", "dot", rand((2, 3), i32), 0, rand((2, 3, 4), i32))
add("dot 0d.2d", "dot", rand((), f64), 0, rand((2, 3), f64))
add("dot 2d.0d i32*f32", "dot", rand((2, 3), i32), 0, rand((), f32))
add("dot 3d.2d (2,3,4).(4,2)", "dot", rand((2, 3, 4), f32), 0, rand((4, 2), f32))
add("dot transposed 3d b", "dot", rand((2, 3), f32), 0, rand((2, 4, 3), f32), 4)

# ---- outer ----
add("outer (3,)x(4,)", "outer", rand((3,), f32), 0, rand((4,), f32))
add("outer (2,3)x(2,2) flattens", "outer", rand((2, 3), f64), 0, rand((2, 2), f64))
add("outer i32 x f32", "outer", rand((3,), i32), 0, rand((2,), f32))
add("outer bool x bool", "outer", rand((3,), bl), 0, rand((4,), bl))
add("outer transposed a", "outer", rand((2, 3), i64), 1, rand((2,), i64))
add("outer 0d x 1d", "outer", rand((), f32), 0, rand((3,), f32))

# ---- inner ----
add("inner (2,3).(4,3)", "inner", rand((2, 3), f32), 0, rand((4, 3), f32))
add("inner 1d.1d", "inner", rand((5,), f64), 0, rand((5,), f64))
add("inner (2,2,3).(3,)", "inner", rand((2, 2, 3), f32), 0, rand((3,), f32))
add("inner (2,2,3).(4,3)", "inner", rand((2, 2, 3), f64), 0, rand((4, 3), f64))
add("inner 3d.3d (2,1,3).(2,2,3)", "inner", rand((2, 1, 3), f32), 0, rand((2, 2, 3), f32))
add("inner i32 (3,4).(2,4)", "inner", rand((3, 4), i32), 0, rand((2, 4), i32))
add("inner 0d.2d", "inner", rand((), f32), 0, rand((2, 2), f32))
add("inner reversed b", "inner", rand((2, 4), f32), 0, rand((3, 4), f32), 2)

# ---- trace ----
add("trace f32 (4,4)", "trace", rand((4, 4), f32))
add("trace f64 (3,5)", "trace", rand((3, 5), f64))
add("trace i32 (5,3)", "trace", rand((5, 3), i32, -1000, 1000))
add("trace i64 transposed", "trace", rand((4, 6), i64, -1000, 1000), 1)
add("trace u8 (3,3)", "trace", rand((3, 3), u8))
add("trace bool (3,4)", "trace", rand((3, 4), bl))
add("trace f32 reversed", "trace", rand((3, 3), f32), 2)
add("trace f32 (0,3)", "trace", rand((0, 3), f32))


def fmt(v, f32):
    v = float(v)
    if v == int(v) and abs(v) < 1e15:
        return "%d" % int(v)
    return "%.9g" % v if f32 else repr(v)


def arr(name, x):
    x = np.asarray(x)
    vals = [fmt(v, x.dtype == np.float32) for v in x.astype(np.float64).ravel()]
    if not vals:
        vals = ["0"]
    lines, cur = [], ""
    for v in vals:
        if len(cur) + len(v) + 2 > 110:
            lines.append(cur)
            cur = ""
        cur += v + ", "
    lines.append(cur)
    return "static const double %s[] = {\n  %s\n};\n" % (name, "\n  ".join(l.rstrip() for l in lines))


def shp(s):
    s = list(s) + [0] * (8 - len(s))
    return "{" + ", ".join(str(v) for v in s) + "}"


out = []
out.append("/* tests/ref/matmul_ref.h: generated by tools/ref/gen_matmul.py with NumPy %s. Do not edit. */\n" % np.__version__)
out.append("""
typedef struct mm_ref_case {
  const char *name;
  int op;                        /* 0 matmul, 1 dot, 2 outer, 3 inner, 4 trace */
  int dta, ndima;                /* operand a: nn_dtype, stored shape, values, view kind (see the generator) */
  int64_t shapea[8];
  const double *a;
  int va;
  int dtb, ndimb;                /* operand b (dtb < 0: none) */
  int64_t shapeb[8];
  const double *b;
  int vb;
  int rows;                      /* rows of a view-5 broadcast */
  int dtr, ndimr;                /* expected result: nn_dtype, shape, values */
  int64_t shaper[8];
  int64_t sizer;
  const double *r;
} mm_ref_case;

""")
for k, (name, op, a, va, b, vb, rows, r) in enumerate(cases):
    out.append(arr("mm_ref_a%d" % k, a))
    if b is not None:
        out.append(arr("mm_ref_b%d" % k, b))
    out.append(arr("mm_ref_r%d" % k, r))
out.append("\nstatic const mm_ref_case mm_ref_cases[] = {\n")
for k, (name, op, a, va, b, vb, rows, r) in enumerate(cases):
    bpart = ("%d, %d, %s, mm_ref_b%d, %d" % (DT[b.dtype.type], b.ndim, shp(b.shape), k, vb)) if b is not None else \
        "-1, 0, %s, NULL, 0" % shp(())
    out.append('  {"%s", %d, %d, %d, %s, mm_ref_a%d, %d, %s, %d, %d, %d, %s, %d, mm_ref_r%d},\n' % (
        name, OPS[op], DT[a.dtype.type], a.ndim, shp(a.shape), k, va, bpart, rows, DT[r.dtype.type], r.ndim,
        shp(r.shape), r.size, k))
out.append("};\n#define MM_REF_NCASES %d\n" % len(cases))

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    f.write("".join(out))
print("wrote %s (%d cases, %d bytes)" % (OUT, len(cases), sum(len(s) for s in out)))
