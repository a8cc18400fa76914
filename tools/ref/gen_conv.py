#!/usr/bin/env python3
"""Reference data for tests/test_conv.c from PyTorch (float64): conv1d/conv2d forward outputs and the gradients of
input, weight and bias; max/avg pooling forward (values and indices) and backward; im2col/col2im against
F.unfold/F.fold. Run with /usr/bin/python3 (python3-torch). Writes tests/ref/conv_ref.h.

Inputs are not stored: every input array is filled by cv_fill(seed, n) below, which the C test reimplements, with
multiples of 1/16 in [-1, 1] (exact in float32 as well, and with plenty of ties for the max-pooling indices). Only the
expected results are written."""
import os
import sys

import warnings

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from common import c_double  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "ref", "conv_ref.h")
torch.set_default_dtype(torch.float64)
warnings.filterwarnings("ignore")  # padding="same" with an even kernel warns that it copies the input


def cv_fill(seed, shape):
    """The C test's cv_fill: an LCG over the flat index, values k/16 with k in [-16, 16]."""
    n = int(np.prod(shape))
    out = np.empty(n)
    for i in range(n):
        h = (i * 1103515245 + seed * 12345 + 12345) & 0x7FFFFFFF
        out[i] = ((h >> 8) % 33 - 16) / 16.0
    return torch.tensor(out.reshape(shape))


arrays = []


def arr(prefix, values):
    name = "cv_%s%d" % (prefix, len(arrays))
    vals = [c_double(v) for v in np.asarray(values, dtype=np.float64).ravel()] or ["0.0"]
    lines = []
    for i in range(0, len(vals), 8):
        lines.append("  " + ", ".join(vals[i:i + 8]) + ",")
    arrays.append("static const double %s[] = {\n%s\n};\n" % (name, "\n".join(lines)))
    return name


def shape4(s):
    s = list(s) + [0] * (4 - len(s))
    return "{" + ", ".join(str(v) for v in s) + "}"


def pair(v):
    return "{%d, %d}" % (v[0], v[1])


# ---- convolutions ----
conv_rows = []


def conv_case(name, is1d, xs, ws, bias, stride=(0, 0), padding=(0, 0), dilation=(0, 0), groups=0, same=0, seed=1):
    x = cv_fill(seed, xs).requires_grad_(True)
    w = cv_fill(seed + 1, ws).requires_grad_(True)
    b = cv_fill(seed + 2, (ws[0],)).requires_grad_(True) if bias else None
    # zero fields mean the defaults; 1-D uses element [0] only
    st = [s if s else 1 for s in stride]
    dl = [d if d else 1 for d in dilation]
    kw = dict(groups=groups if groups else 1)
    if is1d:
        kw.update(stride=st[0], dilation=dl[0], padding="same" if same else padding[0])
        y = F.conv1d(x, w, b, **kw)
    else:
        kw.update(stride=tuple(st), dilation=tuple(dl), padding="same" if same else tuple(padding))
        y = F.conv2d(x, w, b, **kw)
    dy = cv_fill(seed + 3, tuple(y.shape))
    y.backward(dy)
    conv_rows.append('  {"%s", %d, %s, %s, %s, %d, %d, %s, %s, %s, %d, %d, %s, %s, %s, %s},' % (
        name, is1d, shape4(xs), shape4(ws), shape4(y.shape), bias, seed, pair(stride), pair(padding), pair(dilation),
        groups, same, arr("y", y.detach()), arr("dx", x.grad), arr("dw", w.grad),
        arr("db", b.grad) if bias else "NULL"))


conv_case("basic3x3_bias", 0, (2, 3, 6, 5), (4, 3, 3, 3), 1, seed=1)
conv_case("pad1", 0, (2, 2, 5, 5), (3, 2, 3, 3), 0, padding=(1, 1), seed=11)
conv_case("stride2_pad1", 0, (2, 3, 7, 7), (4, 3, 3, 3), 1, stride=(2, 2), padding=(1, 1), seed=21)
conv_case("dilation2_pad2", 0, (1, 2, 7, 6), (3, 2, 3, 3), 1, padding=(2, 2), dilation=(2, 2), seed=31)
conv_case("groups2", 0, (2, 4, 5, 5), (6, 2, 3, 3), 1, padding=(1, 0), groups=2, seed=41)
conv_case("depthwise", 0, (2, 3, 5, 6), (6, 1, 3, 3), 1, padding=(1, 1), groups=3, seed=51)
conv_case("k1x1_bias", 0, (2, 5, 4, 3), (4, 5, 1, 1), 1, seed=61)
conv_case("k1x1_stride2", 0, (2, 3, 5, 5), (2, 3, 1, 1), 0, stride=(2, 2), seed=71)
conv_case("k1x1_groups2_pad", 0, (1, 4, 3, 4), (6, 2, 1, 1), 1, padding=(1, 0), groups=2, seed=81)
conv_case("k1x1_groups2", 0, (2, 4, 3, 4), (6, 2, 1, 1), 0, groups=2, seed=91)
conv_case("k5x3_s21_p21", 0, (2, 2, 8, 6), (3, 2, 5, 3), 1, stride=(2, 1), padding=(2, 1), seed=101)
conv_case("same3x3", 0, (2, 3, 5, 4), (2, 3, 3, 3), 1, same=1, seed=111)
conv_case("same_even_4x2_dil12", 0, (1, 2, 6, 7), (3, 2, 4, 2), 1, dilation=(1, 2), same=1, seed=121)
conv_case("same_dil2_groups", 0, (2, 4, 5, 5), (4, 2, 3, 3), 0, dilation=(2, 2), groups=2, same=1, seed=131)
conv_case("stride3_leftover", 0, (1, 2, 8, 7), (2, 2, 3, 3), 1, stride=(3, 3), seed=141)
conv_case("wide_channels", 0, (1, 6, 6, 6), (12, 6, 3, 3), 1, padding=(1, 1), seed=151)
conv_case("kernel_eq_input", 0, (2, 2, 3, 4), (3, 2, 3, 4), 1, seed=161)
conv_case("c1d_basic", 1, (2, 3, 9), (4, 3, 3), 1, seed=201)
conv_case("c1d_s2_p1_d2", 1, (2, 2, 10), (3, 2, 3), 0, stride=(2, 0), padding=(1, 0), dilation=(2, 0), seed=211)
conv_case("c1d_groups_same_even", 1, (2, 4, 8), (6, 2, 4), 1, groups=2, same=1, seed=221)
conv_case("c1d_k1", 1, (2, 3, 5), (2, 3, 1), 1, seed=231)
conv_case("c1d_depthwise_s3", 1, (1, 3, 11), (3, 1, 5), 1, stride=(3, 0), padding=(2, 0), groups=3, seed=241)
conv_case("c1d_same_dil3", 1, (1, 2, 9), (2, 2, 3), 0, dilation=(3, 0), same=1, seed=251)

# ---- pooling ----
pool_rows = []


def pool_case(name, is1d, avg, xs, k, stride=(0, 0), padding=(0, 0), dilation=(0, 0), seed=1):
    x = cv_fill(seed, xs).requires_grad_(True)
    st = [s if s else kk for s, kk in zip(stride, k)]
    dl = [d if d else 1 for d in dilation]
    if is1d:
        if avg:
            y = F.avg_pool1d(x, k[0], st[0], padding[0])
            idx = None
        else:
            y, idx = F.max_pool1d(x, k[0], st[0], padding[0], dl[0], return_indices=True)
    else:
        if avg:
            y = F.avg_pool2d(x, tuple(k), tuple(st), tuple(padding))
            idx = None
        else:
            y, idx = F.max_pool2d(x, tuple(k), tuple(st), tuple(padding), tuple(dl), return_indices=True)
    dy = cv_fill(seed + 3, tuple(y.shape))
    y.backward(dy)
    pool_rows.append('  {"%s", %d, %d, %s, %s, %s, %d, %s, %s, %s, %s, %s, %s},' % (
        name, is1d, avg, shape4(xs), shape4(y.shape), pair(k), seed, pair(stride), pair(padding), pair(dilation),
        arr("py", y.detach()), arr("pi", idx) if idx is not None else "NULL", arr("pdx", x.grad)))


# 1-D cases give the kernel as (k, 0) and use element [0] of stride/padding/dilation, as nn_conv_params does
pool_case("max_k2", 0, 0, (2, 3, 6, 6), (2, 2), seed=301)
pool_case("max_k3_s2_p1", 0, 0, (2, 2, 7, 7), (3, 3), stride=(2, 2), padding=(1, 1), seed=311)
pool_case("max_k32_s12_p11_d21", 0, 0, (1, 2, 7, 6), (3, 2), stride=(1, 2), padding=(1, 1), dilation=(2, 1), seed=321)
pool_case("max_k2_odd", 0, 0, (1, 3, 5, 7), (2, 2), seed=331)
pool_case("max_overlap_s1", 0, 0, (1, 2, 5, 5), (3, 3), stride=(1, 1), seed=341)
pool_case("avg_k2", 0, 1, (2, 3, 6, 6), (2, 2), seed=401)
pool_case("avg_k3_s2_p1", 0, 1, (2, 2, 7, 7), (3, 3), stride=(2, 2), padding=(1, 1), seed=411)
pool_case("avg_k32_s21_p10", 0, 1, (1, 2, 7, 6), (3, 2), stride=(2, 1), padding=(1, 0), seed=421)
pool_case("max1d_k3_s2_p1", 1, 0, (2, 3, 9), (3, 0), stride=(2, 0), padding=(1, 0), seed=501)
pool_case("max1d_k2_d2_p1", 1, 0, (2, 2, 8), (2, 0), padding=(1, 0), dilation=(2, 0), seed=511)
pool_case("avg1d_k3_s1_p1", 1, 1, (2, 3, 7), (3, 0), stride=(1, 0), padding=(1, 0), seed=521)
pool_case("avg1d_k2", 1, 1, (1, 2, 9), (2, 0), seed=531)

# ---- im2col / col2im ----
cols_rows = []


def cols_case(name, xs, k, stride=(0, 0), padding=(0, 0), dilation=(0, 0), same=0, seed=1):
    x = cv_fill(seed, xs)
    st = tuple(s if s else 1 for s in stride)
    dl = tuple(d if d else 1 for d in dilation)
    if same:
        tot = [dl[i] * (k[i] - 1) for i in range(2)]
        xp = F.pad(x, (tot[1] // 2, tot[1] - tot[1] // 2, tot[0] // 2, tot[0] - tot[0] // 2))
        cols = F.unfold(xp, tuple(k), dilation=dl, stride=st)
    else:
        cols = F.unfold(x, tuple(k), dilation=dl, padding=tuple(padding), stride=st)
    c = cv_fill(seed + 3, tuple(cols.shape))
    if same:
        folded = F.fold(c, (xp.shape[2], xp.shape[3]), tuple(k), dilation=dl, stride=st)
        folded = folded[:, :, tot[0] // 2:tot[0] // 2 + xs[2], tot[1] // 2:tot[1] // 2 + xs[3]]
    else:
        folded = F.fold(c, (xs[2], xs[3]), tuple(k), dilation=dl, padding=tuple(padding), stride=st)
    cols_rows.append('  {"%s", %s, {%d, %d, %d}, %s, %d, %s, %s, %s, %d, %s, %s},' % (
        name, shape4(xs), cols.shape[0], cols.shape[1], cols.shape[2], pair(k), seed, pair(stride), pair(padding),
        pair(dilation), same, arr("cu", cols), arr("cf", folded)))


cols_case("k3_p1", (2, 3, 5, 5), (3, 3), padding=(1, 1), seed=601)
cols_case("k23_s21_p10_d12", (2, 2, 6, 7), (2, 3), stride=(2, 1), padding=(1, 0), dilation=(1, 2), seed=611)
cols_case("k3_s2_overlap", (1, 2, 7, 6), (3, 3), stride=(2, 2), seed=621)
cols_case("same_k4x3", (1, 2, 5, 6), (4, 3), same=1, seed=631)
cols_case("k1", (2, 3, 3, 2), (1, 1), seed=641)

with open(OUT, "w") as f:
    f.write("/* tests/ref/conv_ref.h: generated by tools/ref/gen_conv.py with PyTorch %s (float64). Do not edit. */\n\n"
            % torch.__version__)
    f.write("""typedef struct cv_conv_case {
  const char *name;
  int is1d;
  int64_t xs[4], ws[4], ys[4]; /* input, weight, output shapes (3 sizes for 1-D) */
  int bias, seed;              /* inputs: x = cv_fill(seed), w = cv_fill(seed+1), b = cv_fill(seed+2), dy = cv_fill(seed+3) */
  int stride[2], padding[2], dilation[2], groups, same; /* nn_conv_params fields */
  const double *y, *dx, *dw, *db; /* db NULL without bias */
} cv_conv_case;

typedef struct cv_pool_case {
  const char *name;
  int is1d, avg;
  int64_t xs[4], ys[4];
  int k[2], seed;              /* 1-D: kernel k[0]; x = cv_fill(seed), dy = cv_fill(seed+3) */
  int stride[2], padding[2], dilation[2]; /* nn_conv_params fields (1-D: element [0]) */
  const double *y, *idx, *dx;  /* idx NULL for average pooling */
} cv_pool_case;

typedef struct cv_cols_case {
  const char *name;
  int64_t xs[4], cs[3];
  int k[2], seed;              /* x = cv_fill(seed); the cols folded back are cv_fill(seed+3) */
  int stride[2], padding[2], dilation[2], same;
  const double *unfold, *fold;
} cv_cols_case;

""")
    for a in arrays:
        f.write(a)
    f.write("\nstatic const cv_conv_case cv_conv_cases[] = {\n%s\n};\n" % "\n".join(conv_rows))
    f.write("#define CV_NCONV %d\n\n" % len(conv_rows))
    f.write("static const cv_pool_case cv_pool_cases[] = {\n%s\n};\n" % "\n".join(pool_rows))
    f.write("#define CV_NPOOL %d\n\n" % len(pool_rows))
    f.write("static const cv_cols_case cv_cols_cases[] = {\n%s\n};\n" % "\n".join(cols_rows))
    f.write("#define CV_NCOLS %d\n" % len(cols_rows))
print("wrote", OUT, os.path.getsize(OUT), "bytes")
