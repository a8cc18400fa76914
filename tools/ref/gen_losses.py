#!/usr/bin/env python3
"""Reference data for tests/test_losses.c from PyTorch: every loss of nn/losses.h with each reduction and option,
in float32 and float64: the loss value(s) and the gradients of the input and (where PyTorch has one) the target.
Run with /usr/bin/python3 (python3-torch). Writes tests/ref/losses_ref.h.

Inputs are stored too (rounded to float32 first, so both dtypes start from the same exact values). With
reduction 'none' the backward pass starts from a stored output gradient, otherwise from 1."""
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from common import c_double  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "ref", "losses_ref.h")
warnings.filterwarnings("ignore")  # kl_div with reduction='mean' warns about its meaning
rng = np.random.default_rng(20240611)

KINDS = ["MSE", "L1", "HUBER", "SMOOTH_L1", "BCE", "BCE_LOGITS", "KL", "CE", "CE_PROBS", "NLL"]
REDS = {"mean": 0, "sum": 1, "none": 2, "batchmean": 3}
LDT = {torch.int32: 2, torch.int64: 3, torch.uint8: 4}  # nn_dtype values

arrays = []
rows = []


seen = {}


def c_float(v):
    """The shortest literal that reads back as the same float32 (inputs are float32 values, exact either way)."""
    v = np.float32(v)
    if np.isinf(v):
        return "INFINITY" if v > 0 else "-INFINITY"
    r = np.format_float_positional(v, unique=True, trim="0") if abs(v) >= 1e-4 or v == 0 else \
        np.format_float_scientific(v, unique=True, trim="0")
    if r.endswith("."):
        r += "0"
    return r + "f"


def arr(values, single=False):
    """A C array of the values, shared between cases with the same contents. single: the values are float32
    (inputs, and the float32 results), written as float literals."""
    vals = np.asarray(values, dtype=np.float64).ravel()
    if single:
        lits = [c_float(v) for v in vals] or ["0.0f"]
    else:
        lits = [c_double(v) for v in vals] or ["0.0"]
    key = (single, tuple(lits))
    if key in seen:
        return seen[key]
    name = "lo_a%d" % len(arrays)
    lines = ["  " + ", ".join(lits[i:i + 8]) + "," for i in range(0, len(lits), 8)]
    arrays.append("static const %s %s[] = {\n%s\n};\n" % ("float" if single else "double", name, "\n".join(lines)))
    seen[key] = name
    return name


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def shp(s):
    s = list(s) + [0] * (4 - len(s))
    return "{" + ", ".join(str(v) for v in s) + "}"


def case(name, kind, red, x, t, w=None, pw=None, param=0.0, flag=0, ignore=-100, eps=0.0, ldt=torch.int64,
         grad_t=True):
    for dt, dti in ((torch.float32, 0), (torch.float64, 1)):
        xt = torch.tensor(x, dtype=dt, requires_grad=True)
        labels = kind in ("CE", "NLL")
        if labels:
            tt = torch.tensor(t, dtype=ldt)
        else:
            tt = torch.tensor(t, dtype=dt, requires_grad=grad_t)
        wt = torch.tensor(w, dtype=dt) if w is not None else None
        pwt = torch.tensor(pw, dtype=dt) if pw is not None else None
        tl = tt.long() if labels else tt
        if kind == "MSE":
            y = F.mse_loss(xt, tt, reduction=red)
        elif kind == "L1":
            y = F.l1_loss(xt, tt, reduction=red)
        elif kind == "HUBER":
            y = F.huber_loss(xt, tt, reduction=red, delta=param)
        elif kind == "SMOOTH_L1":
            y = F.smooth_l1_loss(xt, tt, reduction=red, beta=param)
        elif kind == "BCE":
            y = F.binary_cross_entropy(xt, tt, weight=wt, reduction=red)
        elif kind == "BCE_LOGITS":
            y = F.binary_cross_entropy_with_logits(xt, tt, weight=wt, pos_weight=pwt, reduction=red)
        elif kind == "KL":
            y = F.kl_div(xt, tt, reduction=red, log_target=bool(flag))
        elif kind == "CE":
            y = F.cross_entropy(xt, tl, weight=wt, ignore_index=ignore, reduction=red, label_smoothing=eps)
        elif kind == "CE_PROBS":
            y = F.cross_entropy(xt, tt, weight=wt, reduction=red, label_smoothing=eps)
        else:
            y = F.nll_loss(xt, tl, weight=wt, ignore_index=ignore, reduction=red)
        gout = None
        if red == "none":
            gout = f32(rng.uniform(-1.5, 1.5, size=tuple(y.shape)))
            y.backward(torch.tensor(gout, dtype=dt))
        else:
            y.backward()
        gt = tt.grad if (not labels and grad_t) else None
        xs, ts = np.shape(x), np.shape(t)
        rows.append('  {"%s/%s", LO_%s, %d, %d, %d, %s, %d, %s, %d, %s, %s, %s, %d, %s, %s, %s, %s, %d, %d, %s, '
                    '%d, %s, %s, %s, %s},' % (
                        name, "f32" if dti == 0 else "f64", kind, dti, REDS[red], len(xs), shp(xs), len(ts), shp(ts),
                        LDT[ldt] if labels else dti, arr(x, True), arr(t, True),
                        arr(w, True) if w is not None else "NULL", len(np.shape(w)) if w is not None else 0,
                        shp(np.shape(w)) if w is not None else shp(()),
                        arr(pw, True) if pw is not None else "NULL", shp(np.shape(pw)) if pw is not None else shp(()),
                        c_double(param), flag, ignore, c_double(eps), int(y.numel()), arr(y.detach(), dti == 0),
                        arr(gout, True) if gout is not None else "NULL", arr(xt.grad, dti == 0),
                        arr(gt, dti == 0) if gt is not None else "NULL"))


def u(lo, hi, *shape):
    return f32(rng.uniform(lo, hi, size=shape))


def log_softmax(a, axis):
    return f32(torch.log_softmax(torch.tensor(a), axis).numpy())


def softmax(a, axis):
    return f32(torch.softmax(torch.tensor(a), axis).numpy())


for red in ("mean", "sum", "none"):
    x, t = u(-2, 2, 3, 4), u(-2, 2, 3, 4)
    case("mse_" + red, "MSE", red, x, t)
    case("l1_" + red, "L1", red, x, t)
    case("huber1_" + red, "HUBER", red, x, t, param=1.0)
    case("huber05_" + red, "HUBER", red, x, t, param=0.5)
    case("smoothl1_1_" + red, "SMOOTH_L1", red, x, t, param=1.0)
    case("smoothl1_03_" + red, "SMOOTH_L1", red, x, t, param=0.3)
    case("smoothl1_0_" + red, "SMOOTH_L1", red, x, t, param=0.0)
    p, yb = u(0.02, 0.98, 4, 3), f32(rng.integers(0, 2, size=(4, 3)))
    ys = u(0, 1, 4, 3)
    case("bce_" + red, "BCE", red, p, yb)
    case("bce_soft_w_" + red, "BCE", red, p, ys, w=u(0.5, 2, 3))
    z = u(-4, 4, 4, 3)
    case("bcel_" + red, "BCE_LOGITS", red, z, yb)
    case("bcel_w_pw_" + red, "BCE_LOGITS", red, z, ys, w=u(0.5, 2, 4, 1), pw=u(0.5, 3, 3))
    case("bcel_pw_" + red, "BCE_LOGITS", red, z, yb, pw=u(0.5, 3, 3))
    lp, q = log_softmax(u(-2, 2, 3, 5), 1), softmax(u(-2, 2, 3, 5), 1)
    case("kl_" + red, "KL", red, lp, q)
    case("kl_logt_" + red, "KL", red, lp, log_softmax(u(-2, 2, 3, 5), 1), flag=1)
    logits, lab = u(-3, 3, 6, 5), rng.integers(0, 5, size=6)
    cw = u(0.3, 2, 5)
    case("ce_" + red, "CE", red, logits, lab)
    case("ce_w_" + red, "CE", red, logits, lab, w=cw)
    lab_ig = lab.copy()
    lab_ig[[1, 4]] = -100
    case("ce_ignore_" + red, "CE", red, logits, lab_ig)
    case("ce_ignore2_w_" + red, "CE", red, logits, lab, w=cw, ignore=2)
    case("ce_ls_" + red, "CE", red, logits, lab, eps=0.1)
    case("ce_ls_w_ig_" + red, "CE", red, logits, lab_ig, w=cw, eps=0.25)
    case("ce_int32_" + red, "CE", red, logits, lab, ldt=torch.int32)
    case("ce_uint8_ls_" + red, "CE", red, logits, lab, ldt=torch.uint8, eps=0.05)
    case("ce_1d_" + red, "CE", red, u(-3, 3, 7), np.int64(3))
    x4, l4 = u(-3, 3, 2, 3, 2, 2), rng.integers(0, 3, size=(2, 2, 2))
    case("ce_4d_w_ls_" + red, "CE", red, x4, l4, w=u(0.3, 2, 3), eps=0.1)
    case("ce_3d_" + red, "CE", red, u(-3, 3, 3, 4, 2), rng.integers(0, 4, size=(3, 2)))
    case("ce_wide_" + red, "CE", red, u(-5, 5, 4, 37), rng.integers(0, 37, size=4))
    pt = softmax(u(-2, 2, 6, 5), 1)
    case("cep_" + red, "CE_PROBS", red, logits, pt)
    case("cep_w_ls_" + red, "CE_PROBS", red, logits, pt, w=cw, eps=0.2)
    onehot = np.eye(5)[lab]
    case("cep_onehot_" + red, "CE_PROBS", red, logits, onehot)
    case("cep_3d_" + red, "CE_PROBS", red, u(-3, 3, 2, 4, 3), softmax(u(-2, 2, 2, 4, 3), 1))
    case("nll_" + red, "NLL", red, log_softmax(logits, 1), lab)
    case("nll_w_ig_" + red, "NLL", red, log_softmax(logits, 1), lab_ig, w=cw)
    case("nll_3d_w_" + red, "NLL", red, log_softmax(x4, 1), l4, w=u(0.3, 2, 3), ignore=1)

# special values: probabilities at exactly 0 and 1 (PyTorch's clamped logs), large logits, batchmean
pe = f32([[0.0, 1.0, 0.5], [1.0, 0.0, 0.25]])
case("bce_clamp", "BCE", "sum", pe, f32([[1.0, 0.0, 1.0], [1.0, 0.0, 0.0]]), grad_t=False)
case("bcel_large", "BCE_LOGITS", "none", f32([[-40.0, 40.0, 0.0], [-90.0, 90.0, 3.0]]),
     f32([[1.0, 0.0, 0.5], [0.0, 1.0, 1.0]]))
lp, q = log_softmax(u(-2, 2, 4, 3), 1), softmax(u(-2, 2, 4, 3), 1)
case("kl_batchmean", "KL", "batchmean", lp, q)
case("kl_logt_batchmean", "KL", "batchmean", lp, log_softmax(u(-2, 2, 4, 3), 1), flag=1)
case("ce_large", "CE", "mean", f32([[1000.0, -1000.0, 0.0], [-50.0, 60.0, 59.0]]), np.array([1, 2]))

with open(OUT, "w") as f:
    f.write("/* tests/ref/losses_ref.h: generated by tools/ref/gen_losses.py with PyTorch %s. Do not edit. */\n\n"
            % torch.__version__)
    f.write("enum { %s };\n\n" % ", ".join("LO_" + k for k in KINDS))
    f.write("""typedef struct lo_case {
  const char *name;
  int kind, dtype, reduction;     /* LO_*, 0 float32 / 1 float64, nn_reduction */
  int xnd;
  int64_t xs[4];
  int tnd;
  int64_t ts[4];
  int tdtype;                     /* target dtype (nn_dtype): the input's, or the labels' integer type */
  const float *x, *t, *w;         /* inputs (float32 values); w: weight or NULL */
  int wnd;
  int64_t ws[4];
  const float *pw;                /* pos_weight or NULL */
  int64_t pws[4];                 /* pos_weight is 1-D */
  double param;                   /* huber delta / smooth_l1 beta */
  int flag;                       /* kl_div log_target */
  int64_t ignore;
  double eps;                     /* label smoothing */
  int64_t nout;
  const void *out;                /* results: float for float32 cases, double for float64 ones */
  const float *gout;              /* output gradient for 'none' (else 1) */
  const void *gx, *gt;            /* gt NULL: no target gradient */
} lo_case;

""")
    for a in arrays:
        f.write(a)
    f.write("\nstatic const lo_case lo_cases[] = {\n%s\n};\n" % "\n".join(rows))
print("wrote", OUT, len(rows), "cases")
