/* bench/w1_gemm.c: workload W1 (SGEMM shapes of /work/shared/WORKLOADS.md, plus DGEMM 1024) through nn_sgemm /
   nn_dgemm at 1 and 2 threads, and the W0 FMA peak of this machine (a register-only FMA loop).

   Build: cc -O2 bench/w1_gemm.c -o build/w1 -lm
   Run:   build/w1 [options] [case ...]
            -t LIST   thread counts, comma separated (default 1,2)
            -r N      timed samples per figure (default 7; the median is printed)
            -isa N    micro-kernels: 0 portable C, 1 AVX2+FMA, 2 AVX-512 (default: the best this CPU runs);
                      a forced set is printed as the variant, e.g. w1.sgemm1024.nn.t1-avx2.gflops
            -best     print the best sample instead of the median (for tuning on a busy machine)
            -peak     only the FMA peak;   -nopeak  no FMA peak
          cases: sgemm128 sgemm256 sgemm512 sgemm1024 sgemm2048 dense_fwd dense_dgrad dense_wgrad im2col dgemm1024
   Prints lines such as `w1.sgemm1024.nn.t2.gflops 412.3 GFLOP/s` and `w0.fma_peak.t2.gflops 486.1 GFLOP/s`; for
   sgemm2048 also `w1.sgemm2048.nn.t2.peak_fraction 0.93 fraction`, the median over the samples of each sample's
   GFLOP/s divided by an FMA-peak sample taken right after it on as many threads.
   GFLOP/s = 2 M N K / time; every sample times enough calls for at least 20 ms, after a warm-up. */
#define _POSIX_C_SOURCE 200809L
#define NN_IMPLEMENTATION
#include "../nn.h"
#include <pthread.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* One W1 case: C (M x N) = op(A) op(B), op(A) M x K, op(B) K x N; ta/tb: the operand is stored transposed. */
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
    {"dense_fwd", 64, 256, 784, 0, 0, 0},   /* 64x784 . 784x256 */
    {"dense_dgrad", 64, 784, 256, 0, 1, 0}, /* 64x256 . (784x256)^T */
    {"dense_wgrad", 784, 256, 64, 1, 0, 0}, /* (64x784)^T . 64x256 */
    {"im2col", 4096, 64, 1152, 0, 0, 0},    /* 4096x1152 . 1152x64 */
    {"dgemm1024", 1024, 1024, 1024, 0, 0, 1},
};
#define W1_NCASES ((int)(sizeof w1_cases / sizeof w1_cases[0]))

static int use_best = 0;

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

/* ---- FMA peak: independent accumulators in registers, 2 flops x lanes per FMA ---- */
#define PEAK_ITERS 20000000L
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define PEAK_X86 1
#define PEAK_PAIRS 1
__attribute__((target("avx512f"))) static float peak_avx512(long n) {
  __m512 a0 = _mm512_set1_ps(1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0,
         a10 = a0, a11 = a0;
  __m512 x = _mm512_set1_ps(0.9999f), y = _mm512_set1_ps(1e-7f);
  long i;
  for (i = 0; i < n; i++) {
    a0 = _mm512_fmadd_ps(a0, x, y);
    a1 = _mm512_fmadd_ps(a1, x, y);
    a2 = _mm512_fmadd_ps(a2, x, y);
    a3 = _mm512_fmadd_ps(a3, x, y);
    a4 = _mm512_fmadd_ps(a4, x, y);
    a5 = _mm512_fmadd_ps(a5, x, y);
    a6 = _mm512_fmadd_ps(a6, x, y);
    a7 = _mm512_fmadd_ps(a7, x, y);
    a8 = _mm512_fmadd_ps(a8, x, y);
    a9 = _mm512_fmadd_ps(a9, x, y);
    a10 = _mm512_fmadd_ps(a10, x, y);
    a11 = _mm512_fmadd_ps(a11, x, y);
    __asm__ volatile("" : "+v"(a0), "+v"(a1), "+v"(a2), "+v"(a3), "+v"(a4), "+v"(a5), "+v"(a6), "+v"(a7), "+v"(a8),
                     "+v"(a9), "+v"(a10), "+v"(a11));
  }
  a0 = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                     _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
  a0 = _mm512_add_ps(a0, _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
  return _mm512_reduce_add_ps(a0);
}
__attribute__((target("avx2,fma"))) static float peak_avx2(long n) {
  __m256 a0 = _mm256_set1_ps(1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0,
         a10 = a0, a11 = a0;
  __m256 x = _mm256_set1_ps(0.9999f), y = _mm256_set1_ps(1e-7f);
  float r[8];
  long i;
  for (i = 0; i < n; i++) {
    a0 = _mm256_fmadd_ps(a0, x, y);
    a1 = _mm256_fmadd_ps(a1, x, y);
    a2 = _mm256_fmadd_ps(a2, x, y);
    a3 = _mm256_fmadd_ps(a3, x, y);
    a4 = _mm256_fmadd_ps(a4, x, y);
    a5 = _mm256_fmadd_ps(a5, x, y);
    a6 = _mm256_fmadd_ps(a6, x, y);
    a7 = _mm256_fmadd_ps(a7, x, y);
    a8 = _mm256_fmadd_ps(a8, x, y);
    a9 = _mm256_fmadd_ps(a9, x, y);
    a10 = _mm256_fmadd_ps(a10, x, y);
    a11 = _mm256_fmadd_ps(a11, x, y);
    __asm__ volatile("" : "+x"(a0), "+x"(a1), "+x"(a2), "+x"(a3), "+x"(a4), "+x"(a5), "+x"(a6), "+x"(a7), "+x"(a8),
                     "+x"(a9), "+x"(a10), "+x"(a11));
  }
  a0 = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                     _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
  a0 = _mm256_add_ps(a0, _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
  _mm256_storeu_ps(r, a0);
  return r[0] + r[7];
}
#else
#define PEAK_PAIRS 0
#endif

typedef struct peak_arg {
  int wide;
  volatile float sink;
} peak_arg;

static void *peak_thread(void *v) {
  peak_arg *p = (peak_arg *)v;
#if defined(PEAK_X86)
  p->sink = p->wide ? peak_avx512(PEAK_ITERS) : peak_avx2(PEAK_ITERS);
#else
  p->sink = 0;
#endif
  return NULL;
}

/* Median GFLOP/s of the FMA loop on nt threads; wide: AVX-512 (16 lanes), else AVX2 (8 lanes). */
static double peak(int nt, int wide, int reps) {
  double samples[32], lanes = wide ? 16 : 8;
  int r, i;
  if (reps > 32) reps = 32;
  for (r = 0; r < reps; r++) {
    pthread_t th[16];
    peak_arg args[16];
    double t = now();
    for (i = 0; i < nt; i++) {
      args[i].wide = wide;
      pthread_create(&th[i], NULL, peak_thread, &args[i]);
    }
    for (i = 0; i < nt; i++) pthread_join(th[i], NULL);
    t = now() - t;
    samples[r] = (double)nt * (double)PEAK_ITERS * 12.0 * lanes * 2.0 / t * 1e-9;
  }
  qsort(samples, (size_t)reps, sizeof(double), cmp_double);
  return use_best ? samples[reps - 1] : samples[reps / 2];
}

/* Median GFLOP/s of one case at the current thread count. With pf != NULL (nt threads, wide: the FMA peak loop
   to use), every GEMM sample is followed by a sample of the FMA peak on as many threads, and *pf is the median of
   the per-pair ratios: this machine's clock drifts by 5% within a minute, so a fraction of a peak measured at
   another time mixes that drift into the kernel's efficiency. */
static double run_case(const w1_case *c, int reps, int nt, int wide, double *pf) {
  size_t es = c->dbl ? sizeof(double) : sizeof(float);
  int64_t lda = c->ta ? c->M : c->K, ldb = c->tb ? c->K : c->N, ldc = c->N;
  void *A = malloc((size_t)(c->M * c->K) * es), *B = malloc((size_t)(c->K * c->N) * es);
  void *C = malloc((size_t)(c->M * c->N) * es);
  double flops = 2.0 * (double)c->M * (double)c->N * (double)c->K, t, *samples, *fracs, med;
  int64_t calls = 1, k;
  int r;
  samples = (double *)malloc((size_t)reps * sizeof(double));
  fracs = (double *)malloc((size_t)reps * sizeof(double));
  fill(A, c->M * c->K, c->dbl, 1);
  fill(B, c->K * c->N, c->dbl, 2);
  fill(C, c->M * c->N, c->dbl, 3);
#define W1_CALL()                                                                                                   \
  do {                                                                                                              \
    if (c->dbl)                                                                                                     \
      nn_dgemm(c->ta, c->tb, c->M, c->N, c->K, 1.0, (const double *)A, lda, (const double *)B, ldb, 0.0,           \
               (double *)C, ldc);                                                                                   \
    else                                                                                                            \
      nn_sgemm(c->ta, c->tb, c->M, c->N, c->K, 1.0f, (const float *)A, lda, (const float *)B, ldb, 0.0f,           \
               (float *)C, ldc);                                                                                    \
  } while (0)
  /* warm-up: at least 0.1 s, and find how many calls make a 20 ms sample */
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
    if (pf) {
      /* the pool's workers spin and yield for a few ms after a product: let them sleep first, or they compete
         with the peak loop's threads */
      struct timespec pause = {0, 40000000};
      nanosleep(&pause, NULL);
      fracs[r] = flops / samples[r] * 1e-9 / peak(nt, wide, 1);
    }
  }
  qsort(samples, (size_t)reps, sizeof(double), cmp_double);
  med = use_best ? samples[0] : samples[reps / 2];
  if (pf) {
    qsort(fracs, (size_t)reps, sizeof(double), cmp_double);
    *pf = use_best ? fracs[reps - 1] : fracs[reps / 2];
  }
  free(samples);
  free(fracs);
  free(A);
  free(B);
  free(C);
  return flops / med * 1e-9;
}

int main(int argc, char **argv) {
  int threads[8] = {1, 2}, nthreads = 2, reps = 7, isa = -1, do_peak = 1, only_peak = 0, wide = 0, i, ti, k;
  int selected[W1_NCASES], nsel = 0;
  const char *variant = "";
  for (i = 0; i < W1_NCASES; i++) selected[i] = 0;
  for (i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-t") && i + 1 < argc) {
      char *s = argv[++i];
      nthreads = 0;
      while (*s && nthreads < 8) {
        threads[nthreads++] = atoi(s);
        while (*s && *s != ',') s++;
        if (*s == ',') s++;
      }
    } else if (!strcmp(argv[i], "-r") && i + 1 < argc) {
      reps = atoi(argv[++i]);
      if (reps < 1) reps = 1;
    } else if (!strcmp(argv[i], "-isa") && i + 1 < argc) {
      isa = atoi(argv[++i]);
    } else if (!strcmp(argv[i], "-best")) {
      use_best = 1;
    } else if (!strcmp(argv[i], "-peak")) {
      only_peak = 1;
    } else if (!strcmp(argv[i], "-nopeak")) {
      do_peak = 0;
    } else {
      for (k = 0; k < W1_NCASES; k++)
        if (!strcmp(argv[i], w1_cases[k].name)) break;
      if (k == W1_NCASES) {
        fprintf(stderr, "w1_gemm: unknown case or option '%s'\n", argv[i]);
        return 2;
      }
      selected[k] = 1;
      nsel++;
    }
  }
  if (isa >= 0) {
    static const char *names[3] = {"-c", "-avx2", "-avx512"};
    int got = nn__gemm_set_isa(isa);
    if (got != isa) fprintf(stderr, "w1_gemm: instruction set %d not available here, using %d\n", isa, got);
    variant = names[got];
  }
  {
    static const char *isa_names[3] = {"portable C (6x16 float, 6x8 double)", "AVX2+FMA (6x16 float, 6x8 double)",
                                       "AVX-512 (6x64 float, 6x32 double)"};
    printf("# w1: nn.h GEMM micro-kernels: %s\n", isa_names[nn__gemm_isa()]);
  }
#if defined(PEAK_X86)
  __builtin_cpu_init();
  wide = __builtin_cpu_supports("avx512f") ? 1 : 0;
#endif
  if (do_peak) {
    /* the peak loop also brings the cores to full clock before the GEMMs */
#if defined(PEAK_X86)
    for (ti = 0; ti < nthreads; ti++) {
      double p = peak(threads[ti], wide, 5), p2 = wide ? peak(threads[ti], 0, 5) : p;
      printf("w0.fma_peak.t%d.gflops %.1f GFLOP/s\n", threads[ti], p > p2 ? p : p2);
      if (wide) {
        printf("w0.fma_peak.t%d-avx512.gflops %.1f GFLOP/s\n", threads[ti], p);
        printf("w0.fma_peak.t%d-avx2.gflops %.1f GFLOP/s\n", threads[ti], p2);
      }
      fflush(stdout);
    }
#else
    printf("# w0.fma_peak: needs x86-64 with GCC or clang, skipped\n");
#endif
  }
  if (only_peak) return 0;
  for (k = 0; k < W1_NCASES; k++) {
    if (nsel && !selected[k]) continue;
    for (ti = 0; ti < nthreads; ti++) {
      /* the goal's peak fraction (SGEMM 2048) pairs every sample with a sample of the peak */
      int paired = do_peak && PEAK_PAIRS && !strcmp(w1_cases[k].name, "sgemm2048");
      double frac = 0, gf;
      nn_set_num_threads(threads[ti]);
      gf = run_case(&w1_cases[k], reps, threads[ti], wide, paired ? &frac : NULL);
      printf("w1.%s.nn.t%d%s.gflops %.1f GFLOP/s\n", w1_cases[k].name, threads[ti], variant, gf);
      if (paired) printf("w1.%s.nn.t%d%s.peak_fraction %.3f fraction\n", w1_cases[k].name, threads[ti], variant, frac);
      fflush(stdout);
    }
  }
  nn_set_num_threads(0);
  return 0;
}
