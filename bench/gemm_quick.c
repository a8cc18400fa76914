/* bench/gemm_quick.c: quick GFLOP/s of nn_sgemm / nn_dgemm on square sizes, 1 and 2 threads.
   Build: cc -O2 bench/gemm_quick.c -o build/gemm_quick -lm -lpthread   Run: build/gemm_quick [n ...] */
#define _POSIX_C_SOURCE 199309L
#define NN_IMPLEMENTATION
#include "../nn.h"
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double bench_s(int64_t n, int threads) {
  float *a = (float *)malloc((size_t)(n * n) * sizeof(float)), *b = (float *)malloc((size_t)(n * n) * sizeof(float));
  float *c = (float *)malloc((size_t)(n * n) * sizeof(float));
  double t0, best = 1e30, flops = 2.0 * (double)n * (double)n * (double)n;
  int64_t i;
  int r, reps = n <= 256 ? 50 : n <= 512 ? 10 : 4;
  for (i = 0; i < n * n; i++) {
    a[i] = (float)((i * 7 % 13) - 6) * 0.1f;
    b[i] = (float)((i * 5 % 11) - 5) * 0.1f;
  }
  nn_set_num_threads(threads);
  nn_sgemm(0, 0, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n); /* warm up */
  for (r = 0; r < reps; r++) {
    t0 = now();
    nn_sgemm(0, 0, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
    t0 = now() - t0;
    if (t0 < best) best = t0;
  }
  free(a);
  free(b);
  free(c);
  return flops / best * 1e-9;
}

static double bench_d(int64_t n, int threads) {
  double *a = (double *)malloc((size_t)(n * n) * sizeof(double)), *b = (double *)malloc((size_t)(n * n) * sizeof(double));
  double *c = (double *)malloc((size_t)(n * n) * sizeof(double));
  double t0, best = 1e30, flops = 2.0 * (double)n * (double)n * (double)n;
  int64_t i;
  int r, reps = n <= 256 ? 50 : n <= 512 ? 10 : 4;
  for (i = 0; i < n * n; i++) {
    a[i] = (double)((i * 7 % 13) - 6) * 0.1;
    b[i] = (double)((i * 5 % 11) - 5) * 0.1;
  }
  nn_set_num_threads(threads);
  nn_dgemm(0, 0, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
  for (r = 0; r < reps; r++) {
    t0 = now();
    nn_dgemm(0, 0, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
    t0 = now() - t0;
    if (t0 < best) best = t0;
  }
  free(a);
  free(b);
  free(c);
  return flops / best * 1e-9;
}

int main(int argc, char **argv) {
  int64_t sizes[8] = {256, 512, 1024};
  int ns = 3, k;
  if (argc > 1) {
    ns = 0;
    for (k = 1; k < argc && ns < 8; k++) sizes[ns++] = atoll(argv[k]);
  }
  {
    /* half a second of work first, so the core is at full clock when timing starts */
    double t0 = now();
    while (now() - t0 < 0.5) bench_s(128, 1);
  }
  printf("%6s %12s %12s %12s %12s\n", "n", "sgemm 1T", "sgemm 2T", "dgemm 1T", "dgemm 2T");
  for (k = 0; k < ns; k++) {
    double s1 = bench_s(sizes[k], 1), s2 = bench_s(sizes[k], 2), d1 = bench_d(sizes[k], 1), d2 = bench_d(sizes[k], 2);
    printf("%6lld %12.1f %12.1f %12.1f %12.1f  GFLOP/s\n", (long long)sizes[k], s1, s2, d1, d2);
  }
  nn_set_num_threads(0);
  return 0;
}
