/* nn/layers_attention.c: MultiHeadAttention with torch.nn.MultiheadAttention's parameters and formulas, composed of
   differentiable ops (projections, per-head scaled dot products, masks, softmax, dropout, output projection). */
#ifndef NN_NO_RANDOM

typedef struct nn__mha_cfg {
  int64_t heads, E;
  nn_mha_desc d;
} nn__mha_cfg;

NN__PRIVATE nn_status nn__mha_build(nn_layer *l, const int64_t *shape, int ndim) {
  nn__mha_cfg *cfg = (nn__mha_cfg *)l->config;
  nn_init_spec xav = nn__init_simple(NN_INIT_XAVIER_UNIFORM, 1.0, 0), zeros = nn__init_simple(NN_INIT_ZEROS, 0, 0);
  nn_init_spec lin = nn__init_torch_weight();
  int64_t s[2];
  if (nn__layer_check_build(l, "nn_multihead_attention", shape, ndim, 2, 2, 1, "embedding features") != NN_OK)
    return nn_last_status();
  cfg->E = shape[1];
  if (cfg->E % cfg->heads != 0)
    return nn__fail(NN_ERR_SHAPE, "nn_multihead_attention: %s '%s': embed_dim %lld must be divisible by num_heads %lld",
                    nn_layer_kind(l), l->name, (long long)cfg->E, (long long)cfg->heads);
  s[0] = 3 * cfg->E;
  s[1] = cfg->E;
  if (!nn__layer_param(l, "in_proj_weight", s, 2, &xav)) return nn_last_status();
  if (!cfg->d.no_bias && !nn__layer_param(l, "in_proj_bias", s, 1, &zeros)) return nn_last_status();
  s[0] = cfg->E;
  if (!nn__layer_param(l, "out_proj.weight", s, 2, &lin)) return nn_last_status();
  if (!cfg->d.no_bias && !nn__layer_param(l, "out_proj.bias", s, 1, &zeros)) return nn_last_status();
  return nn_layer_set_output_shape(l, shape, ndim);
}

/* (N, L, E) -> (N, heads, L, E / heads). */
NN__PRIVATE nn_tensor *nn__mha_split_heads(const nn_tensor *x, int64_t heads) {
  int64_t s[4];
  int perm[4] = {0, 2, 1, 3};
  nn_tensor *r;
  s[0] = x->shape[0];
  s[1] = x->shape[1];
  s[2] = heads;
  s[3] = x->shape[2] / heads;
  r = nn_reshape(x, s, 4);
  return r ? nn_permute(r, perm, 4) : NULL;
}

/* Checks q/k/v: 3-D, the layer's dtype, E features, and returns (N, length) through n and len. */
NN__PRIVATE nn_status nn__mha_check(const nn_layer *l, const char *arg, const nn_tensor *t, int bf, int64_t E,
                                    int64_t *n, int64_t *len) {
  const char *fn = "nn_mha_forward";
  char b1[160];
  if (nn__check_cpu(fn, t, arg) != NN_OK) return nn_last_status();
  if (t->ndim != 3)
    return nn__fail(NN_ERR_SHAPE, "%s: %s '%s' expects a 3-D %s %s, got shape %s", fn, nn_layer_kind(l), l->name, arg,
                    bf ? "(N, L, E)" : "(L, N, E)", nn__fmt_shape(b1, sizeof b1, t->shape, t->ndim));
  if (t->dtype != l->dtype)
    return nn__fail(NN_ERR_DTYPE, "%s: %s '%s' has %s parameters but %s is %s", fn, nn_layer_kind(l), l->name,
                    nn_dtype_name(l->dtype), arg, nn_dtype_name(t->dtype));
  if (t->shape[2] != E)
    return nn__fail(NN_ERR_SHAPE, "%s: %s has %lld features but %s '%s' was built for embed_dim %lld (shape %s)", fn,
                    arg, (long long)t->shape[2], nn_layer_kind(l), l->name, (long long)E,
                    nn__fmt_shape(b1, sizeof b1, t->shape, t->ndim));
  *n = t->shape[bf ? 0 : 1];
  *len = t->shape[bf ? 1 : 0];
  return NN_OK;
}

/* The additive mask (0 or -inf, or the float attn_mask's values), shape (N, 1, L, S) or (1, 1, L, S); NULL when there
   is nothing to mask (and no error). */
NN__PRIVATE nn_tensor *nn__mha_mask(const nn_layer *l, const nn_tensor *attn_mask, const nn_tensor *kpm, int causal,
                                    int64_t N, int64_t L, int64_t S, int *failed) {
  const char *fn = "nn_mha_forward";
  nn_tensor *m, *am, *kp;
  int64_t shape[4], n, i, j;
  char b1[160];
  *failed = 1;
  if (attn_mask) {
    if (nn__check_cpu(fn, attn_mask, "attn_mask") != NN_OK) return NULL;
    if (attn_mask->ndim != 2 || attn_mask->shape[0] != L || attn_mask->shape[1] != S ||
        !(attn_mask->dtype == NN_BOOL || nn__is_float(attn_mask->dtype))) {
      nn__fail(NN_ERR_SHAPE, "%s: %s '%s': attn_mask must be bool or float of shape (%lld, %lld), got %s %s", fn,
               nn_layer_kind(l), l->name, (long long)L, (long long)S, nn_dtype_name(attn_mask->dtype),
               nn__fmt_shape(b1, sizeof b1, attn_mask->shape, attn_mask->ndim));
      return NULL;
    }
  }
  if (kpm) {
    if (nn__check_cpu(fn, kpm, "key_padding_mask") != NN_OK) return NULL;
    if (kpm->ndim != 2 || kpm->shape[0] != N || kpm->shape[1] != S || kpm->dtype != NN_BOOL) {
      nn__fail(NN_ERR_SHAPE, "%s: %s '%s': key_padding_mask must be bool of shape (%lld, %lld), got %s %s", fn,
               nn_layer_kind(l), l->name, (long long)N, (long long)S, nn_dtype_name(kpm->dtype),
               nn__fmt_shape(b1, sizeof b1, kpm->shape, kpm->ndim));
      return NULL;
    }
  }
  *failed = 0;
  if (!attn_mask && !kpm && !causal) return NULL;
  *failed = 1;
  shape[0] = kpm ? N : 1;
  shape[1] = 1;
  shape[2] = L;
  shape[3] = S;
  am = attn_mask ? nn_astype(attn_mask, NN_FLOAT64) : NULL; /* contiguous copies with known element types */
  kp = kpm ? nn_astype(kpm, NN_UINT8) : NULL;
  m = nn__new(fn, l->dtype, shape, 4);
  if ((attn_mask && !am) || (kpm && !kp) || !m) {
    nn_free(am);
    nn_free(kp);
    nn_free(m);
    return NULL;
  }
  for (n = 0; n < shape[0]; n++)
    for (i = 0; i < L; i++)
      for (j = 0; j < S; j++) {
        double v = 0;
        if (am) v = attn_mask->dtype == NN_BOOL ? (((const double *)am->data)[i * S + j] != 0 ? -INFINITY : 0.0)
                                                : ((const double *)am->data)[i * S + j];
        if (causal && j > i) v = -INFINITY;
        if (kp && ((const uint8_t *)kp->data)[n * S + j]) v = -INFINITY;
        if (l->dtype == NN_FLOAT32) ((float *)m->data)[(n * L + i) * S + j] = (float)v;
        else ((double *)m->data)[(n * L + i) * S + j] = v;
      }
  nn_free(am);
  nn_free(kp);
  *failed = 0;
  return m;
}

NNDEF nn_tensor *nn_mha_forward(nn_layer *l, const nn_tensor *query, const nn_tensor *key, const nn_tensor *value,
                                const nn_tensor *attn_mask, const nn_tensor *key_padding_mask, int causal,
                                nn_tensor **attn_weights);

NN__PRIVATE nn_tensor *nn__mha_forward_layer(nn_layer *l, const nn_tensor *x) {
  const nn__mha_cfg *cfg = (const nn__mha_cfg *)l->config;
  return nn_mha_forward(l, x, x, x, NULL, NULL, cfg->d.causal, NULL);
}

static const nn_layer_ops nn__mha_ops = {"MultiHeadAttention", nn__mha_build, nn__mha_forward_layer, NULL};

NNDEF nn_tensor *nn_mha_forward(nn_layer *l, const nn_tensor *query, const nn_tensor *key, const nn_tensor *value,
                                const nn_tensor *attn_mask, const nn_tensor *key_padding_mask, int causal,
                                nn_tensor **attn_weights) {
  const char *fn = "nn_mha_forward";
  nn__mha_cfg *cfg;
  nn_tensor *w, *bias, *wo, *bo, *q, *k, *v, *mask, *scores, *attn, *o, *y = NULL, *aw = NULL;
  nn_tensor *wq, *wk, *wv, *bq = NULL, *bk = NULL, *bv = NULL;
  int64_t N, L, Nk, S, Nv, Sv, E, H, s3[3];
  int bf, failed, i;
  if (attn_weights) *attn_weights = NULL;
  if (!l) {
    nn__fail_null(fn, "l");
    return NULL;
  }
  if (l->ops != &nn__mha_ops) {
    nn__fail(NN_ERR_ARG, "%s: %s '%s' is not a MultiHeadAttention layer", fn, nn_layer_kind(l), l->name);
    return NULL;
  }
  cfg = (nn__mha_cfg *)l->config;
  bf = cfg->d.batch_first;
  if (nn__check_cpu(fn, query, "query") != NN_OK) return NULL;
  if (!l->built) {
    int64_t s[2];
    if (query->ndim != 3) {
      char b1[160];
      nn__fail(NN_ERR_SHAPE, "%s: %s '%s' expects a 3-D query %s, got shape %s", fn, nn_layer_kind(l), l->name,
               bf ? "(N, L, E)" : "(L, N, E)", nn__fmt_shape(b1, sizeof b1, query->shape, query->ndim));
      return NULL;
    }
    s[0] = query->shape[bf ? 1 : 0];
    s[1] = query->shape[2];
    if (nn_layer_build(l, s, 2) != NN_OK) return NULL;
  }
  E = cfg->E;
  H = cfg->heads;
  if (nn__mha_check(l, "query", query, bf, E, &N, &L) != NN_OK || nn__mha_check(l, "key", key, bf, E, &Nk, &S) != NN_OK ||
      nn__mha_check(l, "value", value, bf, E, &Nv, &Sv) != NN_OK)
    return NULL;
  if (Nk != N || Nv != N || Sv != S) {
    nn__fail(NN_ERR_SHAPE, "%s: %s '%s': query, key and value need the same batch size and key/value the same length; "
                           "got batch %lld, %lld, %lld and lengths %lld, %lld", fn, nn_layer_kind(l), l->name,
             (long long)N, (long long)Nk, (long long)Nv, (long long)S, (long long)Sv);
    return NULL;
  }
  if (nn_scope_begin() != NN_OK) return NULL;
  mask = nn__mha_mask(l, attn_mask, key_padding_mask, causal, N, L, S, &failed);
  if (failed) goto done;
  w = l->params[0].tensor;
  bias = cfg->d.no_bias ? NULL : l->params[1].tensor;
  wo = l->params[cfg->d.no_bias ? 1 : 2].tensor;
  bo = cfg->d.no_bias ? NULL : l->params[3].tensor;
  wq = nn_slice(w, 0, 0, E, 1);
  wk = nn_slice(w, 0, E, 2 * E, 1);
  wv = nn_slice(w, 0, 2 * E, 3 * E, 1);
  if (bias) {
    bq = nn_slice(bias, 0, 0, E, 1);
    bk = nn_slice(bias, 0, E, 2 * E, 1);
    bv = nn_slice(bias, 0, 2 * E, 3 * E, 1);
  }
  if (!wq || !wk || !wv || (bias && (!bq || !bk || !bv))) goto done;
  /* batch-first views, projections, heads */
  q = bf ? (nn_tensor *)query : nn_swapaxes(query, 0, 1);
  k = bf ? (nn_tensor *)key : nn_swapaxes(key, 0, 1);
  v = bf ? (nn_tensor *)value : nn_swapaxes(value, 0, 1);
  if (!q || !k || !v) goto done;
  q = nn_linear(q, wq, bq);
  k = q ? nn_linear(k, wk, bk) : NULL;
  v = k ? nn_linear(v, wv, bv) : NULL;
  if (!v) goto done;
  q = nn__mha_split_heads(q, H);
  k = q ? nn__mha_split_heads(k, H) : NULL;
  v = k ? nn__mha_split_heads(v, H) : NULL;
  if (!v) goto done;
  q = nn_mul_scalar(q, 1.0 / sqrt((double)(E / H)));
  k = q ? nn_swapaxes(k, -1, -2) : NULL;
  scores = k ? nn_matmul(q, k) : NULL; /* (N, H, L, S) */
  if (scores && mask) scores = nn_add(scores, mask);
  attn = scores ? nn_softmax(scores, -1) : NULL;
  if (attn && l->training && cfg->d.dropout > 0) attn = nn_dropout(attn, cfg->d.dropout, 1, &l->rng);
  o = attn ? nn_matmul(attn, v) : NULL; /* (N, H, L, d) */
  if (o) {
    int perm[4] = {0, 2, 1, 3};
    o = nn_permute(o, perm, 4);
  }
  s3[0] = N;
  s3[1] = L;
  s3[2] = E;
  if (o) o = nn_reshape(o, s3, 3);
  if (o) y = nn_linear(o, wo, bo);
  if (y && !bf) {
    y = nn_swapaxes(y, 0, 1);
    if (y) y = nn_contiguous(y);
  }
  if (y && attn_weights) {
    aw = nn_mean(attn, 1, 0);
    if (!aw) y = NULL;
  }
done:
  if (y) nn_keep(y);
  if (aw) nn_keep(aw);
  i = nn_scope_end() == NN_OK;
  (void)i;
  if (attn_weights) *attn_weights = aw;
  return y;
}

NNDEF nn_layer *nn_multihead_attention(int64_t num_heads, const nn_mha_desc *desc) {
  const char *fn = "nn_multihead_attention";
  nn_layer *l;
  nn__mha_cfg *cfg;
  if (num_heads <= 0) {
    nn__fail(NN_ERR_ARG, "%s: num_heads must be positive, got %lld", fn, (long long)num_heads);
    return NULL;
  }
  if (desc && nn__layer_dtype(fn, desc->dtype) != NN_OK) return NULL;
  if (desc && !(desc->dropout >= 0 && desc->dropout <= 1)) {
    nn__fail(NN_ERR_VALUE, "%s: dropout must be in [0, 1], got %g", fn, desc->dropout);
    return NULL;
  }
  l = nn__layer_new(fn, &nn__mha_ops, sizeof(nn__mha_cfg));
  if (!l) return NULL;
  cfg = (nn__mha_cfg *)l->config;
  cfg->heads = num_heads;
  if (desc) cfg->d = *desc;
  l->dtype = cfg->d.dtype;
  l->batch_axis = cfg->d.batch_first ? 0 : 1;
  return l;
}

#endif /* NN_NO_RANDOM */
