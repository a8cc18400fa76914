#!/usr/bin/env python3
"""Reference data for tests/test_elementwise.c from NumPy: binary ops with broadcasting and promotion,
scalar ops, unary math, where and clip; the activations (gelu, gelu_tanh, silu, softplus, log_sigmoid) from SciPy in
float64, cross-checked against PyTorch. Run with /usr/bin/python3 (python3-numpy, python3-scipy, python3-torch).
Writes tests/ref/elementwise_ref.h."""
import os
import sys

import numpy as np
import scipy.special

sys.path.insert(0, os.path.dirname(__file__))
from common import DTYPES, c_array, c_double, dtype_index, header, shape_init  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "ref", "elementwise_ref.h")

# Same order as nn_binop / nn_unop in src/ops/elementwise.h.
BINOPS = [np.add, np.subtract, np.multiply, np.true_divide, np.floor_divide, np.mod, np.power, np.maximum,
          np.minimum, np.arctan2, np.equal, np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal,
          np.logical_and, np.logical_or, np.logical_xor]


def sigmoid(x):
    x = np.asarray(x)
    return (1 / (1 + np.exp(-x))).astype(x.dtype) if x.dtype.kind == "f" else 1 / (1 + np.exp(-x))


def relu(x):
    return np.where(x > 0, x, np.where(np.isnan(x) if x.dtype.kind == "f" else False, x, 0)).astype(x.dtype)


def rsqrt(x):
    return (1 / np.sqrt(x)).astype(np.sqrt(x).dtype)


def erf(x):
    import math
    r = np.vectorize(math.erf, otypes=[np.float64])(x)
    return r.astype(np.sqrt(x).dtype)


# The activations (PyTorch's torch.nn.functional semantics), in float64 with SciPy in forms without cancellation,
# then cast to the input's dtype. check_torch() compares them with PyTorch's own float64 results where its formulas
# are accurate.
def _act(f):
    def g(x):
        x = np.asarray(x)
        with np.errstate(all="ignore"):
            return np.asarray(f(x.astype(np.float64))).astype(x.dtype)
    g.__name__ = f.__name__
    return g


def _xsig(x, v):
    return x * scipy.special.expit(v)  # -inf * 0 = NaN at x = -inf, like torch


@_act
def gelu(x):
    return 0.5 * x * scipy.special.erfc(-x / np.sqrt(2.0))


@_act
def gelu_tanh(x):
    return _xsig(x, 2 * np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3))


@_act
def silu(x):
    return _xsig(x, x)


@_act
def softplus(x):
    return np.where(x > 20, x, np.logaddexp(0.0, x))


@_act
def log_sigmoid(x):
    return scipy.special.log_expit(x)


ACTIVATIONS = {"gelu": gelu, "gelu_tanh": gelu_tanh, "silu": silu, "softplus": softplus, "log_sigmoid": log_sigmoid}


def check_torch():
    """The SciPy forms against PyTorch's float64 functions (where torch's formulas do not cancel: x >= -5)."""
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        print("PyTorch not installed: activation references not cross-checked")
        return
    x = np.concatenate([np.linspace(-5, 30, 3001), [0.0, -0.0, np.inf, -np.inf, np.nan]])
    t = torch.from_numpy(x)
    forms = {"gelu": F.gelu(t), "gelu_tanh": F.gelu(t, approximate="tanh"), "silu": F.silu(t),
             "softplus": F.softplus(t), "log_sigmoid": F.logsigmoid(t)}
    for name, r in forms.items():
        ours = ACTIVATIONS[name](x)
        assert np.allclose(ours, r.numpy(), rtol=1e-9, atol=1e-12, equal_nan=True), name
    # at -inf gelu, gelu_tanh and silu are NaN in torch (x times a zero factor)
    for name in ("gelu", "gelu_tanh", "silu"):
        assert np.isnan(ACTIVATIONS[name](np.array([-np.inf]))[0]), name


UNOPS = [np.negative, np.absolute, np.sign, np.square, relu, np.round, np.floor, np.ceil, np.trunc, np.exp, np.exp2,
         np.expm1, np.log, np.log2, np.log10, np.log1p, np.sqrt, rsqrt, np.reciprocal, np.sin, np.cos, np.tan,
         np.arcsin, np.arccos, np.arctan, np.sinh, np.cosh, np.tanh, sigmoid, erf, gelu, gelu_tanh, silu, softplus,
         log_sigmoid, np.isnan, np.isinf, np.isfinite, np.logical_not]
UNOP_NAMES = ["neg", "abs", "sign", "square", "relu", "round", "floor", "ceil", "trunc", "exp", "exp2", "expm1",
              "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tan", "asin", "acos",
              "atan", "sinh", "cosh", "tanh", "sigmoid", "erf", "gelu", "gelu_tanh", "silu", "softplus",
              "log_sigmoid", "isnan", "isinf", "isfinite", "logical_not"]
FLOAT_FUNCS = set(range(6, 35))  # floor .. log_sigmoid: integers are converted to float

rng = np.random.default_rng(1234)
cases = []
arrays = []


def add_array(a):
    name = "ew_arr%d" % len(arrays)
    arrays.append(c_array(name, np.asarray(a, dtype=np.float64)))
    return name


def make(dt, shape, lo=-5, hi=5, nonzero=False):
    dt = np.dtype(dt)
    if dt == np.bool_:
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    if dt.kind == "f":
        v = rng.uniform(lo, hi, size=shape)
        v = np.round(v * 8) / 8  # exactly representable, with ties for round()
        if nonzero:
            v[v == 0] = 0.5
        return v.astype(dt)
    if dt == np.uint8:
        v = rng.integers(0, 255 if hi > 5 else 9, size=shape)
    else:
        v = rng.integers(lo, hi + 1, size=shape)
    if nonzero:
        v[v == 0] = 3
    return v.astype(dt)


skipped = []


def case(kind, op, a, b, r, name, s1=0.0, s2=0.0):
    if r.dtype.name not in DTYPES or a.dtype.name not in DTYPES:
        skipped.append("%s -> %s" % (name, r.dtype))  # NumPy picked a dtype nn.h does not have (float16, int8, ...)
        return
    an = add_array(a)
    bn = add_array(b) if b is not None else "NULL"
    rn = add_array(r)
    bdt = dtype_index(b.dtype) if b is not None else 0
    bsh = b.shape if b is not None else ()
    cases.append("  {\"%s\", %d, %d, %d, %d, %s, %s, %d, %d, %s, %s, %d, %d, %s, %s, %s, %s},"
                 % (name, kind, op, dtype_index(a.dtype), a.ndim, shape_init(a.shape), an, bdt, len(bsh),
                    shape_init(bsh), bn, dtype_index(r.dtype), r.ndim, shape_init(r.shape), rn, c_double(s1),
                    c_double(s2)))


def binary_cases():
    pairs = [("float32", "float32"), ("float64", "float64"), ("int32", "int32"), ("int64", "int64"),
             ("uint8", "uint8"), ("int32", "float32"), ("uint8", "int32"), ("float32", "float64"),
             ("bool", "float32"), ("int64", "float64"), ("uint8", "float32"), ("bool", "int32")]
    shapes = [((2, 3), (3,)), ((4, 1), (1, 5)), ((2, 1, 3), (4, 1)), ((5,), (5,))]
    for op_i, f in enumerate(BINOPS):
        for k, (da, db) in enumerate(pairs):
            sa, sb = shapes[(op_i + k) % len(shapes)]
            nonzero = f in (np.floor_divide, np.mod, np.true_divide)
            a = make(da, sa)
            b = make(db, sb, nonzero=nonzero and k % 2 == 0)
            if f is np.power:
                if np.dtype(db).kind in "iu":
                    b = np.abs(b) % 4
                    b = b.astype(db)
                if np.dtype(da).kind == "f":
                    a = np.abs(a).astype(da)
            if f is np.subtract and da == "bool" and db == "bool":
                continue
            with np.errstate(all="ignore"):
                r = f(a, b)
            case(0, op_i, a, b, np.asarray(r), "%s %s%s %s%s" % (f.__name__, da, sa, db, sb))
    # bool with bool for the ops NumPy defines
    for op_i in (0, 2, 7, 8, 10, 11, 16, 17, 18):
        a = make("bool", (3, 4))
        b = make("bool", (4,))
        case(0, op_i, a, b, np.asarray(BINOPS[op_i](a, b)), "%s bool bool" % BINOPS[op_i].__name__)
    # 0-d operands follow NumPy 1.x value-based casting
    for da, sv, sdt in [("float32", 2.5, "float64"), ("uint8", 3, "int64"), ("int32", 2.5, "float64"),
                        ("int32", 3, "int64"), ("uint8", 300, "int64"), ("bool", 2, "int64")]:
        a = make(da, (2, 3))
        s = np.array(sv, dtype=sdt)
        for op_i in (0, 2, 7):
            r = BINOPS[op_i](a, s)
            case(0, op_i, a, s, np.asarray(r), "%s %s scalar %s" % (BINOPS[op_i].__name__, da, sv))
    # floor_divide / mod edge cases: zero divisors, negative operands
    for dt in ("float64", "int32", "int64"):
        a = np.array([7, -7, 7, -7, 0, 5, -3, 1], dtype=dt)
        b = np.array([2, 2, -2, -2, 3, 0, 0, -1], dtype=dt)
        with np.errstate(all="ignore"):
            case(0, 4, a, b, np.floor_divide(a, b), "floor_divide edge %s" % dt)
            case(0, 5, a, b, np.mod(a, b), "mod edge %s" % dt)
    # NaN handling in maximum/minimum and comparisons
    a = np.array([1.0, np.nan, 3.0, -np.inf, np.nan], dtype=np.float32)
    b = np.array([np.nan, 2.0, 1.0, 0.0, np.nan], dtype=np.float32)
    for op_i in (7, 8, 10, 11, 12, 15):
        case(0, op_i, a, b, np.asarray(BINOPS[op_i](a, b)), "%s nan" % BINOPS[op_i].__name__)


def scalar_cases():
    # kind 4: nn_<op>_scalar(a, s1) with op index among add, sub, mul, div, pow
    for op_k, f in enumerate([np.add, np.subtract, np.multiply, np.true_divide, np.power]):
        for dt, s in [("float32", 2.5), ("float64", -1.5), ("int32", 3.0), ("uint8", 2.0), ("int64", 0.5)]:
            a = make(dt, (3, 4))
            if f is np.power:
                a = np.abs(a).astype(dt)
            sv = int(s) if s == int(s) else s
            with np.errstate(all="ignore"):
                r = np.asarray(f(a, sv))
            case(4, op_k, a, None, r, "%s_scalar %s %s" % (f.__name__, dt, s), s1=s)


def unary_cases():
    special = np.array([0.0, -0.0, 0.5, -0.5, 1.5, 2.5, -2.5, 1e-3, 3.0, -3.0, 20.0, -20.0, 100.0, np.inf, -np.inf,
                        np.nan], dtype=np.float64)
    for op_i, f in enumerate(UNOPS):
        for dt in ("float32", "float64"):
            lo, hi = -4, 4
            if UNOP_NAMES[op_i] in ("asin", "acos"):
                lo, hi = -1, 1
            a = make(dt, (3, 5), lo, hi)
            with np.errstate(all="ignore"):
                r = np.asarray(f(a))
                case(1, op_i, a, None, r, "%s %s" % (UNOP_NAMES[op_i], dt))
                s = special.astype(dt)
                case(1, op_i, s, None, np.asarray(f(s)), "%s %s special" % (UNOP_NAMES[op_i], dt))
        for dt in ("int32", "int64", "uint8", "bool"):
            if op_i == 0 and dt == "bool":
                continue
            a = make(dt, (2, 4), -6, 6)
            try:
                with np.errstate(all="ignore"):
                    r = np.asarray(f(a))
            except TypeError:
                skipped.append("%s %s: no NumPy loop" % (UNOP_NAMES[op_i], dt))
                continue
            if UNOP_NAMES[op_i] == "reciprocal":
                r = np.reciprocal(a.astype(np.float32 if dt in ("uint8", "bool") else np.float64))  # torch semantics
            if r.dtype == np.float16:
                r = np.asarray(f(a.astype(np.float32)))  # nn.h uses float32 where NumPy picks float16
            if UNOP_NAMES[op_i] in ACTIVATIONS:  # integers convert to float64 (uint8, bool: float32) first
                a_f = a.astype(np.float32 if dt in ("uint8", "bool") else np.float64)
                case(1, op_i, a, None, ACTIVATIONS[UNOP_NAMES[op_i]](a_f), "%s %s" % (UNOP_NAMES[op_i], dt))
                continue
            if UNOP_NAMES[op_i] in ("relu", "sigmoid", "erf", "rsqrt"):
                continue  # not NumPy functions of integers
            case(1, op_i, a, None, r, "%s %s" % (UNOP_NAMES[op_i], dt))
    # the activations' tails, where the naive formulas cancel or overflow
    tail = np.array([-200.0, -104.0, -90.0, -60.0, -30.0, -14.0, -12.0, -10.0, -8.0, -6.0, -5.0, -3.5, -1e-30, 1e-30,
                     6.0, 10.0, 19.5, 20.0, 20.5, 30.0, 90.0, 1e30])
    for name, f in ACTIVATIONS.items():
        for dt in ("float32", "float64"):
            s = tail.astype(dt)
            case(1, UNOP_NAMES.index(name), s, None, f(s), "%s %s tail" % (name, dt))


def where_clip_cases():
    c = make("bool", (2, 3, 4))
    a = make("float32", (3, 1))
    b = make("int32", (4,))
    case(2, 0, c, a, np.asarray(np.where(c, a, b)), "where bool f32 i32")  # b passed separately, see test
    for dt, lo, hi in [("float32", -1.0, 2.0), ("int32", -2.0, 3.0), ("int64", -1.5, 2.5), ("uint8", 2.0, 6.0),
                       ("float64", 0.0, float("inf"))]:
        a = make(dt, (3, 4))
        # C passes doubles; integral bounds act like Python ints (an int array stays int)
        blo = int(lo) if lo == int(lo) else lo
        bhi = int(hi) if np.isfinite(hi) and hi == int(hi) else hi
        case(3, 0, a, None, np.asarray(np.clip(a, blo, bhi)), "clip %s" % dt, lo, hi)
    return b


check_torch()
binary_cases()
scalar_cases()
with np.errstate(all="ignore"):
    unary_cases()
wb = where_clip_cases()

with open(OUT, "w") as f:
    f.write(header("tools/ref/gen_elementwise.py"))
    f.write("/* kind: 0 binary, 1 unary, 2 where (b = the third operand below), 3 clip(s1, s2), 4 scalar op */\n")
    f.write("typedef struct ew_case {\n  const char *name;\n  int kind, op;\n  int adt, andim;\n  int64_t ashape[8];\n"
            "  const double *a;\n  int bdt, bndim;\n  int64_t bshape[8];\n  const double *b;\n  int rdt, rndim;\n"
            "  int64_t rshape[8];\n  const double *r;\n  double s1, s2;\n} ew_case;\n")
    for a in arrays:
        f.write(a)
    f.write(c_array("ew_where_b", wb))
    f.write("static const int64_t ew_where_b_shape[1] = {%d};\n" % wb.shape[0])
    f.write("static const ew_case ew_cases[] = {\n%s\n};\n" % "\n".join(cases))
    f.write("#define EW_NCASES ((int)(sizeof ew_cases / sizeof ew_cases[0]))\n")
print("wrote %s: %d cases; skipped (dtype not in nn.h): %s" % (OUT, len(cases), "; ".join(skipped)))
