/* nn/model.c: the model graph (Sequential is a chain), its forward pass, parameters and summary.

   Nodes are stored in creation order, which is a topological order (a node only refers to earlier nodes), so the
   forward pass is one loop. Layers are owned by the model; a layer used by several nodes shares its weights. The
   model is batch-first everywhere: layers that take the batch on axis 1 (sequence-first recurrent and attention
   layers) get their input and give their output transposed around the call. */

#define NN__MODEL_MAX_MERGE 16

enum { NN__MN_INPUT = 0, NN__MN_LAYER, NN__MN_ADD, NN__MN_MUL, NN__MN_CONCAT };

typedef struct nn__mnode {
  int kind;
  nn_layer *layer;
  int nin;
  int in[NN__MODEL_MAX_MERGE];
  int axis;                   /* concatenation: per-sample axis */
  int ndim;                   /* per-sample output shape (-1 for lengths known only at run time) */
  int64_t shape[NN_MAX_DIMS];
} nn__mnode;

typedef struct nn__model_fit_state nn__model_fit_state;

struct nn_model {
  int sequential;
  nn__mnode *nodes;
  int nnodes, nodes_cap;
  int inputs[NN__MODEL_MAX_MERGE];
  int ninputs;
  int output; /* -1 until declared (sequential: the last node) */
  nn_layer **layers; /* distinct layers, owned */
  int nlayers, layers_cap;
  int compiled;
  nn_compile_desc cdesc;
  nn_optimizer *opt;
  int training;
};

NN__PRIVATE nn_model *nn__model_new(const char *op, int sequential) {
  nn_model *m = (nn_model *)NN_MALLOC(sizeof(nn_model));
  if (!m) {
    nn__fail(NN_ERR_OOM, "%s: out of memory", op);
    return NULL;
  }
  memset(m, 0, sizeof *m);
  m->sequential = sequential;
  m->output = -1;
  m->training = 1;
  return m;
}

/* Appends a node; returns its id or -1. */
NN__PRIVATE int nn__model_push(const char *op, nn_model *m, const nn__mnode *n) {
  if (m->nnodes == m->nodes_cap) {
    int cap = m->nodes_cap ? 2 * m->nodes_cap : 16;
    nn__mnode *v = (nn__mnode *)NN_REALLOC(m->nodes, sizeof(nn__mnode) * (size_t)cap);
    if (!v) {
      nn__fail(NN_ERR_OOM, "%s: out of memory", op);
      return -1;
    }
    m->nodes = v;
    m->nodes_cap = cap;
  }
  m->nodes[m->nnodes] = *n;
  return m->nnodes++;
}

/* Takes ownership of l (once, even when a layer is applied several times). */
NN__PRIVATE nn_status nn__model_own(const char *op, nn_model *m, nn_layer *l) {
  int i;
  for (i = 0; i < m->nlayers; i++)
    if (m->layers[i] == l) return NN_OK;
  if (m->nlayers == m->layers_cap) {
    int cap = m->layers_cap ? 2 * m->layers_cap : 8;
    nn_layer **v = (nn_layer **)NN_REALLOC(m->layers, sizeof(nn_layer *) * (size_t)cap);
    if (!v) return nn__fail(NN_ERR_OOM, "%s: out of memory", op);
    m->layers = v;
    m->layers_cap = cap;
  }
  m->layers[m->nlayers++] = l;
  return NN_OK;
}

NN__PRIVATE nn_status nn__model_check_shape(const char *op, const int64_t *shape, int ndim) {
  int i;
  if (ndim < 0 || ndim >= NN_MAX_DIMS) return nn__fail(NN_ERR_ARG, "%s: per-sample ndim %d out of range", op, ndim);
  if (ndim > 0 && !shape) return nn__fail_null(op, "shape");
  for (i = 0; i < ndim; i++)
    if (shape[i] < -1 || shape[i] == 0)
      return nn__fail(NN_ERR_ARG, "%s: bad per-sample size %lld on axis %d", op, (long long)shape[i], i);
  return NN_OK;
}

NNDEF nn_model *nn_graph_model(void) { return nn__model_new("nn_graph_model", 0); }

NNDEF int nn_graph_input(nn_model *m, const int64_t *shape, int ndim) {
  nn__mnode n;
  int id, i;
  if (!m) {
    nn__fail_null("nn_graph_input", "m");
    return -1;
  }
  if (m->output >= 0 && !m->sequential) {
    nn__fail(NN_ERR_ARG, "nn_graph_input: the model's output is already declared");
    return -1;
  }
  if (m->ninputs == NN__MODEL_MAX_MERGE) {
    nn__fail(NN_ERR_ARG, "nn_graph_input: at most %d inputs", NN__MODEL_MAX_MERGE);
    return -1;
  }
  if (nn__model_check_shape("nn_graph_input", shape, ndim) != NN_OK) return -1;
  memset(&n, 0, sizeof n);
  n.kind = NN__MN_INPUT;
  n.ndim = ndim;
  for (i = 0; i < ndim; i++) n.shape[i] = shape[i];
  id = nn__model_push("nn_graph_input", m, &n);
  if (id >= 0) m->inputs[m->ninputs++] = id;
  return id;
}

NN__PRIVATE int nn__model_node_ok(const char *op, const nn_model *m, int node) {
  if (!m) {
    nn__fail_null(op, "m");
    return 0;
  }
  if (node < 0 || node >= m->nnodes) {
    nn__fail(NN_ERR_INDEX, "%s: node %d does not exist (the model has %d nodes)", op, node, m->nnodes);
    return 0;
  }
  return 1;
}

/* Infers a layer's per-sample output shape by running it once on a batch of 2 zeros (lengths of -1 become 1 for
   the trial and -1 again in the result). */
NN__PRIVATE nn_status nn__model_probe(const char *op, nn_layer *l, const int64_t *shape, int ndim, int64_t *oshape,
                                      int *ondim) {
  int64_t s[NN_MAX_DIMS];
  int i, var = 0, k;
  nn_tensor *x, *y;
  nn_status st = NN_OK;
  s[0] = 2;
  for (i = 0; i < ndim; i++) {
    s[i + 1] = shape[i] < 0 ? 3 : shape[i];
    var |= shape[i] < 0;
  }
  nn_scope_begin();
  nn_no_grad_begin();
  x = nn_zeros(s, ndim + 1, l->dtype == NN_FLOAT64 ? NN_FLOAT64 : NN_FLOAT32);
  if (x && l->batch_axis == 1 && ndim >= 1) x = nn_swapaxes(x, 0, 1);
  y = x ? nn_layer_forward(l, x) : NULL;
  if (y && l->batch_axis == 1 && y->ndim >= 3) y = nn_swapaxes(y, 0, 1);
  if (!y) {
    st = nn_last_status();
    if (st == NN_OK) st = nn__fail(NN_ERR_ARG, "%s: layer %s failed", op, nn_layer_name(l));
  } else {
    *ondim = y->ndim - 1;
    for (k = 1; k < y->ndim; k++) oshape[k - 1] = y->shape[k];
    /* a sequence axis that followed a variable input length stays variable */
    if (var && *ondim >= 1 && ndim >= 1 && shape[0] < 0 && oshape[0] == 3) oshape[0] = -1;
  }
  nn_no_grad_end();
  nn_scope_end();
  return st;
}

/* Builds l for the input node's shape and records the output shape. */
NN__PRIVATE int nn__model_apply(const char *op, nn_model *m, nn_layer *l, int in) {
  nn__mnode n, *src;
  int64_t oshape[NN_MAX_DIMS];
  int ondim, i;
  if (!l) {
    nn__fail_null(op, "layer");
    return -1;
  }
  if (!nn__model_node_ok(op, m, in)) {
    nn_layer_free(l);
    return -1;
  }
  if (nn__model_own(op, m, l) != NN_OK) {
    nn_layer_free(l);
    return -1;
  }
  src = &m->nodes[in];
  if (nn_layer_build(l, src->shape, src->ndim) != NN_OK) {
    char b[96];
    nn__fail(nn_last_status(), "%s: layer %s (%s) cannot take per-sample input %s: %s", op, nn_layer_name(l),
             nn_layer_kind(l), nn__fmt_shape(b, sizeof b, src->shape, src->ndim), nn_error());
    return -1;
  }
  ondim = nn_layer_output_shape(l, oshape);
  if (ondim < 0 && nn__model_probe(op, l, m->nodes[in].shape, m->nodes[in].ndim, oshape, &ondim) != NN_OK) return -1;
  memset(&n, 0, sizeof n);
  n.kind = NN__MN_LAYER;
  n.layer = l;
  n.nin = 1;
  n.in[0] = in;
  n.ndim = ondim;
  for (i = 0; i < ondim; i++) n.shape[i] = oshape[i];
  return nn__model_push(op, m, &n);
}

NNDEF int nn_graph_layer(nn_model *m, nn_layer *l, int in) {
  if (m && m->output >= 0) {
    nn__fail(NN_ERR_ARG, "nn_graph_layer: the model's output is already declared");
    nn_layer_free(l);
    return -1;
  }
  return nn__model_apply("nn_graph_layer", m, l, in);
}

NN__PRIVATE int nn__model_merge(const char *op, nn_model *m, int kind, const int *nodes, int n, int axis) {
  nn__mnode mn;
  int i, k;
  char b1[96], b2[96];
  if (!m) {
    nn__fail_null(op, "m");
    return -1;
  }
  if (!nodes) {
    nn__fail_null(op, "nodes");
    return -1;
  }
  if (n < 2 || n > NN__MODEL_MAX_MERGE) {
    nn__fail(NN_ERR_ARG, "%s: needs 2 to %d nodes, got %d", op, NN__MODEL_MAX_MERGE, n);
    return -1;
  }
  for (i = 0; i < n; i++)
    if (!nn__model_node_ok(op, m, nodes[i])) return -1;
  memset(&mn, 0, sizeof mn);
  mn.kind = kind;
  mn.nin = n;
  mn.axis = axis;
  mn.ndim = m->nodes[nodes[0]].ndim;
  for (k = 0; k < mn.ndim; k++) mn.shape[k] = m->nodes[nodes[0]].shape[k];
  if (kind == NN__MN_CONCAT && (axis < 0 || axis >= mn.ndim)) {
    nn__fail(NN_ERR_AXIS, "%s: axis %d is out of range for per-sample shapes of %d dimensions", op, axis, mn.ndim);
    return -1;
  }
  for (i = 0; i < n; i++) {
    const nn__mnode *s = &m->nodes[nodes[i]];
    int same = s->ndim == mn.ndim;
    for (k = 0; same && k < mn.ndim; k++)
      if (!(kind == NN__MN_CONCAT && k == axis) && s->shape[k] != m->nodes[nodes[0]].shape[k]) same = 0;
    if (!same) {
      nn__fail(NN_ERR_SHAPE, "%s: node %d has per-sample shape %s but node %d has %s", op, nodes[i],
               nn__fmt_shape(b1, sizeof b1, s->shape, s->ndim), nodes[0],
               nn__fmt_shape(b2, sizeof b2, m->nodes[nodes[0]].shape, m->nodes[nodes[0]].ndim));
      return -1;
    }
    mn.in[i] = nodes[i];
    if (kind == NN__MN_CONCAT && i > 0)
      mn.shape[axis] = mn.shape[axis] < 0 || s->shape[axis] < 0 ? -1 : mn.shape[axis] + s->shape[axis];
  }
  return nn__model_push(op, m, &mn);
}

NNDEF int nn_graph_add(nn_model *m, const int *nodes, int n) {
  return nn__model_merge("nn_graph_add", m, NN__MN_ADD, nodes, n, 0);
}
NNDEF int nn_graph_multiply(nn_model *m, const int *nodes, int n) {
  return nn__model_merge("nn_graph_multiply", m, NN__MN_MUL, nodes, n, 0);
}
NNDEF int nn_graph_concatenate(nn_model *m, const int *nodes, int n, int axis) {
  return nn__model_merge("nn_graph_concatenate", m, NN__MN_CONCAT, nodes, n, axis);
}

NNDEF nn_status nn_graph_output(nn_model *m, int node) {
  if (!nn__model_node_ok("nn_graph_output", m, node)) return nn_last_status();
  if (m->ninputs == 0) return nn__fail(NN_ERR_ARG, "nn_graph_output: the model has no input");
  m->output = node;
  return NN_OK;
}

NNDEF nn_model *nn_sequential(const int64_t *input_shape, int ndim) {
  nn_model *m;
  if (nn__model_check_shape("nn_sequential", input_shape, ndim) != NN_OK) return NULL;
  m = nn__model_new("nn_sequential", 1);
  if (!m) return NULL;
  if (nn_graph_input(m, input_shape, ndim) < 0) {
    nn_model_free(m);
    return NULL;
  }
  m->output = 0;
  return m;
}

NNDEF nn_status nn_model_add(nn_model *m, nn_layer *l) {
  int id;
  if (!m) {
    nn_layer_free(l);
    return nn__fail_null("nn_model_add", "m");
  }
  if (!m->sequential) {
    nn_layer_free(l);
    return nn__fail(NN_ERR_ARG, "nn_model_add: only Sequential models take layers this way; use nn_graph_layer");
  }
  id = nn__model_apply("nn_model_add", m, l, m->output);
  if (id < 0) return nn_last_status();
  m->output = id;
  return NN_OK;
}

NNDEF void nn_model_free(nn_model *m) {
  int i;
  if (!m) return;
  for (i = 0; i < m->nlayers; i++) nn_layer_free(m->layers[i]);
  nn_optimizer_free(m->opt);
  NN_FREE(m->layers);
  NN_FREE(m->nodes);
  NN_FREE(m);
}

/* ---- forward ---- */

NN__PRIVATE nn_tensor *nn__model_call_layer(nn_layer *l, const nn_tensor *x) {
  nn_tensor *xt, *y;
  if (l->batch_axis != 1 || x->ndim < 2) return nn_layer_forward(l, x);
  xt = nn_swapaxes(x, 0, 1);
  if (!xt) return NULL;
  y = nn_layer_forward(l, xt);
  nn_free(xt);
  if (y && y->ndim >= 3) {
    nn_tensor *yb = nn_swapaxes(y, 0, 1);
    nn_free(y);
    y = yb;
  }
  return y;
}

/* Node i is a convolution with ReLU whose only consumer is the max pooling at node i + 1. The pair then runs as
   convolution, pooling, ReLU: ReLU is non-decreasing and ties only where its gradient is zero, so the values and
   gradients are the same, and the ReLU and its backward run on the pooled output (a quarter of the size for 2x2
   windows), a pass over the convolution's output fewer each way. */
NN__PRIVATE int nn__model_pool_first(const nn_model *m, int i) {
#ifndef NN_NO_CONV
  const nn__mnode *a = &m->nodes[i], *b;
  int j, k;
  if (i + 1 > m->output || a->kind != NN__MN_LAYER || nn__convl_activation(a->layer) != NN_ACT_RELU) return 0;
  b = &m->nodes[i + 1];
  if (b->kind != NN__MN_LAYER || b->in[0] != i || !nn__layer_is_max_pool(b->layer)) return 0;
  for (j = i + 2; j <= m->output; j++)
    for (k = 0; k < m->nodes[j].nin; k++)
      if (m->nodes[j].in[k] == i) return 0;
  return 1;
#else
  (void)m, (void)i;
  return 0;
#endif
}

/* The output of nodes i (convolution with ReLU) and i + 1 (max pooling) when nn__model_pool_first(m, i); *bad: the
   node an error belongs to. */
NN__PRIVATE nn_tensor *nn__model_conv_pool(nn_model *m, int i, nn_tensor *x, int *bad) {
#ifndef NN_NO_CONV
  nn_layer *cl = m->nodes[i].layer, *pl = m->nodes[i + 1].layer;
  nn_tensor *z, *p, *r;
  *bad = i;
  if (nn__convl_pool22_ok(cl, pl, x)) { /* 2x2 pooling of a direct convolution: one pass, no full-size output */
    p = nn__layer_forward_with(cl, x, nn__convl_forward_pool22);
    if (!p) return NULL;
  } else {
    z = nn__convl_forward_no_act(cl, x);
    if (!z) return NULL;
    p = nn__model_call_layer(pl, z);
    nn_free(z); /* the pooling's backward keeps what it needs */
    if (!p) {
      *bad = i + 1;
      return NULL;
    }
  }
  r = nn_activate(p, NN_ACT_RELU);
  nn_free(p);
  return r;
#else
  (void)m, (void)x;
  *bad = i;
  return NULL;
#endif
}

NNDEF nn_tensor *nn_model_forward_multi(nn_model *m, nn_tensor *const *inputs, int ninputs) {
  nn_tensor **vals, *out = NULL;
  int i, k;
  if (!m) {
    nn__fail_null("nn_model_forward", "m");
    return NULL;
  }
  if (m->output < 0) {
    nn__fail(NN_ERR_ARG, "nn_model_forward: the model has no output yet (nn_graph_output)");
    return NULL;
  }
  if (ninputs != m->ninputs || !inputs) {
    nn__fail(NN_ERR_ARG, "nn_model_forward: the model takes %d input(s), got %d", m->ninputs, ninputs);
    return NULL;
  }
  vals = (nn_tensor **)NN_MALLOC(sizeof(nn_tensor *) * (size_t)m->nnodes);
  if (!vals) {
    nn__fail(NN_ERR_OOM, "nn_model_forward: out of memory");
    return NULL;
  }
  for (i = 0; i < m->nnodes; i++) vals[i] = NULL;
  for (i = 0; i < m->ninputs; i++) {
    const nn__mnode *n = &m->nodes[m->inputs[i]];
    const nn_tensor *x = inputs[i];
    int ok;
    if (nn__check_cpu("nn_model_forward", x, "x") != NN_OK) goto done;
    ok = x->ndim == n->ndim + 1;
    for (k = 0; ok && k < n->ndim; k++) ok = n->shape[k] < 0 || n->shape[k] == x->shape[k + 1];
    if (!ok) {
      char b1[96], b2[96];
      nn__fail(NN_ERR_SHAPE, "nn_model_forward: input %d has shape %s but the model takes (N,%s", i,
               nn_shape_str(x, b1, sizeof b1), nn__fmt_shape(b2, sizeof b2, n->shape, n->ndim) + 1);
      goto done;
    }
    vals[m->inputs[i]] = (nn_tensor *)x;
  }
  for (i = 0; i <= m->output; i++) {
    const nn__mnode *n = &m->nodes[i];
    nn_tensor *r = NULL;
    if (n->kind == NN__MN_INPUT) continue;
    if (n->kind == NN__MN_LAYER) {
      int bad = i;
      if (nn__model_pool_first(m, i)) {
        r = nn__model_conv_pool(m, i, vals[n->in[0]], &bad);
        i++; /* vals[i - 1] stays NULL: nothing else reads it */
      } else {
        r = nn__model_call_layer(n->layer, vals[n->in[0]]);
      }
      if (!r) {
        char msg[1024];
        nn_layer *bl = m->nodes[bad].layer;
        snprintf(msg, sizeof msg, "%s", nn_error());
        nn__fail(nn_last_status() != NN_OK ? nn_last_status() : NN_ERR_ARG, "nn_model_forward: layer %s (%s): %s",
                 nn_layer_name(bl), nn_layer_kind(bl), msg);
      }
    } else if (n->kind == NN__MN_CONCAT) {
      nn_tensor *ts[NN__MODEL_MAX_MERGE];
      for (k = 0; k < n->nin; k++) ts[k] = vals[n->in[k]];
      r = nn_concatenate(ts, n->nin, n->axis + 1);
    } else {
      r = vals[n->in[0]];
      for (k = 1; r && k < n->nin; k++) {
        nn_tensor *s = n->kind == NN__MN_ADD ? nn_add(r, vals[n->in[k]]) : nn_mul(r, vals[n->in[k]]);
        if (k > 1) nn_free(r);
        r = s;
      }
    }
    if (!r) goto done;
    vals[i] = r;
  }
  out = vals[m->output];
  if (out == inputs[0]) out = nn_view(out); /* a model without layers: a new header, as every op returns */
done:
  NN_FREE(vals);
  return out;
}

NNDEF nn_tensor *nn_model_forward(nn_model *m, const nn_tensor *x) {
  nn_tensor *in[1];
  in[0] = (nn_tensor *)x;
  return nn_model_forward_multi(m, in, 1);
}

NNDEF nn_status nn_model_set_training(nn_model *m, int training) {
  int i;
  if (!m) return nn__fail_null("nn_model_set_training", "m");
  for (i = 0; i < m->nlayers; i++) nn_layer_set_training(m->layers[i], training);
  m->training = training != 0;
  return NN_OK;
}

NNDEF int nn_model_params(const nn_model *m, nn_tensor **params, int cap) {
  int i, j, n = 0;
  if (!m) return 0;
  for (i = 0; i < m->nlayers; i++)
    for (j = 0; j < nn_layer_num_params(m->layers[i]); j++) {
      nn_tensor *p = nn_layer_param(m->layers[i], j);
      if (!p || !p->requires_grad) continue;
      if (params && n < cap) params[n] = p;
      n++;
    }
  return n;
}

NNDEF int64_t nn_model_param_count(const nn_model *m) {
  int64_t s = 0;
  int i;
  if (!m) return 0;
  for (i = 0; i < m->nlayers; i++) s += nn_layer_param_count(m->layers[i]);
  return s;
}

NNDEF int nn_model_num_layers(const nn_model *m) { return m ? m->nlayers : 0; }
NNDEF nn_layer *nn_model_layer(const nn_model *m, int i) {
  if (!m || i < 0 || i >= m->nlayers) {
    nn__fail(NN_ERR_INDEX, "nn_model_layer: layer %d does not exist", i);
    return NULL;
  }
  return m->layers[i];
}

NNDEF nn_status nn_model_summary(const nn_model *m, FILE *f) {
  int i, k;
  int64_t total = 0, trainable = 0, nontrain = 0;
  char line[200];
  if (!m) return nn__fail_null("nn_model_summary", "m");
  if (!f) return nn__fail_null("nn_model_summary", "f");
  fprintf(f, "Model: \"%s\"\n", m->sequential ? "sequential" : "functional");
  memset(line, '_', 78);
  line[78] = 0;
  fprintf(f, "%s\n", line);
  fprintf(f, " %-30s %-24s %-12s%s\n", "Layer (type)", "Output Shape", "Param #", m->sequential ? "" : "Connected to");
  memset(line, '=', 78);
  fprintf(f, "%s\n", line);
  for (i = 0; i < m->nnodes; i++) {
    const nn__mnode *n = &m->nodes[i];
    char name[96], shape[128];
    int len = 0;
    int64_t count = 0;
    len = snprintf(shape, sizeof shape, "(None");
    for (k = 0; k < n->ndim && len < (int)sizeof shape - 24; k++) {
      if (n->shape[k] < 0) len += snprintf(shape + len, sizeof shape - (size_t)len, ", None");
      else len += snprintf(shape + len, sizeof shape - (size_t)len, ", %lld", (long long)n->shape[k]);
    }
    snprintf(shape + len, sizeof shape - (size_t)len, ")");
    switch (n->kind) {
      case NN__MN_INPUT: snprintf(name, sizeof name, "input_%d (InputLayer)", i); break;
      case NN__MN_LAYER:
        snprintf(name, sizeof name, "%s (%s)", nn_layer_name(n->layer), nn_layer_kind(n->layer));
        count = nn_layer_param_count(n->layer);
        for (k = 0; k < i; k++) /* a shared layer counts once */
          if (m->nodes[k].kind == NN__MN_LAYER && m->nodes[k].layer == n->layer) count = 0;
        break;
      case NN__MN_ADD: snprintf(name, sizeof name, "add_%d (Add)", i); break;
      case NN__MN_MUL: snprintf(name, sizeof name, "multiply_%d (Multiply)", i); break;
      default: snprintf(name, sizeof name, "concatenate_%d (Concatenate)", i); break;
    }
    if (m->sequential && n->kind == NN__MN_INPUT) continue; /* Keras lists no input layer for Sequential */
    fprintf(f, " %-30s %-24s %-12lld", name, shape, (long long)count);
    if (!m->sequential)
      for (k = 0; k < n->nin; k++) fprintf(f, "%s[%d]", k ? ", " : "", n->in[k]);
    fputc('\n', f);
    total += count;
    if (n->kind == NN__MN_LAYER && n->layer->trainable) trainable += count;
    else nontrain += count;
    if (i + 1 < m->nnodes) {
      memset(line, '_', 78);
      fprintf(f, "\n");
    }
  }
  memset(line, '=', 78);
  fprintf(f, "%s\n", line);
  fprintf(f, "Total params: %lld\nTrainable params: %lld\nNon-trainable params: %lld\n", (long long)total,
          (long long)trainable, (long long)nontrain);
  memset(line, '_', 78);
  fprintf(f, "%s\n", line);
  return NN_OK;
}
