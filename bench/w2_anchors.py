#!/usr/bin/python3
"""bench/w2_anchors.py: workload W2 (/work/shared/WORKLOADS.md) in NumPy (1 thread) and PyTorch (threads 1 and 2).

Usage: /usr/bin/python3 bench/w2_anchors.py [--impl numpy|torch|all] [--threads 1,2] [--reps 11] [--variant NAME]

Prints the same lines as bench/w2_elementwise.c, e.g. `w2.exp.torch.t2.throughput 14.3 GB/s` and `... .time ms`;
with --variant tuned the tag becomes `t2-tuned` (run_w2.sh runs PyTorch once as is and once with the malloc and
OpenMP environment variables WORKLOADS.md prescribes). Every case tries the forms a user who cares would write and
reports the fastest (median over repetitions after warm-up). A missing package is reported and skipped.
"""
import argparse
import os
import sys
import time

N = 1 << 24
ROWS, SCOLS = 4096, 1024
BYTES = {"axpb": 12, "exp": 8, "tanh": 8, "sigmoid": 8, "erf": 8, "gelu": 8, "sum": 4, "bcast": 8, "softmax": 8}
CASES = ["axpb", "exp", "tanh", "sigmoid", "erf", "gelu", "sum", "bcast", "softmax", "exp_l2", "tanh_l2"]


def median_time(fn, reps, inner=1):
    for _ in range(3):
        fn()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        ts.append((time.perf_counter() - t0) / inner)
    ts.sort()
    return ts[len(ts) // 2]


def report(case, impl, tag, t):
    if case.endswith("_l2"):
        print("w2.%s.%s.%s.throughput %.3f Gelem/s" % (case, impl, tag, 65536 / t * 1e-9))
        print("w2.%s.%s.%s.time %.4f ms" % (case, impl, tag, t * 1e3))
    else:
        elems = ROWS * SCOLS if case == "softmax" else N
        print("w2.%s.%s.%s.throughput %.2f GB/s" % (case, impl, tag, BYTES[case] * elems / t * 1e-9))
        print("w2.%s.%s.%s.time %.3f ms" % (case, impl, tag, t * 1e3))
    sys.stdout.flush()


def data(np):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, N).astype(np.float32)
    b = rng.uniform(-1, 1, N).astype(np.float32)
    r = rng.uniform(-1, 1, ROWS).astype(np.float32)
    S = rng.uniform(-1, 1, (ROWS, SCOLS)).astype(np.float32)
    return x, b, r, S


def run_numpy(reps, variant):
    try:
        import numpy as np
    except ImportError:
        print("# numpy is not installed: skipping the NumPy anchor")
        return
    x, b, r, S = data(np)
    y = np.zeros_like(x)
    X, Y = x.reshape(ROWS, -1), y.reshape(ROWS, -1)
    So = np.zeros_like(S)
    xs, ys = x[:65536], y[:65536]
    a = np.float32(2.5)
    tag = "t1" + ("-" + variant if variant else "")

    def axpb_two_pass():
        np.multiply(x, a, out=y)
        np.add(y, b, out=y)

    def axpb_expr():
        y[...] = a * x + b

    # NumPy has no sigmoid, erf or gelu ufunc: the fastest NumPy expression, and SciPy's ufuncs when installed
    def sigmoid_np():
        np.negative(x, out=y)
        np.exp(y, out=y)
        np.add(y, 1, out=y)
        np.reciprocal(y, out=y)

    try:
        import scipy.special as sps
    except ImportError:
        sps = None
    sig_forms, erf_forms, gelu_forms = [sigmoid_np], [], []
    if sps is not None:
        sig_forms.append(lambda: sps.expit(x, out=y))
        erf_forms.append(lambda: sps.erf(x, out=y))

        def gelu_sp():
            np.multiply(x, np.float32(0.7071067811865476), out=y)
            sps.erf(y, out=y)
            np.add(y, 1, out=y)
            np.multiply(y, x, out=y)
            np.multiply(y, np.float32(0.5), out=y)

        gelu_forms.append(gelu_sp)

    def softmax_rows():
        m = S.max(axis=-1, keepdims=True)
        np.subtract(S, m, out=So)
        np.exp(So, out=So)
        s = So.sum(axis=-1, keepdims=True)
        np.divide(So, s, out=So)

    forms = {
        "axpb": [axpb_two_pass, axpb_expr],
        "exp": [lambda: np.exp(x, out=y)],
        "tanh": [lambda: np.tanh(x, out=y)],
        "sigmoid": sig_forms,
        "erf": erf_forms,
        "gelu": gelu_forms,
        "sum": [lambda: x.sum(), lambda: np.add.reduce(x)],
        "bcast": [lambda: np.add(X, r, out=Y)],
        "softmax": [softmax_rows],
        "exp_l2": [lambda: np.exp(xs, out=ys)],
        "tanh_l2": [lambda: np.tanh(xs, out=ys)],
    }
    for case in CASES:
        inner = 64 if case.endswith("_l2") else 1
        if not forms[case]:
            print("# numpy %s skipped: needs scipy.special (python3-scipy)" % case)
            continue
        report(case, "numpy", tag, min(median_time(f, reps, inner) for f in forms[case]))


def run_torch(reps, threads, variant):
    try:
        import numpy as np
        import torch
    except ImportError as e:
        print("# PyTorch is not installed (%s): skipping the PyTorch anchor" % e)
        return
    x_np, b_np, r_np, S_np = data(np)
    x, b, r, S = (torch.from_numpy(v).clone() for v in (x_np, b_np, r_np, S_np))
    y = torch.zeros_like(x)
    X, Y = x.view(ROWS, -1), y.view(ROWS, -1)
    So = torch.zeros_like(S)
    xs, ys = x[:65536], y[:65536]
    softmax_out = getattr(torch.ops.aten._softmax, "out", None)
    for k in threads:
        torch.set_num_threads(k)
        tag = "t%d" % k + ("-" + variant if variant else "")

        def softmax_alloc():
            return torch.softmax(S, -1)

        def softmax_into():
            softmax_out(S, -1, False, out=So)

        forms = {
            "axpb": [lambda: torch.add(b, x, alpha=2.5, out=y)],
            "exp": [lambda: torch.exp(x, out=y)],
            "tanh": [lambda: torch.tanh(x, out=y)],
            "sigmoid": [lambda: torch.sigmoid(x, out=y)],
            "erf": [lambda: torch.erf(x, out=y)],
            "gelu": [lambda: torch.nn.functional.gelu(x)],
            "sum": [lambda: x.sum()],
            "bcast": [lambda: torch.add(X, r, out=Y)],
            "softmax": [softmax_alloc] + ([softmax_into] if softmax_out is not None else []),
            "exp_l2": [lambda: torch.exp(xs, out=ys)],
            "tanh_l2": [lambda: torch.tanh(xs, out=ys)],
        }
        with torch.no_grad():
            for case in CASES:
                inner = 64 if case.endswith("_l2") else 1
                best = None
                for f in forms[case]:
                    try:
                        t = median_time(f, reps, inner)
                    except Exception as e:  # a form this torch version lacks
                        print("# torch %s form failed: %s" % (case, e))
                        continue
                    best = t if best is None or t < best else best
                if best is not None:
                    report(case, "torch", tag, best)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--impl", default="all", choices=["numpy", "torch", "all"])
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--reps", type=int, default=11)
    ap.add_argument("--variant", default="")
    args = ap.parse_args()
    threads = [int(t) for t in args.threads.split(",") if t]
    if args.impl in ("numpy", "all"):
        run_numpy(args.reps, args.variant)
    if args.impl in ("torch", "all"):
        run_torch(args.reps, threads, args.variant)


if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    main()
