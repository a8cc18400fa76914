#!/usr/bin/python3
"""Writes tests/ref/reduce_ref.h: inputs and NumPy 1.24 / SciPy results for the reduction tests.

Run with /usr/bin/python3 (numpy 1.24, scipy) from the repository root:  /usr/bin/python3 tools/ref/gen_reduce.py
Deterministic: the same header is produced on every run.

Each case names an op, the input (a slice of the input pool, its dtype and base shape, and a view applied in C:
transpose, reversed axis 0, every other element of the last axis, or a broadcast), the axes, keepdims and ddof, and
the expected dtype, shape and values. Float results for float32 inputs are computed in float64 by NumPy and rounded
to float32 (the library accumulates float32 in double); the tests compare with a relative tolerance."""
import os
import sys
import numpy as np
import scipy.special as sp

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "ref", "reduce_ref.h")

# op codes shared with tests/test_reduce.c (0..9 are nn_reduce_op values)
SUM, MEAN, PROD, MIN, MAX, ANY, ALL, LSE, VAR, STD = range(10)
ARGMIN, ARGMAX, CUMSUM, CUMPROD, SOFTMAX, LOGSOFTMAX = range(10, 16)
OPNAMES = ["sum", "mean", "prod", "min", "max", "any", "all", "logsumexp", "var", "std",
           "argmin", "argmax", "cumsum", "cumprod", "softmax", "log_softmax"]
# dtype codes = nn_dtype order
F32, F64, I32, I64, U8, B = range(6)
NPDT = [np.float32, np.float64, np.int32, np.int64, np.uint8, np.bool_]
# views applied to the base array
V_NONE, V_T, V_NEG, V_STEP, V_BCAST = range(5)
ALL_AXES = -1000

rng = np.random.default_rng(20240611)

in_pool = []   # doubles
out_f = []     # doubles (float results)
out_i = []     # int64 (integer/bool results)
cases = []
_input_cache = {}


def make_base(shape, dt, flavor):
    """Deterministic base data for (shape, dtype, flavor); flavor: 'gen', 'nan', 'prod', 'small'."""
    n = int(np.prod(shape))
    if dt in (F32, F64):
        if flavor == "prod":
            v = rng.uniform(0.5, 1.5, n)
        elif flavor == "small":
            v = rng.uniform(-4, 4, n)
        else:
            v = rng.normal(0, 3, n)
        v = v.astype(NPDT[dt])
        if flavor == "nan" and n >= 3:
            v[n // 3] = np.nan
            v[(2 * n) // 3] = np.nan
            v[0] = np.inf if n > 5 else v[0]
    elif dt == I32:
        lo, hi = {"prod": (-3, 4), "small": (-5, 6)}.get(flavor, (-1000, 1000))
        v = rng.integers(lo, hi, n).astype(np.int32)
    elif dt == I64:
        lo, hi = {"prod": (-3, 4), "small": (-5, 6)}.get(flavor, (-10**6, 10**6))
        v = rng.integers(lo, hi, n).astype(np.int64)
    elif dt == U8:
        lo, hi = {"prod": (1, 4), "small": (0, 8)}.get(flavor, (0, 256))
        v = rng.integers(lo, hi, n).astype(np.uint8)
    else:
        v = rng.integers(0, 2, n).astype(np.bool_)
        if flavor == "prod":
            v[:] = True
            if n > 4:
                v[n // 2] = False
    return v.reshape(shape)


def base_shape_for(shape, view):
    """The shape of the stored array such that the view gives `shape`."""
    if view == V_T:
        return tuple(reversed(shape))
    if view == V_STEP:
        return tuple(shape[:-1]) + (shape[-1] * 2,)
    if view == V_BCAST:
        return (1,) + tuple(shape[1:])
    return tuple(shape)


def apply_view(a, view, shape):
    if view == V_T:
        return a.T
    if view == V_NEG:
        return a[::-1]
    if view == V_STEP:
        return a[..., ::2]
    if view == V_BCAST:
        return np.broadcast_to(a, shape)
    return a


_base_cache = {}


def get_input(shape, dt, view, flavor):
    """Base data are shared by views of one base shape, and by float32/float64 (float32 values) and int32/int64."""
    bshape = base_shape_for(shape, view)
    cls = {F64: F32, I64: I32}.get(dt, dt)
    key = (tuple(bshape), cls, flavor)
    if key not in _base_cache:
        base = make_base(bshape, cls, flavor)
        _base_cache[key] = (len(in_pool), base)
        in_pool.extend((float(v), cls == F32) for v in base.reshape(-1))
    off, base = _base_cache[key]
    x = apply_view(base.astype(NPDT[dt]), view, shape)
    assert x.shape == tuple(shape)
    return off, bshape, x


def npaxis(axes, allax):
    if allax:
        return None
    return tuple(axes)


def compute(op, x, axes, allax, keepdims, ddof):
    """Returns (dtype_code, result array)."""
    ax = npaxis(axes, allax)
    hi = x.astype(np.float64) if x.dtype == np.float32 else x
    if op in (SUM, MEAN, PROD, VAR, STD, LSE):
        if op == SUM:
            direct = np.sum(x, axis=ax, keepdims=keepdims)
            r = np.sum(hi, axis=ax, keepdims=keepdims)
        elif op == MEAN:
            direct = np.mean(x, axis=ax, keepdims=keepdims)
            r = np.mean(hi, axis=ax, keepdims=keepdims)
        elif op == PROD:
            direct = np.prod(x, axis=ax, keepdims=keepdims)
            r = np.prod(hi, axis=ax, keepdims=keepdims)
        elif op == VAR:
            direct = np.var(x, axis=ax, keepdims=keepdims, ddof=ddof)
            r = np.var(hi, axis=ax, keepdims=keepdims, ddof=ddof)
        elif op == STD:
            direct = np.std(x, axis=ax, keepdims=keepdims, ddof=ddof)
            r = np.std(hi, axis=ax, keepdims=keepdims, ddof=ddof)
        else:
            direct = sp.logsumexp(x, axis=ax, keepdims=keepdims)
            r = sp.logsumexp(hi, axis=ax, keepdims=keepdims)
        dt = np.asarray(direct).dtype
        if dt == np.float16:  # logsumexp of uint8/bool: the library uses float32
            dt = np.dtype(np.float32)
            r = sp.logsumexp(x.astype(np.float32).astype(np.float64), axis=ax, keepdims=keepdims)
        if dt == np.uint64:
            dt = np.dtype(np.int64)
        r = np.asarray(r).astype(dt)
    elif op in (MIN, MAX):
        r = (np.min if op == MIN else np.max)(x, axis=ax, keepdims=keepdims)
    elif op in (ANY, ALL):
        r = (np.any if op == ANY else np.all)(x, axis=ax, keepdims=keepdims)
    elif op in (ARGMIN, ARGMAX):
        f = np.argmin if op == ARGMIN else np.argmax
        a = None if allax else axes[0]
        r = f(x, axis=a, keepdims=bool(keepdims))
    elif op in (CUMSUM, CUMPROD):
        f = np.cumsum if op == CUMSUM else np.cumprod
        a = None if allax else axes[0]
        r = f(x, axis=a)
        if r.dtype == np.uint64:
            r = r.astype(np.int64)
    else:
        a = None if allax else axes[0]
        fdt = np.float32 if x.dtype in (np.uint8, np.bool_, np.float32) else np.float64
        f = sp.softmax if op == SOFTMAX else sp.log_softmax
        r = f(x.astype(np.float64), axis=a).astype(fdt)
    r = np.asarray(r)
    code = [np.dtype(t) for t in NPDT].index(r.dtype)
    return code, r


def add_case(op, dt, shape, view, axes, allax=False, keepdims=0, ddof=0, flavor="gen"):
    off, bshape, x = get_input(shape, dt, view, flavor)
    code, r = compute(op, x, axes, allax, keepdims, ddof)
    flat = r.reshape(-1)
    if code in (F32, F64):
        ooff = len(out_f)
        out_f.extend((float(v), code == F32) for v in flat)
    else:
        ooff = len(out_i)
        out_i.extend(int(v) for v in flat)
    cases.append(dict(op=op, dt=dt, ndim=len(shape), shape=list(shape), bndim=len(bshape), bshape=list(bshape),
                      view=view, naxes=0 if allax else len(axes), axes=[] if allax else list(axes),
                      all=1 if allax else 0, keepdims=keepdims, ddof=ddof, in_off=off, out_dt=code,
                      out_ndim=r.ndim, out_shape=list(r.shape), out_off=ooff, out_size=int(flat.size)))


# (shape, view, axes, all, keepdims)
RED_COMBOS = [
    ((7,), V_NONE, (), True, 0),
    ((37,), V_NONE, (0,), False, 1),
    ((3, 5), V_NONE, (1,), False, 0),
    ((3, 5), V_NEG, (-2,), False, 0),
    ((5, 7), V_T, (0,), False, 1),
    ((2, 3, 4), V_NONE, (0, 2), False, 0),
    ((2, 3, 4), V_NEG, (-1,), False, 1),
    ((2, 3, 4), V_STEP, (), True, 1),
    ((3, 4, 5), V_T, (1,), False, 0),
    ((2, 3, 4, 5), V_NONE, (1, 3), False, 0),
    ((2, 3, 4, 5), V_NONE, (0, 2), False, 1),
    ((2, 3, 4, 5), V_NONE, (-1, -3), False, 0),
    ((2, 3, 4), V_NONE, (), False, 0),          # axis=(): no reduction
    ((2, 3, 4, 5), V_NONE, (0, 1, 2, 3), False, 0),
    ((6, 5), V_BCAST, (0,), False, 0),
    ((6, 27), V_NONE, (0,), False, 0),           # column form
    ((4, 37), V_NONE, (-1,), False, 0),          # long rows
]
SHORT = [0, 1, 2, 3, 4, 5, 8, 9, 12, 15]       # subset for less central dtypes/ops

RED_DTYPES = {
    SUM: [F32, F64, I32, I64, U8, B],
    MEAN: [F32, F64, I32, B],
    PROD: [F32, F64, I32, I64, U8, B],
    MIN: [F32, F64, I32, I64, U8, B],
    MAX: [F32, F64, I32, I64, U8, B],
    ANY: [F32, I32, B],
    ALL: [F64, U8, B],
    LSE: [F32, F64, I32, U8],
    VAR: [F32, F64, I32, B],
    STD: [F32, F64, I64],
}
MAIN = {SUM: (F32, F64, I32), MEAN: (F32, F64), PROD: (F32, I64), MIN: (F32, I32), MAX: (F64, U8),
        ANY: (F32,), ALL: (B,), LSE: (F32,), VAR: (F32, F64), STD: (F64,)}

for op, dts in RED_DTYPES.items():
    for dt in dts:
        for i, (shape, view, axes, allax, keep) in enumerate(RED_COMBOS):
            if dt not in MAIN[op] and i not in SHORT:
                continue
            flavor = "prod" if op == PROD else "small" if op == LSE else "gen"
            if op in (VAR, STD):
                for ddof in ((0, 1) if i % 3 == 0 else (i % 2,)):
                    add_case(op, dt, shape, view, axes, allax, keep, ddof, flavor)
            else:
                add_case(op, dt, shape, view, axes, allax, keep, 0, flavor)

# NaN and inf for min / max (NaN propagates).
for op in (MIN, MAX):
    for dt in (F32, F64):
        for shape, view, axes, allax, keep in [((7,), V_NONE, (), True, 0), ((37,), V_NONE, (0,), False, 0),
                                               ((6, 27), V_NONE, (0,), False, 0), ((4, 37), V_NONE, (1,), False, 0),
                                               ((3, 4, 5), V_T, (0, 2), False, 0), ((4, 37), V_NONE, (), True, 0)]:
            add_case(op, dt, shape, view, axes, allax, keep, 0, "nan")
add_case(VAR, F64, (6, 27), V_NONE, (1,), False, 0, 0, "nan")
add_case(LSE, F32, (6, 27), V_NONE, (0,), False, 0, 0, "nan")
# ddof >= N: inf or NaN, as NumPy
add_case(VAR, F64, (3, 2), V_NONE, (1,), False, 0, 2)
add_case(STD, F32, (3, 2), V_NONE, (1,), False, 0, 3)

ARG_COMBOS = [
    ((7,), V_NONE, (), True, 0),
    ((37,), V_NONE, (0,), False, 1),
    ((3, 5), V_NONE, (1,), False, 0),
    ((6, 27), V_NONE, (0,), False, 0),
    ((5, 7), V_T, (0,), False, 0),
    ((5, 7), V_T, (), True, 1),
    ((2, 3, 4), V_NEG, (-1,), False, 1),
    ((2, 3, 4), V_NONE, (1,), False, 0),
    ((2, 3, 4), V_STEP, (2,), False, 0),
    ((2, 3, 4, 5), V_NONE, (-3,), False, 0),
    ((4, 37), V_NONE, (1,), False, 0),
]
for op in (ARGMIN, ARGMAX):
    for dt in (F32, F64, I32, I64, U8, B):
        for i, (shape, view, axes, allax, keep) in enumerate(ARG_COMBOS):
            if dt in (F64, I64) and i % 2:
                continue
            add_case(op, dt, shape, view, axes, allax, keep, 0, "small" if dt in (I32, I64) else "gen")
    for dt in (F32, F64):
        for shape, view, axes, allax, keep in ARG_COMBOS[:6] + ARG_COMBOS[10:]:
            add_case(op, dt, shape, view, axes, allax, keep, 0, "nan")

CUM_COMBOS = [
    ((7,), V_NONE, (), True),
    ((37,), V_NONE, (0,), False),
    ((3, 5), V_NONE, (1,), False),
    ((3, 5), V_NEG, (0,), False),
    ((5, 7), V_T, (0,), False),
    ((2, 3, 4), V_NONE, (), True),
    ((2, 3, 4), V_NONE, (1,), False),
    ((2, 3, 4), V_STEP, (-1,), False),
    ((2, 3, 4, 5), V_NONE, (0,), False),
]
for op in (CUMSUM, CUMPROD):
    for dt in (F32, F64, I32, I64, U8, B):
        for i, (shape, view, axes, allax) in enumerate(CUM_COMBOS):
            if dt in (I64, U8, B) and i % 2:
                continue
            add_case(op, dt, shape, view, axes, allax, 0, 0, "prod" if op == CUMPROD else "gen")

SM_COMBOS = [
    ((7,), V_NONE, (0,), False),
    ((7,), V_NONE, (), True),
    ((3, 5), V_NONE, (-1,), False),
    ((3, 5), V_NONE, (0,), False),
    ((5, 7), V_T, (1,), False),
    ((2, 3, 4), V_NONE, (1,), False),
    ((2, 3, 4), V_NEG, (2,), False),
    ((2, 3, 4), V_STEP, (), True),
    ((4, 37), V_NONE, (1,), False),
    ((6, 27), V_NONE, (0,), False),
]
for op in (SOFTMAX, LOGSOFTMAX):
    for dt in (F32, F64, I32, U8):
        for i, (shape, view, axes, allax) in enumerate(SM_COMBOS):
            if dt in (I32, U8) and i >= 8:
                continue
            add_case(op, dt, shape, view, axes, allax, 0, 0, "small" if dt in (I32, I64) else "gen")
    add_case(op, F32, (3, 5), V_NONE, (1,), False, 0, 0, "nan")
    add_case(op, F32, (6, 27), V_NONE, (0,), False, 0, 0, "nan")
    add_case(op, F64, (6, 27), V_NONE, (0,), False, 0, 0, "nan")


def fmt_f(v, single):
    """Shortest text that reads back as the same float32 (single) or float64 value."""
    if np.isnan(v):
        return "NT_RED_NAN"
    if np.isinf(v):
        return "NT_RED_INF" if v > 0 else "NT_RED_NINF"
    if single:
        s = np.format_float_positional(np.float32(v), unique=True, trim="0") if abs(v) >= 1e-4 or v == 0 else \
            np.format_float_scientific(np.float32(v), unique=True, trim="0")
        if float(np.float32(float(s))) != float(np.float32(v)):
            s = repr(float(v))
    else:
        s = repr(float(v))
    if s.endswith("."):
        s = s + "0"
    return s


def wrap(items, per=8):
    lines = []
    for i in range(0, len(items), per):
        lines.append("  " + ", ".join(items[i:i + per]) + ",")
    return "\n".join(lines)


def pad(lst, n=4, fill=0):
    return "{" + ",".join(str(v) for v in (list(lst) + [fill] * (n - len(lst)))) + "}"


with open(OUT, "w") as f:
    f.write("/* tests/ref/reduce_ref.h: generated by tools/ref/gen_reduce.py with NumPy %s and SciPy. Do not edit. */\n"
            % np.__version__)
    f.write("#ifndef NN_REDUCE_REF_H\n#define NN_REDUCE_REF_H\n\n")
    f.write("#if defined(__TINYC__) /* its NAN is not a constant expression */\n"
            "#define NT_RED_NAN (0.0 / 0.0)\n#define NT_RED_INF (1.0 / 0.0)\n#define NT_RED_NINF (-1.0 / 0.0)\n#else\n"
            "#define NT_RED_NAN ((double)NAN)\n#define NT_RED_INF ((double)INFINITY)\n#define NT_RED_NINF (-(double)INFINITY)\n"
            "#endif\n\n")
    f.write("/* op codes: 0..9 nn_reduce_op, then: */\n")
    for i in range(10, 16):
        f.write("#define NT_RED_%s %d\n" % (OPNAMES[i].upper(), i))
    f.write("/* views applied to the stored base array */\n")
    f.write("#define NT_RED_V_NONE 0\n#define NT_RED_V_T 1\n#define NT_RED_V_NEG 2\n#define NT_RED_V_STEP 3\n#define NT_RED_V_BCAST 4\n\n")
    f.write("typedef struct nt_red_case {\n"
            "  int op, dtype, ndim; int64_t shape[4]; int view;\n"
            "  int naxes; int axes[4]; int all, keepdims, ddof; int in_off;\n"
            "  int out_dtype, out_ndim; int64_t out_shape[4]; int out_off, out_size;\n"
            "} nt_red_case;\n\n")
    f.write("static const double nt_red_in[%d] = {\n%s\n};\n\n" % (len(in_pool), wrap([fmt_f(v, sg) for v, sg in in_pool])))
    f.write("static const double nt_red_out_f[%d] = {\n%s\n};\n\n" % (max(1, len(out_f)),
                                                                      wrap([fmt_f(v, sg) for v, sg in out_f] or ["0"])))
    f.write("static const long long nt_red_out_i[%d] = {\n%s\n};\n\n" % (
        max(1, len(out_i)), wrap([("%dLL" % v) if v != -2**63 else "(-9223372036854775807LL - 1)" for v in out_i]
                                 or ["0"])))
    f.write("static const nt_red_case nt_red_cases[%d] = {\n" % len(cases))
    for c in cases:
        f.write("{%d,%d,%d,%s,%d,%d,%s,%d,%d,%d,%d,%d,%d,%s,%d,%d},\n" % (
            c["op"], c["dt"], c["ndim"], pad(c["shape"]), c["view"], c["naxes"],
            pad(c["axes"]), c["all"], c["keepdims"], c["ddof"], c["in_off"], c["out_dt"], c["out_ndim"],
            pad(c["out_shape"]), c["out_off"], c["out_size"]))
    f.write("};\n\n#endif\n")

print("wrote %s: %d cases, %d inputs, %d float and %d int outputs, %d bytes" % (
    OUT, len(cases), len(in_pool), len(out_f), len(out_i), os.path.getsize(OUT)), file=sys.stderr)
