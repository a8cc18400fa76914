#!/usr/bin/env python3
"""Reference data for tests/test_optim.c from PyTorch: 20-step trajectories of every optimizer and option
combination (float32 and float64), gradient clipping, and 30 epochs of every learning-rate schedule.
Run with /usr/bin/python3 (python3-torch). Writes tests/ref/optim_ref.h.

Trajectories: three parameters P0 (2,2), P1 (3,), P2 (2,) start from OP_INIT; at every step the gradient of each
parameter is g = a * p - b elementwise (a = OP_A, b = OP_B, in the parameter's dtype), except P2, which has no
gradient on odd steps (PyTorch skips it, and its step count lags). The parameters after each step are stored."""
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from common import c_double  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "ref", "optim_ref.h")
STEPS = 20
SHAPES = [(2, 2), (3,), (2,)]
NP = sum(int(np.prod(s)) for s in SHAPES)
rng = np.random.default_rng(7)


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


INIT = f32(rng.uniform(-2, 2, NP))
A = f32(rng.uniform(0.5, 3, NP))
B = f32(rng.uniform(-1, 1, NP))

arrays = []


def c_float(v):
    v = np.float32(v)
    r = np.format_float_positional(v, unique=True, trim="0") if abs(v) >= 1e-4 or v == 0 else \
        np.format_float_scientific(v, unique=True, trim="0")
    return (r + "0" if r.endswith(".") else r) + "f"


def arr(values, single):
    name = "op_a%d" % len(arrays)
    vals = np.asarray(values, dtype=np.float64).ravel()
    lits = [c_float(v) if single else c_double(v) for v in vals] or ["0"]
    lines = ["  " + ", ".join(lits[i:i + 8]) + "," for i in range(0, len(lits), 8)]
    arrays.append("static const %s %s[] = {\n%s\n};\n" % ("float" if single else "double", name, "\n".join(lines)))
    return name


def split(flat, dt):
    out, k = [], 0
    for s in SHAPES:
        n = int(np.prod(s))
        out.append(torch.tensor(flat[k:k + n].reshape(s), dtype=dt))
        k += n
    return out


# ---- optimizers ----
KIND = {"SGD": 0, "Adam": 1, "AdamW": 2, "RMSprop": 3, "Adagrad": 4}
opt_rows = []
FIELDS = ["lr", "momentum", "dampening", "weight_decay", "beta1", "beta2", "eps", "alpha", "lr_decay",
          "initial_accumulator_value"]


def opt_case(name, kind, **kw):
    flags = dict(nesterov=int(kw.pop("nesterov", False)), maximize=int(kw.pop("maximize", False)),
                 amsgrad=int(kw.pop("amsgrad", False)), centered=int(kw.pop("centered", False)))
    for dt, dti in ((torch.float32, 0), (torch.float64, 1)):
        params = [p.requires_grad_(True) for p in split(INIT, dt)]
        a, b = split(A, dt), split(B, dt)
        args = dict(kw)
        if "beta1" in args or "beta2" in args:
            args["betas"] = (args.pop("beta1", 0.9), args.pop("beta2", 0.999))
        for f in ("nesterov", "maximize", "amsgrad", "centered"):
            if flags[f]:
                args[f] = True
        args["foreach"] = False
        opt = getattr(torch.optim, kind)(params, **args)
        traj = []
        for step in range(STEPS):
            with torch.no_grad():
                for i, p in enumerate(params):
                    if i == 2 and step % 2 == 1:
                        p.grad = None
                    else:
                        p.grad = a[i] * p - b[i]
            opt.step()
            traj.append(np.concatenate([p.detach().numpy().ravel() for p in params]))
        vals = ", ".join(c_double(kw.get(f, 0.0)) for f in FIELDS)
        opt_rows.append('  {"%s/%s", %d, %d, {%s}, %d, %d, %d, %d, %s},' % (
            name, "f32" if dti == 0 else "f64", KIND[kind], dti, vals, flags["nesterov"], flags["maximize"],
            flags["amsgrad"], flags["centered"], arr(np.array(traj), dti == 0)))


opt_case("sgd", "SGD", lr=0.1)
opt_case("sgd_momentum", "SGD", lr=0.1, momentum=0.9)
opt_case("sgd_momentum_dampening", "SGD", lr=0.1, momentum=0.9, dampening=0.5)
opt_case("sgd_nesterov", "SGD", lr=0.05, momentum=0.8, nesterov=True)
opt_case("sgd_weight_decay", "SGD", lr=0.1, weight_decay=0.05)
opt_case("sgd_nesterov_wd_maximize", "SGD", lr=0.02, momentum=0.5, weight_decay=0.1, nesterov=True, maximize=True)
opt_case("adam", "Adam", lr=0.05)
opt_case("adam_defaults", "Adam")
opt_case("adam_amsgrad", "Adam", lr=0.05, amsgrad=True)
opt_case("adam_wd_betas_eps", "Adam", lr=0.05, weight_decay=0.1, beta1=0.8, beta2=0.99, eps=1e-3)
opt_case("adam_maximize_amsgrad", "Adam", lr=0.02, maximize=True, amsgrad=True)
opt_case("adamw", "AdamW", lr=0.05)
opt_case("adamw_wd_amsgrad", "AdamW", lr=0.05, weight_decay=0.5, amsgrad=True)
opt_case("adamw_maximize_betas", "AdamW", lr=0.02, maximize=True, beta1=0.5, beta2=0.9)
opt_case("rmsprop", "RMSprop")
opt_case("rmsprop_centered", "RMSprop", lr=0.02, centered=True)
opt_case("rmsprop_momentum", "RMSprop", lr=0.02, momentum=0.5)
opt_case("rmsprop_centered_momentum_wd", "RMSprop", lr=0.01, centered=True, momentum=0.7, weight_decay=0.1)
opt_case("rmsprop_alpha_eps_maximize", "RMSprop", lr=0.01, alpha=0.9, eps=1e-4, maximize=True)
opt_case("adagrad", "Adagrad", lr=0.1)
opt_case("adagrad_lr_decay_wd", "Adagrad", lr=0.1, lr_decay=0.05, weight_decay=0.1)
opt_case("adagrad_init_eps_maximize", "Adagrad", lr=0.1, initial_accumulator_value=0.5, eps=1e-3, maximize=True)

# ---- gradient clipping ----
clip_rows = []
GRADS = f32(rng.uniform(-2, 2, NP))


def clip_case(max_norm, norm_type):
    for dt, dti in ((torch.float32, 0), (torch.float64, 1)):
        params = [torch.zeros(s, dtype=dt, requires_grad=True) for s in SHAPES]
        for p, g in zip(params, split(GRADS, dt)):
            p.grad = g.clone()
        params[1].grad = None if norm_type == 1 else params[1].grad  # one parameter without a gradient
        total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
        grads = np.concatenate([(p.grad if p.grad is not None else torch.zeros(p.shape, dtype=dt)).numpy().ravel()
                                for p in params])
        clip_rows.append("  {%d, %s, %s, %d, %s, %s}," % (
            dti, c_double(max_norm), c_double(norm_type) if not math.isinf(norm_type) else "INFINITY",
            int(norm_type == 1), c_double(total.item()), arr(grads, dti == 0)))


for mn, nt in ((1.0, 2.0), (0.5, math.inf), (2.0, 1.0), (1.5, 3.0), (100.0, 2.0), (0.25, 0.5)):
    clip_case(mn, nt)

# ---- schedules ----
S = torch.optim.lr_scheduler
sched_rows = []
LR0 = 0.1


def sched_case(name, kind, make, gamma=0.0, step_size=0, milestones=(), T_max=0, eta_min=0.0, start_factor=0.0,
               end_factor=0.0, total_iters=0):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=LR0)
    sch = make(opt)
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(30):
        opt.step()
        sch.step()
        lrs.append(opt.param_groups[0]["lr"])
    ms = "{" + ", ".join(str(m) for m in milestones) + "}" if milestones else "{0}"
    sched_rows.append('  {"%s", %d, %s, %d, %s, %d, %d, %s, %s, %s, %d, %s},' % (
        name, kind, c_double(gamma), step_size, ms, len(milestones), T_max, c_double(eta_min), c_double(start_factor),
        "NN_ZERO" if end_factor == "zero" else c_double(end_factor), total_iters, arr(lrs, False)))


sched_case("step7_half", 0, lambda o: S.StepLR(o, 7, gamma=0.5), gamma=0.5, step_size=7)
sched_case("step3_default", 0, lambda o: S.StepLR(o, 3), step_size=3)
sched_case("multistep", 1, lambda o: S.MultiStepLR(o, [12, 5, 20, 12], gamma=0.3), gamma=0.3,
           milestones=(12, 5, 20, 12))
sched_case("multistep_default", 1, lambda o: S.MultiStepLR(o, [3, 10]), milestones=(3, 10))
sched_case("exponential", 2, lambda o: S.ExponentialLR(o, 0.9), gamma=0.9)
sched_case("cosine10", 3, lambda o: S.CosineAnnealingLR(o, 10, eta_min=0.001), T_max=10, eta_min=0.001)
sched_case("cosine30", 3, lambda o: S.CosineAnnealingLR(o, 30), T_max=30)
sched_case("cosine7", 3, lambda o: S.CosineAnnealingLR(o, 7, eta_min=0.02), T_max=7, eta_min=0.02)
sched_case("linear_default", 4, lambda o: S.LinearLR(o))
sched_case("linear_warmup", 4, lambda o: S.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=10),
           start_factor=0.1, end_factor=0.9, total_iters=10)
sched_case("linear_decay_to_zero", 4, lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.0, total_iters=20),
           start_factor=1.0, end_factor="zero", total_iters=20)


def warmup_cosine(o, sf, w, T, eta):
    return S.SequentialLR(o, [S.LinearLR(o, start_factor=sf, total_iters=w), S.CosineAnnealingLR(o, T, eta_min=eta)],
                          milestones=[w])


sched_case("warmup5_cosine25", 5, lambda o: warmup_cosine(o, 0.01, 5, 25, 1e-4), T_max=25, eta_min=1e-4,
           start_factor=0.01, total_iters=5)
sched_case("warmup3_cosine10_default", 5, lambda o: warmup_cosine(o, 1.0 / 3, 3, 10, 0.0), T_max=10, total_iters=3)

with open(OUT, "w") as f:
    f.write("/* tests/ref/optim_ref.h: generated by tools/ref/gen_optim.py with PyTorch %s. Do not edit. */\n\n"
            % torch.__version__)
    f.write("#define OP_STEPS %d\n#define OP_NP %d\n" % (STEPS, NP))
    f.write("static const int64_t op_shapes[3][2] = {%s};\n" % ", ".join(
        "{%d, %d}" % (s[0], s[1] if len(s) > 1 else 0) for s in SHAPES))
    f.write("static const int op_ndims[3] = {%s};\n" % ", ".join(str(len(s)) for s in SHAPES))
    f.write("static const float op_init[] = {%s};\n" % ", ".join(c_float(v) for v in INIT))
    f.write("static const float op_a[] = {%s};\n" % ", ".join(c_float(v) for v in A))
    f.write("static const float op_b[] = {%s};\n" % ", ".join(c_float(v) for v in B))
    f.write("static const float op_grads[] = {%s};\n\n" % ", ".join(c_float(v) for v in GRADS))
    f.write("""typedef struct op_case {
  const char *name;
  int kind, dtype; /* nn_optimizer_kind; 0 float32, 1 float64 */
  double v[10];    /* lr, momentum, dampening, weight_decay, beta1, beta2, eps, alpha, lr_decay,
                      initial_accumulator_value (0: PyTorch's default) */
  int nesterov, maximize, amsgrad, centered;
  const void *traj; /* OP_STEPS x OP_NP parameter values after each step (float or double) */
} op_case;

typedef struct op_clip_case {
  int dtype;
  double max_norm, norm_type;
  int p1_no_grad;   /* parameter 1 has no gradient */
  double total;
  const void *grads; /* the clipped gradients (zeros for parameter 1 without a gradient) */
} op_clip_case;

typedef struct op_sched_case {
  const char *name;
  int kind;
  double gamma;
  int64_t step_size, milestones[4];
  int nmilestones;
  int64_t T_max;
  double eta_min, start_factor, end_factor;
  int64_t total_iters;
  const double *lrs; /* epochs 0..30 with base lr 0.1 */
} op_sched_case;

""")
    for a in arrays:
        f.write(a)
    f.write("\nstatic const op_case op_cases[] = {\n%s\n};\n" % "\n".join(opt_rows))
    f.write("\nstatic const op_clip_case op_clip_cases[] = {\n%s\n};\n" % "\n".join(clip_rows))
    f.write("\nstatic const op_sched_case op_sched_cases[] = {\n%s\n};\n" % "\n".join(sched_rows))
print("wrote", OUT, len(opt_rows), "optimizer cases")
