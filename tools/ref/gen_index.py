#!/usr/bin/env python3
"""Writes tests/ref/index_ref.h: NumPy reference cases for ops/index. Run with /usr/bin/python3 (NumPy 1.24).
Deterministic: a fixed seed and no timestamps.

NumPy functions give the expected values directly for take, take_along_axis, put, put_along_axis, argwhere and
count_nonzero. The PyTorch-named ops are computed with equivalent NumPy expressions:
  gather(x, axis, index)          take_along_axis(x cropped to index's shape outside axis, index, axis)
  scatter(x, axis, index, src)    an explicit loop over index positions in row-major order (last write wins)
  scatter_add(x, axis, index, src) np.add.at(out, (arange grids..., index at axis), src cropped)  (unbuffered)
  index_add(x, axis, index, src)  np.add.at(out, (:, ..., index), src)
  masked_select(x, mask)          x_b[mask_b] after np.broadcast_arrays
  masked_fill(x, mask, value)     np.where(mask, value cast to x's dtype, x)
  one_hot(indices, n, dtype)      np.eye(n, dtype=dtype)[indices]
Views use the codes of gen_shape.py: 0 none, 1 x.T, 2 x[..., ::-1], 3 x[::2], 4 broadcast to (2,) + x.shape.
"""
import os
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "tests", "ref",
                   "index_ref.h")
rng = np.random.default_rng(777)

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
        name = "XR%d" % self.count
        flat = a.reshape(-1)
        vals = ", ".join(num(v) for v in flat.astype(np.float64)) if flat.size else "0"
        self.lines.append("static const double %s_d[] = {%s};" % (name, vals))
        shape = ", ".join(str(s) for s in a.shape) if a.ndim else "0"
        self.lines.append("static const nt_ref %s = {%s, %d, {%s}, %d, %s_d};" % (name, DT[a.dtype], a.ndim, shape,
                                                                                  a.size, name))
        return "&" + name


def rand(shape, dtype):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.integers(0, 2, size=shape).astype(bool)
    if dtype == np.uint8:
        return rng.integers(0, 250, size=shape).astype(np.uint8)
    return rng.integers(-50, 50, size=shape).astype(dtype)


def randidx(shape, n, dtype="int64", neg=True):
    lo = -n if neg and np.dtype(dtype) != np.uint8 else 0
    return rng.integers(lo, n, size=shape).astype(dtype) if n > 0 else np.zeros(shape, dtype)


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
C = {k: [] for k in ["take", "tala", "gather", "msel", "mfill", "put", "pala", "scatter", "scatter_add",
                     "index_add", "argwhere", "one_hot"]}

# ---- take ----
take_specs = [
    # (x shape, dtype, view, index array, axis)
    ((5,), "float32", 0, np.array([0, -1, 3, 3], np.int64), 0),
    ((2, 3), "int32", 0, np.array([[0, 2], [1, -3]], np.int32), 1),
    ((2, 3), "float64", 0, np.array([5, 0, -6], np.int64), None),
    ((3, 4), "float32", 1, np.array([3, 0], np.uint8), 0),          # transposed view (4,3)
    ((2, 5), "int64", 2, np.array([[1]], np.int64), -1),            # reversed view
    ((2, 3, 4), "int64", 0, np.array(2, np.int64), 1),              # 0-d index removes the axis
    ((2, 3), "bool", 0, np.zeros((0,), np.int64), 0),               # empty index
    ((2, 0), "float32", 0, np.zeros((0,), np.int32), 1),            # empty axis, empty index
    ((), "float64", 0, np.array([0, 0, -1], np.int64), None),       # 0-d x, flattened
    ((3,), "float32", 4, np.array([1, 0, 1], np.int64), 0),         # broadcast view (2,3)
    ((6, 2), "uint8", 3, np.array([[2, 0], [1, -1]], np.int32), 0),  # step view (3,2)
    ((2, 3, 4), "float32", 1, randidx((2, 2), 3), 1),               # transposed 3-D view
    ((3, 4), "int32", 2, randidx((5,), 12), None),                  # reversed view, flattened
]
for shape, dtype, v, idx, axis in take_specs:
    raw = rand(shape, dtype)
    out = np.take(view(raw, v), idx, axis=axis)
    C["take"].append("{%s, %d, %s, %s, %s}" % (E.ref(raw), v, E.ref(idx), ax(axis), E.ref(out)))

# ---- take_along_axis ----
x = rand((3, 4), "float32")
tala_specs = [
    ((3, 4), "float32", 0, np.argsort(x, axis=1), 1, x),
    ((3, 4), "float64", 0, randidx((1, 4), 3, "int32"), 0, None),
    ((3, 4), "int32", 0, randidx((3, 1), 4), -1, None),
    ((3, 1), "int64", 0, randidx((2, 4), 3), 0, None),            # x broadcast along axis 1
    ((3, 4), "uint8", 0, randidx((1, 2), 4, "uint8"), 1, None),   # indices broadcast along axis 0
    ((2, 3, 4), "float32", 1, randidx((4, 2, 2), 3), 1, None),    # transposed view (4,3,2)
    ((2, 5), "int32", 2, randidx((2, 3), 5), 1, None),            # reversed view
    ((2, 3), "float64", 0, np.array([5, -1, 0], np.int64), None, None),
    ((3, 4), "bool", 0, np.zeros((3, 0), np.int64), 1, None),
    ((4,), "float32", 4, randidx((2, 3), 4), 1, None),            # broadcast view (2,4)
]
for shape, dtype, v, idx, axis, given in tala_specs:
    raw = given if given is not None else rand(shape, dtype)
    out = np.take_along_axis(view(raw, v), idx, axis=axis)
    C["tala"].append("{%s, %d, %s, %s, %s}" % (E.ref(raw), v, E.ref(idx), ax(axis), E.ref(out)))


def crop(x, shape, axis):
    return x[tuple(slice(None) if d == axis else slice(0, shape[d]) for d in range(x.ndim))]


# ---- gather (torch) ----
gather_specs = [
    ((3, 4), "float32", 0, (2, 3), 0),
    ((3, 4), "int64", 0, (3, 2), 1),
    ((3, 4), "float64", 0, (3, 6), -1),           # index longer than x along axis
    ((2, 3, 4), "int32", 0, (2, 2, 3), 2),
    ((2, 3, 4), "uint8", 1, (3, 1, 2), 0),        # transposed view (4,3,2)
    ((3, 5), "bool", 2, (2, 5), 1),               # reversed view
    ((6, 3), "float32", 3, (3, 3), 0),            # step view (3,3)
    ((3, 4), "float32", 0, (0, 4), 0),
]
for shape, dtype, v, ishape, axis in gather_specs:
    raw = rand(shape, dtype)
    xv = view(raw, v)
    idx = randidx(ishape, xv.shape[axis], "int64", neg=False)
    out = np.take_along_axis(crop(xv, ishape, axis % xv.ndim), idx, axis=axis)
    C["gather"].append("{%s, %d, %s, %s, %s}" % (E.ref(raw), v, E.ref(idx), ax(axis), E.ref(out)))

# ---- masked_select / masked_fill ----
msel_specs = [
    ((2, 3), "float32", 0, (2, 3)),
    ((2, 3), "int32", 0, (3,)),          # mask broadcast
    ((3,), "float64", 0, (2, 3)),        # x broadcast
    ((2, 1), "int64", 0, (1, 3)),        # both broadcast
    ((3, 2), "uint8", 1, (2, 3)),        # transposed view
    ((), "float32", 0, (2, 2)),          # 0-d x
    ((2, 3, 4), "int64", 2, (2, 3, 4)),  # reversed view
    ((2, 3), "bool", 0, (2, 3)),
    ((3,), "float32", 4, (2, 3)),        # broadcast view
    ((2, 2), "float32", 0, ()),          # 0-d mask
]
for xs, dtype, v, ms in msel_specs:
    raw = rand(xs, dtype)
    m = rng.integers(0, 2, size=ms).astype(bool)
    xb, mb = np.broadcast_arrays(view(raw, v), m)
    C["msel"].append("{%s, %d, %s, 0, 0, %s}" % (E.ref(raw), v, E.ref(m), E.ref(xb[mb])))
# all false
raw = rand((2, 3), "float32")
C["msel"].append("{%s, 0, %s, 0, 0, %s}" % (E.ref(raw), E.ref(np.zeros((2, 3), bool)), E.ref(np.zeros(0, np.float32))))

mfill_specs = [
    ((2, 3), "float32", 0, (2, 3), -1.5),
    ((2, 3), "int32", 0, (3,), 2.7),       # value truncates
    ((2, 3), "float64", 0, (2, 1), float("nan")),
    ((3, 2), "uint8", 1, (2, 3), 7),       # transposed view
    ((2, 4), "int64", 2, (4,), -9),        # reversed view
    ((2, 3), "bool", 0, (2, 3), 2),        # nonzero -> True
    ((6, 2), "float32", 3, (1, 2), 0.25),  # step view
    ((), "float64", 0, (), 4),
]
for xs, dtype, v, ms, value in mfill_specs:
    raw = rand(xs, dtype)
    m = rng.integers(0, 2, size=ms).astype(bool)
    xv = view(raw.copy(), v)
    out = np.where(m, np.array(value).astype(xv.dtype), xv)
    C["mfill"].append("{%s, %d, %s, %s, %s}" % (E.ref(raw), v, E.ref(m), num(value), E.ref(out)))

# ---- put / put_along_axis ----
put_specs = [
    ((5,), "float32", 0, np.array([0, -1, 2], np.int64), np.array([1.5, 2.5, 3.5], np.float32)),
    ((2, 3), "int32", 0, np.array([[0, 5], [5, 1]], np.int32), np.array([7, 8], np.int32)),  # cycled, duplicates
    ((2, 3), "int32", 0, np.array([1, 4], np.int64), np.array([1.9, -2.9])),                 # converted
    ((3, 2), "float64", 1, np.array([0, 1, 2], np.uint8), np.array([10.0, 11.0, 12.0])),    # transposed view
    ((2, 4), "uint8", 2, np.array([0, 7, -8], np.int64), np.array([9], np.uint8)),
    ((2, 3), "bool", 0, np.array([0, 4], np.int64), np.array([1, 0], np.int32)),
    ((), "float32", 0, np.array([0, -1], np.int64), np.array([3.0, 4.0])),
    ((2, 3), "float32", 0, np.array([0, 1], np.int64), np.zeros(0)),                         # empty values
]
for xs, dtype, v, idx, vals in put_specs:
    raw = rand(xs, dtype)
    xv = view(raw.copy(), v)
    np.put(xv, idx, vals)
    C["put"].append("{%s, %d, %s, %s, 0, %s}" % (E.ref(raw), v, E.ref(idx), E.ref(vals), E.ref(xv)))

pala_specs = [
    ((3, 4), "float32", 0, randidx((3, 1), 4), rand((3, 1), "float32"), 1),
    ((3, 4), "int64", 0, randidx((2, 4), 3, neg=False), np.array(5, np.int64), 0),      # 0-d values
    ((3, 4), "float64", 0, randidx((1, 2), 4), rand((3, 2), "float64"), 1),            # indices broadcast
    ((3, 4), "int32", 1, randidx((4, 2), 3), rand((2,), "float64"), -1),               # transposed view
    ((2, 3), "uint8", 0, np.array([4, -1], np.int64), np.array([1, 2], np.uint8), None),
    ((2, 3, 4), "float32", 2, randidx((2, 3, 2), 4), rand((2, 3, 2), "float32"), 2),  # reversed view
    ((3, 4), "bool", 0, np.zeros((3, 0), np.int64), np.array(True), 1),
]
for xs, dtype, v, idx, vals, axis in pala_specs:
    raw = rand(xs, dtype)
    xv = view(raw.copy(), v)
    np.put_along_axis(xv, idx, vals, axis)
    C["pala"].append("{%s, %d, %s, %s, %s, %s}" % (E.ref(raw), v, E.ref(idx), E.ref(vals), ax(axis), E.ref(xv)))


# ---- scatter / scatter_add / index_add ----
def scatter_ref(x, axis, idx, src):
    out = x.copy()
    for p in np.ndindex(*idx.shape):
        q = list(p)
        q[axis] = idx[p]
        out[tuple(q)] = src[p] if src.ndim else src
    return out


def scatter_add_ref(x, axis, idx, src):
    out = x.copy()
    grids = np.meshgrid(*[np.arange(s) for s in idx.shape], indexing="ij")
    grids[axis] = idx
    np.add.at(out, tuple(grids), crop(src, idx.shape, -1) if src.ndim else src)
    return out


scat_specs = [
    # (x shape, dtype, view, index shape, src shape (None: 0-d), src dtype, axis)
    ((3, 4), "float32", 0, (2, 4), (2, 4), "float32", 0),
    ((3, 4), "int32", 0, (3, 2), (3, 3), "int32", 1),        # src larger than index
    ((3, 4), "float64", 0, (3, 6), (3, 6), "float64", -1),   # many duplicates along the axis
    ((2, 3, 4), "int64", 0, (2, 2, 5), (2, 3, 5), "int64", 2),
    ((4, 3), "float32", 1, (2, 4), (2, 4), "float32", 0),    # transposed view (3,4)
    ((3, 5), "uint8", 2, (3, 5), (3, 5), "uint8", 1),        # reversed view, uint8 wraps
    ((3, 4), "bool", 0, (3, 4), (3, 4), "bool", 1),          # bool add is or
    ((3, 4), "float32", 0, (2, 2), None, "float32", 0),      # 0-d src
    ((3, 4), "float64", 0, (2, 3), (2, 3), "int32", 1),      # src converted
    ((3, 4), "int32", 0, (0, 4), (1, 4), "int32", 0),        # empty index
]
for xs, dtype, v, ishape, sshape, sdt, axis in scat_specs:
    raw = rand(xs, dtype)
    xv = view(raw, v)
    a = axis % xv.ndim
    idx = randidx(ishape, xv.shape[a], "int64", neg=False)
    src = rand(sshape if sshape is not None else (), sdt)
    srcx = src.astype(xv.dtype)
    out1 = scatter_ref(xv, a, idx, crop(srcx, ishape, -1) if srcx.ndim else srcx)
    out2 = scatter_add_ref(xv, a, idx, srcx)
    for key, out in (("scatter", out1), ("scatter_add", out2)):
        C[key].append("{%s, %d, %s, %s, %s, %s}" % (E.ref(raw), v, E.ref(idx), E.ref(src), ax(axis), E.ref(out)))
# negative indices (wrapped, as in NumPy) in scatter_add
raw = rand((2, 5), "float32")
idx = np.array([[-1, 0, -1, 4, 4]], np.int64)
src = rand((1, 5), "float32")
C["scatter_add"].append("{%s, 0, %s, %s, 1, %s}" % (E.ref(raw), E.ref(idx), E.ref(src),
                                                    E.ref(scatter_add_ref(raw, 1, idx % 5, src))))

iadd_specs = [
    # (x shape, dtype, view, index, src dtype, axis)
    ((5, 3), "float32", 0, np.array([0, 4, 2, 0], np.int64), "float32", 0),
    ((3, 4), "int64", 0, np.array([3, -1, 0], np.int32), "int64", 1),
    ((2, 3, 4), "float64", 0, np.array([1, 1, 1], np.int64), "float64", 1),
    ((4, 3), "float32", 1, np.array([2, 0], np.uint8), "int32", 0),  # transposed view (3,4), src converted
    ((3, 5), "int32", 2, np.array([4, 3, 4], np.int64), "int32", -1),
    ((3,), "uint8", 0, np.array([1, 1], np.int64), "uint8", 0),
    ((2, 3), "bool", 0, np.array([0, 0, 1], np.int64), "bool", 0),
    ((3, 2), "float64", 0, np.array(2, np.int64), "float64", 0),        # 0-d index
    ((3, 2), "float32", 0, np.zeros(0, np.int64), "float32", 0),
]
for xs, dtype, v, idx, sdt, axis in iadd_specs:
    raw = rand(xs, dtype)
    xv = view(raw, v)
    a = axis % xv.ndim
    sshape = list(xv.shape)
    sshape[a] = idx.size
    src = rand(tuple(sshape), sdt)
    out = xv.copy()
    np.add.at(out, (slice(None),) * a + (idx.reshape(-1),), src.astype(xv.dtype))
    C["index_add"].append("{%s, %d, %s, %s, %s, %s}" % (E.ref(raw), v, E.ref(idx), E.ref(src), ax(axis), E.ref(out)))

# ---- argwhere / count_nonzero ----
aw_specs = [
    (np.array([0.0, -0.0, np.nan, 1.0, 0.0, -2.0], np.float32), 0),
    (np.array([[0, 1, 2], [3, 0, 0]], np.int32), 0),
    (np.array([[0, 1, 2], [3, 0, 0]], np.int64), 1),
    (rng.integers(0, 2, size=(2, 3, 4)).astype(np.uint8), 2),
    (rng.integers(0, 2, size=(3, 4)).astype(bool), 0),
    (np.array([[0.0, 1.5], [np.inf, -0.0]]), 1),
    (np.array(5.0), 0),
    (np.array(0, np.int32), 0),
    (np.zeros((0, 3), np.float32), 0),
    (np.array([0, 3, 0], np.int64), 4),
    (np.zeros((2, 3), np.float64), 0),
]
for raw, v in aw_specs:
    xv = view(raw, v)
    C["argwhere"].append("{%s, %d, %s, %s}" % (E.ref(raw), v, E.ref(np.argwhere(xv)),
                                                E.ref(np.array(np.count_nonzero(xv), np.int64))))

# ---- one_hot ----
oh_specs = [
    (np.array([0, 2, 1, 2], np.int64), 0, 3, "float32"),
    (np.array([[0, 4], [1, 1]], np.int32), 0, -1, "int64"),
    (np.array(3, np.int64), 0, 5, "uint8"),
    (np.array([[1, 0, 2], [2, 2, 0]], np.int64), 1, 4, "bool"),    # transposed view
    (np.array([1, 0, 3], np.uint8), 2, 4, "float64"),
    (np.zeros(0, np.int64), 0, 3, "int32"),
]
for idx, v, n, dt in oh_specs:
    iv = view(idx, v)
    k = n if n >= 0 else int(iv.max()) + 1
    out = np.eye(k, dtype=dt)[iv]
    C["one_hot"].append("{%s, %d, %d, %s, %s}" % (E.ref(idx), v, n, DT[np.dtype(dt)], E.ref(out)))

head = """/* tests/ref/index_ref.h: generated by tools/ref/gen_index.py with NumPy %s. Do not edit. */
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
/* x (with view code), a second operand a (indices or mask), an optional third b (values or src), axis, result. */
typedef struct xr_case { const nt_ref *x; int view; const nt_ref *a; const nt_ref *b; int axis; const nt_ref *out; } xr_case;
typedef struct xr_fill { const nt_ref *x; int view; const nt_ref *mask; double value; const nt_ref *out; } xr_fill;
typedef struct xr_nz { const nt_ref *x; int view; const nt_ref *where; const nt_ref *count; } xr_nz;
typedef struct xr_onehot { const nt_ref *idx; int view; int num_classes; int dtype; const nt_ref *out; } xr_onehot;
""" % np.__version__


def rows(key, f):
    """Normalizes every case of a key to the xr_case layout {x, view, a, b, axis, out}."""
    return [f(c) for c in C[key]]


body = []


def table(name, typ, items):
    body.append("static const %s xr_%s_cases[] = {\n  %s};" % (typ, name, ",\n  ".join(items)))
    body.append("#define XR_N_%s %d" % (name.upper(), len(items)))


# take-like cases are {x, view, a, axis, out}: insert b = 0
def ins_b(c):
    parts = c[1:-1].split(", ")
    return "{%s, %s, %s, 0, %s, %s}" % tuple(parts)


table("take", "xr_case", rows("take", ins_b))
table("tala", "xr_case", rows("tala", ins_b))
table("gather", "xr_case", rows("gather", ins_b))
table("msel", "xr_case", C["msel"])
table("mfill", "xr_fill", C["mfill"])
table("put", "xr_case", C["put"])
table("pala", "xr_case", C["pala"])
table("scatter", "xr_case", C["scatter"])
table("scatter_add", "xr_case", C["scatter_add"])
table("index_add", "xr_case", C["index_add"])
table("argwhere", "xr_nz", C["argwhere"])
table("one_hot", "xr_onehot", C["one_hot"])

with open(OUT, "w") as f:
    f.write(head)
    f.write("\n".join(E.lines))
    f.write("\n")
    f.write("\n".join(body))
    f.write("\n")
print("wrote %s (%d bytes)" % (OUT, os.path.getsize(OUT)), file=sys.stderr)
