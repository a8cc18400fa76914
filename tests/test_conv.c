/* tests/test_conv.c: convolutions, their gradients, im2col/col2im and pooling against PyTorch (tests/ref/conv_ref.h,
   written by tools/ref/gen_conv.py), against naive loops on larger shapes (row blocks, chunking, thread counts), a
   finite-difference gradient check, and bad input for every function. */
#include "ref/conv_ref.h"

/* The generator's cv_fill: multiples of 1/16 in [-1, 1] from an LCG over the flat index. */
static void cv_fill(int seed, int64_t n, double *out) {
  int64_t i;
  for (i = 0; i < n; i++) {
    uint64_t h = ((uint64_t)i * 1103515245u + (uint64_t)seed * 12345u + 12345u) & 0x7FFFFFFFu;
    out[i] = (double)((int64_t)((h >> 8) % 33) - 16) / 16.0;
  }
}

static int64_t cv_size(const int64_t *s, int nd) {
  int64_t n = 1;
  int i;
  for (i = 0; i < nd; i++) n *= s[i];
  return n;
}

/* A tensor of cv_fill values in dtype dt. view 0: contiguous; 1: a non-contiguous view (last two axes swapped in
   memory); 2: a view with a negative stride on the last axis. */
static nn_tensor *cv_input(int seed, const int64_t *shape, int nd, nn_dtype dt, int view) {
  int64_t n = cv_size(shape, nd);
  double *v = (double *)malloc((size_t)(n > 0 ? n : 1) * sizeof(double));
  nn_tensor *t, *a, *r = NULL;
  cv_fill(seed, n, v);
  t = nn_from_data(v, shape, nd, NN_FLOAT64);
  free(v);
  a = nn_astype(t, dt);
  nn_free(t);
  if (!a || view == 0) return a;
  if (view == 1 && nd >= 2) {
    nn_tensor *s = nn_swapaxes(a, nd - 1, nd - 2), *c = nn_contiguous(s);
    r = nn_swapaxes(c, nd - 1, nd - 2);
    nn_free(s);
    nn_free(c);
  } else {
    nn_tensor *s = nn_slice(a, nd - 1, NN_NONE, NN_NONE, -1), *c = nn_copy(s);
    r = nn_slice(c, nd - 1, NN_NONE, NN_NONE, -1);
    nn_free(s);
    nn_free(c);
  }
  nn_free(a);
  return r;
}

static void cv_set_params(nn_conv_params *p, const int *stride, const int *padding, const int *dilation, int groups,
                          int same) {
  memset(p, 0, sizeof *p);
  p->stride[0] = stride[0];
  p->stride[1] = stride[1];
  p->padding[0] = padding[0];
  p->padding[1] = padding[1];
  p->dilation[0] = dilation[0];
  p->dilation[1] = dilation[1];
  p->groups = groups;
  p->same = same;
}

/* Checks dtype, shape and values of t against a reference. */
static void cv_expect(const char *what, const char *cname, const nn_tensor *t, nn_dtype dt, const int64_t *shape,
                      int nd, const double *expect, double tol) {
  char b[128];
  nt_checks++;
  if (!t) {
    NT_FAIL("%s %s: NULL (%s)", cname, what, nn_error());
    return;
  }
  if (t->dtype != dt) NT_FAIL("%s %s: dtype %s", cname, what, nn_dtype_name(t->dtype));
  else if (!nt_shape_is(t, shape, nd)) NT_FAIL("%s %s: shape %s", cname, what, nn_shape_str(t, b, sizeof b));
  else if (!nt_tensor_near(t, expect, cv_size(shape, nd), tol)) NT_FAIL("%s %s: values differ", cname, what);
}

static void test_conv_torch_refs(void) {
  int k, d, view;
  for (k = 0; k < CV_NCONV; k++) {
    const cv_conv_case *c = &cv_conv_cases[k];
    int nd = c->is1d ? 3 : 4;
    nn_conv_params p;
    cv_set_params(&p, c->stride, c->padding, c->dilation, c->groups, c->same);
    for (d = 0; d < 2; d++) {
      nn_dtype dt = d ? NN_FLOAT64 : NN_FLOAT32;
      double tol = d ? 1e-10 : 1e-5;
      for (view = 0; view < (d ? 3 : 1); view++) {
        nn_tensor *x, *w, *b = NULL, *dy, *y, *dx, *dw, *db = NULL;
        nn_scope_begin();
        x = cv_input(c->seed, c->xs, nd, dt, view);
        w = cv_input(c->seed + 1, c->ws, nd, dt, view);
        if (c->bias) b = cv_input(c->seed + 2, c->ws, 1, dt, view ? 2 : 0);
        dy = cv_input(c->seed + 3, c->ys, nd, dt, view);
        if (c->is1d) {
          y = nn_conv1d(x, w, b, &p);
          dx = nn_conv1d_backward_input(dy, w, c->xs, &p);
          dw = nn_conv1d_backward_weight(dy, x, c->ws, &p, c->bias ? &db : NULL);
        } else {
          y = nn_conv2d(x, w, b, &p);
          dx = nn_conv2d_backward_input(dy, w, c->xs, &p);
          dw = nn_conv2d_backward_weight(dy, x, c->ws, &p, c->bias ? &db : NULL);
        }
        cv_expect("forward", c->name, y, dt, c->ys, nd, c->y, tol);
        cv_expect("dx", c->name, dx, dt, c->xs, nd, c->dx, tol);
        cv_expect("dw", c->name, dw, dt, c->ws, nd, c->dw, tol);
        if (c->bias) cv_expect("db", c->name, db, dt, c->ws, 1, c->db, tol);
        nn_scope_end();
      }
    }
  }
}

static void test_conv_pool_refs(void) {
  int k, d, view;
  for (k = 0; k < CV_NPOOL; k++) {
    const cv_pool_case *c = &cv_pool_cases[k];
    int nd = c->is1d ? 3 : 4;
    nn_conv_params p;
    cv_set_params(&p, c->stride, c->padding, c->dilation, 0, 0);
    for (d = 0; d < 2; d++) {
      nn_dtype dt = d ? NN_FLOAT64 : NN_FLOAT32;
      double tol = d ? 1e-12 : 1e-6;
      for (view = 0; view < (d ? 3 : 1); view++) {
        nn_tensor *x, *dy, *y, *idx = NULL, *dx;
        nn_scope_begin();
        x = cv_input(c->seed, c->xs, nd, dt, view);
        dy = cv_input(c->seed + 3, c->ys, nd, dt, view);
        if (c->avg) {
          y = c->is1d ? nn_avg_pool1d(x, c->k[0], &p) : nn_avg_pool2d(x, c->k[0], c->k[1], &p);
          dx = c->is1d ? nn_avg_pool1d_backward(dy, c->xs, c->k[0], &p)
                       : nn_avg_pool2d_backward(dy, c->xs, c->k[0], c->k[1], &p);
        } else {
          y = c->is1d ? nn_max_pool1d(x, c->k[0], &p, &idx) : nn_max_pool2d(x, c->k[0], c->k[1], &p, &idx);
          cv_expect("argmax", c->name, idx, NN_INT64, c->ys, nd, c->idx, 0);
          if (view == 2 && idx) { /* a non-contiguous argmax too */
            nn_tensor *r = nn_copy(nn_slice(idx, nd - 1, NN_NONE, NN_NONE, -1));
            idx = nn_slice(r, nd - 1, NN_NONE, NN_NONE, -1);
          }
          dx = c->is1d ? nn_max_pool1d_backward(dy, idx, c->xs) : nn_max_pool2d_backward(dy, idx, c->xs);
        }
        cv_expect("forward", c->name, y, dt, c->ys, nd, c->y, tol);
        cv_expect("dx", c->name, dx, dt, c->xs, nd, c->dx, tol);
        /* without the argmax output */
        if (!c->avg) {
          nn_tensor *y2 = c->is1d ? nn_max_pool1d(x, c->k[0], &p, NULL) : nn_max_pool2d(x, c->k[0], c->k[1], &p, NULL);
          cv_expect("forward (no argmax)", c->name, y2, dt, c->ys, nd, c->y, 0);
        }
        nn_scope_end();
      }
    }
  }
}

static void test_conv_cols_refs(void) {
  int k, d, view;
  for (k = 0; k < CV_NCOLS; k++) {
    const cv_cols_case *c = &cv_cols_cases[k];
    nn_conv_params p;
    cv_set_params(&p, c->stride, c->padding, c->dilation, 0, c->same);
    for (d = 0; d < 2; d++) {
      nn_dtype dt = d ? NN_FLOAT64 : NN_FLOAT32;
      for (view = 0; view < (d ? 3 : 1); view++) {
        nn_tensor *x, *cols, *u, *f;
        nn_scope_begin();
        x = cv_input(c->seed, c->xs, 4, dt, view);
        cols = cv_input(c->seed + 3, c->cs, 3, dt, view);
        u = nn_im2col(x, c->k[0], c->k[1], &p);
        f = nn_col2im(cols, c->xs, c->k[0], c->k[1], &p);
        cv_expect("unfold", c->name, u, dt, c->cs, 3, c->unfold, 0);
        cv_expect("fold", c->name, f, dt, c->xs, 4, c->fold, d ? 1e-12 : 1e-6);
        nn_scope_end();
      }
    }
  }
}

/* ---- max pooling against a naive loop on wider planes (vector row and gather kernels, edges, NaN, ties) ---- */

static void cv_pool_naive(const int64_t *xs, const double *x, int kh, int kw, int sh, int sw, int ph, int pw, int dh,
                          int dw, int64_t Ho, int64_t Wo, double *y, int64_t *idx) {
  int64_t pl, oh, ow, i, j, H = xs[2], W = xs[3];
  for (pl = 0; pl < xs[0] * xs[1]; pl++)
    for (oh = 0; oh < Ho; oh++)
      for (ow = 0; ow < Wo; ow++) {
        double best = -INFINITY;
        int64_t bi = -1;
        for (i = 0; i < kh; i++)
          for (j = 0; j < kw; j++) {
            int64_t ih = oh * sh - ph + i * dh, iw = ow * sw - pw + j * dw;
            double v;
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
            v = x[pl * H * W + ih * W + iw];
            if (bi < 0 || v > best || v != v) {
              best = v;
              bi = ih * W + iw;
            }
          }
        y[(pl * Ho + oh) * Wo + ow] = best;
        idx[(pl * Ho + oh) * Wo + ow] = bi;
      }
}

static void test_conv_pool_naive(void) {
  /* kh, kw, sh, sw, ph, pw, dh, dw, H, W */
  static const int cases[][10] = {{2, 2, 2, 2, 0, 0, 1, 1, 30, 41}, {3, 3, 2, 2, 1, 1, 1, 1, 37, 41},
                                  {2, 2, 1, 1, 1, 1, 1, 1, 20, 33}, {3, 2, 1, 2, 1, 1, 2, 1, 19, 40},
                                  {3, 3, 1, 1, 0, 0, 1, 1, 9, 12},  {2, 3, 2, 3, 1, 1, 1, 2, 17, 50},
                                  {1, 4, 1, 2, 0, 2, 1, 1, 5, 64},  {2, 2, 2, 2, 0, 0, 1, 1, 12, 12},
                                  /* 2x2 stride 2 with many ties (values quantized below), rows of 13, 5 and 17 */
                                  {2, 2, 2, 2, 0, 0, 1, 1, 26, 26}, {2, 2, 2, 2, 0, 0, 1, 1, 11, 11},
                                  {2, 2, 2, 2, 0, 0, 1, 1, 7, 35},
                                  /* overlapping windows whose output is half the input: mostly not 2x2 blocks */
                                  {3, 3, 2, 2, 1, 1, 1, 1, 10, 12}, {3, 3, 2, 2, 1, 1, 1, 1, 20, 34}};
  int k, d, q;
  for (k = 0; k < (int)(sizeof cases / sizeof cases[0]); k++) {
    const int *c = cases[k];
    int64_t xs[4], ys[4], n, ny, Ho, Wo;
    double *xv, *yv;
    int64_t *iv;
    nn_conv_params p;
    xs[0] = 2, xs[1] = 3, xs[2] = c[8], xs[3] = c[9];
    Ho = (xs[2] + 2 * c[4] - c[6] * (c[0] - 1) - 1) / c[2] + 1;
    Wo = (xs[3] + 2 * c[5] - c[7] * (c[1] - 1) - 1) / c[3] + 1;
    ys[0] = 2, ys[1] = 3, ys[2] = Ho, ys[3] = Wo;
    n = cv_size(xs, 4), ny = cv_size(ys, 4);
    xv = (double *)malloc((size_t)n * sizeof(double));
    yv = (double *)malloc((size_t)ny * sizeof(double));
    iv = (int64_t *)malloc((size_t)ny * sizeof(int64_t));
    cv_fill(700 + k, n, xv);
    if (k >= 8)
      for (q = 0; q < n; q++) xv[q] = floor(xv[q] * 2);
    for (q = 0; q < 40; q++) xv[(q * 7919) % n] = q % 3 == 0 ? NAN : q % 3 == 1 ? -INFINITY : INFINITY;
    cv_pool_naive(xs, xv, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], Ho, Wo, yv, iv);
    memset(&p, 0, sizeof p);
    p.stride[0] = c[2], p.stride[1] = c[3], p.padding[0] = c[4], p.padding[1] = c[5];
    p.dilation[0] = c[6], p.dilation[1] = c[7];
    for (d = 0; d < 2; d++) {
      nn_tensor *x, *y, *ix = NULL, *dx;
      int64_t i, bad = 0;
      nn_scope_begin();
      x = nn_astype(nn_from_data(xv, xs, 4, NN_FLOAT64), d ? NN_FLOAT64 : NN_FLOAT32);
      y = nn_max_pool2d(x, c[0], c[1], &p, &ix);
      CHECK(y && ix && nt_shape_is(y, ys, 4) && nt_shape_is(ix, ys, 4));
      for (i = 0; y && ix && i < ny && !bad; i++) {
        double a = nn_get_flat(y, i);
        if (!((a != a && yv[i] != yv[i]) || a == yv[i]) || nn_get_flat(ix, i) != (double)iv[i]) bad = i + 1;
      }
      nt_checks++;
      if (bad) NT_FAIL("pool case %d (%s): output %lld differs", k, d ? "float64" : "float32", (long long)bad - 1);
      /* the backward pass routes each gradient (here 1 + its output's number) to its index */
      dx = nn_max_pool2d_backward(nn_reshape(nn_add_scalar(nn_arange(0, (double)ny, 1, x->dtype), 1.0), ys, 4), ix, xs);
      if (dx) {
        double *want = (double *)calloc((size_t)n, sizeof(double));
        int64_t bad_dx = -1;
        for (i = 0; want && i < ny; i++)
          if (iv[i] >= 0) want[(i / (Ho * Wo)) * xs[2] * xs[3] + iv[i]] += (double)(i + 1);
        for (i = 0; want && i < n && bad_dx < 0; i++)
          if (nn_get_flat(dx, i) != want[i]) bad_dx = i;
        nt_checks++;
        if (!want || bad_dx >= 0)
          NT_FAIL("pool case %d (%s): dx[%lld] differs", k, d ? "float64" : "float32", (long long)bad_dx);
        free(want);
      } else {
        CHECK(dx != NULL);
      }
      nn_scope_end();
    }
    free(xv), free(yv), free(iv);
  }
}

/* ---- naive references for larger shapes ---- */

typedef struct cv_geo {
  int64_t N, C, H, W, Co, G, kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo;
} cv_geo;

static void cv_naive(const cv_geo *g, const double *x, const double *w, const double *b, const double *dy, double *y,
                     double *dx, double *dw, double *db) {
  int64_t n, co, oh, ow, ci, i, j, Cg = g->C / g->G, Mg = g->Co / g->G;
  memset(dx, 0, (size_t)(g->N * g->C * g->H * g->W) * sizeof(double));
  memset(dw, 0, (size_t)(g->Co * Cg * g->kh * g->kw) * sizeof(double));
  memset(db, 0, (size_t)g->Co * sizeof(double));
  for (n = 0; n < g->N; n++)
    for (co = 0; co < g->Co; co++) {
      int64_t gi = co / Mg;
      for (oh = 0; oh < g->Ho; oh++)
        for (ow = 0; ow < g->Wo; ow++) {
          int64_t yi = ((n * g->Co + co) * g->Ho + oh) * g->Wo + ow;
          double s = b ? b[co] : 0, gy = dy[yi];
          db[co] += gy;
          for (ci = 0; ci < Cg; ci++)
            for (i = 0; i < g->kh; i++)
              for (j = 0; j < g->kw; j++) {
                int64_t ih = oh * g->sh - g->ph + i * g->dh, iw = ow * g->sw - g->pw + j * g->dw, xi, wi;
                if (ih < 0 || ih >= g->H || iw < 0 || iw >= g->W) continue;
                xi = ((n * g->C + gi * Cg + ci) * g->H + ih) * g->W + iw;
                wi = ((co * Cg + ci) * g->kh + i) * g->kw + j;
                s += x[xi] * w[wi];
                dx[xi] += w[wi] * gy;
                dw[wi] += x[xi] * gy;
              }
          y[yi] = s;
        }
    }
}

static int cv_bits_equal(const nn_tensor *a, const nn_tensor *b) {
  return a && b && a->size == b->size && a->dtype == b->dtype &&
         memcmp(a->data, b->data, (size_t)a->size * nn_dtype_size(a->dtype)) == 0;
}

/* Large enough for several row blocks per image, parallel chunks, and partial weight gradients. */
static void cv_large_case(const cv_geo *g, int bias) {
  int64_t xs[4], ws[4], ys[4], nx, nw, ny;
  double *x, *w, *b, *dy, *y, *dx, *dw, *db;
  nn_conv_params p;
  int d, t;
  xs[0] = g->N, xs[1] = g->C, xs[2] = g->H, xs[3] = g->W;
  ws[0] = g->Co, ws[1] = g->C / g->G, ws[2] = g->kh, ws[3] = g->kw;
  ys[0] = g->N, ys[1] = g->Co, ys[2] = g->Ho, ys[3] = g->Wo;
  nx = cv_size(xs, 4), nw = cv_size(ws, 4), ny = cv_size(ys, 4);
  x = (double *)malloc((size_t)nx * sizeof(double));
  dx = (double *)malloc((size_t)nx * sizeof(double));
  w = (double *)malloc((size_t)nw * sizeof(double));
  dw = (double *)malloc((size_t)nw * sizeof(double));
  b = (double *)malloc((size_t)g->Co * sizeof(double));
  db = (double *)malloc((size_t)g->Co * sizeof(double));
  dy = (double *)malloc((size_t)ny * sizeof(double));
  y = (double *)malloc((size_t)ny * sizeof(double));
  cv_fill(7, nx, x);
  cv_fill(8, nw, w);
  cv_fill(9, g->Co, b);
  cv_fill(10, ny, dy);
  cv_naive(g, x, w, bias ? b : NULL, dy, y, dx, dw, db);
  memset(&p, 0, sizeof p);
  p.stride[0] = (int)g->sh, p.stride[1] = (int)g->sw, p.padding[0] = (int)g->ph, p.padding[1] = (int)g->pw;
  p.dilation[0] = (int)g->dh, p.dilation[1] = (int)g->dw, p.groups = (int)g->G;
  for (d = 0; d < 2; d++) {
    nn_dtype dt = d ? NN_FLOAT64 : NN_FLOAT32;
    double tol = d ? 1e-10 : 2e-4;
    nn_tensor *tx, *tw, *tb, *tdy, *r[3][4];
    nn_scope_begin();
    tx = nn_astype(nn_from_data(x, xs, 4, NN_FLOAT64), dt);
    tw = nn_astype(nn_from_data(w, ws, 4, NN_FLOAT64), dt);
    tb = bias ? nn_astype(nn_from_data(b, &g->Co, 1, NN_FLOAT64), dt) : NULL;
    tdy = nn_astype(nn_from_data(dy, ys, 4, NN_FLOAT64), dt);
    for (t = 0; t < 3; t++) { /* 1 thread, the default, 8 threads (chunks in turn, parallel GEMMs): same bits */
      nn_set_num_threads(t == 0 ? 1 : t == 1 ? 0 : 8);
      r[t][0] = nn_conv2d(tx, tw, tb, &p);
      r[t][1] = nn_conv2d_backward_input(tdy, tw, xs, &p);
      r[t][2] = nn_conv2d_backward_weight(tdy, tx, ws, &p, &r[t][3]);
    }
    nn_set_num_threads(0);
    cv_expect("large forward", "naive", r[0][0], dt, ys, 4, y, tol);
    cv_expect("large dx", "naive", r[0][1], dt, xs, 4, dx, tol);
    cv_expect("large dw", "naive", r[0][2], dt, ws, 4, dw, tol);
    cv_expect("large db", "naive", r[0][3], dt, &g->Co, 1, db, tol);
    for (t = 1; t < 3; t++) {
      CHECK(cv_bits_equal(r[0][0], r[t][0]));
      CHECK(cv_bits_equal(r[0][1], r[t][1]));
      CHECK(cv_bits_equal(r[0][2], r[t][2]));
      CHECK(cv_bits_equal(r[0][3], r[t][3]));
    }
    nn_scope_end();
  }
  free(x), free(dx), free(w), free(dw), free(b), free(db), free(dy), free(y);
}

static void test_conv_large_naive(void) {
  cv_geo g;
  /* many row blocks per image (576 x 40 columns per output row), groups, 3 images -> 3 partial weight gradients */
  memset(&g, 0, sizeof g);
  g.N = 3, g.C = 64, g.H = 40, g.W = 38, g.Co = 8, g.G = 2, g.kh = 3, g.kw = 3, g.sh = 1, g.sw = 1, g.ph = 1, g.pw = 1;
  g.dh = 1, g.dw = 1;
  g.C = 128; /* Cg = 64 */
  g.Ho = (g.H + 2 * g.ph - g.dh * (g.kh - 1) - 1) / g.sh + 1;
  g.Wo = (g.W + 2 * g.pw - g.dw * (g.kw - 1) - 1) / g.sw + 1;
  cv_large_case(&g, 1);
  /* many small images: several images per GEMM panel, several panels per chunk, strided, dilated, grouped */
  memset(&g, 0, sizeof g);
  g.N = 150, g.C = 8, g.H = 9, g.W = 8, g.Co = 12, g.G = 2, g.kh = 3, g.kw = 2, g.sh = 2, g.sw = 1, g.ph = 1, g.pw = 2;
  g.dh = 1, g.dw = 2;
  g.Ho = (g.H + 2 * g.ph - g.dh * (g.kh - 1) - 1) / g.sh + 1;
  g.Wo = (g.W + 2 * g.pw - g.dw * (g.kw - 1) - 1) / g.sw + 1;
  cv_large_case(&g, 0);
  /* valid 3x3 convolutions with stride 1 (the vector im2col): rows of 11 and of 38 (two vectors and a tail) */
  memset(&g, 0, sizeof g);
  g.N = 20, g.C = 32, g.H = 13, g.W = 13, g.Co = 16, g.G = 1, g.kh = 3, g.kw = 3, g.sh = 1, g.sw = 1, g.dh = 1, g.dw = 1;
  g.Ho = 11, g.Wo = 11;
  cv_large_case(&g, 1);
  memset(&g, 0, sizeof g);
  g.N = 5, g.C = 3, g.H = 20, g.W = 40, g.Co = 4, g.G = 1, g.kh = 3, g.kw = 3, g.sh = 1, g.sw = 1, g.dh = 1, g.dw = 1;
  g.Ho = 18, g.Wo = 38;
  cv_large_case(&g, 0);
  /* padded 5x5 with stride 1 on small images (the vector col2im, whole images, taps that reach past the edges) */
  memset(&g, 0, sizeof g);
  g.N = 12, g.C = 6, g.H = 14, g.W = 19, g.Co = 10, g.G = 2, g.kh = 5, g.kw = 5, g.sh = 1, g.sw = 1, g.ph = 2, g.pw = 1;
  g.dh = 1, g.dw = 1;
  g.Ho = g.H, g.Wo = g.W - 2;
  cv_large_case(&g, 1);
  /* small kernel volumes (the direct kernels): one padded channel and an odd number of filters; two groups of 2
     channels (two tiles of taps); a large image cut into row blocks */
  memset(&g, 0, sizeof g);
  g.N = 9, g.C = 1, g.H = 17, g.W = 18, g.Co = 7, g.G = 1, g.kh = 3, g.kw = 3, g.sh = 1, g.sw = 1, g.ph = 1, g.pw = 2;
  g.dh = 1, g.dw = 1;
  g.Ho = 17, g.Wo = 20;
  cv_large_case(&g, 1);
  memset(&g, 0, sizeof g);
  g.N = 6, g.C = 4, g.H = 12, g.W = 9, g.Co = 6, g.G = 2, g.kh = 3, g.kw = 3, g.sh = 1, g.sw = 1, g.dh = 1, g.dw = 1;
  g.Ho = 10, g.Wo = 7 + 2, g.pw = 1;
  cv_large_case(&g, 0);
  memset(&g, 0, sizeof g);
  g.N = 2, g.C = 1, g.H = 190, g.W = 201, g.Co = 5, g.G = 1, g.kh = 3, g.kw = 3, g.sh = 1, g.sw = 1, g.dh = 1, g.dw = 1;
  g.ph = 1, g.Ho = 190, g.Wo = 199;
  cv_large_case(&g, 1);
  /* 1x1 on small images, several to a panel */
  memset(&g, 0, sizeof g);
  g.N = 40, g.C = 16, g.H = 12, g.W = 11, g.Co = 24, g.G = 1, g.kh = 1, g.kw = 1, g.sh = 1, g.sw = 1, g.dh = 1, g.dw = 1;
  g.Ho = g.H, g.Wo = g.W;
  cv_large_case(&g, 1);
  /* 1x1 on large images: x read in place, row blocks */
  memset(&g, 0, sizeof g);
  g.N = 2, g.C = 256, g.H = 48, g.W = 47, g.Co = 8, g.G = 2, g.kh = 1, g.kw = 1, g.sh = 1, g.sw = 1, g.dh = 1, g.dw = 1;
  g.Ho = g.H, g.Wo = g.W;
  cv_large_case(&g, 1);
}

/* ---- finite differences ---- */

static double cv_loss(const nn_tensor *x, const nn_tensor *w, const nn_tensor *b, const nn_tensor *r,
                      const nn_conv_params *p) {
  nn_tensor *y = nn_conv2d(x, w, b, p);
  double s = 0;
  int64_t i;
  if (!y) return NAN;
  for (i = 0; i < y->size; i++) s += ((double *)y->data)[i] * ((const double *)r->data)[i];
  nn_free(y);
  return s;
}

static void cv_fd_check(const nn_conv_params *p, const int64_t *xs, const int64_t *ws) {
  nn_tensor *x, *w, *b, *y, *r, *dx, *dw, *db = NULL;
  nn_tensor *vars[3], *grads[3];
  double h = 1e-6;
  int v;
  int64_t i;
  x = cv_input(31, xs, 4, NN_FLOAT64, 0);
  w = cv_input(32, ws, 4, NN_FLOAT64, 0);
  b = cv_input(33, ws, 1, NN_FLOAT64, 0);
  y = nn_conv2d(x, w, b, p);
  CHECK(y != NULL);
  if (!y) return;
  r = cv_input(34, y->shape, 4, NN_FLOAT64, 0);
  dx = nn_conv2d_backward_input(r, w, xs, p);
  dw = nn_conv2d_backward_weight(r, x, ws, p, &db);
  vars[0] = x, vars[1] = w, vars[2] = b;
  grads[0] = dx, grads[1] = dw, grads[2] = db;
  for (v = 0; v < 3; v++) {
    CHECK(grads[v] != NULL);
    if (!grads[v]) continue;
    for (i = 0; i < vars[v]->size; i++) {
      double *e = (double *)vars[v]->data + i, keep = *e, lp, lm;
      *e = keep + h;
      lp = cv_loss(x, w, b, r, p);
      *e = keep - h;
      lm = cv_loss(x, w, b, r, p);
      *e = keep;
      CHECK_NEAR(((double *)grads[v]->data)[i], (lp - lm) / (2 * h), 1e-6);
    }
  }
}

static void test_conv_finite_differences(void) {
  nn_conv_params p;
  int64_t xs[4] = {2, 4, 5, 6}, ws[4] = {4, 2, 3, 2}, ws2[4] = {3, 4, 2, 3};
  memset(&p, 0, sizeof p);
  p.stride[0] = 2, p.padding[0] = 1, p.padding[1] = 1, p.dilation[1] = 2, p.groups = 2;
  cv_fd_check(&p, xs, ws);
  memset(&p, 0, sizeof p);
  p.same = 1; /* even kernel: asymmetric padding */
  cv_fd_check(&p, xs, ws2);
}

/* ---- special values and small hand-checked cases ---- */

static void test_conv_special(void) {
  int64_t s4[4] = {1, 1, 2, 2}, s33[4] = {1, 1, 3, 3}, i0[4] = {0, 0, 0, 0};
  float nanv[4] = {NAN, 1, 2, NAN};
  nn_conv_params p;
  nn_tensor *x, *y, *ix = NULL, *dy, *dx, *w, *b;
  /* NaN propagates and the last NaN gives the index (PyTorch's CPU kernel) */
  x = nn_from_data(nanv, s4, 4, NN_FLOAT32);
  y = nn_max_pool2d(x, 2, 2, NULL, &ix);
  CHECK(y && y->size == 1 && nn_get(y, i0) != nn_get(y, i0));
  CHECK(ix && nn_get(ix, i0) == 3);
  /* a window of only -inf keeps its first position; padding never wins */
  x = nn_full(s33, 4, -INFINITY, NN_FLOAT64);
  memset(&p, 0, sizeof p);
  p.padding[0] = p.padding[1] = 1;
  y = nn_max_pool2d(x, 2, 2, &p, &ix);
  CHECK(y && ix && y->size == 4 && nn_get_flat(ix, 0) == 0 && nn_get_flat(ix, 1) == 1 && nn_get_flat(ix, 2) == 3 &&
        nn_get_flat(ix, 3) == 4 && nn_get_flat(y, 3) == -INFINITY);
  /* a dilated window that covers only padding: -inf and index -1, skipped by the backward pass */
  x = nn_ones(s4, 4, NN_FLOAT64);
  memset(&p, 0, sizeof p);
  p.padding[0] = p.padding[1] = 1;
  p.dilation[0] = p.dilation[1] = 3;
  y = nn_max_pool2d(x, 2, 2, &p, &ix);
  CHECK(y && ix && y->size == 1 && nn_get_flat(y, 0) == -INFINITY && nn_get_flat(ix, 0) == -1);
  dx = nn_max_pool2d_backward(nn_ones(y->shape, 4, NN_FLOAT64), ix, s4);
  CHECK(dx && nn_get_flat(dx, 0) == 0 && nn_get_flat(dx, 3) == 0);
  /* an empty batch */
  {
    int64_t xs[4] = {0, 3, 5, 5}, ws[4] = {2, 3, 3, 3}, ys[4] = {0, 2, 3, 3};
    nn_tensor *db = NULL, *dw;
    x = nn_zeros(xs, 4, NN_FLOAT32);
    w = nn_ones(ws, 4, NN_FLOAT32);
    y = nn_conv2d(x, w, NULL, NULL);
    CHECK(y && nt_shape_is(y, ys, 4));
    dy = nn_zeros(ys, 4, NN_FLOAT32);
    dx = nn_conv2d_backward_input(dy, w, xs, NULL);
    CHECK(dx && nt_shape_is(dx, xs, 4));
    dw = nn_conv2d_backward_weight(dy, x, ws, NULL, &db);
    CHECK(dw && db && nt_shape_is(dw, ws, 4) && nn_get_flat(dw, 5) == 0 && nn_get_flat(db, 1) == 0);
    CHECK(nn_max_pool2d(x, 2, 2, NULL, NULL) != NULL && nn_im2col(x, 2, 2, NULL) != NULL);
  }
  /* bias as a broadcast view (stride 0); a 1x1 kernel equals a matrix product over channels */
  {
    int64_t xs[4] = {2, 3, 2, 2}, ws[4] = {2, 3, 1, 1}, bs[1] = {2};
    double wv[6] = {1, 2, 3, -1, 0.5, 0};
    x = nn_reshape(nn_arange(0, 24, 1, NN_FLOAT64), xs, 4);
    w = nn_from_data(wv, ws, 4, NN_FLOAT64);
    b = nn_broadcast_to(nn_scalar(10, NN_FLOAT64), bs, 1);
    y = nn_conv2d(x, w, b, NULL);
    CHECK(y && nn_get_flat(y, 0) == 10 + 0 + 2 * 4 + 3 * 8);
    CHECK(y && nn_get_flat(y, 4 + 1) == 10 - 1 + 0.5 * 5);
    CHECK(y && nn_get_flat(y, 8 + 3) == 10 + 15 + 2 * 19 + 3 * 23);
  }
  /* 1-D ops use element [0] of the parameters only; [1] is ignored even when it is nonsense */
  {
    int64_t xs[3] = {1, 1, 6}, ws[3] = {1, 1, 2};
    nn_tensor *r1, *r2;
    memset(&p, 0, sizeof p);
    x = nn_reshape(nn_arange(0, 6, 1, NN_FLOAT32), xs, 3);
    w = nn_ones(ws, 3, NN_FLOAT32);
    p.stride[0] = 2;
    r1 = nn_conv1d(x, w, NULL, &p);
    p.stride[1] = -5, p.padding[1] = -1, p.dilation[1] = 7;
    r2 = nn_conv1d(x, w, NULL, &p);
    CHECK(r1 && r2 && r1->shape[2] == 3 && r2->shape[2] == 3 && nn_get_flat(r2, 2) == 9);
    r1 = nn_max_pool1d(x, 3, &p, NULL);
    CHECK(r1 && r1->shape[2] == 2 && nn_get_flat(r1, 0) == 2 && nn_get_flat(r1, 1) == 4);
  }
}

/* ---- errors ---- */

static void test_conv_errors(void) {
  int64_t xs[4] = {2, 4, 10, 10}, ws[4] = {8, 3, 3, 3}, x3s[3] = {2, 3, 10}, w3s[3] = {4, 3, 3};
  int64_t ys[4] = {2, 8, 8, 8}, bad_xs[4] = {2, 3, -1, 5}, good_xs[4] = {2, 3, 10, 10}, s2[2] = {3, 4};
  nn_tensor *x = nn_zeros(xs, 4, NN_FLOAT32), *w = nn_zeros(ws, 4, NN_FLOAT32), *n = NULL;
  nn_tensor *xg = nn_zeros(good_xs, 4, NN_FLOAT32), *x3 = nn_zeros(x3s, 3, NN_FLOAT32), *w3 = nn_zeros(w3s, 3, NN_FLOAT32);
  nn_tensor *dy = nn_zeros(ys, 4, NN_FLOAT32), *xd = nn_zeros(good_xs, 4, NN_FLOAT64), *xi = nn_zeros(good_xs, 4, NN_INT32);
  nn_tensor *m2 = nn_zeros(s2, 2, NN_FLOAT32), *idx = NULL, *db = NULL, *y, *ix;
  nn_conv_params p;
  memset(&p, 0, sizeof p);

  /* the message of the brief, exactly */
  CHECK_ERR(nn_conv2d(x, w, NULL, NULL) == NULL, NN_ERR_SHAPE);
  CHECK(strcmp(nn_error(), "nn_conv2d: expected input with 3 channels (weight (8,3,3,3), groups 1), got input (2,4,10,10)") == 0);
  /* NULL everywhere */
  CHECK_ERR(nn_conv2d(n, w, NULL, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_conv2d(xg, n, NULL, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_conv1d(n, w3, NULL, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_conv1d(x3, n, NULL, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_conv2d_backward_input(n, w, good_xs, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_conv2d_backward_input(dy, n, good_xs, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_conv2d_backward_input(dy, w, NULL, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_conv2d_backward_weight(n, xg, ws, NULL, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_conv2d_backward_weight(dy, n, ws, NULL, &db) == NULL, NN_ERR_NULL);
  CHECK(db == NULL);
  CHECK_ERR(nn_conv2d_backward_weight(dy, xg, NULL, NULL, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_conv1d_backward_input(n, w3, x3s, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_conv1d_backward_input(x3, w3, NULL, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_conv1d_backward_weight(n, x3, w3s, NULL, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_conv1d_backward_weight(x3, x3, NULL, NULL, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_im2col(n, 3, 3, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_col2im(n, good_xs, 3, 3, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_col2im(x3, NULL, 3, 3, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_max_pool2d(n, 2, 2, NULL, &idx) == NULL, NN_ERR_NULL);
  CHECK(idx == NULL);
  CHECK_ERR(nn_max_pool1d(n, 2, NULL, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_avg_pool2d(n, 2, 2, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_avg_pool1d(n, 2, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_max_pool2d_backward(n, xg, good_xs) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_max_pool2d_backward(xg, n, good_xs) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_max_pool1d_backward(x3, n, x3s) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_avg_pool2d_backward(n, good_xs, 2, 2, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_avg_pool2d_backward(xg, NULL, 2, 2, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_avg_pool1d_backward(n, x3s, 2, NULL) == NULL, NN_ERR_NULL);

  /* wrong ndim */
  CHECK_ERR(nn_conv2d(m2, w, NULL, NULL) == NULL, NN_ERR_SHAPE);
  CHECK(strstr(nn_error(), "expected a 4-D input") != NULL);
  CHECK_ERR(nn_conv2d(xg, w3, NULL, NULL) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_conv1d(xg, w3, NULL, NULL) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_conv2d_backward_input(m2, w, good_xs, NULL) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_conv2d_backward_weight(dy, x3, ws, NULL, NULL) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_im2col(x3, 2, 2, NULL) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_col2im(xg, good_xs, 2, 2, NULL) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_max_pool2d(x3, 2, 2, NULL, NULL) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_max_pool1d(xg, 2, NULL, NULL) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_avg_pool2d(m2, 2, 2, NULL) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_avg_pool1d(m2, 2, NULL) == NULL, NN_ERR_SHAPE);

  /* dtypes */
  CHECK_ERR(nn_conv2d(xd, w, NULL, NULL) == NULL, NN_ERR_DTYPE);
  CHECK(strstr(nn_error(), "float64") && strstr(nn_error(), "float32"));
  CHECK_ERR(nn_conv2d(xi, nn_zeros(ws, 4, NN_INT32), NULL, NULL) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_conv2d(xg, w, nn_zeros(ws, 1, NN_FLOAT64), NULL) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_conv2d_backward_input(nn_zeros(ys, 4, NN_FLOAT64), w, good_xs, NULL) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_conv2d_backward_weight(dy, xd, ws, NULL, NULL) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_im2col(xi, 2, 2, NULL) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_col2im(nn_zeros(x3s, 3, NN_UINT8), good_xs, 2, 2, NULL) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_max_pool2d(xi, 2, 2, NULL, NULL) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_avg_pool2d(xi, 2, 2, NULL) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_max_pool2d_backward(xg, xg, good_xs) == NULL, NN_ERR_DTYPE);
  CHECK(strstr(nn_error(), "int64") != NULL);

  /* shapes */
  CHECK_ERR(nn_conv2d(xg, w, nn_zeros(xs, 1, NN_FLOAT32), NULL) == NULL, NN_ERR_SHAPE); /* bias (2,) */
  CHECK(strstr(nn_error(), "bias of shape (8,)") != NULL);
  p.groups = 3;
  CHECK_ERR(nn_conv2d(xg, w, NULL, &p) == NULL, NN_ERR_SHAPE); /* 8 % 3 */
  CHECK(strstr(nn_error(), "groups 3") != NULL);
  p.groups = 2;
  CHECK_ERR(nn_conv2d(xg, w, NULL, &p) == NULL, NN_ERR_SHAPE); /* needs 6 channels */
  CHECK(strstr(nn_error(), "6 channels") != NULL);
  p.groups = 0;
  {
    int64_t big[4] = {8, 3, 11, 3}, tiny[4] = {1, 3, 2, 2}, zc[4] = {0, 3, 3, 3}, ze[4] = {2, 3, 0, 10};
    CHECK_ERR(nn_conv2d(xg, nn_zeros(big, 4, NN_FLOAT32), NULL, NULL) == NULL, NN_ERR_SHAPE); /* output <= 0 */
    CHECK(strstr(nn_error(), "output would be empty") != NULL);
    CHECK_ERR(nn_conv2d(nn_zeros(tiny, 4, NN_FLOAT32), w, NULL, NULL) == NULL, NN_ERR_SHAPE);
    CHECK_ERR(nn_conv2d(xg, nn_zeros(zc, 4, NN_FLOAT32), NULL, NULL) == NULL, NN_ERR_SHAPE);  /* no out channels */
    CHECK_ERR(nn_conv2d(nn_zeros(ze, 4, NN_FLOAT32), w, NULL, NULL) == NULL, NN_ERR_SHAPE);  /* empty H */
    CHECK_ERR(nn_conv2d_backward_input(dy, w, ze, NULL) == NULL, NN_ERR_SHAPE);
    CHECK_ERR(nn_max_pool2d(nn_zeros(ze, 4, NN_FLOAT32), 2, 2, NULL, NULL) == NULL, NN_ERR_SHAPE);
  }
  CHECK_ERR(nn_conv2d_backward_input(dy, w, bad_xs, NULL) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_conv2d_backward_input(dy, w, xs, NULL) == NULL, NN_ERR_SHAPE); /* 4 channels for a 3-channel weight */
  CHECK_ERR(nn_conv2d_backward_input(nn_zeros(xs, 4, NN_FLOAT32), w, good_xs, NULL) == NULL, NN_ERR_SHAPE);
  CHECK(strstr(nn_error(), "expected dy of shape (2,8,8,8)") != NULL);
  CHECK_ERR(nn_conv2d_backward_weight(nn_zeros(xs, 4, NN_FLOAT32), xg, ws, NULL, NULL) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_conv2d_backward_weight(dy, x, ws, NULL, NULL) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_conv2d_backward_weight(dy, xg, bad_xs, NULL, NULL) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_conv1d(x3, nn_zeros(xs, 3, NN_FLOAT32), NULL, NULL) == NULL, NN_ERR_SHAPE); /* weight (2,4,10) */
  CHECK_ERR(nn_conv1d_backward_input(x3, w3, x3s, NULL) == NULL, NN_ERR_SHAPE);          /* dy (2,3,10) */
  CHECK_ERR(nn_conv1d_backward_weight(x3, x3, w3s, NULL, NULL) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_col2im(nn_zeros(x3s, 3, NN_FLOAT32), good_xs, 3, 3, NULL) == NULL, NN_ERR_SHAPE);
  CHECK(strstr(nn_error(), "expected cols of shape (2,27,64)") != NULL);
  CHECK_ERR(nn_col2im(nn_zeros(x3s, 3, NN_FLOAT32), bad_xs, 3, 3, NULL) == NULL, NN_ERR_SHAPE);
  y = nn_max_pool2d(xg, 2, 2, NULL, &ix);
  CHECK(y && ix);
  CHECK_ERR(nn_max_pool2d_backward(y, ix, bad_xs) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_max_pool2d_backward(y, nn_zeros(ys, 4, NN_INT64), good_xs) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_max_pool2d_backward(y, ix, xs) == NULL, NN_ERR_SHAPE); /* channels differ */
  CHECK_ERR(nn_max_pool1d_backward(x3, nn_full(x3s, 3, 10, NN_INT64), good_xs) == NULL, NN_ERR_INDEX); /* 10 >= 10 */
  CHECK_ERR(nn_avg_pool2d_backward(dy, good_xs, 2, 2, NULL) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_avg_pool1d_backward(x3, x3s, 2, NULL) == NULL, NN_ERR_SHAPE);
  /* argmax out of range */
  nn_set_flat(ix, 7, 100);
  CHECK_ERR(nn_max_pool2d_backward(y, ix, good_xs) == NULL, NN_ERR_INDEX);
  CHECK(strstr(nn_error(), "argmax value 100 at flat position 7") != NULL);
  nn_set_flat(ix, 7, -2);
  CHECK_ERR(nn_max_pool2d_backward(y, ix, good_xs) == NULL, NN_ERR_INDEX);

  /* parameters */
  p.stride[0] = -1;
  CHECK_ERR(nn_conv2d(xg, w, NULL, &p) == NULL, NN_ERR_VALUE);
  CHECK(strstr(nn_error(), "stride=(-1,0)") != NULL);
  CHECK_ERR(nn_conv2d_backward_input(dy, w, good_xs, &p) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_conv2d_backward_weight(dy, xg, ws, &p, NULL) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_conv1d(x3, w3, NULL, &p) == NULL, NN_ERR_VALUE);
  CHECK(strstr(nn_error(), "stride=-1,") != NULL);
  CHECK_ERR(nn_im2col(xg, 2, 2, &p) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_col2im(x3, good_xs, 2, 2, &p) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_max_pool2d(xg, 2, 2, &p, NULL) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_avg_pool1d(x3, 2, &p) == NULL, NN_ERR_VALUE);
  memset(&p, 0, sizeof p);
  p.padding[1] = -2;
  CHECK_ERR(nn_conv2d(xg, w, NULL, &p) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_avg_pool2d(xg, 2, 2, &p) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_avg_pool2d_backward(dy, good_xs, 2, 2, &p) == NULL, NN_ERR_VALUE);
  memset(&p, 0, sizeof p);
  p.dilation[0] = -1;
  CHECK_ERR(nn_conv2d(xg, w, NULL, &p) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_max_pool1d(x3, 2, &p, NULL) == NULL, NN_ERR_VALUE);
  memset(&p, 0, sizeof p);
  p.groups = -1;
  CHECK_ERR(nn_conv2d(xg, w, NULL, &p) == NULL, NN_ERR_VALUE);
  p.groups = 2;
  CHECK_ERR(nn_max_pool2d(xg, 2, 2, &p, NULL) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_im2col(xg, 2, 2, &p) == NULL, NN_ERR_VALUE);
  memset(&p, 0, sizeof p);
  p.same = 1;
  p.stride[1] = 2;
  CHECK_ERR(nn_conv2d(xg, w, NULL, &p) == NULL, NN_ERR_VALUE);
  CHECK(strstr(nn_error(), "strided") != NULL);
  p.stride[1] = 0;
  p.padding[0] = 1;
  CHECK_ERR(nn_conv2d(xg, w, NULL, &p) == NULL, NN_ERR_VALUE);
  p.padding[0] = 0;
  CHECK_ERR(nn_max_pool2d(xg, 2, 2, &p, NULL) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_avg_pool2d_backward(dy, good_xs, 2, 2, &p) == NULL, NN_ERR_VALUE);
  memset(&p, 0, sizeof p);
  p.padding[0] = 2; /* more than half the kernel */
  CHECK_ERR(nn_max_pool2d(xg, 3, 3, &p, NULL) == NULL, NN_ERR_VALUE);
  CHECK(strstr(nn_error(), "at most half") != NULL);
  CHECK_ERR(nn_avg_pool1d(x3, 3, &p) == NULL, NN_ERR_VALUE);
  memset(&p, 0, sizeof p);
  p.dilation[0] = 2;
  CHECK_ERR(nn_avg_pool2d(xg, 2, 2, &p) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_max_pool2d(xg, 0, 2, NULL, NULL) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_avg_pool1d(x3, -1, NULL) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_im2col(xg, 2, 0, NULL) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_max_pool2d(xg, 11, 2, NULL, NULL) == NULL, NN_ERR_SHAPE); /* window larger than the input */
  memset(&p, 0, sizeof p);
  p.dilation[0] = 2000000000;
  CHECK_ERR(nn_conv2d(xg, w, NULL, &p) == NULL, NN_ERR_SHAPE);
  p.same = 1;
  y = nn_conv2d(xg, w, NULL, &p); /* padding "same" with a huge dilation: only the centre tap sees the input */
  CHECK(y && nt_shape_is(y, ys, 4) == 0 && y->shape[2] == 10 && y->shape[3] == 10);
  /* nothing piles up */
  CHECK(nn_scope_count() < 200);
}

/* The naive-reference tests again on a lower instruction set (the convolution and pooling kernels follow the GEMM's
   choice): 1 AVX2+FMA, 0 portable C; skipped where the CPU lacks it or it is already the one in use. */
static void cv_isa_suite(int isa) {
  if (nn__gemm_isa() == isa || nn__gemm_set_isa(isa) != isa) {
    nn__gemm_set_isa(-1);
    return;
  }
  test_conv_pool_naive();
  test_conv_large_naive();
  nn__gemm_set_isa(-1);
}
static void test_conv_naive_avx2(void) { cv_isa_suite(1); }
static void test_conv_naive_c(void) { cv_isa_suite(0); }

void tests_conv(void) {
  RUN(test_conv_torch_refs);
  RUN(test_conv_pool_refs);
  RUN(test_conv_cols_refs);
  RUN(test_conv_pool_naive);
  RUN(test_conv_large_naive);
  RUN(test_conv_naive_avx2);
  RUN(test_conv_naive_c);
  RUN(test_conv_finite_differences);
  RUN(test_conv_special);
  RUN(test_conv_errors);
}
