/* tests/test_losses.c: the losses of nn/losses.h against PyTorch (tests/ref/losses_ref.h, from
   tools/ref/gen_losses.py): values and gradients of input and target for every reduction and option in float32
   and float64; gradients against central finite differences in float64; bad input; chunked (threaded) sums. */

#include "ref/losses_ref.h"

/* A tensor of dtype dt holding the float32 values v. */
static nn_tensor *lo_tensor(const float *v, const int64_t *shape, int nd, nn_dtype dt) {
  nn_tensor *t = nn_empty(shape, nd, dt);
  int64_t i;
  if (!t) return NULL;
  for (i = 0; i < t->size; i++) nn_set_flat(t, i, (double)v[i]);
  return t;
}

static double lo_expect(const void *e, int f32, int64_t i) {
  return f32 ? (double)((const float *)e)[i] : ((const double *)e)[i];
}

/* Elementwise |got - expect| <= tol (|expect| + 0.1 max|expect|): relative, with a floor at the array's scale
   for the elements that cancel down to almost nothing. */
static void lo_compare(const char *name, const char *what, const nn_tensor *got, const void *expect, int f32,
                       int64_t n, double tol) {
  double scale = 0;
  int64_t i;
  nt_checks++;
  if (!got) {
    NT_FAIL("%s: %s is NULL (%s)", name, what, nn_error());
    return;
  }
  if (got->size != n) {
    NT_FAIL("%s: %s has %lld elements, expected %lld", name, what, (long long)got->size, (long long)n);
    return;
  }
  for (i = 0; i < n; i++) {
    double b = fabs(lo_expect(expect, f32, i));
    if (b > scale && b == b) scale = b;
  }
  for (i = 0; i < n; i++) {
    double a = nn_get_flat(got, i), b = lo_expect(expect, f32, i);
    if (!((a != a && b != b) || a == b || fabs(a - b) <= tol * (fabs(b) + 0.1 * scale))) {
      NT_FAIL("%s: %s[%lld] = %.10g, expected %.10g", name, what, (long long)i, a, b);
      return;
    }
  }
}

static nn_tensor *lo_call(const lo_case *c, const nn_tensor *x, const nn_tensor *t, const nn_tensor *w,
                          const nn_tensor *pw) {
  nn_reduction r = (nn_reduction)c->reduction;
  switch (c->kind) {
    case LO_MSE: return nn_mse_loss(x, t, r);
    case LO_L1: return nn_l1_loss(x, t, r);
    case LO_HUBER: return nn_huber_loss(x, t, r, c->param);
    case LO_SMOOTH_L1: return nn_smooth_l1_loss(x, t, r, c->param);
    case LO_BCE: return nn_binary_cross_entropy(x, t, w, r);
    case LO_BCE_LOGITS: return nn_binary_cross_entropy_with_logits(x, t, w, pw, r);
    case LO_KL: return nn_kl_div(x, t, r, c->flag);
    case LO_CE:
      if (!w && c->ignore == NN_IGNORE_INDEX && c->eps == 0) return nn_cross_entropy(x, t, r);
      return nn_cross_entropy_ex(x, t, w, c->ignore, c->eps, r);
    case LO_CE_PROBS: return nn_cross_entropy_probs(x, t, w, c->eps, r);
    default: return nn_nll_loss(x, t, w, c->ignore, r);
  }
}

static void lo_run_case(const lo_case *c) {
  nn_dtype dt = c->dtype ? NN_FLOAT64 : NN_FLOAT32;
  int f32 = c->dtype == 0;
  double tol = f32 ? 1e-5 : 1e-10;
  nn_tensor *x, *t, *w = NULL, *pw = NULL, *y, *g = NULL;
  nn_scope_begin();
  x = lo_tensor(c->x, c->xs, c->xnd, dt);
  t = lo_tensor(c->t, c->ts, c->tnd, (nn_dtype)c->tdtype);
  if (c->w) w = lo_tensor(c->w, c->ws, c->wnd, dt);
  if (c->pw) pw = lo_tensor(c->pw, c->pws, 1, dt);
  nn_requires_grad(x, 1);
  if (c->gt) nn_requires_grad(t, 1);
  y = lo_call(c, x, t, w, pw);
  lo_compare(c->name, "loss", y, c->out, f32, c->nout, tol);
  if (y) {
    if (c->gout) g = lo_tensor(c->gout, y->shape, y->ndim, dt);
    if (nn_backward(y, g) != NN_OK) NT_FAIL("%s: backward: %s", c->name, nn_error());
    lo_compare(c->name, "input grad", nn_grad(x), c->gx, f32, x->size, tol);
    if (c->gt) lo_compare(c->name, "target grad", nn_grad(t), c->gt, f32, t->size, tol);
  }
  nn_scope_end();
}

static void test_losses_vs_torch(void) {
  size_t k;
  for (k = 0; k < sizeof lo_cases / sizeof lo_cases[0]; k++) lo_run_case(&lo_cases[k]);
}

/* The float32 cross-entropy rows use the vector softmax kernels: every instruction set gives PyTorch's values. */
static void test_losses_ce_every_isa(void) {
#if NN__SIMD
  nn__vec_table t;
  int level, top;
  size_t k;
  memset(&t, 0, sizeof t);
  top = nn__simd_install_level(&t, 2);
  for (level = 0; level <= top; level++) {
    memset(&t, 0, sizeof t);
    nn__simd_install_level(&t, level);
    nn__vec = t; /* the tests run on one thread here */
    for (k = 0; k < sizeof lo_cases / sizeof lo_cases[0]; k++)
      if (lo_cases[k].dtype == 0 && (lo_cases[k].kind == LO_CE || lo_cases[k].kind == LO_CE_PROBS))
        lo_run_case(&lo_cases[k]);
  }
  memset(&t, 0, sizeof t);
  nn__simd_install(&t);
  nn__vec = t;
#endif
}

/* ---- finite differences (float64) ---- */

typedef struct lo_gc {
  int kind, reduction, flag;
  double param, eps;
  int64_t ignore;
  const nn_tensor *labels, *w, *pw;
} lo_gc;

static nn_tensor *lo_gc_f(nn_tensor *const *in, int n, void *vctx) {
  const lo_gc *g = (const lo_gc *)vctx;
  lo_case c;
  (void)n;
  memset(&c, 0, sizeof c);
  c.kind = g->kind;
  c.reduction = g->reduction;
  c.flag = g->flag;
  c.param = g->param;
  c.eps = g->eps;
  c.ignore = g->ignore;
  return lo_call(&c, in[0], g->labels ? g->labels : in[1], g->w, g->pw);
}

/* A float64 tensor with values lo + (hi - lo) u, u from a fixed sequence. */
static nn_tensor *lo_fill(const int64_t *shape, int nd, double lo, double hi, unsigned seed) {
  nn_tensor *t = nn_empty(shape, nd, NN_FLOAT64);
  unsigned s = seed * 2654435761u + 7u;
  int64_t i;
  for (i = 0; i < t->size; i++) {
    s = s * 1103515245u + 12345u;
    nn_set_flat(t, i, lo + (hi - lo) * ((s >> 8) & 0xFFFF) / 65536.0);
  }
  return t;
}

static void lo_gradcheck(const char *what, lo_gc *g, nn_tensor *x, nn_tensor *t) {
  nn_tensor *in[2];
  int r, n = g->labels ? 1 : 2;
  in[0] = x;
  in[1] = t;
  nn_requires_grad(x, 1);
  if (!g->labels) nn_requires_grad(t, 1);
  for (r = 0; r < 4; r++) {
    nn_status st;
    if (r == NN_REDUCTION_BATCHMEAN && g->kind != LO_KL) continue;
    g->reduction = r;
    st = nn_gradcheck(lo_gc_f, g, in, n, 1e-6, 1e-8, 1e-6);
    if (st != NN_OK) NT_FAIL("%s reduction %d: %s", what, r, nn_error());
    CHECK(st == NN_OK);
  }
}

static void test_losses_gradcheck(void) {
  int64_t s34[2] = {3, 4}, s3[1] = {3}, s4[1] = {4}, s52[2] = {5, 4}, s5[1] = {5}, s2322[4] = {2, 3, 2, 2};
  int64_t s222[3] = {2, 2, 2};
  lo_gc g;
  int kinds[4] = {LO_MSE, LO_L1, LO_HUBER, LO_SMOOTH_L1}, k;
  memset(&g, 0, sizeof g);
  g.ignore = NN_IGNORE_INDEX;
  for (k = 0; k < 4; k++) { /* differences of at least 0.2 and away from delta/beta: clear of the kinks */
    nn_tensor *x = lo_fill(s34, 2, -2, 2, 1 + k), *t = nn_add_scalar(x, 0);
    int64_t i;
    for (i = 0; i < t->size; i++) nn_set_flat(t, i, nn_get_flat(x, i) + ((i % 3) - 1) * 0.8 + 0.2 * (i % 2 ? 1 : -1));
    g.kind = kinds[k];
    g.param = k == 2 ? 0.5 : 0.9;
    lo_gradcheck("pointwise", &g, x, t);
  }
  {
    nn_tensor *p = lo_fill(s34, 2, 0.05, 0.95, 11), *y = lo_fill(s34, 2, 0, 1, 12), *w = lo_fill(s4, 1, 0.5, 2, 13);
    g.kind = LO_BCE;
    lo_gradcheck("bce", &g, p, y);
    g.w = w;
    lo_gradcheck("bce weight", &g, p, y);
    g.w = NULL;
  }
  {
    nn_tensor *z = lo_fill(s34, 2, -4, 4, 21), *y = lo_fill(s34, 2, 0, 1, 22), *w = lo_fill(s34 + 1, 1, 0.5, 2, 23);
    nn_tensor *pw = lo_fill(s4, 1, 0.5, 3, 24);
    g.kind = LO_BCE_LOGITS;
    lo_gradcheck("bce logits", &g, z, y);
    g.w = w;
    g.pw = pw;
    lo_gradcheck("bce logits weight pos_weight", &g, z, y);
    g.w = g.pw = NULL;
  }
  {
    nn_tensor *lp = nn_log_softmax(lo_fill(s34, 2, -2, 2, 31), 1), *q = nn_softmax(lo_fill(s34, 2, -2, 2, 32), 1);
    nn_tensor *lq = nn_log_softmax(lo_fill(s34, 2, -2, 2, 33), 1);
    g.kind = LO_KL;
    lo_gradcheck("kl", &g, lp, q);
    g.flag = 1;
    lo_gradcheck("kl log_target", &g, lp, lq);
    g.flag = 0;
  }
  {
    int64_t lab[5] = {2, 0, 3, 3, 1}, lab4[8] = {0, 2, 1, 1, 2, 0, 0, 1};
    nn_tensor *x = lo_fill(s52, 2, -3, 3, 41), *l = nn_from_data(lab, s5, 1, NN_INT64);
    nn_tensor *w = lo_fill(s4, 1, 0.3, 2, 42), *x4 = lo_fill(s2322, 4, -3, 3, 43);
    nn_tensor *l4 = nn_from_data(lab4, s222, 3, NN_INT64), *w3 = lo_fill(s3, 1, 0.3, 2, 44);
    nn_tensor *pt = nn_softmax(lo_fill(s52, 2, -2, 2, 45), 1), *lp = nn_log_softmax(x, 1);
    g.kind = LO_CE;
    g.labels = l;
    lo_gradcheck("ce", &g, x, NULL);
    g.w = w;
    g.eps = 0.2;
    g.ignore = 3;
    lo_gradcheck("ce weight smoothing ignore", &g, x, NULL);
    g.labels = l4;
    g.w = w3;
    g.ignore = 1;
    lo_gradcheck("ce 4-d", &g, x4, NULL);
    g.kind = LO_NLL;
    lo_gradcheck("nll 4-d", &g, x4, NULL);
    g.labels = l;
    g.w = w;
    g.ignore = NN_IGNORE_INDEX;
    lo_gradcheck("nll", &g, lp, NULL);
    g.kind = LO_CE_PROBS;
    g.labels = NULL;
    lo_gradcheck("ce probs weight smoothing", &g, x, pt);
    g.w = NULL;
    g.eps = 0;
    lo_gradcheck("ce probs", &g, x, pt);
  }
}

/* Large inputs run in several chunks (threads): the results match a composition of plain ops. */
static void test_losses_large(void) {
  int64_t shape[2] = {3000, 70}, n = 3000, i;
  nn_tensor *x = lo_fill(shape, 2, -4, 4, 51), *xf = nn_astype(x, NN_FLOAT32);
  nn_tensor *lab = nn_empty(&n, 1, NN_INT64), *ce, *cef, *ls, *pick, *ref, *y, *mse, *d;
  double acc = 0;
  for (i = 0; i < n; i++) nn_set_flat(lab, i, (double)((i * 37) % 70));
  ce = nn_cross_entropy(x, lab, NN_REDUCTION_MEAN);
  cef = nn_cross_entropy(xf, lab, NN_REDUCTION_MEAN);
  ls = nn_log_softmax(x, 1);
  for (i = 0; i < n; i++) {
    int64_t idx[2];
    idx[0] = i;
    idx[1] = (i * 37) % 70;
    acc -= nn_get(ls, idx);
  }
  CHECK_NEAR(nn_item(ce), acc / (double)n, 1e-12);
  CHECK_NEAR(nn_item(cef), acc / (double)n, 1e-5);
  pick = nn_cross_entropy(x, lab, NN_REDUCTION_NONE);
  ref = nn_sum(pick, NN_ALL_AXES, 0);
  CHECK_NEAR(nn_item(ref) / (double)n, nn_item(ce), 1e-12);
  y = lo_fill(shape, 2, -4, 4, 52);
  mse = nn_mse_loss(x, y, NN_REDUCTION_SUM);
  d = nn_sub(x, y);
  CHECK_NEAR(nn_item(mse), nn_sum_all(nn_mul(d, d)), 1e-10);
  {
    int threads = nn_get_num_threads();
    nn_tensor *a, *b;
    nn_set_num_threads(1);
    a = nn_mse_loss(xf, nn_astype(y, NN_FLOAT32), NN_REDUCTION_MEAN);
    nn_set_num_threads(threads > 1 ? threads : 3);
    b = nn_mse_loss(xf, nn_astype(y, NN_FLOAT32), NN_REDUCTION_MEAN);
    nn_set_num_threads(threads);
    CHECK(a && b && nn_item(a) == nn_item(b)); /* bit-identical for any thread count */
  }
  (void)ref;
}

/* A training-step shape: the loss graph is freed with the scope; gradients flow through a composition. */
static void test_losses_graph(void) {
  int64_t shape[2] = {4, 3}, n4 = 4;
  int64_t lab[4] = {0, 2, 1, 2};
  nn_tensor *w = lo_fill(shape, 2, -1, 1, 61), *l = nn_from_data(lab, &n4, 1, NN_INT64);
  long live;
  int step;
  nn_keep(w);
  nn_keep(l);
  nn_requires_grad(w, 1);
  live = nn_live_tensors();
  for (step = 0; step < 3; step++) {
    nn_tensor *z, *loss;
    nn_scope_begin();
    z = nn_mul_scalar(w, 2.0);
    loss = nn_cross_entropy(z, l, NN_REDUCTION_MEAN);
    CHECK(loss && loss->requires_grad);
    CHECK(nn_backward(loss, NULL) == NN_OK);
    nn_scope_end();
    CHECK(nn_live_tensors() == live + 1); /* the gradient */
  }
  CHECK(nn_grad(w) != NULL);
  {
    /* not recorded under no_grad, or when nothing requires grad */
    nn_tensor *r;
    nn_no_grad_begin();
    r = nn_cross_entropy(w, l, NN_REDUCTION_SUM);
    nn_no_grad_end();
    CHECK(r && !r->requires_grad);
  }
  nn_free(w);
  nn_free(l);
}

/* Strided inputs give the same values and gradients as contiguous ones; a 'none' loss summed afterwards (its
   output gradient is a broadcast view) gives the 'sum' gradient. */
static void test_losses_layouts(void) {
  int64_t s45[2] = {4, 5}, s54[2] = {5, 4}, n4 = 4;
  int64_t lab[4] = {1, 4, 0, 2};
  int k;
  for (k = 0; k < 4; k++) {
    nn_tensor *base = lo_fill(s54, 2, -2, 2, 70 + k), *tb = lo_fill(s54, 2, 0.05, 0.95, 80 + k);
    nn_tensor *xt = nn_transpose(base), *xc = nn_copy(xt), *tt = nn_transpose(tb), *tc = nn_copy(tt);
    nn_tensor *l = nn_from_data(lab, &n4, 1, NN_INT64), *y1, *y2, *g1, *g2;
    int64_t i;
    nn_requires_grad(xt, 1); /* the strided view itself is the leaf */
    nn_requires_grad(xc, 1);
    CHECK(!nn_is_contiguous(xt) && nt_shape_is(xt, s45, 2));
    if (k == 0) {
      y1 = nn_cross_entropy_ex(xt, l, NULL, NN_IGNORE_INDEX, 0.1, NN_REDUCTION_NONE);
      y2 = nn_cross_entropy_ex(xc, l, NULL, NN_IGNORE_INDEX, 0.1, NN_REDUCTION_SUM);
    } else if (k == 1) {
      y1 = nn_mse_loss(xt, tt, NN_REDUCTION_NONE);
      y2 = nn_mse_loss(xc, tc, NN_REDUCTION_SUM);
    } else if (k == 2) {
      y1 = nn_binary_cross_entropy_with_logits(xt, tt, NULL, NULL, NN_REDUCTION_NONE);
      y2 = nn_binary_cross_entropy_with_logits(xc, tc, NULL, NULL, NN_REDUCTION_SUM);
    } else {
      y1 = nn_cross_entropy_probs(xt, nn_softmax(tt, 1), NULL, 0.0, NN_REDUCTION_NONE);
      y2 = nn_cross_entropy_probs(xc, nn_softmax(tc, 1), NULL, 0.0, NN_REDUCTION_SUM);
    }
    if (!y1 || !y2) {
      NT_FAIL("case %d: %s", k, nn_error());
      continue;
    }
    y1 = nn_sum(y1, NN_ALL_AXES, 0);
    CHECK_NEAR(nn_item(y1), nn_item(y2), 1e-12);
    if (nn_backward(y1, NULL) != NN_OK || nn_backward(y2, NULL) != NN_OK) NT_FAIL("case %d: %s", k, nn_error());
    g1 = nn_grad(xt);
    g2 = nn_grad(xc);
    for (i = 0; i < 20; i++) CHECK_NEAR(nn_get_flat(g1, i), nn_get_flat(g2, i), 1e-12);
  }
}

static void test_losses_errors(void) {
  int64_t s34[2] = {3, 4}, s43[2] = {4, 3}, s3[1] = {3}, s5[1] = {5}, s4[1] = {4};
  nn_tensor *x = nn_zeros(s34, 2, NN_FLOAT32), *y = nn_zeros(s34, 2, NN_FLOAT32), *yd = nn_zeros(s34, 2, NN_FLOAT64);
  nn_tensor *xi = nn_zeros(s34, 2, NN_INT32), *yt = nn_zeros(s43, 2, NN_FLOAT32), *w5 = nn_ones(s5, 1, NN_FLOAT32);
  nn_tensor *lab = nn_zeros(s3, 1, NN_INT64), *labf = nn_zeros(s3, 1, NN_FLOAT32), *lab4 = nn_zeros(s4, 1, NN_INT64);
  nn_tensor *w4 = nn_ones(s4, 1, NN_FLOAT32), *w4d = nn_ones(s4, 1, NN_FLOAT64), *p = nn_full(s34, 2, 1.5, NN_FLOAT32);
  nn_tensor *sc = nn_scalar(1.0, NN_FLOAT32);
  CHECK_ERR(!nn_mse_loss(NULL, y, NN_REDUCTION_MEAN), NN_ERR_NULL);
  CHECK_ERR(!nn_mse_loss(x, NULL, NN_REDUCTION_MEAN), NN_ERR_NULL);
  CHECK_ERR(!nn_mse_loss(x, yd, NN_REDUCTION_MEAN), NN_ERR_DTYPE);
  CHECK_ERR(!nn_mse_loss(xi, xi, NN_REDUCTION_MEAN), NN_ERR_DTYPE);
  CHECK_ERR(!nn_mse_loss(x, yt, NN_REDUCTION_MEAN), NN_ERR_SHAPE);
  CHECK(strstr(nn_error(), "target has shape (4,3) but input has shape (3,4)") != NULL);
  CHECK_ERR(!nn_mse_loss(x, y, (nn_reduction)9), NN_ERR_ARG);
  CHECK_ERR(!nn_mse_loss(x, y, NN_REDUCTION_BATCHMEAN), NN_ERR_ARG);
  CHECK_ERR(!nn_l1_loss(x, yt, NN_REDUCTION_SUM), NN_ERR_SHAPE);
  CHECK_ERR(!nn_l1_loss(NULL, y, NN_REDUCTION_SUM), NN_ERR_NULL);
  CHECK_ERR(!nn_huber_loss(x, y, NN_REDUCTION_MEAN, 0.0), NN_ERR_VALUE);
  CHECK_ERR(!nn_huber_loss(x, y, NN_REDUCTION_MEAN, NAN), NN_ERR_VALUE);
  CHECK_ERR(!nn_huber_loss(x, NULL, NN_REDUCTION_MEAN, 1.0), NN_ERR_NULL);
  CHECK_ERR(!nn_smooth_l1_loss(x, y, NN_REDUCTION_MEAN, -1.0), NN_ERR_VALUE);
  CHECK_ERR(!nn_smooth_l1_loss(x, yd, NN_REDUCTION_MEAN, 1.0), NN_ERR_DTYPE);
  CHECK_ERR(!nn_binary_cross_entropy(p, y, NULL, NN_REDUCTION_MEAN), NN_ERR_VALUE);
  CHECK(strstr(nn_error(), "between 0 and 1") != NULL);
  CHECK_ERR(!nn_binary_cross_entropy(x, y, w5, NN_REDUCTION_MEAN), NN_ERR_SHAPE);
  CHECK_ERR(!nn_binary_cross_entropy(x, y, w4d, NN_REDUCTION_MEAN), NN_ERR_DTYPE);
  CHECK_ERR(!nn_binary_cross_entropy(NULL, y, NULL, NN_REDUCTION_MEAN), NN_ERR_NULL);
  CHECK_ERR(!nn_binary_cross_entropy_with_logits(x, y, NULL, w5, NN_REDUCTION_MEAN), NN_ERR_SHAPE);
  CHECK_ERR(!nn_binary_cross_entropy_with_logits(x, yt, NULL, NULL, NN_REDUCTION_MEAN), NN_ERR_SHAPE);
  CHECK_ERR(!nn_binary_cross_entropy_with_logits(x, y, w4d, NULL, NN_REDUCTION_MEAN), NN_ERR_DTYPE);
  CHECK_ERR(!nn_binary_cross_entropy_with_logits(x, NULL, NULL, NULL, NN_REDUCTION_MEAN), NN_ERR_NULL);
  CHECK_ERR(!nn_kl_div(x, yt, NN_REDUCTION_BATCHMEAN, 0), NN_ERR_SHAPE);
  CHECK_ERR(!nn_kl_div(NULL, y, NN_REDUCTION_BATCHMEAN, 1), NN_ERR_NULL);
  CHECK_ERR(!nn_kl_div(x, y, (nn_reduction)-1, 0), NN_ERR_ARG);
  {
    int64_t bad[3] = {1, 10, 2}, s10[2] = {3, 10};
    nn_tensor *l10 = nn_from_data(bad, s3, 1, NN_INT64), *x10 = nn_zeros(s10, 2, NN_FLOAT32);
    nn_tensor *l3 = nn_from_data(bad, s3, 1, NN_INT64);
    CHECK_ERR(!nn_cross_entropy(x10, l10, NN_REDUCTION_MEAN), NN_ERR_INDEX);
    CHECK(strcmp(nn_error(), "nn_cross_entropy: label 10 at position 1 is out of range for 10 classes") == 0);
    nn_set_flat(l3, 1, -1);
    CHECK_ERR(!nn_nll_loss(x, l3, NULL, NN_IGNORE_INDEX, NN_REDUCTION_MEAN), NN_ERR_INDEX);
    CHECK(nn_cross_entropy_ex(x, l3, NULL, -1, 0.0, NN_REDUCTION_MEAN) != NULL); /* -1 ignored */
  }
  CHECK_ERR(!nn_cross_entropy(x, labf, NN_REDUCTION_MEAN), NN_ERR_DTYPE);
  CHECK(strstr(nn_error(), "nn_cross_entropy_probs") != NULL);
  CHECK_ERR(!nn_cross_entropy(x, lab4, NN_REDUCTION_MEAN), NN_ERR_SHAPE);
  CHECK_ERR(!nn_cross_entropy(sc, lab, NN_REDUCTION_MEAN), NN_ERR_SHAPE);
  CHECK_ERR(!nn_cross_entropy(xi, lab, NN_REDUCTION_MEAN), NN_ERR_DTYPE);
  CHECK_ERR(!nn_cross_entropy(NULL, lab, NN_REDUCTION_MEAN), NN_ERR_NULL);
  CHECK_ERR(!nn_cross_entropy(x, NULL, NN_REDUCTION_MEAN), NN_ERR_NULL);
  CHECK_ERR(!nn_cross_entropy_ex(x, lab, w5, NN_IGNORE_INDEX, 0.0, NN_REDUCTION_MEAN), NN_ERR_SHAPE);
  CHECK_ERR(!nn_cross_entropy_ex(x, lab, w4d, NN_IGNORE_INDEX, 0.0, NN_REDUCTION_MEAN), NN_ERR_DTYPE);
  CHECK_ERR(!nn_cross_entropy_ex(x, lab, w4, NN_IGNORE_INDEX, 1.5, NN_REDUCTION_MEAN), NN_ERR_VALUE);
  CHECK_ERR(!nn_cross_entropy_ex(x, lab, NULL, NN_IGNORE_INDEX, 0.0, NN_REDUCTION_BATCHMEAN), NN_ERR_ARG);
  CHECK_ERR(!nn_cross_entropy_probs(x, yt, NULL, 0.0, NN_REDUCTION_MEAN), NN_ERR_SHAPE);
  CHECK_ERR(!nn_cross_entropy_probs(x, yd, NULL, 0.0, NN_REDUCTION_MEAN), NN_ERR_DTYPE);
  CHECK_ERR(!nn_cross_entropy_probs(x, y, w5, 0.0, NN_REDUCTION_MEAN), NN_ERR_SHAPE);
  CHECK_ERR(!nn_cross_entropy_probs(x, y, NULL, -0.5, NN_REDUCTION_MEAN), NN_ERR_VALUE);
  CHECK_ERR(!nn_cross_entropy_probs(NULL, y, NULL, 0.0, NN_REDUCTION_MEAN), NN_ERR_NULL);
  CHECK_ERR(!nn_nll_loss(x, labf, NULL, NN_IGNORE_INDEX, NN_REDUCTION_MEAN), NN_ERR_DTYPE);
  CHECK_ERR(!nn_nll_loss(x, lab, w5, NN_IGNORE_INDEX, NN_REDUCTION_MEAN), NN_ERR_SHAPE);
  CHECK_ERR(!nn_nll_loss(NULL, lab, NULL, NN_IGNORE_INDEX, NN_REDUCTION_MEAN), NN_ERR_NULL);
  CHECK_ERR(!nn_nll_loss(x, lab4, NULL, NN_IGNORE_INDEX, NN_REDUCTION_MEAN), NN_ERR_SHAPE);
}

static void tests_losses(void) {
  RUN(test_losses_vs_torch);
  RUN(test_losses_ce_every_isa);
  RUN(test_losses_gradcheck);
  RUN(test_losses_large);
  RUN(test_losses_graph);
  RUN(test_losses_layouts);
  RUN(test_losses_errors);
}
