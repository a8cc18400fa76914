/* nn/layers_core.c: embedding and dropout (functional forms), and the Dense, Flatten, Reshape, Activation, Dropout
   and Embedding layers. */

/* ---- embedding: a row gather with a scatter-add backward ---- */

NN__PRIVATE nn_status nn__embedding_backward(nn__node *n, const nn_tensor *gout, nn_tensor **gin) {
  nn_tensor *idx = n->saved[0], *g, *gw;
  const nn__edge *e = &n->in[0];
  int64_t E = n->i[1];
  g = nn__lk_contig(gout, e->dtype);
  if (!g) return nn_last_status();
  gw = nn_zeros(e->shape, e->ndim, e->dtype);
  if (!gw) {
    nn_free(g);
    return nn_last_status();
  }
  if (e->dtype == NN_FLOAT32)
    nn__lk_embed_bwd_f32(idx->size, (const int64_t *)idx->data, E, (const float *)g->data, (float *)gw->data);
  else
    nn__lk_embed_bwd_f64(idx->size, (const int64_t *)idx->data, E, (const double *)g->data, (double *)gw->data);
  nn_free(g);
  gin[0] = gw;
  return NN_OK;
}

/* nn_embedding with who for the messages (the function, or the layer's kind and name). */
NN__PRIVATE nn_tensor *nn__embedding(const char *who, const nn_tensor *indices, const nn_tensor *weight) {
  nn_tensor *idx = NULL, *wc = NULL, *y = NULL;
  int64_t shape[NN_MAX_DIMS], V, E, k;
  size_t row;
  char b1[160];
  int i;
  if (nn__check_cpu(who, indices, "indices") != NN_OK || nn__check_cpu(who, weight, "weight") != NN_OK) return NULL;
  if (!nn__is_int(indices->dtype)) {
    nn__fail(NN_ERR_DTYPE, "%s: indices must be int32 or int64, got %s", who, nn_dtype_name(indices->dtype));
    return NULL;
  }
  if (weight->ndim != 2 || !nn__is_float(weight->dtype)) {
    nn__fail(NN_ERR_SHAPE, "%s: weight must be a 2-D float table (num_embeddings, embedding_dim), got %s %s", who,
             nn_dtype_name(weight->dtype), nn__fmt_shape(b1, sizeof b1, weight->shape, weight->ndim));
    return NULL;
  }
  if (indices->ndim + 1 > NN_MAX_DIMS) {
    nn__fail(NN_ERR_SHAPE, "%s: indices have %d axes; the result would have more than %d", who, indices->ndim,
             NN_MAX_DIMS);
    return NULL;
  }
  V = weight->shape[0];
  E = weight->shape[1];
  idx = nn_astype(indices, NN_INT64);
  if (!idx) return NULL;
  for (k = 0; k < idx->size; k++) {
    int64_t v = ((const int64_t *)idx->data)[k];
    if (v < 0 || v >= V) {
      nn__fail(NN_ERR_INDEX, "%s: index %lld (at flat position %lld) is out of range for %lld embeddings", who,
               (long long)v, (long long)k, (long long)V);
      nn_free(idx);
      return NULL;
    }
  }
  wc = nn_contiguous(weight);
  for (i = 0; i < indices->ndim; i++) shape[i] = indices->shape[i];
  shape[indices->ndim] = E;
  if (wc) y = nn__new(who, weight->dtype, shape, indices->ndim + 1);
  if (y) {
    row = (size_t)E * nn_dtype_size(weight->dtype);
    for (k = 0; k < idx->size; k++)
      memcpy((char *)y->data + (size_t)k * row, (const char *)wc->data + (size_t)((const int64_t *)idx->data)[k] * row,
             row);
    if (nn__ag_wanted1(weight)) {
      nn__node *n = nn__ag_node("embedding", nn__embedding_backward, 1, &weight);
      if (n) {
        n->i[0] = V;
        n->i[1] = E;
        if (nn__ag_save(n, 0, idx) != NN_OK) {
          nn__node_decref(n);
          n = NULL;
        }
      }
      y = nn__ag_attach(n, y);
    }
  }
  nn_free(idx);
  nn_free(wc);
  return y;
}

NNDEF nn_tensor *nn_embedding(const nn_tensor *indices, const nn_tensor *weight) {
  return nn__embedding("nn_embedding", indices, weight);
}

#ifndef NN_NO_RANDOM

/* ---- dropout ---- */

NNDEF nn_tensor *nn_dropout(const nn_tensor *x, double p, int training, nn_rng *rng) {
  nn_tensor *mask, *y;
  int64_t i;
  double scale;
  if (nn__check_cpu("nn_dropout", x, "x") != NN_OK) return NULL;
  if (!nn__is_float(x->dtype)) {
    nn__fail(NN_ERR_DTYPE, "nn_dropout: x must be float32 or float64, got %s", nn_dtype_name(x->dtype));
    return NULL;
  }
  if (!(p >= 0 && p <= 1)) {
    nn__fail(NN_ERR_VALUE, "nn_dropout: dropout probability has to be between 0 and 1, but got %g", p);
    return NULL;
  }
  if (!training || p == 0) return nn__ag_identity("nn_dropout", x);
  if (!rng) {
    nn__fail_null("nn_dropout", "rng");
    return NULL;
  }
  mask = nn__new("nn_dropout", x->dtype, x->shape, x->ndim);
  if (!mask) return NULL;
  scale = p < 1 ? 1.0 / (1.0 - p) : 0.0;
  /* keep with probability 1 - p, two 32-bit draws per 64-bit word */
  for (i = 0; i < mask->size; i += 2) {
    uint64_t r = nn_rng_next(rng);
    double u0 = (double)(r >> 32) * (1.0 / 4294967296.0), u1 = (double)(r & 0xFFFFFFFFu) * (1.0 / 4294967296.0);
    double m0 = u0 >= p ? scale : 0.0, m1 = u1 >= p ? scale : 0.0;
    if (x->dtype == NN_FLOAT32) {
      ((float *)mask->data)[i] = (float)m0;
      if (i + 1 < mask->size) ((float *)mask->data)[i + 1] = (float)m1;
    } else {
      ((double *)mask->data)[i] = m0;
      if (i + 1 < mask->size) ((double *)mask->data)[i + 1] = m1;
    }
  }
  y = nn_mul(x, mask);
  nn_free(mask);
  return y;
}

/* ---- Dense ---- */

typedef struct nn__dense_cfg {
  int64_t units, in_features;
  nn_activation act;
  nn_dense_desc d;
} nn__dense_cfg;

/* Picks the weight and bias initializers of a Linear-like layer with the given fan_in. */
NN__PRIVATE void nn__linear_inits(int keras_init, int64_t fan_in, nn_init_spec *w, nn_init_spec *b) {
  double bound = fan_in > 0 ? 1.0 / sqrt((double)fan_in) : 0.0;
  if (keras_init) {
    *w = nn__init_simple(NN_INIT_XAVIER_UNIFORM, 1.0, 0);
    *b = nn__init_simple(NN_INIT_ZEROS, 0, 0);
  } else {
    *w = nn__init_torch_weight();
    *b = nn__init_simple(NN_INIT_UNIFORM, -bound, bound);
  }
}

NN__PRIVATE nn_status nn__dense_build(nn_layer *l, const int64_t *shape, int ndim) {
  nn__dense_cfg *cfg = (nn__dense_cfg *)l->config;
  nn_init_spec dw, db;
  int64_t ws[2], out[NN_MAX_DIMS];
  int i;
  if (nn__layer_check_build(l, "nn_dense", shape, ndim, 1, NN_MAX_DIMS - 1, ndim - 1, "input features") != NN_OK)
    return nn_last_status();
  cfg->in_features = shape[ndim - 1];
  nn__linear_inits(cfg->d.keras_init, cfg->in_features, &dw, &db);
  ws[0] = cfg->units;
  ws[1] = cfg->in_features;
  if (!nn__layer_param(l, "weight", ws, 2, nn__init_pick(&cfg->d.weight_init, &dw))) return nn_last_status();
  if (!cfg->d.no_bias && !nn__layer_param(l, "bias", ws, 1, nn__init_pick(&cfg->d.bias_init, &db)))
    return nn_last_status();
  for (i = 0; i < ndim; i++) out[i] = shape[i];
  out[ndim - 1] = cfg->units;
  return nn_layer_set_output_shape(l, out, ndim);
}

NN__PRIVATE nn_tensor *nn__dense_forward(nn_layer *l, const nn_tensor *x) {
  nn__dense_cfg *cfg = (nn__dense_cfg *)l->config;
  nn_tensor *y, *z;
  if (nn__layer_check_x(l, "nn_dense", x, 2, NN_MAX_DIMS, "(N, *, features)") != NN_OK ||
      nn__layer_check_dim(l, "nn_dense", x, x->ndim - 1, cfg->in_features, "features") != NN_OK)
    return NULL;
  y = nn_linear(x, l->params[0].tensor, cfg->d.no_bias ? NULL : l->params[1].tensor);
  if (!y || cfg->act == NN_ACT_NONE) return y;
  z = nn_activate(y, cfg->act);
  nn_free(y);
  return z;
}

static const nn_layer_ops nn__dense_ops = {"Dense", nn__dense_build, nn__dense_forward, NULL};

NNDEF nn_layer *nn_dense_ex(int64_t units, nn_activation act, const nn_dense_desc *desc) {
  nn_layer *l;
  nn__dense_cfg *cfg;
  if (units <= 0) {
    nn__fail(NN_ERR_ARG, "nn_dense: units must be positive, got %lld", (long long)units);
    return NULL;
  }
  if ((int)act < 0 || act >= NN_ACT_COUNT) {
    nn__fail(NN_ERR_ARG, "nn_dense: unknown activation %d", (int)act);
    return NULL;
  }
  if (desc && nn__layer_dtype("nn_dense", desc->dtype) != NN_OK) return NULL;
  l = nn__layer_new("nn_dense", &nn__dense_ops, sizeof(nn__dense_cfg));
  if (!l) return NULL;
  cfg = (nn__dense_cfg *)l->config;
  cfg->units = units;
  cfg->act = act;
  if (desc) cfg->d = *desc;
  l->dtype = cfg->d.dtype;
  return l;
}

NNDEF nn_layer *nn_dense(int64_t units, nn_activation act) { return nn_dense_ex(units, act, NULL); }

/* ---- Flatten, Reshape, Activation ---- */

NN__PRIVATE nn_status nn__flatten_build(nn_layer *l, const int64_t *shape, int ndim) {
  int64_t n = 1;
  int i;
  for (i = 0; i < ndim; i++) n = (shape[i] < 0 || n < 0) ? -1 : n * shape[i];
  return nn_layer_set_output_shape(l, &n, 1);
}

NN__PRIVATE nn_tensor *nn__flatten_forward(nn_layer *l, const nn_tensor *x) {
  int64_t s[2];
  if (x->ndim < 1) {
    nn__fail(NN_ERR_SHAPE, "nn_flatten_layer: %s '%s' expects an input with a batch axis, got a 0-d tensor",
             nn_layer_kind(l), l->name);
    return NULL;
  }
  s[0] = x->shape[0];
  s[1] = x->shape[0] > 0 ? x->size / x->shape[0] : nn__shape_size(x->shape + 1, x->ndim - 1);
  return nn_reshape(x, s, 2);
}

static const nn_layer_ops nn__flatten_ops = {"Flatten", nn__flatten_build, nn__flatten_forward, NULL};

NNDEF nn_layer *nn_flatten_layer(void) { return nn__layer_new("nn_flatten_layer", &nn__flatten_ops, 0); }

typedef struct nn__reshape_cfg {
  int ndim;
  int64_t shape[NN_MAX_DIMS];
} nn__reshape_cfg;

NN__PRIVATE nn_status nn__reshape_build(nn_layer *l, const int64_t *shape, int ndim) {
  nn__reshape_cfg *cfg = (nn__reshape_cfg *)l->config;
  int64_t out[NN_MAX_DIMS], n = 1, known = 1;
  int i, free_axis = -1;
  char b1[160], b2[160];
  for (i = 0; i < ndim; i++) n = (shape[i] < 0 || n < 0) ? -1 : n * shape[i];
  for (i = 0; i < cfg->ndim; i++) {
    out[i] = cfg->shape[i];
    if (out[i] < 0) free_axis = i;
    else known *= out[i];
  }
  if (n >= 0) {
    if (free_axis >= 0 && known > 0 && n % known == 0) out[free_axis] = n / known;
    else if (free_axis >= 0 || known != n)
      return nn__fail(NN_ERR_SHAPE, "nn_reshape_layer: %s '%s' cannot reshape a sample of shape %s into %s",
                      nn_layer_kind(l), l->name, nn__fmt_shape(b1, sizeof b1, shape, ndim),
                      nn__fmt_shape(b2, sizeof b2, cfg->shape, cfg->ndim));
  }
  return nn_layer_set_output_shape(l, out, cfg->ndim);
}

NN__PRIVATE nn_tensor *nn__reshape_forward(nn_layer *l, const nn_tensor *x) {
  nn__reshape_cfg *cfg = (nn__reshape_cfg *)l->config;
  int64_t s[NN_MAX_DIMS];
  int i;
  if (x->ndim < 1) {
    nn__fail(NN_ERR_SHAPE, "nn_reshape_layer: %s '%s' expects an input with a batch axis, got a 0-d tensor",
             nn_layer_kind(l), l->name);
    return NULL;
  }
  s[0] = x->shape[0];
  for (i = 0; i < cfg->ndim; i++) s[1 + i] = cfg->shape[i];
  return nn_reshape(x, s, cfg->ndim + 1);
}

static const nn_layer_ops nn__reshape_ops = {"Reshape", nn__reshape_build, nn__reshape_forward, NULL};

NNDEF nn_layer *nn_reshape_layer(const int64_t *shape, int ndim) {
  nn_layer *l;
  nn__reshape_cfg *cfg;
  int i, nfree = 0;
  if (ndim < 0 || ndim >= NN_MAX_DIMS || (ndim > 0 && !shape)) {
    nn__fail(NN_ERR_ARG, "nn_reshape_layer: the target shape needs 0 to %d axes, got %d", NN_MAX_DIMS - 1, ndim);
    return NULL;
  }
  for (i = 0; i < ndim; i++) {
    if (shape[i] < -1) break;
    nfree += shape[i] == -1;
  }
  if (i < ndim || nfree > 1) {
    char b1[160];
    nn__fail(NN_ERR_ARG, "nn_reshape_layer: bad target shape %s (lengths >= 0 and at most one -1)",
             nn__fmt_shape(b1, sizeof b1, shape, ndim));
    return NULL;
  }
  l = nn__layer_new("nn_reshape_layer", &nn__reshape_ops, sizeof(nn__reshape_cfg));
  if (!l) return NULL;
  cfg = (nn__reshape_cfg *)l->config;
  cfg->ndim = ndim;
  for (i = 0; i < ndim; i++) cfg->shape[i] = shape[i];
  return l;
}

NN__PRIVATE nn_status nn__same_shape_build(nn_layer *l, const int64_t *shape, int ndim) {
  return nn_layer_set_output_shape(l, shape, ndim);
}

NN__PRIVATE nn_tensor *nn__activation_forward(nn_layer *l, const nn_tensor *x) {
  return nn_activate(x, *(const nn_activation *)l->config);
}

static const nn_layer_ops nn__activation_ops = {"Activation", nn__same_shape_build, nn__activation_forward, NULL};

NNDEF nn_layer *nn_activation_layer(nn_activation act) {
  nn_layer *l;
  if ((int)act < 0 || act >= NN_ACT_COUNT) {
    nn__fail(NN_ERR_ARG, "nn_activation_layer: unknown activation %d", (int)act);
    return NULL;
  }
  l = nn__layer_new("nn_activation_layer", &nn__activation_ops, sizeof(nn_activation));
  if (l) *(nn_activation *)l->config = act;
  return l;
}

/* ---- Dropout ---- */

NN__PRIVATE nn_tensor *nn__dropout_forward(nn_layer *l, const nn_tensor *x) {
  return nn_dropout(x, *(const double *)l->config, l->training, &l->rng);
}

static const nn_layer_ops nn__dropout_ops = {"Dropout", nn__same_shape_build, nn__dropout_forward, NULL};

NNDEF nn_layer *nn_dropout_layer(double p) {
  nn_layer *l;
  if (!(p >= 0 && p <= 1)) {
    nn__fail(NN_ERR_VALUE, "nn_dropout_layer: dropout probability has to be between 0 and 1, but got %g", p);
    return NULL;
  }
  l = nn__layer_new("nn_dropout_layer", &nn__dropout_ops, sizeof(double));
  if (l) *(double *)l->config = p;
  return l;
}

/* ---- Embedding ---- */

typedef struct nn__embed_cfg {
  int64_t num, dim;
  nn_embedding_desc d;
} nn__embed_cfg;

NN__PRIVATE nn_status nn__embed_build(nn_layer *l, const int64_t *shape, int ndim) {
  nn__embed_cfg *cfg = (nn__embed_cfg *)l->config;
  nn_init_spec dflt = cfg->d.keras_init ? nn__init_simple(NN_INIT_UNIFORM, -0.05, 0.05)
                                        : nn__init_simple(NN_INIT_NORMAL, 0.0, 1.0);
  int64_t ws[2], out[NN_MAX_DIMS];
  int i;
  if (ndim + 1 >= NN_MAX_DIMS)
    return nn__fail(NN_ERR_SHAPE, "nn_embedding_layer: per-sample index shape has too many axes (%d)", ndim);
  ws[0] = cfg->num;
  ws[1] = cfg->dim;
  if (!nn__layer_param(l, "weight", ws, 2, nn__init_pick(&cfg->d.init, &dflt))) return nn_last_status();
  for (i = 0; i < ndim; i++) out[i] = shape[i];
  out[ndim] = cfg->dim;
  return nn_layer_set_output_shape(l, out, ndim + 1);
}

NN__PRIVATE nn_tensor *nn__embed_forward(nn_layer *l, const nn_tensor *x) {
  char who[160];
  if (x->ndim < 1) {
    nn__fail(NN_ERR_SHAPE, "nn_embedding_layer: %s '%s' expects indices with a batch axis, got a 0-d tensor",
             nn_layer_kind(l), l->name);
    return NULL;
  }
  snprintf(who, sizeof who, "%s '%s'", nn_layer_kind(l), l->name);
  return nn__embedding(who, x, l->params[0].tensor);
}

static const nn_layer_ops nn__embed_ops = {"Embedding", nn__embed_build, nn__embed_forward, NULL};

NNDEF nn_layer *nn_embedding_layer(int64_t num_embeddings, int64_t embedding_dim, const nn_embedding_desc *desc) {
  nn_layer *l;
  nn__embed_cfg *cfg;
  if (num_embeddings <= 0 || embedding_dim <= 0) {
    nn__fail(NN_ERR_ARG, "nn_embedding_layer: num_embeddings and embedding_dim must be positive, got %lld and %lld",
             (long long)num_embeddings, (long long)embedding_dim);
    return NULL;
  }
  if (desc && nn__layer_dtype("nn_embedding_layer", desc->dtype) != NN_OK) return NULL;
  l = nn__layer_new("nn_embedding_layer", &nn__embed_ops, sizeof(nn__embed_cfg));
  if (!l) return NULL;
  cfg = (nn__embed_cfg *)l->config;
  cfg->num = num_embeddings;
  cfg->dim = embedding_dim;
  if (desc) cfg->d = *desc;
  l->dtype = cfg->d.dtype;
  return l;
}

#endif /* NN_NO_RANDOM */
