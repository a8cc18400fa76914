/* tests/test_grad_math.c: gradients of the reductions, scans, softmax, matrix products, nn_linear, convolution and
   pooling: float64 finite-difference checks (nn_gradcheck) over axes/keepdims/broadcasting/strides/groups and
   non-contiguous inputs, PyTorch references at the special points (ties, zeros, std = 0) and for nn_linear, and a
   leak check. */
#include "ref/grad_math_ref.h"

/* A float64 leaf requiring grad with values lo + (hi - lo) * u, u from a fixed sequence. */
static nn_tensor *gm_leaf(const int64_t *shape, int ndim, double lo, double hi, unsigned seed) {
  nn_tensor *t = nn_empty(shape, ndim, NN_FLOAT64);
  int64_t i;
  unsigned s = seed * 2654435761u + 12345u;
  for (i = 0; i < t->size; i++) {
    s = s * 1103515245u + 12345u;
    nn_set_flat(t, i, lo + (hi - lo) * ((s >> 8) & 0xFFFF) / 65536.0);
  }
  nn_requires_grad(t, 1);
  return t;
}

/* A non-contiguous (rows, cols) leaf: the transpose of a contiguous (cols, rows) array. */
static nn_tensor *gm_leaf_t(int64_t rows, int64_t cols, double lo, double hi, unsigned seed) {
  int64_t s[2];
  nn_tensor *base, *t;
  s[0] = cols;
  s[1] = rows;
  base = gm_leaf(s, 2, lo, hi, seed);
  nn_requires_grad(base, 0);
  t = nn_transpose(base);
  nn_requires_grad(t, 1);
  return t;
}

/* A float32 leaf requiring grad, with gm_leaf's values. */
static nn_tensor *gm_leaf32(const int64_t *shape, int ndim, double lo, double hi, unsigned seed) {
  nn_tensor *t64 = gm_leaf(shape, ndim, lo, hi, seed), *t;
  nn_requires_grad(t64, 0);
  t = nn_astype(t64, NN_FLOAT32);
  nn_free(t64);
  nn_requires_grad(t, 1);
  return t;
}

/* The reference generator's inputs: an LCG over the flat index, k/8 for k in [-16, 16], or integers in [-2, 2]. */
static void gm_fill(nn_tensor *t, unsigned seed, int coarse, double scale) {
  int64_t i;
  for (i = 0; i < t->size; i++) {
    uint64_t h = ((uint64_t)i * 1103515245ull + (uint64_t)seed * 12345ull + 12345ull) & 0x7FFFFFFFull;
    double v = coarse ? (double)((h >> 8) % 5) - 2.0 : ((double)((h >> 8) % 33) - 16.0) / 8.0;
    nn_set_flat(t, i, v * scale);
  }
}

/* Distinct values (a permutation of n levels) for max pooling: no ties within eps of each other. */
static nn_tensor *gm_leaf_distinct(const int64_t *shape, int ndim, unsigned seed) {
  nn_tensor *t = nn_empty(shape, ndim, NN_FLOAT64);
  int64_t i, n = t->size;
  for (i = 0; i < n; i++) nn_set_flat(t, i, (double)((i * 7919 + seed) % n) / (double)n * 4.0 - 2.0);
  nn_requires_grad(t, 1);
  return t;
}

static int gm_check(nn_grad_fn f, void *ctx, nn_tensor *const *in, int n, const char *what) {
  nn_status st = nn_gradcheck(f, ctx, in, n, 1e-6, 1e-7, 1e-5);
  if (st != NN_OK) NT_FAIL("%s: %s", what, nn_error());
  CHECK(st == NN_OK);
  return st == NN_OK;
}

/* max |a - b| / max(1, |b|) over all elements (a, b of the same size). */
static double gm_maxrel(const nn_tensor *a, const nn_tensor *b) {
  double m = 0;
  int64_t i;
  if (!a || !b || a->size != b->size) return 1e30;
  for (i = 0; i < a->size; i++) {
    double x = nn_get_flat(a, i), y = nn_get_flat(b, i), d = fabs(x - y) / (fabs(y) > 1 ? fabs(y) : 1);
    if (!(d <= m)) m = d;
  }
  return m;
}

/* ---- reductions ---- */

typedef struct gm_red_ctx {
  nn_reduce_op op;
  const int *axes;
  int naxes, keepdims, ddof;
} gm_red_ctx;

static nn_tensor *gm_f_reduce(nn_tensor *const *in, int n, void *vctx) {
  const gm_red_ctx *c = (const gm_red_ctx *)vctx;
  (void)n;
  return nn_reduce(c->op, in[0], c->axes, c->naxes, c->keepdims, c->ddof);
}

static void test_grad_reduce_gradcheck(void) {
  static const nn_reduce_op ops[] = {NN_REDUCE_SUM, NN_REDUCE_MEAN,      NN_REDUCE_PROD, NN_REDUCE_MIN,
                                     NN_REDUCE_MAX, NN_REDUCE_LOGSUMEXP, NN_REDUCE_VAR,  NN_REDUCE_STD};
  static const int ax1[] = {1}, axneg[] = {-1}, ax02[] = {0, 2}, axneg2[] = {-3, -2}, axnone[] = {0};
  const int *axsets[6] = {ax1, axneg, ax02, axneg2, NULL, axnone};
  static const int naxs[6] = {1, 1, 2, 2, 0, 0};
  int64_t shape[3] = {2, 3, 4};
  size_t o;
  int a, k, ddof;
  char what[128];
  for (o = 0; o < sizeof ops / sizeof ops[0]; o++)
    for (a = 0; a < 6; a++)
      for (k = 0; k < 2; k++)
        for (ddof = 0; ddof < 2; ddof++) {
          gm_red_ctx c;
          nn_tensor *x;
          int var = ops[o] == NN_REDUCE_VAR || ops[o] == NN_REDUCE_STD;
          if (ddof && (!var || a == 5)) continue; /* ddof = 1 over one element divides by zero */
          c.op = ops[o];
          c.axes = axsets[a];
          c.naxes = naxs[a];
          c.keepdims = k;
          c.ddof = ddof;
          x = ops[o] == NN_REDUCE_PROD ? gm_leaf(shape, 3, 0.5, 1.5, (unsigned)(o * 31 + a))
                                       : gm_leaf(shape, 3, -2, 2, (unsigned)(o * 31 + a));
          snprintf(what, sizeof what, "reduce op %d axes set %d keepdims %d ddof %d", (int)ops[o], a, k, ddof);
          gm_check(gm_f_reduce, &c, &x, 1, what);
          nn_free(x);
        }
  /* non-contiguous input: a transposed leaf, along each axis and all */
  for (o = 0; o < sizeof ops / sizeof ops[0]; o++)
    for (a = 0; a < 3; a++) {
      static const int a0[] = {0}, a1[] = {-1};
      gm_red_ctx c;
      nn_tensor *x = gm_leaf_t(4, 5, ops[o] == NN_REDUCE_PROD ? 0.5 : -2, ops[o] == NN_REDUCE_PROD ? 1.5 : 2,
                               (unsigned)(o + 100));
      c.op = ops[o];
      c.axes = a == 0 ? a0 : a == 1 ? a1 : NULL;
      c.naxes = a < 2 ? 1 : 0;
      c.keepdims = a == 1;
      c.ddof = 0;
      snprintf(what, sizeof what, "transposed reduce op %d case %d", (int)ops[o], a);
      gm_check(gm_f_reduce, &c, &x, 1, what);
      nn_free(x);
    }
}

/* prod is a polynomial, so finite differences are exact at zeros too: one zero and two zeros in a slice. */
static void test_grad_prod_zeros(void) {
  static const int ax1[] = {1};
  int64_t shape[2] = {3, 4};
  gm_red_ctx c;
  nn_tensor *x = gm_leaf(shape, 2, -1.5, 1.5, 7), *y;
  c.op = NN_REDUCE_PROD;
  c.axes = ax1;
  c.naxes = 1;
  c.keepdims = 0;
  c.ddof = 0;
  nn_set_flat(x, 1, 0.0);                     /* row 0: one zero */
  nn_set_flat(x, 4, 0.0);                     /* row 1: two zeros */
  nn_set_flat(x, 6, 0.0);
  gm_check(gm_f_reduce, &c, &x, 1, "prod with zeros along axis 1");
  c.axes = NULL;
  c.naxes = 0;
  gm_check(gm_f_reduce, &c, &x, 1, "prod with zeros over all axes");
  /* one zero in the whole array: only it gets a gradient, the product of the others */
  nn_set_flat(x, 4, 0.5);
  nn_set_flat(x, 6, 0.5);
  y = nn_prod(x, NN_ALL_AXES, 0);
  CHECK(nn_backward(y, NULL) == NN_OK);
  {
    double p = 1;
    int64_t i;
    for (i = 0; i < 12; i++)
      if (i != 1) p *= nn_get_flat(x, i);
    CHECK_NEAR(nn_get_flat(nn_grad(x), 1), p, 1e-12);
    CHECK(nn_get_flat(nn_grad(x), 0) == 0.0 && nn_get_flat(nn_grad(x), 11) == 0.0);
  }
  nn_free(x);
}

/* min/max split the gradient evenly among tied extrema (torch.amax / torch.amin). */
static void test_grad_minmax_ties(void) {
  int64_t shape[2] = {2, 4};
  double xv[8] = {1, 3, 3, 0, 2, 2, 2, -1};
  nn_tensor *x = nn_from_data(xv, shape, 2, NN_FLOAT64), *y;
  double e1[8] = {0, 0.5, 0.5, 0, 1.0 / 3, 1.0 / 3, 1.0 / 3, 0};
  double e2[8] = {0, 0, 0, 0, 0, 0, 0, 1};
  nn_requires_grad(x, 1);
  y = nn_max(x, 1, 0);
  CHECK(nn_backward(y, nn_ones(y->shape, 1, NN_FLOAT64)) == NN_OK);
  CHECK_TENSOR(nn_grad(x), e1, 8, 1e-15);
  nn_zero_grad(x);
  y = nn_min(x, NN_ALL_AXES, 1);
  CHECK(nn_backward(y, NULL) == NN_OK);
  CHECK_TENSOR(nn_grad(x), e2, 8, 0);
  nn_zero_grad(x);
  xv[7] = 0;
  x = nn_from_data(xv, shape, 2, NN_FLOAT64);
  nn_requires_grad(x, 1);
  y = nn_min(x, -1, 1); /* a single minimum (0) in each row */
  CHECK(nn_backward(y, nn_full(y->shape, 2, 3.0, NN_FLOAT64)) == NN_OK);
  CHECK_NEAR(nn_get_flat(nn_grad(x), 3), 3.0, 0);
  CHECK_NEAR(nn_get_flat(nn_grad(x), 7), 3.0, 0);
  nn_free(x);
}

/* PyTorch's gradients at the special points: ties, zeros, std = 0, and softmax/log_softmax/logsumexp. */
static void test_grad_reduce_torch_ref(void) {
  size_t r;
  for (r = 0; r < sizeof gm_reduce_refs / sizeof gm_reduce_refs[0]; r++) {
    const gm_reduce_ref *c = &gm_reduce_refs[r];
    nn_tensor *x = nn_empty(c->xshape, c->ndim, NN_FLOAT64), *y = NULL, *g;
    int k, axis = c->axis == -100 ? NN_ALL_AXES : c->axis;
    gm_fill(x, (unsigned)c->seed, c->coarse, 1.0);
    for (k = 0; k < 4; k++)
      if (c->zeros[k] >= 0) nn_set_flat(x, c->zeros[k], 0.0);
    if (c->equal_rows) { /* 2-D, axis 0: every row is row 0 */
      int64_t i, j;
      for (i = 1; i < c->xshape[0]; i++)
        for (j = 0; j < c->xshape[1]; j++) nn_set_flat(x, i * c->xshape[1] + j, nn_get_flat(x, j));
    }
    nn_requires_grad(x, 1);
    switch (c->op) {
      case 0: y = nn_max(x, axis, c->keepdims); break;
      case 1: y = nn_min(x, axis, c->keepdims); break;
      case 2: y = nn_prod(x, axis, c->keepdims); break;
      case 3: y = nn_std(x, axis, c->ddof, c->keepdims); break;
      case 4: y = nn_cumprod(x, axis); break;
      case 5: y = nn_log_softmax(x, axis); break;
      case 6: y = nn_logsumexp(x, axis, c->keepdims); break;
      default: y = nn_softmax(x, axis); break;
    }
    if (!y) {
      NT_FAIL("%s: %s", c->name, nn_error());
      continue;
    }
    g = nn_empty(y->shape, y->ndim, NN_FLOAT64);
    gm_fill(g, (unsigned)c->seed + 7, 0, 0.5);
    CHECK(nn_backward(y, g) == NN_OK);
    if (!nt_tensor_near(nn_grad(x), c->dx, x->size, 1e-12)) NT_FAIL("case %s", c->name);
    nn_free(x);
  }
}

/* ---- scans and softmax ---- */

typedef struct gm_axis_ctx {
  int kind; /* 0 cumsum, 1 cumprod, 2 softmax, 3 log_softmax */
  int axis;
} gm_axis_ctx;

static nn_tensor *gm_f_axis(nn_tensor *const *in, int n, void *vctx) {
  const gm_axis_ctx *c = (const gm_axis_ctx *)vctx;
  (void)n;
  switch (c->kind) {
    case 0: return nn_cumsum(in[0], c->axis);
    case 1: return nn_cumprod(in[0], c->axis);
    case 2: return nn_softmax(in[0], c->axis);
    default: return nn_log_softmax(in[0], c->axis);
  }
}

static void test_grad_scan_softmax_gradcheck(void) {
  static const int axes[] = {0, 1, 2, -1, -2, NN_ALL_AXES};
  int64_t shape[3] = {3, 4, 6}, shape2[3] = {2, 3, 37};
  int kind;
  size_t a;
  char what[96];
  for (kind = 0; kind < 4; kind++)
    for (a = 0; a < sizeof axes / sizeof axes[0]; a++) {
      gm_axis_ctx c;
      nn_tensor *x = gm_leaf(shape, 3, kind == 1 ? 0.5 : -2, kind == 1 ? 1.5 : 2, (unsigned)(kind * 10 + a));
      c.kind = kind;
      c.axis = axes[a];
      snprintf(what, sizeof what, "scan kind %d axis %d", kind, axes[a]);
      gm_check(gm_f_axis, &c, &x, 1, what);
      nn_free(x);
    }
  /* long rows (the unrolled sums), non-contiguous inputs, cumprod with zeros */
  for (kind = 0; kind < 4; kind++) {
    gm_axis_ctx c;
    nn_tensor *x = gm_leaf(shape2, 3, -1.5, 1.5, (unsigned)(kind + 50)), *xt = gm_leaf_t(5, 7, -1.5, 1.5, 60);
    c.kind = kind;
    c.axis = -1;
    if (kind == 1) { /* a zero early in one line, two zeros in another, a zero at the end of a third */
      nn_set_flat(x, 3, 0.0);
      nn_set_flat(x, 40, 0.0);
      nn_set_flat(x, 50, 0.0);
      nn_set_flat(x, 110, 0.0);
    }
    snprintf(what, sizeof what, "long rows kind %d", kind);
    gm_check(gm_f_axis, &c, &x, 1, what);
    c.axis = 0;
    snprintf(what, sizeof what, "transposed kind %d axis 0", kind);
    gm_check(gm_f_axis, &c, &xt, 1, what);
    c.axis = 1;
    if (kind == 1) nn_set_flat(xt, 8, 0.0);
    snprintf(what, sizeof what, "transposed kind %d axis 1", kind);
    gm_check(gm_f_axis, &c, &xt, 1, what);
    nn_free(x);
    nn_free(xt);
  }
  /* cumprod with zeros along a column axis (strided lines) */
  {
    gm_axis_ctx c;
    nn_tensor *x = gm_leaf(shape, 3, -1.5, 1.5, 77);
    nn_set_flat(x, 6, 0.0);
    nn_set_flat(x, 12, 0.0);
    nn_set_flat(x, 30, 0.0);
    c.kind = 1;
    c.axis = 1;
    gm_check(gm_f_axis, &c, &x, 1, "cumprod zeros axis 1");
    c.axis = NN_ALL_AXES;
    gm_check(gm_f_axis, &c, &x, 1, "cumprod zeros flattened");
    nn_free(x);
  }
}

/* float32 gradients of softmax, log_softmax and the scans agree with float64 ones computed on the same values. */
static void test_grad_scan_float32(void) {
  int64_t shape[3] = {4, 3, 70};
  int kind, axis;
  for (kind = 0; kind < 4; kind++)
    for (axis = 0; axis < 3; axis++) {
      nn_tensor *x = gm_leaf(shape, 3, kind == 1 ? 0.9 : -2, kind == 1 ? 1.1 : 2, (unsigned)(kind + axis));
      nn_tensor *x32 = nn_astype(nn_detach(x), NN_FLOAT32), *y, *y32, *g, *g32;
      gm_axis_ctx c;
      nn_tensor *in[1];
      nn_requires_grad(x32, 1);
      c.kind = kind;
      c.axis = axis;
      in[0] = x;
      y = gm_f_axis(in, 1, &c);
      in[0] = x32;
      y32 = gm_f_axis(in, 1, &c);
      g = nn_empty(y->shape, y->ndim, NN_FLOAT64);
      gm_fill(g, (unsigned)(kind * 3 + axis), 0, 0.5);
      g32 = nn_astype(g, NN_FLOAT32);
      CHECK(nn_backward(y, g) == NN_OK);
      CHECK(nn_backward(y32, g32) == NN_OK);
      CHECK(nn_grad(x32) && nn_grad(x32)->dtype == NN_FLOAT32);
      if (!(gm_maxrel(nn_grad(x32), nn_grad(x)) < 2e-5))
        NT_FAIL("kind %d axis %d: float32 gradient off by %g", kind, axis, gm_maxrel(nn_grad(x32), nn_grad(x)));
      nn_free(x);
      nn_free(x32);
    }
}

/* ---- matrix products ---- */

typedef struct gm_mm_case {
  int nda, ndb;
  int64_t sa[4], sb[4];
} gm_mm_case;

static nn_tensor *gm_f_matmul(nn_tensor *const *in, int n, void *ctx) {
  (void)n;
  (void)ctx;
  return nn_matmul(in[0], in[1]);
}
static nn_tensor *gm_f_dot(nn_tensor *const *in, int n, void *ctx) {
  (void)n;
  (void)ctx;
  return nn_dot(in[0], in[1]);
}
static nn_tensor *gm_f_inner(nn_tensor *const *in, int n, void *ctx) {
  (void)n;
  (void)ctx;
  return nn_inner(in[0], in[1]);
}
static nn_tensor *gm_f_outer(nn_tensor *const *in, int n, void *ctx) {
  (void)n;
  (void)ctx;
  return nn_outer(in[0], in[1]);
}
static nn_tensor *gm_f_trace(nn_tensor *const *in, int n, void *ctx) {
  (void)n;
  (void)ctx;
  return nn_trace(in[0]);
}

static void test_grad_matmul_gradcheck(void) {
  static const gm_mm_case cases[] = {
      {1, 1, {4}, {4}},                      /* 1-D x 1-D */
      {1, 2, {3}, {3, 5}},                   /* 1-D x 2-D */
      {2, 1, {4, 3}, {3}},                   /* 2-D x 1-D */
      {2, 2, {4, 3}, {3, 5}},                /* plain */
      {3, 2, {2, 4, 3}, {3, 5}},             /* batched x matrix */
      {2, 3, {4, 3}, {2, 3, 5}},             /* matrix x batched */
      {3, 3, {2, 4, 3}, {2, 3, 5}},          /* same batch */
      {4, 3, {2, 1, 3, 4}, {3, 4, 2}},       /* broadcast batch both ways */
      {3, 4, {1, 2, 3}, {2, 3, 3, 4}},       /* broadcast a over two axes */
      {1, 3, {3}, {2, 3, 4}},                /* 1-D x batched */
      {3, 1, {2, 4, 3}, {3}},                /* batched x 1-D */
      {4, 4, {2, 1, 1, 3}, {1, 3, 3, 2}},    /* M = 1 rows, broadcast */
      {2, 2, {4, 0}, {0, 3}},                /* K = 0 */
      {3, 2, {0, 4, 3}, {3, 5}},             /* empty batch: b's gradient is zero */
  };
  size_t c;
  char what[64];
  for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    nn_tensor *in[2];
    in[0] = gm_leaf(cases[c].sa, cases[c].nda, -1.5, 1.5, (unsigned)(2 * c));
    in[1] = gm_leaf(cases[c].sb, cases[c].ndb, -1.5, 1.5, (unsigned)(2 * c + 1));
    snprintf(what, sizeof what, "matmul case %d", (int)c);
    if (in[0]->size == 0 || in[1]->size == 0) {
      nn_tensor *y = nn_matmul(in[0], in[1]), *s = nn_sum(y, NN_ALL_AXES, 0);
      CHECK(nn_backward(s, NULL) == NN_OK);
      CHECK(nn_grad(in[0]) && nn_grad(in[0])->size == in[0]->size);
      CHECK(nn_grad(in[1]) && nn_grad(in[1])->size == in[1]->size);
      CHECK(nn_grad(in[1]) && (in[1]->size == 0 || nn_sum_all(nn_abs(nn_grad(in[1]))) == 0.0));
    } else {
      gm_check(gm_f_matmul, NULL, in, 2, what);
    }
    /* dot agrees with matmul on these shapes (when b has at most 2 axes) and has its own rule otherwise */
    if (in[0]->size > 0 && cases[c].ndb <= 2) {
      snprintf(what, sizeof what, "dot case %d", (int)c);
      gm_check(gm_f_dot, NULL, in, 2, what);
    }
    nn_free(in[0]);
    nn_free(in[1]);
  }
  /* transposed leaves (GEMM flags), a gapped operand (copied), only one operand requiring grad, mixed dtypes */
  {
    int64_t s1[2] = {5, 8}, sb[2] = {3, 4};
    nn_tensor *in[2], *base, *y, *t;
    in[0] = gm_leaf_t(4, 3, -1, 1, 11);
    in[1] = gm_leaf_t(3, 5, -1, 1, 12);
    gm_check(gm_f_matmul, NULL, in, 2, "matmul transposed leaves");
    base = gm_leaf(s1, 2, -1, 1, 13);
    nn_requires_grad(base, 0);
    nn_free(in[0]);
    in[0] = nn_slice(base, 1, 0, 8, 2); /* (5, 4), column stride 2 */
    nn_requires_grad(in[0], 1);
    nn_free(in[1]);
    in[1] = gm_leaf(sb + 1, 1, -1, 1, 14); /* (4,) */
    gm_check(gm_f_matmul, NULL, in, 2, "matmul gapped a, 1-D b");
    nn_requires_grad(in[0], 0);
    gm_check(gm_f_matmul, NULL, in, 2, "matmul only b requires grad");
    nn_free(in[0]);
    t = gm_leaf(sb, 2, -1, 1, 15);
    nn_requires_grad(t, 0);
    in[0] = nn_astype(t, NN_FLOAT32); /* float32 @ float64 -> float64 */
    gm_check(gm_f_matmul, NULL, in, 2, "matmul float32 a, float64 b");
    nn_requires_grad(in[0], 1);
    y = nn_matmul(in[0], in[1]);
    CHECK(y && y->dtype == NN_FLOAT64);
    CHECK(nn_backward(nn_sum(y, NN_ALL_AXES, 0), NULL) == NN_OK);
    CHECK(nn_grad(in[0]) && nn_grad(in[0])->dtype == NN_FLOAT32);
    CHECK_NEAR(nn_get_flat(nn_grad(in[0]), 5), nn_get_flat(in[1], 1), 1e-7);
  }
}

/* Larger products (the blocked, parallel GEMM paths): gradients against explicit products of transposes. */
static void test_grad_matmul_large(void) {
  int64_t sa[4] = {2, 1, 64, 48}, sb[3] = {3, 48, 80};
  int ax1 = 1, ax0 = 0;
  nn_tensor *a = gm_leaf(sa, 4, -1, 1, 1), *b = gm_leaf(sb, 3, -1, 1, 2), *y, *g, *ea, *eb;
  y = nn_matmul(a, b); /* (2, 3, 64, 80) */
  g = nn_empty(y->shape, y->ndim, NN_FLOAT64);
  gm_fill(g, 3, 0, 1.0);
  CHECK(nn_backward(y, g) == NN_OK);
  ea = nn_reduce(NN_REDUCE_SUM, nn_matmul(g, nn_swapaxes(b, -1, -2)), &ax1, 1, 1, 0);
  eb = nn_reduce(NN_REDUCE_SUM, nn_matmul(nn_swapaxes(a, -1, -2), g), &ax0, 1, 0, 0);
  CHECK(gm_maxrel(nn_grad(a), ea) < 1e-12);
  CHECK(gm_maxrel(nn_grad(b), eb) < 1e-12);
  { /* float32: the same gradients to float32 accuracy */
    nn_tensor *a32 = gm_leaf32(sa, 4, -1, 1, 1), *b32 = gm_leaf32(sb, 3, -1, 1, 2);
    y = nn_matmul(a32, b32);
    CHECK(y && y->dtype == NN_FLOAT32);
    CHECK(nn_backward(y, nn_astype(g, NN_FLOAT32)) == NN_OK);
    CHECK(gm_maxrel(nn_grad(a32), ea) < 1e-4);
    CHECK(gm_maxrel(nn_grad(b32), eb) < 1e-4);
    nn_free(a32);
    nn_free(b32);
  }
  nn_free(a);
  nn_free(b);
}

static void test_grad_dot_inner_outer_trace(void) {
  static const gm_mm_case dots[] = {
      {0, 2, {0}, {3, 2}},          /* 0-d: a * b */
      {1, 1, {5}, {5}},             /* inner product */
      {3, 3, {2, 2, 3}, {4, 3, 2}}, /* N-d: sum over a's last and b's second-to-last axis */
      {2, 4, {2, 3}, {2, 2, 3, 2}},
      {1, 3, {3}, {2, 3, 4}},
  };
  static const gm_mm_case inners[] = {
      {1, 1, {4}, {4}}, {2, 3, {2, 3}, {2, 2, 3}}, {3, 1, {2, 2, 3}, {3}}, {0, 2, {0}, {2, 3}}};
  static const gm_mm_case outers[] = {{1, 1, {4}, {3}}, {2, 3, {2, 3}, {2, 1, 2}}};
  size_t c;
  char what[64];
  for (c = 0; c < sizeof dots / sizeof dots[0]; c++) {
    nn_tensor *in[2];
    in[0] = gm_leaf(dots[c].sa, dots[c].nda, -1.5, 1.5, (unsigned)c);
    in[1] = gm_leaf(dots[c].sb, dots[c].ndb, -1.5, 1.5, (unsigned)c + 20);
    snprintf(what, sizeof what, "dot case %d", (int)c);
    gm_check(gm_f_dot, NULL, in, 2, what);
    nn_free(in[0]);
    nn_free(in[1]);
  }
  for (c = 0; c < sizeof inners / sizeof inners[0]; c++) {
    nn_tensor *in[2];
    in[0] = gm_leaf(inners[c].sa, inners[c].nda, -1.5, 1.5, (unsigned)c + 40);
    in[1] = gm_leaf(inners[c].sb, inners[c].ndb, -1.5, 1.5, (unsigned)c + 60);
    snprintf(what, sizeof what, "inner case %d", (int)c);
    gm_check(gm_f_inner, NULL, in, 2, what);
    nn_free(in[0]);
    nn_free(in[1]);
  }
  for (c = 0; c < sizeof outers / sizeof outers[0]; c++) {
    nn_tensor *in[2];
    in[0] = gm_leaf(outers[c].sa, outers[c].nda, -1.5, 1.5, (unsigned)c + 80);
    in[1] = gm_leaf(outers[c].sb, outers[c].ndb, -1.5, 1.5, (unsigned)c + 90);
    snprintf(what, sizeof what, "outer case %d", (int)c);
    gm_check(gm_f_outer, NULL, in, 2, what);
    nn_free(in[0]);
    nn_free(in[1]);
  }
  { /* transposed leaves through dot, inner and outer; trace of square, wide and tall matrices */
    nn_tensor *in[2];
    int64_t s3[3] = {2, 5, 3};
    in[0] = gm_leaf_t(3, 5, -1, 1, 100);
    in[1] = gm_leaf(s3, 3, -1, 1, 101);
    gm_check(gm_f_dot, NULL, in, 2, "dot transposed a, 3-D b");
    nn_free(in[1]);
    in[1] = gm_leaf_t(4, 5, -1, 1, 102);
    gm_check(gm_f_inner, NULL, in, 2, "inner transposed");
    gm_check(gm_f_outer, NULL, in, 2, "outer transposed");
    gm_check(gm_f_trace, NULL, in, 1, "trace 3x5");
    gm_check(gm_f_trace, NULL, in + 1, 1, "trace 4x5");
    nn_free(in[0]);
    nn_free(in[1]);
  }
}

/* ---- nn_linear ---- */

typedef struct gm_lin_ctx {
  int bias;
} gm_lin_ctx;

static nn_tensor *gm_f_linear(nn_tensor *const *in, int n, void *ctx) {
  (void)ctx;
  return nn_linear(in[0], in[1], n > 2 ? in[2] : NULL);
}

static void test_grad_linear_gradcheck(void) {
  static const int64_t xs[4][3] = {{5, 4, 0}, {2, 3, 4}, {4, 0, 0}, {1, 1, 4}};
  static const int xnd[4] = {2, 3, 1, 3};
  int64_t ws[2] = {3, 4}, bs[1] = {3};
  int c, bias;
  char what[64];
  for (c = 0; c < 4; c++)
    for (bias = 0; bias < 2; bias++) {
      nn_tensor *in[3];
      in[0] = gm_leaf(xs[c], xnd[c], -1.5, 1.5, (unsigned)c);
      in[1] = gm_leaf(ws, 2, -1.5, 1.5, (unsigned)c + 10);
      in[2] = gm_leaf(bs, 1, -1.5, 1.5, (unsigned)c + 20);
      snprintf(what, sizeof what, "linear case %d bias %d", c, bias);
      gm_check(gm_f_linear, NULL, in, bias ? 3 : 2, what);
      nn_free(in[0]);
      nn_free(in[1]);
      nn_free(in[2]);
    }
  { /* non-contiguous x (transposed: read in place; permuted 3-D: copied), transposed w, strided b */
    int64_t s3[3] = {3, 2, 4}, s1[1] = {6};
    nn_tensor *in[3], *base;
    in[0] = gm_leaf_t(5, 4, -1, 1, 30);
    in[1] = gm_leaf_t(3, 4, -1, 1, 31);
    base = gm_leaf(s1, 1, -1, 1, 32);
    nn_requires_grad(base, 0);
    in[2] = nn_slice(base, 0, 0, 6, 2);
    nn_requires_grad(in[2], 1);
    gm_check(gm_f_linear, NULL, in, 3, "linear transposed x and w, strided b");
    nn_free(in[0]);
    base = gm_leaf(s3, 3, -1, 1, 33);
    nn_requires_grad(base, 0);
    in[0] = nn_swapaxes(base, 0, 1); /* (2, 3, 4), leading axes not mergeable */
    nn_requires_grad(in[0], 1);
    gm_check(gm_f_linear, NULL, in, 3, "linear permuted x");
    /* only one input requiring grad at a time */
    nn_requires_grad(in[0], 0);
    nn_requires_grad(in[1], 0);
    gm_check(gm_f_linear, NULL, in, 3, "linear only b");
    nn_requires_grad(in[1], 1);
    nn_requires_grad(in[2], 0);
    gm_check(gm_f_linear, NULL, in, 3, "linear only w");
    nn_requires_grad(in[1], 0);
    nn_requires_grad(in[0], 1);
    gm_check(gm_f_linear, NULL, in, 3, "linear only x");
    nn_free(in[0]);
    nn_free(in[1]);
    nn_free(in[2]);
  }
}

/* Against torch.nn.functional.linear in float32 (outputs and the three gradients, 1e-5 relative). */
static void test_grad_linear_torch_ref(void) {
  size_t r;
  for (r = 0; r < sizeof gm_linear_refs / sizeof gm_linear_refs[0]; r++) {
    const gm_linear_ref *c = &gm_linear_refs[r];
    int64_t in = c->xshape[c->ndim - 1], ws[2], bs[1];
    nn_tensor *x = nn_empty(c->xshape, c->ndim, NN_FLOAT32), *w, *b = NULL, *y, *g;
    ws[0] = c->out;
    ws[1] = in;
    bs[0] = c->out;
    w = nn_empty(ws, 2, NN_FLOAT32);
    gm_fill(x, (unsigned)c->seed, 0, 1.0);
    gm_fill(w, (unsigned)c->seed + 1, 0, 1.0);
    nn_requires_grad(x, 1);
    nn_requires_grad(w, 1);
    if (c->bias) {
      b = nn_empty(bs, 1, NN_FLOAT32);
      gm_fill(b, (unsigned)c->seed + 2, 0, 1.0);
      nn_requires_grad(b, 1);
    }
    y = nn_linear(x, w, b);
    if (!y) {
      NT_FAIL("%s: %s", c->name, nn_error());
      continue;
    }
    CHECK(y->dtype == NN_FLOAT32 && y->shape[y->ndim - 1] == c->out);
    if (!nt_tensor_near(y, c->y, y->size, 1e-5)) NT_FAIL("%s: output", c->name);
    g = nn_empty(y->shape, y->ndim, NN_FLOAT32);
    gm_fill(g, (unsigned)c->seed + 7, 0, 0.5);
    CHECK(nn_backward(y, g) == NN_OK);
    if (!nt_tensor_near(nn_grad(x), c->dx, x->size, 1e-5)) NT_FAIL("%s: dx", c->name);
    if (!nt_tensor_near(nn_grad(w), c->dw, w->size, 1e-5)) NT_FAIL("%s: dw", c->name);
    if (b && !nt_tensor_near(nn_grad(b), c->db, b->size, 1e-5)) NT_FAIL("%s: db", c->name);
    nn_free(x);
    nn_free(w);
    nn_free(b);
  }
}

/* Larger float32 linear: forward against matmul + add, gradients against the explicit formulas. */
static void test_grad_linear_large(void) {
  int64_t xs[3] = {4, 16, 96}, ws[2] = {80, 96}, bs[1] = {80};
  int ax[2] = {0, 1};
  nn_tensor *x = gm_leaf32(xs, 3, -1, 1, 1), *w = gm_leaf32(ws, 2, -1, 1, 2), *b = gm_leaf32(bs, 1, -1, 1, 3);
  nn_tensor *y, *e, *g, *x2;
  int64_t s2[2] = {64, 96}, g2s[2] = {64, 80};
  y = nn_linear(x, w, b);
  nn_no_grad_begin();
  e = nn_add(nn_matmul(x, nn_transpose(w)), b);
  nn_no_grad_end();
  CHECK(y && e && gm_maxrel(y, e) < 1e-5);
  g = nn_empty(y->shape, 3, NN_FLOAT32);
  gm_fill(g, 4, 0, 1.0);
  CHECK(nn_backward(y, g) == NN_OK);
  nn_no_grad_begin();
  x2 = nn_reshape(x, s2, 2);
  CHECK(gm_maxrel(nn_grad(x), nn_matmul(g, w)) < 1e-5);
  CHECK(gm_maxrel(nn_grad(w), nn_matmul(nn_transpose(nn_reshape(g, g2s, 2)), x2)) < 1e-5);
  CHECK(gm_maxrel(nn_grad(b), nn_reduce(NN_REDUCE_SUM, g, ax, 2, 0, 0)) < 1e-5);
  /* without grad mode nothing records */
  CHECK(!nn_linear(x, w, b)->requires_grad);
  nn_no_grad_end();
  /* retain_graph: a second backward doubles the gradients */
  nn_zero_grad(w);
  y = nn_linear(x, w, NULL);
  CHECK(nn_backward_ex(y, g, 1) == NN_OK);
  e = nn_copy(nn_grad(w));
  CHECK(nn_backward(y, g) == NN_OK);
  CHECK(gm_maxrel(nn_grad(w), nn_mul_scalar(e, 2.0)) < 1e-6);
  nn_free(x);
  nn_free(w);
  nn_free(b);
}

static void test_grad_linear_errors(void) {
  int64_t xs[2] = {3, 4}, ws[2] = {2, 4}, wbad[2] = {2, 5}, bs[1] = {2}, bbad[1] = {3};
  nn_tensor *x = nn_ones(xs, 2, NN_FLOAT32), *w = nn_ones(ws, 2, NN_FLOAT32), *b = nn_ones(bs, 1, NN_FLOAT32);
  CHECK_ERR(nn_linear(NULL, w, b) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_linear(x, NULL, b) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_linear(x, nn_ones(wbad, 2, NN_FLOAT32), b) == NULL, NN_ERR_SHAPE);
  CHECK(strstr(nn_error(), "nn_linear") != NULL);
  CHECK_ERR(nn_linear(x, nn_ones(ws, 1, NN_FLOAT32), NULL) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_linear(nn_ones(xs, 0, NN_FLOAT32), w, NULL) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_linear(x, w, nn_ones(bbad, 1, NN_FLOAT32)) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_linear(x, w, nn_ones(bs, 0, NN_FLOAT32)) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_linear(x, nn_ones(ws, 2, NN_FLOAT64), b) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_linear(nn_ones(xs, 2, NN_INT32), nn_ones(ws, 2, NN_INT32), NULL) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_linear(x, w, nn_ones(bs, 1, NN_FLOAT64)) == NULL, NN_ERR_DTYPE);
  { /* empty batch and zero input features */
    int64_t x0[2] = {0, 4}, w0[2] = {2, 0}, xz[2] = {3, 0};
    nn_tensor *y = nn_linear(nn_ones(x0, 2, NN_FLOAT32), w, b);
    CHECK(y && y->shape[0] == 0 && y->shape[1] == 2);
    y = nn_linear(nn_ones(xz, 2, NN_FLOAT32), nn_ones(w0, 2, NN_FLOAT32), b);
    CHECK(y && y->size == 6 && nn_get_flat(y, 5) == 1.0f);
  }
}

/* ---- convolution and pooling ---- */

typedef struct gm_conv_ctx {
  int is1d, bias;
  nn_conv_params p;
} gm_conv_ctx;

static nn_tensor *gm_f_conv(nn_tensor *const *in, int n, void *vctx) {
  const gm_conv_ctx *c = (const gm_conv_ctx *)vctx;
  const nn_tensor *b = n > 2 ? in[2] : NULL;
  return c->is1d ? nn_conv1d(in[0], in[1], b, &c->p) : nn_conv2d(in[0], in[1], b, &c->p);
}

typedef struct gm_conv_case {
  int is1d;
  int64_t xs[4], ws[4];
  int stride[2], padding[2], dilation[2], groups, same;
} gm_conv_case;

static void test_grad_conv_gradcheck(void) {
  static const gm_conv_case cases[] = {
      {0, {2, 3, 5, 5}, {4, 3, 3, 3}, {0, 0}, {0, 0}, {0, 0}, 0, 0},
      {0, {1, 2, 6, 5}, {3, 2, 3, 3}, {2, 2}, {1, 1}, {0, 0}, 0, 0},
      {0, {1, 2, 7, 6}, {2, 2, 3, 2}, {1, 2}, {2, 1}, {2, 2}, 0, 0},
      {0, {2, 4, 4, 5}, {6, 2, 3, 3}, {0, 0}, {1, 0}, {0, 0}, 2, 0},
      {0, {1, 3, 5, 4}, {3, 1, 2, 2}, {0, 0}, {0, 0}, {0, 0}, 3, 1},
      {0, {2, 3, 3, 4}, {2, 3, 1, 1}, {0, 0}, {0, 0}, {0, 0}, 0, 0},
      {1, {2, 3, 8, 0}, {4, 3, 3, 0}, {2, 0}, {1, 0}, {2, 0}, 0, 0},
      {1, {1, 4, 7, 0}, {4, 1, 3, 0}, {0, 0}, {0, 0}, {0, 0}, 4, 1},
      {1, {2, 2, 6, 0}, {3, 2, 1, 0}, {3, 0}, {0, 0}, {0, 0}, 0, 0},
  };
  size_t c;
  int bias;
  char what[64];
  for (c = 0; c < sizeof cases / sizeof cases[0]; c++)
    for (bias = 0; bias < 2; bias++) {
      gm_conv_ctx ctx;
      nn_tensor *in[3];
      int nd = cases[c].is1d ? 3 : 4;
      int64_t bs[1];
      memset(&ctx, 0, sizeof ctx);
      ctx.is1d = cases[c].is1d;
      ctx.p.stride[0] = cases[c].stride[0];
      ctx.p.stride[1] = cases[c].stride[1];
      ctx.p.padding[0] = cases[c].padding[0];
      ctx.p.padding[1] = cases[c].padding[1];
      ctx.p.dilation[0] = cases[c].dilation[0];
      ctx.p.dilation[1] = cases[c].dilation[1];
      ctx.p.groups = cases[c].groups;
      ctx.p.same = cases[c].same;
      bs[0] = cases[c].ws[0];
      in[0] = gm_leaf(cases[c].xs, nd, -1, 1, (unsigned)c);
      in[1] = gm_leaf(cases[c].ws, nd, -1, 1, (unsigned)c + 30);
      in[2] = gm_leaf(bs, 1, -1, 1, (unsigned)c + 60);
      snprintf(what, sizeof what, "conv case %d bias %d", (int)c, bias);
      gm_check(gm_f_conv, &ctx, in, bias ? 3 : 2, what);
      if (bias && c == 1) { /* only the bias, only the weight */
        nn_requires_grad(in[0], 0);
        nn_requires_grad(in[1], 0);
        gm_check(gm_f_conv, &ctx, in, 3, "conv only bias");
        nn_requires_grad(in[1], 1);
        gm_check(gm_f_conv, &ctx, in, 3, "conv weight and bias");
      }
      nn_free(in[0]);
      nn_free(in[1]);
      nn_free(in[2]);
    }
  { /* a non-contiguous input (spatial axes swapped) */
    int64_t xs[4] = {1, 2, 5, 4}, ws[4] = {2, 2, 2, 3};
    gm_conv_ctx ctx;
    nn_tensor *in[2], *base = gm_leaf(xs, 4, -1, 1, 90);
    memset(&ctx, 0, sizeof ctx);
    nn_requires_grad(base, 0);
    in[0] = nn_swapaxes(base, 2, 3);
    nn_requires_grad(in[0], 1);
    in[1] = gm_leaf(ws, 4, -1, 1, 91);
    gm_check(gm_f_conv, &ctx, in, 2, "conv swapped spatial axes");
    nn_free(in[0]);
    nn_free(in[1]);
  }
}

typedef struct gm_pool_ctx {
  int kind; /* 0 max2d, 1 avg2d, 2 max1d, 3 avg1d, 4 im2col, 5 col2im */
  int kh, kw;
  int64_t xs[4];
  nn_conv_params p;
} gm_pool_ctx;

static nn_tensor *gm_f_pool(nn_tensor *const *in, int n, void *vctx) {
  const gm_pool_ctx *c = (const gm_pool_ctx *)vctx;
  (void)n;
  switch (c->kind) {
    case 0: return nn_max_pool2d(in[0], c->kh, c->kw, &c->p, NULL);
    case 1: return nn_avg_pool2d(in[0], c->kh, c->kw, &c->p);
    case 2: return nn_max_pool1d(in[0], c->kw, &c->p, NULL);
    case 3: return nn_avg_pool1d(in[0], c->kw, &c->p);
    case 4: return nn_im2col(in[0], c->kh, c->kw, &c->p);
    default: return nn_col2im(in[0], c->xs, c->kh, c->kw, &c->p);
  }
}

static void test_grad_pool_gradcheck(void) {
  /* kind, kh, kw, stride, padding, dilation */
  static const int cases[][9] = {
      {0, 2, 2, 0, 0, 0, 0, 0, 0}, {0, 3, 3, 2, 2, 1, 1, 0, 0}, {0, 2, 3, 1, 2, 1, 0, 2, 1},
      {1, 2, 2, 0, 0, 0, 0, 0, 0}, {1, 3, 2, 2, 1, 1, 1, 0, 0}, {2, 1, 3, 2, 0, 1, 0, 2, 0},
      {2, 1, 2, 0, 0, 0, 0, 0, 0}, {3, 1, 3, 2, 0, 1, 0, 0, 0}, {3, 1, 2, 0, 0, 0, 0, 0, 0},
      {4, 2, 3, 1, 2, 1, 0, 2, 1}, {4, 3, 3, 2, 2, 1, 1, 0, 0}, {5, 2, 3, 1, 2, 1, 0, 2, 1},
      {5, 3, 3, 2, 2, 1, 1, 0, 0}};
  size_t c;
  char what[64];
  for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    gm_pool_ctx ctx;
    nn_tensor *x;
    int64_t xs4[4] = {2, 2, 7, 6}, xs3[3] = {2, 3, 9};
    memset(&ctx, 0, sizeof ctx);
    ctx.kind = cases[c][0];
    ctx.kh = cases[c][1];
    ctx.kw = cases[c][2];
    ctx.p.stride[0] = cases[c][3];
    ctx.p.stride[1] = cases[c][4];
    ctx.p.padding[0] = cases[c][5];
    ctx.p.padding[1] = cases[c][6];
    ctx.p.dilation[0] = cases[c][7];
    ctx.p.dilation[1] = cases[c][8];
    if (ctx.kind == 2 || ctx.kind == 3) { /* 1-D: element [0] */
      ctx.p.stride[0] = ctx.p.stride[1];
      ctx.p.padding[0] = ctx.p.padding[1];
      ctx.p.dilation[0] = ctx.p.dilation[1];
      x = gm_leaf_distinct(xs3, 3, (unsigned)c);
    } else if (ctx.kind == 5) {
      nn_tensor *probe = nn_im2col(nn_zeros(xs4, 4, NN_FLOAT64), ctx.kh, ctx.kw, &ctx.p);
      memcpy(ctx.xs, xs4, sizeof xs4);
      x = gm_leaf(probe->shape, 3, -1, 1, (unsigned)c);
    } else {
      x = gm_leaf_distinct(xs4, 4, (unsigned)c);
    }
    snprintf(what, sizeof what, "pool case %d (kind %d)", (int)c, ctx.kind);
    gm_check(gm_f_pool, &ctx, &x, 1, what);
    nn_free(x);
  }
  { /* max pooling with the indices requested while recording: they stay valid and match an unrecorded call */
    int64_t xs[4] = {1, 2, 4, 4};
    nn_tensor *x = gm_leaf_distinct(xs, 4, 5), *ix = NULL, *ix2 = NULL, *y;
    y = nn_max_pool2d(x, 2, 2, NULL, &ix);
    CHECK(y && y->requires_grad && ix && ix->dtype == NN_INT64);
    nn_no_grad_begin();
    CHECK(nn_max_pool2d(x, 2, 2, NULL, &ix2) != NULL);
    nn_no_grad_end();
    CHECK(ix && ix2 && gm_maxrel(ix, ix2) == 0);
    CHECK(nn_backward(nn_sum(y, NN_ALL_AXES, 0), NULL) == NN_OK);
    CHECK(nn_sum_all(nn_grad(x)) == 8.0);
    nn_free(x);
  }
  { /* a non-contiguous input to pooling and im2col */
    int64_t xs[4] = {1, 2, 6, 5};
    gm_pool_ctx ctx;
    nn_tensor *base = gm_leaf_distinct(xs, 4, 9), *x;
    memset(&ctx, 0, sizeof ctx);
    nn_requires_grad(base, 0);
    x = nn_swapaxes(base, 2, 3);
    nn_requires_grad(x, 1);
    ctx.kh = ctx.kw = 2;
    ctx.kind = 0;
    gm_check(gm_f_pool, &ctx, &x, 1, "max pool swapped axes");
    ctx.kind = 1;
    gm_check(gm_f_pool, &ctx, &x, 1, "avg pool swapped axes");
    ctx.kind = 4;
    gm_check(gm_f_pool, &ctx, &x, 1, "im2col swapped axes");
    nn_free(x);
  }
}

/* ---- memory ---- */

/* Forward + backward through every op of this file in a scope, many times: no tensor piles up. */
static void test_grad_math_leaks(void) {
  int64_t xs[4] = {2, 3, 6, 6}, ws[4] = {4, 3, 3, 3}, bs[1] = {4}, la[3] = {2, 5, 4}, lw[2] = {3, 4}, lb[1] = {3};
  nn_tensor *x = gm_leaf(xs, 4, -1, 1, 1), *w = gm_leaf(ws, 4, -1, 1, 2), *b = gm_leaf(bs, 1, -1, 1, 3);
  nn_tensor *a = gm_leaf(la, 3, -1, 1, 4), *lw_ = gm_leaf(lw, 2, -1, 1, 5), *lb_ = gm_leaf(lb, 1, -1, 1, 6);
  nn_tensor *at = gm_leaf_t(4, 5, -1, 1, 7);
  long live0;
  int it;
  nn_conv_params p;
  memset(&p, 0, sizeof p);
  p.padding[0] = p.padding[1] = 1;
  live0 = nn_live_tensors();
  for (it = 0; it < 100; it++) {
    nn_tensor *l, *ix = NULL;
    int ax2[2] = {0, 2};
    nn_scope_begin();
    l = nn_sum(nn_max_pool2d(nn_conv2d(x, w, b, &p), 2, 2, NULL, it % 2 ? &ix : NULL), NN_ALL_AXES, 0);
    l = nn_add(l, nn_sum(nn_avg_pool2d(x, 3, 3, &p), NN_ALL_AXES, 0));
    l = nn_add(l, nn_sum(nn_log_softmax(nn_linear(a, lw_, lb_), -1), NN_ALL_AXES, 0));
    l = nn_add(l, nn_sum(nn_softmax(nn_matmul(a, at), 1), NN_ALL_AXES, 0));
    l = nn_add(l, nn_sum(nn_reduce(NN_REDUCE_STD, a, ax2, 2, 0, 1), NN_ALL_AXES, 0));
    l = nn_add(l, nn_sum(nn_prod(nn_cumprod(a, 1), -1, 0), NN_ALL_AXES, 0));
    l = nn_add(l, nn_max(nn_cumsum(nn_dot(at, a), NN_ALL_AXES), NN_ALL_AXES, 0));
    l = nn_add(l, nn_add(nn_trace(at), nn_sum(nn_outer(lb_, at), NN_ALL_AXES, 0)));
    l = nn_add(l, nn_sum(nn_inner(a, lw_), NN_ALL_AXES, 0));
    l = nn_add(l, nn_logsumexp(nn_col2im(nn_im2col(x, 2, 2, NULL), xs, 2, 2, NULL), NN_ALL_AXES, 0));
    if (it % 3) CHECK(nn_backward(l, NULL) == NN_OK); /* and sometimes the graph is just dropped */
    nn_scope_end();
  }
  CHECK(nn_grad(x) && nn_grad(w) && nn_grad(b) && nn_grad(a) && nn_grad(lw_) && nn_grad(lb_) && nn_grad(at));
  nn_zero_grad(x); /* the leaves own their gradients */
  nn_zero_grad(w);
  nn_zero_grad(b);
  nn_zero_grad(a);
  nn_zero_grad(lw_);
  nn_zero_grad(lb_);
  nn_zero_grad(at);
  CHECK(nn_live_tensors() == live0);
  nn_free(x);
  nn_free(w);
  nn_free(b);
  nn_free(a);
  nn_free(lw_);
  nn_free(lb_);
  nn_free(at);
}

static void tests_grad_math(void) {
  RUN(test_grad_reduce_gradcheck);
  RUN(test_grad_prod_zeros);
  RUN(test_grad_minmax_ties);
  RUN(test_grad_reduce_torch_ref);
  RUN(test_grad_scan_softmax_gradcheck);
  RUN(test_grad_scan_float32);
  RUN(test_grad_matmul_gradcheck);
  RUN(test_grad_matmul_large);
  RUN(test_grad_dot_inner_outer_trace);
  RUN(test_grad_linear_gradcheck);
  RUN(test_grad_linear_torch_ref);
  RUN(test_grad_linear_large);
  RUN(test_grad_linear_errors);
  RUN(test_grad_conv_gradcheck);
  RUN(test_grad_pool_gradcheck);
  RUN(test_grad_math_leaks);
}
