/* ops/conv.c: argument checks, geometry and parallel drivers for convolution and pooling; the loops are in
   kernels/conv.c and kernels/gemm.c.

   Convolution (per group g, W_g the (Mg, Kg) slice of the weight, Kg = Cg*kh*kw, cols the im2col matrix of a block
   of output rows):   forward       y[n, g] = W_g @ cols(x[n, g])
                      input grad    dx[n, g] = col2im(W_g^T @ dy[n, g])
                      weight grad   dW_g = sum_n dy[n, g] @ cols(x[n, g])^T
   The GEMMs work on panels: several small images side by side (one GEMM for all of them), or a block of output
   rows of one large image; a 1x1 kernel with stride 1 and no padding on one image uses x itself as cols. Work is
   cut into chunks that depend only on the sizes: the forward pass over panels, the input gradient over whole
   images, the weight gradient over groups of panels, each with its own partial gradient, summed in chunk order at
   the end. GEMMs inside a chunk run on the thread that owns the chunk (the pool does not nest); when there are
   fewer chunks than threads the chunks run in turn with parallel GEMMs. Either way every result is bit-identical
   for any thread count. The scratch of a chunk is bounded by about 2 * NN__CONV_COLS elements (more only when a
   single output row needs more). */

#define NN__CONV_GRAIN (1 << 18)    /* multiply-adds per parallel chunk */
#define NN__CONV_COLS (1 << 18)     /* elements of an im2col block */
#define NN__CONV_MINPANELS 16      /* images are grouped into panels, but into no fewer than this many */
#define NN__CONV_MAXPART 32         /* most chunks (partial weight gradients) of a weight gradient */
#define NN__CONV_PARTCAP (1 << 22)  /* most elements of all partial weight gradients together */
#define NN__CONV_COPY_GRAIN (1 << 16) /* elements per chunk of im2col/col2im/pooling */
#define NN__CONV_MAXDIM ((int64_t)1 << 48)

enum { NN__CK_CONV = 0, NN__CK_MAXPOOL, NN__CK_AVGPOOL, NN__CK_COLS };

/* ---- messages ---- */

/* "(a,b)" for 2-D ops, "b" for 1-D ops (which use the second, width, entry). */
NN__PRIVATE const char *nn__conv_pair(char *buf, size_t cap, int is1d, int64_t a, int64_t b) {
  if (is1d) snprintf(buf, cap, "%lld", (long long)b);
  else snprintf(buf, cap, "(%lld,%lld)", (long long)a, (long long)b);
  return buf;
}

/* ---- geometry ---- */

/* Reads stride, padding, dilation, groups and same for a kernel of kh x kw into g; checks them. */
NN__PRIVATE nn_status nn__conv_params_read(const char *name, int is1d, int kind, int64_t kh, int64_t kw,
                                           const nn_conv_params *p, nn__conv_geom *g) {
  int64_t s[2] = {0, 0}, pd[2] = {0, 0}, d[2] = {0, 0}, groups = 0;
  int same = 0, pool = kind == NN__CK_MAXPOOL || kind == NN__CK_AVGPOOL, i;
  char b1[64], b2[64], b3[64];
  if (p) {
    if (is1d) {
      s[1] = p->stride[0];
      pd[1] = p->padding[0];
      d[1] = p->dilation[0];
    } else {
      for (i = 0; i < 2; i++) {
        s[i] = p->stride[i];
        pd[i] = p->padding[i];
        d[i] = p->dilation[i];
      }
    }
    groups = p->groups;
    same = p->same != 0;
  }
  if (s[0] < 0 || s[1] < 0 || pd[0] < 0 || pd[1] < 0 || d[0] < 0 || d[1] < 0)
    return nn__fail(NN_ERR_VALUE,
                    "%s: stride, padding and dilation must be non-negative (0 means the default), got stride=%s, "
                    "padding=%s, dilation=%s",
                    name, nn__conv_pair(b1, sizeof b1, is1d, s[0], s[1]), nn__conv_pair(b2, sizeof b2, is1d, pd[0], pd[1]),
                    nn__conv_pair(b3, sizeof b3, is1d, d[0], d[1]));
  if (groups < 0) return nn__fail(NN_ERR_VALUE, "%s: groups must be positive (0 means 1), got %lld", name, (long long)groups);
  if (kind != NN__CK_CONV && groups > 1)
    return nn__fail(NN_ERR_VALUE, "%s: groups applies to convolutions only; it must be 0 or 1, got %lld", name,
                    (long long)groups);
  if (pool && same) return nn__fail(NN_ERR_VALUE, "%s: padding='same' is not supported for pooling", name);
  for (i = 0; i < 2; i++) {
    if (s[i] == 0) s[i] = pool ? (i ? kw : kh) : 1;
    if (d[i] == 0) d[i] = 1;
  }
  if (is1d) s[0] = d[0] = 1;
  if (same && (s[0] != 1 || s[1] != 1))
    return nn__fail(NN_ERR_VALUE, "%s: padding='same' is not supported for strided convolutions (stride=%s)", name,
                    nn__conv_pair(b1, sizeof b1, is1d, s[0], s[1]));
  if (same && (pd[0] != 0 || pd[1] != 0))
    return nn__fail(NN_ERR_VALUE, "%s: padding='same' cannot be combined with explicit padding=%s", name,
                    nn__conv_pair(b1, sizeof b1, is1d, pd[0], pd[1]));
  if (pool && (pd[0] > kh / 2 || pd[1] > kw / 2))
    return nn__fail(NN_ERR_VALUE, "%s: pad should be at most half of kernel size, but got padding=%s and kernel size %s",
                    name, nn__conv_pair(b1, sizeof b1, is1d, pd[0], pd[1]), nn__conv_pair(b2, sizeof b2, is1d, kh, kw));
  if (kind == NN__CK_AVGPOOL && (d[0] != 1 || d[1] != 1))
    return nn__fail(NN_ERR_VALUE, "%s: average pooling has no dilation; it must be 0 or 1, got dilation=%s", name,
                    nn__conv_pair(b1, sizeof b1, is1d, d[0], d[1]));
  if ((double)d[0] * (double)(kh - 1) > (double)NN__CONV_MAXDIM || (double)d[1] * (double)(kw - 1) > (double)NN__CONV_MAXDIM)
    return nn__fail(NN_ERR_VALUE, "%s: the dilated kernel is too large (kernel %s, dilation %s)", name,
                    nn__conv_pair(b1, sizeof b1, is1d, kh, kw), nn__conv_pair(b2, sizeof b2, is1d, d[0], d[1]));
  g->kh = kh;
  g->kw = kw;
  g->sh = s[0];
  g->sw = s[1];
  g->dh = d[0];
  g->dw = d[1];
  if (same) {
    int64_t th = d[0] * (kh - 1), tw = d[1] * (kw - 1);
    g->pt = th / 2;
    g->pb = th - g->pt;
    g->pl = tw / 2;
    g->pr = tw - g->pl;
  } else {
    g->pt = g->pb = pd[0];
    g->pl = g->pr = pd[1];
  }
  g->G = groups > 0 ? groups : 1;
  return NN_OK;
}

/* Checks a user-given shape of nd sizes: NULL, negative or absurd sizes, and an empty channel or spatial axis. */
NN__PRIVATE nn_status nn__conv_check_sizes(const char *name, const char *what, const int64_t *s, int nd) {
  char b[160];
  int i;
  if (!s) return nn__fail_null(name, what);
  for (i = 0; i < nd; i++)
    if (s[i] < 0 || s[i] > NN__CONV_MAXDIM)
      return nn__fail(NN_ERR_SHAPE, "%s: %s %s has an invalid size in axis %d", name, what,
                      nn__fmt_shape(b, sizeof b, s, nd), i);
  for (i = 1; i < nd; i++)
    if (s[i] == 0)
      return nn__fail(NN_ERR_SHAPE, "%s: expected %s with non-zero sizes in every axis but the batch axis, got %s", name,
                      what, nn__fmt_shape(b, sizeof b, s, nd));
  return NN_OK;
}

/* Output size from the input size (g->H, g->W, padding, kernel, dilation, stride). extra names the kernel's origin. */
NN__PRIVATE nn_status nn__conv_out_size(const char *name, int is1d, const int64_t *xs, int nd, nn__conv_geom *g,
                                        const char *extra) {
  int64_t eh = g->dh * (g->kh - 1) + 1, ew = g->dw * (g->kw - 1) + 1;
  int64_t ph = g->H + g->pt + g->pb, pw = g->W + g->pl + g->pr;
  char b0[160], b1[64], b2[64];
  if (ph < eh || pw < ew)
    return nn__fail(NN_ERR_SHAPE, "%s: the output would be empty: input %s, padded to %s, is smaller than the %skernel %s%s",
                    name, nn__fmt_shape(b0, sizeof b0, xs, nd), nn__conv_pair(b1, sizeof b1, is1d, ph, pw),
                    (g->dh > 1 || g->dw > 1) ? "dilated " : "", nn__conv_pair(b2, sizeof b2, is1d, eh, ew), extra);
  g->Ho = (ph - eh) / g->sh + 1;
  g->Wo = (pw - ew) / g->sw + 1;
  return NN_OK;
}

/* The geometry of a convolution of an input of shape xs with a weight of shape ws (user shapes: 3 or 4 sizes). */
NN__PRIVATE nn_status nn__conv_setup(const char *name, int is1d, const int64_t *xs, const int64_t *ws,
                                     const nn_conv_params *p, nn__conv_geom *g) {
  int nd = is1d ? 3 : 4;
  int64_t x4[4], w4[4];
  char b1[160], b2[160], b3[400];
  memset(g, 0, sizeof *g);
  if (nn__conv_check_sizes(name, "weight", ws, nd) != NN_OK) return nn_last_status();
  if (ws[0] == 0)
    return nn__fail(NN_ERR_SHAPE, "%s: expected a weight with at least one output channel, got weight %s", name,
                    nn__fmt_shape(b1, sizeof b1, ws, nd));
  x4[0] = xs[0];
  x4[1] = xs[1];
  w4[0] = ws[0];
  w4[1] = ws[1];
  x4[2] = is1d ? 1 : xs[2];
  x4[3] = xs[nd - 1];
  w4[2] = is1d ? 1 : ws[2];
  w4[3] = ws[nd - 1];
  if (nn__conv_params_read(name, is1d, NN__CK_CONV, w4[2], w4[3], p, g) != NN_OK) return nn_last_status();
  nn__fmt_shape(b2, sizeof b2, ws, nd);
  if (w4[0] % g->G != 0)
    return nn__fail(NN_ERR_SHAPE, "%s: groups %lld must divide the output channels, got weight %s", name,
                    (long long)g->G, b2);
  if (w4[1] > NN__CONV_MAXDIM / g->G || x4[1] != w4[1] * g->G)
    return nn__fail(NN_ERR_SHAPE, "%s: expected input with %lld channels (weight %s, groups %lld), got input %s", name,
                    (long long)(w4[1] * g->G), b2, (long long)g->G, nn__fmt_shape(b1, sizeof b1, xs, nd));
  if (nn__conv_check_sizes(name, "input", xs, nd) != NN_OK) return nn_last_status();
  g->N = x4[0];
  g->C = x4[1];
  g->H = x4[2];
  g->W = x4[3];
  g->Co = w4[0];
  g->Cg = w4[1];
  g->Mg = w4[0] / g->G;
  snprintf(b3, sizeof b3, " (weight %s, dilation %s)", b2, nn__conv_pair(b1, sizeof b1, is1d, g->dh, g->dw));
  return nn__conv_out_size(name, is1d, xs, nd, g, b3);
}

/* Checks that t is a tensor of nd dimensions; what describes the expected layout, e.g. "input (N, C, H, W)". */
NN__PRIVATE nn_status nn__conv_check_ndim(const char *name, const nn_tensor *t, int nd, const char *arg,
                                          const char *layout) {
  char b[160];
  if (nn__check_cpu(name, t, arg) != NN_OK) return nn_last_status();
  if (t->ndim != nd)
    return nn__fail(NN_ERR_SHAPE, "%s: expected a %d-D %s %s, got %s of shape %s", name, nd, arg, layout, arg,
                    nn_shape_str(t, b, sizeof b));
  return NN_OK;
}

/* Checks that t is float32/float64 and, if ref != NULL, has ref's dtype. */
NN__PRIVATE nn_status nn__conv_check_dtype(const char *name, const nn_tensor *t, const char *arg, const nn_tensor *ref,
                                           const char *refarg) {
  if (!nn__is_float(t->dtype))
    return nn__fail(NN_ERR_DTYPE, "%s: unsupported dtype %s for %s (float32 and float64 only)", name,
                    nn_dtype_name(t->dtype), arg);
  if (ref && ref->dtype != t->dtype)
    return nn__fail(NN_ERR_DTYPE, "%s: %s dtype (%s) and %s dtype (%s) should be the same", name, refarg,
                    nn_dtype_name(ref->dtype), arg, nn_dtype_name(t->dtype));
  return NN_OK;
}

/* The data of t in row-major order: t's own when contiguous, else a copy in *tmp (freed by the caller). */
NN__PRIVATE const void *nn__conv_data(const char *name, const nn_tensor *t, nn_tensor **tmp) {
  *tmp = NULL;
  if (nn_is_contiguous(t)) return t->data;
  *tmp = nn__new(name, t->dtype, t->shape, t->ndim);
  if (!*tmp) return NULL;
  nn__assign(*tmp, t);
  return (*tmp)->data;
}

/* Checks that dy has exactly the shape (N, Co, Ho, Wo) (or (N, Co, Wo) for 1-D). */
NN__PRIVATE nn_status nn__conv_check_dy(const char *name, int is1d, const nn_tensor *dy, const nn__conv_geom *g,
                                        const char *what) {
  int64_t e[4];
  int nd = is1d ? 3 : 4, i, ok = dy->ndim == nd;
  char b1[160], b2[160];
  e[0] = g->N;
  e[1] = g->Co;
  e[2] = is1d ? g->Wo : g->Ho;
  e[3] = g->Wo;
  for (i = 0; ok && i < nd; i++) ok = dy->shape[i] == e[i];
  if (!ok)
    return nn__fail(NN_ERR_SHAPE, "%s: expected dy of shape %s (the output of %s), got %s", name,
                    nn__fmt_shape(b1, sizeof b1, e, nd), what, nn_shape_str(dy, b2, sizeof b2));
  return NN_OK;
}

/* ---- convolution drivers ---- */

typedef struct nn__conv_job {
  nn__conv_geom g;
  const void *x, *w, *b, *dy; /* contiguous inputs (b may be NULL) */
  void *y;                    /* forward output, input gradient, or weight gradient */
  void *part;                 /* weight gradient: per-chunk partials (wsize each), or NULL to write y directly */
  double *dbp;                /* weight gradient: per-chunk bias partials (Co each), or NULL */
  int direct;                 /* x is its own im2col matrix (1x1 kernel, stride 1, no padding) */
  int dir;                    /* the direct kernels run instead of im2col + GEMM (small kernel volume) */
  const void *gp;             /* weight gradient through 2x2 pooling: the pooled dy and its argmax (dy is NULL); */
  const int64_t *gidx;        /* each image's dy is scattered from them into a buffer (direct kernels only) */
  int64_t nb;                 /* images per panel (1: a panel is a block of rb output rows of one image) */
  int64_t rb, nblk;           /* output rows per block, blocks per image */
  int64_t npanel;             /* panels: nb == 1 ? N * nblk : ceil(N / nb) */
  int64_t per, n;             /* units per chunk, units */
  int64_t wsize;
  unsigned char *fail;        /* per chunk: a scratch allocation failed */
} nn__conv_job;

/* Panel u: images [*n0, *n0 + *cnt), output rows [*oh0, *oh1) of each. */
NN__PRIVATE void nn__conv_panel(const nn__conv_job *j, int64_t u, int64_t *n0, int64_t *cnt, int64_t *oh0,
                                int64_t *oh1) {
  if (j->nb == 1) {
    int64_t blk = u % j->nblk;
    *n0 = u / j->nblk;
    *cnt = 1;
    *oh0 = blk * j->rb;
    *oh1 = *oh0 + j->rb < j->g.Ho ? *oh0 + j->rb : j->g.Ho;
  } else {
    *n0 = u * j->nb;
    *cnt = j->g.N - *n0 < j->nb ? j->g.N - *n0 : j->nb;
    *oh0 = 0;
    *oh1 = j->g.Ho;
  }
}

/* Scratch of a chunk: the im2col matrix of a panel (Kg x cols) and, for panels of several images, a matrix of Mg x
   cols (the forward GEMM's result before it is scattered to the images, or dy gathered from them). */
#define NN__CONV_SCRATCH(T)                                                                                    \
  int64_t L = g->Ho * g->Wo, Kg = g->Cg * g->kh * g->kw, HW = g->H * g->W, maxcols = j->nb * j->rb * g->Wo;   \
  T *cols = NULL, *tmp = NULL;                                                                                 \
  if (!j->direct || j->nb > 1) {                                                                               \
    cols = (T *)nn__alloc((size_t)(Kg * maxcols) * sizeof(T));                                                 \
    if (j->nb > 1) tmp = (T *)nn__alloc((size_t)(g->Mg * maxcols) * sizeof(T));                                \
    if (!cols || (j->nb > 1 && !tmp)) {                                                                        \
      nn__dealloc(cols);                                                                                       \
      nn__dealloc(tmp);                                                                                        \
      j->fail[c] = 1;                                                                                          \
      return;                                                                                                  \
    }                                                                                                          \
  }

#define NN__CONV_DRIVERS_DEFINE(S, T)                                                                          \
  /* The im2col matrix of group gi of a panel: x itself for a 1x1 kernel on one image, else built in cols. */  \
  NN__PRIVATE const T *nn__conv_cols_##S(const nn__conv_job *j, int64_t gi, int64_t n0, int64_t cnt,            \
                                         int64_t oh0, int64_t oh1, T *cols, int64_t *ld) {                     \
    const nn__conv_geom *g = &j->g;                                                                            \
    int64_t HW = g->H * g->W, lb = (oh1 - oh0) * g->Wo, b;                                                     \
    if (j->direct && cnt == 1) {                                                                               \
      *ld = HW;                                                                                                \
      return (const T *)j->x + (n0 * g->C + gi * g->Cg) * HW + oh0 * g->Wo;                                    \
    }                                                                                                          \
    *ld = cnt * lb;                                                                                            \
    for (b = 0; b < cnt; b++)                                                                                  \
      nn__im2col_##S(g, (const T *)j->x + ((n0 + b) * g->C + gi * g->Cg) * HW, g->Cg, oh0, oh1, cols + b * lb, \
                     cnt * lb);                                                                                \
    return cols;                                                                                               \
  }                                                                                                            \
                                                                                                               \
  /* dy of group gi of a panel as an Mg x cols matrix: dy itself for one image, else gathered into tmp. */     \
  NN__PRIVATE const T *nn__conv_dy_##S(const nn__conv_job *j, int64_t gi, int64_t n0, int64_t cnt, int64_t oh0, \
                                       int64_t oh1, T *tmp, int64_t *ld) {                                     \
    const nn__conv_geom *g = &j->g;                                                                            \
    int64_t L = g->Ho * g->Wo, lb = (oh1 - oh0) * g->Wo, b, m;                                                 \
    if (cnt == 1) {                                                                                            \
      *ld = L;                                                                                                 \
      return (const T *)j->dy + (n0 * g->Co + gi * g->Mg) * L + oh0 * g->Wo;                                   \
    }                                                                                                          \
    *ld = cnt * lb;                                                                                            \
    for (m = 0; m < g->Mg; m++)                                                                                \
      for (b = 0; b < cnt; b++)                                                                                \
        memcpy(tmp + m * cnt * lb + b * lb, (const T *)j->dy + ((n0 + b) * g->Co + gi * g->Mg + m) * L,        \
               (size_t)lb * sizeof(T));                                                                        \
    return tmp;                                                                                                \
  }                                                                                                            \
                                                                                                               \
  /* dy of image n, group gi, from the pooled gradient (j->gp, j->gidx), into dz (Mg planes): cleared, then each \
     gradient added at its index, as nn_max_pool2d_backward does. */                                          \
  NN__PRIVATE const T *nn__conv_unpool_##S(const nn__conv_job *j, int64_t n, int64_t gi, T *dz) {               \
    const nn__conv_geom *g = &j->g;                                                                            \
    int64_t L = g->Ho * g->Wo, P = (g->Ho / 2) * (g->Wo / 2), m, o;                                             \
    memset(dz, 0, (size_t)(g->Mg * L) * sizeof(T));                                                            \
    for (m = 0; m < g->Mg; m++) {                                                                              \
      o = (n * g->Co + gi * g->Mg + m) * P;                                                                    \
      (void)nn__maxpool_back_plane_##S(P, (const T *)j->gp + o, j->gidx + o, L, dz + m * L);                   \
    }                                                                                                          \
    return dz;                                                                                                 \
  }                                                                                                            \
                                                                                                               \
  /* The forward pass or the weight gradient of a chunk's panels with the direct kernels (j->dir). */          \
  NN__PRIVATE void nn__conv_direct_chunk_##S(const nn__conv_job *j, int64_t c, int fwd) {                      \
    const nn__conv_geom *g = &j->g;                                                                            \
    int64_t u, u0 = c * j->per, u1 = (c + 1) * j->per < j->n ? (c + 1) * j->per : j->n, b, gi;                 \
    int64_t L = g->Ho * g->Wo, HW = g->H * g->W, Kg = g->Cg * g->kh * g->kw, ps = nn__conv_direct_pad_size(g); \
    T *pad = NULL, *dz = NULL, *dw = j->part ? (T *)j->part + c * j->wsize : (T *)j->y;                        \
    double *db = j->dbp ? j->dbp + c * g->Co : NULL;                                                           \
    if ((ps && !(pad = (T *)nn__alloc((size_t)ps * sizeof(T)))) ||                                             \
        (j->gp && !(dz = (T *)nn__alloc((size_t)(g->Mg * L) * sizeof(T))))) {                                  \
      nn__dealloc(pad);                                                                                        \
      j->fail[c] = 1;                                                                                          \
      return;                                                                                                  \
    }                                                                                                          \
    if (!fwd && db) memset(db, 0, (size_t)g->Co * sizeof(double));                                             \
    for (u = u0; u < u1; u++) {                                                                                \
      int64_t n0, cnt, oh0, oh1;                                                                               \
      nn__conv_panel(j, u, &n0, &cnt, &oh0, &oh1);                                                             \
      for (b = 0; b < cnt; b++)                                                                                \
        for (gi = 0; gi < g->G; gi++) {                                                                        \
          const T *xg = (const T *)j->x + ((n0 + b) * g->C + gi * g->Cg) * HW;                                 \
          if (fwd)                                                                                             \
            nn__conv_direct_fwd_##S(g, xg, (const T *)j->w + gi * g->Mg * Kg,                                  \
                                    j->b ? (const T *)j->b + gi * g->Mg : NULL, oh0, oh1,                      \
                                    (T *)j->y + ((n0 + b) * g->Co + gi * g->Mg) * L, pad);                     \
          else                                                                                                 \
            nn__conv_direct_wgrad_##S(g, xg, j->gp ? nn__conv_unpool_##S(j, n0 + b, gi, dz)                    \
                                                   : (const T *)j->dy + ((n0 + b) * g->Co + gi * g->Mg) * L,   \
                                      oh0, oh1, dw + gi * g->Mg * Kg, u > u0 || b > 0,                         \
                                      db ? db + gi * g->Mg : NULL, pad);                                       \
        }                                                                                                      \
    }                                                                                                          \
    nn__dealloc(pad);                                                                                          \
    nn__dealloc(dz);                                                                                           \
  }                                                                                                            \
                                                                                                               \
  NN__PRIVATE void nn__conv_fwd_chunk_##S(void *vctx, int64_t c) {                                             \
    const nn__conv_job *j = (const nn__conv_job *)vctx;                                                        \
    const nn__conv_geom *g = &j->g;                                                                            \
    int64_t u, u1 = (c + 1) * j->per < j->n ? (c + 1) * j->per : j->n;                                         \
    if (j->dir) {                                                                                              \
      nn__conv_direct_chunk_##S(j, c, 1);                                                                      \
      return;                                                                                                  \
    }                                                                                                          \
    NN__CONV_SCRATCH(T)                                                                                        \
    (void)HW;                                                                                                  \
    for (u = c * j->per; u < u1; u++) {                                                                        \
      int64_t n0, cnt, oh0, oh1, lb, ncols, gi, b, m, ldb;                                                    \
      nn__conv_panel(j, u, &n0, &cnt, &oh0, &oh1);                                                             \
      lb = (oh1 - oh0) * g->Wo;                                                                                \
      ncols = cnt * lb;                                                                                        \
      for (gi = 0; gi < g->G; gi++) {                                                                          \
        const T *B = nn__conv_cols_##S(j, gi, n0, cnt, oh0, oh1, cols, &ldb);                                  \
        const T *bias = j->b ? (const T *)j->b + gi * g->Mg : NULL;                                            \
        T *y1 = (T *)j->y + (n0 * g->Co + gi * g->Mg) * L + oh0 * g->Wo;                                       \
        T *dst = cnt == 1 ? y1 : tmp;                                                                          \
        int64_t ldc = cnt == 1 ? L : ncols;                                                                    \
        if (nn__##S##gemm_kernel(0, 0, g->Mg, ncols, Kg, (T)1, (const T *)j->w + gi * g->Mg * Kg, Kg, B, ldb,   \
                                 (T)0, dst, ldc) != 0) {                                                       \
          j->fail[c] = 1;                                                                                      \
          goto done;                                                                                           \
        }                                                                                                      \
        for (m = 0; m < g->Mg; m++) {                                                                          \
          T bm = bias ? bias[m] : (T)0;                                                                        \
          for (b = 0; b < cnt; b++) {                                                                          \
            T *yr = y1 + (b * g->Co + m) * L;                                                                  \
            const T *tr = dst + m * ldc + b * lb;                                                              \
            if (cnt > 1 || bias) nn__conv_copyrow_##S(lb, yr, cnt == 1 ? yr : tr, bm, bias != NULL);          \
          }                                                                                                    \
        }                                                                                                      \
      }                                                                                                        \
    }                                                                                                          \
  done:                                                                                                        \
    nn__dealloc(cols);                                                                                         \
    nn__dealloc(tmp);                                                                                          \
  }                                                                                                            \
                                                                                                               \
  /* Units are whole images (nb == 1: all the row blocks of one image) since col2im adds into them. */         \
  NN__PRIVATE void nn__conv_bwd_input_chunk_##S(void *vctx, int64_t c) {                                       \
    const nn__conv_job *j = (const nn__conv_job *)vctx;                                                        \
    const nn__conv_geom *g = &j->g;                                                                            \
    int64_t u, u1 = (c + 1) * j->per < j->n ? (c + 1) * j->per : j->n;                                         \
    int64_t ppu = j->nb == 1 ? j->nblk : 1; /* panels per unit */                                              \
    int whole = j->nb > 1 || j->nblk == 1;  /* panels are whole images: col2im sets dx rather than adding */    \
    NN__CONV_SCRATCH(T)                                                                                        \
    (void)L;                                                                                                   \
    for (u = c * j->per; u < u1; u++) {                                                                        \
      int64_t pn, n0, cnt, oh0, oh1, gi, b, ldb;                                                               \
      nn__conv_panel(j, u * ppu, &n0, &cnt, &oh0, &oh1);                                                       \
      if (!whole && !j->direct) memset((T *)j->y + n0 * g->C * HW, 0, (size_t)(cnt * g->C * HW) * sizeof(T));   \
      for (pn = u * ppu; pn < (u + 1) * ppu; pn++) {                                                           \
        int64_t lb, ncols;                                                                                     \
        nn__conv_panel(j, pn, &n0, &cnt, &oh0, &oh1);                                                          \
        lb = (oh1 - oh0) * g->Wo;                                                                              \
        ncols = cnt * lb;                                                                                      \
        for (gi = 0; gi < g->G; gi++) {                                                                        \
          const T *dyb = nn__conv_dy_##S(j, gi, n0, cnt, oh0, oh1, tmp, &ldb);                                 \
          T *dx1 = (T *)j->y + (n0 * g->C + gi * g->Cg) * HW;                                                  \
          int into_dx = j->direct && cnt == 1;                                                                 \
          if (nn__##S##gemm_kernel(1, 0, Kg, ncols, g->Mg, (T)1, (const T *)j->w + gi * g->Mg * Kg, Kg, dyb,    \
                                   ldb, (T)0, into_dx ? dx1 + oh0 * g->Wo : cols, into_dx ? HW : ncols) != 0) { \
            j->fail[c] = 1;                                                                                    \
            goto done;                                                                                         \
          }                                                                                                    \
          if (!into_dx)                                                                                        \
            for (b = 0; b < cnt; b++)                                                                          \
              nn__col2im_##S(g, cols + b * lb, ncols, g->Cg, oh0, oh1, dx1 + b * g->C * HW, whole);            \
        }                                                                                                      \
      }                                                                                                        \
    }                                                                                                          \
  done:                                                                                                        \
    nn__dealloc(cols);                                                                                         \
    nn__dealloc(tmp);                                                                                          \
  }                                                                                                            \
                                                                                                               \
  NN__PRIVATE void nn__conv_bwd_weight_chunk_##S(void *vctx, int64_t c) {                                      \
    const nn__conv_job *j = (const nn__conv_job *)vctx;                                                        \
    const nn__conv_geom *g = &j->g;                                                                            \
    int64_t u, u0 = c * j->per, u1 = (c + 1) * j->per < j->n ? (c + 1) * j->per : j->n;                        \
    T *dw = j->part ? (T *)j->part + c * j->wsize : (T *)j->y;                                                 \
    double *db = j->dbp ? j->dbp + c * j->g.Co : NULL;                                                         \
    if (j->dir) {                                                                                              \
      nn__conv_direct_chunk_##S(j, c, 0);                                                                      \
      return;                                                                                                  \
    }                                                                                                          \
    NN__CONV_SCRATCH(T)                                                                                        \
    (void)HW;                                                                                                  \
    if (db) memset(db, 0, (size_t)g->Co * sizeof(double));                                                     \
    for (u = u0; u < u1; u++) {                                                                                \
      int64_t n0, cnt, oh0, oh1, lb, ncols, gi, b, co, lda, ldb;                                               \
      nn__conv_panel(j, u, &n0, &cnt, &oh0, &oh1);                                                             \
      lb = (oh1 - oh0) * g->Wo;                                                                                \
      ncols = cnt * lb;                                                                                        \
      for (gi = 0; gi < g->G; gi++) {                                                                          \
        const T *A = nn__conv_dy_##S(j, gi, n0, cnt, oh0, oh1, tmp, &lda);                                     \
        const T *B = nn__conv_cols_##S(j, gi, n0, cnt, oh0, oh1, cols, &ldb);                                  \
        if (nn__##S##gemm_kernel(0, 1, g->Mg, Kg, ncols, (T)1, A, lda, B, ldb, u == u0 ? (T)0 : (T)1,           \
                                 dw + gi * g->Mg * Kg, Kg) != 0) {                                             \
          j->fail[c] = 1;                                                                                      \
          goto done;                                                                                           \
        }                                                                                                      \
      }                                                                                                        \
      if (db) {                                                                                                \
        for (b = 0; b < cnt; b++) {                                                                            \
          for (co = 0; co < g->Co; co++) {                                                                     \
            db[co] += nn__conv_sum_##S(lb, (const T *)j->dy + ((n0 + b) * g->Co + co) * L + oh0 * g->Wo);      \
          }                                                                                                    \
        }                                                                                                      \
      }                                                                                                        \
    }                                                                                                          \
  done:                                                                                                        \
    nn__dealloc(cols);                                                                                         \
    nn__dealloc(tmp);                                                                                          \
  }                                                                                                            \
                                                                                                               \
  /* dw = sum of the partials, in chunk order. */                                                              \
  NN__PRIVATE void nn__conv_sum_parts_##S(const nn__conv_job *j, int64_t nch) {                                \
    T *dw = (T *)j->y;                                                                                         \
    const T *pp = (const T *)j->part;                                                                          \
    int64_t c;                                                                                                 \
    memcpy(dw, pp, (size_t)j->wsize * sizeof(T));                                                              \
    for (c = 1; c < nch; c++) nn__conv_addrow_##S(j->wsize, dw, pp + c * j->wsize);                            \
  }

NN__CONV_DRIVERS_DEFINE(s, float)
NN__CONV_DRIVERS_DEFINE(d, double)

/* Units per chunk for `work` multiply-adds per unit. */
NN__PRIVATE int64_t nn__conv_per(double work) {
  double per = (double)NN__CONV_GRAIN / (work > 1 ? work : 1);
  return per < 1 ? 1 : (int64_t)per;
}

/* Panels (images per panel, or row blocks of one image), the 1x1 shortcut and the weight size. Small images are
   grouped nb to a panel, so that one GEMM covers several images (the weight is packed once for them and the GEMM
   gets wider, for the price of copying its result out to the images or dy in), as many as fit NN__CONV_COLS
   elements in the panel's im2col and Mg x cols matrices, but into no fewer than NN__CONV_MINPANELS panels when the
   batch allows; an image whose im2col matrix exceeds NN__CONV_COLS / 2 elements is cut into blocks of rows instead
   (a 1x1 convolution then reads x in place, with no im2col copy). */
NN__PRIVATE void nn__conv_plan(nn__conv_job *j) {
  const nn__conv_geom *g = &j->g;
  int64_t Kg = g->Cg * g->kh * g->kw;
  double row = (double)Kg * (double)g->Wo, img = row * (double)g->Ho;
  j->direct = g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 && g->pt == 0 && g->pl == 0 && g->pb == 0 &&
              g->pr == 0;
  j->wsize = g->Co * Kg;
  if (img * 2 > NN__CONV_COLS) {
    j->nb = 1;
    j->rb = row >= NN__CONV_COLS ? 1 : (int64_t)(NN__CONV_COLS / (row > 1 ? row : 1));
    if (j->rb > g->Ho) j->rb = g->Ho;
    if (j->rb < 1) j->rb = 1;
  } else {
    int64_t most = (g->N + NN__CONV_MINPANELS - 1) / NN__CONV_MINPANELS;
    double out = (double)g->Mg * (double)(g->Ho * g->Wo); /* the Mg x cols matrix of the panel is bounded too */
    j->nb = (int64_t)(NN__CONV_COLS / (img > out ? (img > 1 ? img : 1) : out));
    if (j->nb > most) j->nb = most;
    if (j->nb < 1) j->nb = 1;
    j->rb = g->Ho;
  }
  j->nblk = (g->Ho + j->rb - 1) / j->rb;
  j->npanel = j->nb == 1 ? g->N * j->nblk : (g->N + j->nb - 1) / j->nb;
}

/* Runs the chunks: in parallel, or, when there are too few of them to keep the threads busy, one after the other
   on this thread so that the GEMMs inside run in parallel. The results are the same either way. */
NN__PRIVATE void nn__conv_run(int64_t nch, nn__task_fn fn, void *job) {
  int64_t c;
  if (nch * 2 <= nn_get_num_threads()) {
    for (c = 0; c < nch; c++) fn(job, c);
  } else {
    nn__parallel_for(nch, fn, job);
  }
}

/* Zeroed per-chunk failure flags; NULL with an error. */
NN__PRIVATE unsigned char *nn__conv_flags(const char *name, int64_t nch) {
  unsigned char *f = (unsigned char *)nn__xalloc(name, (size_t)(nch > 0 ? nch : 1));
  if (f) memset(f, 0, (size_t)(nch > 0 ? nch : 1));
  return f;
}

NN__PRIVATE int nn__conv_any_failed(const unsigned char *f, int64_t nch) {
  int64_t c;
  for (c = 0; c < nch; c++)
    if (f[c]) return 1;
  return 0;
}

/* Runs fn over nch chunks (nn__conv_run) and checks their failure flags: 0, or -1 with an allocation error that
   names what the chunks could not allocate. */
NN__PRIVATE int nn__conv_run_checked(const char *name, int64_t nch, nn__task_fn fn, void *job,
                                     const unsigned char *flags, const char *what) {
  nn__conv_run(nch, fn, job);
  if (!nn__conv_any_failed(flags, nch)) return 0;
  nn__fail(NN_ERR_OOM, "%s: cannot allocate %s", name, what);
  return -1;
}

NN__PRIVATE nn_tensor *nn__conv_forward(const char *name, int is1d, const nn_tensor *x, const nn_tensor *w,
                                        const nn_tensor *b, const nn_conv_params *p) {
  int nd = is1d ? 3 : 4;
  nn__conv_geom g;
  nn__conv_job j;
  nn_tensor *tx = NULL, *tw = NULL, *tb = NULL, *y = NULL, *res = NULL;
  int64_t ys[4], nch;
  char b1[160];
  if (nn__conv_check_ndim(name, x, nd, "input", is1d ? "(N, C_in, L)" : "(N, C_in, H, W)") != NN_OK ||
      nn__conv_check_ndim(name, w, nd, "weight", is1d ? "(C_out, C_in/groups, k)" : "(C_out, C_in/groups, kH, kW)") !=
          NN_OK)
    return NULL;
  if (nn__conv_check_dtype(name, x, "input", NULL, NULL) != NN_OK ||
      nn__conv_check_dtype(name, w, "weight", x, "input") != NN_OK)
    return NULL;
  if (b && (nn__check_cpu(name, b, "bias") != NN_OK || nn__conv_check_dtype(name, b, "bias", x, "input") != NN_OK))
    return NULL;
  if (nn__conv_setup(name, is1d, x->shape, w->shape, p, &g) != NN_OK) return NULL;
  if (b && (b->ndim != 1 || b->shape[0] != g.Co)) {
    nn__fail(NN_ERR_SHAPE, "%s: expected bias of shape (%lld,) (one per output channel), got bias of shape %s", name,
             (long long)g.Co, nn_shape_str(b, b1, sizeof b1));
    return NULL;
  }
  memset(&j, 0, sizeof j);
  j.g = g;
  j.x = nn__conv_data(name, x, &tx);
  j.w = nn__conv_data(name, w, &tw);
  j.b = b ? nn__conv_data(name, b, &tb) : NULL;
  if (!j.x || !j.w || (b && !j.b)) goto done;
  ys[0] = g.N;
  ys[1] = g.Co;
  ys[2] = is1d ? g.Wo : g.Ho;
  ys[3] = g.Wo;
  y = nn__new(name, x->dtype, ys, nd);
  if (!y) goto done;
  j.y = y->data;
  nn__conv_plan(&j);
  j.dir = x->dtype == NN_FLOAT64 ? nn__conv_direct_ok_d(&g) : nn__conv_direct_ok_s(&g);
  j.n = j.npanel;
  j.per = nn__conv_per((double)g.Co * (double)(g.Cg * g.kh * g.kw) * (double)(j.nb * j.rb * g.Wo));
  nch = (j.n + j.per - 1) / j.per;
  j.fail = nn__conv_flags(name, nch);
  if (!j.fail) goto done;
  if (nn__conv_run_checked(name, nch, x->dtype == NN_FLOAT64 ? nn__conv_fwd_chunk_d : nn__conv_fwd_chunk_s, &j, j.fail,
                           "the im2col and GEMM scratch buffers") != 0)
    goto done;
  res = y;
done:
  nn__dealloc(j.fail);
  if (!res) nn_free(y);
  nn_free(tx);
  nn_free(tw);
  nn_free(tb);
  if (res && nn__ag_wanted3(x, w, b)) res = nn__grad_conv(res, is1d, x, w, b, p);
  return res;
}

NN__PRIVATE nn_tensor *nn__conv_backward_input(const char *name, int is1d, const nn_tensor *dy, const nn_tensor *w,
                                               const int64_t *x_shape, const nn_conv_params *p) {
  int nd = is1d ? 3 : 4;
  nn__conv_geom g;
  nn__conv_job j;
  nn_tensor *tdy = NULL, *tw = NULL, *dx = NULL, *res = NULL;
  int64_t nch;
  char what[400], b1[160], b2[160];
  if (nn__conv_check_ndim(name, dy, nd, "dy", is1d ? "(N, C_out, L_out)" : "(N, C_out, H_out, W_out)") != NN_OK ||
      nn__conv_check_ndim(name, w, nd, "weight", is1d ? "(C_out, C_in/groups, k)" : "(C_out, C_in/groups, kH, kW)") !=
          NN_OK)
    return NULL;
  if (nn__conv_check_dtype(name, dy, "dy", NULL, NULL) != NN_OK ||
      nn__conv_check_dtype(name, w, "weight", dy, "dy") != NN_OK)
    return NULL;
  if (!x_shape) {
    nn__fail_null(name, "x_shape");
    return NULL;
  }
  if (nn__conv_check_sizes(name, "x_shape", x_shape, nd) != NN_OK) return NULL;
  if (nn__conv_setup(name, is1d, x_shape, w->shape, p, &g) != NN_OK) return NULL;
  snprintf(what, sizeof what, "an input %s and weight %s", nn__fmt_shape(b1, sizeof b1, x_shape, nd),
           nn_shape_str(w, b2, sizeof b2));
  if (nn__conv_check_dy(name, is1d, dy, &g, what) != NN_OK) return NULL;
  memset(&j, 0, sizeof j);
  j.g = g;
  j.dy = nn__conv_data(name, dy, &tdy);
  j.w = nn__conv_data(name, w, &tw);
  if (!j.dy || !j.w) goto done;
  dx = nn__new(name, dy->dtype, x_shape, nd);
  if (!dx) goto done;
  j.y = dx->data;
  nn__conv_plan(&j);
  j.n = j.nb == 1 ? g.N : j.npanel; /* whole images */
  j.per = nn__conv_per((double)g.Co * (double)(g.Cg * g.kh * g.kw) * (double)(j.nb * g.Ho * g.Wo));
  nch = (j.n + j.per - 1) / j.per;
  j.fail = nn__conv_flags(name, nch);
  if (!j.fail) goto done;
  if (nn__conv_run_checked(name, nch, dy->dtype == NN_FLOAT64 ? nn__conv_bwd_input_chunk_d : nn__conv_bwd_input_chunk_s,
                           &j, j.fail, "the im2col and GEMM scratch buffers") != 0)
    goto done;
  res = dx;
done:
  nn__dealloc(j.fail);
  if (!res) nn_free(dx);
  nn_free(tdy);
  nn_free(tw);
  return res;
}

/* pidx != NULL: dy is the gradient of nn__conv2d_pool22's pooled output and pidx its argmax; the direct kernels
   take each image's full-size dy from them (nn__conv_pool22_wgrad_ok said yes). */
NN__PRIVATE nn_tensor *nn__conv_backward_weight_ex(const char *name, int is1d, const nn_tensor *dy,
                                                   const nn_tensor *pidx, const nn_tensor *x, const int64_t *w_shape,
                                                   const nn_conv_params *p, nn_tensor **db) {
  int nd = is1d ? 3 : 4, f64;
  nn__conv_geom g;
  nn__conv_job j;
  nn_tensor *tdy = NULL, *tix = NULL, *tx = NULL, *dw = NULL, *dbt = NULL, *res = NULL;
  int64_t nch, cap, c, co;
  double work;
  char what[400], b1[160], b2[160];
  if (db) *db = NULL;
  if (nn__conv_check_ndim(name, dy, nd, "dy", is1d ? "(N, C_out, L_out)" : "(N, C_out, H_out, W_out)") != NN_OK ||
      nn__conv_check_ndim(name, x, nd, "input", is1d ? "(N, C_in, L)" : "(N, C_in, H, W)") != NN_OK)
    return NULL;
  if (nn__conv_check_dtype(name, dy, "dy", NULL, NULL) != NN_OK ||
      nn__conv_check_dtype(name, x, "input", dy, "dy") != NN_OK)
    return NULL;
  if (!w_shape) {
    nn__fail_null(name, "w_shape");
    return NULL;
  }
  if (nn__conv_setup(name, is1d, x->shape, w_shape, p, &g) != NN_OK) return NULL;
  snprintf(what, sizeof what, "an input %s and weight %s", nn_shape_str(x, b1, sizeof b1),
           nn__fmt_shape(b2, sizeof b2, w_shape, nd));
  if (!pidx && nn__conv_check_dy(name, is1d, dy, &g, what) != NN_OK) return NULL;
  f64 = dy->dtype == NN_FLOAT64;
  memset(&j, 0, sizeof j);
  j.g = g;
  if (pidx) {
    j.gp = nn__conv_data(name, dy, &tdy);
    j.gidx = (const int64_t *)nn__conv_data(name, pidx, &tix);
    if (!j.gp || !j.gidx) goto done;
  } else {
    j.dy = nn__conv_data(name, dy, &tdy);
    if (!j.dy) goto done;
  }
  j.x = nn__conv_data(name, x, &tx);
  if (!j.x) goto done;
  dw = nn__new(name, dy->dtype, w_shape, nd);
  if (!dw) goto done;
  if (db) {
    dbt = nn__new(name, dy->dtype, &g.Co, 1);
    if (!dbt) goto done;
  }
  j.y = dw->data;
  nn__conv_plan(&j);
  j.dir = f64 ? nn__conv_direct_ok_d(&g) : nn__conv_direct_ok_s(&g);
  if (pidx && !j.dir) { /* ruled out by nn__conv_pool22_wgrad_ok */
    nn__fail(NN_ERR_ARG, "%s: the pooled weight gradient needs the direct kernels", name);
    goto done;
  }
  j.n = j.npanel;
  /* chunks: at most one per panel, NN__CONV_MAXPART, one per NN__CONV_GRAIN of work, and PARTCAP of partials */
  work = (double)g.N * (double)g.Co * (double)(g.Cg * g.kh * g.kw) * (double)(g.Ho * g.Wo);
  nch = j.n < NN__CONV_MAXPART ? j.n : NN__CONV_MAXPART;
  if (work < (double)nch * NN__CONV_GRAIN) nch = (int64_t)(work / NN__CONV_GRAIN);
  cap = NN__CONV_PARTCAP / j.wsize;
  if (nch > cap) nch = cap;
  if (nch < 1) nch = 1;
  j.per = (j.n + nch - 1) / nch;
  if (j.per < 1) j.per = 1;
  nch = (j.n + j.per - 1) / j.per;
  if (nch == 0) { /* empty batch: zero gradients */
    memset(dw->data, 0, (size_t)j.wsize * nn_dtype_size(dw->dtype));
    if (dbt) memset(dbt->data, 0, (size_t)g.Co * nn_dtype_size(dbt->dtype));
    res = dw;
    goto done;
  }
  j.fail = nn__conv_flags(name, nch);
  if (!j.fail) goto done;
  if (nch > 1) {
    j.part = nn__xalloc(name, (size_t)(nch * j.wsize) * nn_dtype_size(dw->dtype));
    if (!j.part) goto done;
  }
  if (dbt) {
    j.dbp = (double *)nn__xalloc(name, (size_t)(nch * g.Co) * sizeof(double));
    if (!j.dbp) goto done;
  }
  if (nn__conv_run_checked(name, nch, f64 ? nn__conv_bwd_weight_chunk_d : nn__conv_bwd_weight_chunk_s, &j, j.fail,
                           "the im2col and GEMM scratch buffers") != 0)
    goto done;
  if (j.part) {
    if (f64) nn__conv_sum_parts_d(&j, nch);
    else nn__conv_sum_parts_s(&j, nch);
  }
  if (dbt) {
    for (co = 0; co < g.Co; co++) {
      double s = 0;
      for (c = 0; c < nch; c++) s += j.dbp[c * g.Co + co];
      if (f64) ((double *)dbt->data)[co] = s;
      else ((float *)dbt->data)[co] = (float)s;
    }
  }
  res = dw;
done:
  nn__dealloc(j.fail);
  nn__dealloc(j.part);
  nn__dealloc(j.dbp);
  nn_free(tdy);
  nn_free(tix);
  nn_free(tx);
  if (!res) {
    nn_free(dw);
    nn_free(dbt);
  } else if (db) {
    *db = dbt;
  }
  return res;
}

NN__PRIVATE nn_tensor *nn__conv_backward_weight(const char *name, int is1d, const nn_tensor *dy, const nn_tensor *x,
                                                const int64_t *w_shape, const nn_conv_params *p, nn_tensor **db) {
  return nn__conv_backward_weight_ex(name, is1d, dy, NULL, x, w_shape, p, db);
}

/* Whether the weight gradient of nn__conv2d_pool22 may take dy from the pooled gradient directly: float32, the
   direct kernels, and a buffer of one image's output planes of a group of at most 4 MiB. */
NN__PRIVATE int nn__conv_pool22_wgrad_ok(const nn_tensor *g, const nn_tensor *x, const int64_t *w_shape,
                                         const nn_conv_params *p) {
  nn__conv_geom cg;
  if (!g || !x || g->dtype != NN_FLOAT32 || x->dtype != NN_FLOAT32 || x->ndim != 4) return 0;
  if (nn__conv_setup("nn_conv2d", 0, x->shape, w_shape, p, &cg) != NN_OK) return 0;
  return nn__conv_direct_ok_s(&cg) && cg.Mg * cg.Ho * cg.Wo <= ((int64_t)1 << 20);
}

NNDEF nn_tensor *nn_conv2d(const nn_tensor *x, const nn_tensor *w, const nn_tensor *b, const nn_conv_params *p) {
  return nn__conv_forward("nn_conv2d", 0, x, w, b, p);
}
NNDEF nn_tensor *nn_conv1d(const nn_tensor *x, const nn_tensor *w, const nn_tensor *b, const nn_conv_params *p) {
  return nn__conv_forward("nn_conv1d", 1, x, w, b, p);
}
NNDEF nn_tensor *nn_conv2d_backward_input(const nn_tensor *dy, const nn_tensor *w, const int64_t *x_shape,
                                          const nn_conv_params *p) {
  return nn__conv_backward_input("nn_conv2d_backward_input", 0, dy, w, x_shape, p);
}
NNDEF nn_tensor *nn_conv1d_backward_input(const nn_tensor *dy, const nn_tensor *w, const int64_t *x_shape,
                                          const nn_conv_params *p) {
  return nn__conv_backward_input("nn_conv1d_backward_input", 1, dy, w, x_shape, p);
}
NNDEF nn_tensor *nn_conv2d_backward_weight(const nn_tensor *dy, const nn_tensor *x, const int64_t *w_shape,
                                           const nn_conv_params *p, nn_tensor **db) {
  return nn__conv_backward_weight("nn_conv2d_backward_weight", 0, dy, x, w_shape, p, db);
}
NNDEF nn_tensor *nn_conv1d_backward_weight(const nn_tensor *dy, const nn_tensor *x, const int64_t *w_shape,
                                           const nn_conv_params *p, nn_tensor **db) {
  return nn__conv_backward_weight("nn_conv1d_backward_weight", 1, dy, x, w_shape, p, db);
}

/* ---- convolution + 2x2 max pooling ---- */

/* A 2-D convolution followed by 2x2 max pooling with stride 2, for a model's convolution + pooling pair when the
   direct kernels take the convolution: each image's output (or a block of its row pairs) is computed into a
   buffer that stays in the cache and pooled from there, so the convolution's output, four times the size of the
   pooled one, is never stored; when only the weight and bias need gradients, the backward pass scatters each
   image's gradient into such a buffer too. The result and its gradients are those of
   nn_max_pool2d(nn_conv2d(x, w, b, p), 2, 2) bit for bit (the same kernels in the same order). */

/* Whether nn__conv2d_pool22 takes x, w, b, p (geometry into *g): float32, a convolution the direct kernels take,
   an output of at least 2 x 2. Anything it rejects goes the general way, which reports the errors. */
NN__PRIVATE int nn__conv2d_pool22_ok(const nn_tensor *x, const nn_tensor *w, const nn_tensor *b,
                                     const nn_conv_params *p, nn__conv_geom *g) {
  if (!x || !w || x->dtype != NN_FLOAT32 || w->dtype != NN_FLOAT32 || x->ndim != 4 || w->ndim != 4) return 0;
  if (b && (b->dtype != NN_FLOAT32 || b->ndim != 1)) return 0;
  if (nn__check_cpu("nn_conv2d", x, "input") != NN_OK || nn__check_cpu("nn_conv2d", w, "weight") != NN_OK ||
      (b && nn__check_cpu("nn_conv2d", b, "bias") != NN_OK))
    return 0;
  if (nn__conv_setup("nn_conv2d", 0, x->shape, w->shape, p, g) != NN_OK) return 0;
  if (b && b->shape[0] != g->Co) return 0;
  return nn__conv_direct_ok_s(g) && g->Ho >= 2 && g->Wo >= 2 && g->N > 0 && g->Ho * g->Wo < ((int64_t)1 << 30);
}

typedef struct nn__convpool_job {
  nn__conv_geom g;
  const float *x, *w, *b;
  float *y;
  int64_t *idx;
  int64_t per;
  unsigned char *fail;
} nn__convpool_job;

#define NN__CONVPOOL_BUF (1 << 16) /* elements of a chunk's buffer of convolution rows (more for one row pair) */

/* Images [c * per, (c + 1) * per): the output rows of a block of R pooled rows (the whole image when it fits the
   buffer) for all channels of a group into the buffer, then each channel's block pooled by the kernel that
   nn_max_pool2d uses. */
NN__PRIVATE void nn__convpool_chunk(void *vctx, int64_t c) {
  const nn__convpool_job *j = (const nn__convpool_job *)vctx;
  const nn__conv_geom *g = &j->g;
  int64_t n, n1 = (c + 1) * j->per < g->N ? (c + 1) * j->per : g->N, gi, pr, m, q;
  int64_t Hp = g->Ho / 2, Wp = g->Wo / 2, Kg = g->Cg * g->kh * g->kw, HW = g->H * g->W;
  int64_t ps = nn__conv_direct_pad_size(g), R = NN__CONVPOOL_BUF / (g->Mg * 2 * g->Wo), ldp;
  float *rows, *pad;
  nn__conv_geom pg; /* the pooling of one channel's block of rows */
  int vec = -1;
  if (R < 1) R = 1;
  if (R > Hp) R = Hp;
  ldp = 2 * R * g->Wo;
  rows = (float *)nn__alloc((size_t)(g->Mg * ldp) * sizeof(float));
  pad = ps ? (float *)nn__alloc((size_t)ps * sizeof(float)) : NULL;
  if (!rows || (ps && !pad)) {
    j->fail[c] = 1;
    nn__dealloc(rows);
    nn__dealloc(pad);
    return;
  }
  memset(&pg, 0, sizeof pg);
  pg.N = pg.C = 1;
  pg.W = g->Wo;
  pg.Wo = Wp;
  pg.kh = pg.kw = pg.sh = pg.sw = 2;
  pg.dh = pg.dw = 1;
  for (n = c * j->per; n < n1; n++)
    for (gi = 0; gi < g->G; gi++) {
      const float *xg = j->x + (n * g->C + gi * g->Cg) * HW, *wg = j->w + gi * g->Mg * Kg;
      const float *bg = j->b ? j->b + gi * g->Mg : NULL;
      for (pr = 0; pr < Hp; pr += R) {
        int64_t rb = Hp - pr < R ? Hp - pr : R;
        pg.H = 2 * rb;
        pg.Ho = rb;
        if (vec < 0) vec = nn__pool_simd_ok(&pg) == 2; /* the same for every block */
        nn__conv_direct_rows_s(g, xg, wg, bg, 2 * pr, 2 * (pr + rb), rows, ldp, pad);
        for (m = 0; m < g->Mg; m++) {
          int64_t o = ((n * g->Co + gi * g->Mg + m) * Hp + pr) * Wp;
          /* the 2x2 vector kernel, as nn__maxpool_plane_s would pick it, without its per-plane set-up */
          if (vec) nn__maxpool_plane_simd_s(&pg, rows + m * ldp, j->y + o, j->idx + o);
          else nn__maxpool_plane_s(&pg, rows + m * ldp, j->y + o, j->idx + o);
          if (pr > 0) /* into the convolution's output plane */
            for (q = 0; q < rb * Wp; q++) j->idx[o + q] += 2 * pr * g->Wo;
        }
      }
    }
  nn__dealloc(rows);
  nn__dealloc(pad);
}

/* The pooled output (N, C_out, H_out / 2, W_out / 2) when nn__conv2d_pool22_ok gave g; NULL with an error. */
NN__PRIVATE nn_tensor *nn__conv2d_pool22(const nn_tensor *x, const nn_tensor *w, const nn_tensor *b,
                                         const nn_conv_params *p, const nn__conv_geom *g) {
  const char *name = "nn_conv2d+max_pool2d";
  nn__convpool_job j;
  nn_tensor *tx = NULL, *tw = NULL, *tb = NULL, *y = NULL, *ix = NULL, *res = NULL;
  int64_t ys[4], zs[4], nch;
  memset(&j, 0, sizeof j);
  j.g = *g;
  j.x = (const float *)nn__conv_data(name, x, &tx);
  j.w = (const float *)nn__conv_data(name, w, &tw);
  j.b = b ? (const float *)nn__conv_data(name, b, &tb) : NULL;
  if (!j.x || !j.w || (b && !j.b)) goto done;
  ys[0] = zs[0] = g->N;
  ys[1] = zs[1] = g->Co;
  zs[2] = g->Ho;
  zs[3] = g->Wo;
  ys[2] = g->Ho / 2;
  ys[3] = g->Wo / 2;
  y = nn__new(name, NN_FLOAT32, ys, 4);
  ix = nn__new(name, NN_INT64, ys, 4);
  if (!y || !ix) goto done;
  j.y = (float *)y->data;
  j.idx = (int64_t *)ix->data;
  j.per = nn__conv_per((double)g->Co * (double)(g->Cg * g->kh * g->kw) * (double)(g->Ho * g->Wo));
  nch = (g->N + j.per - 1) / j.per;
  j.fail = nn__conv_flags(name, nch);
  if (!j.fail) goto done;
  if (nn__conv_run_checked(name, nch, nn__convpool_chunk, &j, j.fail, "the row buffers") != 0) goto done;
  res = y;
done:
  nn__dealloc(j.fail);
  if (!res) nn_free(y);
  nn_free(tx);
  nn_free(tw);
  nn_free(tb);
  if (res && nn__ag_wanted3(x, w, b)) res = nn__grad_conv_pool22(res, x, w, b, p, ix, zs);
  nn_free(ix);
  return res;
}

/* ---- im2col / col2im ---- */

typedef struct nn__cols_job {
  nn__conv_geom g;
  const void *src;
  void *dst;
  int64_t per;
} nn__cols_job;

#define NN__COLS_DRIVERS_DEFINE(S, T)                                                                          \
  NN__PRIVATE void nn__im2col_chunk_##S(void *vctx, int64_t c) {                                               \
    const nn__cols_job *j = (const nn__cols_job *)vctx;                                                        \
    const nn__conv_geom *g = &j->g;                                                                            \
    int64_t n, n1 = (c + 1) * j->per < g->N ? (c + 1) * j->per : g->N;                                         \
    int64_t L = g->Ho * g->Wo, K = g->C * g->kh * g->kw, HW = g->H * g->W;                                     \
    for (n = c * j->per; n < n1; n++)                                                                          \
      nn__im2col_##S(g, (const T *)j->src + n * g->C * HW, g->C, 0, g->Ho, (T *)j->dst + n * K * L, L);        \
  }                                                                                                            \
  NN__PRIVATE void nn__col2im_chunk_##S(void *vctx, int64_t c) {                                               \
    const nn__cols_job *j = (const nn__cols_job *)vctx;                                                        \
    const nn__conv_geom *g = &j->g;                                                                            \
    int64_t n, n1 = (c + 1) * j->per < g->N ? (c + 1) * j->per : g->N;                                         \
    int64_t L = g->Ho * g->Wo, K = g->C * g->kh * g->kw, HW = g->H * g->W;                                     \
    for (n = c * j->per; n < n1; n++) {                                                                        \
      T *x = (T *)j->dst + n * g->C * HW;                                                                      \
      nn__col2im_##S(g, (const T *)j->src + n * K * L, L, g->C, 0, g->Ho, x, 1);                               \
    }                                                                                                          \
  }

NN__COLS_DRIVERS_DEFINE(s, float)
NN__COLS_DRIVERS_DEFINE(d, double)

/* Geometry of im2col/col2im/pooling over an input of user shape xs (3 or 4 sizes) with a kh x kw window. */
NN__PRIVATE nn_status nn__window_setup(const char *name, int is1d, int kind, const int64_t *xs, int kh, int kw,
                                       const nn_conv_params *p, nn__conv_geom *g) {
  int nd = is1d ? 3 : 4;
  char b1[64];
  memset(g, 0, sizeof *g);
  if (kh < 1 || kw < 1)
    return nn__fail(NN_ERR_VALUE, "%s: kernel size must be positive, got %s", name,
                    nn__conv_pair(b1, sizeof b1, is1d, kh, kw));
  if (nn__conv_params_read(name, is1d, kind, kh, kw, p, g) != NN_OK) return nn_last_status();
  if (nn__conv_check_sizes(name, "input", xs, nd) != NN_OK) return nn_last_status();
  g->N = xs[0];
  g->C = g->Co = g->Cg = g->Mg = xs[1];
  g->H = is1d ? 1 : xs[2];
  g->W = xs[nd - 1];
  return nn__conv_out_size(name, is1d, xs, nd, g, "");
}

NNDEF nn_tensor *nn_im2col(const nn_tensor *x, int kh, int kw, const nn_conv_params *p) {
  const char *name = "nn_im2col";
  nn__conv_geom g;
  nn__cols_job j;
  nn_tensor *tx = NULL, *y = NULL;
  int64_t ys[3];
  if (nn__conv_check_ndim(name, x, 4, "input", "(N, C, H, W)") != NN_OK ||
      nn__conv_check_dtype(name, x, "input", NULL, NULL) != NN_OK)
    return NULL;
  if (nn__window_setup(name, 0, NN__CK_COLS, x->shape, kh, kw, p, &g) != NN_OK) return NULL;
  memset(&j, 0, sizeof j);
  j.g = g;
  j.src = nn__conv_data(name, x, &tx);
  if (!j.src) return NULL;
  ys[0] = g.N;
  ys[1] = g.C * g.kh * g.kw;
  ys[2] = g.Ho * g.Wo;
  y = nn__new(name, x->dtype, ys, 3);
  if (y && g.N > 0) {
    j.dst = y->data;
    j.per = NN__CONV_COPY_GRAIN / (ys[1] * ys[2] > 0 ? ys[1] * ys[2] : 1);
    if (j.per < 1) j.per = 1;
    nn__parallel_for((g.N + j.per - 1) / j.per, x->dtype == NN_FLOAT64 ? nn__im2col_chunk_d : nn__im2col_chunk_s, &j);
  }
  nn_free(tx);
  if (y && nn__ag_wanted1(x)) y = nn__grad_cols(y, 0, x, kh, kw, p);
  return y;
}

NNDEF nn_tensor *nn_col2im(const nn_tensor *cols, const int64_t *x_shape, int kh, int kw, const nn_conv_params *p) {
  const char *name = "nn_col2im";
  nn__conv_geom g;
  nn__cols_job j;
  nn_tensor *tc = NULL, *y = NULL;
  int64_t e[3];
  char b1[160], b2[160], b3[160];
  if (nn__conv_check_ndim(name, cols, 3, "cols", "(N, C*kh*kw, L)") != NN_OK ||
      nn__conv_check_dtype(name, cols, "cols", NULL, NULL) != NN_OK)
    return NULL;
  if (!x_shape) {
    nn__fail_null(name, "x_shape");
    return NULL;
  }
  if (nn__window_setup(name, 0, NN__CK_COLS, x_shape, kh, kw, p, &g) != NN_OK) return NULL;
  e[0] = g.N;
  e[1] = g.C * g.kh * g.kw;
  e[2] = g.Ho * g.Wo;
  if (cols->shape[0] != e[0] || cols->shape[1] != e[1] || cols->shape[2] != e[2]) {
    nn__fail(NN_ERR_SHAPE, "%s: expected cols of shape %s for output size %s and kernel (%d,%d), got %s", name,
             nn__fmt_shape(b1, sizeof b1, e, 3), nn__fmt_shape(b2, sizeof b2, x_shape, 4), kh, kw,
             nn_shape_str(cols, b3, sizeof b3));
    return NULL;
  }
  memset(&j, 0, sizeof j);
  j.g = g;
  j.src = nn__conv_data(name, cols, &tc);
  if (!j.src) return NULL;
  y = nn__new(name, cols->dtype, x_shape, 4);
  if (y && g.N > 0) {
    j.dst = y->data;
    j.per = NN__CONV_COPY_GRAIN / (e[1] * e[2] > 0 ? e[1] * e[2] : 1);
    if (j.per < 1) j.per = 1;
    nn__parallel_for((g.N + j.per - 1) / j.per, cols->dtype == NN_FLOAT64 ? nn__col2im_chunk_d : nn__col2im_chunk_s,
                     &j);
  }
  nn_free(tc);
  if (y && nn__ag_wanted1(cols)) y = nn__grad_cols(y, 1, cols, kh, kw, p);
  return y;
}

/* ---- pooling ---- */

typedef struct nn__pool_job {
  nn__conv_geom g;
  const void *src;
  const int64_t *idx_in; /* max-pool backward: argmax */
  void *dst;
  int64_t *idx_out;      /* max-pool forward: argmax or NULL */
  int64_t per, planes;
  int64_t *bad;          /* max-pool backward, per chunk: first bad flat position or -1 */
} nn__pool_job;

#define NN__POOL_DRIVERS_DEFINE(S, T)                                                                          \
  NN__PRIVATE void nn__maxpool_chunk_##S(void *vctx, int64_t c) {                                              \
    const nn__pool_job *j = (const nn__pool_job *)vctx;                                                        \
    int64_t i, i1 = (c + 1) * j->per < j->planes ? (c + 1) * j->per : j->planes;                               \
    int64_t hw = j->g.H * j->g.W, ohw = j->g.Ho * j->g.Wo;                                                     \
    for (i = c * j->per; i < i1; i++)                                                                          \
      nn__maxpool_plane_##S(&j->g, (const T *)j->src + i * hw, (T *)j->dst + i * ohw,                          \
                            j->idx_out ? j->idx_out + i * ohw : NULL);                                         \
  }                                                                                                            \
  NN__PRIVATE void nn__avgpool_chunk_##S(void *vctx, int64_t c) {                                              \
    const nn__pool_job *j = (const nn__pool_job *)vctx;                                                        \
    int64_t i, i1 = (c + 1) * j->per < j->planes ? (c + 1) * j->per : j->planes;                               \
    int64_t hw = j->g.H * j->g.W, ohw = j->g.Ho * j->g.Wo;                                                     \
    for (i = c * j->per; i < i1; i++)                                                                          \
      nn__avgpool_plane_##S(&j->g, (const T *)j->src + i * hw, (T *)j->dst + i * ohw);                         \
  }                                                                                                            \
  NN__PRIVATE void nn__avgpool_back_chunk_##S(void *vctx, int64_t c) {                                         \
    const nn__pool_job *j = (const nn__pool_job *)vctx;                                                        \
    int64_t i, i1 = (c + 1) * j->per < j->planes ? (c + 1) * j->per : j->planes;                              \
    int64_t hw = j->g.H * j->g.W, ohw = j->g.Ho * j->g.Wo;                                                     \
    T *dx = (T *)j->dst + c * j->per * hw;                                                                     \
    memset(dx, 0, (size_t)((i1 - c * j->per) * hw) * sizeof(T));                                               \
    for (i = c * j->per; i < i1; i++)                                                                          \
      nn__avgpool_back_plane_##S(&j->g, (const T *)j->src + i * ohw, (T *)j->dst + i * hw);                    \
  }                                                                                                            \
  NN__PRIVATE void nn__maxpool_back_chunk_##S(void *vctx, int64_t c) {                                         \
    const nn__pool_job *j = (const nn__pool_job *)vctx;                                                        \
    int64_t i, i1 = (c + 1) * j->per < j->planes ? (c + 1) * j->per : j->planes;                               \
    int64_t hw = j->g.H * j->g.W, ohw = j->g.Ho * j->g.Wo;                                                     \
    T *dx = (T *)j->dst + c * j->per * hw;                                                                     \
    j->bad[c] = -1;                                                                                            \
    memset(dx, 0, (size_t)((i1 - c * j->per) * hw) * sizeof(T));                                               \
    for (i = c * j->per; i < i1; i++) {                                                                        \
      int64_t k = nn__maxpool_back_plane_##S(ohw, (const T *)j->src + i * ohw, j->idx_in + i * ohw, hw,         \
                                             (T *)j->dst + i * hw);                                            \
      if (k >= 0) {                                                                                            \
        j->bad[c] = i * ohw + k;                                                                               \
        return;                                                                                                \
      }                                                                                                        \
    }                                                                                                          \
  }

NN__POOL_DRIVERS_DEFINE(s, float)
NN__POOL_DRIVERS_DEFINE(d, double)

/* Planes per chunk for work of `each` elements per plane. */
NN__PRIVATE int64_t nn__pool_per(int64_t each) {
  int64_t per = NN__CONV_COPY_GRAIN / (each > 0 ? each : 1);
  return per < 1 ? 1 : per;
}

NN__PRIVATE nn_tensor *nn__max_pool(const char *name, int is1d, const nn_tensor *x, int kh, int kw,
                                    const nn_conv_params *p, nn_tensor **argmax) {
  int nd = is1d ? 3 : 4;
  nn__conv_geom g;
  nn__pool_job j;
  nn_tensor *tx = NULL, *y = NULL, *ix = NULL;
  int64_t ys[4];
  int rec = nn__ag_wanted1(x); /* the backward pass needs the indices */
  if (argmax) *argmax = NULL;
  if (nn__conv_check_ndim(name, x, nd, "input", is1d ? "(N, C, L)" : "(N, C, H, W)") != NN_OK ||
      nn__conv_check_dtype(name, x, "input", NULL, NULL) != NN_OK)
    return NULL;
  if (nn__window_setup(name, is1d, NN__CK_MAXPOOL, x->shape, kh, kw, p, &g) != NN_OK) return NULL;
  memset(&j, 0, sizeof j);
  j.g = g;
  j.src = nn__conv_data(name, x, &tx);
  if (!j.src) return NULL;
  ys[0] = g.N;
  ys[1] = g.C;
  ys[2] = is1d ? g.Wo : g.Ho;
  ys[3] = g.Wo;
  y = nn__new(name, x->dtype, ys, nd);
  if (y && (argmax || rec)) {
    ix = nn__new(name, NN_INT64, ys, nd);
    if (!ix) {
      nn_free(y);
      y = NULL;
    }
  }
  if (y) {
    j.dst = y->data;
    j.idx_out = ix ? (int64_t *)ix->data : NULL;
    j.planes = g.N * g.C;
    j.per = nn__pool_per(g.Ho * g.Wo * g.kh * g.kw);
    nn__parallel_for((j.planes + j.per - 1) / j.per, x->dtype == NN_FLOAT64 ? nn__maxpool_chunk_d : nn__maxpool_chunk_s,
                     &j);
    if (rec) y = nn__grad_max_pool(y, is1d, x, ix); /* the node keeps its own reference to the indices */
    if (y && argmax) *argmax = ix;
    else nn_free(ix);
  }
  nn_free(tx);
  return y;
}

NN__PRIVATE nn_tensor *nn__avg_pool(const char *name, int is1d, const nn_tensor *x, int kh, int kw,
                                    const nn_conv_params *p) {
  int nd = is1d ? 3 : 4;
  nn__conv_geom g;
  nn__pool_job j;
  nn_tensor *tx = NULL, *y;
  int64_t ys[4];
  if (nn__conv_check_ndim(name, x, nd, "input", is1d ? "(N, C, L)" : "(N, C, H, W)") != NN_OK ||
      nn__conv_check_dtype(name, x, "input", NULL, NULL) != NN_OK)
    return NULL;
  if (nn__window_setup(name, is1d, NN__CK_AVGPOOL, x->shape, kh, kw, p, &g) != NN_OK) return NULL;
  memset(&j, 0, sizeof j);
  j.g = g;
  j.src = nn__conv_data(name, x, &tx);
  if (!j.src) return NULL;
  ys[0] = g.N;
  ys[1] = g.C;
  ys[2] = is1d ? g.Wo : g.Ho;
  ys[3] = g.Wo;
  y = nn__new(name, x->dtype, ys, nd);
  if (y) {
    j.dst = y->data;
    j.planes = g.N * g.C;
    j.per = nn__pool_per(g.Ho * g.Wo * g.kh * g.kw);
    nn__parallel_for((j.planes + j.per - 1) / j.per, x->dtype == NN_FLOAT64 ? nn__avgpool_chunk_d : nn__avgpool_chunk_s,
                     &j);
  }
  nn_free(tx);
  if (y && nn__ag_wanted1(x)) y = nn__grad_avg_pool(y, is1d, x, kh, kw, p);
  return y;
}

NN__PRIVATE nn_tensor *nn__avg_pool_backward(const char *name, int is1d, const nn_tensor *dy, const int64_t *x_shape,
                                             int kh, int kw, const nn_conv_params *p) {
  int nd = is1d ? 3 : 4;
  nn__conv_geom g;
  nn__pool_job j;
  nn_tensor *tdy = NULL, *dx;
  char what[400], b1[160];
  if (nn__conv_check_ndim(name, dy, nd, "dy", is1d ? "(N, C, L_out)" : "(N, C, H_out, W_out)") != NN_OK ||
      nn__conv_check_dtype(name, dy, "dy", NULL, NULL) != NN_OK)
    return NULL;
  if (!x_shape) {
    nn__fail_null(name, "x_shape");
    return NULL;
  }
  if (nn__window_setup(name, is1d, NN__CK_AVGPOOL, x_shape, kh, kw, p, &g) != NN_OK) return NULL;
  snprintf(what, sizeof what, "average pooling of an input %s", nn__fmt_shape(b1, sizeof b1, x_shape, nd));
  if (nn__conv_check_dy(name, is1d, dy, &g, what) != NN_OK) return NULL;
  memset(&j, 0, sizeof j);
  j.g = g;
  j.src = nn__conv_data(name, dy, &tdy);
  if (!j.src) return NULL;
  dx = nn__new(name, dy->dtype, x_shape, nd);
  if (dx) {
    j.dst = dx->data;
    j.planes = g.N * g.C;
    j.per = nn__pool_per(g.Ho * g.Wo * g.kh * g.kw + g.H * g.W);
    nn__parallel_for((j.planes + j.per - 1) / j.per,
                     dy->dtype == NN_FLOAT64 ? nn__avgpool_back_chunk_d : nn__avgpool_back_chunk_s, &j);
  }
  nn_free(tdy);
  return dx;
}

NN__PRIVATE nn_tensor *nn__max_pool_backward(const char *name, int is1d, const nn_tensor *dy, const nn_tensor *argmax,
                                             const int64_t *x_shape) {
  int nd = is1d ? 3 : 4, i;
  nn__conv_geom g;
  nn__pool_job j;
  nn_tensor *tdy = NULL, *tix = NULL, *dx = NULL, *res = NULL;
  int64_t nch, c;
  char b1[160], b2[160];
  if (nn__conv_check_ndim(name, dy, nd, "dy", is1d ? "(N, C, L_out)" : "(N, C, H_out, W_out)") != NN_OK ||
      nn__conv_check_dtype(name, dy, "dy", NULL, NULL) != NN_OK)
    return NULL;
  if (nn__check_cpu(name, argmax, "argmax") != NN_OK) return NULL;
  if (argmax->dtype != NN_INT64) {
    nn__fail(NN_ERR_DTYPE, "%s: argmax must be int64 (as nn_max_pool%s returns it), got %s", name, is1d ? "1d" : "2d",
             nn_dtype_name(argmax->dtype));
    return NULL;
  }
  if (!x_shape) {
    nn__fail_null(name, "x_shape");
    return NULL;
  }
  if (nn__conv_check_sizes(name, "x_shape", x_shape, nd) != NN_OK) return NULL;
  for (i = 0; i < nd && argmax->ndim == nd; i++)
    if (argmax->shape[i] != dy->shape[i]) break;
  if (argmax->ndim != nd || i < nd) {
    nn__fail(NN_ERR_SHAPE, "%s: argmax of shape %s does not match dy of shape %s", name,
             nn_shape_str(argmax, b1, sizeof b1), nn_shape_str(dy, b2, sizeof b2));
    return NULL;
  }
  if (dy->shape[0] != x_shape[0] || dy->shape[1] != x_shape[1]) {
    nn__fail(NN_ERR_SHAPE, "%s: dy of shape %s does not match the batch and channels of x_shape %s", name,
             nn_shape_str(dy, b1, sizeof b1), nn__fmt_shape(b2, sizeof b2, x_shape, nd));
    return NULL;
  }
  memset(&j, 0, sizeof j);
  memset(&g, 0, sizeof g);
  g.N = x_shape[0];
  g.C = x_shape[1];
  g.H = is1d ? 1 : x_shape[2];
  g.W = x_shape[nd - 1];
  g.Ho = is1d ? 1 : dy->shape[2];
  g.Wo = dy->shape[nd - 1];
  j.g = g;
  j.src = nn__conv_data(name, dy, &tdy);
  j.idx_in = (const int64_t *)nn__conv_data(name, argmax, &tix);
  if (!j.src || !j.idx_in) goto done;
  dx = nn__new(name, dy->dtype, x_shape, nd);
  if (!dx) goto done;
  j.dst = dx->data;
  j.planes = g.N * g.C;
  j.per = nn__pool_per(g.Ho * g.Wo + g.H * g.W);
  nch = (j.planes + j.per - 1) / j.per;
  j.bad = (int64_t *)nn__xalloc(name, (size_t)(nch > 0 ? nch : 1) * sizeof(int64_t));
  if (!j.bad) goto done;
  nn__parallel_for(nch, dy->dtype == NN_FLOAT64 ? nn__maxpool_back_chunk_d : nn__maxpool_back_chunk_s, &j);
  for (c = 0; c < nch; c++) {
    if (j.bad[c] >= 0) {
      int64_t k = j.bad[c];
      nn__fail(NN_ERR_INDEX,
               "%s: argmax value %lld at flat position %lld is out of range for an input plane of %lld elements "
               "(x_shape %s)",
               name, (long long)j.idx_in[k], (long long)k, (long long)(g.H * g.W),
               nn__fmt_shape(b1, sizeof b1, x_shape, nd));
      goto done;
    }
  }
  res = dx;
done:
  nn__dealloc(j.bad);
  if (!res) nn_free(dx);
  nn_free(tdy);
  nn_free(tix);
  return res;
}

NNDEF nn_tensor *nn_max_pool2d(const nn_tensor *x, int kh, int kw, const nn_conv_params *p, nn_tensor **argmax) {
  return nn__max_pool("nn_max_pool2d", 0, x, kh, kw, p, argmax);
}
NNDEF nn_tensor *nn_max_pool1d(const nn_tensor *x, int k, const nn_conv_params *p, nn_tensor **argmax) {
  return nn__max_pool("nn_max_pool1d", 1, x, 1, k, p, argmax);
}
NNDEF nn_tensor *nn_avg_pool2d(const nn_tensor *x, int kh, int kw, const nn_conv_params *p) {
  return nn__avg_pool("nn_avg_pool2d", 0, x, kh, kw, p);
}
NNDEF nn_tensor *nn_avg_pool1d(const nn_tensor *x, int k, const nn_conv_params *p) {
  return nn__avg_pool("nn_avg_pool1d", 1, x, 1, k, p);
}
NNDEF nn_tensor *nn_max_pool2d_backward(const nn_tensor *dy, const nn_tensor *argmax, const int64_t *x_shape) {
  return nn__max_pool_backward("nn_max_pool2d_backward", 0, dy, argmax, x_shape);
}
NNDEF nn_tensor *nn_max_pool1d_backward(const nn_tensor *dy, const nn_tensor *argmax, const int64_t *x_shape) {
  return nn__max_pool_backward("nn_max_pool1d_backward", 1, dy, argmax, x_shape);
}
NNDEF nn_tensor *nn_avg_pool2d_backward(const nn_tensor *dy, const int64_t *x_shape, int kh, int kw,
                                        const nn_conv_params *p) {
  return nn__avg_pool_backward("nn_avg_pool2d_backward", 0, dy, x_shape, kh, kw, p);
}
NNDEF nn_tensor *nn_avg_pool1d_backward(const nn_tensor *dy, const int64_t *x_shape, int k, const nn_conv_params *p) {
  return nn__avg_pool_backward("nn_avg_pool1d_backward", 1, dy, x_shape, 1, k, p);
}
