#!/usr/bin/python3
"""bench/w1_anchors.py: the W1 shapes of bench/w1_gemm.c through NumPy (OpenBLAS underneath) and PyTorch.

Usage: /usr/bin/python3 bench/w1_anchors.py numpy|torch THREADS [-r N] [--variant NAME] [case ...]

One implementation and one thread count per process: NumPy's OpenBLAS reads OPENBLAS_NUM_THREADS when it loads,
so it is set here before numpy is imported; PyTorch gets torch.set_num_threads(THREADS). Run PyTorch a second
time with MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=268435456
OMP_WAIT_POLICY=PASSIVE in the environment and --variant tuned (bench/run_w1.sh does both). Outputs are
preallocated (out=), transposed operands are transposed views, as a user who cares would write them.
Prints `w1.<case>.<impl>.t<k>[-variant].gflops <value> GFLOP/s`: the median of -r samples (default 7) of at least
20 ms each, after a 0.1 s warm-up. A missing package prints a message and exits 0.
"""
import os
import sys
import time

CASES = [
    # name, M, N, K, A stored transposed, B stored transposed, float64
    ("sgemm128", 128, 128, 128, 0, 0, 0),
    ("sgemm256", 256, 256, 256, 0, 0, 0),
    ("sgemm512", 512, 512, 512, 0, 0, 0),
    ("sgemm1024", 1024, 1024, 1024, 0, 0, 0),
    ("sgemm2048", 2048, 2048, 2048, 0, 0, 0),
    ("dense_fwd", 64, 256, 784, 0, 0, 0),
    ("dense_dgrad", 64, 784, 256, 0, 1, 0),
    ("dense_wgrad", 784, 256, 64, 1, 0, 0),
    ("im2col", 4096, 64, 1152, 0, 0, 0),
    ("dgemm1024", 1024, 1024, 1024, 0, 0, 1),
]


def timeit(fn, reps):
    t = time.perf_counter()
    fn()
    t = time.perf_counter() - t
    calls = int(0.02 / t) + 1 if t > 0 else 1000
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 0.1:
        fn()
    samples = []
    for _ in range(reps):
        t = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - t) / calls)
    samples.sort()
    return samples[len(samples) // 2]


def main():
    args = sys.argv[1:]
    if len(args) < 2 or args[0] not in ("numpy", "torch"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    impl, threads = args[0], int(args[1])
    reps, variant, names = 7, "", []
    i = 2
    while i < len(args):
        if args[i] == "-r":
            reps = max(1, int(args[i + 1]))
            i += 2
        elif args[i] == "--variant":
            variant = "-" + args[i + 1]
            i += 2
        else:
            names.append(args[i])
            i += 1
    if impl == "numpy":
        os.environ["OPENBLAS_NUM_THREADS"] = str(threads)
        os.environ["OMP_NUM_THREADS"] = str(threads)
    try:
        import numpy as np
    except ImportError:
        print("# w1 %s anchor skipped: numpy is not installed (apt-get install python3-numpy)" % impl)
        return 0
    torch = None
    if impl == "torch":
        try:
            import torch
        except ImportError:
            print("# w1 torch anchor skipped: torch is not installed (apt-get install python3-torch)")
            return 0
        torch.set_num_threads(threads)
    rng = np.random.default_rng(0)
    for name, M, N, K, ta, tb, dbl in CASES:
        if names and name not in names:
            continue
        dt = np.float64 if dbl else np.float32
        a = rng.uniform(-1, 1, (K, M) if ta else (M, K)).astype(dt)
        b = rng.uniform(-1, 1, (N, K) if tb else (K, N)).astype(dt)
        c = np.zeros((M, N), dt)
        if impl == "numpy":
            x = a.T if ta else a
            y = b.T if tb else b
            fn = lambda x=x, y=y, c=c: np.matmul(x, y, out=c)
        else:
            ta_, tb_, tc = torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(c)
            x = ta_.t() if ta else ta_
            y = tb_.t() if tb else tb_
            fn = lambda x=x, y=y, tc=tc: torch.mm(x, y, out=tc)
        t = timeit(fn, reps)
        print("w1.%s.%s.t%d%s.gflops %.1f GFLOP/s" % (name, impl, threads, variant, 2.0 * M * N * K / t * 1e-9))
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
