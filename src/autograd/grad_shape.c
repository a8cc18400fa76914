/* autograd/grad_shape.c: backward formulas of the views and shape ops (PyTorch's derivatives).

   Views pass gradients back through views of the gradient (reshape, permute, flip: no copy) or through a zero
   tensor with the gradient assigned into the same view of it (slice, select, diagonal). Ops that copy elements
   around (tile, repeat, pad, and take/sort in grad_index.c) are gathers along axes, out[..j..] = x[..map[j]..];
   their adjoint is one primitive, nn__ag_axis_adjoint, which adds gradient rows back into their source rows. */

/* ---- helpers ---- */

/* Normalizes an axis that the op already validated (NN_ALL_AXES stays). */
NN__PRIVATE int nn__ag_axis(int axis, int ndim) { return axis == NN_ALL_AXES || axis >= 0 ? axis : axis + ndim; }

/* A view of t whose axis keeps the elements start + i * step, i < count (start already in range when count > 0). */
NN__PRIVATE nn_tensor *nn__ag_subview(const char *name, const nn_tensor *t, int axis, int64_t start, int64_t count,
                                      int64_t step) {
  int64_t sh[NN_MAX_DIMS], st[NN_MAX_DIMS];
  int d;
  for (d = 0; d < t->ndim; d++) {
    sh[d] = t->shape[d];
    st[d] = t->strides[d];
  }
  sh[axis] = count;
  st[axis] = t->strides[axis] * step;
  return nn__view(name, t, sh, st, t->ndim,
                  (char *)t->data + (count > 0 ? start : 0) * t->strides[axis] * (int64_t)nn_dtype_size(t->dtype));
}

/* zeros(shape) of t's dtype with t assigned into its leading block (t's shape, no larger along any axis). */
NN__PRIVATE nn_tensor *nn__ag_embed(const char *name, const nn_tensor *t, const int64_t *shape, int ndim) {
  nn_tensor *z = nn_zeros(shape, ndim, t->dtype), *v;
  if (!z) return NULL;
  v = nn__view(name, z, t->shape, z->strides, ndim, z->data);
  if (!v) {
    nn_free(z);
    return NULL;
  }
  nn__assign(v, t);
  nn_free(v);
  return z;
}

/* Returns status for a backward that should have produced gin[i] for every live edge. */
NN__PRIVATE nn_status nn__ag_check_gin(const nn__node *n, nn_tensor **gin) {
  int i;
  for (i = 0; i < n->nin; i++)
    if (n->in[i].node && !gin[i]) return nn_last_status() != NN_OK ? nn_last_status() : NN_ERR_OOM;
  return NN_OK;
}

/* A one-input node, or NULL (res is then freed by nn__ag_attach). */
NN__PRIVATE nn__node *nn__ag_node1(const char *name, nn__backward_fn fn, const nn_tensor *x) {
  return nn__ag_node(name, fn, 1, &x);
}

/* ---- the adjoint of a gather along one axis ----

   g is viewed as (outer, k, inner) around the axis, the result as (outer, n, inner), zero-initialized; then
   out[a, ix(a, j, b), b] += g[a, j, b] for j = 0..k-1 in order, where ix(a, j, b) = ix[a * ia + j * ij + b * ib]
   and a negative entry drops the element (a padding constant). A map shared by all rows is ia = ib = 0, ij = 1.
   Chunks split (outer rows) x (inner columns) by size only; each output element belongs to one chunk and sums its
   terms in j order, so results do not depend on the thread count. */

typedef struct nn__axadj {
  char *out;
  const char *g;
  const int64_t *ix;
  int64_t outer, k, n, inner, ia, ij, ib;
  int64_t rows, bw, nbb; /* outer rows per chunk; inner block width and blocks per row */
  int f64;
} nn__axadj;

#define NN__AXADJ_DEF(SUF, T)                                                                       \
  NN__PRIVATE void nn__axadj_##SUF(const nn__axadj *J, int64_t a0, int64_t a1, int64_t b0, int64_t b1) { \
    int64_t a, j, b, n = J->n, k = J->k, inner = J->inner, ib = J->ib;                              \
    for (a = a0; a < a1; a++) {                                                                     \
      T *o = (T *)J->out + a * n * inner;                                                           \
      const T *s = (const T *)J->g + a * k * inner;                                                 \
      const int64_t *ixa = J->ix + a * J->ia;                                                       \
      if (inner == 1) { /* one element per index: no column loop */                                 \
        int64_t ij = J->ij;                                                                         \
        for (j = 0; j < k; j++)                                                                     \
          if (ixa[j * ij] >= 0) o[ixa[j * ij]] += s[j];                                             \
        continue;                                                                                   \
      }                                                                                             \
      for (j = 0; j < k; j++, s += inner) {                                                         \
        const int64_t *ip = ixa + j * J->ij;                                                        \
        if (ib == 0) {                                                                              \
          T *d;                                                                                     \
          if (ip[0] < 0) continue;                                                                  \
          d = o + ip[0] * inner;                                                                    \
          for (b = b0; b < b1; b++) d[b] += s[b];                                                   \
        } else {                                                                                    \
          for (b = b0; b < b1; b++) {                                                               \
            int64_t t = ip[b * ib];                                                                 \
            if (t >= 0) o[t * inner + b] += s[b];                                                   \
          }                                                                                         \
        }                                                                                           \
      }                                                                                             \
    }                                                                                               \
  }
NN__AXADJ_DEF(f32, float)
NN__AXADJ_DEF(f64, double)

NN__PRIVATE void nn__axadj_chunk(void *ctx, int64_t c) {
  const nn__axadj *J = (const nn__axadj *)ctx;
  int64_t a0 = (c / J->nbb) * J->rows, a1 = NN__MIN(a0 + J->rows, J->outer);
  int64_t b0 = (c % J->nbb) * J->bw, b1 = NN__MIN(b0 + J->bw, J->inner);
  if (J->f64) nn__axadj_f64(J, a0, a1, b0, b1);
  else nn__axadj_f32(J, a0, a1, b0, b1);
}

/* zeros of g's shape with axis resized to n, then the rows of g added into rows ix of it (see above). */
NN__PRIVATE nn_tensor *nn__ag_axis_adjoint(const char *name, const nn_tensor *g, int axis, int64_t n,
                                           const int64_t *ix, int64_t ia, int64_t ij, int64_t ib) {
  int64_t shape[NN_MAX_DIMS], work;
  nn_tensor *out, *gc = NULL;
  nn_dtype dt = g->dtype == NN_FLOAT32 ? NN_FLOAT32 : NN_FLOAT64;
  nn__axadj J;
  int d;
  for (d = 0; d < g->ndim; d++) shape[d] = d == axis ? n : g->shape[d];
  out = nn_zeros(shape, g->ndim, dt);
  if (!out || out->size == 0 || g->size == 0) return out;
  if (g->dtype == dt && nn_is_contiguous(g)) {
    gc = nn_view(g);
  } else {
    gc = nn__new(name, dt, g->shape, g->ndim);
    if (gc) nn__assign(gc, g);
  }
  if (!gc) {
    nn_free(out);
    return NULL;
  }
  memset(&J, 0, sizeof J);
  J.out = (char *)out->data;
  J.g = (const char *)gc->data;
  J.ix = ix;
  J.ia = ia;
  J.ij = ij;
  J.ib = ib;
  J.n = n;
  J.k = g->shape[axis];
  J.outer = 1;
  J.inner = 1;
  for (d = 0; d < axis; d++) J.outer *= g->shape[d];
  for (d = axis + 1; d < g->ndim; d++) J.inner *= g->shape[d];
  J.f64 = dt == NN_FLOAT64;
  work = J.k * J.inner;
  if (work >= NN__GRAIN) {
    J.rows = 1;
    J.bw = NN__MIN(J.inner, NN__MAX((int64_t)256, NN__GRAIN / J.k));
  } else {
    J.rows = NN__GRAIN / work;
    J.bw = J.inner;
  }
  J.nbb = (J.inner + J.bw - 1) / J.bw;
  nn__parallel_for((J.outer + J.rows - 1) / J.rows * J.nbb, nn__axadj_chunk, &J);
  nn_free(gc);
  return out;
}

/* ---- reshape, squeeze, unsqueeze ---- */

NN__PRIVATE nn_status nn__reshape_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  gin[0] = nn_reshape(g, n->in[0].shape, n->in[0].ndim);
  return gin[0] ? NN_OK : nn_last_status();
}

NN__PRIVATE nn_tensor *nn__grad_reshape(nn_tensor *res, const nn_tensor *x, const char *name) {
  if (!nn__is_float(res->dtype)) return res;
  return nn__ag_attach(nn__ag_node1(name, nn__reshape_backward, x), res);
}

/* ---- permute ---- */

NN__PRIVATE nn_status nn__permute_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  int inv[NN_MAX_DIMS], i;
  for (i = 0; i < g->ndim; i++) inv[i] = (int)n->i[i];
  gin[0] = nn_permute(g, inv, g->ndim);
  return gin[0] ? NN_OK : nn_last_status();
}

NN__PRIVATE nn_tensor *nn__grad_permute(nn_tensor *res, const nn_tensor *x, const int *axes) {
  nn__node *n;
  int i;
  if (!nn__is_float(res->dtype)) return res;
  n = nn__ag_node1("nn_permute", nn__permute_backward, x);
  if (n)
    for (i = 0; i < x->ndim; i++) n->i[nn__ag_axis(axes[i], x->ndim)] = i; /* the inverse permutation */
  return nn__ag_attach(n, res);
}

/* ---- slice, select, diagonal: zeros with g assigned into the same view ---- */

NN__PRIVATE nn_status nn__slice_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  const nn__edge *e = &n->in[0];
  nn_tensor *z = nn_zeros(e->shape, e->ndim, g->dtype), *v = NULL;
  if (z) v = nn__ag_subview(n->name, z, (int)n->i[0], n->i[1], n->i[2], n->i[3]);
  if (v) nn__assign(v, g);
  nn_free(v);
  if (z && !v) {
    nn_free(z);
    z = NULL;
  }
  gin[0] = z;
  return z ? NN_OK : nn_last_status();
}

NN__PRIVATE nn_tensor *nn__grad_slice(nn_tensor *res, const nn_tensor *x, const char *name, int axis, int64_t start,
                                      int64_t count, int64_t step) {
  nn__node *n;
  if (!nn__is_float(res->dtype)) return res;
  n = nn__ag_node1(name, nn__slice_backward, x);
  if (n) {
    n->i[0] = nn__ag_axis(axis, x->ndim);
    n->i[1] = start;
    n->i[2] = count;
    n->i[3] = step;
  }
  return nn__ag_attach(n, res);
}

NN__PRIVATE nn_status nn__select_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  const nn__edge *e = &n->in[0];
  nn_tensor *z = nn_zeros(e->shape, e->ndim, g->dtype), *v = NULL;
  if (z) v = nn_select(z, (int)n->i[0], n->i[1]);
  if (v) nn__assign(v, g);
  nn_free(v);
  if (z && !v) {
    nn_free(z);
    z = NULL;
  }
  gin[0] = z;
  return z ? NN_OK : nn_last_status();
}

NN__PRIVATE nn_tensor *nn__grad_select(nn_tensor *res, const nn_tensor *x, int axis, int64_t index) {
  nn__node *n;
  if (!nn__is_float(res->dtype)) return res;
  n = nn__ag_node1("nn_select", nn__select_backward, x);
  if (n) {
    n->i[0] = nn__ag_axis(axis, x->ndim);
    n->i[1] = index;
  }
  return nn__ag_attach(n, res);
}

NN__PRIVATE nn_status nn__diagonal_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  const nn__edge *e = &n->in[0];
  nn_tensor *z = nn_zeros(e->shape, e->ndim, g->dtype), *v = NULL;
  if (z) v = nn_diagonal(z, n->i[0], (int)n->i[1], (int)n->i[2]);
  if (v) nn__assign(v, g);
  nn_free(v);
  if (z && !v) {
    nn_free(z);
    z = NULL;
  }
  gin[0] = z;
  return z ? NN_OK : nn_last_status();
}

NN__PRIVATE nn_tensor *nn__grad_diagonal(nn_tensor *res, const nn_tensor *x, int64_t offset, int axis1, int axis2) {
  nn__node *n;
  if (!nn__is_float(res->dtype)) return res;
  n = nn__ag_node1("nn_diagonal", nn__diagonal_backward, x);
  if (n) {
    n->i[0] = offset;
    n->i[1] = nn__ag_axis(axis1, x->ndim);
    n->i[2] = nn__ag_axis(axis2, x->ndim);
  }
  return nn__ag_attach(n, res);
}

/* ---- broadcast_to, view: g itself (the engine sums what broadcasting stretched) ---- */

NN__PRIVATE nn_status nn__expand_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  (void)n;
  gin[0] = nn_view(g);
  return gin[0] ? NN_OK : nn_last_status();
}

NN__PRIVATE nn_tensor *nn__grad_expand(nn_tensor *res, const nn_tensor *x, const char *name) {
  if (!nn__is_float(res->dtype)) return res;
  return nn__ag_attach(nn__ag_node1(name, nn__expand_backward, x), res);
}

/* ---- concatenate, stack ---- */

NN__PRIVATE nn_status nn__join_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  int axis = (int)n->i[0], stack = (int)n->i[1], i;
  int64_t off = 0;
  for (i = 0; i < n->nin; i++) {
    const nn__edge *e = &n->in[i];
    int64_t len = axis == NN_ALL_AXES ? nn__shape_size(e->shape, e->ndim) : stack ? 1 : e->shape[axis];
    if (e->node) {
      if (stack) {
        gin[i] = nn_select(g, axis, i);
      } else if (axis == NN_ALL_AXES) {
        nn_tensor *v = nn__ag_subview(n->name, g, 0, off, len, 1);
        if (v) gin[i] = nn_reshape(v, e->shape, e->ndim);
        nn_free(v);
      } else {
        gin[i] = nn__ag_subview(n->name, g, axis, off, len, 1);
      }
      if (!gin[i]) return nn_last_status();
    }
    off += len;
  }
  return NN_OK;
}

NN__PRIVATE nn_tensor *nn__grad_join(nn_tensor *res, nn_tensor *const *ts, int n, int axis, int stack) {
  nn__node *nd;
  if (!nn__is_float(res->dtype)) return res;
  nd = nn__ag_node(stack ? "nn_stack" : "nn_concatenate", nn__join_backward, n, (const nn_tensor *const *)ts);
  if (nd) {
    nd->i[0] = nn__ag_axis(axis, stack ? res->ndim : ts[0]->ndim);
    nd->i[1] = stack;
  }
  return nn__ag_attach(nd, res);
}

/* ---- tile ---- */

NN__PRIVATE nn_status nn__tile_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  const nn__edge *e = &n->in[0];
  int D = g->ndim, lead = D - e->ndim, d;
  int64_t *map, j, mlen = 1;
  nn_tensor *cur = NULL;
  if (g->size == 0 || nn__shape_size(e->shape, e->ndim) == 0) {
    gin[0] = nn_zeros(e->shape, e->ndim, g->dtype);
    return gin[0] ? NN_OK : nn_last_status();
  }
  for (d = 0; d < D; d++) mlen = NN__MAX(mlen, g->shape[d]);
  map = (int64_t *)nn__xalloc(n->name, sizeof(int64_t) * (size_t)mlen);
  if (!map) return nn_last_status();
  /* one tiled axis at a time: output position j of axis d copies source position j % xs */
  for (d = 0; d < D; d++) {
    int64_t xs = d < lead ? 1 : e->shape[d - lead];
    const nn_tensor *src = cur ? cur : g;
    nn_tensor *t;
    if (src->shape[d] == xs) continue;
    for (j = 0; j < src->shape[d]; j++) map[j] = j % xs;
    t = nn__ag_axis_adjoint(n->name, src, d, xs, map, 0, 1, 0);
    nn_free(cur);
    cur = t;
    if (!cur) {
      nn__dealloc(map);
      return nn_last_status();
    }
  }
  nn__dealloc(map);
  gin[0] = nn_reshape(cur ? cur : g, e->shape, e->ndim);
  nn_free(cur);
  return gin[0] ? NN_OK : nn_last_status();
}

NN__PRIVATE nn_tensor *nn__grad_tile(nn_tensor *res, const nn_tensor *x) {
  if (!nn__is_float(res->dtype)) return res;
  return nn__ag_attach(nn__ag_node1("nn_tile", nn__tile_backward, x), res);
}

/* ---- repeat, repeat_each ---- */

NN__PRIVATE nn_status nn__repeat_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  const nn__edge *e = &n->in[0];
  const int64_t *counts = (const int64_t *)n->extra;
  int64_t ncounts = n->i[1], src_n, i, k, *map, *p;
  int axis = (int)n->i[0], ax = axis == NN_ALL_AXES ? 0 : axis;
  nn_tensor *r;
  src_n = axis == NN_ALL_AXES ? nn__shape_size(e->shape, e->ndim) : e->shape[axis];
  map = (int64_t *)nn__xalloc(n->name, sizeof(int64_t) * (size_t)NN__MAX(g->shape[ax], 1));
  if (!map) return nn_last_status();
  /* output position p along the axis copies source element map[p] */
  for (i = 0, p = map; i < src_n; i++)
    for (k = counts[ncounts == 1 ? 0 : i]; k > 0; k--) *p++ = i;
  r = nn__ag_axis_adjoint(n->name, g, ax, src_n, map, 0, 1, 0);
  nn__dealloc(map);
  if (r && axis == NN_ALL_AXES) {
    gin[0] = nn_reshape(r, e->shape, e->ndim);
    nn_free(r);
  } else {
    gin[0] = r;
  }
  return gin[0] ? NN_OK : nn_last_status();
}

NN__PRIVATE nn_tensor *nn__grad_repeat(nn_tensor *res, const nn_tensor *x, const char *name, const int64_t *counts,
                                       int64_t ncounts, int axis) {
  nn__node *n;
  int64_t *c;
  if (!nn__is_float(res->dtype)) return res;
  n = nn__ag_node1(name, nn__repeat_backward, x);
  if (!n) return nn__ag_attach(NULL, res);
  c = (int64_t *)NN_MALLOC(sizeof(int64_t) * (size_t)ncounts);
  if (!c) {
    nn__node_decref(n);
    nn__fail(NN_ERR_OOM, "%s: cannot allocate an autograd node", name);
    return nn__ag_attach(NULL, res);
  }
  memcpy(c, counts, sizeof(int64_t) * (size_t)ncounts);
  n->extra = c;
  n->i[0] = nn__ag_axis(axis, x->ndim);
  n->i[1] = ncounts;
  return nn__ag_attach(n, res);
}

/* ---- pad ---- */

NN__PRIVATE nn_status nn__pad_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  const nn__edge *e = &n->in[0];
  nn_pad_mode mode = (nn_pad_mode)n->i[0];
  int64_t *map, j, mlen = 1, off = 0;
  nn_tensor *cur = NULL;
  int d;
  if (g->size == 0) {
    gin[0] = nn_zeros(e->shape, e->ndim, g->dtype);
    return gin[0] ? NN_OK : nn_last_status();
  }
  if (mode == NN_PAD_CONSTANT) { /* the padding came from a constant: x's gradient is the interior of g, a view */
    for (d = 0; d < e->ndim; d++) off += n->i[1 + 2 * d] * g->strides[d];
    gin[0] = nn__view(n->name, g, e->shape, g->strides, e->ndim,
                      (char *)g->data + off * (int64_t)nn_dtype_size(g->dtype));
    return gin[0] ? NN_OK : nn_last_status();
  }
  /* the other modes copy source positions into the pads, axis by axis: add the pads back axis by axis */
  for (d = 0; d < g->ndim; d++) mlen = NN__MAX(mlen, g->shape[d]);
  map = (int64_t *)nn__xalloc(n->name, sizeof(int64_t) * (size_t)mlen);
  if (!map) return nn_last_status();
  for (d = 0; d < e->ndim; d++) {
    int64_t b = n->i[1 + 2 * d], a = n->i[2 + 2 * d];
    const nn_tensor *src = cur ? cur : g;
    nn_tensor *t;
    if (a == 0 && b == 0) continue;
    for (j = 0; j < src->shape[d]; j++) map[j] = nn__pad_index(j, b, e->shape[d], mode);
    t = nn__ag_axis_adjoint(n->name, src, d, e->shape[d], map, 0, 1, 0);
    nn_free(cur);
    cur = t;
    if (!cur) {
      nn__dealloc(map);
      return nn_last_status();
    }
  }
  nn__dealloc(map);
  gin[0] = cur ? cur : nn_view(g);
  return gin[0] ? NN_OK : nn_last_status();
}

NN__PRIVATE nn_tensor *nn__grad_pad(nn_tensor *res, const nn_tensor *x, const int64_t *pad_width, int mode) {
  nn__node *n;
  int d;
  if (!nn__is_float(res->dtype)) return res;
  n = nn__ag_node1("nn_pad", nn__pad_backward, x);
  if (n) {
    n->i[0] = mode;
    for (d = 0; d < 2 * x->ndim; d++) n->i[1 + d] = pad_width[d];
  }
  return nn__ag_attach(n, res);
}

/* ---- flip, roll ---- */

NN__PRIVATE nn_status nn__flip_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  gin[0] = nn_flip(g, (int)n->i[0]);
  return gin[0] ? NN_OK : nn_last_status();
}

NN__PRIVATE nn_tensor *nn__grad_flip(nn_tensor *res, const nn_tensor *x, int axis) {
  nn__node *n;
  if (!nn__is_float(res->dtype)) return res;
  n = nn__ag_node1("nn_flip", nn__flip_backward, x);
  if (n) n->i[0] = nn__ag_axis(axis, x->ndim);
  return nn__ag_attach(n, res);
}

NN__PRIVATE nn_status nn__roll_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  gin[0] = n->i[1] == 0 ? nn_view(g) : nn_roll(g, n->i[2] - n->i[1], (int)n->i[0]);
  return gin[0] ? NN_OK : nn_last_status();
}

NN__PRIVATE nn_tensor *nn__grad_roll(nn_tensor *res, const nn_tensor *x, int64_t shift, int axis) {
  nn__node *n;
  int64_t len;
  if (!nn__is_float(res->dtype)) return res;
  n = nn__ag_node1("nn_roll", nn__roll_backward, x);
  if (n) {
    axis = nn__ag_axis(axis, x->ndim);
    len = axis == NN_ALL_AXES ? x->size : x->shape[axis];
    n->i[0] = axis;
    n->i[1] = len > 0 ? shift % len : 0; /* rolled by i[1] in [0, len): rolling back is a roll by len - i[1] */
    if (n->i[1] < 0) n->i[1] += len;
    n->i[2] = len;
  }
  return nn__ag_attach(n, res);
}
