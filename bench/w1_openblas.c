/* bench/w1_openblas.c: the W1 shapes of bench/w1_gemm.c through OpenBLAS's cblas_sgemm / cblas_dgemm (row-major,
   alpha 1, beta 0, transposed operands passed as CblasTrans), for side-by-side ratios.

   Build: cc -O2 bench/w1_openblas.c -o build/w1_openblas -lopenblas
   Run:   OPENBLAS_NUM_THREADS=2 build/w1_openblas [-r N] [case ...]
   The thread count is OpenBLAS's (OPENBLAS_NUM_THREADS, read at start-up) and is printed as t<k>:
   `w1.sgemm1024.openblas.t2.gflops 165.2 GFLOP/s`. Median of -r samples (default 7) of at least 20 ms each, after a
   warm-up, exactly as bench/w1_gemm.c times nn.h. */
#define _POSIX_C_SOURCE 200809L
#include <cblas.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

typedef struct w1_case {
  const char *name;
  int64_t M, N, K;
  int ta, tb, dbl;
} w1_case;

static const w1_case w1_cases[] = {
    {"sgemm128", 128, 128, 128, 0, 0, 0},
    {"sgemm256", 256, 256, 256, 0, 0, 0},
    {"sgemm512", 512, 512, 512, 0, 0, 0},
    {"sgemm1024", 1024, 1024, 1024, 0, 0, 0},
    {"sgemm2048", 2048, 2048, 2048, 0, 0, 0},
    {"dense_fwd", 64, 256, 784, 0, 0, 0},
    {"dense_dgrad", 64, 784, 256, 0, 1, 0},
    {"dense_wgrad", 784, 256, 64, 1, 0, 0},
    {"im2col", 4096, 64, 1152, 0, 0, 0},
    {"dgemm1024", 1024, 1024, 1024, 0, 0, 1},
};
#define W1_NCASES ((int)(sizeof w1_cases / sizeof w1_cases[0]))

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void fill(void *p, int64_t n, int dbl, uint64_t seed) {
  int64_t i;
  for (i = 0; i < n; i++) {
    double v;
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    v = (double)(seed >> 11) * (2.0 / 9007199254740992.0) - 1.0;
    if (dbl) ((double *)p)[i] = v;
    else ((float *)p)[i] = (float)v;
  }
}

static double run_case(const w1_case *c, int reps) {
  size_t es = c->dbl ? sizeof(double) : sizeof(float);
  int lda = (int)(c->ta ? c->M : c->K), ldb = (int)(c->tb ? c->K : c->N), ldc = (int)c->N;
  int M = (int)c->M, N = (int)c->N, K = (int)c->K;
  enum CBLAS_TRANSPOSE ta = c->ta ? CblasTrans : CblasNoTrans, tb = c->tb ? CblasTrans : CblasNoTrans;
  void *A = malloc((size_t)(c->M * c->K) * es), *B = malloc((size_t)(c->K * c->N) * es);
  void *C = malloc((size_t)(c->M * c->N) * es);
  double flops = 2.0 * (double)c->M * (double)c->N * (double)c->K, t, *samples, med;
  int64_t calls, k;
  int r;
  samples = (double *)malloc((size_t)reps * sizeof(double));
  fill(A, c->M * c->K, c->dbl, 1);
  fill(B, c->K * c->N, c->dbl, 2);
  fill(C, c->M * c->N, c->dbl, 3);
#define W1_CALL()                                                                                                   \
  do {                                                                                                              \
    if (c->dbl)                                                                                                     \
      cblas_dgemm(CblasRowMajor, ta, tb, M, N, K, 1.0, (const double *)A, lda, (const double *)B, ldb, 0.0,        \
                  (double *)C, ldc);                                                                                \
    else                                                                                                            \
      cblas_sgemm(CblasRowMajor, ta, tb, M, N, K, 1.0f, (const float *)A, lda, (const float *)B, ldb, 0.0f,        \
                  (float *)C, ldc);                                                                                 \
  } while (0)
  t = now();
  W1_CALL();
  t = now() - t;
  calls = t > 0 ? (int64_t)(0.02 / t) + 1 : 1000;
  {
    double t0 = now();
    while (now() - t0 < 0.1) W1_CALL();
  }
  for (r = 0; r < reps; r++) {
    t = now();
    for (k = 0; k < calls; k++) W1_CALL();
    samples[r] = (now() - t) / (double)calls;
  }
  qsort(samples, (size_t)reps, sizeof(double), cmp_double);
  med = samples[reps / 2];
  free(samples);
  free(A);
  free(B);
  free(C);
  return flops / med * 1e-9;
}

int main(int argc, char **argv) {
  int reps = 7, i, k, nsel = 0, nt;
  int selected[W1_NCASES];
  const char *e = getenv("OPENBLAS_NUM_THREADS");
  for (i = 0; i < W1_NCASES; i++) selected[i] = 0;
  for (i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-r") && i + 1 < argc) {
      reps = atoi(argv[++i]);
      if (reps < 1) reps = 1;
      continue;
    }
    for (k = 0; k < W1_NCASES; k++)
      if (!strcmp(argv[i], w1_cases[k].name)) break;
    if (k == W1_NCASES) {
      fprintf(stderr, "w1_openblas: unknown case or option '%s'\n", argv[i]);
      return 2;
    }
    selected[k] = 1;
    nsel++;
  }
  nt = e && atoi(e) > 0 ? atoi(e) : openblas_get_num_threads();
  for (k = 0; k < W1_NCASES; k++) {
    if (nsel && !selected[k]) continue;
    printf("w1.%s.openblas.t%d.gflops %.1f GFLOP/s\n", w1_cases[k].name, nt, run_case(&w1_cases[k], reps));
    fflush(stdout);
  }
  return 0;
}
