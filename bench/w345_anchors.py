#!/usr/bin/python3
"""bench/w345_anchors.py: the PyTorch side of workloads W3 (MLP), W4 (CNN) and W5 (LSTM) of WORKLOADS.md.

Usage: /usr/bin/python3 bench/w345_anchors.py w3|w4|w5 THREADS [--variant NAME] [--epochs N] [--seed S]

One workload and one thread count per process, so that the peak resident set is that run's own. bench/run_w345.sh
runs it twice per thread count: plainly and with MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=4294967296
MALLOC_TOP_PAD_=268435456 OMP_WAIT_POLICY=PASSIVE (--variant tuned). Prints
`w<k>.<case>.torch.t<threads>[-variant].<metric> <value> <unit>` lines like bench/w345.c does for nn.h.
Fashion-MNIST comes from /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist); when it is absent
W3/W4 say so and exit 0.
"""
import argparse
import gzip
import os
import resource
import struct
import sys
import time

DATA = "/usr/share/datasets/fashion-mnist"


def load_idx(path):
    import numpy as np
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def fashion():
    import numpy as np
    names = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
             "t10k-labels-idx1-ubyte.gz"]
    if not all(os.path.exists(os.path.join(DATA, n)) for n in names):
        return None
    xs = [load_idx(os.path.join(DATA, n)) for n in names]
    xtr = xs[0].astype(np.float32) / 255.0
    xte = xs[2].astype(np.float32) / 255.0
    return xtr, xs[1].astype(np.int64), xte, xs[3].astype(np.int64)


def report(w, case, tag, metric, value, unit):
    print("%s.%s.torch.%s.%s %s %s" % (w, case, tag, metric, value, unit))
    sys.stdout.flush()


def peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def train_classifier(torch, model, xtr, ytr, xte, yte, epochs, w, case, tag):
    """W3/W4 protocol: batch 64, fresh permutation per epoch, Adam 1e-3, 20 warm-up steps, epoch times."""
    import numpy as np
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    lossf = torch.nn.CrossEntropyLoss()
    X, Y = torch.from_numpy(xtr), torch.from_numpy(ytr)
    n = X.shape[0]
    bs = 64

    def step(xb, yb):
        opt.zero_grad(set_to_none=True)
        loss = lossf(model(xb), yb)
        loss.backward()
        opt.step()
        return loss

    # warm-up on a separate copy of the state, so the timed epochs start from the initial weights
    state = {k: v.clone() for k, v in model.state_dict().items()}
    for i in range(20):
        step(X[i * bs:(i + 1) * bs], Y[i * bs:(i + 1) * bs])
    model.load_state_dict(state)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    times = []
    for ep in range(epochs):
        t0 = time.perf_counter()
        perm = torch.randperm(n)
        for b in range(0, n, bs):
            idx = perm[b:b + bs]
            step(X[idx], Y[idx])
        times.append(time.perf_counter() - t0)
    model.eval()
    with torch.no_grad():
        xt = torch.from_numpy(xte)
        model(xt[:1000])
        t0 = time.perf_counter()
        out = model(xt)
        tinf = time.perf_counter() - t0
        acc = (out.argmax(1).numpy() == yte).mean()
    report(w, case, tag, "epoch_time", "%.3f" % float(np.median(times)), "s")
    report(w, case, tag, "test_accuracy", "%.4f" % acc, "fraction")
    report(w, case, tag, "inference_time", "%.4f" % tinf, "s")
    report(w, case, tag, "peak_rss", "%d" % peak_rss_bytes(), "bytes")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("workload", choices=["w3", "w4", "w5"])
    ap.add_argument("threads", type=int)
    ap.add_argument("--variant", default="")
    ap.add_argument("--epochs", type=int, default=0)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    try:
        import numpy as np  # noqa: F401
        import torch
    except ImportError as e:
        print("# PyTorch is not installed (%s): skipping the PyTorch anchor" % e)
        return
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    tag = "t%d" % a.threads + ("-" + a.variant if a.variant else "")
    nn = torch.nn
    if a.workload in ("w3", "w4"):
        data = fashion()
        if data is None:
            print("# Fashion-MNIST not found in %s (apt-get install dataset-fashion-mnist): %s skipped" % (DATA, a.workload))
            return
        xtr, ytr, xte, yte = data
        if a.workload == "w3":
            model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                                  nn.Linear(128, 10))
            train_classifier(torch, model, xtr.reshape(-1, 784), ytr, xte.reshape(-1, 784), yte, a.epochs or 5,
                             "w3", "mlp", tag)
        else:
            model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                                  nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))
            train_classifier(torch, model, xtr.reshape(-1, 1, 28, 28), ytr, xte.reshape(-1, 1, 28, 28), yte,
                             a.epochs or 2, "w4", "cnn", tag)
        return
    # W5: one LSTM layer, input 32, hidden 128, sequence 64, batch 32, sequence-first, MSE over all outputs, Adam
    lstm = nn.LSTM(32, 128)
    g = torch.Generator().manual_seed(a.seed)
    x = torch.randn(64, 32, 32, generator=g)
    tgt = torch.randn(64, 32, 128, generator=g)
    opt = torch.optim.Adam(lstm.parameters(), lr=1e-3)

    def step():
        opt.zero_grad(set_to_none=True)
        out, _ = lstm(x)
        loss = ((out - tgt) ** 2).mean()
        loss.backward()
        opt.step()

    for _ in range(10):
        step()
    times = []
    for _ in range(7):
        t0 = time.perf_counter()
        for _ in range(20):
            step()
        times.append((time.perf_counter() - t0) / 20)
    with torch.no_grad():
        ftimes = []
        for _ in range(7):
            t0 = time.perf_counter()
            for _ in range(20):
                lstm(x)
            ftimes.append((time.perf_counter() - t0) / 20)
    times.sort()
    ftimes.sort()
    report("w5", "lstm", tag, "step_time", "%.3f" % (1e3 * times[3]), "ms")
    report("w5", "lstm", tag, "forward_time", "%.3f" % (1e3 * ftimes[3]), "ms")


if __name__ == "__main__":
    main()
