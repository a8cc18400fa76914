/* autograd/grad_index.c: backward formulas of the indexing ops and of sort/topk values (PyTorch's derivatives).

   Reads through indices (take, gather, take_along_axis, masked_select, sort, topk) send each gradient element
   back to the element it was read from with nn__ag_axis_adjoint (grad_shape.c), so repeated indices accumulate.
   Scatters give the base tensor the gradient of what they kept and the source the gradient of where it went. */

#ifndef NN_NO_INDEX

/* ---- take, take_along_axis with NN_ALL_AXES ---- */

NN__PRIVATE nn_status nn__take_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  const nn__edge *e = &n->in[0];
  const nn_tensor *idx = n->saved[0];
  int axis = (int)n->i[0], ax = axis == NN_ALL_AXES ? 0 : axis, nd = 0, d;
  int64_t shape[NN_MAX_DIMS], xn;
  nn_tensor *gr, *r;
  /* g has shape x[:axis] + indices.shape + x[axis+1:]: fold the indices' axes into one */
  if (axis == NN_ALL_AXES) {
    shape[nd++] = idx->size;
    xn = nn__shape_size(e->shape, e->ndim);
  } else {
    for (d = 0; d < axis; d++) shape[nd++] = e->shape[d];
    shape[nd++] = idx->size;
    for (d = axis + 1; d < e->ndim; d++) shape[nd++] = e->shape[d];
    xn = e->shape[axis];
  }
  gr = nn_reshape(g, shape, nd);
  if (!gr) return nn_last_status();
  r = nn__ag_axis_adjoint(n->name, gr, ax, xn, (const int64_t *)idx->data, 0, 1, 0);
  nn_free(gr);
  if (!r) return nn_last_status();
  gin[0] = nn_reshape(r, e->shape, e->ndim);
  nn_free(r);
  return gin[0] ? NN_OK : nn_last_status();
}

NN__PRIVATE nn_tensor *nn__grad_take(nn_tensor *res, const nn_tensor *x, const nn_tensor *idx, int axis,
                                     const char *name) {
  nn__node *n;
  if (!nn__is_float(res->dtype)) return res;
  n = nn__ag_node1(name, nn__take_backward, x);
  if (n) {
    n->i[0] = nn__ag_axis(axis, x->ndim);
    if (nn__ag_save(n, 0, idx) != NN_OK) {
      nn__node_decref(n);
      n = NULL;
    }
  }
  return nn__ag_attach(n, res);
}

/* ---- gather, take_along_axis ---- */

NN__PRIVATE nn_status nn__along_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  const nn__edge *e = &n->in[0];
  int axis = (int)n->i[0], d, embed = 0;
  int64_t shape[NN_MAX_DIMS], k = g->shape[axis], inner = 1;
  nn_tensor *ib, *ic, *r;
  /* the indices, broadcast to g's shape and contiguous */
  ib = nn_broadcast_to(n->saved[0], g->shape, g->ndim);
  if (!ib) return nn_last_status();
  ic = nn_contiguous(ib);
  nn_free(ib);
  if (!ic) return nn_last_status();
  for (d = axis + 1; d < g->ndim; d++) inner *= g->shape[d];
  r = nn__ag_axis_adjoint(n->name, g, axis, e->shape[axis], (const int64_t *)ic->data, k * inner, inner, 1);
  nn_free(ic);
  if (!r) return nn_last_status();
  /* gather's index may be smaller than x outside axis: the rest of x gets zeros. (Where x was broadcast the other
     way, length 1 against longer indices, the engine sums.) */
  for (d = 0; d < e->ndim; d++) {
    shape[d] = NN__MAX(r->shape[d], e->shape[d]);
    if (r->shape[d] < e->shape[d]) embed = 1;
  }
  if (embed) {
    gin[0] = nn__ag_embed(n->name, r, shape, e->ndim);
    nn_free(r);
  } else {
    gin[0] = r;
  }
  return gin[0] ? NN_OK : nn_last_status();
}

NN__PRIVATE nn_tensor *nn__grad_along(nn_tensor *res, const nn_tensor *x, const nn_tensor *idx, int axis,
                                      const char *name) {
  nn__node *n;
  if (!nn__is_float(res->dtype)) return res;
  n = nn__ag_node1(name, nn__along_backward, x);
  if (n) {
    n->i[0] = nn__ag_axis(axis, x->ndim);
    if (nn__ag_save(n, 0, idx) != NN_OK) {
      nn__node_decref(n);
      n = NULL;
    }
  }
  return nn__ag_attach(n, res);
}

/* ---- masked_select ---- */

NN__PRIVATE nn_status nn__masked_select_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  int64_t shape[NN_MAX_DIMS], size = 1;
  int nd = (int)n->i[0], d;
  nn_tensor *mb, *flat = NULL, *pos = NULL, *r = NULL;
  for (d = 0; d < nd; d++) {
    shape[d] = n->i[1 + d];
    size *= shape[d];
  }
  /* the flat positions of the true mask entries in the broadcast shape, in the order masked_select read them */
  mb = nn_broadcast_to(n->saved[0], shape, nd);
  if (mb) flat = nn_ravel(mb);
  if (flat) pos = nn_argwhere(flat);
  if (pos) r = nn__ag_axis_adjoint(n->name, g, 0, size, (const int64_t *)pos->data, 0, 1, 0);
  if (r) gin[0] = nn_reshape(r, shape, nd); /* the engine sums the dimensions mask broadcast x along */
  nn_free(mb);
  nn_free(flat);
  nn_free(pos);
  nn_free(r);
  return gin[0] ? NN_OK : nn_last_status();
}

NN__PRIVATE nn_tensor *nn__grad_masked_select(nn_tensor *res, const nn_tensor *x, const nn_tensor *mask) {
  nn__node *n;
  int64_t shape[NN_MAX_DIMS];
  int nd = 0, d;
  if (!nn__is_float(res->dtype)) return res;
  n = nn__ag_node1("nn_masked_select", nn__masked_select_backward, x);
  if (n && (nn__broadcast_shapes("nn_masked_select", x->shape, x->ndim, mask->shape, mask->ndim, shape, &nd) != NN_OK ||
            nn__ag_save(n, 0, mask) != NN_OK)) {
    nn__node_decref(n);
    n = NULL;
  }
  if (n) {
    n->i[0] = nd;
    for (d = 0; d < nd; d++) n->i[1 + d] = shape[d];
  }
  return nn__ag_attach(n, res);
}

/* ---- scatter, scatter_add, index_add ---- */

/* g gathered at idx along axis, as src's gradient: zero-padded to src's shape where idx is smaller. */
NN__PRIVATE nn_tensor *nn__ag_src_grad(const nn__node *n, const nn_tensor *g, const nn_tensor *idx, int axis) {
  const nn__edge *e = &n->in[1];
  nn_tensor *t = nn_gather(g, axis, idx), *r;
  int d, same = 1;
  if (!t || e->ndim == 0) return t; /* a 0-d src was used everywhere: the engine sums */
  for (d = 0; d < e->ndim; d++) same &= t->shape[d] == e->shape[d];
  if (same) return t;
  r = nn__ag_embed(n->name, t, e->shape, e->ndim);
  nn_free(t);
  return r;
}

NN__PRIVATE nn_status nn__scatter_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  const nn_tensor *idx = n->saved[0];
  int axis = (int)n->i[0], add = (int)n->i[1];
  if (n->in[0].node) {
    if (add) {
      gin[0] = nn_view(g);
    } else { /* the scattered positions were overwritten: no gradient reaches x there */
      nn_tensor *zero = nn_scalar(0.0, g->dtype);
      if (zero) gin[0] = nn_scatter(g, axis, idx, zero);
      nn_free(zero);
    }
  }
  if (n->in[1].node) gin[1] = nn__ag_src_grad(n, g, idx, axis);
  return nn__ag_check_gin(n, gin);
}

NN__PRIVATE nn_tensor *nn__grad_scatter(nn_tensor *res, const nn_tensor *x, int axis, const nn_tensor *idx,
                                        const nn_tensor *src, int add) {
  const nn_tensor *in[2];
  nn__node *n;
  if (!nn__is_float(res->dtype)) return res;
  in[0] = x;
  in[1] = src;
  n = nn__ag_node(add ? "nn_scatter_add" : "nn_scatter", nn__scatter_backward, 2, in);
  if (n) {
    n->i[0] = nn__ag_axis(axis, x->ndim);
    n->i[1] = add;
    if (nn__ag_save(n, 0, idx) != NN_OK) {
      nn__node_decref(n);
      n = NULL;
    }
  }
  return nn__ag_attach(n, res);
}

NN__PRIVATE nn_status nn__index_add_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  const nn__edge *e = &n->in[1];
  if (n->in[0].node) gin[0] = nn_view(g);
  if (e->node) { /* src[..., i, ...] went to row idx[i]: take those rows of g */
    nn_tensor *t = nn_take(g, n->saved[0], (int)n->i[0]);
    if (t) gin[1] = nn_reshape(t, e->shape, e->ndim);
    nn_free(t);
  }
  return nn__ag_check_gin(n, gin);
}

NN__PRIVATE nn_tensor *nn__grad_index_add(nn_tensor *res, const nn_tensor *x, int axis, const nn_tensor *idx,
                                          const nn_tensor *src) {
  const nn_tensor *in[2];
  nn__node *n;
  if (!nn__is_float(res->dtype)) return res;
  in[0] = x;
  in[1] = src;
  n = nn__ag_node("nn_index_add", nn__index_add_backward, 2, in);
  if (n) {
    n->i[0] = nn__ag_axis(axis, x->ndim);
    if (nn__ag_save(n, 0, idx) != NN_OK) {
      nn__node_decref(n);
      n = NULL;
    }
  }
  return nn__ag_attach(n, res);
}

#endif /* NN_NO_INDEX */

#ifndef NN_NO_SORT

/* ---- sort, topk: values read through the indices the sort chose (ties: the element the index names) ---- */

NN__PRIVATE nn_status nn__sort_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  const nn__edge *e = &n->in[0];
  const int64_t *ix = (const int64_t *)n->saved[0]->data;
  int axis = (int)n->i[0], d;
  int64_t inner = 1;
  nn_tensor *r;
  if (axis == NN_ALL_AXES) {
    r = nn__ag_axis_adjoint(n->name, g, 0, nn__shape_size(e->shape, e->ndim), ix, 0, 1, 0);
    if (r) gin[0] = nn_reshape(r, e->shape, e->ndim);
    nn_free(r);
  } else {
    for (d = axis + 1; d < g->ndim; d++) inner *= g->shape[d];
    gin[0] = nn__ag_axis_adjoint(n->name, g, axis, e->shape[axis], ix, g->shape[axis] * inner, inner, 1);
  }
  return gin[0] ? NN_OK : nn_last_status();
}

NN__PRIVATE nn_tensor *nn__grad_sort(nn_tensor *res, const nn_tensor *x, const nn_tensor *idx, int axis,
                                     const char *name) {
  nn__node *n;
  if (!nn__is_float(res->dtype)) return res;
  n = nn__ag_node1(name, nn__sort_backward, x);
  if (n) {
    n->i[0] = nn__ag_axis(axis, x->ndim);
    if (nn__ag_save(n, 0, idx) != NN_OK) {
      nn__node_decref(n);
      n = NULL;
    }
  }
  return nn__ag_attach(n, res);
}

#endif /* NN_NO_SORT */
