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

/* ---- float32 recurrent cell loops with 16-byte vectors (GCC/Clang), the template's loops otherwise ---- */

NN__PRIVATE void nn__lk_lstm_fwd_f32x(int64_t b0, int64_t b1, int64_t H, float *G, const float *cprev, float *c,
                                      float *h) {
#if NN__RVEXT
  int64_t b, j;
  for (b = b0; b < b1; b++) {
    float *g = G + b * 4 * H, *cr = c + b * H, *hr = h + b * H;
    const float *cp = cprev ? cprev + b * H : NULL;
    nn__lk_sigmoid_f32(2 * H, g);
    nn__lk_tanh_f32(H, g + 2 * H, g + 2 * H);
    nn__lk_sigmoid_f32(H, g + 3 * H);
    for (j = 0; j + 4 <= H; j += 4) {
      nn__rv4f v = nn__rld4f(g + j) * nn__rld4f(g + 2 * H + j);
      if (cp) v += nn__rld4f(g + H + j) * nn__rld4f(cp + j);
      nn__rst4f(cr + j, v);
    }
    for (; j < H; j++) cr[j] = (cp ? g[H + j] * cp[j] : 0.0f) + g[j] * g[2 * H + j];
    nn__lk_tanh_f32(H, hr, cr);
    for (j = 0; j + 4 <= H; j += 4) nn__rst4f(hr + j, nn__rld4f(hr + j) * nn__rld4f(g + 3 * H + j));
    for (; j < H; j++) hr[j] *= g[3 * H + j];
  }
#else
  nn__lk_lstm_fwd_f32(b0, b1, H, G, cprev, c, h);
#endif
}

NN__PRIVATE void nn__lk_lstm_bwd_f32x(int64_t b0, int64_t b1, int64_t H, const float *G, const float *cprev,
                                      const float *c, const float *dh, float *dc, float *dG) {
#if NN__RVEXT
  const nn__rv4f one = nn__rsplat4f(1.0f);
  int64_t b, j;
  for (b = b0; b < b1; b++) {
    const float *g = G + b * 4 * H, *cr = c + b * H, *dhr = dh + b * H;
    const float *cp = cprev ? cprev + b * H : NULL;
    float *dcr = dc + b * H, *d = dG + b * 4 * H;
    nn__lk_tanh_f32(H, d + 3 * H, cr); /* tanh(c) parked where do goes */
    for (j = 0; j + 4 <= H; j += 4) {
      nn__rv4f i = nn__rld4f(g + j), f = nn__rld4f(g + H + j), gg = nn__rld4f(g + 2 * H + j);
      nn__rv4f o = nn__rld4f(g + 3 * H + j), tc = nn__rld4f(d + 3 * H + j), dhv = nn__rld4f(dhr + j);
      nn__rv4f dcj = nn__rld4f(dcr + j) + dhv * o * (one - tc * tc);
      nn__rst4f(d + j, dcj * gg * i * (one - i));
      nn__rst4f(d + H + j, cp ? dcj * nn__rld4f(cp + j) * f * (one - f) : nn__rsplat4f(0.0f));
      nn__rst4f(d + 2 * H + j, dcj * i * (one - gg * gg));
      nn__rst4f(d + 3 * H + j, dhv * tc * o * (one - o));
      nn__rst4f(dcr + j, dcj * f);
    }
    for (; j < H; j++) {
      float i = g[j], f = g[H + j], gg = g[2 * H + j], o = g[3 * H + j], tc = d[3 * H + j];
      float dcj = dcr[j] + dhr[j] * o * (1 - tc * tc);
      d[j] = dcj * gg * i * (1 - i);
      d[H + j] = cp ? dcj * cp[j] * f * (1 - f) : 0;
      d[2 * H + j] = dcj * i * (1 - gg * gg);
      d[3 * H + j] = dhr[j] * tc * o * (1 - o);
      dcr[j] = dcj * f;
    }
  }
#else
  nn__lk_lstm_bwd_f32(b0, b1, H, G, cprev, c, dh, dc, dG);
#endif
}

NN__PRIVATE void nn__lk_gru_bwd_f32x(int64_t b0, int64_t b1, int64_t H, const float *S, const float *hprev,
                                     const float *dh, float *dxg, float *dhg, float *dhp) {
#if NN__RVEXT
  const nn__rv4f one = nn__rsplat4f(1.0f);
  int64_t b, j;
  for (b = b0; b < b1; b++) {
    const float *s = S + b * 4 * H, *hp = hprev ? hprev + b * H : NULL, *dhr = dh + b * H;
    float *dx = dxg + b * 3 * H, *dg = dhg + b * 3 * H, *dp = dhp + b * H;
    for (j = 0; j + 4 <= H; j += 4) {
      nn__rv4f r = nn__rld4f(s + j), z = nn__rld4f(s + H + j), n = nn__rld4f(s + 2 * H + j);
      nn__rv4f hn = nn__rld4f(s + 3 * H + j), d = nn__rld4f(dhr + j);
      nn__rv4f hpj = hp ? nn__rld4f(hp + j) : nn__rsplat4f(0.0f);
      nn__rv4f dan = d * (one - z) * (one - n * n), dar = dan * hn * r * (one - r), daz = d * (hpj - n) * z * (one - z);
      nn__rst4f(dx + j, dar);
      nn__rst4f(dx + H + j, daz);
      nn__rst4f(dx + 2 * H + j, dan);
      nn__rst4f(dg + j, dar);
      nn__rst4f(dg + H + j, daz);
      nn__rst4f(dg + 2 * H + j, dan * r);
      nn__rst4f(dp + j, d * z);
    }
    for (; j < H; j++) {
      float r = s[j], z = s[H + j], n = s[2 * H + j], hn = s[3 * H + j], d = dhr[j], hpj = hp ? hp[j] : 0;
      float dan = d * (1 - z) * (1 - n * n), dar = dan * hn * r * (1 - r), daz = d * (hpj - n) * z * (1 - z);
      dx[j] = dar;
      dx[H + j] = daz;
      dx[2 * H + j] = dan;
      dg[j] = dar;
      dg[H + j] = daz;
      dg[2 * H + j] = dan * r;
      dp[j] = d * z;
    }
  }
#else
  nn__lk_gru_bwd_f32(b0, b1, H, S, hprev, dh, dxg, dhg, dhp);
#endif
}

/* ---- float32 batch-norm channels with 16-byte vectors (GCC/Clang), the template's loops otherwise ---- */

#if NN__RVEXT
/* sum(p) and sum((p - c)^2) over n elements as float partials of at most NN__RBLOCK elements folded in double. */
NN__PRIVATE void nn__lk_sums_f32v(const float *p, int64_t n, float c, double *s1, double *s2) {
  const nn__rv4f cv = nn__rsplat4f(c);
  int64_t j = 0, j0;
  for (j0 = 0; j0 < n; j0 += NN__RBLOCK) {
    int64_t e = n - j0 < NN__RBLOCK ? n : j0 + NN__RBLOCK;
    nn__rv4f a = nn__rsplat4f(0.0f), q = a;
    float t1, t2;
    for (j = j0; j + 4 <= e; j += 4) {
      nn__rv4f d = nn__rld4f(p + j) - cv;
      a += d;
      q += d * d;
    }
    t1 = nn__rhsum4f(a);
    t2 = nn__rhsum4f(q);
    for (; j < e; j++) {
      float d = p[j] - c;
      t1 += d;
      t2 += d * d;
    }
    *s1 += t1;
    *s2 += t2;
  }
}
#endif

/* Mean and biased variance of channel c: a first pass finds the mean around the channel's first element (so large
   offsets do not cost precision), a second the deviations around that mean rounded to float. */
NN__PRIVATE void nn__lk_bn_stats_f32x(const float *x, int64_t N, int64_t C, int64_t S, int64_t c, double *mean,
                                      double *var) {
#if NN__RVEXT
  double s1 = 0, s2 = 0, m, M = (double)(N * S);
  float c0;
  int64_t n;
  if (N * S == 0) {
    *mean = *var = 0;
    return;
  }
  c0 = x[c * S];
  for (n = 0; n < N; n++) nn__lk_sums_f32v(x + (n * C + c) * S, S, c0, &s1, &s2);
  m = c0 + s1 / M;
  s1 = s2 = 0;
  for (n = 0; n < N; n++) nn__lk_sums_f32v(x + (n * C + c) * S, S, (float)m, &s1, &s2);
  /* around mf = (float)m: mean = mf + s1 / M, and the squared deviations from it s2 - M (s1 / M)^2 */
  *mean = (double)(float)m + s1 / M;
  *var = s2 / M - (s1 / M) * (s1 / M);
  if (*var < 0) *var = 0;
#else
  nn__lk_bn_stats_f32(x, N, C, S, c, mean, var);
#endif
}

NN__PRIVATE void nn__lk_bn_apply_f32x(const float *x, float *y, int64_t N, int64_t C, int64_t S, int64_t c, double a,
                                      double b) {
#if NN__RVEXT
  const nn__rv4f av = nn__rsplat4f((float)a), bv = nn__rsplat4f((float)b);
  int64_t n, k;
  for (n = 0; n < N; n++) {
    const float *p = x + (n * C + c) * S;
    float *q = y + (n * C + c) * S;
    for (k = 0; k + 4 <= S; k += 4) nn__rst4f(q + k, nn__rld4f(p + k) * av + bv);
    for (; k < S; k++) q[k] = p[k] * (float)a + (float)b;
  }
#else
  nn__lk_bn_apply_f32(x, y, N, C, S, c, a, b);
#endif
}

NN__PRIVATE void nn__lk_bn_bwd_f32x(const float *g, const float *x, float *gx, int64_t N, int64_t C, int64_t S,
                                    int64_t c, double mean, double invstd, double w, int training, double *dw,
                                    double *db) {
#if NN__RVEXT
  const nn__rv4f mv = nn__rsplat4f((float)mean);
  double sg = 0, sgx = 0, M = (double)(N * S);
  int64_t n, k, k0;
  for (n = 0; n < N; n++) {
    const float *pg = g + (n * C + c) * S, *px = x + (n * C + c) * S;
    for (k0 = 0; k0 < S; k0 += NN__RBLOCK) {
      int64_t e = S - k0 < NN__RBLOCK ? S : k0 + NN__RBLOCK;
      nn__rv4f a = nn__rsplat4f(0.0f), q = a;
      float t1, t2;
      for (k = k0; k + 4 <= e; k += 4) {
        nn__rv4f gv = nn__rld4f(pg + k);
        a += gv;
        q += gv * (nn__rld4f(px + k) - mv);
      }
      t1 = nn__rhsum4f(a);
      t2 = nn__rhsum4f(q);
      for (; k < e; k++) {
        t1 += pg[k];
        t2 += pg[k] * (px[k] - (float)mean);
      }
      sg += t1;
      sgx += t2;
    }
  }
  *dw = sgx * invstd;
  *db = sg;
  if (!gx) return;
  {
    /* training: w invstd (g - sum g / M - (x - mean) invstd^2 sum g (x - mean) / M); fixed statistics: w invstd g */
    float k1 = (float)(w * invstd), m1 = training ? (float)(sg / M) : 0.0f;
    float m2 = training ? (float)(sgx * invstd * invstd / M) : 0.0f;
    const nn__rv4f k1v = nn__rsplat4f(k1), m1v = nn__rsplat4f(m1), m2v = nn__rsplat4f(m2);
    for (n = 0; n < N; n++) {
      const float *pg = g + (n * C + c) * S, *px = x + (n * C + c) * S;
      float *q = gx + (n * C + c) * S;
      for (k = 0; k + 4 <= S; k += 4)
        nn__rst4f(q + k, k1v * (nn__rld4f(pg + k) - m1v - (nn__rld4f(px + k) - mv) * m2v));
      for (; k < S; k++) q[k] = k1 * (pg[k] - m1 - (px[k] - (float)mean) * m2);
    }
  }
#else
  nn__lk_bn_bwd_f32(g, x, gx, N, C, S, c, mean, invstd, w, training, dw, db);
#endif
}
