#!/bin/sh
# Compile time is part of the product: the implementation TU at -O2 must build in < 10 s (the whole finished
# library < 20 s), and a file that only includes the header in < 0.1 s. Best of 3, gcc and clang.
set -eu
cd "$(dirname "$0")/.."
mkdir -p build
best() { # best wall time in seconds of a command, over 3 runs
  b=""
  for i in 1 2 3; do
    s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc -l)
    if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
  done
  printf '%.3f' "$b"
}
for cc in gcc clang; do
  command -v $cc >/dev/null 2>&1 || { echo "# $cc not found, skipped"; continue; }
  ti=$(best $cc -O2 -c tests/compile/impl.c -o build/ct_impl.o)
  td=$(best $cc -O2 -c tests/compile/decl_only.c -o build/ct_decl.o)
  tc=$(best $cc -O2 -DNN_NO_NN -DNN_NO_IO -c tests/compile/impl.c -o build/ct_core.o)
  tm=$(best $cc -O2 -DNN_NO_RANDOM -DNN_NO_INDEX -DNN_NO_SORT -DNN_NO_CONV -DNN_NO_PRINT -DNN_NO_NN -DNN_NO_IO -c tests/compile/impl.c -o build/ct_min.o)
  echo "compile.impl.$cc.O2.time $ti s"
  echo "compile.impl_core.$cc.O2.time $tc s (the ndarray core with autograd: NN_NO_NN NN_NO_IO)"
  echo "compile.impl_minimal.$cc.O2.time $tm s (every NN_NO_<PART> switch on)"
  echo "compile.header_only.$cc.O2.time $td s"
  echo "compile.impl_core.$cc.ratio $(echo "$tc / 10" | bc -l | xargs printf '%.2f') x (time/10 s; goal <= 1)"
  echo "compile.impl.$cc.ratio $(echo "$ti / 20" | bc -l | xargs printf '%.2f') x (time/20 s, the whole library; goal <= 1)"
  echo "compile.header_only.$cc.ratio $(echo "$td / 0.1" | bc -l | xargs printf '%.2f') x (time/0.1 s; goal <= 1)"
done
size=$(wc -c < nn.h); lines=$(wc -l < nn.h)
echo "compile.nn_h.size $size bytes"
echo "compile.nn_h.lines $lines lines"
