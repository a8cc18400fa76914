#!/bin/sh
# bench/run_w1.sh: workload W1 (SGEMM shapes, DGEMM 1024) and the W0 FMA peak: nn.h against OpenBLAS, NumPy and
# PyTorch, run alternately (nn, anchors, nn, anchors, ...) for W1_ROUNDS rounds (default 2), each figure the
# median over the rounds of the per-run medians. Then the ratios the goals name.
#   usage: sh bench/run_w1.sh [path/to/w1]      (builds build/w1 when missing or stale, and build/w1_openblas)
#   env:   W1_ROUNDS (default 2), W1_REPS (samples per figure and run, default 7), W1_CASES (a subset, e.g.
#          "sgemm1024 dense_fwd"), W1_KEEP (a file to keep the raw figures in)
set -u
cd "$(dirname "$0")/.."
mkdir -p build
W1=${1:-build/w1}
ROUNDS=${W1_ROUNDS:-2}
REPS=${W1_REPS:-7}
CASES=${W1_CASES:-}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# (re)build the nn.h program when it is missing or older than nn.h or its source
[ -f nn.h ] || python3 tools/amalgamate.py
if [ ! -x "$W1" ] || [ nn.h -nt "$W1" ] || [ bench/w1_gemm.c -nt "$W1" ]; then
  cc -O2 bench/w1_gemm.c -o "$W1" -lm || exit 1
fi
if ! dpkg -s libopenblas-dev >/dev/null 2>&1; then
  echo "# libopenblas-dev missing: apt-get install -y libopenblas-dev"
  apt-get install -y libopenblas-dev >/dev/null 2>&1 || echo "# could not install libopenblas-dev"
fi
OB=build/w1_openblas
if ! cc -O2 bench/w1_openblas.c -o $OB -lopenblas 2>/dev/null; then
  echo "# openblas anchor skipped: cannot build bench/w1_openblas.c against libopenblas"
  OB=""
fi

raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
echo "# host: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
TUNED="MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=268435456 OMP_WAIT_POLICY=PASSIVE"
r=1
while [ "$r" -le "$ROUNDS" ]; do
  # shellcheck disable=SC2086
  "$W1" -r "$REPS" $CASES >>"$raw"
  for t in 1 2; do
    # shellcheck disable=SC2086
    [ -n "$OB" ] && OPENBLAS_NUM_THREADS=$t "$OB" -r "$REPS" $CASES >>"$raw"
    # shellcheck disable=SC2086
    "$PY" bench/w1_anchors.py numpy $t -r "$REPS" $CASES >>"$raw"
    # shellcheck disable=SC2086
    "$PY" bench/w1_anchors.py torch $t -r "$REPS" $CASES >>"$raw"
    # shellcheck disable=SC2086
    env $TUNED "$PY" bench/w1_anchors.py torch $t -r "$REPS" --variant tuned $CASES >>"$raw"
  done
  r=$((r + 1))
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "${W1_KEEP:-}" ] && cp "$raw" "$W1_KEEP"
grep '^#' "$raw" | sort -u

# medians over the rounds, then the ratios
grep -v '^#' "$raw" | awk '
  { key = $1; unit = $3; n[key]++; v[key, n[key]] = $2; u[key] = unit; if (!(key in seen)) { seen[key] = 1; order[++nk] = key } }
  function median(k,   i, j, t, m, a) {
    m = n[k]; for (i = 1; i <= m; i++) a[i] = v[k, i]
    for (i = 2; i <= m; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
  }
  END {
    for (i = 1; i <= nk; i++) { k = order[i]; med[k] = median(k); printf (u[k] == "fraction" ? "%s %.3f %s\n" : "%s %.1f %s\n"), k, med[k], u[k] }
    ncase = split("sgemm128 sgemm256 sgemm512 sgemm1024 sgemm2048 dense_fwd dense_dgrad dense_wgrad im2col dgemm1024", cs, " ")
    nimpl = split("openblas numpy torch", im, " ")
    for (c = 1; c <= ncase; c++) for (t = 1; t <= 2; t++) {
      nk2 = "w1." cs[c] ".nn.t" t ".gflops"
      if (!(nk2 in med)) continue
      best = 0; bname = ""
      for (j = 1; j <= nimpl; j++) for (var = 0; var <= 1; var++) {
        ak = "w1." cs[c] "." im[j] ".t" t (var ? "-tuned" : "") ".gflops"
        if ((ak in med) && med[ak] > best) { best = med[ak]; bname = im[j] (var ? "-tuned" : "") }
      }
      if (cs[c] == "dgemm1024") {
        ak = "w1.dgemm1024.openblas.t" t ".gflops"
        if (ak in med) printf "w1.dgemm1024.ratio.t%d %.2f x (nn/openblas; goal >= 0.95)\n", t, med[nk2] / med[ak]
        if (best > 0) printf "w1.dgemm1024.ratio_best.t%d %.2f x (nn/best anchor, %s)\n", t, med[nk2] / best, bname
        continue
      }
      if (best > 0) printf "w1.%s.ratio.t%d %.2f x (nn/best anchor, %s; goal >= 1)\n", cs[c], t, med[nk2] / best, bname
      ak = "w1." cs[c] ".openblas.t" t ".gflops"
      if ((ak in med) && (cs[c] == "sgemm1024" || cs[c] == "sgemm2048"))
        printf "w1.%s.ratio_openblas.t%d %.2f x (nn/openblas; goal >= 1)\n", cs[c], t, med[nk2] / med[ak]
    }
    # the fraction of the peak: from the paired samples (each GEMM sample against a peak sample taken right
    # after it) when w1 printed them, else the GEMM median over the peak median of the run
    for (t = 1; t <= 2; t++) {
      goal = t == 2 ? " (goal >= 0.9)" : ""
      fk = "w1.sgemm2048.nn.t" t ".peak_fraction"; pk = "w0.fma_peak.t" t ".gflops"; nk2 = "w1.sgemm2048.nn.t" t ".gflops"
      if (fk in med) printf "w1.sgemm2048.peak_fraction.t%d %.3f fraction%s\n", t, med[fk], goal
      else if ((pk in med) && (nk2 in med)) printf "w1.sgemm2048.peak_fraction.t%d %.3f fraction%s\n", t, med[nk2] / med[pk], goal
    }
  }'
