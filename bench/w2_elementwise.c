/* bench/w2_elementwise.c: workload W2 of /work/shared/WORKLOADS.md for nn.h (elementwise ops and reductions on
   N = 16M float32). Build: cc -O2 bench/w2_elementwise.c -o build/w2 -lm   Run: build/w2 [reps] [threads...]

   Prints, per case and thread count,
     w2.<case>.nn.t<k>.throughput <GB/s> GB/s   (minimum traffic: axpb 12 B/elem, exp/tanh/sigmoid/erf/gelu 8, sum 4, bcast 8,
                                                 softmax 8)
     w2.<case>.nn.t<k>.time <ms> ms             (median over the repetitions, after warm-up)
   and the compute-bound in-cache figures w2.exp_l2 / w2.tanh_l2 (first 65,536 elements) in Gelem/s.

   sum and softmax use nn_sum / nn_softmax_out when the build defines NN_HAVE_REDUCE (the reductions part);
   without it they call the same vector kernels through the thread pool directly, as those ops do. */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* clock_gettime and MADV_HUGEPAGE under strict -std=c99 too */
#endif
#define NN_HAVE_REDUCE /* nn_sum and nn_softmax_out are part of the library */
#define NN_IMPLEMENTATION
#include "../nn.h"

#include <time.h>

#define W2_N ((int64_t)1 << 24)
#define W2_ROWS 4096
#define W2_SCOLS 1024

static double w2_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t w2_rng = 0x853c49e6748fea9bull;
static float w2_uniform(void) { /* U[-1, 1) */
  w2_rng = w2_rng * 6364136223846793005ull + 1442695040888963407ull;
  return (float)((double)(w2_rng >> 40) / 16777216.0 * 2.0 - 1.0);
}

static int w2_cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

typedef struct w2_ctx {
  nn_tensor *x, *b, *y, *X, *Y, *r, *S, *So, *xs, *ys;
  double sink;
} w2_ctx;

#if !defined(NN_HAVE_REDUCE)
/* Stand-ins for nn_sum(x, NN_ALL_AXES, 0) and nn_softmax_out(out, S, -1): the kernels over the same chunks. */
typedef struct w2_sum_job {
  const float *x;
  int64_t n;
  double part[W2_N / 65536 + 1];
} w2_sum_job;
static w2_sum_job w2_sj;
static void w2_sum_chunk(void *ctx, int64_t c) {
  w2_sum_job *j = (w2_sum_job *)ctx;
  const nn__vec_table *vt = nn__kernels();
  int64_t b = c * 65536, e = b + 65536 < j->n ? b + 65536 : j->n, i;
  double d = 0;
  for (i = b; i < e; i += 2048) d += vt->sum_f32(e - i < 2048 ? e - i : 2048, j->x + i);
  j->part[c] = d;
}
static double w2_sum(const nn_tensor *x) {
  int64_t c, nc = (x->size + 65535) / 65536;
  double s = 0;
  w2_sj.x = (const float *)x->data;
  w2_sj.n = x->size;
  nn__parallel_for(nc, w2_sum_chunk, &w2_sj);
  for (c = 0; c < nc; c++) s += w2_sj.part[c];
  return s;
}
typedef struct w2_sm_job {
  float *o;
  const float *x;
  int64_t rows, cols, g;
} w2_sm_job;
static void w2_sm_chunk(void *ctx, int64_t c) {
  w2_sm_job *j = (w2_sm_job *)ctx;
  const nn__vec_table *vt = nn__kernels();
  int64_t r, e = (c + 1) * j->g < j->rows ? (c + 1) * j->g : j->rows;
  for (r = c * j->g; r < e; r++) vt->softmax_f32(j->cols, j->o + r * j->cols, j->x + r * j->cols);
}
static void w2_softmax(nn_tensor *o, const nn_tensor *x) {
  w2_sm_job j;
  j.o = (float *)o->data;
  j.x = (const float *)x->data;
  j.rows = x->shape[0];
  j.cols = x->shape[1];
  j.g = 65536 / j.cols > 0 ? 65536 / j.cols : 1;
  nn__parallel_for((j.rows + j.g - 1) / j.g, w2_sm_chunk, &j);
}
#endif

/* the _l2 cases come last (they report Gelem/s) */
enum { C_AXPB, C_EXP, C_TANH, C_SIGMOID, C_ERF, C_GELU, C_SUM, C_BCAST, C_SOFTMAX, C_EXP_L2, C_TANH_L2, C_COUNT };
static const char *const w2_names[C_COUNT] = {"axpb", "exp", "tanh", "sigmoid", "erf", "gelu",
                                              "sum", "bcast", "softmax", "exp_l2", "tanh_l2"};

static int w2_run(w2_ctx *c, int which) {
  nn_status st = NN_OK;
  switch (which) {
    case C_AXPB: st = nn_add_scaled_out(c->y, c->b, c->x, 2.5); break;
    case C_EXP: st = nn_unary_out(NN_OP_EXP, c->y, c->x); break;
    case C_TANH: st = nn_unary_out(NN_OP_TANH, c->y, c->x); break;
    case C_SIGMOID: st = nn_unary_out(NN_OP_SIGMOID, c->y, c->x); break;
    case C_ERF: st = nn_unary_out(NN_OP_ERF, c->y, c->x); break;
    case C_GELU: st = nn_unary_out(NN_OP_GELU, c->y, c->x); break;
    case C_EXP_L2: st = nn_unary_out(NN_OP_EXP, c->ys, c->xs); break;
    case C_TANH_L2: st = nn_unary_out(NN_OP_TANH, c->ys, c->xs); break;
    case C_BCAST: st = nn_binary_out(NN_OP_ADD, c->Y, c->X, c->r); break;
#if defined(NN_HAVE_REDUCE)
    case C_SUM: {
      nn_tensor *s = nn_sum(c->x, NN_ALL_AXES, 0);
      if (!s) return 0;
      c->sink += nn_item(s);
      nn_free(s);
      break;
    }
    case C_SOFTMAX: st = nn_softmax_out(c->So, c->S, -1); break;
#else
    case C_SUM: c->sink += w2_sum(c->x); break;
    case C_SOFTMAX: w2_softmax(c->So, c->S); break;
#endif
    default: return 0;
  }
  if (st != NN_OK) {
    fprintf(stderr, "w2 %s: %s\n", w2_names[which], nn_error());
    return 0;
  }
  return 1;
}

int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 11, nthreads[8], nt = 0, ti, which, k;
  int64_t shp[2], i;
  w2_ctx c;
  static const double bytes_per[C_COUNT] = {12, 8, 8, 8, 8, 8, 4, 8, 8, 0, 0};
  double times[64];
  if (reps < 1 || reps > 64) reps = 11;
  for (k = 2; k < argc && nt < 8; k++) nthreads[nt++] = atoi(argv[k]);
  if (nt == 0) {
    nthreads[0] = 1;
    nthreads[1] = 2;
    nt = 2;
  }
  memset(&c, 0, sizeof c);
  shp[0] = W2_N;
  c.x = nn_empty(shp, 1, NN_FLOAT32);
  c.b = nn_empty(shp, 1, NN_FLOAT32);
  c.y = nn_empty(shp, 1, NN_FLOAT32);
  shp[0] = W2_ROWS;
  c.r = nn_empty(shp, 1, NN_FLOAT32);
  shp[1] = W2_SCOLS;
  c.S = nn_empty(shp, 2, NN_FLOAT32);
  c.So = nn_empty(shp, 2, NN_FLOAT32);
  if (!c.x || !c.b || !c.y || !c.r || !c.S || !c.So) {
    fprintf(stderr, "w2: allocation failed: %s\n", nn_error());
    return 1;
  }
  for (i = 0; i < W2_N; i++) ((float *)c.x->data)[i] = w2_uniform();
  for (i = 0; i < W2_N; i++) ((float *)c.b->data)[i] = w2_uniform();
  for (i = 0; i < W2_N; i++) ((float *)c.y->data)[i] = 0.0f;
  for (i = 0; i < W2_ROWS; i++) ((float *)c.r->data)[i] = w2_uniform();
  for (i = 0; i < (int64_t)W2_ROWS * W2_SCOLS; i++) ((float *)c.S->data)[i] = w2_uniform();
  for (i = 0; i < (int64_t)W2_ROWS * W2_SCOLS; i++) ((float *)c.So->data)[i] = 0.0f;
  shp[0] = W2_ROWS;
  shp[1] = W2_N / W2_ROWS;
  c.X = nn_wrap(c.x->data, shp, 2, NN_FLOAT32); /* x viewed as (4096, 4096) */
  c.Y = nn_wrap(c.y->data, shp, 2, NN_FLOAT32);
  shp[0] = 65536;
  c.xs = nn_wrap(c.x->data, shp, 1, NN_FLOAT32); /* the first 65,536 elements: in L2 */
  c.ys = nn_wrap(c.y->data, shp, 1, NN_FLOAT32);
  printf("# nn.h %s, kernels: %s, reductions: %s\n", nn_version(), nn__kernels()->isa,
#if defined(NN_HAVE_REDUCE)
         "nn_sum/nn_softmax_out"
#else
         "kernel stand-ins (build without NN_HAVE_REDUCE)"
#endif
  );
  for (ti = 0; ti < nt; ti++) {
    nn_set_num_threads(nthreads[ti]);
    for (which = 0; which < C_COUNT; which++) {
      int inner = which >= C_EXP_L2 ? 64 : 1, rep, j;
      double med, elems;
      for (rep = 0; rep < 3; rep++) /* warm-up: page faults, pool start, caches */
        if (!w2_run(&c, which)) return 1;
      for (rep = 0; rep < reps; rep++) {
        double t0 = w2_now();
        for (j = 0; j < inner; j++) w2_run(&c, which);
        times[rep] = (w2_now() - t0) / inner;
      }
      qsort(times, (size_t)reps, sizeof(double), w2_cmp);
      med = times[reps / 2];
      if (which >= C_EXP_L2) {
        printf("w2.%s.nn.t%d.throughput %.3f Gelem/s\n", w2_names[which], nthreads[ti], 65536.0 / med * 1e-9);
        printf("w2.%s.nn.t%d.time %.4f ms\n", w2_names[which], nthreads[ti], med * 1e3);
      } else {
        elems = which == C_SOFTMAX ? (double)W2_ROWS * W2_SCOLS : (double)W2_N;
        printf("w2.%s.nn.t%d.throughput %.2f GB/s\n", w2_names[which], nthreads[ti], bytes_per[which] * elems / med * 1e-9);
        printf("w2.%s.nn.t%d.time %.3f ms\n", w2_names[which], nthreads[ti], med * 1e3);
      }
      fflush(stdout);
    }
  }
  if (c.sink == 12345.678) printf("#\n"); /* keeps the sums alive */
  nn_free(c.X);
  nn_free(c.Y);
  nn_free(c.xs);
  nn_free(c.ys);
  nn_free(c.x);
  nn_free(c.b);
  nn_free(c.y);
  nn_free(c.r);
  nn_free(c.S);
  nn_free(c.So);
  return 0;
}
