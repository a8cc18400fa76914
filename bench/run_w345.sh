#!/bin/sh
# bench/run_w345.sh: workloads W3 (MLP), W4 (CNN) and W5 (LSTM) of WORKLOADS.md, nn.h and PyTorch side by side:
# for each workload and thread count, nn.h, then PyTorch plainly, then PyTorch with the tuned environment; then the
# ratios the goals name (nn.h over the faster PyTorch variant).
#   usage: sh bench/run_w345.sh [workloads...]     (default: w3 w4 w5)   env: W345_THREADS (default "1 2")
set -u
cd "$(dirname "$0")/.."
mkdir -p build
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
if [ ! -x build/w345 ] || [ nn.h -nt build/w345 ] || [ bench/w345.c -nt build/w345 ]; then
  cc -O2 bench/w345.c -o build/w345 -lm || exit 1
fi
WL=${*:-w3 w4 w5}
TH=${W345_THREADS:-1 2}
TUNED="MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=268435456 OMP_WAIT_POLICY=PASSIVE"
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
echo "# host: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for w in $WL; do
  for t in $TH; do
    build/w345 "$w" "$t" | tee -a "$raw"
    "$PY" bench/w345_anchors.py "$w" "$t" | tee -a "$raw"
    # shellcheck disable=SC2086
    env $TUNED "$PY" bench/w345_anchors.py "$w" "$t" --variant tuned | tee -a "$raw"
  done
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk '
  !/^#/ { v[$1] = $2 }
  function best(pre, t, metric,   a, b) {   # the faster (smaller) PyTorch figure
    a = v[pre ".torch.t" t "." metric]; b = v[pre ".torch.t" t "-tuned." metric]
    if (a == "" ) return b; if (b == "") return a; return (a + 0 < b + 0) ? a : b
  }
  function ratio(name, pre, t, metric, goal,   n, b) {
    n = v[pre ".nn.t" t "." metric]; b = best(pre, t, metric)
    if (n != "" && b != "" && b + 0 > 0) printf "%s.ratio.t%d.%s %.2f x (nn/torch; goal %s)\n", name, t, metric, n / b, goal
  }
  END {
    for (t = 1; t <= 2; t++) {
      ratio("w3.mlp", "w3.mlp", t, "epoch_time", "<= 0.5")
      ratio("w3.mlp", "w3.mlp", t, "inference_time", "<= 0.5")
      ratio("w3.mlp", "w3.mlp", t, "peak_rss", "<= 1")
      ratio("w4.cnn", "w4.cnn", t, "epoch_time", "<= 0.6")
      ratio("w4.cnn", "w4.cnn", t, "inference_time", "<= 0.5")
      ratio("w4.cnn", "w4.cnn", t, "peak_rss", "<= 1")
      ratio("w5.lstm", "w5.lstm", t, "step_time", "<= 0.7")
      k = "w3.mlp.nn.t" t ".test_accuracy"; if (k in v) printf "w3.mlp.accuracy.t%d %.4f fraction (after 5 epochs; goal >= 0.87)\n", t, v[k]
      k = "w4.cnn.nn.t" t ".test_accuracy"; if (k in v) printf "w4.cnn.accuracy.t%d %.4f fraction (after 2 epochs; goal >= 0.88)\n", t, v[k]
    }
  }' "$raw"
