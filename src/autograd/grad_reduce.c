/* autograd/grad_reduce.c: backward formulas of the reductions, the cumulative scans and softmax (PyTorch's
   derivatives: prod with zeros, amin/amax splitting the gradient evenly among tied extrema, std's 0 where the result
   is 0, fused softmax / log_softmax backward). */

/* g with the reduced axes of the input put back as length-1 axes, so that it broadcasts against the input. */
NN__PRIVATE nn_tensor *nn__ag_unreduce(const nn__node *n, const nn_tensor *g) {
  int64_t shape[NN_MAX_DIMS];
  const nn__edge *e = &n->in[0];
  int i;
  for (i = 0; i < e->ndim; i++) shape[i] = n->i[1 + i] ? 1 : e->shape[i];
  return nn_reshape(g, shape, e->ndim);
}

/* The reduced axes of the node's input as a list; returns their count. */
NN__PRIVATE int nn__ag_red_axes(const nn__node *n, int *axes) {
  int i, k = 0;
  for (i = 0; i < n->in[0].ndim; i++)
    if (n->i[1 + i]) axes[k++] = i;
  return k;
}

/* sum over the reduced axes with keepdims, converted to dtype dt (counts of a bool mask come back as int64). */
NN__PRIVATE nn_tensor *nn__ag_red_sum(const nn__node *n, const nn_tensor *t, nn_dtype dt) {
  int axes[NN_MAX_DIMS], k = nn__ag_red_axes(n, axes);
  nn_tensor *s = nn_reduce(NN_REDUCE_SUM, t, axes, k, 1, 0), *c;
  if (!s || s->dtype == dt) return s;
  c = nn_astype(s, dt);
  nn_free(s);
  return c;
}

/* prod: g * prod / x without zeros; with one zero in a reduced slice, that element gets g * (product of the others)
   and the rest 0; with two or more zeros, all get 0. */
NN__PRIVATE nn_tensor *nn__ag_prod_grad(const nn__node *n, const nn_tensor *x, const nn_tensor *gk,
                                        const nn_tensor *yk) {
  nn_tensor *zero = nn_scalar(0.0, x->dtype), *one = nn_scalar(1.0, x->dtype), *z = NULL, *t = NULL, *u = NULL;
  nn_tensor *r = NULL, *nz = NULL, *xs = NULL, *p = NULL, *c0 = NULL, *c1 = NULL, *f = NULL, *h = NULL;
  int axes[NN_MAX_DIMS], k = nn__ag_red_axes(n, axes);
  if (!zero || !one) goto done;
  z = nn_equal(x, zero);
  if (!z) goto done;
  if (nn_sum_all(z) == 0.0) { /* no zeros: PyTorch's grad * result / input */
    t = nn_mul(gk, yk);
    if (t) r = nn_div(t, x);
    goto done;
  }
  nz = nn_reduce(NN_REDUCE_SUM, z, axes, k, 1, 0); /* zeros per slice (int64) */
  xs = nn_where(z, one, x);
  if (!nz || !xs) goto done;
  p = nn_reduce(NN_REDUCE_PROD, xs, axes, k, 1, 0); /* product of the nonzero elements */
  if (!p) goto done;
  t = nn_div(p, xs); /* product of the others where the slice has no zero */
  u = nn_equal(nz, one);
  if (!t || !u) goto done;
  c1 = nn_logical_and(z, u); /* the single zero of its slice */
  c0 = nn_equal(nz, zero);
  if (!c1 || !c0) goto done;
  h = nn_where(c1, p, zero);
  if (!h) goto done;
  f = nn_where(c0, t, h);
  if (f) r = nn_mul(gk, f);
done:
  nn_free(zero);
  nn_free(one);
  nn_free(z);
  nn_free(t);
  nn_free(u);
  nn_free(nz);
  nn_free(xs);
  nn_free(p);
  nn_free(c0);
  nn_free(c1);
  nn_free(f);
  nn_free(h);
  return r;
}

/* amin / amax: g split evenly among the elements equal to the result. */
NN__PRIVATE nn_tensor *nn__ag_minmax_grad(const nn__node *n, const nn_tensor *x, const nn_tensor *gk,
                                          const nn_tensor *yk) {
  nn_tensor *mask = nn_equal(x, yk), *cnt = NULL, *share = NULL, *r = NULL;
  if (mask) cnt = nn__ag_red_sum(n, mask, gk->dtype);
  if (cnt) share = nn_div(gk, cnt);
  if (share) r = nn_mul(share, mask);
  nn_free(mask);
  nn_free(cnt);
  nn_free(share);
  return r;
}

/* var: g * 2 (x - mean) / (N - ddof); std: g (x - mean) / ((N - ddof) std), 0 where std == 0. */
NN__PRIVATE nn_tensor *nn__ag_var_grad(const nn__node *n, const nn_tensor *x, const nn_tensor *gk,
                                       const nn_tensor *yk, int is_std) {
  int axes[NN_MAX_DIMS], k = nn__ag_red_axes(n, axes);
  double dof = n->d[0] - n->d[1];
  nn_tensor *mean = nn_reduce(NN_REDUCE_MEAN, x, axes, k, 1, 0), *dev = NULL, *s = NULL, *t = NULL, *r = NULL;
  nn_tensor *zero = NULL, *z = NULL, *q = NULL;
  if (mean) dev = nn_sub(x, mean);
  if (!dev) goto done;
  if (!is_std) {
    s = nn_mul_scalar(gk, 2.0 / dof);
  } else {
    zero = nn_scalar(0.0, gk->dtype);
    q = nn_div(gk, yk);
    z = zero ? nn_equal(yk, zero) : NULL;
    if (q && z) t = nn_where(z, zero, q);
    if (t) s = nn_mul_scalar(t, 1.0 / dof);
  }
  if (s) r = nn_mul(s, dev);
done:
  nn_free(mean);
  nn_free(dev);
  nn_free(s);
  nn_free(t);
  nn_free(zero);
  nn_free(z);
  nn_free(q);
  return r;
}

NN__PRIVATE nn_status nn__reduce_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  const nn__edge *e = &n->in[0];
  nn_tensor *x = n->saved[0], *gk = nn__ag_unreduce(n, g), *yk = NULL, *t = NULL, *u = NULL;
  int op = (int)n->i[0];
  if (!gk) return nn_last_status();
  if (n->saved[1] && !(yk = nn__ag_unreduce(n, n->saved[1]))) {
    nn_free(gk);
    return nn_last_status();
  }
  switch (op) {
    case NN_REDUCE_SUM: gin[0] = nn_broadcast_to(gk, e->shape, e->ndim); break;
    case NN_REDUCE_MEAN:
      t = nn_div_scalar(gk, n->d[0]);
      if (t) gin[0] = nn_broadcast_to(t, e->shape, e->ndim);
      break;
    case NN_REDUCE_PROD: gin[0] = nn__ag_prod_grad(n, x, gk, yk); break;
    case NN_REDUCE_MIN:
    case NN_REDUCE_MAX: gin[0] = nn__ag_minmax_grad(n, x, gk, yk); break;
    case NN_REDUCE_LOGSUMEXP: /* g * exp(x - lse) */
      t = nn_sub(x, yk);
      if (t) u = nn_exp(t);
      if (u) gin[0] = nn_mul(gk, u);
      break;
    case NN_REDUCE_VAR:
    case NN_REDUCE_STD: gin[0] = nn__ag_var_grad(n, x, gk, yk, op == NN_REDUCE_STD); break;
    default:
      nn_free(gk);
      nn_free(yk);
      return nn__fail(NN_ERR_UNSUPPORTED, "nn_backward: the gradient of reduction %d is not implemented", op);
  }
  nn_free(gk);
  nn_free(yk);
  nn_free(t);
  nn_free(u);
  return gin[0] ? NN_OK : nn_last_status();
}

NN__PRIVATE nn_tensor *nn__grad_reduce(int op, nn_tensor *res, const nn_tensor *x, const int *red, int ddof) {
  static const char *const names[NN_REDUCE_COUNT] = {"sum", "mean", "prod", "min", "max",
                                                     "any", "all", "logsumexp", "var", "std"};
  nn__node *n;
  int i, ok = 1;
  double count = 1;
  if (!nn__is_float(res->dtype) || !nn__is_float(x->dtype) || op == NN_REDUCE_ANY || op == NN_REDUCE_ALL) return res;
  n = nn__ag_node(names[op], nn__reduce_backward, 1, &x);
  if (!n) return nn__ag_attach(NULL, res);
  n->i[0] = op;
  for (i = 0; i < x->ndim; i++) {
    n->i[1 + i] = red[i] != 0;
    if (red[i]) count *= (double)x->shape[i];
  }
  n->d[0] = count;
  n->d[1] = (double)ddof;
  if (op != NN_REDUCE_SUM && op != NN_REDUCE_MEAN) ok = nn__ag_save(n, 0, x) == NN_OK;
  if (ok && op != NN_REDUCE_SUM && op != NN_REDUCE_MEAN && op != NN_REDUCE_VAR) ok = nn__ag_save(n, 1, res) == NN_OK;
  if (!ok) {
    nn__node_decref(n);
    n = NULL;
  }
  return nn__ag_attach(n, res);
}

/* ---- cumsum / cumprod ---- */

/* A contiguous tensor of t's values in dtype dt: t itself (*tmp = NULL) or a copy owned by the caller (*tmp). */
NN__PRIVATE const nn_tensor *nn__ag_dense(const nn_tensor *t, nn_dtype dt, nn_tensor **tmp) {
  *tmp = NULL;
  if (t->dtype == dt && nn_is_contiguous(t)) return t;
  *tmp = t->dtype == dt ? nn_copy(t) : nn_astype(t, dt);
  if (*tmp && !nn_is_contiguous(*tmp)) { /* astype keeps the layout of some inputs */
    nn_tensor *c = nn_copy(*tmp);
    nn_free(*tmp);
    *tmp = c;
  }
  return *tmp;
}

/* Scans along the middle axis of an (A, N, B) contiguous layout. */
typedef struct nn__ag_scan {
  int64_t A, N, B, G; /* G: lines (B == 1) or (a, column block) pairs per chunk */
  int64_t ncb;
  nn_dtype dt;
  char *gx;
  const char *g, *x, *y;
  int mode; /* 0: reverse cumsum, 1: cumprod backward, 2: softmax backward, 3: log_softmax backward */
} nn__ag_scan;

#define NN__AG_COLBLK 1024

/* cumprod backward of one line (n elements at stride s), PyTorch's formula with zeros: before the first zero z,
   gx_k = sum_{k<=j<z} g_j y_j / x_k; at z, gx_z = sum_{j>=z} g_j prod_{i<=j, i!=z} x_i; after z, 0. */
#define NN__AG_CUMPROD_LINE(NAME, T)                                                                            \
  NN__PRIVATE void NAME(int64_t n, int64_t s, T *gx, const T *g, const T *x, const T *y) {                      \
    int64_t z = 0, k;                                                                                           \
    double acc = 0, p;                                                                                          \
    while (z < n && x[z * s] != 0) z++;                                                                         \
    for (k = z - 1; k >= 0; k--) {                                                                              \
      acc += (double)g[k * s] * (double)y[k * s];                                                               \
      gx[k * s] = (T)(acc / (double)x[k * s]);                                                                  \
    }                                                                                                           \
    if (z == n) return;                                                                                         \
    p = z > 0 ? (double)y[(z - 1) * s] : 1.0;                                                                   \
    acc = (double)g[z * s] * p;                                                                                 \
    for (k = z + 1; k < n; k++) {                                                                               \
      p *= (double)x[k * s];                                                                                    \
      acc += (double)g[k * s] * p;                                                                              \
      gx[k * s] = 0;                                                                                            \
    }                                                                                                           \
    gx[z * s] = (T)acc;                                                                                         \
  }
NN__AG_CUMPROD_LINE(nn__ag_cumprod_line_f32, float)
NN__AG_CUMPROD_LINE(nn__ag_cumprod_line_f64, double)

/* Reverse cumulative sum of one contiguous line. */
#define NN__AG_RCUMSUM_LINE(NAME, T, ACC)                                                                       \
  NN__PRIVATE void NAME(int64_t n, T *o, const T *g) {                                                          \
    ACC acc = 0;                                                                                                \
    int64_t k;                                                                                                  \
    for (k = n - 1; k >= 0; k--) {                                                                              \
      acc += g[k];                                                                                              \
      o[k] = (T)acc;                                                                                            \
    }                                                                                                           \
  }
NN__AG_RCUMSUM_LINE(nn__ag_rcumsum_line_f32, float, float)
NN__AG_RCUMSUM_LINE(nn__ag_rcumsum_line_f64, double, double)

/* Vector pieces of the softmax backward, on n contiguous elements: dot products and sums (four independent vector
   accumulators), s += a * b and s += a (column form), and the two output formulas. 16-byte generic vectors as in
   kernels/reduce_scalar.c, plain loops otherwise. Results do not depend on how rows are split among threads. */
#if NN__RVEXT
#define NN__AG_VPIECES(SUF, T, V, W, LD, ST)                                                                    \
  NN__PRIVATE T nn__ag_dot_##SUF(int64_t n, const T *a, const T *b, int plain_sum) {                            \
    V s0, s1, s2, s3;                                                                                           \
    T t[W], r = 0;                                                                                              \
    int64_t j = 0;                                                                                              \
    int k;                                                                                                      \
    memset(&s0, 0, sizeof s0);                                                                                  \
    s1 = s2 = s3 = s0;                                                                                          \
    if (plain_sum)                                                                                              \
      for (; j + 4 * W <= n; j += 4 * W) {                                                                      \
        s0 += LD(a + j);                                                                                        \
        s1 += LD(a + j + W);                                                                                    \
        s2 += LD(a + j + 2 * W);                                                                                \
        s3 += LD(a + j + 3 * W);                                                                                \
      }                                                                                                         \
    else                                                                                                        \
      for (; j + 4 * W <= n; j += 4 * W) {                                                                      \
        s0 += LD(a + j) * LD(b + j);                                                                            \
        s1 += LD(a + j + W) * LD(b + j + W);                                                                    \
        s2 += LD(a + j + 2 * W) * LD(b + j + 2 * W);                                                            \
        s3 += LD(a + j + 3 * W) * LD(b + j + 3 * W);                                                            \
      }                                                                                                         \
    s0 = (s0 + s1) + (s2 + s3);                                                                                 \
    memcpy(t, &s0, sizeof t);                                                                                   \
    for (k = 0; k < W; k++) r += t[k];                                                                          \
    for (; j < n; j++) r += plain_sum ? a[j] : a[j] * b[j];                                                     \
    return r;                                                                                                   \
  }                                                                                                             \
  /* s += a * b (or s += a when b is NULL) */                                                                   \
  NN__PRIVATE void nn__ag_acc_##SUF(int64_t n, T *s, const T *a, const T *b) {                                  \
    int64_t j = 0;                                                                                              \
    if (b)                                                                                                      \
      for (; j + W <= n; j += W) ST(s + j, LD(s + j) + LD(a + j) * LD(b + j));                                  \
    else                                                                                                        \
      for (; j + W <= n; j += W) ST(s + j, LD(s + j) + LD(a + j));                                              \
    for (; j < n; j++) s[j] += b ? a[j] * b[j] : a[j];                                                          \
  }                                                                                                             \
  /* o = y * (g - s) (softmax) or o = g - e * s (log_softmax, e = exp(y) already in o); s is one value (sv) or  \
     a vector (s != NULL) */                                                                                    \
  NN__PRIVATE void nn__ag_smax_out_##SUF(int64_t n, T *o, const T *g, const T *y, const T *s, T sv, int logsm) {  \
    int64_t j = 0;                                                                                              \
    V vs;                                                                                                       \
    int k;                                                                                                      \
    for (k = 0; k < W; k++) vs[k] = sv;                                                                         \
    if (logsm)                                                                                                  \
      for (; j + W <= n; j += W) ST(o + j, LD(g + j) - LD(o + j) * (s ? LD(s + j) : vs));                       \
    else                                                                                                        \
      for (; j + W <= n; j += W) ST(o + j, LD(y + j) * (LD(g + j) - (s ? LD(s + j) : vs)));                     \
    for (; j < n; j++) o[j] = logsm ? g[j] - o[j] * (s ? s[j] : sv) : y[j] * (g[j] - (s ? s[j] : sv));          \
  }
NN__AG_VPIECES(f32, float, nn__rv4f, 4, nn__rld4f, nn__rst4f)
NN__AG_VPIECES(f64, double, nn__rv2d, 2, nn__rld2d, nn__rst2d)
#else
#define NN__AG_VPIECES(SUF, T)                                                                                  \
  NN__PRIVATE T nn__ag_dot_##SUF(int64_t n, const T *a, const T *b, int plain_sum) {                            \
    T s0 = 0, s1 = 0, s2 = 0, s3 = 0;                                                                           \
    int64_t j = 0;                                                                                              \
    for (; j + 4 <= n; j += 4) {                                                                                \
      s0 += plain_sum ? a[j] : a[j] * b[j];                                                                     \
      s1 += plain_sum ? a[j + 1] : a[j + 1] * b[j + 1];                                                         \
      s2 += plain_sum ? a[j + 2] : a[j + 2] * b[j + 2];                                                         \
      s3 += plain_sum ? a[j + 3] : a[j + 3] * b[j + 3];                                                         \
    }                                                                                                           \
    for (; j < n; j++) s0 += plain_sum ? a[j] : a[j] * b[j];                                                    \
    return (s0 + s1) + (s2 + s3);                                                                               \
  }                                                                                                             \
  NN__PRIVATE void nn__ag_acc_##SUF(int64_t n, T *s, const T *a, const T *b) {                                  \
    int64_t j;                                                                                                  \
    for (j = 0; j < n; j++) s[j] += b ? a[j] * b[j] : a[j];                                                     \
  }                                                                                                             \
  NN__PRIVATE void nn__ag_smax_out_##SUF(int64_t n, T *o, const T *g, const T *y, const T *s, T sv, int logsm) {  \
    int64_t j;                                                                                                  \
    for (j = 0; j < n; j++) o[j] = logsm ? g[j] - o[j] * (s ? s[j] : sv) : y[j] * (g[j] - (s ? s[j] : sv));     \
  }
NN__AG_VPIECES(f32, float)
NN__AG_VPIECES(f64, double)
#endif

/* exp(y) into o (the vector kernel when there is one). */
#define NN__AG_EXP_ROW(SUF, T, DT)                                                                              \
  NN__PRIVATE void nn__ag_exp_row_##SUF(int64_t n, T *o, const T *y) {                                          \
    const nn__vun_fn ex = nn__kernels()->un[DT][NN_OP_EXP];                                                     \
    int64_t j;                                                                                                  \
    if (ex) ex(n, o, y);                                                                                        \
    else                                                                                                        \
      for (j = 0; j < n; j++) o[j] = (T)exp((double)y[j]);                                                      \
  }
NN__AG_EXP_ROW(f32, float, NN_FLOAT32)
NN__AG_EXP_ROW(f64, double, NN_FLOAT64)

/* softmax backward of one contiguous row: gx = y (g - sum(g y)); log_softmax: gx = g - exp(y) sum(g). */
#define NN__AG_SMAX_ROW(SUF, T)                                                                                 \
  NN__PRIVATE void nn__ag_smax_row_##SUF(int64_t n, T *gx, const T *g, const T *y, int logsm) {                 \
    T s = nn__ag_dot_##SUF(n, g, y, logsm);                                                                     \
    if (logsm) nn__ag_exp_row_##SUF(n, gx, y);                                                                  \
    nn__ag_smax_out_##SUF(n, gx, g, y, NULL, s, logsm);                                                         \
  }
NN__AG_SMAX_ROW(f32, float)
NN__AG_SMAX_ROW(f64, double)

/* One chunk of lines (B == 1) or of (a, column block) pairs (B > 1). */
#define NN__AG_SCAN_CHUNK(NAME, T, SUF)                                                                         \
  NN__PRIVATE void NAME(void *vctx, int64_t chunk) {                                                            \
    const nn__ag_scan *c = (const nn__ag_scan *)vctx;                                                           \
    T *gx = (T *)c->gx;                                                                                         \
    const T *g = (const T *)c->g, *x = (const T *)c->x, *y = (const T *)c->y;                                   \
    int64_t t = chunk * c->G, e = t + c->G, N = c->N, B = c->B, i, j;                                           \
    if (B == 1) {                                                                                               \
      if (e > c->A) e = c->A;                                                                                   \
      for (; t < e; t++) {                                                                                      \
        int64_t off = t * N;                                                                                    \
        if (c->mode == 0) nn__ag_rcumsum_line_##SUF(N, gx + off, g + off);                                      \
        else if (c->mode == 1) nn__ag_cumprod_line_##SUF(N, 1, gx + off, g + off, x + off, y + off);            \
        else nn__ag_smax_row_##SUF(N, gx + off, g + off, y + off, c->mode == 3);                                \
      }                                                                                                         \
      return;                                                                                                   \
    }                                                                                                           \
    if (e > c->A * c->ncb) e = c->A * c->ncb;                                                                   \
    for (; t < e; t++) {                                                                                        \
      int64_t a = t / c->ncb, j0 = (t % c->ncb) * NN__AG_COLBLK;                                                \
      int64_t w = B - j0 < NN__AG_COLBLK ? B - j0 : NN__AG_COLBLK, base = a * N * B + j0;                       \
      T s[NN__AG_COLBLK];                                                                                       \
      if (c->mode == 0) {                                                                                       \
        memcpy(gx + base + (N - 1) * B, g + base + (N - 1) * B, (size_t)w * sizeof(T));                         \
        for (i = N - 2; i >= 0; i--)                                                                            \
          nn__rcumsum_row_##SUF(w, gx + base + i * B, gx + base + (i + 1) * B, g + base + i * B);               \
      } else if (c->mode == 1) {                                                                                \
        for (j = 0; j < w; j++)                                                                                 \
          nn__ag_cumprod_line_##SUF(N, B, gx + base + j, g + base + j, x + base + j, y + base + j);             \
      } else {                                                                                                  \
        int logsm = c->mode == 3;                                                                               \
        for (j = 0; j < w; j++) s[j] = 0;                                                                       \
        for (i = 0; i < N; i++) nn__ag_acc_##SUF(w, s, g + base + i * B, logsm ? NULL : y + base + i * B);      \
        for (i = 0; i < N; i++) {                                                                               \
          const T *gi = g + base + i * B, *yi = y + base + i * B;                                               \
          T *oi = gx + base + i * B;                                                                            \
          if (logsm) nn__ag_exp_row_##SUF(w, oi, yi);                                                           \
          nn__ag_smax_out_##SUF(w, oi, gi, yi, s, 0, logsm);                                                    \
        }                                                                                                       \
      }                                                                                                         \
    }                                                                                                           \
  }
NN__AG_SCAN_CHUNK(nn__ag_scan_chunk_f32, float, f32)
NN__AG_SCAN_CHUNK(nn__ag_scan_chunk_f64, double, f64)

/* Runs a scan backward over out's layout split at axis (NN_ALL_AXES: one line of everything). g, x, y are
   contiguous of gx's shape and dtype (x and y may be NULL when the mode does not read them). */
NN__PRIVATE void nn__ag_scan_run(int mode, nn_tensor *gx, int axis, const nn_tensor *g, const nn_tensor *x,
                                 const nn_tensor *y) {
  nn__ag_scan c;
  int i;
  int64_t work;
  if (gx->size == 0) return;
  memset(&c, 0, sizeof c);
  c.mode = mode;
  c.dt = gx->dtype;
  c.gx = (char *)gx->data;
  c.g = (const char *)g->data;
  c.x = x ? (const char *)x->data : NULL;
  c.y = y ? (const char *)y->data : NULL;
  c.A = c.B = 1;
  if (axis == NN_ALL_AXES) {
    c.N = gx->size;
  } else {
    for (i = 0; i < axis; i++) c.A *= gx->shape[i];
    c.N = gx->shape[axis];
    for (i = axis + 1; i < gx->ndim; i++) c.B *= gx->shape[i];
  }
  if (c.B == 1) {
    c.G = c.N >= NN__RCHUNK ? 1 : NN__RCHUNK / c.N;
    nn__parallel_for((c.A + c.G - 1) / c.G, c.dt == NN_FLOAT32 ? nn__ag_scan_chunk_f32 : nn__ag_scan_chunk_f64, &c);
  } else {
    c.ncb = (c.B + NN__AG_COLBLK - 1) / NN__AG_COLBLK;
    work = (c.B < NN__AG_COLBLK ? c.B : NN__AG_COLBLK) * c.N;
    c.G = work >= NN__RCHUNK ? 1 : NN__RCHUNK / work;
    nn__parallel_for((c.A * c.ncb + c.G - 1) / c.G, c.dt == NN_FLOAT32 ? nn__ag_scan_chunk_f32 : nn__ag_scan_chunk_f64,
                     &c);
  }
}

/* Shared by cumsum, cumprod, softmax and log_softmax: n->i[0] the mode, n->i[1] the axis of the result's layout;
   saved[0] x (cumprod), saved[1] the result (cumprod, softmax). The gradient is computed in the result's (possibly
   flattened) shape and reshaped to x's. */
NN__PRIVATE nn_status nn__scan_backward(nn__node *n, const nn_tensor *gout, nn_tensor **gin) {
  int mode = (int)n->i[0], axis = (int)n->i[1];
  const nn_tensor *y = n->saved[1], *g, *x = NULL;
  nn_tensor *tg = NULL, *tx = NULL, *gx, *r;
  nn_dtype dt = gout->dtype;
  if (y) dt = y->dtype;
  g = nn__ag_dense(gout, dt, &tg);
  if (!g) return nn_last_status();
  if (mode == 1) {
    nn_tensor *xf = NULL;
    const nn_tensor *xv = n->saved[0];
    if (xv->ndim != y->ndim) { /* flattened scan: x in the result's 1-D shape */
      xf = nn_reshape(xv, y->shape, y->ndim);
      if (!xf) {
        nn_free(tg);
        return nn_last_status();
      }
      xv = xf;
    }
    x = nn__ag_dense(xv, dt, &tx);
    if (x && x == xf) { /* keep the reshaped view alive as the dense operand */
      tx = xf;
      xf = NULL;
    }
    nn_free(xf);
    if (!x) {
      nn_free(tg);
      return nn_last_status();
    }
  }
  gx = nn__new(n->name, dt, g->shape, g->ndim);
  if (!gx) {
    nn_free(tg);
    nn_free(tx);
    return nn_last_status();
  }
  nn__ag_scan_run(mode, gx, axis, g, x, y);
  nn_free(tg);
  nn_free(tx);
  if (gx->ndim == n->in[0].ndim) {
    gin[0] = gx;
    return NN_OK;
  }
  r = nn_reshape(gx, n->in[0].shape, n->in[0].ndim);
  nn_free(gx);
  gin[0] = r;
  return r ? NN_OK : nn_last_status();
}

NN__PRIVATE nn_tensor *nn__grad_cum(nn_tensor *res, const nn_tensor *x, int axis, int isprod) {
  nn__node *n;
  if (!nn__is_float(res->dtype) || !nn__is_float(x->dtype)) return res;
  if (axis == NN_ALL_AXES || x->ndim == 0) axis = 0; /* the result is 1-D */
  else if (axis < 0) axis += x->ndim;
  n = nn__ag_node(isprod ? "cumprod" : "cumsum", nn__scan_backward, 1, &x);
  if (n) {
    n->i[0] = isprod ? 1 : 0;
    n->i[1] = axis;
    if (isprod && (nn__ag_save(n, 0, x) != NN_OK || nn__ag_save(n, 1, res) != NN_OK)) {
      nn__node_decref(n);
      n = NULL;
    }
  }
  return nn__ag_attach(n, res);
}

NN__PRIVATE nn_tensor *nn__grad_softmax(nn_tensor *res, const nn_tensor *x, int axis, int logsm) {
  nn__node *n;
  if (!nn__is_float(res->dtype) || !nn__is_float(x->dtype)) return res;
  n = nn__ag_node(logsm ? "log_softmax" : "softmax", nn__scan_backward, 1, &x);
  if (n) {
    n->i[0] = logsm ? 3 : 2;
    n->i[1] = axis;
    if (nn__ag_save(n, 1, res) != NN_OK) {
      nn__node_decref(n);
      n = NULL;
    }
  }
  return nn__ag_attach(n, res);
}
