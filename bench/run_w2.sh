#!/bin/sh
# bench/run_w2.sh: runs workload W2 for nn.h and its anchors alternately (nn, anchors, nn, anchors, ...), then prints
# the median of every figure over the rounds and the ratios the goals name.
#   usage: sh bench/run_w2.sh [path/to/w2]      (make bench-W2 builds build/w2 and calls this)
#   environment: W2_ROUNDS (default 3, at least 2), W2_REPS (repetitions per figure, default 11),
#                W2_THREADS (default "1 2"), PYTHON (default /usr/bin/python3)
set -e
BIN=${1:-build/w2}
ROUNDS=${W2_ROUNDS:-3}
REPS=${W2_REPS:-11}
THREADS=${W2_THREADS:-"1 2"}
PY=${PYTHON:-/usr/bin/python3}
HERE=$(dirname "$0")
TCSV=$(echo $THREADS | tr ' ' ',')
[ "$ROUNDS" -ge 2 ] 2>/dev/null || ROUNDS=2
if [ ! -x "$BIN" ]; then
  echo "run_w2.sh: $BIN not found; build it with: cc -O2 bench/w2_elementwise.c -o build/w2 -lm" >&2
  exit 1
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT INT TERM

HAVE_PY=1
if ! "$PY" -c "import sys" 2>/dev/null; then
  echo "# $PY not found: anchors skipped"
  HAVE_PY=0
fi

echo "# W2 on $(nproc) cores, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
r=1
while [ $r -le "$ROUNDS" ]; do
  echo "# round $r/$ROUNDS: nn.h"
  "$BIN" "$REPS" $THREADS > "$OUT/nn.$r"
  grep '^#' "$OUT/nn.$r" || true
  if [ $HAVE_PY = 1 ]; then
    echo "# round $r/$ROUNDS: NumPy, PyTorch, PyTorch with the WORKLOADS.md environment"
    "$PY" "$HERE/w2_anchors.py" --impl numpy --reps "$REPS" > "$OUT/np.$r" 2>&1 || true
    "$PY" "$HERE/w2_anchors.py" --impl torch --threads "$TCSV" --reps "$REPS" > "$OUT/torch.$r" 2>&1 || true
    env MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=268435456 \
      OMP_WAIT_POLICY=PASSIVE "$PY" "$HERE/w2_anchors.py" --impl torch --threads "$TCSV" --reps "$REPS" \
      --variant tuned > "$OUT/torcht.$r" 2>&1 || true
    grep -h '^#' "$OUT/np.$r" "$OUT/torch.$r" "$OUT/torcht.$r" | sort -u || true
  fi
  r=$((r + 1))
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# Medians over the rounds, then ratios. (Plain Python: works without NumPy.)
"${PY}" - "$OUT" "$THREADS" <<'EOF' 2>/dev/null || cat "$OUT"/nn.* "$OUT"/np.* "$OUT"/torch*.* 2>/dev/null | grep '^w2\.'
import glob, os, re, sys
out, threads = sys.argv[1], [int(t) for t in sys.argv[2].split()]
vals, units, order = {}, {}, []
for f in sorted(glob.glob(os.path.join(out, "*.*"))):
    for line in open(f):
        m = re.match(r"^(w2\.\S+)\s+(\S+)\s+(\S+)\s*$", line)
        if not m:
            continue
        key, v, unit = m.group(1), float(m.group(2)), m.group(3)
        if key not in vals:
            vals[key] = []
            order.append(key)
        vals[key].append(v)
        units[key] = unit

def med(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else 0.5 * (xs[n // 2 - 1] + xs[n // 2])

impl_rank = {"nn": 0, "numpy": 1, "torch": 2}
order.sort(key=lambda k: (k.split(".")[1], impl_rank.get(k.split(".")[2], 9), k.split(".")[3], k.split(".")[4]))
for k in order:
    prec = "%.4f" if units[k] in ("ms",) and med(vals[k]) < 1 else "%.3f" if units[k] == "Gelem/s" else "%.2f"
    print(("%s " + prec + " %s") % (k, med(vals[k]), units[k]))

# ratio = nn throughput / the best anchor throughput at the same thread count (NumPy runs on one thread and is
# compared at every thread count; PyTorch in both of its variants).
cases = ["axpb", "exp", "tanh", "sigmoid", "erf", "gelu", "sum", "bcast", "softmax", "exp_l2", "tanh_l2"]
for case in cases:
    for t in threads:
        nk = "w2.%s.nn.t%d.throughput" % (case, t)
        if nk not in vals:
            continue
        best, who = None, None
        for k in vals:
            p = k.split(".")
            if p[1] != case or p[2] == "nn" or p[4] != "throughput":
                continue
            kt = int(re.match(r"t(\d+)", p[3]).group(1))
            if kt != t and not (p[2] == "numpy" and kt == 1):
                continue
            v = med(vals[k])
            if best is None or v > best:
                best, who = v, "%s.%s" % (p[2], p[3])
        if best:
            print("w2.%s.ratio.t%d %.2f x (nn/%s throughput; goal >= 1)" % (case, t, med(vals[nk]) / best, who))
# issue goal for the vector math: at least 2x NumPy (NumPy's fastest form, SciPy's ufuncs included) at 1 thread
for case in ["exp", "tanh", "sigmoid", "erf", "gelu"]:
    nk, ak = "w2.%s.nn.t1.throughput" % case, "w2.%s.numpy.t1.throughput" % case
    if nk in vals and ak in vals:
        print("w2.%s.vs_numpy.t1 %.2f x (nn/numpy throughput; goal >= 2)" % (case, med(vals[nk]) / med(vals[ak])))
# memory-bound figures against the machine's STREAM figures (WORKLOADS.md W0, 2 threads)
stream = {"axpb": ("triad", 39.0), "bcast": ("triad", 39.0), "sum": ("sum", 53.0)}
for case, (what, gbs) in stream.items():
    nk = "w2.%s.nn.t2.throughput" % case
    if nk in vals:
        print("w2.%s.stream.t2 %.2f fraction (of STREAM %s %.0f GB/s; goal >= 0.8)" % (case, med(vals[nk]) / gbs, what, gbs))
EOF
