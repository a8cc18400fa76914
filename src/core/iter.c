/* core/iter.c: broadcasting and the strided multi-operand iterator every elementwise kernel runs under.

   The iterator takes up to NN__MAX_OPS operands already broadcast to one shape (stride 0 on broadcast axes),
   merges axes that are contiguous in every operand, and calls a row function over the innermost axis. Large
   iterations are split into fixed chunks of elements for the thread pool. */

#define NN__MAX_OPS 4

typedef struct nn__iter {
  int nop, ndim;
  int64_t shape[NN_MAX_DIMS];
  int64_t st[NN__MAX_OPS][NN_MAX_DIMS]; /* element strides */
  char *ptr[NN__MAX_OPS];
  int64_t esz[NN__MAX_OPS];
  int64_t size;
} nn__iter;

/* Row function: n elements, operand pointers p[k], inner strides st[k] in elements. */
typedef void (*nn__row_fn)(int64_t n, char **p, const int64_t *st, void *ctx);

/* NumPy's broadcasting: shapes are right-aligned; each axis must match or be 1. */
NN__PRIVATE nn_status nn__broadcast_shapes(const char *op, const int64_t *sa, int na, const int64_t *sb, int nb,
                                           int64_t *out, int *nout) {
  int n = na > nb ? na : nb, i;
  for (i = 0; i < n; i++) {
    int64_t da = i < n - na ? 1 : sa[i - (n - na)];
    int64_t db = i < n - nb ? 1 : sb[i - (n - nb)];
    if (da != db && da != 1 && db != 1) {
      char s1[160], s2[160];
      return nn__fail(NN_ERR_SHAPE, "%s: shapes %s and %s cannot be broadcast together", op,
                      nn__fmt_shape(s1, sizeof s1, sa, na), nn__fmt_shape(s2, sizeof s2, sb, nb));
    }
    out[i] = da == 1 ? db : da;
  }
  *nout = n;
  return NN_OK;
}

/* Strides of t broadcast to shape (right-aligned), 0 along broadcast axes. t must be broadcastable. */
NN__PRIVATE void nn__broadcast_strides(const nn_tensor *t, const int64_t *shape, int ndim, int64_t *st) {
  int off = ndim - t->ndim, i;
  for (i = 0; i < ndim; i++) {
    if (i < off) st[i] = 0;
    else st[i] = (t->shape[i - off] == 1 && shape[i] != 1) ? 0 : t->strides[i - off];
  }
}

NN__PRIVATE int nn__can_broadcast_to(const nn_tensor *t, const int64_t *shape, int ndim) {
  int off = ndim - t->ndim, i;
  if (off < 0) return 0;
  for (i = 0; i < t->ndim; i++)
    if (t->shape[i] != shape[i + off] && t->shape[i] != 1) return 0;
  return 1;
}

/* Sets up an iterator over ops[0..nop) broadcast to shape. Caller checked broadcastability. */
NN__PRIVATE void nn__iter_init(nn__iter *it, int nop, nn_tensor *const *ops, const int64_t *shape, int ndim) {
  int k, i, d;
  int64_t st[NN__MAX_OPS][NN_MAX_DIMS];
  it->nop = nop;
  it->size = nn__shape_size(shape, ndim);
  for (k = 0; k < nop; k++) {
    nn__broadcast_strides(ops[k], shape, ndim, st[k]);
    it->ptr[k] = (char *)ops[k]->data;
    it->esz[k] = (int64_t)nn_dtype_size(ops[k]->dtype);
  }
  /* Drop length-1 axes, then merge axis i into i+1 when every operand is contiguous across them. */
  d = 0;
  for (i = 0; i < ndim; i++) {
    if (shape[i] == 1) continue;
    if (d > 0) {
      int merge = 1;
      for (k = 0; k < nop; k++)
        if (it->st[k][d - 1] != st[k][i] * shape[i]) merge = 0;
      if (merge) {
        it->shape[d - 1] *= shape[i];
        for (k = 0; k < nop; k++) it->st[k][d - 1] = st[k][i];
        continue;
      }
    }
    it->shape[d] = shape[i];
    for (k = 0; k < nop; k++) it->st[k][d] = st[k][i];
    d++;
  }
  if (d == 0) { /* a single element */
    it->shape[0] = 1;
    for (k = 0; k < nop; k++) it->st[k][0] = 0;
    d = 1;
  }
  it->ndim = d;
}

typedef struct nn__iter_job {
  const nn__iter *it;
  nn__row_fn fn;
  void *ctx;
  int64_t grain;
} nn__iter_job;

/* Runs the row function over flat elements [begin, end). */
NN__PRIVATE void nn__iter_range(const nn__iter *it, nn__row_fn fn, void *ctx, int64_t begin, int64_t end) {
  int64_t idx[NN_MAX_DIMS];
  char *p[NN__MAX_OPS];
  int64_t inner_st[NN__MAX_OPS];
  int nd = it->ndim, k, d;
  int64_t rem = begin, inner = it->shape[nd - 1];
  for (d = nd - 1; d >= 0; d--) {
    idx[d] = rem % it->shape[d];
    rem /= it->shape[d];
  }
  for (k = 0; k < it->nop; k++) {
    int64_t off = 0;
    for (d = 0; d < nd; d++) off += idx[d] * it->st[k][d];
    p[k] = it->ptr[k] + off * it->esz[k];
    inner_st[k] = it->st[k][nd - 1];
  }
  while (begin < end) {
    int64_t n = inner - idx[nd - 1];
    if (n > end - begin) n = end - begin;
    fn(n, p, inner_st, ctx);
    begin += n;
    if (begin >= end) break;
    /* advance to the start of the next row */
    for (k = 0; k < it->nop; k++) p[k] += (n - 0) * inner_st[k] * it->esz[k];
    idx[nd - 1] += n;
    for (d = nd - 1; d > 0 && idx[d] >= it->shape[d]; d--) {
      for (k = 0; k < it->nop; k++) p[k] -= idx[d] * it->st[k][d] * it->esz[k];
      idx[d] = 0;
      idx[d - 1]++;
      for (k = 0; k < it->nop; k++) p[k] += it->st[k][d - 1] * it->esz[k];
    }
  }
}

NN__PRIVATE void nn__iter_chunk(void *ctx, int64_t c) {
  nn__iter_job *j = (nn__iter_job *)ctx;
  int64_t b = c * j->grain, e = b + j->grain;
  if (e > j->it->size) e = j->it->size;
  nn__iter_range(j->it, j->fn, j->ctx, b, e);
}

/* The size of the elementwise operation in progress, read by the vector kernels (which see only their chunk) to
   decide on non-temporal stores: streaming pays only for outputs larger than the last-level cache. A hint: a stale
   value from another thread's operation only costs speed. */
static int64_t nn__iter_size_now = 0;
#if defined(__GNUC__) || defined(__clang__)
#define NN__ITER_SIZE_HINT __atomic_load_n(&nn__iter_size_now, __ATOMIC_RELAXED)
#define NN__ITER_SIZE_SET(v) __atomic_store_n(&nn__iter_size_now, (v), __ATOMIC_RELAXED)
#else
#define NN__ITER_SIZE_SET(v) (nn__iter_size_now = (v))
#endif

/* Elements per chunk for streaming kernels: big enough to amortize scheduling, small enough to balance. */
#define NN__GRAIN ((int64_t)1 << 16)

NN__PRIVATE void nn__iter_run(const nn__iter *it, nn__row_fn fn, void *ctx) {
  nn__iter_job j;
  int64_t nchunks;
  if (it->size <= 0) return;
  NN__ITER_SIZE_SET(it->size);
  j.it = it;
  j.fn = fn;
  j.ctx = ctx;
  j.grain = NN__GRAIN;
  nchunks = (it->size + j.grain - 1) / j.grain;
  if (nchunks <= 1) nn__iter_range(it, fn, ctx, 0, it->size);
  else nn__parallel_for(nchunks, nn__iter_chunk, &j);
}

/* ---- dtype conversion rows (astype, copies, mixed-dtype inputs) ---- */

#define NN__CVT_ROW(NAME, ST, DT, EXPR)                                             \
  NN__PRIVATE void NAME(int64_t n, char **p, const int64_t *st, void *ctx) {        \
    DT *d = (DT *)p[0];                                                             \
    const ST *s = (const ST *)p[1];                                                 \
    int64_t i, ds = st[0], ss = st[1];                                              \
    (void)ctx;                                                                      \
    if (ds == 1 && ss == 1)                                                         \
      for (i = 0; i < n; i++) {                                                     \
        ST x = s[i];                                                                \
        d[i] = (DT)(EXPR);                                                          \
      }                                                                             \
    else                                                                            \
      for (i = 0; i < n; i++) {                                                     \
        ST x = s[i * ss];                                                           \
        d[i * ds] = (DT)(EXPR);                                                     \
      }                                                                             \
  }

/* NN__CVT_FROM(S, ST) defines conversions from source type ST to each destination. */
#define NN__CVT_FROM(SN, ST, TOI32, TOI64, TOU8)                   \
  NN__CVT_ROW(nn__cvt_##SN##_f32, ST, float, x)                    \
  NN__CVT_ROW(nn__cvt_##SN##_f64, ST, double, x)                   \
  NN__CVT_ROW(nn__cvt_##SN##_i32, ST, int32_t, TOI32)              \
  NN__CVT_ROW(nn__cvt_##SN##_i64, ST, int64_t, TOI64)              \
  NN__CVT_ROW(nn__cvt_##SN##_u8, ST, uint8_t, TOU8)                \
  NN__CVT_ROW(nn__cvt_##SN##_b, ST, uint8_t, x != 0)

NN__CVT_FROM(f32, float, nn__f2i32(x), nn__f2i64(x), nn__f2u8(x))
NN__CVT_FROM(f64, double, nn__f2i32(x), nn__f2i64(x), nn__f2u8(x))
NN__CVT_FROM(i32, int32_t, x, x, (uint8_t)(uint32_t)x)
NN__CVT_FROM(i64, int64_t, (int32_t)(uint32_t)(uint64_t)x, x, (uint8_t)(uint64_t)x)
NN__CVT_FROM(u8, uint8_t, x, x, x)
NN__CVT_FROM(b, uint8_t, x != 0, x != 0, x != 0)

static const nn__row_fn nn__cvt_table[NN_DTYPE_COUNT][NN_DTYPE_COUNT] = {
    /* [src][dst] */
    {nn__cvt_f32_f32, nn__cvt_f32_f64, nn__cvt_f32_i32, nn__cvt_f32_i64, nn__cvt_f32_u8, nn__cvt_f32_b},
    {nn__cvt_f64_f32, nn__cvt_f64_f64, nn__cvt_f64_i32, nn__cvt_f64_i64, nn__cvt_f64_u8, nn__cvt_f64_b},
    {nn__cvt_i32_f32, nn__cvt_i32_f64, nn__cvt_i32_i32, nn__cvt_i32_i64, nn__cvt_i32_u8, nn__cvt_i32_b},
    {nn__cvt_i64_f32, nn__cvt_i64_f64, nn__cvt_i64_i32, nn__cvt_i64_i64, nn__cvt_i64_u8, nn__cvt_i64_b},
    {nn__cvt_u8_f32, nn__cvt_u8_f64, nn__cvt_u8_i32, nn__cvt_u8_i64, nn__cvt_u8_u8, nn__cvt_u8_b},
    {nn__cvt_b_f32, nn__cvt_b_f64, nn__cvt_b_i32, nn__cvt_b_i64, nn__cvt_b_u8, nn__cvt_b_b},
};

/* Same-dtype copies are plain byte moves: one row function per element size. */
#define NN__COPY_ROW(NAME, T)                                                  \
  NN__PRIVATE void NAME(int64_t n, char **p, const int64_t *st, void *ctx) {   \
    T *d = (T *)p[0];                                                          \
    const T *s = (const T *)p[1];                                              \
    int64_t i, ds = st[0], ss = st[1];                                         \
    (void)ctx;                                                                 \
    if (ds == 1 && ss == 1) memcpy(d, s, (size_t)n * sizeof(T));               \
    else                                                                       \
      for (i = 0; i < n; i++) d[i * ds] = s[i * ss];                           \
  }
NN__COPY_ROW(nn__copy_row1, uint8_t)
NN__COPY_ROW(nn__copy_row4, uint32_t)
NN__COPY_ROW(nn__copy_row8, uint64_t)

/* dst[...] = src[...] converted, with src broadcast to dst's shape. Both on the CPU; shapes checked by caller. */
NN__PRIVATE void nn__assign(nn_tensor *dst, const nn_tensor *src) {
  nn__iter it;
  nn_tensor *ops[2];
  nn__row_fn fn;
  ops[0] = dst;
  ops[1] = (nn_tensor *)src;
  nn__iter_init(&it, 2, ops, dst->shape, dst->ndim);
  if (src->dtype == dst->dtype || (src->dtype == NN_UINT8 && dst->dtype == NN_UINT8)) {
    size_t es = nn_dtype_size(dst->dtype);
    fn = es == 1 ? nn__copy_row1 : es == 4 ? nn__copy_row4 : nn__copy_row8;
    if (dst->dtype == NN_BOOL && src->dtype != NN_BOOL) fn = nn__cvt_table[src->dtype][dst->dtype];
  } else {
    fn = nn__cvt_table[src->dtype][dst->dtype];
  }
  nn__iter_run(&it, fn, NULL);
}
