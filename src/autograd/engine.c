/* autograd/engine.c: graph nodes, their lifetime, and the backward pass.

   A node is reference-counted: one reference per tensor header it produced (t->grad_node) and one per consuming
   node's edge. When the last tensor of a step is freed the whole graph of that step goes with it. Leaves get an
   accumulate node lazily (the first time an op consumes them); it points back at the leaf weakly and is cut loose
   when the leaf is freed. Freeing walks the graph with an explicit list, so long chains cannot overflow the stack. */

static NN_THREAD_LOCAL unsigned long nn__ag_stamp = 0;

NN__PRIVATE void nn__node_decref(nn__node *n) {
  nn__node *work;
  int i;
  if (!n || --n->refs > 0) return;
  n->link = NULL;
  work = n;
  while (work) {
    nn__node *m = work;
    work = m->link;
    for (i = 0; i < m->nin; i++) {
      nn__node *c = m->in[i].node;
      if (c && --c->refs == 0) {
        c->link = work;
        work = c;
      }
    }
    for (i = 0; i < NN__AG_SAVED; i++) nn_free(m->saved[i]);
    nn_free(m->gacc);
    if (m->extra) {
      if (m->free_extra) m->free_extra(m->extra);
      else NN_FREE(m->extra);
    }
    if (m->leaf) m->leaf->grad_node = NULL;
    NN_FREE(m->in);
    NN_FREE(m);
  }
}

NN__PRIVATE void nn__ag_tensor_freed(nn_tensor *t) {
  nn__node *n = (nn__node *)t->grad_node;
  t->grad_node = NULL;
  if (!n) return;
  if (n->leaf == t) n->leaf = NULL;
  nn__node_decref(n);
}

NN__PRIVATE nn__node *nn__node_alloc(const char *name, int nin) {
  nn__node *n = (nn__node *)NN_MALLOC(sizeof(nn__node));
  if (!n) {
    nn__fail(NN_ERR_OOM, "%s: cannot allocate an autograd node", name);
    return NULL;
  }
  memset(n, 0, sizeof(*n));
  n->name = name;
  n->refs = 1;
  if (nin > 0) {
    n->in = (nn__edge *)NN_MALLOC(sizeof(nn__edge) * (size_t)nin);
    if (!n->in) {
      NN_FREE(n);
      nn__fail(NN_ERR_OOM, "%s: cannot allocate an autograd node", name);
      return NULL;
    }
    memset(n->in, 0, sizeof(nn__edge) * (size_t)nin);
  }
  n->nin = nin;
  return n;
}

/* The node gradients of t flow into: its producer, or (for a leaf requiring gradients) its accumulate node, made on
   first use. NULL when t needs no gradient. Sets an error and returns NULL with *oom = 1 on allocation failure. */
NN__PRIVATE nn__node *nn__ag_edge_of(nn_tensor *t, int *oom) {
  nn__node *n;
  if (!t || !t->requires_grad) return NULL;
  if (t->grad_node) return (nn__node *)t->grad_node;
  n = nn__node_alloc("nn_requires_grad", 0);
  if (!n) {
    *oom = 1;
    return NULL;
  }
  n->is_leaf = 1;
  n->leaf = t;
  t->grad_node = n;
  return n;
}

NN__PRIVATE nn__node *nn__ag_node(const char *name, nn__backward_fn fn, int nin, const nn_tensor *const *inputs) {
  nn__node *n = nn__node_alloc(name, nin);
  int i, j, oom = 0;
  if (!n) return NULL;
  n->backward = fn;
  for (i = 0; i < nin; i++) {
    nn_tensor *x = (nn_tensor *)inputs[i]; /* the edge is bookkeeping; x's values are untouched */
    nn__edge *e = &n->in[i];
    if (!x) continue;
    e->dtype = x->dtype;
    e->ndim = x->ndim;
    for (j = 0; j < x->ndim; j++) e->shape[j] = x->shape[j];
    e->node = nn__ag_edge_of(x, &oom);
    if (oom) {
      nn__node_decref(n);
      return NULL;
    }
    if (e->node) e->node->refs++;
  }
  return n;
}

/* Keeps t's values for the backward pass: a private header over the same storage, outside every scope. */
NN__PRIVATE nn_status nn__ag_save(nn__node *n, int slot, const nn_tensor *t) {
  nn_tensor *v;
  if (!t) return NN_OK;
  NN_ASSERT(slot >= 0 && slot < NN__AG_SAVED && !n->saved[slot]);
  v = nn__view(n->name, t, t->shape, t->strides, t->ndim, t->data);
  if (!v) return nn_last_status();
  nn__scope_unlink(v);
  n->saved[slot] = v;
  return NN_OK;
}

/* Makes n the producer of out. Takes over the caller's reference to n. Returns out; with n == NULL (a failed
   node) frees out and returns NULL so that the op reports the failure. */
NN__PRIVATE nn_tensor *nn__ag_attach(nn__node *n, nn_tensor *out) {
  if (!n) {
    nn_free(out);
    return NULL;
  }
  if (out->grad_node) nn__ag_tensor_freed(out);
  out->grad_node = n;
  out->requires_grad = 1;
  return out;
}

/* ---- public switches ---- */

NNDEF nn_status nn_requires_grad(nn_tensor *t, int on) {
  if (nn__check_cpu("nn_requires_grad", t, "t") != NN_OK) return nn_last_status();
  if (t->grad_node && !((nn__node *)t->grad_node)->is_leaf)
    return nn__fail(NN_ERR_ARG,
                    "nn_requires_grad: t was produced by a recorded op (%s) and is not a leaf; use nn_detach for a leaf",
                    ((nn__node *)t->grad_node)->name);
  if (on && !nn__is_float(t->dtype))
    return nn__fail(NN_ERR_DTYPE, "nn_requires_grad: only float tensors can require gradients, got %s",
                    nn_dtype_name(t->dtype));
  t->requires_grad = on ? 1 : 0;
  if (!on && t->grad_node) nn__ag_tensor_freed(t);
  return NN_OK;
}

NNDEF int nn_requires_grad_get(const nn_tensor *t) { return t && t->requires_grad; }
NNDEF int nn_is_leaf(const nn_tensor *t) {
  return t && (!t->grad_node || ((nn__node *)t->grad_node)->is_leaf);
}
NNDEF nn_tensor *nn_grad(const nn_tensor *t) { return t ? t->grad : NULL; }
NNDEF void nn_zero_grad(nn_tensor *t) {
  if (t && t->grad) {
    nn_tensor *g = t->grad;
    t->grad = NULL;
    nn_free(g);
  }
}
NNDEF int nn_set_grad_enabled(int enabled) {
  int prev = nn__no_grad_depth == 0;
  nn__no_grad_depth = enabled ? 0 : 1;
  return prev;
}
NNDEF int nn_is_grad_enabled(void) { return nn__no_grad_depth == 0; }
NNDEF void nn_no_grad_begin(void) { nn__no_grad_depth++; }
NNDEF void nn_no_grad_end(void) {
  if (nn__no_grad_depth > 0) nn__no_grad_depth--;
}

NNDEF nn_tensor *nn_detach(const nn_tensor *t) {
  nn_tensor *v;
  if (nn__check_cpu("nn_detach", t, "t") != NN_OK) return NULL;
  v = nn__view("nn_detach", t, t->shape, t->strides, t->ndim, t->data);
  return v;
}

/* ---- fitting a gradient to its input ---- */

/* Sums g over the dimensions that broadcasting added or stretched so it has the given shape, and converts it to
   dtype. Returns g itself when nothing needs doing, else a new tensor (g is left to the caller). */
NN__PRIVATE nn_tensor *nn__ag_fit(const char *name, nn_tensor *g, const int64_t *shape, int ndim, nn_dtype dt) {
  int axes[NN_MAX_DIMS], naxes = 0, lead = g->ndim - ndim, i;
  nn_tensor *r = g, *s, *c;
  if (lead < 0) {
    char b1[96], b2[96];
    nn__fail(NN_ERR_SHAPE, "%s: backward produced a gradient of shape %s for an input of shape %s", name,
             nn__fmt_shape(b1, sizeof b1, g->shape, g->ndim), nn__fmt_shape(b2, sizeof b2, shape, ndim));
    return NULL;
  }
  for (i = 0; i < g->ndim; i++) {
    if (i < lead || (shape[i - lead] == 1 && g->shape[i] != 1)) axes[naxes++] = i;
    else if (shape[i - lead] != g->shape[i]) {
      char b1[96], b2[96];
      nn__fail(NN_ERR_SHAPE, "%s: backward produced a gradient of shape %s for an input of shape %s", name,
               nn__fmt_shape(b1, sizeof b1, g->shape, g->ndim), nn__fmt_shape(b2, sizeof b2, shape, ndim));
      return NULL;
    }
  }
  if (naxes > 0 || lead > 0) {
    s = nn_reduce(NN_REDUCE_SUM, g, axes, naxes, 1, 0);
    if (!s) return NULL;
    r = nn_reshape(s, shape, ndim);
    nn_free(s);
    if (!r) return NULL;
  }
  if (r->dtype != dt) {
    c = nn_astype(r, dt);
    if (r != g) nn_free(r);
    r = c;
  }
  return r;
}

/* ---- the backward pass ---- */

typedef struct nn__ag_list {
  nn__node **v;
  long n, cap;
} nn__ag_list;

NN__PRIVATE int nn__ag_push(nn__ag_list *l, nn__node *n) {
  if (l->n == l->cap) {
    long cap = l->cap ? 2 * l->cap : 64;
    nn__node **v = (nn__node **)NN_REALLOC(l->v, sizeof(nn__node *) * (size_t)cap);
    if (!v) return 0;
    l->v = v;
    l->cap = cap;
  }
  l->v[l->n++] = n;
  return 1;
}

/* Post-order of the nodes reachable from root (inputs before the nodes that use them), iteratively: each stack
   entry remembers which input it visits next. A node is marked with this traversal's stamp when first reached. */
typedef struct nn__ag_frame {
  nn__node *node;
  int next;
} nn__ag_frame;

NN__PRIVATE nn_status nn__ag_topo(nn__node *root, nn__ag_list *order) {
  nn__ag_frame *stack = NULL;
  long n = 0, cap = 0;
  unsigned long stamp = ++nn__ag_stamp;
  nn_status st = NN_OK;
  root->mark = stamp;
  stack = (nn__ag_frame *)NN_MALLOC(sizeof(nn__ag_frame) * 64);
  if (!stack) goto oom;
  cap = 64;
  stack[n].node = root;
  stack[n].next = 0;
  n++;
  while (n > 0) {
    nn__ag_frame *fr = &stack[n - 1];
    nn__node *c = NULL;
    while (fr->next < fr->node->nin) {
      c = fr->node->in[fr->next++].node;
      if (c && c->mark != stamp) break;
      c = NULL;
    }
    if (!c) {
      if (!nn__ag_push(order, fr->node)) goto oom;
      n--;
      continue;
    }
    c->mark = stamp;
    if (n == cap) {
      nn__ag_frame *s2 = (nn__ag_frame *)NN_REALLOC(stack, sizeof(nn__ag_frame) * (size_t)(2 * cap));
      if (!s2) goto oom;
      stack = s2;
      cap *= 2;
    }
    stack[n].node = c;
    stack[n].next = 0;
    n++;
  }
  goto out;
oom:
  st = nn__fail(NN_ERR_OOM, "nn_backward: cannot allocate the graph traversal");
out:
  NN_FREE(stack);
  return st;
}

/* Adds g into *acc (taking g over when *acc is empty). */
NN__PRIVATE nn_status nn__ag_accumulate(nn_tensor **acc, nn_tensor *g) {
  if (!*acc) {
    *acc = g;
    return NN_OK;
  }
  if (nn__is_float((*acc)->dtype) && nn_is_contiguous(*acc) && (*acc)->storage && (*acc)->storage->refcount == 1) {
    nn_status st = nn_add_scaled_out(*acc, *acc, g, 1.0);
    nn_free(g);
    return st;
  } else {
    nn_tensor *s = nn_add(*acc, g);
    nn_free(g);
    if (!s) return nn_last_status();
    nn_free(*acc);
    *acc = s;
    return NN_OK;
  }
}

/* Adds g (already fitted to the leaf's shape and dtype) into leaf->grad, which the leaf owns outside every scope.
   Takes g over: a contiguous gradient that shares its storage with nothing becomes the leaf's gradient as it is. */
NN__PRIVATE nn_status nn__ag_to_leaf(nn_tensor *leaf, nn_tensor *g) {
  nn_status st = NN_OK;
  if (!leaf->grad) {
    if (nn_is_contiguous(g) && g->storage && g->storage->refcount == 1 && g->dtype == leaf->dtype) {
      nn__scope_unlink(g);
      leaf->grad = g;
      return NN_OK;
    } else {
      nn_tensor *c = nn_copy(g);
      if (!c) st = nn_last_status();
      else {
        nn__scope_unlink(c);
        leaf->grad = c;
      }
    }
  } else {
    st = nn_add_scaled_out(leaf->grad, leaf->grad, g, 1.0);
  }
  nn_free(g);
  return st;
}

NNDEF nn_status nn_backward_ex(nn_tensor *t, const nn_tensor *grad, int retain_graph) {
  nn__ag_list order = {NULL, 0, 0};
  nn__node *root;
  nn_tensor *g0 = NULL;
  nn_status st = NN_OK;
  long k;
  int i, oom = 0;
  char b1[96], b2[96];
  if (nn__check_cpu("nn_backward", t, "t") != NN_OK) return nn_last_status();
  if (!t->requires_grad)
    return nn__fail(NN_ERR_ARG, "nn_backward: the tensor does not require grad and has no recorded history "
                                "(call nn_requires_grad on the leaves before computing it)");
  if (grad) {
    if (nn__check_cpu("nn_backward", grad, "grad") != NN_OK) return nn_last_status();
    if (grad->ndim != t->ndim || memcmp(grad->shape, t->shape, sizeof(int64_t) * (size_t)t->ndim) != 0)
      return nn__fail(NN_ERR_SHAPE, "nn_backward: grad has shape %s but the tensor has shape %s",
                      nn__fmt_shape(b1, sizeof b1, grad->shape, grad->ndim),
                      nn__fmt_shape(b2, sizeof b2, t->shape, t->ndim));
  } else if (t->size != 1) {
    return nn__fail(NN_ERR_SHAPE, "nn_backward: grad can be omitted only for a tensor with one element, got shape %s",
                    nn__fmt_shape(b1, sizeof b1, t->shape, t->ndim));
  }
  root = nn__ag_edge_of(t, &oom);
  if (!root) return oom ? nn_last_status() : nn__fail(NN_ERR_ARG, "nn_backward: nothing to differentiate");
  st = nn__ag_topo(root, &order);
  if (st != NN_OK) goto out_noscope;
  for (k = 0; k < order.n; k++)
    if (order.v[k]->released) {
      st = nn__fail(NN_ERR_ARG,
                    "nn_backward: trying to backward through the graph a second time (through %s); its saved "
                    "tensors were freed by the first nn_backward: pass retain_graph = 1 to nn_backward_ex",
                    order.v[k]->name);
      goto out_noscope;
    }
  st = nn_scope_begin();
  if (st != NN_OK) goto out_noscope;
  nn__no_grad_depth++;
  g0 = grad ? nn_astype(grad, t->dtype) : nn_ones(t->shape, t->ndim, t->dtype);
  if (!g0) {
    st = nn_last_status();
    goto out;
  }
  root->gacc = g0;
  /* reverse post-order: every node runs after all the nodes that feed gradient into it */
  for (k = order.n - 1; k >= 0 && st == NN_OK; k--) {
    nn__node *n = order.v[k];
    nn_tensor *gin_small[4], **gin = gin_small;
    nn_tensor *gout = n->gacc;
    if (!gout) continue;
    n->gacc = NULL;
    if (n->is_leaf) {
      if (n->leaf) st = nn__ag_to_leaf(n->leaf, gout);
      else nn_free(gout);
      continue;
    }
    if (n->nin > 4) {
      gin = (nn_tensor **)NN_MALLOC(sizeof(nn_tensor *) * (size_t)n->nin);
      if (!gin) {
        nn_free(gout);
        st = nn__fail(NN_ERR_OOM, "nn_backward: out of memory in %s", n->name);
        break;
      }
    }
    for (i = 0; i < n->nin; i++) gin[i] = NULL;
    st = n->backward(n, gout, gin);
    nn_free(gout);
    for (i = 0; i < n->nin; i++) {
      nn_tensor *g = gin[i], *f;
      nn__edge *e = &n->in[i];
      if (!g) continue;
      if (st != NN_OK || !e->node) {
        nn_free(g);
        continue;
      }
      f = nn__ag_fit(n->name, g, e->shape, e->ndim, e->dtype);
      if (f != g) nn_free(g);
      if (!f) {
        st = nn_last_status();
        continue;
      }
      st = nn__ag_accumulate(&e->node->gacc, f);
    }
    if (gin != gin_small) NN_FREE(gin);
    if (!retain_graph) {
      for (i = 0; i < NN__AG_SAVED; i++) {
        nn_free(n->saved[i]);
        n->saved[i] = NULL;
      }
      n->released = 1;
    }
  }
out:
  for (k = 0; k < order.n; k++) {
    nn_free(order.v[k]->gacc);
    order.v[k]->gacc = NULL;
  }
  nn__no_grad_depth--;
  nn_scope_end();
out_noscope:
  NN_FREE(order.v);
  return st;
}

NNDEF nn_status nn_backward(nn_tensor *t, const nn_tensor *grad) { return nn_backward_ex(t, grad, 0); }

/* ---- custom ops ---- */

typedef struct nn__custom {
  nn_backward_fn fn;
  void *ctx;
  int nsaved;
  nn_tensor **saved;
} nn__custom;

NN__PRIVATE void nn__custom_free(void *p) {
  nn__custom *c = (nn__custom *)p;
  int i;
  for (i = 0; i < c->nsaved; i++) nn_free(c->saved[i]);
  NN_FREE(c->saved);
  NN_FREE(c);
}

NN__PRIVATE nn_status nn__custom_backward(nn__node *n, const nn_tensor *gout, nn_tensor **gin) {
  nn__custom *c = (nn__custom *)n->extra;
  nn_status st;
  int i;
  for (i = 0; i < c->nsaved; i++)
    if (!c->saved[i]) return nn__fail(NN_ERR_ARG, "nn_backward: %s: its saved tensors were already freed", n->name);
  st = c->fn(gout, c->saved, c->nsaved, c->ctx, gin, n->nin);
  if (st != NN_OK && nn_last_status() == NN_OK) st = nn__fail(st, "nn_backward: %s: the backward function failed", n->name);
  return st;
}

NNDEF nn_tensor *nn_custom_op(const char *name, nn_tensor *output, nn_tensor *const *inputs, int ninputs,
                              nn_tensor *const *saved, int nsaved, nn_backward_fn fn, void *ctx) {
  nn__node *n;
  nn__custom *c;
  int i, any = 0;
  if (!name) name = "nn_custom_op";
  if (nn__check_cpu(name, output, "output") != NN_OK) return NULL;
  if (!fn || ninputs < 0 || nsaved < 0 || (ninputs > 0 && !inputs) || (nsaved > 0 && !saved)) {
    nn__fail(NN_ERR_ARG, "%s (nn_custom_op): needs a backward function and %d inputs / %d saved tensors", name,
             ninputs, nsaved);
    nn_free(output);
    return NULL;
  }
  for (i = 0; i < ninputs; i++) any |= nn__ag_wanted1(inputs[i]);
  if (!any) return output;
  c = (nn__custom *)NN_MALLOC(sizeof(nn__custom));
  if (c) {
    memset(c, 0, sizeof(*c));
    c->saved = nsaved ? (nn_tensor **)NN_MALLOC(sizeof(nn_tensor *) * (size_t)nsaved) : NULL;
    if (nsaved && !c->saved) {
      NN_FREE(c);
      c = NULL;
    }
  }
  if (!c) {
    nn__fail(NN_ERR_OOM, "%s: cannot allocate an autograd node", name);
    nn_free(output);
    return NULL;
  }
  c->fn = fn;
  c->ctx = ctx;
  for (i = 0; i < nsaved; i++) c->saved[i] = NULL;
  c->nsaved = nsaved;
  for (i = 0; i < nsaved; i++) {
    if (!saved[i]) continue;
    c->saved[i] = nn__view(name, saved[i], saved[i]->shape, saved[i]->strides, saved[i]->ndim, saved[i]->data);
    if (!c->saved[i]) {
      nn__custom_free(c);
      nn_free(output);
      return NULL;
    }
    nn__scope_unlink(c->saved[i]);
  }
  n = nn__ag_node(name, nn__custom_backward, ninputs, (const nn_tensor *const *)inputs);
  if (!n) {
    nn__custom_free(c);
    nn_free(output);
    return NULL;
  }
  n->extra = c;
  n->free_extra = nn__custom_free;
  return nn__ag_attach(n, output);
}

/* ---- gradient check ---- */

NNDEF nn_status nn_gradcheck(nn_grad_fn f, void *ctx, nn_tensor *const *inputs, int n, double eps, double atol,
                             double rtol) {
  nn_tensor *y = NULL, *w = NULL, **saved_grads = NULL;
  nn_status st = NN_OK;
  uint64_t state = 0x9E3779B97F4A7C15ull;
  int i, scoped = 0;
  int64_t j, k;
  if (!f || !inputs || n <= 0) return nn__fail(NN_ERR_ARG, "nn_gradcheck: needs a function and at least one input");
  for (i = 0; i < n; i++) {
    if (nn__check_cpu("nn_gradcheck", inputs[i], "inputs[i]") != NN_OK) return nn_last_status();
    if (!nn__is_float(inputs[i]->dtype))
      return nn__fail(NN_ERR_DTYPE, "nn_gradcheck: input %d is %s; use float64 inputs", i,
                      nn_dtype_name(inputs[i]->dtype));
  }
  saved_grads = (nn_tensor **)NN_MALLOC(sizeof(nn_tensor *) * (size_t)n);
  if (!saved_grads) return nn__fail(NN_ERR_OOM, "nn_gradcheck: out of memory");
  for (i = 0; i < n; i++) { /* leave the caller's accumulated gradients alone */
    saved_grads[i] = inputs[i]->grad;
    inputs[i]->grad = NULL;
  }
  st = nn_scope_begin();
  if (st != NN_OK) goto restore;
  scoped = 1;
  y = f(inputs, n, ctx);
  if (!y) {
    st = nn_last_status() != NN_OK ? nn_last_status() : nn__fail(NN_ERR_ARG, "nn_gradcheck: f returned NULL");
    goto done;
  }
  w = nn_empty(y->shape, y->ndim, y->dtype);
  if (!w) {
    st = nn_last_status();
    goto done;
  }
  for (j = 0; j < w->size; j++) { /* fixed weights in [0.5, 1.5) with random signs: no cancellation by symmetry */
    double u;
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    u = (double)(state >> 11) * (1.0 / 9007199254740992.0);
    nn_set_flat(w, j, (u < 0.5 ? -1.0 : 1.0) * (0.5 + 2.0 * fabs(u - 0.5)));
  }
  if (!y->requires_grad) {
    st = nn__fail(NN_ERR_ARG, "nn_gradcheck: the output does not depend on any input that requires grad");
    goto done;
  }
  st = nn_backward(y, w);
  if (st != NN_OK) goto done;
  for (i = 0; i < n && st == NN_OK; i++) {
    nn_tensor *x = inputs[i];
    if (!x->requires_grad) continue;
    for (j = 0; j < x->size && st == NN_OK; j++) {
      double x0 = nn_get_flat(x, j), fp = 0, fm = 0, num, ana;
      int side;
      for (side = 0; side < 2; side++) {
        nn_tensor *yy;
        nn_set_flat(x, j, side == 0 ? x0 + eps : x0 - eps);
        nn_no_grad_begin();
        yy = f(inputs, n, ctx);
        nn_no_grad_end();
        if (!yy) {
          st = nn_last_status();
          break;
        }
        for (k = 0; k < yy->size; k++) {
          double v = nn_get_flat(yy, k) * nn_get_flat(w, k);
          if (side == 0) fp += v;
          else fm += v;
        }
        nn_free(yy);
      }
      nn_set_flat(x, j, x0);
      if (st != NN_OK) break;
      num = (fp - fm) / (2 * eps);
      ana = x->grad ? nn_get_flat(x->grad, j) : 0.0;
      if (!(fabs(ana - num) <= atol + rtol * fabs(num))) {
        int64_t idx[NN_MAX_DIMS], rem = j;
        char buf[160];
        int d, len = 0;
        for (d = x->ndim - 1; d >= 0; d--) {
          idx[d] = x->shape[d] ? rem % x->shape[d] : 0;
          rem = x->shape[d] ? rem / x->shape[d] : 0;
        }
        buf[0] = 0;
        for (d = 0; d < x->ndim && len < 120; d++) len += snprintf(buf + len, sizeof buf - (size_t)len, d ? ",%lld" : "%lld", (long long)idx[d]);
        st = nn__fail(NN_ERR_VALUE,
                      "nn_gradcheck: input %d element (%s): analytic gradient %.10g, numerical %.10g (difference %.3g)",
                      i, buf, ana, num, fabs(ana - num));
      }
    }
  }
done:
  if (scoped) nn_scope_end();
restore:
  for (i = 0; i < n; i++) {
    nn_zero_grad(inputs[i]);
    inputs[i]->grad = saved_grads[i];
  }
  NN_FREE(saved_grads);
  return st;
}
