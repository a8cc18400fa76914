/* ops/shape.c: joining, splitting, tiling, padding, flipping and rolling.

   Most ops here only move elements. Joins and roll are nn__assign calls between slices (which also converts
   dtypes and runs on the thread pool). Tile, repeat, pad and take (ops/index.c) are one primitive,
   nn__gather_axes: every output axis reads the source through its own index map,
   out[j0,...,jn] = x[map0[j0], ..., mapn[jn]], an entry -1 giving a constant. Its inner rows are split into runs
   of consecutive source elements copied with memcpy when they are contiguous. Element moves are typed by element
   size (1, 4 or 8 bytes), never by dtype. */

/* A header on the stack describing part of an existing buffer: it owns nothing and belongs to no scope, so it
   needs no freeing. It only carries geometry to nn__assign and the iterator. strides NULL: contiguous. */
NN__PRIVATE void nn__hdr(nn_tensor *h, nn_dtype dt, const int64_t *shape, const int64_t *strides, int ndim,
                         void *data) {
  int i;
  memset(h, 0, sizeof *h);
  h->dtype = dt;
  h->ndim = ndim;
  for (i = 0; i < ndim; i++) h->shape[i] = shape[i];
  h->size = nn__shape_size(shape, ndim);
  if (strides)
    for (i = 0; i < ndim; i++) h->strides[i] = strides[i];
  else
    nn__contiguous_strides(h->strides, shape, ndim);
  h->data = data;
  h->device = NN_CPU;
}

/* The largest element count an op may create (nn__check_shape's limit), used to reject overflowing sizes. */
#define NN__MAX_ELEMS ((int64_t)1 << 48)

/* Element address helper: byte pointer of element offset k (in elements) from data. */
#define NN__EPTR(data, k, esz) ((char *)(data) + (int64_t)(k) * (int64_t)(esz))

/* ---- the gather engine ---- */

typedef struct nn__gx {
  char *out;        /* contiguous output */
  const char *src;  /* source element (0,...,0) */
  int ndim;         /* >= 1 */
  int64_t oshape[NN_MAX_DIMS];
  int64_t sst[NN_MAX_DIMS]; /* source strides in bytes */
  const int64_t *map[NN_MAX_DIMS];
  int64_t wlo[NN_MAX_DIMS], whi[NN_MAX_DIMS], wsrc[NN_MAX_DIMS]; /* identity window of each mapped axis */
  int64_t esz;
  unsigned char cval[8];
  int64_t m;            /* row length: the last output axis */
  int64_t nrows;        /* product of the other output axes */
  int64_t rpc, cw, cpr; /* rows per chunk; column width and column chunks per row (long rows) */
  const int64_t *runs;  /* nruns triples (output start, source byte offset or INT64_MIN for the constant, length) */
  int64_t nruns;
  const int64_t *offs;  /* when runs is NULL: per element source byte offset or INT64_MIN */
} nn__gx;

#define NN__CONST_OFF INT64_MIN

/* Source index of output position j along axis d: identity without a map; with one, j - wlo + wsrc inside the
   window [wlo, whi) and the table outside it (the table skips the window). */
NN__PRIVATE int64_t nn__gx_index(const nn__gx *g, int d, int64_t j) {
  if (!g->map[d]) return j;
  if (j < g->wlo[d]) return g->map[d][j];
  if (j < g->whi[d]) return j - g->wlo[d] + g->wsrc[d];
  return g->map[d][j - (g->whi[d] - g->wlo[d])];
}

/* Row kernels, one per element size: output columns [k0, k1) of one row; base NULL means a constant row. */
#define NN__GX_ROW(SUF, T)                                                                    \
  NN__PRIVATE void nn__gx_row_##SUF(const nn__gx *g, T *o, const char *base, int64_t k0, int64_t k1) { \
    T cv;                                                                                     \
    int64_t k;                                                                                \
    memcpy(&cv, g->cval, sizeof(T));                                                          \
    if (!base) {                                                                              \
      for (k = k0; k < k1; k++) o[k] = cv;                                                    \
      return;                                                                                 \
    }                                                                                         \
    if (g->runs) {                                                                            \
      int64_t sl = g->sst[g->ndim - 1], lo = 0, hi = g->nruns, r;                             \
      /* first run that ends after k0 */                                                      \
      while (lo < hi) {                                                                       \
        int64_t mid = lo + (hi - lo) / 2;                                                     \
        if (g->runs[3 * mid] + g->runs[3 * mid + 2] <= k0) lo = mid + 1;                      \
        else hi = mid;                                                                        \
      }                                                                                       \
      for (r = lo; r < g->nruns && g->runs[3 * r] < k1; r++) {                                \
        const int64_t *ru = g->runs + 3 * r;                                                  \
        int64_t a = ru[0] > k0 ? ru[0] : k0, b = ru[0] + ru[2] < k1 ? ru[0] + ru[2] : k1;     \
        T *d = o + a;                                                                         \
        if (ru[1] == NN__CONST_OFF) {                                                         \
          for (k = 0; k < b - a; k++) d[k] = cv;                                              \
        } else {                                                                              \
          const char *s = base + ru[1] + (a - ru[0]) * sl;                                    \
          if (sl == (int64_t)sizeof(T)) memcpy(d, s, (size_t)(b - a) * sizeof(T));            \
          else                                                                                \
            for (k = 0; k < b - a; k++) memcpy(d + k, s + k * sl, sizeof(T));                 \
        }                                                                                     \
      }                                                                                       \
    } else {                                                                                  \
      const int64_t *off = g->offs;                                                           \
      for (k = k0; k < k1; k++) {                                                             \
        if (off[k] == NN__CONST_OFF) o[k] = cv;                                               \
        else memcpy(o + k, base + off[k], sizeof(T));                                         \
      }                                                                                       \
    }                                                                                         \
  }
NN__GX_ROW(1, uint8_t)
NN__GX_ROW(4, uint32_t)
NN__GX_ROW(8, uint64_t)

NN__PRIVATE void nn__gx_chunk(void *ctx, int64_t c) {
  const nn__gx *g = (const nn__gx *)ctx;
  int64_t idx[NN_MAX_DIMS], r0 = (c / g->cpr) * g->rpc, r1 = r0 + g->rpc, rem, r;
  int64_t k0 = (c % g->cpr) * g->cw, k1 = k0 + g->cw;
  int nd = g->ndim - 1, d;
  if (r1 > g->nrows) r1 = g->nrows;
  if (k1 > g->m) k1 = g->m;
  rem = r0;
  for (d = nd - 1; d >= 0; d--) {
    idx[d] = rem % g->oshape[d];
    rem /= g->oshape[d];
  }
  for (r = r0; r < r1; r++) {
    const char *base = g->src;
    char *o = g->out + r * g->m * g->esz;
    for (d = 0; d < nd; d++) {
      int64_t j = nn__gx_index(g, d, idx[d]);
      if (j < 0) {
        base = NULL;
        break;
      }
      base += j * g->sst[d];
    }
    if (g->esz == 1) nn__gx_row_1(g, (uint8_t *)o, base, k0, k1);
    else if (g->esz == 4) nn__gx_row_4(g, (uint32_t *)o, base, k0, k1);
    else nn__gx_row_8(g, (uint64_t *)o, base, k0, k1);
    for (d = nd - 1; d >= 0; d--) {
      if (++idx[d] < g->oshape[d]) break;
      idx[d] = 0;
    }
  }
}

/* out (contiguous, shape oshape[0..ndim)) = x gathered through maps: out[j] = x[maps[0][j0], ..., maps[n-1][jn-1]].
   x is a header with the same ndim; maps[d] NULL is the identity (oshape[d] == x->shape[d]); entries are in
   [0, x->shape[d]) or -1 for the constant *cval (of x's dtype; NULL allowed when no entry is -1). win (NULL or
   3 * ndim values lo, hi, src per axis) lets a map skip an identity stretch: on [lo, hi) the index is
   j - lo + src and maps[d] holds only the oshape[d] - (hi - lo) entries outside it (what pad uses). Work is
   chunked by output size only. */
NN__PRIVATE nn_status nn__gather_axes(const char *op, void *out, const int64_t *oshape, int ndim, const nn_tensor *x,
                                      const int64_t *const *maps, const int64_t *win, const void *cval) {
  nn__gx g;
  int d, last;
  int64_t total = nn__shape_size(oshape, ndim), *buf = NULL, k, nruns, nchunks, prev, cur;
  memset(&g, 0, sizeof g);
  g.esz = (int64_t)nn_dtype_size(x->dtype);
  if (cval) memcpy(g.cval, cval, (size_t)g.esz);
  if (total <= 0) return NN_OK;
  if (ndim == 0) {
    memcpy(out, x->data, (size_t)g.esz);
    return NN_OK;
  }
  g.out = (char *)out;
  g.src = (const char *)x->data;
  g.ndim = ndim;
  for (d = 0; d < ndim; d++) {
    g.oshape[d] = oshape[d];
    g.sst[d] = x->strides[d] * g.esz;
    g.map[d] = maps ? maps[d] : NULL;
    g.wlo[d] = win ? win[3 * d] : 0;
    g.whi[d] = win ? win[3 * d + 1] : 0;
    g.wsrc[d] = win ? win[3 * d + 2] : 0;
  }
  g.m = oshape[ndim - 1];
  g.nrows = total / g.m;
  /* the last axis: runs of consecutive source elements, or per-element offsets when runs are short */
  last = ndim - 1;
  nruns = 1;
  if (g.map[last])
    for (k = 1, prev = nn__gx_index(&g, last, 0); k < g.m; k++, prev = cur) {
      cur = nn__gx_index(&g, last, k);
      if (!((cur < 0 && prev < 0) || (cur >= 0 && prev >= 0 && cur == prev + 1))) nruns++;
    }
  if (nruns * 4 <= g.m || nruns == 1) {
    int64_t r = 0;
    buf = (int64_t *)nn__xalloc(op, (size_t)nruns * 3 * sizeof(int64_t));
    if (!buf) return nn_last_status();
    for (k = 0, prev = 0; k < g.m; k++, prev = cur) {
      cur = nn__gx_index(&g, last, k);
      if (k == 0 || !((cur < 0 && prev < 0) || (cur >= 0 && prev >= 0 && cur == prev + 1))) {
        if (k > 0) r++;
        buf[3 * r] = k;
        buf[3 * r + 1] = cur < 0 ? NN__CONST_OFF : cur * g.sst[last];
        buf[3 * r + 2] = 0;
      }
      buf[3 * r + 2]++;
    }
    g.runs = buf;
    g.nruns = nruns;
  } else {
    buf = (int64_t *)nn__xalloc(op, (size_t)g.m * sizeof(int64_t));
    if (!buf) return nn_last_status();
    for (k = 0; k < g.m; k++) {
      cur = nn__gx_index(&g, last, k);
      buf[k] = cur < 0 ? NN__CONST_OFF : cur * g.sst[last];
    }
    g.offs = buf;
  }
  if (g.m >= NN__GRAIN) {
    g.rpc = 1;
    g.cw = NN__GRAIN;
    g.cpr = (g.m + NN__GRAIN - 1) / NN__GRAIN;
  } else {
    g.rpc = NN__GRAIN / g.m;
    g.cw = g.m;
    g.cpr = 1;
  }
  nchunks = (g.nrows + g.rpc - 1) / g.rpc * g.cpr;
  nn__parallel_for(nchunks, nn__gx_chunk, &g);
  nn__dealloc(buf);
  return NN_OK;
}

/* ---- concatenate / stack ---- */

/* Checks the tensor list of a join and returns the promoted dtype (NN_DTYPE_COUNT on error). */
NN__PRIVATE nn_dtype nn__join_check(const char *op, nn_tensor *const *ts, int n, const char *what) {
  nn_dtype dt = NN_DTYPE_COUNT;
  char nm[32];
  int i;
  if (!ts) {
    nn__fail_null(op, "ts");
    return NN_DTYPE_COUNT;
  }
  if (n <= 0) {
    nn__fail(NN_ERR_ARG, "%s: need at least one array to %s (n = %d)", op, what, n);
    return NN_DTYPE_COUNT;
  }
  for (i = 0; i < n; i++) {
    snprintf(nm, sizeof nm, "ts[%d]", i);
    if (nn__check_cpu(op, ts[i], nm) != NN_OK) return NN_DTYPE_COUNT;
    dt = i ? nn_promote_types(dt, ts[i]->dtype) : ts[i]->dtype;
  }
  if (!nn__dtype_valid(dt)) nn__fail(NN_ERR_DTYPE, "%s: invalid dtype among the inputs", op);
  return dt;
}

NNDEF nn_tensor *nn_concatenate(nn_tensor *const *ts, int n, int axis) {
  const char *op = "nn_concatenate";
  int64_t shape[NN_MAX_DIMS], total = 0, off = 0;
  char s1[160], s2[160];
  nn_tensor *out, h;
  nn_dtype dt = nn__join_check(op, ts, n, "concatenate");
  int i, d, nd;
  size_t esz;
  if (dt == NN_DTYPE_COUNT) return NULL;
  esz = nn_dtype_size(dt);
  if (axis == NN_ALL_AXES) {
    for (i = 0; i < n; i++) {
      total += ts[i]->size;
      if (total > NN__MAX_ELEMS) {
        nn__fail(NN_ERR_SHAPE, "%s: the result would have too many elements", op);
        return NULL;
      }
    }
    out = nn__new(op, dt, &total, 1);
    if (!out) return NULL;
    for (i = 0; i < n; i++) {
      nn__hdr(&h, dt, ts[i]->shape, NULL, ts[i]->ndim, NN__EPTR(out->data, off, esz));
      nn__assign(&h, ts[i]);
      off += ts[i]->size;
    }
    if (nn__ag_wanted_n(ts, n)) out = nn__grad_join(out, ts, n, NN_ALL_AXES, 0);
    return out;
  }
  nd = ts[0]->ndim;
  if (nd == 0) {
    nn__fail(NN_ERR_SHAPE, "%s: zero-dimensional arrays cannot be concatenated (use NN_ALL_AXES to flatten them)", op);
    return NULL;
  }
  if (nn__norm_axis(op, &axis, nd) != NN_OK) return NULL;
  for (i = 1; i < n; i++) {
    if (ts[i]->ndim != nd) {
      nn__fail(NN_ERR_SHAPE,
               "%s: all the input arrays must have same number of dimensions, but the array at index 0 has %d "
               "dimension(s) and the array at index %d has %d dimension(s)",
               op, nd, i, ts[i]->ndim);
      return NULL;
    }
    for (d = 0; d < nd; d++)
      if (d != axis && ts[i]->shape[d] != ts[0]->shape[d]) {
        nn__fail(NN_ERR_SHAPE,
                 "%s: all the input array dimensions except for the concatenation axis must match exactly, but along "
                 "dimension %d, the array at index 0 has size %lld and the array at index %d has size %lld "
                 "(shapes %s and %s)",
                 op, d, (long long)ts[0]->shape[d], i, (long long)ts[i]->shape[d], nn_shape_str(ts[0], s1, sizeof s1),
                 nn_shape_str(ts[i], s2, sizeof s2));
        return NULL;
      }
  }
  for (i = 0; i < n; i++) {
    total += ts[i]->shape[axis];
    if (total > NN__MAX_ELEMS) {
      nn__fail(NN_ERR_SHAPE, "%s: the result would have too many elements", op);
      return NULL;
    }
  }
  for (d = 0; d < nd; d++) shape[d] = ts[0]->shape[d];
  shape[axis] = total;
  out = nn__new(op, dt, shape, nd);
  if (!out) return NULL;
  for (i = 0; i < n; i++) {
    nn__hdr(&h, dt, ts[i]->shape, out->strides, nd, NN__EPTR(out->data, off * out->strides[axis], esz));
    nn__assign(&h, ts[i]);
    off += ts[i]->shape[axis];
  }
  if (nn__ag_wanted_n(ts, n)) out = nn__grad_join(out, ts, n, axis, 0);
  return out;
}

NNDEF nn_tensor *nn_stack(nn_tensor *const *ts, int n, int axis) {
  const char *op = "nn_stack";
  int64_t shape[NN_MAX_DIMS] = {0}, st[NN_MAX_DIMS] = {0};
  char s1[160], s2[160];
  nn_tensor *out, h;
  nn_dtype dt = nn__join_check(op, ts, n, "stack");
  int i, d, k, nd;
  size_t esz;
  if (dt == NN_DTYPE_COUNT) return NULL;
  esz = nn_dtype_size(dt);
  nd = ts[0]->ndim;
  for (i = 1; i < n; i++) {
    int same = ts[i]->ndim == nd;
    for (d = 0; same && d < nd; d++) same = ts[i]->shape[d] == ts[0]->shape[d];
    if (!same) {
      nn__fail(NN_ERR_SHAPE,
               "%s: all input arrays must have the same shape, but the array at index 0 has shape %s and the array "
               "at index %d has shape %s",
               op, nn_shape_str(ts[0], s1, sizeof s1), i, nn_shape_str(ts[i], s2, sizeof s2));
      return NULL;
    }
  }
  if (nd + 1 > NN_MAX_DIMS) {
    nn__fail(NN_ERR_SHAPE, "%s: the result would have %d dimensions, more than NN_MAX_DIMS (%d)", op, nd + 1,
             NN_MAX_DIMS);
    return NULL;
  }
  if (nn__norm_axis(op, &axis, nd + 1) != NN_OK) return NULL;
  for (d = 0, k = 0; d <= nd; d++) shape[d] = d == axis ? (int64_t)n : ts[0]->shape[k++];
  out = nn__new(op, dt, shape, nd + 1);
  if (!out) return NULL;
  for (d = 0, k = 0; d <= nd; d++)
    if (d != axis) st[k++] = out->strides[d];
  for (i = 0; i < n; i++) {
    nn__hdr(&h, dt, ts[0]->shape, st, nd, NN__EPTR(out->data, (int64_t)i * out->strides[axis], esz));
    nn__assign(&h, ts[i]);
  }
  if (nn__ag_wanted_n(ts, n)) out = nn__grad_join(out, ts, n, axis, 1);
  return out;
}

/* ---- split ---- */

/* Section i of a split: sections > 0 gives array_split's sizes; otherwise the index list (Python slice rules). */
NN__PRIVATE void nn__split_bounds(int64_t i, int64_t len, int64_t sections, const int64_t *ind, int64_t nind,
                                  int64_t *start, int64_t *count) {
  if (sections > 0) {
    int64_t each = len / sections, extra = len % sections;
    *start = i * each + (i < extra ? i : extra);
    *count = each + (i < extra ? 1 : 0);
  } else {
    int64_t b = i == 0 ? 0 : ind[i - 1], e = i == nind ? len : ind[i];
    *count = nn__slice_indices(len, &b, &e, 1);
    *start = b;
  }
}

NN__PRIVATE nn_status nn__split(const char *op, const nn_tensor *x, int64_t sections, const int64_t *ind,
                                int64_t nind, int axis, nn_tensor **out) {
  int64_t nout = sections > 0 ? sections : nind + 1, i, j, shape[NN_MAX_DIMS], start, count;
  size_t esz;
  int d;
  for (i = 0; i < nout; i++) out[i] = NULL;
  if (nn__norm_axis(op, &axis, x->ndim) != NN_OK) return nn_last_status();
  esz = nn_dtype_size(x->dtype);
  for (d = 0; d < x->ndim; d++) shape[d] = x->shape[d];
  for (i = 0; i < nout; i++) {
    nn__split_bounds(i, x->shape[axis], sections, ind, nind, &start, &count);
    shape[axis] = count;
    out[i] = nn__view(op, x, shape, x->strides, x->ndim,
                      count > 0 ? NN__EPTR(x->data, start * x->strides[axis], esz) : (char *)x->data);
    if (out[i] && nn__ag_wanted1(x)) out[i] = nn__grad_slice(out[i], x, op, axis, start, count, 1);
    if (!out[i]) {
      nn_status st = nn_last_status();
      for (j = 0; j < i; j++) {
        nn_free(out[j]);
        out[j] = NULL;
      }
      return st;
    }
  }
  return NN_OK;
}

NNDEF nn_status nn_split(const nn_tensor *x, int sections, int axis, nn_tensor **out) {
  const char *op = "nn_split";
  if (nn__check_cpu(op, x, "x") != NN_OK) return nn_last_status();
  if (!out) return nn__fail_null(op, "out");
  if (sections <= 0) return nn__fail(NN_ERR_VALUE, "%s: number sections must be larger than 0 (got %d)", op, sections);
  if (nn__norm_axis(op, &axis, x->ndim) != NN_OK) return nn_last_status();
  if (x->shape[axis] % sections != 0)
    return nn__fail(NN_ERR_VALUE,
                    "%s: array split does not result in an equal division (axis %d of length %lld into %d sections)",
                    op, axis, (long long)x->shape[axis], sections);
  return nn__split(op, x, sections, NULL, 0, axis, out);
}

NNDEF nn_status nn_array_split(const nn_tensor *x, int sections, int axis, nn_tensor **out) {
  const char *op = "nn_array_split";
  if (nn__check_cpu(op, x, "x") != NN_OK) return nn_last_status();
  if (!out) return nn__fail_null(op, "out");
  if (sections <= 0) return nn__fail(NN_ERR_VALUE, "%s: number sections must be larger than 0 (got %d)", op, sections);
  return nn__split(op, x, sections, NULL, 0, axis, out);
}

NNDEF nn_status nn_split_at(const nn_tensor *x, const int64_t *indices, int nindices, int axis, nn_tensor **out) {
  const char *op = "nn_split_at";
  if (nn__check_cpu(op, x, "x") != NN_OK) return nn_last_status();
  if (!out) return nn__fail_null(op, "out");
  if (nindices < 0) return nn__fail(NN_ERR_VALUE, "%s: nindices must be >= 0 (got %d)", op, nindices);
  if (nindices > 0 && !indices) return nn__fail_null(op, "indices");
  return nn__split(op, x, 0, indices, nindices, axis, out);
}

/* ---- tile / repeat ---- */

NN__PRIVATE nn_tensor *nn__tile(const nn_tensor *x, const int64_t *reps, int nreps) {
  const char *op = "nn_tile";
  int64_t oshape[NN_MAX_DIMS], xs[NN_MAX_DIMS], xst[NN_MAX_DIMS], r[NN_MAX_DIMS], nmap = 0, *buf = NULL, *p, j;
  const int64_t *maps[NN_MAX_DIMS];
  nn_tensor *out, h;
  int D, d, lead;
  if (nn__check_cpu(op, x, "x") != NN_OK) return NULL;
  if (nreps < 0 || nreps > NN_MAX_DIMS) {
    nn__fail(NN_ERR_ARG, "%s: nreps %d is outside [0, %d]", op, nreps, NN_MAX_DIMS);
    return NULL;
  }
  if (nreps > 0 && !reps) {
    nn__fail_null(op, "reps");
    return NULL;
  }
  D = x->ndim > nreps ? x->ndim : nreps;
  lead = D - x->ndim;
  for (d = 0; d < D; d++) {
    xs[d] = d < lead ? 1 : x->shape[d - lead];
    xst[d] = d < lead ? 0 : x->strides[d - lead];
    r[d] = d < D - nreps ? 1 : reps[d - (D - nreps)];
    if (r[d] < 0) {
      nn__fail(NN_ERR_VALUE, "%s: negative dimensions are not allowed (reps[%d] = %lld)", op, d - (D - nreps),
               (long long)r[d]);
      return NULL;
    }
    if (xs[d] > 0 && r[d] > NN__MAX_ELEMS / xs[d]) {
      nn__fail(NN_ERR_SHAPE, "%s: the result would have too many elements", op);
      return NULL;
    }
    oshape[d] = xs[d] * r[d];
    if (r[d] != 1 && oshape[d] > 0) nmap += oshape[d];
  }
  out = nn__new(op, x->dtype, oshape, D);
  if (!out) return NULL;
  if (out->size == 0) return out;
  if (nmap > 0) {
    buf = (int64_t *)nn__xalloc(op, (size_t)nmap * sizeof(int64_t));
    if (!buf) {
      nn_free(out);
      return NULL;
    }
  }
  p = buf;
  for (d = 0; d < D; d++) {
    maps[d] = NULL;
    if (r[d] != 1) {
      for (j = 0; j < oshape[d]; j++) p[j] = j % xs[d];
      maps[d] = p;
      p += oshape[d];
    }
  }
  nn__hdr(&h, x->dtype, xs, xst, D, x->data);
  if (nn__gather_axes(op, out->data, oshape, D, &h, maps, NULL, NULL) != NN_OK) {
    nn_free(out);
    out = NULL;
  }
  nn__dealloc(buf);
  return out;
}

NNDEF nn_tensor *nn_tile(const nn_tensor *x, const int64_t *reps, int nreps) {
  nn_tensor *out = nn__tile(x, reps, nreps);
  if (out && nn__ag_wanted1(x)) out = nn__grad_tile(out, x);
  return out;
}

/* repeat with counts[ncounts] (ncounts 1: every element the same count). scalar: report like np.repeat(x, int). */
NN__PRIVATE nn_tensor *nn__repeat(const char *op, const nn_tensor *x, const int64_t *counts, int64_t ncounts, int axis,
                                  int scalar) {
  nn_tensor *flat = NULL, *out = NULL, h;
  const nn_tensor *src = x;
  const int64_t *maps[NN_MAX_DIMS];
  int64_t shape[NN_MAX_DIMS], n, total = 0, i, k, *map = NULL, *p;
  int d, nd;
  for (i = 0; i < ncounts; i++)
    if (counts[i] < 0) {
      if (scalar) nn__fail(NN_ERR_VALUE, "%s: negative dimensions are not allowed (repeats = %lld)", op, (long long)counts[i]);
      else nn__fail(NN_ERR_VALUE, "%s: repeats may not contain negative values (repeats[%lld] = %lld)", op, (long long)i,
                    (long long)counts[i]);
      return NULL;
    }
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
  nd = src->ndim;
  n = src->shape[axis];
  if (ncounts != 1 && ncounts != n) {
    nn__fail(NN_ERR_SHAPE, "%s: operands could not be broadcast together with shape (%lld,) (%lld,)", op, (long long)n,
             (long long)ncounts);
    goto done;
  }
  for (i = 0; i < n; i++) {
    int64_t c = counts[ncounts == 1 ? 0 : i];
    if (c > NN__MAX_ELEMS || total > NN__MAX_ELEMS - c) {
      nn__fail(NN_ERR_SHAPE, "%s: the result would have too many elements", op);
      goto done;
    }
    total += c;
  }
  for (d = 0; d < nd; d++) {
    shape[d] = src->shape[d];
    maps[d] = NULL;
  }
  shape[axis] = total;
  out = nn__new(op, x->dtype, shape, nd);
  if (!out || out->size == 0) goto done;
  map = (int64_t *)nn__xalloc(op, (size_t)total * sizeof(int64_t));
  if (!map) goto fail;
  for (i = 0, p = map; i < n; i++)
    for (k = counts[ncounts == 1 ? 0 : i]; k > 0; k--) *p++ = i;
  maps[axis] = map;
  if (nn__gather_axes(op, out->data, shape, nd, src, maps, NULL, NULL) == NN_OK) goto done;
fail:
  nn_free(out);
  out = NULL;
done:
  nn__dealloc(map);
  nn_free(flat);
  return out;
}

NNDEF nn_tensor *nn_repeat(const nn_tensor *x, int64_t repeats, int axis) {
  nn_tensor *out;
  if (nn__check_cpu("nn_repeat", x, "x") != NN_OK) return NULL;
  out = nn__repeat("nn_repeat", x, &repeats, 1, axis, 1);
  if (out && nn__ag_wanted1(x)) out = nn__grad_repeat(out, x, "nn_repeat", &repeats, 1, axis);
  return out;
}

NNDEF nn_tensor *nn_repeat_each(const nn_tensor *x, const int64_t *repeats, int64_t nrepeats, int axis) {
  const char *op = "nn_repeat_each";
  nn_tensor *out;
  if (nn__check_cpu(op, x, "x") != NN_OK) return NULL;
  if (!repeats) {
    nn__fail_null(op, "repeats");
    return NULL;
  }
  if (nrepeats < 1) {
    nn__fail(NN_ERR_VALUE, "%s: nrepeats must be at least 1 (got %lld)", op, (long long)nrepeats);
    return NULL;
  }
  out = nn__repeat(op, x, repeats, nrepeats, axis, 0);
  if (out && nn__ag_wanted1(x)) out = nn__grad_repeat(out, x, op, repeats, nrepeats, axis);
  return out;
}

/* ---- pad ---- */

/* Source index for padded position j of an axis of length n with `before` elements in front, or -1 (constant). */
NN__PRIVATE int64_t nn__pad_index(int64_t j, int64_t before, int64_t n, nn_pad_mode mode) {
  int64_t p = j - before, q;
  if (p >= 0 && p < n) return p;
  switch (mode) {
    case NN_PAD_EDGE: return p < 0 ? 0 : n - 1;
    case NN_PAD_WRAP:
      q = p % n;
      return q < 0 ? q + n : q;
    case NN_PAD_REFLECT:
      if (n == 1) return 0;
      q = p % (2 * (n - 1));
      if (q < 0) q += 2 * (n - 1);
      return q < n ? q : 2 * (n - 1) - q;
    case NN_PAD_SYMMETRIC:
      q = p % (2 * n);
      if (q < 0) q += 2 * n;
      return q < n ? q : 2 * n - 1 - q;
    default: return -1;
  }
}

NN__PRIVATE nn_tensor *nn__pad(const nn_tensor *x, const int64_t *pad_width, nn_pad_mode mode, double value) {
  const char *op = "nn_pad";
  int64_t oshape[NN_MAX_DIMS], win[3 * NN_MAX_DIMS], nmap = 0, *buf = NULL, *p, j;
  const int64_t *maps[NN_MAX_DIMS];
  unsigned char cval[8];
  nn_tensor *out;
  int d;
  if (nn__check_cpu(op, x, "x") != NN_OK) return NULL;
  if ((int)mode < (int)NN_PAD_CONSTANT || (int)mode > (int)NN_PAD_WRAP) {
    nn__fail(NN_ERR_ARG, "%s: invalid pad mode %d", op, (int)mode);
    return NULL;
  }
  if (x->ndim > 0 && !pad_width) {
    nn__fail_null(op, "pad_width");
    return NULL;
  }
  for (d = 0; d < x->ndim; d++) {
    int64_t b = pad_width[2 * d], a = pad_width[2 * d + 1];
    if (b < 0 || a < 0) {
      nn__fail(NN_ERR_VALUE, "%s: index can't contain negative values (pad_width for axis %d is (%lld, %lld))", op, d,
               (long long)b, (long long)a);
      return NULL;
    }
    if (b > NN__MAX_ELEMS || a > NN__MAX_ELEMS) {
      nn__fail(NN_ERR_SHAPE, "%s: the result would have too many elements", op);
      return NULL;
    }
    if (x->shape[d] == 0 && (a > 0 || b > 0) && mode != NN_PAD_CONSTANT) {
      nn__fail(NN_ERR_VALUE, "%s: can't extend empty axis %d using modes other than 'constant' or 'empty'", op, d);
      return NULL;
    }
    oshape[d] = b + x->shape[d] + a;
    nmap += a + b;
  }
  nn__store(x->dtype, cval, value);
  out = nn__new(op, x->dtype, oshape, x->ndim);
  if (!out || out->size == 0) return out;
  if (nmap > 0) {
    buf = (int64_t *)nn__xalloc(op, (size_t)nmap * sizeof(int64_t));
    if (!buf) {
      nn_free(out);
      return NULL;
    }
  }
  /* each padded axis maps only its pad regions; the original elements are the identity window [b, b + n) */
  p = buf;
  for (d = 0; d < x->ndim; d++) {
    int64_t b = pad_width[2 * d], a = pad_width[2 * d + 1], n = x->shape[d];
    maps[d] = NULL;
    win[3 * d] = b;
    win[3 * d + 1] = b + n;
    win[3 * d + 2] = 0;
    if (a > 0 || b > 0) {
      for (j = 0; j < b; j++) p[j] = nn__pad_index(j, b, n, mode);
      for (j = 0; j < a; j++) p[b + j] = nn__pad_index(b + n + j, b, n, mode);
      maps[d] = p;
      p += a + b;
    }
  }
  if (nn__gather_axes(op, out->data, oshape, x->ndim, x, maps, win, cval) != NN_OK) {
    nn_free(out);
    out = NULL;
  }
  nn__dealloc(buf);
  return out;
}

NNDEF nn_tensor *nn_pad(const nn_tensor *x, const int64_t *pad_width, nn_pad_mode mode, double value) {
  nn_tensor *out = nn__pad(x, pad_width, mode, value);
  if (out && nn__ag_wanted1(x)) out = nn__grad_pad(out, x, pad_width, (int)mode);
  return out;
}

/* ---- flip / roll ---- */

NNDEF nn_tensor *nn_flip(const nn_tensor *x, int axis) {
  const char *op = "nn_flip";
  int64_t st[NN_MAX_DIMS];
  nn_tensor *v;
  char *data;
  int d;
  if (nn__check_cpu(op, x, "x") != NN_OK) return NULL;
  if (axis != NN_ALL_AXES && nn__norm_axis(op, &axis, x->ndim) != NN_OK) return NULL;
  data = (char *)x->data;
  for (d = 0; d < x->ndim; d++) {
    st[d] = x->strides[d];
    if ((axis == NN_ALL_AXES || d == axis) && x->shape[d] > 0) {
      data = NN__EPTR(data, (x->shape[d] - 1) * x->strides[d], nn_dtype_size(x->dtype));
      st[d] = -x->strides[d];
    }
  }
  v = nn__view(op, x, x->shape, st, x->ndim, data);
  if (v && nn__ag_wanted1(x)) v = nn__grad_flip(v, x, axis);
  return v;
}

NN__PRIVATE nn_tensor *nn__roll(const nn_tensor *x, int64_t shift, int axis) {
  const char *op = "nn_roll";
  nn_tensor *flat = NULL, *out, fh, h, dst, part;
  const nn_tensor *src = x;
  int64_t shape[NN_MAX_DIMS], n, s;
  size_t esz;
  int d;
  if (nn__check_cpu(op, x, "x") != NN_OK) return NULL;
  if (axis != NN_ALL_AXES && nn__norm_axis(op, &axis, x->ndim) != NN_OK) return NULL;
  out = nn__new(op, x->dtype, x->shape, x->ndim);
  if (!out || out->size == 0) return out;
  if (axis == NN_ALL_AXES) {
    if (nn_is_contiguous(x)) {
      n = x->size;
      nn__hdr(&fh, x->dtype, &n, NULL, 1, x->data);
      src = &fh;
    } else {
      flat = nn_ravel(x);
      if (!flat) {
        nn_free(out);
        return NULL;
      }
      src = flat;
    }
    axis = 0;
  }
  /* out[s:] = src[:n-s] and out[:s] = src[n-s:] along axis: two strided copies */
  esz = nn_dtype_size(x->dtype);
  n = src->shape[axis];
  s = shift % n;
  if (s < 0) s += n;
  nn__hdr(&dst, x->dtype, src->shape, NULL, src->ndim, out->data);
  for (d = 0; d < src->ndim; d++) shape[d] = src->shape[d];
  shape[axis] = n - s;
  nn__hdr(&h, x->dtype, shape, dst.strides, src->ndim, NN__EPTR(out->data, s * dst.strides[axis], esz));
  nn__hdr(&part, x->dtype, shape, src->strides, src->ndim, src->data);
  nn__assign(&h, &part);
  if (s > 0) {
    shape[axis] = s;
    nn__hdr(&h, x->dtype, shape, dst.strides, src->ndim, out->data);
    nn__hdr(&part, x->dtype, shape, src->strides, src->ndim, NN__EPTR(src->data, (n - s) * src->strides[axis], esz));
    nn__assign(&h, &part);
  }
  nn_free(flat);
  return out;
}

NNDEF nn_tensor *nn_roll(const nn_tensor *x, int64_t shift, int axis) {
  nn_tensor *out = nn__roll(x, shift, axis);
  if (out && nn__ag_wanted1(x)) out = nn__grad_roll(out, x, shift, axis);
  return out;
}
