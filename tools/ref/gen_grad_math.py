#!/usr/bin/env python3
"""Reference data for tests/test_grad_math.c from PyTorch: torch.nn.functional.linear in float32 (output and the
gradients of x, w and b), and the gradients of reductions at their special points in float64 (torch.amax/amin with
ties, prod and cumprod with zeros, std where it is 0, log_softmax, logsumexp). Run with /usr/bin/python3
(python3-torch). Writes tests/ref/grad_math_ref.h.

Inputs are not stored: every input is gm_fill(seed, n) below, which the C test reimplements (multiples of 1/8 in
[-2, 2], exact in float32, with ties), then the listed positions are overwritten. The upstream gradient is
gm_fill(seed + 7, ...) scaled by 1/2. Only the expected results are written."""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from common import c_double  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "ref", "grad_math_ref.h")


def gm_fill(seed, shape, dtype, coarse=False):
    """The C test's gm_fill: an LCG over the flat index, values k/8 with k in [-16, 16]; coarse: integers in [-2, 2]
    (many ties)."""
    n = int(np.prod(shape))
    out = np.empty(n)
    for i in range(n):
        h = (i * 1103515245 + seed * 12345 + 12345) & 0x7FFFFFFF
        out[i] = ((h >> 8) % 5 - 2) if coarse else ((h >> 8) % 33 - 16) / 8.0
    return torch.tensor(out.reshape(shape), dtype=dtype)


arrays = []


def arr(prefix, values):
    name = "gm_%s%d" % (prefix, len(arrays))
    vals = [c_double(v) for v in np.asarray(values, dtype=np.float64).ravel()] or ["0.0"]
    lines = []
    for i in range(0, len(vals), 6):
        lines.append("  " + ", ".join(vals[i:i + 6]) + ",")
    arrays.append("static const double %s[] = {\n%s\n};\n" % (name, "\n".join(lines)))
    return name


def shape_c(s):
    s = list(s) + [0] * (4 - len(s))
    return "{" + ", ".join(str(v) for v in s) + "}"


# ---- linear (float32) ----
lin_rows = []


def linear_case(name, xs, out, bias, seed):
    x = gm_fill(seed, xs, torch.float32).requires_grad_(True)
    w = gm_fill(seed + 1, (out, xs[-1]), torch.float32).requires_grad_(True)
    b = gm_fill(seed + 2, (out,), torch.float32).requires_grad_(True) if bias else None
    y = F.linear(x, w, b)
    g = gm_fill(seed + 7, tuple(y.shape), torch.float32) * 0.5
    y.backward(g)
    lin_rows.append('  {"%s", %d, %s, %d, %d, %d, %s, %s, %s, %s},' % (
        name, len(xs), shape_c(xs), out, bias, seed, arr("y", y.detach()), arr("dx", x.grad), arr("dw", w.grad),
        arr("db", b.grad) if bias else "NULL"))


linear_case("batch2d_bias", (6, 5), 4, 1, 1)
linear_case("batch3d_bias", (2, 3, 7), 5, 1, 11)
linear_case("vector_nobias", (9,), 3, 0, 21)
linear_case("wide", (4, 33), 17, 1, 31)

# ---- reductions at special points (float64) ----
red_rows = []
OPS = {"amax": 0, "amin": 1, "prod": 2, "std": 3, "cumprod": 4, "log_softmax": 5, "logsumexp": 6, "softmax": 7}


def red_case(name, op, xs, axis, keepdims, seed, zeros=(), ddof=0, equal_rows=False):
    coarse = op in ("amax", "amin")
    x = gm_fill(seed, xs, torch.float64, coarse)
    flat = x.view(-1)
    for i in zeros:
        flat[i] = 0.0
    if equal_rows:  # std == 0 along the reduced axis
        x[...] = x.select(axis, 0).unsqueeze(axis).expand_as(x).clone()
    x.requires_grad_(True)
    if op == "amax":
        y = torch.amax(x, dim=axis, keepdim=bool(keepdims)) if axis is not None else torch.amax(x)
    elif op == "amin":
        y = torch.amin(x, dim=axis, keepdim=bool(keepdims)) if axis is not None else torch.amin(x)
    elif op == "prod":
        y = torch.prod(x, dim=axis, keepdim=bool(keepdims)) if axis is not None else torch.prod(x)
    elif op == "std":
        y = torch.std(x, dim=axis, unbiased=bool(ddof), keepdim=bool(keepdims))
    elif op == "cumprod":
        y = torch.cumprod(x, dim=axis)
    elif op == "log_softmax":
        y = torch.log_softmax(x, dim=axis)
    elif op == "softmax":
        y = torch.softmax(x, dim=axis)
    else:
        y = torch.logsumexp(x, dim=axis, keepdim=bool(keepdims))
    g = gm_fill(seed + 7, tuple(y.shape), torch.float64) * 0.5
    y.backward(g)
    ax = -100 if axis is None else axis
    zl = list(zeros) + [-1] * (4 - len(zeros))
    red_rows.append('  {"%s", %d, %d, %s, %d, %d, %d, %d, {%s}, %d, %d, %s},' % (
        name, OPS[op], len(xs), shape_c(xs), ax, keepdims, ddof, seed, ", ".join(str(v) for v in zl),
        1 if equal_rows else 0, 1 if coarse else 0, arr("dx", x.grad)))


red_case("amax_ties_axis1", "amax", (3, 8), 1, 0, 3)
red_case("amax_ties_all", "amax", (4, 5), None, 0, 4)
red_case("amin_ties_axis0_keep", "amin", (6, 3, 2), 0, 1, 5)
red_case("amin_ties_neg", "amin", (2, 3, 9), -1, 0, 6)
red_case("prod_one_zero", "prod", (3, 4), 1, 0, 7, zeros=(1, 9))
red_case("prod_two_zeros", "prod", (3, 4), 1, 1, 8, zeros=(0, 2, 5))
red_case("prod_axis0_zero", "prod", (4, 3), 0, 0, 9, zeros=(4,))
red_case("std_ddof1", "std", (3, 5), 1, 0, 10, ddof=1)
red_case("std_zero", "std", (4, 3), 0, 1, 11, equal_rows=True)
red_case("cumprod_zeros", "cumprod", (2, 6), 1, 0, 12, zeros=(2, 8, 10))
red_case("cumprod_axis0_zero", "cumprod", (5, 3), 0, 0, 13, zeros=(7,))
red_case("log_softmax_axis0", "log_softmax", (4, 3), 0, 0, 14)
red_case("softmax_axis1", "softmax", (3, 5), 1, 0, 15)
red_case("logsumexp_neg", "logsumexp", (3, 4), -1, 1, 16)

with open(OUT, "w") as f:
    f.write("/* Generated by tools/ref/gen_grad_math.py from PyTorch %s. Do not edit. */\n" % torch.__version__)
    f.writelines(arrays)
    f.write("\ntypedef struct gm_linear_ref {\n  const char *name;\n  int ndim;\n  int64_t xshape[4];\n  int out, bias,"
            " seed;\n  const double *y, *dx, *dw, *db;\n} gm_linear_ref;\n")
    f.write("static const gm_linear_ref gm_linear_refs[] = {\n%s\n};\n" % "\n".join(lin_rows))
    f.write("\n/* op: 0 amax, 1 amin, 2 prod, 3 std, 4 cumprod, 5 log_softmax, 6 logsumexp, 7 softmax; axis -100: all"
            " axes; zeros: flat positions set to 0 (-1: none); equal_rows: x replaced by its first slice along axis,"
            " broadcast; coarse: x filled with integers (ties) */\n")
    f.write("typedef struct gm_reduce_ref {\n  const char *name;\n  int op, ndim;\n  int64_t xshape[4];\n  int axis,"
            " keepdims, ddof, seed;\n  int zeros[4];\n  int equal_rows, coarse;\n  const double *dx;\n} gm_reduce_ref;\n")
    f.write("static const gm_reduce_ref gm_reduce_refs[] = {\n%s\n};\n" % "\n".join(red_rows))
print("wrote", OUT)
