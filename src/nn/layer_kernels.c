/* nn/layer_kernels.c: typed loops of the fused layer ops (the template nn/layer_kernels.inc for float and double),
   a dtype-dispatching GEMM, and the "part" node that exposes pieces of one fused result as differentiable views. */

#define NN__LK_CAT2(a, b) a##b
#define NN__LK_CAT(a, b) NN__LK_CAT2(a, b)

#define NN__LK_R float
#define NN__LK_DT NN_FLOAT32
#define NN__LK(name) NN__LK_CAT(name, _f32)
#define NN__LK_EXP expf
#define NN__LK_TANH tanhf
#include "layer_kernels.inc"
#undef NN__LK_R
#undef NN__LK_DT
#undef NN__LK
#undef NN__LK_EXP
#undef NN__LK_TANH

#define NN__LK_R double
#define NN__LK_DT NN_FLOAT64
#define NN__LK(name) NN__LK_CAT(name, _f64)
#define NN__LK_EXP exp
#define NN__LK_TANH tanh
#include "layer_kernels.inc"
#undef NN__LK_R
#undef NN__LK_DT
#undef NN__LK
#undef NN__LK_EXP
#undef NN__LK_TANH

/* C = alpha op(A) op(B) + beta C for float32 or float64 data (row-major, as nn_sgemm). */
NN__PRIVATE nn_status nn__lk_gemm(nn_dtype dt, int ta, int tb, int64_t M, int64_t N, int64_t K, double alpha,
                                  const void *A, int64_t lda, const void *B, int64_t ldb, double beta, void *C,
                                  int64_t ldc) {
  if (M == 0 || N == 0) return NN_OK;
  if (dt == NN_FLOAT32)
    return nn_sgemm(ta, tb, M, N, K, (float)alpha, (const float *)A, lda, (const float *)B, ldb, (float)beta,
                    (float *)C, ldc);
  return nn_dgemm(ta, tb, M, N, K, alpha, (const double *)A, lda, (const double *)B, ldb, beta, (double *)C, ldc);
}

/* Fixed row chunks for the per-row loops: about 16K elements each, so the split depends only on the sizes. */
NN__PRIVATE int64_t nn__lk_rows_per_chunk(int64_t row_len) {
  int64_t r = row_len > 0 ? 16384 / row_len : 16384;
  return r < 1 ? 1 : r;
}

/* A contiguous tensor with x's values in dtype dt: x itself as a new header when it already is one. */
NN__PRIVATE nn_tensor *nn__lk_contig(const nn_tensor *x, nn_dtype dt) {
  if (x->dtype != dt) return nn_astype(x, dt);
  return nn_contiguous(x);
}

/* ---- part: a differentiable view of a piece of a fused op's result ---- */

/* n->i: [0] ndim, [1..ndim] shape, [1+ndim..2 ndim] strides, [1+2 ndim] offset in elements. */
NN__PRIVATE nn_status nn__part_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  const nn__edge *e = &n->in[0];
  int nd = (int)n->i[0], k;
  int64_t shape[NN_MAX_DIMS], strides[NN_MAX_DIMS];
  nn_tensor *z, *v;
  nn_status st;
  for (k = 0; k < nd; k++) {
    shape[k] = n->i[1 + k];
    strides[k] = n->i[1 + nd + k];
  }
  z = nn_zeros(e->shape, e->ndim, g->dtype);
  if (!z) return nn_last_status();
  v = nn__view(n->name, z, shape, strides, nd, (char *)z->data + n->i[1 + 2 * nd] * (int64_t)nn_dtype_size(z->dtype));
  if (!v) {
    nn_free(z);
    return nn_last_status();
  }
  st = nn_assign(v, g);
  nn_free(v);
  if (st != NN_OK) {
    nn_free(z);
    return st;
  }
  gin[0] = z;
  return NN_OK;
}

/* A view of the contiguous tensor z (shape, strides in elements, offset in elements) whose gradient flows back into
   z. The result belongs to the current scope. */
NN__PRIVATE nn_tensor *nn__part(const char *op, const nn_tensor *z, const int64_t *shape, const int64_t *strides,
                                int nd, int64_t offset) {
  nn_tensor *v = nn__view(op, z, shape, strides, nd, (char *)z->data + offset * (int64_t)nn_dtype_size(z->dtype));
  nn__node *n;
  int k;
  if (!v || !nn__ag_wanted1(z)) return v;
  n = nn__ag_node(op, nn__part_backward, 1, &z);
  if (n) {
    n->i[0] = nd;
    for (k = 0; k < nd; k++) {
      n->i[1 + k] = shape[k];
      n->i[1 + nd + k] = strides[k];
    }
    n->i[1 + 2 * nd] = offset;
  }
  return nn__ag_attach(n, v);
}

/* A new header over x's data that passes gradients through unchanged. */
NN__PRIVATE nn_tensor *nn__ag_identity(const char *op, const nn_tensor *x) {
  nn_tensor *v = nn__view(op, x, x->shape, x->strides, x->ndim, x->data);
  if (v && nn__ag_wanted1(x)) v = nn__grad_copy(v, x);
  return v;
}

/* ---- float32 layer-norm rows with 16-byte vectors (GCC/Clang), the template's loops otherwise ---- */

#if NN__RVEXT
/* One row of the layer-norm forward pass (see nn__lk_ln_fwd); the statistics are float partials over NN__RBLOCK
   elements folded in double. */
NN__PRIVATE void nn__lk_ln_fwd_row_f32v(const float *p, float *q, int64_t K, const float *w, const float *b,
                                        double eps, float *mean_out, float *rstd_out) {
  double s = 0, v = 0, m, rs;
  int64_t j = 0, j0;
  float mf, rf;
  nn__rv4f mv, rv;
  for (j0 = 0; j0 < K; j0 += NN__RBLOCK) {
    int64_t e = K - j0 < NN__RBLOCK ? K : j0 + NN__RBLOCK;
    nn__rv4f a0 = nn__rsplat4f(0.0f), a1 = a0;
    float t;
    for (j = j0; j + 8 <= e; j += 8) {
      a0 += nn__rld4f(p + j);
      a1 += nn__rld4f(p + j + 4);
    }
    t = nn__rhsum4f(a0 + a1);
    for (; j < e; j++) t += p[j];
    s += t;
  }
  m = s / (double)K;
  mf = (float)m;
  mv = nn__rsplat4f(mf);
  for (j0 = 0; j0 < K; j0 += NN__RBLOCK) {
    int64_t e = K - j0 < NN__RBLOCK ? K : j0 + NN__RBLOCK;
    nn__rv4f a0 = nn__rsplat4f(0.0f), a1 = a0;
    float t;
    for (j = j0; j + 8 <= e; j += 8) {
      nn__rv4f d0 = nn__rld4f(p + j) - mv, d1 = nn__rld4f(p + j + 4) - mv;
      a0 += d0 * d0;
      a1 += d1 * d1;
    }
    t = nn__rhsum4f(a0 + a1);
    for (; j < e; j++) t += (p[j] - mf) * (p[j] - mf);
    v += t;
  }
  rs = 1.0 / sqrt(v / (double)K + eps);
  rf = (float)rs;
  rv = nn__rsplat4f(rf);
  *mean_out = mf;
  *rstd_out = rf;
  for (j = 0; j + 4 <= K; j += 4) {
    nn__rv4f d = (nn__rld4f(p + j) - mv) * rv;
    if (w) d = d * nn__rld4f(w + j);
    if (b) d = d + nn__rld4f(b + j);
    nn__rst4f(q + j, d);
  }
  for (; j < K; j++) {
    float d = (p[j] - mf) * rf;
    if (w) d *= w[j];
    if (b) d += b[j];
    q[j] = d;
  }
}

/* One row of the layer-norm backward pass (see nn__lk_ln_bwd): gx (may be NULL), dw and db (float partials, may be
   NULL) for the row's g and x with its mean m and rstd rs. */
NN__PRIVATE void nn__lk_ln_bwd_row_f32v(const float *g, const float *x, float *gx, int64_t K, const float *w, float m,
                                        float rs, float *dw, float *db) {
  const nn__rv4f mv = nn__rsplat4f(m), rv = nn__rsplat4f(rs);
  int64_t j = 0, j0;
  if (dw || db) {
    for (j = 0; j + 4 <= K; j += 4) {
      nn__rv4f gv = nn__rld4f(g + j);
      if (dw) nn__rst4f(dw + j, nn__rld4f(dw + j) + gv * (nn__rld4f(x + j) - mv) * rv);
      if (db) nn__rst4f(db + j, nn__rld4f(db + j) + gv);
    }
    for (; j < K; j++) {
      if (dw) dw[j] += g[j] * (x[j] - m) * rs;
      if (db) db[j] += g[j];
    }
  }
  if (gx) {
    double c1 = 0, c2 = 0;
    nn__rv4f k1, k2;
    for (j0 = 0; j0 < K; j0 += NN__RBLOCK) {
      int64_t e = K - j0 < NN__RBLOCK ? K : j0 + NN__RBLOCK;
      nn__rv4f a1 = nn__rsplat4f(0.0f), a2 = a1;
      float t1, t2;
      for (j = j0; j + 4 <= e; j += 4) {
        nn__rv4f gw = w ? nn__rld4f(g + j) * nn__rld4f(w + j) : nn__rld4f(g + j);
        a1 += gw;
        a2 += gw * (nn__rld4f(x + j) - mv);
      }
      t1 = nn__rhsum4f(a1);
      t2 = nn__rhsum4f(a2);
      for (; j < e; j++) {
        float gw = w ? g[j] * w[j] : g[j];
        t1 += gw;
        t2 += gw * (x[j] - m);
      }
      c1 += t1;
      c2 += t2;
    }
    c1 /= (double)K;
    c2 = c2 * rs / (double)K; /* mean(gw xhat) */
    k1 = nn__rsplat4f((float)c1);
    k2 = nn__rsplat4f((float)(c2 * rs));
    for (j = 0; j + 4 <= K; j += 4) {
      nn__rv4f gw = w ? nn__rld4f(g + j) * nn__rld4f(w + j) : nn__rld4f(g + j);
      nn__rst4f(gx + j, rv * (gw - k1) - (nn__rld4f(x + j) - mv) * k2 * rv);
    }
    for (; j < K; j++) {
      float gw = w ? g[j] * w[j] : g[j];
      gx[j] = rs * (gw - (float)c1) - (x[j] - m) * (float)(c2 * rs) * rs;
    }
  }
}
#endif

/* Rows r0..r1 of the float32 layer norm forward. */
NN__PRIVATE void nn__lk_ln_fwd_f32x(const float *x, float *y, int64_t r0, int64_t r1, int64_t K, const float *w,
                                    const float *b, double eps, float *mean, float *rstd) {
#if NN__RVEXT
  int64_t r;
  for (r = r0; r < r1; r++) nn__lk_ln_fwd_row_f32v(x + r * K, y + r * K, K, w, b, eps, mean + r, rstd + r);
#else
  nn__lk_ln_fwd_f32(x, y, r0, r1, K, w, b, eps, mean, rstd);
#endif
}

/* Rows r0..r1 of the float32 layer norm backward; dw/db are float partials of these rows. */
NN__PRIVATE void nn__lk_ln_bwd_f32x(const float *g, const float *x, float *gx, int64_t r0, int64_t r1, int64_t K,
                                    const float *w, const float *mean, const float *rstd, float *dw, float *db) {
  int64_t r;
#if NN__RVEXT
  for (r = r0; r < r1; r++)
    nn__lk_ln_bwd_row_f32v(g + r * K, x + r * K, gx ? gx + r * K : NULL, K, w, mean[r], rstd[r], dw, db);
#else
  int64_t j;
  for (r = r0; r < r1; r++) {
    const float *pg = g + r * K, *px = x + r * K;
    if (dw)
      for (j = 0; j < K; j++) dw[j] += pg[j] * (px[j] - mean[r]) * rstd[r];
    if (db)
      for (j = 0; j < K; j++) db[j] += pg[j];
  }
  nn__lk_ln_bwd_f32(g, x, gx, r0, r1, K, w, mean, rstd, NULL, NULL);
#endif
}
