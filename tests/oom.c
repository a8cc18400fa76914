/* tests/oom.c: allocation-failure injection. Runs a workload over and over, making the k-th allocation fail for
   k = 0, 1, 2, ... until it completes. Every run must fail cleanly (an error, never a crash) and give back every
   block it took. Built with its own allocator hooks, so it is a separate program from the runner. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long oom_count = 0, oom_fail_at = -1, oom_live = 0;
static void *oom_malloc(size_t n) {
  void *p;
  if (oom_fail_at >= 0 && oom_count++ >= oom_fail_at) return NULL;
  p = malloc(n);
  if (p) oom_live++;
  return p;
}
#if defined(__GNUC__)
__attribute__((unused))
#endif
static void *oom_realloc(void *q, size_t n) {
  if (oom_fail_at >= 0 && oom_count++ >= oom_fail_at) return NULL;
  if (!q) return oom_malloc(n);
  return realloc(q, n);
}
static void oom_free(void *p) {
  if (p) oom_live--;
  free(p);
}
#define NN_MALLOC(sz) oom_malloc(sz)
#define NN_REALLOC(p, sz) oom_realloc(p, sz)
#define NN_FREE(p) oom_free(p)
#define NN_IMPLEMENTATION
#include "../nn.h"

/* Returns 1 when every step succeeded. Allocates only inside a scope, so nn_scope_end frees everything. */
static int oom_workload(void) {
  int64_t s23[2] = {2, 3}, s3[1] = {3};
  nn_tensor *a, *b, *c, *d;
  int ok = 1;
  nn_scope_begin();
  a = nn_reshape(nn_arange(0, 6, 1, NN_FLOAT32), s23, 2);
  b = nn_astype(nn_arange(0, 3, 1, NN_INT32), NN_FLOAT64);
  c = nn_add(nn_transpose(nn_transpose(a)), b);                    /* broadcast + promotion */
  d = nn_where(nn_greater(c, nn_scalar(2, NN_FLOAT32)), c, nn_exp(c));
  d = nn_clip(nn_add_scalar(d, 1.5), 0, 10);
  if (!a || !b || !c || !d) ok = 0;
  if (!nn_broadcast_to(b, s23, 2) || !nn_contiguous(nn_transpose(a)) || !nn_ones(s3, 1, NN_BOOL)) ok = 0;
  {
    nn_rng r;
    nn_tensor *parts[2], *vals = NULL, *idx = NULL, *cnt = NULL, *inv = NULL, *sp[2];
    int64_t pad[4] = {1, 1, 0, 2};
    int axes[2] = {0, 1};
    char buf[256];
    nn_rng_seed(&r, 1);
    parts[0] = a;
    parts[1] = c;
    if (!nn_sum(c, 1, 1) || !nn_var(c, 0, 1, 0) || !nn_argmax(c, NN_ALL_AXES, 0) || !nn_softmax(c, -1) ||
        !nn_cumsum(nn_transpose(c), 0) || !nn_reduce(NN_REDUCE_LOGSUMEXP, c, axes, 2, 0, 0))
      ok = 0;
    if (!nn_concatenate(parts, 2, 0) || !nn_stack(parts, 2, 1) || !nn_pad(a, pad, NN_PAD_REFLECT, 0) ||
        !nn_tile(b, pad, 2) || !nn_repeat(a, 2, 1) || nn_split(c, 2, 0, sp) != NN_OK)
      ok = 0;
    if (!nn_take(c, nn_arange(0, 2, 1, NN_INT64), 1) || !nn_masked_select(c, nn_greater(c, nn_scalar(3, NN_FLOAT64))) ||
        !nn_scatter_add(c, 1, nn_zeros(s23, 2, NN_INT64), c) || !nn_argwhere(a) || !nn_one_hot(nn_arange(0, 3, 1, NN_INT32), 4, NN_FLOAT32))
      ok = 0;
    if (!nn_sort(c, 1, 0) || !nn_argsort(c, 0, 1) || !nn_unique(c, &cnt, &inv) || nn_topk(c, 2, 1, 1, &vals, &idx) != NN_OK)
      ok = 0;
    if (!nn_matmul(a, nn_transpose(c)) || !nn_dot(b, b) || !nn_outer(b, b) || !nn_randn(&r, s23, 2, NN_FLOAT32) ||
        !nn_permutation(&r, 10) || nn_to_string(c, buf, sizeof buf, NULL) < 0)
      ok = 0;
    {
      int64_t xs[4] = {2, 3, 6, 6}, ws[4] = {4, 3, 3, 3};
      nn_conv_params cp;
      nn_tensor *xi = nn_randn(&r, xs, 4, NN_FLOAT32), *wi = nn_randn(&r, ws, 4, NN_FLOAT32), *y, *db = NULL, *am = NULL;
      memset(&cp, 0, sizeof cp);
      cp.padding[0] = cp.padding[1] = 1;
      y = nn_conv2d(xi, wi, NULL, &cp);
      if (!y || !nn_conv2d_backward_input(y, wi, xs, &cp) || !nn_conv2d_backward_weight(y, xi, ws, &cp, &db) ||
          !nn_max_pool2d(xi, 2, 2, NULL, &am) || !nn_avg_pool2d(xi, 2, 2, NULL))
        ok = 0;
    }
  }
  nn_scope_end();
  return ok;
}

int main(void) {
  long k, base;
  int passed = 0, failed = 0;
  /* one clean run first: process-lifetime caches (the GEMM packing buffer, the thread pool) are not leaks */
  if (!oom_workload()) {
    fprintf(stderr, "FAIL: the workload fails without injected failures: %s\n", nn_error());
    return 1;
  }
  base = oom_live;
  for (k = 0; k < 100000; k++) {
    int ok;
    oom_count = 0;
    oom_fail_at = k;
    ok = oom_workload();
    oom_fail_at = -1;
    if (oom_live != base) {
      fprintf(stderr, "FAIL: %ld blocks leaked when allocation %ld failed (%s)\n", oom_live - base, k, nn_error());
      failed++;
      base = oom_live;
    } else {
      passed++;
    }
    if (ok) break;
    if (nn_last_status() != NN_ERR_OOM && nn_last_status() != NN_ERR_NULL) {
      fprintf(stderr, "FAIL: allocation %ld failed with status %d: %s\n", k, (int)nn_last_status(), nn_error());
      failed++;
    }
  }
  printf("oom: workload completes after %ld injected failures\n", k);
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
