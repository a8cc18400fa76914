/* ops/index.c: take/put, gather/scatter, masks, argwhere, one_hot.

   Index tensors are first copied into contiguous int64 tensors, where negative indices are wrapped and every
   index is bounds-checked before anything is written; the kernels then trust them. Reads (take, gather,
   masked_select, argwhere) are chunked by size for the thread pool; scattered writes (put, scatter, index_add)
   run in index order on one thread, which is what makes duplicates deterministic. */

/* Index dtype check: integers only. */
NN__PRIVATE nn_status nn__check_idx_dtype(const char *op, const nn_tensor *idx, const char *arg) {
  if (!nn__is_int(idx->dtype))
    return nn__fail(NN_ERR_DTYPE, "%s: %s must have an integer dtype (int32, int64 or uint8), got %s", op, arg,
                    nn_dtype_name(idx->dtype));
  return NN_OK;
}

/* Checks (and, when write is set, wraps in place) the int64 indices p[0..n) chunk by chunk: per chunk the first
   out-of-range position (or -1) and whether a negative index was seen. */
typedef struct nn__idx_job {
  int64_t *p;
  int64_t n, size;
  int write;
  int64_t *bad;
  unsigned char *neg;
} nn__idx_job;

NN__PRIVATE void nn__idx_task(void *vj, int64_t c) {
  const nn__idx_job *j = (const nn__idx_job *)vj;
  int64_t b = c * NN__GRAIN, e = b + NN__GRAIN, i, size = j->size;
  int neg = 0;
  if (e > j->n) e = j->n;
  j->bad[c] = -1;
  for (i = b; i < e; i++) {
    int64_t v = j->p[i];
    if (v < 0) {
      neg = 1;
      v += size;
    }
    if (v < 0 || v >= size) {
      j->bad[c] = i;
      break;
    }
    if (j->write) j->p[i] = v;
  }
  j->neg[c] = (unsigned char)neg;
}

/* Runs nn__idx_task over p; returns the first bad position (-1 if none) and sets *anyneg. */
NN__PRIVATE int64_t nn__idx_scan(int64_t *p, int64_t n, int64_t size, int write, int64_t *bad, unsigned char *neg,
                                 int *anyneg) {
  nn__idx_job j;
  int64_t c, nch = (n + NN__GRAIN - 1) / NN__GRAIN;
  j.p = p;
  j.n = n;
  j.size = size;
  j.write = write;
  j.bad = bad;
  j.neg = neg;
  nn__parallel_for(nch, nn__idx_task, &j);
  *anyneg = 0;
  for (c = 0; c < nch; c++) {
    if (bad[c] >= 0) return bad[c];
    if (neg[c]) *anyneg = 1;
  }
  return -1;
}

/* Integer indices as a contiguous int64 tensor with negative entries wrapped and all checked against size: a
   view of idx itself when it already is contiguous int64 without negatives and does not share memory with
   `target` (the tensor an in-place op writes; NULL for none), else a converted copy. axis only appears in the
   message. */
NN__PRIVATE nn_tensor *nn__idx64(const char *op, const nn_tensor *idx, int64_t size, int axis, const nn_tensor *target) {
  int64_t nch = (idx->size + NN__GRAIN - 1) / NN__GRAIN, *bad, badpos = -1, badval = 0;
  unsigned char *neg;
  nn_tensor *t = NULL;
  int anyneg = 0;
  if (nch < 1) nch = 1;
  bad = (int64_t *)nn__xalloc(op, (size_t)nch * (sizeof(int64_t) + 1));
  if (!bad) return NULL;
  neg = (unsigned char *)(bad + nch);
  if (idx->dtype == NN_INT64 && nn_is_contiguous(idx) && !(target && target->storage == idx->storage)) {
    badpos = nn__idx_scan((int64_t *)idx->data, idx->size, size, 0, bad, neg, &anyneg);
    if (badpos >= 0) {
      badval = ((const int64_t *)idx->data)[badpos];
      goto fail;
    }
    if (!anyneg) {
      nn__dealloc(bad);
      return nn__view(op, idx, idx->shape, idx->strides, idx->ndim, idx->data);
    }
  }
  t = nn__new(op, NN_INT64, idx->shape, idx->ndim);
  if (!t) goto done;
  nn__assign(t, idx);
  badpos = nn__idx_scan((int64_t *)t->data, t->size, size, 1, bad, neg, &anyneg);
  if (badpos < 0) goto done;
  /* the scan wrapped the entries before badpos; the bad one itself is untouched */
  badval = ((const int64_t *)t->data)[badpos];
fail:
  nn__fail(NN_ERR_INDEX, "%s: index %lld is out of bounds for axis %d with size %lld", op, (long long)badval, axis,
           (long long)size);
  nn_free(t);
  t = NULL;
done:
  nn__dealloc(bad);
  return t;
}

/* src as a tensor of dtype dt that does not share memory with dst: src itself or a new copy in *tmp. */
NN__PRIVATE const nn_tensor *nn__values_for(const char *op, const nn_tensor *src, nn_dtype dt, const nn_tensor *dst,
                                            nn_tensor **tmp) {
  *tmp = NULL;
  if (src->dtype == dt && (!src->storage || src->storage != dst->storage)) return src;
  *tmp = nn__new(op, dt, src->shape, src->ndim);
  if (*tmp) nn__assign(*tmp, src);
  return *tmp;
}

/* ---- row kernels ---- */

/* gather: p = [out, idx, x base]; ctx = stride of the indexed axis (elements). */
#define NN__GATHER_ROW(SUF, T)                                                                  \
  NN__PRIVATE void nn__gather_row_##SUF(int64_t n, char **p, const int64_t *st, void *ctx) {    \
    T *o = (T *)p[0];                                                                           \
    const int64_t *ix = (const int64_t *)p[1];                                                  \
    const T *s = (const T *)p[2];                                                               \
    int64_t ax = *(const int64_t *)ctx, i;                                                      \
    for (i = 0; i < n; i++) o[i * st[0]] = s[i * st[2] + ix[i * st[1]] * ax];                   \
  }
NN__GATHER_ROW(1, uint8_t)
NN__GATHER_ROW(4, uint32_t)
NN__GATHER_ROW(8, uint64_t)

/* scatter: p = [out base, idx, src]. */
#define NN__SCATTER_ROW(SUF, T)                                                                 \
  NN__PRIVATE void nn__scatter_row_##SUF(int64_t n, char **p, const int64_t *st, void *ctx) {   \
    T *o = (T *)p[0];                                                                           \
    const int64_t *ix = (const int64_t *)p[1];                                                  \
    const T *s = (const T *)p[2];                                                               \
    int64_t ax = *(const int64_t *)ctx, i;                                                      \
    for (i = 0; i < n; i++) o[i * st[0] + ix[i * st[1]] * ax] = s[i * st[2]];                   \
  }
NN__SCATTER_ROW(1, uint8_t)
NN__SCATTER_ROW(4, uint32_t)
NN__SCATTER_ROW(8, uint64_t)

/* Additions that never overflow into undefined behaviour: integers wrap, bool is logical or. */
#define NN__ADD_PLAIN(T, a, b) ((T)((a) + (b)))
#define NN__ADD_I32(T, a, b) ((int32_t)((uint32_t)(a) + (uint32_t)(b)))
#define NN__ADD_I64(T, a, b) ((int64_t)((uint64_t)(a) + (uint64_t)(b)))
#define NN__ADD_OR(T, a, b) ((uint8_t)((a) | (b)))

/* scatter_add: p = [out base, idx, src]; index_add: p = [dst, src]. */
#define NN__ACC_ROWS(SUF, T, ADD)                                                                    \
  NN__PRIVATE void nn__scatter_add_row_##SUF(int64_t n, char **p, const int64_t *st, void *ctx) {    \
    T *o = (T *)p[0];                                                                                \
    const int64_t *ix = (const int64_t *)p[1];                                                       \
    const T *s = (const T *)p[2];                                                                    \
    int64_t ax = *(const int64_t *)ctx, i;                                                           \
    for (i = 0; i < n; i++) {                                                                        \
      T *d = o + i * st[0] + ix[i * st[1]] * ax;                                                     \
      *d = ADD(T, *d, s[i * st[2]]);                                                                 \
    }                                                                                                \
  }                                                                                                  \
  NN__PRIVATE void nn__acc_row_##SUF(int64_t n, char **p, const int64_t *st, void *ctx) {            \
    T *d = (T *)p[0];                                                                                \
    const T *s = (const T *)p[1];                                                                    \
    int64_t i;                                                                                       \
    (void)ctx;                                                                                       \
    if (st[0] == 1 && st[1] == 1)                                                                    \
      for (i = 0; i < n; i++) d[i] = ADD(T, d[i], s[i]);                                             \
    else                                                                                             \
      for (i = 0; i < n; i++) d[i * st[0]] = ADD(T, d[i * st[0]], s[i * st[1]]);                     \
  }
NN__ACC_ROWS(f32, float, NN__ADD_PLAIN)
NN__ACC_ROWS(f64, double, NN__ADD_PLAIN)
NN__ACC_ROWS(i32, int32_t, NN__ADD_I32)
NN__ACC_ROWS(i64, int64_t, NN__ADD_I64)
NN__ACC_ROWS(u8, uint8_t, NN__ADD_PLAIN)
NN__ACC_ROWS(b, uint8_t, NN__ADD_OR)

/* In dtype enum order: float32 float64 int32 int64 uint8 bool. */
static const nn__row_fn nn__scatter_add_rows[NN_DTYPE_COUNT] = {nn__scatter_add_row_f32, nn__scatter_add_row_f64,
                                                                nn__scatter_add_row_i32, nn__scatter_add_row_i64,
                                                                nn__scatter_add_row_u8,  nn__scatter_add_row_b};
static const nn__row_fn nn__acc_rows[NN_DTYPE_COUNT] = {nn__acc_row_f32, nn__acc_row_f64, nn__acc_row_i32,
                                                        nn__acc_row_i64, nn__acc_row_u8,  nn__acc_row_b};

NN__PRIVATE nn__row_fn nn__by_size(size_t esz, nn__row_fn f1, nn__row_fn f4, nn__row_fn f8) {
  return esz == 1 ? f1 : esz == 4 ? f4 : f8;
}

/* Runs fn over the iterator in fixed chunks of NN__GRAIN elements, chunk c getting ctxs + c * csz. */
typedef struct nn__chunks_job {
  const nn__iter *it;
  nn__row_fn fn;
  char *ctxs;
  size_t csz;
} nn__chunks_job;

NN__PRIVATE void nn__chunks_task(void *vj, int64_t c) {
  const nn__chunks_job *j = (const nn__chunks_job *)vj;
  int64_t b = c * NN__GRAIN, e = b + NN__GRAIN;
  if (e > j->it->size) e = j->it->size;
  nn__iter_range(j->it, j->fn, j->ctxs + (size_t)c * j->csz, b, e);
}

NN__PRIVATE int64_t nn__nchunks(int64_t size) { return (size + NN__GRAIN - 1) / NN__GRAIN; }

NN__PRIVATE void nn__iter_chunks(const nn__iter *it, nn__row_fn fn, void *ctxs, size_t csz) {
  nn__chunks_job j;
  if (it->size <= 0) return;
  j.it = it;
  j.fn = fn;
  j.ctxs = (char *)ctxs;
  j.csz = csz;
  nn__parallel_for(nn__nchunks(it->size), nn__chunks_task, &j);
}

/* ---- take family ---- */

NN__PRIVATE nn_tensor *nn__take(const char *op, const nn_tensor *x, const nn_tensor *indices, int axis) {
  nn_tensor *flat = NULL, *idx = NULL, *out = NULL, h;
  const nn_tensor *src = x;
  const int64_t *maps[NN_MAX_DIMS];
  int64_t oshape[NN_MAX_DIMS], gshape[NN_MAX_DIMS], n;
  int d, k, nd;
  if (axis == NN_ALL_AXES) {
    if (nn_is_contiguous(x)) {
      n = x->size;
      nn__hdr(&h, x->dtype, &n, NULL, 1, x->data);
      src = &h;
    } else {
      flat = nn_ravel(x);
      if (!flat) return NULL;
      src = flat;
    }
    axis = 0;
  } else if (nn__norm_axis(op, &axis, x->ndim) != NN_OK) {
    return NULL;
  }
  nd = src->ndim - 1 + indices->ndim;
  if (nd > NN_MAX_DIMS) {
    nn__fail(NN_ERR_SHAPE, "%s: the result would have %d dimensions, more than NN_MAX_DIMS (%d)", op, nd, NN_MAX_DIMS);
    goto done;
  }
  n = src->shape[axis];
  if (n == 0 && indices->size > 0) {
    nn__fail(NN_ERR_INDEX, "%s: cannot do a non-empty take from an empty axes (axis %d has size 0)", op, axis);
    goto done;
  }
  idx = nn__idx64(op, indices, n, axis, NULL);
  if (!idx) goto done;
  for (d = 0, k = 0; d < axis; d++) oshape[k++] = src->shape[d];
  for (d = 0; d < indices->ndim; d++) oshape[k++] = indices->shape[d];
  for (d = axis + 1; d < src->ndim; d++) oshape[k++] = src->shape[d];
  out = nn__new(op, x->dtype, oshape, nd);
  if (!out) goto done;
  for (d = 0; d < src->ndim; d++) {
    gshape[d] = src->shape[d];
    maps[d] = NULL;
  }
  gshape[axis] = indices->size;
  maps[axis] = (const int64_t *)idx->data;
  if (nn__gather_axes(op, out->data, gshape, src->ndim, src, maps, NULL, NULL) != NN_OK) {
    nn_free(out);
    out = NULL;
  }
  if (out && nn__ag_wanted1(x)) out = nn__grad_take(out, x, idx, src == x ? axis : NN_ALL_AXES, op);
done:
  nn_free(idx);
  nn_free(flat);
  return out;
}

NNDEF nn_tensor *nn_take(const nn_tensor *x, const nn_tensor *indices, int axis) {
  const char *op = "nn_take";
  if (nn__check_cpu(op, x, "x") != NN_OK || nn__check_cpu(op, indices, "indices") != NN_OK) return NULL;
  if (nn__check_idx_dtype(op, indices, "indices") != NN_OK) return NULL;
  return nn__take(op, x, indices, axis);
}

/* out = x gathered along axis through idx (int64, checked); xshape: x's geometry as seen by the iterator (axis
   set to 1, other axes 1 or out's). */
NN__PRIVATE void nn__gather_along(nn_tensor *out, const nn_tensor *x, const int64_t *xshape, const nn_tensor *idx,
                                  int axis) {
  nn_tensor xb, *ops[3];
  nn__iter it;
  int64_t ax = x->strides[axis];
  size_t esz = nn_dtype_size(x->dtype);
  if (out->size == 0) return;
  nn__hdr(&xb, x->dtype, xshape, x->strides, x->ndim, x->data);
  ops[0] = out;
  ops[1] = (nn_tensor *)idx;
  ops[2] = &xb;
  nn__iter_init(&it, 3, ops, out->shape, out->ndim);
  nn__iter_run(&it, nn__by_size(esz, nn__gather_row_1, nn__gather_row_4, nn__gather_row_8), &ax);
}

/* The shape of x[indices-along-axis]: indices and x broadcast outside axis; indices' length along axis. */
NN__PRIVATE nn_status nn__along_shape(const char *op, const nn_tensor *x, const nn_tensor *ind, int axis,
                                      int64_t *shape) {
  char s1[160], s2[160];
  int d;
  for (d = 0; d < x->ndim; d++) {
    int64_t a = x->shape[d], b = ind->shape[d];
    if (d == axis) shape[d] = b;
    else if (a == b || b == 1) shape[d] = a;
    else if (a == 1) shape[d] = b;
    else
      return nn__fail(NN_ERR_SHAPE,
                      "%s: shape mismatch: indices of shape %s and x of shape %s cannot be broadcast together along "
                      "dimension %d",
                      op, nn_shape_str(ind, s1, sizeof s1), nn_shape_str(x, s2, sizeof s2), d);
  }
  return NN_OK;
}

NNDEF nn_tensor *nn_take_along_axis(const nn_tensor *x, const nn_tensor *indices, int axis) {
  const char *op = "nn_take_along_axis";
  int64_t shape[NN_MAX_DIMS], xshape[NN_MAX_DIMS];
  nn_tensor *idx, *out;
  char s1[160], s2[160];
  int d;
  if (nn__check_cpu(op, x, "x") != NN_OK || nn__check_cpu(op, indices, "indices") != NN_OK) return NULL;
  if (nn__check_idx_dtype(op, indices, "indices") != NN_OK) return NULL;
  if (axis == NN_ALL_AXES) {
    if (indices->ndim != 1) {
      nn__fail(NN_ERR_SHAPE, "%s: when axis is NN_ALL_AXES, indices must be 1-D (got shape %s)", op,
               nn_shape_str(indices, s1, sizeof s1));
      return NULL;
    }
    return nn__take(op, x, indices, NN_ALL_AXES);
  }
  if (indices->ndim != x->ndim) {
    nn__fail(NN_ERR_SHAPE, "%s: `indices` and `arr` must have the same number of dimensions (shapes %s and %s)", op,
             nn_shape_str(indices, s1, sizeof s1), nn_shape_str(x, s2, sizeof s2));
    return NULL;
  }
  if (nn__norm_axis(op, &axis, x->ndim) != NN_OK) return NULL;
  if (nn__along_shape(op, x, indices, axis, shape) != NN_OK) return NULL;
  idx = nn__idx64(op, indices, x->shape[axis], axis, NULL);
  if (!idx) return NULL;
  out = nn__new(op, x->dtype, shape, x->ndim);
  if (out) {
    for (d = 0; d < x->ndim; d++) xshape[d] = d == axis ? 1 : x->shape[d];
    nn__gather_along(out, x, xshape, idx, axis);
    if (nn__ag_wanted1(x)) out = nn__grad_along(out, x, idx, axis, op);
  }
  nn_free(idx);
  return out;
}

/* PyTorch's shape rule for gather/scatter: index has x's ndim and, outside axis, sizes no larger than x's. */
NN__PRIVATE nn_status nn__torch_index_check(const char *op, const nn_tensor *x, const nn_tensor *index, int *axis) {
  char s1[160], s2[160];
  int d;
  if (index->ndim != x->ndim)
    return nn__fail(NN_ERR_SHAPE, "%s: index must have the same number of dimensions as x (index shape %s, x shape %s)",
                    op, nn_shape_str(index, s1, sizeof s1), nn_shape_str(x, s2, sizeof s2));
  if (nn__norm_axis(op, axis, x->ndim) != NN_OK) return nn_last_status();
  for (d = 0; d < x->ndim; d++)
    if (d != *axis && index->shape[d] > x->shape[d])
      return nn__fail(NN_ERR_SHAPE,
                      "%s: size does not match at dimension %d: expected index %s to be no larger than x %s apart from "
                      "dimension %d",
                      op, d, nn_shape_str(index, s1, sizeof s1), nn_shape_str(x, s2, sizeof s2), *axis);
  return NN_OK;
}

NNDEF nn_tensor *nn_gather(const nn_tensor *x, int axis, const nn_tensor *index) {
  const char *op = "nn_gather";
  int64_t xshape[NN_MAX_DIMS];
  nn_tensor *idx, *out;
  int d;
  if (nn__check_cpu(op, x, "x") != NN_OK || nn__check_cpu(op, index, "index") != NN_OK) return NULL;
  if (nn__check_idx_dtype(op, index, "index") != NN_OK) return NULL;
  if (nn__torch_index_check(op, x, index, &axis) != NN_OK) return NULL;
  idx = nn__idx64(op, index, x->shape[axis], axis, NULL);
  if (!idx) return NULL;
  out = nn__new(op, x->dtype, index->shape, index->ndim);
  if (out) {
    for (d = 0; d < x->ndim; d++) xshape[d] = d == axis ? 1 : index->shape[d];
    nn__gather_along(out, x, xshape, idx, axis);
    if (nn__ag_wanted1(x)) out = nn__grad_along(out, x, idx, axis, op);
  }
  nn_free(idx);
  return out;
}

/* ---- scatter family ---- */

NN__PRIVATE nn_tensor *nn__scatter(const char *op, const nn_tensor *x, int axis, const nn_tensor *index,
                                   const nn_tensor *src, int add) {
  int64_t bshape[NN_MAX_DIMS], ax;
  nn_tensor *idx = NULL, *out = NULL, *tmp = NULL, xb, sv, *ops[3];
  const nn_tensor *s;
  nn__iter it;
  char s1[160], s2[160];
  int d;
  if (nn__check_cpu(op, x, "x") != NN_OK || nn__check_cpu(op, index, "index") != NN_OK ||
      nn__check_cpu(op, src, "src") != NN_OK)
    return NULL;
  if (nn__check_idx_dtype(op, index, "index") != NN_OK) return NULL;
  if (nn__torch_index_check(op, x, index, &axis) != NN_OK) return NULL;
  if (src->ndim != 0 && src->ndim != x->ndim) {
    nn__fail(NN_ERR_SHAPE, "%s: src must be 0-d or have the same number of dimensions as x (src shape %s, x shape %s)",
             op, nn_shape_str(src, s1, sizeof s1), nn_shape_str(x, s2, sizeof s2));
    return NULL;
  }
  for (d = 0; src->ndim && d < x->ndim; d++)
    if (index->shape[d] > src->shape[d]) {
      nn__fail(NN_ERR_SHAPE, "%s: size does not match at dimension %d: expected index %s to be no larger than src %s", op,
               d, nn_shape_str(index, s1, sizeof s1), nn_shape_str(src, s2, sizeof s2));
      return NULL;
    }
  idx = nn__idx64(op, index, x->shape[axis], axis, NULL);
  if (!idx) return NULL;
  out = nn__new(op, x->dtype, x->shape, x->ndim);
  if (!out) goto done;
  nn__assign(out, x);
  if (index->size == 0) goto done;
  s = nn__values_for(op, src, x->dtype, out, &tmp);
  if (!s) {
    nn_free(out);
    out = NULL;
    goto done;
  }
  for (d = 0; d < x->ndim; d++) bshape[d] = d == axis ? 1 : index->shape[d];
  nn__hdr(&xb, out->dtype, bshape, out->strides, out->ndim, out->data);
  if (s->ndim == 0) sv = *s;
  else nn__hdr(&sv, s->dtype, index->shape, s->strides, s->ndim, s->data);
  sv.scope = NULL;
  ops[0] = &xb;
  ops[1] = idx;
  ops[2] = &sv;
  ax = out->strides[axis];
  nn__iter_init(&it, 3, ops, index->shape, index->ndim);
  nn__iter_range(&it,
                 add ? nn__scatter_add_rows[x->dtype]
                     : nn__by_size(nn_dtype_size(x->dtype), nn__scatter_row_1, nn__scatter_row_4, nn__scatter_row_8),
                 &ax, 0, it.size);
done:
  if (out && nn__ag_wanted2(x, src)) out = nn__grad_scatter(out, x, axis, idx, src, add);
  nn_free(tmp);
  nn_free(idx);
  return out;
}

NNDEF nn_tensor *nn_scatter(const nn_tensor *x, int axis, const nn_tensor *index, const nn_tensor *src) {
  return nn__scatter("nn_scatter", x, axis, index, src, 0);
}

NNDEF nn_tensor *nn_scatter_add(const nn_tensor *x, int axis, const nn_tensor *index, const nn_tensor *src) {
  return nn__scatter("nn_scatter_add", x, axis, index, src, 1);
}

NNDEF nn_tensor *nn_index_add(const nn_tensor *x, int axis, const nn_tensor *index, const nn_tensor *src) {
  const char *op = "nn_index_add";
  int64_t shape[NN_MAX_DIMS], dst_st[NN_MAX_DIMS], src_st[NN_MAX_DIMS], i, *ix;
  nn_tensor *idx = NULL, *out = NULL, *tmp = NULL, dh, sh, *ops[2];
  const nn_tensor *s;
  char s1[160], s2[160];
  size_t esz;
  int d, k;
  if (nn__check_cpu(op, x, "x") != NN_OK || nn__check_cpu(op, index, "index") != NN_OK ||
      nn__check_cpu(op, src, "src") != NN_OK)
    return NULL;
  if (nn__check_idx_dtype(op, index, "index") != NN_OK) return NULL;
  if (index->ndim > 1) {
    nn__fail(NN_ERR_SHAPE, "%s: index must be 0-d or 1-D, got shape %s", op, nn_shape_str(index, s1, sizeof s1));
    return NULL;
  }
  if (nn__norm_axis(op, &axis, x->ndim) != NN_OK) return NULL;
  if (src->ndim != x->ndim) {
    nn__fail(NN_ERR_SHAPE, "%s: src must have the same number of dimensions as x (src shape %s, x shape %s)", op,
             nn_shape_str(src, s1, sizeof s1), nn_shape_str(x, s2, sizeof s2));
    return NULL;
  }
  if (src->shape[axis] != index->size) {
    nn__fail(NN_ERR_SHAPE, "%s: index has %lld elements but src has size %lld along axis %d (src shape %s)", op,
             (long long)index->size, (long long)src->shape[axis], axis, nn_shape_str(src, s1, sizeof s1));
    return NULL;
  }
  for (d = 0; d < x->ndim; d++)
    if (d != axis && src->shape[d] != x->shape[d]) {
      nn__fail(NN_ERR_SHAPE, "%s: src shape %s must match x shape %s outside axis %d (they differ in dimension %d)", op,
               nn_shape_str(src, s1, sizeof s1), nn_shape_str(x, s2, sizeof s2), axis, d);
      return NULL;
    }
  idx = nn__idx64(op, index, x->shape[axis], axis, NULL);
  if (!idx) return NULL;
  out = nn__new(op, x->dtype, x->shape, x->ndim);
  if (!out) goto done;
  nn__assign(out, x);
  if (index->size == 0) goto done;
  s = nn__values_for(op, src, x->dtype, out, &tmp);
  if (!s) {
    nn_free(out);
    out = NULL;
    goto done;
  }
  for (d = 0, k = 0; d < x->ndim; d++)
    if (d != axis) {
      shape[k] = x->shape[d];
      dst_st[k] = out->strides[d];
      src_st[k] = s->strides[d];
      k++;
    }
  esz = nn_dtype_size(x->dtype);
  ix = (int64_t *)idx->data;
  for (i = 0; i < idx->size; i++) {
    nn__iter it;
    nn__hdr(&dh, x->dtype, shape, dst_st, k, NN__EPTR(out->data, ix[i] * out->strides[axis], esz));
    nn__hdr(&sh, x->dtype, shape, src_st, k, NN__EPTR(s->data, i * s->strides[axis], esz));
    if (dh.size == 0) break;
    ops[0] = &dh;
    ops[1] = &sh;
    nn__iter_init(&it, 2, ops, shape, k);
    nn__iter_run(&it, nn__acc_rows[x->dtype], NULL);
  }
done:
  if (out && nn__ag_wanted2(x, src)) out = nn__grad_index_add(out, x, axis, idx, src);
  nn_free(tmp);
  nn_free(idx);
  return out;
}

/* ---- put family ---- */

/* In-place writes are not recorded, so into a tensor that gradients flow through they would silently give wrong
   gradients: refused while grad mode is on (PyTorch refuses them on leaves requiring grad). */
NN__PRIVATE nn_status nn__inplace_check(const char *op, const nn_tensor *x) {
  if (!nn__ag_wanted1(x)) return NN_OK;
  return nn__fail(NN_ERR_ARG,
                  "%s: x requires grad and in-place ops are not recorded; use a functional form (nn_where for a masked "
                  "fill, nn_scatter for a put) or call it inside nn_no_grad_begin/nn_no_grad_end",
                  op);
}

/* x.flat[ix[i]] = vals[i % nv] (vals contiguous, x's dtype); indices already checked. */
NN__PRIVATE void nn__put_flat(nn_tensor *x, const int64_t *ix, int64_t ni, const char *vals, int64_t nv) {
  size_t esz = nn_dtype_size(x->dtype);
  int contig = nn_is_contiguous(x);
  int64_t i;
  for (i = 0; i < ni; i++) {
    char *d = contig ? NN__EPTR(x->data, ix[i], esz) : nn__flat_ptr(x, ix[i]);
    const char *s = vals + (i % nv) * (int64_t)esz;
    if (esz == 1) *d = *s;
    else if (esz == 4) memcpy(d, s, 4);
    else memcpy(d, s, 8);
  }
}

NNDEF nn_status nn_put(nn_tensor *x, const nn_tensor *indices, const nn_tensor *values) {
  const char *op = "nn_put";
  nn_tensor *idx, *tmp = NULL;
  const nn_tensor *v;
  if (nn__check_cpu(op, x, "x") != NN_OK || nn__check_cpu(op, indices, "indices") != NN_OK ||
      nn__check_cpu(op, values, "values") != NN_OK)
    return nn_last_status();
  if (nn__check_idx_dtype(op, indices, "indices") != NN_OK) return nn_last_status();
  if (nn__inplace_check(op, x) != NN_OK) return nn_last_status();
  if (indices->size == 0 || values->size == 0) return NN_OK;
  idx = nn__idx64(op, indices, x->size, 0, x);
  if (!idx) return nn_last_status();
  v = values;
  if (values->dtype != x->dtype || !nn_is_contiguous(values) || values->storage == x->storage) {
    tmp = nn__new(op, x->dtype, values->shape, values->ndim);
    if (!tmp) {
      nn_free(idx);
      return nn_last_status();
    }
    nn__assign(tmp, values);
    v = tmp;
  }
  nn__put_flat(x, (const int64_t *)idx->data, idx->size, (const char *)v->data, v->size);
  nn_free(tmp);
  nn_free(idx);
  return NN_OK;
}

NNDEF nn_status nn_put_along_axis(nn_tensor *x, const nn_tensor *indices, const nn_tensor *values, int axis) {
  const char *op = "nn_put_along_axis";
  int64_t shape[NN_MAX_DIMS], xshape[NN_MAX_DIMS], ax;
  nn_tensor *idx = NULL, *tmp = NULL, xb, *ops[3];
  const nn_tensor *v;
  nn__iter it;
  char s1[160], s2[160];
  int d;
  if (nn__check_cpu(op, x, "x") != NN_OK || nn__check_cpu(op, indices, "indices") != NN_OK ||
      nn__check_cpu(op, values, "values") != NN_OK)
    return nn_last_status();
  if (nn__check_idx_dtype(op, indices, "indices") != NN_OK) return nn_last_status();
  if (nn__inplace_check(op, x) != NN_OK) return nn_last_status();
  if (axis == NN_ALL_AXES) {
    if (indices->ndim != 1)
      return nn__fail(NN_ERR_SHAPE, "%s: when axis is NN_ALL_AXES, indices must be 1-D (got shape %s)", op,
                      nn_shape_str(indices, s1, sizeof s1));
    if (!nn__can_broadcast_to(values, indices->shape, 1))
      return nn__fail(NN_ERR_SHAPE, "%s: shape mismatch: value array of shape %s could not be broadcast to indexing result of shape %s",
                      op, nn_shape_str(values, s1, sizeof s1), nn_shape_str(indices, s2, sizeof s2));
    idx = nn__idx64(op, indices, x->size, 0, x);
    if (!idx) return nn_last_status();
    tmp = nn__new(op, x->dtype, indices->shape, 1);
    if (!tmp) {
      nn_free(idx);
      return nn_last_status();
    }
    nn__assign(tmp, values);
    nn__put_flat(x, (const int64_t *)idx->data, idx->size, (const char *)tmp->data, tmp->size);
    nn_free(tmp);
    nn_free(idx);
    return NN_OK;
  }
  if (indices->ndim != x->ndim)
    return nn__fail(NN_ERR_SHAPE, "%s: `indices` and `arr` must have the same number of dimensions (shapes %s and %s)",
                    op, nn_shape_str(indices, s1, sizeof s1), nn_shape_str(x, s2, sizeof s2));
  if (nn__norm_axis(op, &axis, x->ndim) != NN_OK) return nn_last_status();
  if (nn__along_shape(op, x, indices, axis, shape) != NN_OK) return nn_last_status();
  if (!nn__can_broadcast_to(values, shape, x->ndim))
    return nn__fail(NN_ERR_SHAPE, "%s: shape mismatch: value array of shape %s could not be broadcast to indexing result of shape %s",
                    op, nn_shape_str(values, s1, sizeof s1), nn__fmt_shape(s2, sizeof s2, shape, x->ndim));
  idx = nn__idx64(op, indices, x->shape[axis], axis, x);
  if (!idx) return nn_last_status();
  v = nn__values_for(op, values, x->dtype, x, &tmp);
  if (!v) {
    nn_free(idx);
    return nn_last_status();
  }
  for (d = 0; d < x->ndim; d++) xshape[d] = d == axis ? 1 : x->shape[d];
  nn__hdr(&xb, x->dtype, xshape, x->strides, x->ndim, x->data);
  ops[0] = &xb;
  ops[1] = idx;
  ops[2] = (nn_tensor *)v;
  ax = x->strides[axis];
  nn__iter_init(&it, 3, ops, shape, x->ndim);
  if (it.size > 0)
    nn__iter_range(&it, nn__by_size(nn_dtype_size(x->dtype), nn__scatter_row_1, nn__scatter_row_4, nn__scatter_row_8),
                   &ax, 0, it.size);
  nn_free(tmp);
  nn_free(idx);
  return NN_OK;
}

/* ---- masks ---- */

NN__PRIVATE nn_status nn__check_mask(const char *op, const nn_tensor *mask) {
  if (mask->dtype != NN_BOOL)
    return nn__fail(NN_ERR_DTYPE, "%s: mask must have dtype bool, got %s", op, nn_dtype_name(mask->dtype));
  return NN_OK;
}

typedef struct nn__sel_ctx {
  int64_t count;
  char *dst;
} nn__sel_ctx;

/* p = [x, mask]: counts true mask entries. */
NN__PRIVATE void nn__mask_count_row(int64_t n, char **p, const int64_t *st, void *ctx) {
  const uint8_t *m = (const uint8_t *)p[1];
  int64_t i, c = 0;
  for (i = 0; i < n; i++) c += m[i * st[1]] != 0;
  ((nn__sel_ctx *)ctx)->count += c;
}

#define NN__SELECT_ROW(SUF, T)                                                                   \
  NN__PRIVATE void nn__select_row_##SUF(int64_t n, char **p, const int64_t *st, void *ctx) {     \
    nn__sel_ctx *c = (nn__sel_ctx *)ctx;                                                         \
    const T *s = (const T *)p[0];                                                                \
    const uint8_t *m = (const uint8_t *)p[1];                                                    \
    T *d = (T *)c->dst;                                                                          \
    int64_t i;                                                                                   \
    for (i = 0; i < n; i++)                                                                      \
      if (m[i * st[1]]) *d++ = s[i * st[0]];                                                     \
    c->dst = (char *)d;                                                                          \
  }
NN__SELECT_ROW(1, uint8_t)
NN__SELECT_ROW(4, uint32_t)
NN__SELECT_ROW(8, uint64_t)

NNDEF nn_tensor *nn_masked_select(const nn_tensor *x, const nn_tensor *mask) {
  const char *op = "nn_masked_select";
  int64_t shape[NN_MAX_DIMS], nch, c, total = 0;
  nn_tensor *ops[2], *out;
  nn__sel_ctx *ctx;
  nn__iter it;
  size_t esz;
  int nd;
  if (nn__check_cpu(op, x, "x") != NN_OK || nn__check_cpu(op, mask, "mask") != NN_OK) return NULL;
  if (nn__check_mask(op, mask) != NN_OK) return NULL;
  if (nn__broadcast_shapes(op, x->shape, x->ndim, mask->shape, mask->ndim, shape, &nd) != NN_OK) return NULL;
  ops[0] = (nn_tensor *)x;
  ops[1] = (nn_tensor *)mask;
  nn__iter_init(&it, 2, ops, shape, nd);
  nch = nn__nchunks(it.size);
  ctx = (nn__sel_ctx *)nn__xalloc(op, (size_t)(nch > 0 ? nch : 1) * sizeof(nn__sel_ctx));
  if (!ctx) return NULL;
  memset(ctx, 0, (size_t)(nch > 0 ? nch : 1) * sizeof(nn__sel_ctx));
  nn__iter_chunks(&it, nn__mask_count_row, ctx, sizeof(nn__sel_ctx));
  for (c = 0; c < nch; c++) total += ctx[c].count;
  out = nn__new(op, x->dtype, &total, 1);
  if (out && total > 0) {
    esz = nn_dtype_size(x->dtype);
    for (c = 0, total = 0; c < nch; c++) {
      ctx[c].dst = NN__EPTR(out->data, total, esz);
      total += ctx[c].count;
    }
    nn__iter_chunks(&it, nn__by_size(esz, nn__select_row_1, nn__select_row_4, nn__select_row_8), ctx,
                    sizeof(nn__sel_ctx));
  }
  nn__dealloc(ctx);
  if (out && nn__ag_wanted1(x)) out = nn__grad_masked_select(out, x, mask);
  return out;
}

#define NN__FILL_ROW(SUF, T)                                                                    \
  NN__PRIVATE void nn__mfill_row_##SUF(int64_t n, char **p, const int64_t *st, void *ctx) {     \
    T *d = (T *)p[0], v;                                                                        \
    const uint8_t *m = (const uint8_t *)p[1];                                                   \
    int64_t i;                                                                                  \
    memcpy(&v, ctx, sizeof v);                                                                  \
    for (i = 0; i < n; i++)                                                                     \
      if (m[i * st[1]]) d[i * st[0]] = v;                                                       \
  }
NN__FILL_ROW(1, uint8_t)
NN__FILL_ROW(4, uint32_t)
NN__FILL_ROW(8, uint64_t)

NNDEF nn_status nn_masked_fill(nn_tensor *x, const nn_tensor *mask, double value) {
  const char *op = "nn_masked_fill";
  unsigned char cval[8];
  nn_tensor *ops[2], *tmp = NULL;
  nn__iter it;
  char s1[160], s2[160];
  if (nn__check_cpu(op, x, "x") != NN_OK || nn__check_cpu(op, mask, "mask") != NN_OK) return nn_last_status();
  if (nn__check_mask(op, mask) != NN_OK) return nn_last_status();
  if (nn__inplace_check(op, x) != NN_OK) return nn_last_status();
  if (!nn__can_broadcast_to(mask, x->shape, x->ndim))
    return nn__fail(NN_ERR_SHAPE, "%s: mask of shape %s cannot be broadcast to x of shape %s", op,
                    nn_shape_str(mask, s1, sizeof s1), nn_shape_str(x, s2, sizeof s2));
  if (mask->storage && mask->storage == x->storage) {
    tmp = nn_copy(mask);
    if (!tmp) return nn_last_status();
    mask = tmp;
  }
  nn__store(x->dtype, cval, value);
  ops[0] = x;
  ops[1] = (nn_tensor *)mask;
  nn__iter_init(&it, 2, ops, x->shape, x->ndim);
  nn__iter_run(&it, nn__by_size(nn_dtype_size(x->dtype), nn__mfill_row_1, nn__mfill_row_4, nn__mfill_row_8), cval);
  nn_free(tmp);
  return NN_OK;
}

/* ---- nonzero ---- */

/* p = [x]: adds the number of nonzero elements to *(int64_t *)ctx. Floats compare (so -0.0 is zero, NaN is not);
   integers test their bits. */
#define NN__NZ_ROW(SUF, T)                                                                      \
  NN__PRIVATE void nn__nz_row_##SUF(int64_t n, char **p, const int64_t *st, void *ctx) {        \
    const T *s = (const T *)p[0];                                                               \
    int64_t i, c = 0, ss = st[0];                                                               \
    if (ss == 1)                                                                                \
      for (i = 0; i < n; i++) c += s[i] != 0;                                                   \
    else                                                                                        \
      for (i = 0; i < n; i++) c += s[i * ss] != 0;                                              \
    *(int64_t *)ctx += c;                                                                       \
  }
NN__NZ_ROW(f32, float)
NN__NZ_ROW(f64, double)
NN__NZ_ROW(1, uint8_t)
NN__NZ_ROW(4, uint32_t)
NN__NZ_ROW(8, uint64_t)

static const nn__row_fn nn__nz_rows[NN_DTYPE_COUNT] = {nn__nz_row_f32, nn__nz_row_f64, nn__nz_row_4,
                                                       nn__nz_row_8,   nn__nz_row_1,   nn__nz_row_1};

/* Per-chunk nonzero counts of x (chunks of NN__GRAIN row-major elements); *nch receives the chunk count. */
NN__PRIVATE int64_t *nn__nz_counts(const char *op, const nn_tensor *x, int64_t *nch) {
  nn__iter it;
  nn_tensor *ops[1];
  int64_t *counts, n;
  ops[0] = (nn_tensor *)x;
  nn__iter_init(&it, 1, ops, x->shape, x->ndim);
  *nch = nn__nchunks(it.size);
  n = *nch > 0 ? *nch : 1;
  counts = (int64_t *)nn__xalloc(op, (size_t)n * sizeof(int64_t));
  if (!counts) return NULL;
  memset(counts, 0, (size_t)n * sizeof(int64_t));
  nn__iter_chunks(&it, nn__nz_rows[x->dtype], counts, sizeof(int64_t));
  return counts;
}

NNDEF nn_tensor *nn_count_nonzero(const nn_tensor *x) {
  const char *op = "nn_count_nonzero";
  int64_t nch, c, total = 0, *counts;
  nn_tensor *out;
  if (nn__check_cpu(op, x, "x") != NN_OK) return NULL;
  counts = nn__nz_counts(op, x, &nch);
  if (!counts) return NULL;
  for (c = 0; c < nch; c++) total += counts[c];
  nn__dealloc(counts);
  out = nn__new(op, NN_INT64, NULL, 0);
  if (out) *(int64_t *)out->data = total;
  return out;
}

typedef struct nn__argw_job {
  const nn_tensor *x;
  const int64_t *start; /* output row of each chunk's first hit */
  int64_t *out;
} nn__argw_job;

/* Writes the coordinates of the nonzero elements among row-major positions [b, e) of x, a row segment at a time. */
#define NN__ARGW(SUF, T)                                                                         \
  NN__PRIVATE void nn__argw_##SUF(const nn_tensor *x, int64_t b, int64_t e, int64_t *o) {        \
    int64_t idx[NN_MAX_DIMS], rem = b, off = 0, f, k, len, sl;                                   \
    const T *p = (const T *)x->data;                                                             \
    int nd = x->ndim, d;                                                                         \
    if (nd == 0) return; /* a nonzero 0-d element has no coordinates to write */                 \
    for (d = nd - 1; d >= 0; d--) {                                                              \
      idx[d] = rem % x->shape[d];                                                                \
      rem /= x->shape[d];                                                                        \
      off += idx[d] * x->strides[d];                                                             \
    }                                                                                            \
    sl = x->strides[nd - 1];                                                                     \
    for (f = b; f < e; f += len) {                                                               \
      const T *q = p + off;                                                                      \
      len = x->shape[nd - 1] - idx[nd - 1];                                                      \
      if (len > e - f) len = e - f;                                                              \
      for (k = 0; k < len; k++)                                                                  \
        if (q[k * sl] != 0) {                                                                    \
          for (d = 0; d < nd - 1; d++) *o++ = idx[d];                                            \
          *o++ = idx[nd - 1] + k;                                                                \
        }                                                                                        \
      idx[nd - 1] += len;                                                                        \
      off += len * sl;                                                                           \
      for (d = nd - 1; d > 0 && idx[d] >= x->shape[d]; d--) {                                    \
        off -= idx[d] * x->strides[d];                                                           \
        idx[d] = 0;                                                                              \
        idx[d - 1]++;                                                                            \
        off += x->strides[d - 1];                                                                \
      }                                                                                          \
    }                                                                                            \
  }
NN__ARGW(f32, float)
NN__ARGW(f64, double)
NN__ARGW(1, uint8_t)
NN__ARGW(4, uint32_t)
NN__ARGW(8, uint64_t)

NN__PRIVATE void nn__argw_task(void *vj, int64_t c) {
  const nn__argw_job *j = (const nn__argw_job *)vj;
  int64_t b = c * NN__GRAIN, e = b + NN__GRAIN, *o = j->out + j->start[c] * j->x->ndim;
  if (e > j->x->size) e = j->x->size;
  switch (j->x->dtype) {
    case NN_FLOAT32: nn__argw_f32(j->x, b, e, o); break;
    case NN_FLOAT64: nn__argw_f64(j->x, b, e, o); break;
    case NN_INT32: nn__argw_4(j->x, b, e, o); break;
    case NN_INT64: nn__argw_8(j->x, b, e, o); break;
    default: nn__argw_1(j->x, b, e, o); break;
  }
}

NNDEF nn_tensor *nn_argwhere(const nn_tensor *x) {
  const char *op = "nn_argwhere";
  int64_t nch, c, total = 0, *counts, shape[2];
  nn_tensor *out;
  nn__argw_job j;
  if (nn__check_cpu(op, x, "x") != NN_OK) return NULL;
  counts = nn__nz_counts(op, x, &nch);
  if (!counts) return NULL;
  for (c = 0; c < nch; c++) {
    int64_t k = counts[c];
    counts[c] = total; /* becomes the chunk's first output row */
    total += k;
  }
  shape[0] = total;
  shape[1] = x->ndim;
  out = nn__new(op, NN_INT64, shape, 2);
  if (out && out->size > 0) {
    j.x = x;
    j.start = counts;
    j.out = (int64_t *)out->data;
    nn__parallel_for(nch, nn__argw_task, &j);
  }
  nn__dealloc(counts);
  return out;
}

/* ---- one_hot ---- */

NNDEF nn_tensor *nn_one_hot(const nn_tensor *indices, int64_t num_classes, nn_dtype dtype) {
  const char *op = "nn_one_hot";
  int64_t shape[NN_MAX_DIMS], i, mx = -1, *p;
  unsigned char one[8];
  nn_tensor *idx, *out;
  size_t esz;
  int d;
  if (nn__check_cpu(op, indices, "indices") != NN_OK) return NULL;
  if (nn__check_idx_dtype(op, indices, "indices") != NN_OK) return NULL;
  if (!nn__dtype_valid(dtype)) {
    nn__fail(NN_ERR_DTYPE, "%s: invalid dtype %d", op, (int)dtype);
    return NULL;
  }
  if (indices->ndim + 1 > NN_MAX_DIMS) {
    nn__fail(NN_ERR_SHAPE, "%s: the result would have %d dimensions, more than NN_MAX_DIMS (%d)", op,
             indices->ndim + 1, NN_MAX_DIMS);
    return NULL;
  }
  idx = nn__new(op, NN_INT64, indices->shape, indices->ndim);
  if (!idx) return NULL;
  nn__assign(idx, indices);
  p = (int64_t *)idx->data;
  for (i = 0; i < idx->size; i++) {
    if (p[i] < 0) {
      nn__fail(NN_ERR_INDEX, "%s: class values must be non-negative, got %lld", op, (long long)p[i]);
      nn_free(idx);
      return NULL;
    }
    if (p[i] > mx) mx = p[i];
  }
  if (num_classes < 0) {
    if (idx->size == 0) {
      nn__fail(NN_ERR_VALUE, "%s: cannot infer the number of classes from an empty tensor (pass num_classes)", op);
      nn_free(idx);
      return NULL;
    }
    num_classes = mx + 1;
  } else if (mx >= num_classes) {
    nn__fail(NN_ERR_INDEX, "%s: class value %lld is out of range for num_classes = %lld", op, (long long)mx,
             (long long)num_classes);
    nn_free(idx);
    return NULL;
  }
  for (d = 0; d < indices->ndim; d++) shape[d] = indices->shape[d];
  shape[indices->ndim] = num_classes;
  out = nn__new(op, dtype, shape, indices->ndim + 1);
  if (out) {
    esz = nn_dtype_size(dtype);
    memset(out->data, 0, (size_t)out->size * esz);
    nn__store(dtype, one, 1.0);
    for (i = 0; i < idx->size; i++) memcpy(NN__EPTR(out->data, i * num_classes + p[i], esz), one, esz);
  }
  nn_free(idx);
  return out;
}
