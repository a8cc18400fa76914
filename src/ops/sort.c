/* ops/sort.c: stable merge sorts typed per dtype, run over the rows of an axis; unique, searchsorted, topk.

   Each row is gathered into a scratch buffer with NaNs moved aside (after the other values ascending, before them
   descending, in their original order), so the comparisons are plain < and >. Values are sorted alone; argsort and
   topk sort (key, index) pairs. uint8 and bool rows use a counting sort. Rows are independent and run in chunks of
   rows sized by the row length; a single long row is sorted in parallel fixed-size blocks that are then merged in
   parallel fixed-size output pieces. A stable sort has a unique result, so any split gives identical output. */

#define NN__SORT_RUN 16                       /* rows are first insertion-sorted in runs of this length */
#define NN__SORT_GRAIN ((int64_t)1 << 15)      /* elements per chunk of rows */
#define NN__PSORT_MIN ((int64_t)1 << 17)       /* a row this long is sorted with the parallel merge sort */
#define NN__PSORT_BLOCK ((int64_t)1 << 15)     /* parallel merge sort: block sorted by one task */
#define NN__PSORT_PIECE ((int64_t)1 << 16)     /* parallel merge sort: output elements merged by one task */
#define NN__SORT_ESZ 16                       /* scratch bytes per element: the largest (key, index) pair */

/* A sort for one element type, as functions over untyped buffers (called per block, never per element). */
typedef struct nn__sorter {
  size_t esz;
  void (*sort)(void *a, void *buf, int64_t n);
  void (*merge)(const void *a, int64_t na, const void *b, int64_t nb, void *out);
  int64_t (*corank)(const void *a, int64_t na, const void *b, int64_t nb, int64_t k);
} nn__sorter;

/* NN__MSORT_DEF(NAME, E, BEFORE): a stable merge sort of E elements, where BEFORE(a, b) is true when a must come
   before b (a strict weak order). Elements that compare equal keep their order. */
#define NN__MSORT_DEF(NAME, E, BEFORE)                                                                    \
  NN__PRIVATE void NAME##_ins(E *a, int64_t n) {                                                          \
    int64_t i, j;                                                                                         \
    for (i = 1; i < n; i++) {                                                                             \
      E x = a[i];                                                                                         \
      for (j = i; j > 0 && BEFORE(x, a[j - 1]); j--) a[j] = a[j - 1];                                     \
      a[j] = x;                                                                                           \
    }                                                                                                     \
  }                                                                                                       \
  NN__PRIVATE void NAME##_merge(const E *a, int64_t na, const E *b, int64_t nb, E *o) {                   \
    int64_t i = 0, j = 0, k = 0;                                                                          \
    if (na > 0 && nb > 0 && BEFORE(b[0], a[na - 1])) {                                                    \
      while (i < na && j < nb) { /* branch-free: the comparison is unpredictable on random data */       \
        int tb = BEFORE(b[j], a[i]);                                                                      \
        o[k++] = tb ? b[j] : a[i];                                                                        \
        j += tb;                                                                                          \
        i += !tb;                                                                                         \
      }                                                                                                   \
    }                                                                                                     \
    if (i < na) memcpy(o + k, a + i, (size_t)(na - i) * sizeof(E));                                       \
    k += na - i;                                                                                          \
    if (j < nb) memcpy(o + k, b + j, (size_t)(nb - j) * sizeof(E));                                       \
  }                                                                                                       \
  /* How many of the first k merged elements come from a (the merge-path split of a stable merge). */     \
  NN__PRIVATE int64_t NAME##_corank(const E *a, int64_t na, const E *b, int64_t nb, int64_t k) {          \
    int64_t lo = k > nb ? k - nb : 0, hi = k < na ? k : na;                                               \
    while (lo < hi) {                                                                                     \
      int64_t i = lo + (hi - lo) / 2, j = k - i;                                                          \
      if (j > 0 && !BEFORE(b[j - 1], a[i])) lo = i + 1; /* a[i] is merged before b[j-1] */               \
      else hi = i;                                                                                        \
    }                                                                                                     \
    return lo;                                                                                            \
  }                                                                                                       \
  NN__PRIVATE void NAME##_sort(E *a, E *buf, int64_t n) {                                                 \
    E *src = a, *dst = buf, *t;                                                                           \
    int64_t w, lo;                                                                                        \
    for (lo = 0; lo < n; lo += NN__SORT_RUN) NAME##_ins(a + lo, NN__MIN(NN__SORT_RUN, n - lo));          \
    for (w = NN__SORT_RUN; w < n; w *= 2) {                                                               \
      for (lo = 0; lo < n; lo += 2 * w) {                                                                 \
        int64_t m = NN__MIN(lo + w, n), hi = NN__MIN(lo + 2 * w, n);                                      \
        NAME##_merge(src + lo, m - lo, src + m, hi - m, dst + lo);                                        \
      }                                                                                                   \
      t = src;                                                                                            \
      src = dst;                                                                                          \
      dst = t;                                                                                            \
    }                                                                                                     \
    if (src != a) memcpy(a, src, (size_t)n * sizeof(E));                                                  \
  }                                                                                                       \
  NN__PRIVATE void NAME##_vsort(void *a, void *buf, int64_t n) { NAME##_sort((E *)a, (E *)buf, n); }      \
  NN__PRIVATE void NAME##_vmerge(const void *a, int64_t na, const void *b, int64_t nb, void *o) {         \
    NAME##_merge((const E *)a, na, (const E *)b, nb, (E *)o);                                             \
  }                                                                                                       \
  NN__PRIVATE int64_t NAME##_vcorank(const void *a, int64_t na, const void *b, int64_t nb, int64_t k) {   \
    return NAME##_corank((const E *)a, na, (const E *)b, nb, k);                                          \
  }

/* NN__HSEL_DEF(NAME, E, BEFORE): the first k elements of a[0..n) in stable order, via a bounded heap.
   AFTER is the strict total order "later in the stable output": later by key, or equal keys and larger index. */
#define NN__HSEL_DEF(NAME, E, BEFORE)                                                                     \
  NN__PRIVATE int NAME##_after(const E *x, const E *y) {                                                  \
    return BEFORE(*y, *x) || (!BEFORE(*x, *y) && x->i > y->i);                                            \
  }                                                                                                       \
  NN__PRIVATE void NAME##_sift(E *h, int64_t n, int64_t i) {                                              \
    for (;;) {                                                                                            \
      int64_t l = 2 * i + 1, c = l;                                                                       \
      E t;                                                                                                \
      if (l >= n) break;                                                                                  \
      if (l + 1 < n && NAME##_after(&h[l + 1], &h[l])) c = l + 1;                                         \
      if (!NAME##_after(&h[c], &h[i])) break;                                                             \
      t = h[c];                                                                                           \
      h[c] = h[i];                                                                                        \
      h[i] = t;                                                                                           \
      i = c;                                                                                              \
    }                                                                                                     \
  }                                                                                                       \
  /* Leaves the first k (0 < k <= n) elements of a's stable order, sorted, in a[0..k); h has k slots. */ \
  NN__PRIVATE void NAME##_hsel(E *a, int64_t n, int64_t k, E *h) {                                       \
    int64_t i;                                                                                            \
    memcpy(h, a, (size_t)k * sizeof(E));                                                                  \
    for (i = k / 2 - 1; i >= 0; i--) NAME##_sift(h, k, i);                                                \
    for (i = k; i < n; i++)                                                                               \
      if (NAME##_after(&h[0], &a[i])) {                                                                   \
        h[0] = a[i];                                                                                      \
        NAME##_sift(h, k, 0);                                                                             \
      }                                                                                                   \
    for (i = k - 1; i > 0; i--) {                                                                         \
      E t = h[0];                                                                                         \
      h[0] = h[i];                                                                                        \
      h[i] = t;                                                                                           \
      NAME##_sift(h, i, 0);                                                                               \
    }                                                                                                     \
    memcpy(a, h, (size_t)k * sizeof(E));                                                                  \
  }

/* ---- the parallel merge sort of one long buffer ---- */

typedef struct nn__psort_job {
  const nn__sorter *s;
  char *src, *dst;
  int64_t n, w;
} nn__psort_job;

NN__PRIVATE void nn__psort_block(void *ctx, int64_t c) {
  nn__psort_job *j = (nn__psort_job *)ctx;
  int64_t lo = c * NN__PSORT_BLOCK, len = NN__MIN(NN__PSORT_BLOCK, j->n - lo);
  size_t es = j->s->esz;
  j->s->sort(j->src + (size_t)lo * es, j->dst + (size_t)lo * es, len);
}

/* Merges output positions [c*PIECE, (c+1)*PIECE) of one pass that merges pairs of sorted runs of length w. */
NN__PRIVATE void nn__psort_piece(void *ctx, int64_t c) {
  nn__psort_job *j = (nn__psort_job *)ctx;
  int64_t from = c * NN__PSORT_PIECE, to = NN__MIN(from + NN__PSORT_PIECE, j->n), w2 = 2 * j->w, plo;
  size_t es = j->s->esz;
  for (plo = (from / w2) * w2; plo < to; plo += w2) {
    int64_t m = NN__MIN(plo + j->w, j->n), phi = NN__MIN(plo + w2, j->n);
    int64_t na = m - plo, nb = phi - m;
    int64_t k1 = NN__MAX(from, plo) - plo, k2 = NN__MIN(to, phi) - plo;
    const char *a = j->src + (size_t)plo * es, *b = j->src + (size_t)m * es;
    int64_t i1 = j->s->corank(a, na, b, nb, k1), i2 = j->s->corank(a, na, b, nb, k2);
    j->s->merge(a + (size_t)i1 * es, i2 - i1, b + (size_t)(k1 - i1) * es, (k2 - i2) - (k1 - i1),
                j->dst + (size_t)(plo + k1) * es);
  }
}

/* Sorts a[0..n) (buf: n scratch elements); long buffers run on the thread pool. */
NN__PRIVATE void nn__psort(const nn__sorter *s, void *a, void *buf, int64_t n) {
  nn__psort_job j;
  char *t;
  if (n < NN__PSORT_MIN) {
    s->sort(a, buf, n);
    return;
  }
  j.s = s;
  j.src = (char *)a;
  j.dst = (char *)buf;
  j.n = n;
  j.w = 0;
  nn__parallel_for((n + NN__PSORT_BLOCK - 1) / NN__PSORT_BLOCK, nn__psort_block, &j);
  for (j.w = NN__PSORT_BLOCK; j.w < n; j.w *= 2) {
    nn__parallel_for((n + NN__PSORT_PIECE - 1) / NN__PSORT_PIECE, nn__psort_piece, &j);
    t = j.src;
    j.src = j.dst;
    j.dst = t;
  }
  if (j.src != (char *)a) memcpy(a, j.src, (size_t)n * s->esz);
}

/* ---- rows ---- */

enum { NN__SM_SORT = 0, NN__SM_ARG = 1, NN__SM_TOPK = 2 };

typedef struct nn__sortjob {
  int mode, desc;
  nn_dtype dt;
  int64_t k;                                         /* outputs per row: n (sort, argsort) or k (topk) */
  const char *x;                                     /* input data */
  size_t esz;                                        /* input element bytes */
  int64_t n, xst;                                    /* row length and element stride along the axis */
  int nod;                                           /* the other axes: count, shape and strides */
  int64_t oshape[NN_MAX_DIMS], ost[NN_MAX_DIMS];
  int64_t nrows, inner;                              /* rows; output stride along the axis (elements) */
  char *ov;                                          /* sorted values out (contiguous, x's dtype) or NULL */
  int64_t *oi;                                       /* indices out (contiguous) or NULL */
  int64_t rows_per_chunk;
  long failed;
} nn__sortjob;

#define NN__LT_V(a, b) ((a) < (b))
#define NN__GT_V(a, b) ((a) > (b))
#define NN__LT_P(a, b) ((a).k < (b).k)
#define NN__GT_P(a, b) ((a).k > (b).k)

/* NN__SORT_TYPE_DEF(SFX, T, ISNAN): sorters and the row function for one dtype. */
#define NN__SORT_TYPE_DEF(SFX, T, ISNAN)                                                                    \
  typedef struct nn__kv_##SFX {                                                                             \
    T k;                                                                                                    \
    int64_t i;                                                                                              \
  } nn__kv_##SFX;                                                                                           \
  NN__MSORT_DEF(nn__msva_##SFX, T, NN__LT_V)                                                                \
  NN__MSORT_DEF(nn__msvd_##SFX, T, NN__GT_V)                                                                \
  NN__MSORT_DEF(nn__mspa_##SFX, nn__kv_##SFX, NN__LT_P)                                                     \
  NN__MSORT_DEF(nn__mspd_##SFX, nn__kv_##SFX, NN__GT_P)                                                     \
  NN__HSEL_DEF(nn__hsa_##SFX, nn__kv_##SFX, NN__LT_P)                                                       \
  NN__HSEL_DEF(nn__hsd_##SFX, nn__kv_##SFX, NN__GT_P)                                                       \
  static const nn__sorter nn__sorters_##SFX[4] = {                                                          \
      {sizeof(T), nn__msva_##SFX##_vsort, nn__msva_##SFX##_vmerge, nn__msva_##SFX##_vcorank},               \
      {sizeof(T), nn__msvd_##SFX##_vsort, nn__msvd_##SFX##_vmerge, nn__msvd_##SFX##_vcorank},               \
      {sizeof(nn__kv_##SFX), nn__mspa_##SFX##_vsort, nn__mspa_##SFX##_vmerge, nn__mspa_##SFX##_vcorank},    \
      {sizeof(nn__kv_##SFX), nn__mspd_##SFX##_vsort, nn__mspd_##SFX##_vmerge, nn__mspd_##SFX##_vcorank}};   \
  /* Sorted first k' of a region of pairs into its front: heap when k' is small, else a full sort. */       \
  NN__PRIVATE void nn__sortsel_##SFX(int desc, nn__kv_##SFX *a, int64_t n, int64_t k, nn__kv_##SFX *buf) {  \
    if (k <= 0) return;                                                                                     \
    if (k * 8 <= n && n > 64) {                                                                             \
      if (desc) nn__hsd_##SFX##_hsel(a, n, k, buf);                                                         \
      else nn__hsa_##SFX##_hsel(a, n, k, buf);                                                              \
    } else {                                                                                                \
      nn__psort(&nn__sorters_##SFX[2 + desc], a, buf, n);                                                   \
    }                                                                                                       \
  }                                                                                                         \
  NN__PRIVATE void nn__sortrow_##SFX(const nn__sortjob *j, const T *x, int64_t oo, void *s1, void *s2) {    \
    int64_t n = j->n, xs = j->xst, os = j->inner, i, nnan = 0, base, np, p = 0;                             \
    for (i = 0; i < n; i++)                                                                                 \
      if (ISNAN(x[i * xs])) nnan++;                                                                         \
    base = j->desc ? nnan : 0;       /* start of the non-NaN values */                                    \
    np = j->desc ? 0 : n - nnan;     /* next NaN slot */                                                  \
    if (j->mode == NN__SM_SORT) {                                                                           \
      T *a = (T *)s1, *o = (T *)j->ov + oo;                                                                 \
      for (i = 0; i < n; i++) {                                                                             \
        T v = x[i * xs];                                                                                    \
        if (ISNAN(v)) a[np++] = v;                                                                          \
        else a[base + p++] = v;                                                                             \
      }                                                                                                     \
      nn__psort(&nn__sorters_##SFX[j->desc != 0], a + base, s2, n - nnan);                                  \
      if (os == 1) memcpy(o, a, (size_t)n * sizeof(T));                                                     \
      else                                                                                                  \
        for (i = 0; i < n; i++) o[i * os] = a[i];                                                           \
    } else {                                                                                                \
      nn__kv_##SFX *a = (nn__kv_##SFX *)s1;                                                                 \
      int64_t nout = j->k;                                                                                  \
      for (i = 0; i < n; i++) {                                                                             \
        T v = x[i * xs];                                                                                    \
        nn__kv_##SFX *e = ISNAN(v) ? &a[np++] : &a[base + p++];                                             \
        e->k = v;                                                                                           \
        e->i = i;                                                                                           \
      }                                                                                                     \
      if (j->mode == NN__SM_ARG || nout >= n - nnan) {                                                      \
        nn__psort(&nn__sorters_##SFX[2 + (j->desc != 0)], a + base, s2, n - nnan);                          \
      } else if (j->desc) {                                                                                 \
        if (nout > nnan) nn__sortsel_##SFX(1, a + nnan, n - nnan, nout - nnan, (nn__kv_##SFX *)s2);         \
      } else {                                                                                              \
        nn__sortsel_##SFX(0, a, n - nnan, nout, (nn__kv_##SFX *)s2);                                        \
      }                                                                                                     \
      if (j->oi)                                                                                            \
        for (i = 0; i < nout; i++) j->oi[oo + i * os] = a[i].i;                                             \
      if (j->ov) {                                                                                          \
        T *o = (T *)j->ov + oo;                                                                             \
        for (i = 0; i < nout; i++) o[i * os] = a[i].k;                                                      \
      }                                                                                                     \
    }                                                                                                       \
  }

#define NN__ISNAN_F(v) ((v) != (v))
#define NN__ISNAN_I(v) 0
NN__SORT_TYPE_DEF(f32, float, NN__ISNAN_F)
NN__SORT_TYPE_DEF(f64, double, NN__ISNAN_F)
NN__SORT_TYPE_DEF(i32, int32_t, NN__ISNAN_I)
NN__SORT_TYPE_DEF(i64, int64_t, NN__ISNAN_I)

/* uint8 and bool: a counting sort, stable by construction, needing no scratch. */
NN__PRIVATE void nn__sortrow_u8(const nn__sortjob *j, const uint8_t *x, int64_t oo) {
  int64_t cnt[256], start[256], n = j->n, xs = j->xst, os = j->inner, i, pos = 0;
  int v, vi;
  memset(cnt, 0, sizeof cnt);
  for (i = 0; i < n; i++) cnt[x[i * xs]]++;
  for (vi = 0; vi < 256; vi++) {
    v = j->desc ? 255 - vi : vi;
    start[v] = pos;
    pos += cnt[v];
  }
  if (j->mode == NN__SM_SORT) {
    uint8_t *o = (uint8_t *)j->ov + oo;
    int64_t q = 0;
    for (vi = 0; vi < 256; vi++) {
      v = j->desc ? 255 - vi : vi;
      for (i = 0; i < cnt[v]; i++, q++) o[q * os] = (uint8_t)v;
    }
  } else {
    uint8_t *o = j->ov ? (uint8_t *)j->ov + oo : NULL;
    for (i = 0; i < n; i++) {
      uint8_t xv = x[i * xs];
      int64_t q = start[xv]++;
      if (q >= j->k) continue;
      if (j->oi) j->oi[oo + q * os] = i;
      if (o) o[q * os] = xv;
    }
  }
}

NN__PRIVATE void nn__sort_chunk(void *ctx, int64_t c) {
  nn__sortjob *j = (nn__sortjob *)ctx;
  int64_t r0 = c * j->rows_per_chunk, r1 = NN__MIN(r0 + j->rows_per_chunk, j->nrows), r;
  void *s1 = NULL, *s2 = NULL;
  int counting = j->dt == NN_UINT8 || j->dt == NN_BOOL;
  if (!counting) {
    size_t bytes = (size_t)j->n * (j->mode == NN__SM_SORT ? j->esz : NN__SORT_ESZ);
    s1 = nn__alloc(bytes);
    s2 = nn__alloc(bytes);
    if (!s1 || !s2) {
      nn__dealloc(s1);
      nn__dealloc(s2);
      NN__ATOMIC_ADD(&j->failed, 1);
      return;
    }
  }
  for (r = r0; r < r1; r++) {
    int64_t off = 0, rem = r, oo;
    const char *x;
    int d;
    for (d = j->nod - 1; d >= 0; d--) {
      off += (rem % j->oshape[d]) * j->ost[d];
      rem /= j->oshape[d];
    }
    x = j->x + off * (int64_t)j->esz;
    oo = (r / j->inner) * (j->k * j->inner) + r % j->inner;
    switch (j->dt) {
      case NN_FLOAT32: nn__sortrow_f32(j, (const float *)x, oo, s1, s2); break;
      case NN_FLOAT64: nn__sortrow_f64(j, (const double *)x, oo, s1, s2); break;
      case NN_INT32: nn__sortrow_i32(j, (const int32_t *)x, oo, s1, s2); break;
      case NN_INT64: nn__sortrow_i64(j, (const int64_t *)x, oo, s1, s2); break;
      default: nn__sortrow_u8(j, (const uint8_t *)x, oo); break;
    }
  }
  nn__dealloc(s1);
  nn__dealloc(s2);
}

/* Checks x and axis and describes its rows in j. For NN_ALL_AXES, *flat receives a contiguous version of x (a view
   when x already is one) that the caller frees. */
NN__PRIVATE nn_status nn__sort_setup(const char *op, const nn_tensor *x, int axis, nn__sortjob *j, nn_tensor **flat) {
  int d;
  memset(j, 0, sizeof *j);
  *flat = NULL;
  if (nn__check_cpu(op, x, "x") != NN_OK) return nn_last_status();
  if (!nn__dtype_valid(x->dtype)) return nn__fail(NN_ERR_DTYPE, "%s: invalid dtype %d", op, (int)x->dtype);
  j->dt = x->dtype;
  j->esz = nn_dtype_size(x->dtype);
  if (axis == NN_ALL_AXES) {
    *flat = nn_contiguous(x);
    if (!*flat) return nn_last_status();
    j->x = (const char *)(*flat)->data;
    j->n = x->size;
    j->xst = 1;
    j->nod = 0;
    j->nrows = 1;
    j->inner = 1;
  } else {
    if (nn__norm_axis(op, &axis, x->ndim) != NN_OK) return nn_last_status();
    j->x = (const char *)x->data;
    j->n = x->shape[axis];
    j->xst = x->strides[axis];
    j->nrows = 1;
    j->inner = 1;
    for (d = 0; d < x->ndim; d++) {
      if (d == axis) continue;
      j->oshape[j->nod] = x->shape[d];
      j->ost[j->nod] = x->strides[d];
      j->nod++;
      j->nrows *= x->shape[d];
      if (d > axis) j->inner *= x->shape[d];
    }
  }
  j->k = j->n;
  return NN_OK;
}

/* Runs the row jobs: rows in parallel chunks, or one long row at a time with the parallel merge sort inside. */
NN__PRIVATE nn_status nn__sort_run(const char *op, nn__sortjob *j) {
  int64_t nchunks, c;
  if (j->n == 0 || j->nrows == 0 || j->k == 0) return NN_OK;
  j->rows_per_chunk = NN__MAX(1, NN__SORT_GRAIN / j->n);
  nchunks = (j->nrows + j->rows_per_chunk - 1) / j->rows_per_chunk;
  if (j->n >= NN__PSORT_MIN) {
    for (c = 0; c < nchunks; c++) nn__sort_chunk(j, c);
  } else {
    nn__parallel_for(nchunks, nn__sort_chunk, j);
  }
  if (j->failed)
    return nn__fail(NN_ERR_OOM, "%s: cannot allocate scratch buffers for rows of %lld elements", op, (long long)j->n);
  return NN_OK;
}

/* nn_sort and nn_argsort: output shape is x's shape, or (size,) for NN_ALL_AXES. */
NN__PRIVATE nn_tensor *nn__sort_common(const char *op, const nn_tensor *x, int axis, int desc, int mode) {
  nn__sortjob j;
  nn_tensor *flat = NULL, *out = NULL;
  if (nn__sort_setup(op, x, axis, &j, &flat) != NN_OK) return NULL;
  j.mode = mode;
  j.desc = desc != 0;
  if (axis == NN_ALL_AXES) out = nn__new(op, mode == NN__SM_SORT ? x->dtype : NN_INT64, &j.n, 1);
  else out = nn__new(op, mode == NN__SM_SORT ? x->dtype : NN_INT64, x->shape, x->ndim);
  if (!out) goto done;
  if (mode == NN__SM_SORT) j.ov = (char *)out->data;
  else j.oi = (int64_t *)out->data;
  if (nn__sort_run(op, &j) != NN_OK) {
    nn_free(out);
    out = NULL;
  }
done:
  nn_free(flat);
  return out;
}

/* With gradients wanted, sort is topk over the whole axis: the same order, plus the indices backward needs. */
NN__PRIVATE nn_tensor *nn__sort_recorded(const nn_tensor *x, int axis, int descending) {
  nn_tensor *v = NULL;
  int a = axis;
  if (axis != NN_ALL_AXES && nn__norm_axis("nn_sort", &a, x->ndim) != NN_OK) return NULL;
  nn_topk(x, axis == NN_ALL_AXES ? x->size : x->shape[a], axis, descending, &v, NULL);
  return v;
}

NNDEF nn_tensor *nn_sort(const nn_tensor *x, int axis, int descending) {
  if (nn__ag_wanted1(x) && x->device == NN_CPU) return nn__sort_recorded(x, axis, descending);
  return nn__sort_common("nn_sort", x, axis, descending, NN__SM_SORT);
}

NNDEF nn_tensor *nn_argsort(const nn_tensor *x, int axis, int descending) {
  return nn__sort_common("nn_argsort", x, axis, descending, NN__SM_ARG);
}

NNDEF nn_status nn_topk(const nn_tensor *x, int64_t k, int axis, int largest, nn_tensor **values, nn_tensor **indices) {
  nn__sortjob j;
  nn_tensor *flat = NULL, *v = NULL, *ix = NULL;
  int64_t shape[NN_MAX_DIMS];
  int ndim, ax = axis, grad = values && nn__ag_wanted1(x); /* the values' backward needs the indices */
  nn_status st;
  if (values) *values = NULL;
  if (indices) *indices = NULL;
  if (!values && !indices) return nn__fail_null("nn_topk", "values and indices (both)");
  st = nn__sort_setup("nn_topk", x, axis, &j, &flat);
  if (st != NN_OK) return st;
  if (k < 0 || k > j.n) {
    nn_free(flat);
    return nn__fail(NN_ERR_INDEX, "nn_topk: selected index k out of range (k = %lld, size of the axis = %lld)",
                    (long long)k, (long long)j.n);
  }
  if (axis == NN_ALL_AXES) {
    ndim = 1;
    shape[0] = k;
  } else {
    nn__norm_axis("nn_topk", &ax, x->ndim);
    ndim = x->ndim;
    memcpy(shape, x->shape, sizeof(int64_t) * (size_t)ndim);
    shape[ax] = k;
  }
  j.mode = NN__SM_TOPK;
  j.desc = largest != 0;
  j.k = k;
  if (values) {
    v = nn__new("nn_topk", x->dtype, shape, ndim);
    if (!v) goto fail;
    j.ov = (char *)v->data;
  }
  if (indices || grad) {
    ix = nn__new("nn_topk", NN_INT64, shape, ndim);
    if (!ix) goto fail;
    j.oi = (int64_t *)ix->data;
  }
  if (nn__sort_run("nn_topk", &j) != NN_OK) goto fail;
  if (grad && !(v = nn__grad_sort(v, x, ix, axis == NN_ALL_AXES ? NN_ALL_AXES : ax, "nn_topk"))) goto fail;
  nn_free(flat);
  if (values) *values = v;
  if (indices) *indices = ix;
  else nn_free(ix);
  return NN_OK;
fail:
  st = nn_last_status();
  nn_free(v);
  nn_free(ix);
  nn_free(flat);
  return st;
}

/* ---- unique ---- */

/* grp[i] = index of the group of sorted element i (equal neighbours share one; all NaNs form one group). */
#define NN__UNIQ_GROUPS(T, SAME)                                    \
  {                                                                 \
    const T *s = (const T *)sv;                                     \
    for (i = 1; i < n; i++) grp[i] = grp[i - 1] + !SAME(s[i - 1], s[i]); \
  }
#define NN__SAME_F(a, b) ((a) == (b) || ((a) != (a) && (b) != (b)))
#define NN__SAME_I(a, b) ((a) == (b))

NNDEF nn_tensor *nn_unique(const nn_tensor *x, nn_tensor **counts, nn_tensor **inverse) {
  nn__sortjob j;
  nn_tensor *flat = NULL, *out = NULL, *cnt = NULL, *inv = NULL;
  char *sv = NULL;
  int64_t *idx = NULL, *grp = NULL, n, g, i;
  size_t es;
  if (counts) *counts = NULL;
  if (inverse) *inverse = NULL;
  if (nn__sort_setup("nn_unique", x, NN_ALL_AXES, &j, &flat) != NN_OK) return NULL;
  n = j.n;
  es = j.esz;
  sv = (char *)nn__xalloc("nn_unique", (size_t)n * es);
  grp = (int64_t *)nn__xalloc("nn_unique", (size_t)n * sizeof(int64_t));
  if (inverse) idx = (int64_t *)nn__xalloc("nn_unique", (size_t)n * sizeof(int64_t));
  if (!sv || !grp || (inverse && !idx)) goto fail;
  /* ascending; with the inverse, values and indices (topk of all), else the values alone */
  j.mode = inverse ? NN__SM_TOPK : NN__SM_SORT;
  j.desc = 0;
  j.ov = sv;
  j.oi = idx;
  if (nn__sort_run("nn_unique", &j) != NN_OK) goto fail;
  if (n > 0) grp[0] = 0;
  switch (x->dtype) {
    case NN_FLOAT32: NN__UNIQ_GROUPS(float, NN__SAME_F) break;
    case NN_FLOAT64: NN__UNIQ_GROUPS(double, NN__SAME_F) break;
    case NN_INT32: NN__UNIQ_GROUPS(int32_t, NN__SAME_I) break;
    case NN_INT64: NN__UNIQ_GROUPS(int64_t, NN__SAME_I) break;
    default: NN__UNIQ_GROUPS(uint8_t, NN__SAME_I) break;
  }
  g = n > 0 ? grp[n - 1] + 1 : 0;
  out = nn__new("nn_unique", x->dtype, &g, 1);
  if (!out) goto fail;
  if (counts) {
    cnt = nn__new("nn_unique", NN_INT64, &g, 1);
    if (!cnt) goto fail;
    memset(cnt->data, 0, (size_t)g * sizeof(int64_t));
  }
  if (inverse) {
    inv = nn__new("nn_unique", NN_INT64, &n, 1);
    if (!inv) goto fail;
  }
  for (i = 0; i < n; i++) {
    if (i == 0 || grp[i] != grp[i - 1]) memcpy((char *)out->data + (size_t)grp[i] * es, sv + (size_t)i * es, es);
    if (cnt) ((int64_t *)cnt->data)[grp[i]]++;
    if (inv) ((int64_t *)inv->data)[idx[i]] = grp[i];
  }
  nn__dealloc(sv);
  nn__dealloc(idx);
  nn__dealloc(grp);
  nn_free(flat);
  if (counts) *counts = cnt;
  if (inverse) *inverse = inv;
  return out;
fail:
  nn__dealloc(sv);
  nn__dealloc(idx);
  nn__dealloc(grp);
  nn_free(flat);
  nn_free(out);
  nn_free(cnt);
  nn_free(inv);
  return NULL;
}

/* ---- searchsorted ---- */

#define NN__SS_CHUNK ((int64_t)1 << 14)

typedef struct nn__ss_job {
  nn_dtype dt;
  const char *a;
  int64_t n, ast;
  const char *v;
  int64_t nv;
  int64_t *out;
  int right;
} nn__ss_job;

/* Binary searches with NumPy's order: LT is < with NaN after everything (as np.sort leaves it). */
#define NN__SS_DEF(SFX, T, LT)                                                                      \
  NN__PRIVATE void nn__ss_##SFX(const nn__ss_job *j, int64_t b, int64_t e) {                        \
    const T *a = (const T *)j->a, *v = (const T *)j->v;                                             \
    int64_t i, as = j->ast;                                                                         \
    for (i = b; i < e; i++) {                                                                       \
      T x = v[i];                                                                                   \
      int64_t lo = 0, hi = j->n;                                                                    \
      if (j->right)                                                                                 \
        while (lo < hi) {                                                                           \
          int64_t mid = lo + (hi - lo) / 2;                                                         \
          if (LT(x, a[mid * as])) hi = mid;                                                         \
          else lo = mid + 1;                                                                        \
        }                                                                                           \
      else                                                                                          \
        while (lo < hi) {                                                                           \
          int64_t mid = lo + (hi - lo) / 2;                                                         \
          if (LT(a[mid * as], x)) lo = mid + 1;                                                     \
          else hi = mid;                                                                            \
        }                                                                                           \
      j->out[i] = lo;                                                                               \
    }                                                                                               \
  }
#define NN__LT_NAN(a, b) ((a) < (b) || ((b) != (b) && (a) == (a)))
NN__SS_DEF(f32, float, NN__LT_NAN)
NN__SS_DEF(f64, double, NN__LT_NAN)
NN__SS_DEF(i32, int32_t, NN__LT_V)
NN__SS_DEF(i64, int64_t, NN__LT_V)
NN__SS_DEF(u8, uint8_t, NN__LT_V)

NN__PRIVATE void nn__ss_chunk(void *ctx, int64_t c) {
  const nn__ss_job *j = (const nn__ss_job *)ctx;
  int64_t b = c * NN__SS_CHUNK, e = NN__MIN(b + NN__SS_CHUNK, j->nv);
  switch (j->dt) {
    case NN_FLOAT32: nn__ss_f32(j, b, e); break;
    case NN_FLOAT64: nn__ss_f64(j, b, e); break;
    case NN_INT32: nn__ss_i32(j, b, e); break;
    case NN_INT64: nn__ss_i64(j, b, e); break;
    default: nn__ss_u8(j, b, e); break;
  }
}

NNDEF nn_tensor *nn_searchsorted(const nn_tensor *sorted, const nn_tensor *values, int right) {
  nn_tensor *ca = NULL, *cv = NULL, *out = NULL;
  const nn_tensor *a;
  nn_dtype dt;
  nn__ss_job j;
  char sh[128];
  if (nn__check_cpu("nn_searchsorted", sorted, "sorted") != NN_OK) return NULL;
  if (nn__check_cpu("nn_searchsorted", values, "values") != NN_OK) return NULL;
  if (sorted->ndim != 1) {
    nn__fail(NN_ERR_SHAPE, "nn_searchsorted: the sorted array must be 1-D, got shape %s",
             nn_shape_str(sorted, sh, sizeof sh));
    return NULL;
  }
  dt = nn_promote_types(sorted->dtype, values->dtype);
  if (dt == NN_DTYPE_COUNT) {
    nn__fail(NN_ERR_DTYPE, "nn_searchsorted: invalid dtypes %d and %d", (int)sorted->dtype, (int)values->dtype);
    return NULL;
  }
  a = sorted;
  if (sorted->dtype != dt) {
    ca = nn_astype(sorted, dt);
    if (!ca) goto done;
    a = ca;
  }
  cv = values->dtype != dt ? nn_astype(values, dt) : nn_contiguous(values);
  if (!cv) goto done;
  out = nn__new("nn_searchsorted", NN_INT64, values->shape, values->ndim);
  if (!out) goto done;
  j.dt = dt;
  j.a = (const char *)a->data;
  j.n = a->shape[0];
  j.ast = a->strides[0];
  j.v = (const char *)cv->data;
  j.nv = cv->size;
  j.out = (int64_t *)out->data;
  j.right = right != 0;
  nn__parallel_for((j.nv + NN__SS_CHUNK - 1) / NN__SS_CHUNK, nn__ss_chunk, &j);
done:
  nn_free(ca);
  nn_free(cv);
  return out;
}
