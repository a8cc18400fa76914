/* nn/layers_norm.c: layer normalization and batch normalization as fused differentiable ops (one pass for the
   statistics, one for the result, one backward pass), and the LayerNorm / BatchNorm1d / BatchNorm2d layers. */

/* ---- layer norm ---- */

typedef struct nn__ln_ctx {
  nn_dtype dt;
  const void *x, *g, *w, *b, *mean, *rstd;
  void *y, *gx;
  double eps;
  void *dw, *db; /* backward: per-chunk partial sums (x's dtype), K entries per chunk */
  int64_t M, K, rpc;
} nn__ln_ctx;

NN__PRIVATE void nn__ln_fwd_chunk(void *vctx, int64_t c) {
  nn__ln_ctx *t = (nn__ln_ctx *)vctx;
  int64_t r0 = c * t->rpc, r1 = r0 + t->rpc < t->M ? r0 + t->rpc : t->M;
  if (t->dt == NN_FLOAT32)
    nn__lk_ln_fwd_f32x((const float *)t->x, (float *)t->y, r0, r1, t->K, (const float *)t->w, (const float *)t->b,
                      t->eps, (float *)t->mean, (float *)t->rstd);
  else
    nn__lk_ln_fwd_f64((const double *)t->x, (double *)t->y, r0, r1, t->K, (const double *)t->w,
                      (const double *)t->b, t->eps, (double *)t->mean, (double *)t->rstd);
}

NN__PRIVATE void nn__ln_bwd_chunk(void *vctx, int64_t c) {
  nn__ln_ctx *t = (nn__ln_ctx *)vctx;
  int64_t r0 = c * t->rpc, r1 = r0 + t->rpc < t->M ? r0 + t->rpc : t->M;
  if (t->dt == NN_FLOAT32)
    nn__lk_ln_bwd_f32x((const float *)t->g, (const float *)t->x, (float *)t->gx, r0, r1, t->K, (const float *)t->w,
                       (const float *)t->mean, (const float *)t->rstd, t->dw ? (float *)t->dw + c * t->K : NULL,
                       t->db ? (float *)t->db + c * t->K : NULL);
  else
    nn__lk_ln_bwd_f64((const double *)t->g, (const double *)t->x, (double *)t->gx, r0, r1, t->K,
                      (const double *)t->w, (const double *)t->mean, (const double *)t->rstd,
                      t->dw ? (double *)t->dw + c * t->K : NULL, t->db ? (double *)t->db + c * t->K : NULL);
}

/* Sums nchunks partial rows of K elements of dtype dt, in chunk order and in double, into a new (shape) tensor. */
NN__PRIVATE nn_tensor *nn__ln_reduce_parts(const void *parts, int64_t nchunks, int64_t K, nn_dtype dt,
                                           const int64_t *shape, int nd) {
  nn_tensor *r = nn__new("layer_norm", dt, shape, nd);
  int64_t c, j;
  if (!r) return NULL;
  for (j = 0; j < K; j++) {
    double s = 0;
    if (dt == NN_FLOAT32)
      for (c = 0; c < nchunks; c++) s += ((const float *)parts)[c * K + j];
    else
      for (c = 0; c < nchunks; c++) s += ((const double *)parts)[c * K + j];
    if (dt == NN_FLOAT32) ((float *)r->data)[j] = (float)s;
    else ((double *)r->data)[j] = s;
  }
  return r;
}

NN__PRIVATE nn_status nn__ln_backward(nn__node *n, const nn_tensor *gout, nn_tensor **gin) {
  nn_tensor *x = n->saved[0], *w = n->saved[1], *g;
  nn__ln_ctx t;
  int64_t nchunks;
  nn_status st = NN_OK;
  int need_x = n->in[0].node != NULL, need_w = n->in[1].node != NULL, need_b = n->in[2].node != NULL;
  memset(&t, 0, sizeof t);
  g = nn__lk_contig(gout, x->dtype);
  if (!g) return nn_last_status();
  t.dt = x->dtype;
  t.M = n->i[0];
  t.K = n->i[1];
  t.rpc = nn__lk_rows_per_chunk(t.K);
  if (t.rpc > 64) t.rpc = 64; /* the weight and bias partials of a chunk are summed in x's dtype */
  nchunks = t.M > 0 ? (t.M + t.rpc - 1) / t.rpc : 0;
  t.x = x->data;
  t.g = g->data;
  t.w = w ? w->data : NULL;
  t.mean = n->saved[2]->data;
  t.rstd = n->saved[3]->data;
  if (need_x) {
    gin[0] = nn__new(n->name, x->dtype, x->shape, x->ndim);
    if (!gin[0]) st = nn_last_status();
    else t.gx = gin[0]->data;
  }
  if (st == NN_OK && (need_w || need_b) && nchunks > 0) {
    size_t bytes = nn_dtype_size(x->dtype) * (size_t)(nchunks * t.K);
    if (need_w && !(t.dw = nn__xalloc(n->name, bytes))) st = nn_last_status();
    if (st == NN_OK && need_b && !(t.db = nn__xalloc(n->name, bytes))) st = nn_last_status();
    if (t.dw) memset(t.dw, 0, bytes);
    if (t.db) memset(t.db, 0, bytes);
  }
  if (st == NN_OK) nn__parallel_for(nchunks, nn__ln_bwd_chunk, &t);
  if (st == NN_OK && need_w) {
    const nn__edge *e = &n->in[1];
    if (nchunks == 0) gin[1] = nn_zeros(e->shape, e->ndim, x->dtype);
    else gin[1] = nn__ln_reduce_parts(t.dw, nchunks, t.K, x->dtype, e->shape, e->ndim);
    if (!gin[1]) st = nn_last_status();
  }
  if (st == NN_OK && need_b) {
    const nn__edge *e = &n->in[2];
    if (nchunks == 0) gin[2] = nn_zeros(e->shape, e->ndim, x->dtype);
    else gin[2] = nn__ln_reduce_parts(t.db, nchunks, t.K, x->dtype, e->shape, e->ndim);
    if (!gin[2]) st = nn_last_status();
  }
  nn__dealloc(t.dw);
  nn__dealloc(t.db);
  nn_free(g);
  return st;
}

/* Checks that an optional per-feature tensor has the wanted shape and dtype. */
NN__PRIVATE nn_status nn__norm_check_param(const char *fn, const char *arg, const nn_tensor *p, const int64_t *shape,
                                           int nd, nn_dtype dt) {
  char b1[160], b2[160];
  int i, ok;
  if (!p) return NN_OK;
  if (nn__check_cpu(fn, p, arg) != NN_OK) return nn_last_status();
  ok = p->ndim == nd;
  for (i = 0; ok && i < nd; i++) ok = p->shape[i] == shape[i];
  if (!ok)
    return nn__fail(NN_ERR_SHAPE, "%s: %s has shape %s, expected %s", fn, arg,
                    nn__fmt_shape(b1, sizeof b1, p->shape, p->ndim), nn__fmt_shape(b2, sizeof b2, shape, nd));
  if (p->dtype != dt)
    return nn__fail(NN_ERR_DTYPE, "%s: %s is %s but x is %s", fn, arg, nn_dtype_name(p->dtype), nn_dtype_name(dt));
  return NN_OK;
}

NNDEF nn_tensor *nn_layer_norm(const nn_tensor *x, const int64_t *normalized_shape, int nnorm, const nn_tensor *weight,
                               const nn_tensor *bias, double eps) {
  const char *fn = "nn_layer_norm";
  nn_tensor *xc = NULL, *wc = NULL, *bc = NULL, *y = NULL, *mean = NULL, *rstd = NULL;
  nn__ln_ctx t;
  char b1[160], b2[160];
  int i, lead;
  if (nn__check_cpu(fn, x, "x") != NN_OK) return NULL;
  if (!nn__is_float(x->dtype)) {
    nn__fail(NN_ERR_DTYPE, "%s: x must be float32 or float64, got %s", fn, nn_dtype_name(x->dtype));
    return NULL;
  }
  if (nnorm < 1 || nnorm > x->ndim || !normalized_shape) {
    nn__fail(NN_ERR_SHAPE, "%s: normalized_shape needs 1 to %d axes (x has shape %s), got %d", fn, x->ndim,
             nn__fmt_shape(b1, sizeof b1, x->shape, x->ndim), nnorm);
    return NULL;
  }
  lead = x->ndim - nnorm;
  for (i = 0; i < nnorm; i++)
    if (x->shape[lead + i] != normalized_shape[i]) {
      nn__fail(NN_ERR_SHAPE, "%s: normalized_shape %s does not match the last axes of x of shape %s", fn,
               nn__fmt_shape(b1, sizeof b1, normalized_shape, nnorm), nn__fmt_shape(b2, sizeof b2, x->shape, x->ndim));
      return NULL;
    }
  if (nn__norm_check_param(fn, "weight", weight, normalized_shape, nnorm, x->dtype) != NN_OK ||
      nn__norm_check_param(fn, "bias", bias, normalized_shape, nnorm, x->dtype) != NN_OK)
    return NULL;
  if (eps != eps || eps < 0) {
    nn__fail(NN_ERR_VALUE, "%s: eps must be >= 0, got %g", fn, eps);
    return NULL;
  }
  memset(&t, 0, sizeof t);
  t.dt = x->dtype;
  t.K = nn__shape_size(normalized_shape, nnorm);
  t.M = nn__shape_size(x->shape, lead);
  t.rpc = nn__lk_rows_per_chunk(t.K);
  t.eps = eps;
  xc = nn_contiguous(x);
  if (xc && weight) wc = nn_contiguous(weight);
  if (xc && bias) bc = nn_contiguous(bias);
  if (!xc || (weight && !wc) || (bias && !bc)) goto done;
  y = nn__new(fn, x->dtype, x->shape, x->ndim);
  mean = nn__new(fn, x->dtype, x->shape, lead);
  rstd = nn__new(fn, x->dtype, x->shape, lead);
  if (!y || !mean || !rstd) {
    nn_free(y);
    y = NULL;
    goto done;
  }
  t.x = xc->data;
  t.y = y->data;
  t.w = wc ? wc->data : NULL;
  t.b = bc ? bc->data : NULL;
  t.mean = mean->data;
  t.rstd = rstd->data;
  if (t.K > 0) nn__parallel_for(t.M > 0 ? (t.M + t.rpc - 1) / t.rpc : 0, nn__ln_fwd_chunk, &t);
  if (nn__ag_wanted3(x, weight, bias)) {
    const nn_tensor *in[3];
    nn__node *n;
    in[0] = x;
    in[1] = weight;
    in[2] = bias;
    n = nn__ag_node("layer_norm", nn__ln_backward, 3, in);
    if (n) {
      n->i[0] = t.M;
      n->i[1] = t.K;
      if (nn__ag_save(n, 0, xc) != NN_OK || nn__ag_save(n, 1, wc) != NN_OK || nn__ag_save(n, 2, mean) != NN_OK ||
          nn__ag_save(n, 3, rstd) != NN_OK) {
        nn__node_decref(n);
        n = NULL;
      }
    }
    y = nn__ag_attach(n, y);
  }
done:
  nn_free(xc);
  nn_free(wc);
  nn_free(bc);
  nn_free(mean);
  nn_free(rstd);
  return y;
}

/* ---- batch norm ---- */

typedef struct nn__bn_ctx {
  nn_dtype dt;
  const void *x, *g;
  void *y, *gx;
  int64_t N, C, S;
  double *mean, *var, *a, *b; /* per channel; backward: mean, invstd, w, and dw/db outputs in a/b */
  const double *w;
  int training;
} nn__bn_ctx;

NN__PRIVATE void nn__bn_stats_chunk(void *vctx, int64_t c) {
  nn__bn_ctx *t = (nn__bn_ctx *)vctx;
  if (t->dt == NN_FLOAT32) nn__lk_bn_stats_f32x((const float *)t->x, t->N, t->C, t->S, c, &t->mean[c], &t->var[c]);
  else nn__lk_bn_stats_f64((const double *)t->x, t->N, t->C, t->S, c, &t->mean[c], &t->var[c]);
}

NN__PRIVATE void nn__bn_apply_chunk(void *vctx, int64_t c) {
  nn__bn_ctx *t = (nn__bn_ctx *)vctx;
  if (t->dt == NN_FLOAT32)
    nn__lk_bn_apply_f32x((const float *)t->x, (float *)t->y, t->N, t->C, t->S, c, t->a[c], t->b[c]);
  else
    nn__lk_bn_apply_f64((const double *)t->x, (double *)t->y, t->N, t->C, t->S, c, t->a[c], t->b[c]);
}

NN__PRIVATE void nn__bn_bwd_chunk(void *vctx, int64_t c) {
  nn__bn_ctx *t = (nn__bn_ctx *)vctx;
  if (t->dt == NN_FLOAT32)
    nn__lk_bn_bwd_f32x((const float *)t->g, (const float *)t->x, (float *)t->gx, t->N, t->C, t->S, c, t->mean[c],
                      t->var[c], t->w[c], t->training, &t->a[c], &t->b[c]);
  else
    nn__lk_bn_bwd_f64((const double *)t->g, (const double *)t->x, (double *)t->gx, t->N, t->C, t->S, c, t->mean[c],
                      t->var[c], t->w[c], t->training, &t->a[c], &t->b[c]);
}

/* saved: x (contiguous), stats (3, C) float64 = mean, invstd, weight (1 without one). i[0]: training. */
NN__PRIVATE nn_status nn__bn_backward(nn__node *n, const nn_tensor *gout, nn_tensor **gin) {
  nn_tensor *x = n->saved[0], *stats = n->saved[1], *g;
  nn__bn_ctx t;
  double *dwb;
  nn_status st = NN_OK;
  int64_t c;
  int need_x = n->in[0].node != NULL, need_w = n->in[1].node != NULL, need_b = n->in[2].node != NULL;
  memset(&t, 0, sizeof t);
  g = nn__lk_contig(gout, x->dtype);
  if (!g) return nn_last_status();
  t.dt = x->dtype;
  t.N = x->shape[0];
  t.C = x->shape[1];
  t.S = x->size / (t.N * t.C > 0 ? t.N * t.C : 1);
  t.x = x->data;
  t.g = g->data;
  t.mean = (double *)stats->data;
  t.var = t.mean + t.C; /* invstd */
  t.w = t.mean + 2 * t.C;
  t.training = (int)n->i[0];
  dwb = (double *)nn__xalloc(n->name, sizeof(double) * (size_t)(2 * t.C + 1));
  if (!dwb) {
    nn_free(g);
    return nn_last_status();
  }
  t.a = dwb;
  t.b = dwb + t.C;
  if (need_x) {
    gin[0] = nn__new(n->name, x->dtype, x->shape, x->ndim);
    if (!gin[0]) st = nn_last_status();
    else t.gx = gin[0]->data;
  }
  if (st == NN_OK) nn__parallel_for(t.C, nn__bn_bwd_chunk, &t);
  if (st == NN_OK && need_w) {
    gin[1] = nn__new(n->name, x->dtype, &t.C, 1);
    if (!gin[1]) st = nn_last_status();
    else
      for (c = 0; c < t.C; c++) nn__store(x->dtype, (char *)gin[1]->data + c * (int64_t)nn_dtype_size(x->dtype), t.a[c]);
  }
  if (st == NN_OK && need_b) {
    gin[2] = nn__new(n->name, x->dtype, &t.C, 1);
    if (!gin[2]) st = nn_last_status();
    else
      for (c = 0; c < t.C; c++) nn__store(x->dtype, (char *)gin[2]->data + c * (int64_t)nn_dtype_size(x->dtype), t.b[c]);
  }
  nn__dealloc(dwb);
  nn_free(g);
  return st;
}

NNDEF nn_tensor *nn_batch_norm(const nn_tensor *x, nn_tensor *running_mean, nn_tensor *running_var,
                               const nn_tensor *weight, const nn_tensor *bias, int training, double momentum,
                               double eps) {
  const char *fn = "nn_batch_norm";
  nn_tensor *xc = NULL, *y = NULL, *stats = NULL;
  nn__bn_ctx t;
  double *sd;
  int64_t c, C, M;
  char b1[160];
  if (nn__check_cpu(fn, x, "x") != NN_OK) return NULL;
  if (!nn__is_float(x->dtype)) {
    nn__fail(NN_ERR_DTYPE, "%s: x must be float32 or float64, got %s", fn, nn_dtype_name(x->dtype));
    return NULL;
  }
  if (x->ndim < 2) {
    nn__fail(NN_ERR_SHAPE, "%s: x must be (N, C, ...) with at least 2 axes, got shape %s", fn,
             nn__fmt_shape(b1, sizeof b1, x->shape, x->ndim));
    return NULL;
  }
  C = x->shape[1];
  if (nn__norm_check_param(fn, "weight", weight, &C, 1, x->dtype) != NN_OK ||
      nn__norm_check_param(fn, "bias", bias, &C, 1, x->dtype) != NN_OK ||
      nn__norm_check_param(fn, "running_mean", running_mean, &C, 1, x->dtype) != NN_OK ||
      nn__norm_check_param(fn, "running_var", running_var, &C, 1, x->dtype) != NN_OK)
    return NULL;
  if (!training && (!running_mean || !running_var)) {
    nn__fail(NN_ERR_ARG, "%s: inference mode (training = 0) needs running_mean and running_var", fn);
    return NULL;
  }
  if (eps != eps || eps < 0 || momentum != momentum) {
    nn__fail(NN_ERR_VALUE, "%s: eps must be >= 0 and momentum a number, got eps = %g, momentum = %g", fn, eps,
             momentum);
    return NULL;
  }
  M = C > 0 ? x->size / C : 0;
  if (training && M <= 1) {
    nn__fail(NN_ERR_VALUE, "%s: expected more than 1 value per channel when training, got input of shape %s", fn,
             nn__fmt_shape(b1, sizeof b1, x->shape, x->ndim));
    return NULL;
  }
  memset(&t, 0, sizeof t);
  t.dt = x->dtype;
  t.N = x->shape[0];
  t.C = C;
  t.S = t.N * C > 0 ? x->size / (t.N * C) : 0;
  {
    int64_t s2[2];
    s2[0] = 3; /* rows: mean, invstd, weight (what the backward pass needs) */
    s2[1] = C;
    stats = nn__new(fn, NN_FLOAT64, s2, 2);
  }
  sd = (double *)nn__xalloc(fn, sizeof(double) * (size_t)(3 * C + 1)); /* variance, scale, shift */
  xc = nn_contiguous(x);
  if (!stats || !sd || !xc) goto done;
  t.x = xc->data;
  t.mean = (double *)stats->data;
  t.var = sd;
  t.a = sd + C;
  t.b = sd + 2 * C;
  if (training) {
    nn__parallel_for(C, nn__bn_stats_chunk, &t);
  } else {
    for (c = 0; c < C; c++) {
      t.mean[c] = nn_get_flat(running_mean, c);
      t.var[c] = nn_get_flat(running_var, c);
    }
  }
  for (c = 0; c < C; c++) {
    double inv = 1.0 / sqrt(t.var[c] + eps), w = weight ? nn_get_flat(weight, c) : 1.0;
    t.mean[C + c] = inv;
    t.mean[2 * C + c] = w;
    t.a[c] = w * inv;
    t.b[c] = (bias ? nn_get_flat(bias, c) : 0.0) - t.mean[c] * t.a[c];
  }
  y = nn__new(fn, x->dtype, x->shape, x->ndim);
  if (!y) goto done;
  t.y = y->data;
  nn__parallel_for(C, nn__bn_apply_chunk, &t);
  if (training && running_mean && running_var) {
    double unb = (double)M / (double)(M - 1);
    for (c = 0; c < C; c++) {
      nn_set_flat(running_mean, c, (1.0 - momentum) * nn_get_flat(running_mean, c) + momentum * t.mean[c]);
      nn_set_flat(running_var, c, (1.0 - momentum) * nn_get_flat(running_var, c) + momentum * t.var[c] * unb);
    }
  }
  if (nn__ag_wanted3(x, weight, bias)) {
    const nn_tensor *in[3];
    nn__node *n;
    in[0] = x;
    in[1] = weight;
    in[2] = bias;
    n = nn__ag_node("batch_norm", nn__bn_backward, 3, in);
    if (n) {
      n->i[0] = training ? 1 : 0;
      if (nn__ag_save(n, 0, xc) != NN_OK || nn__ag_save(n, 1, stats) != NN_OK) {
        nn__node_decref(n);
        n = NULL;
      }
    }
    y = nn__ag_attach(n, y);
  }
done:
  nn__dealloc(sd);
  nn_free(stats);
  nn_free(xc);
  return y;
}

#ifndef NN_NO_RANDOM

/* ---- BatchNorm1d / BatchNorm2d layers ---- */

typedef struct nn__bn_cfg {
  nn_batch_norm_desc d;
  int spatial; /* 1: BatchNorm1d, 2: BatchNorm2d */
  int64_t C;
} nn__bn_cfg;

NN__PRIVATE nn_status nn__bn_build(nn_layer *l, const int64_t *shape, int ndim) {
  nn__bn_cfg *cfg = (nn__bn_cfg *)l->config;
  const char *fn = cfg->spatial == 1 ? "nn_batch_norm1d_layer" : "nn_batch_norm2d_layer";
  int lo = cfg->spatial == 1 ? 1 : 3, hi = cfg->spatial == 1 ? 2 : 3;
  int64_t C;
  if (nn__layer_check_build(l, fn, shape, ndim, lo, hi, 0, "channels") != NN_OK) return nn_last_status();
  C = cfg->C = shape[0];
  if (!cfg->d.no_affine) {
    nn_init_spec ones = nn__init_simple(NN_INIT_ONES, 0, 0), zeros = nn__init_simple(NN_INIT_ZEROS, 0, 0);
    if (!nn__layer_param(l, "weight", &C, 1, &ones) || !nn__layer_param(l, "bias", &C, 1, &zeros))
      return nn_last_status();
  }
  if (!cfg->d.no_running_stats) {
    if (!nn__layer_buffer(l, "running_mean", &C, 1, l->dtype, 0.0) ||
        !nn__layer_buffer(l, "running_var", &C, 1, l->dtype, 1.0) ||
        !nn__layer_buffer(l, "num_batches_tracked", NULL, 0, NN_INT64, 0.0))
      return nn_last_status();
  }
  return nn_layer_set_output_shape(l, shape, ndim);
}

NN__PRIVATE nn_tensor *nn__bn_forward(nn_layer *l, const nn_tensor *x) {
  nn__bn_cfg *cfg = (nn__bn_cfg *)l->config;
  const char *fn = cfg->spatial == 1 ? "nn_batch_norm1d_layer" : "nn_batch_norm2d_layer";
  nn_tensor *w = NULL, *b = NULL, *rm = NULL, *rv = NULL, *y;
  int track = !cfg->d.no_running_stats;
  if (nn__layer_check_x(l, fn, x, cfg->spatial == 1 ? 2 : 4, cfg->spatial == 1 ? 3 : 4,
                        cfg->spatial == 1 ? "(N, C) or (N, C, L)" : "(N, C, H, W)") != NN_OK ||
      nn__layer_check_dim(l, fn, x, 1, cfg->C, "channels") != NN_OK)
    return NULL;
  if (!cfg->d.no_affine) {
    w = l->params[0].tensor;
    b = l->params[1].tensor;
  }
  if (track) {
    rm = l->buffers[0].tensor;
    rv = l->buffers[1].tensor;
  }
  if (l->training || !track) {
    y = nn_batch_norm(x, l->training ? rm : NULL, l->training ? rv : NULL, w, b, 1, cfg->d.momentum, cfg->d.eps);
    if (y && track && l->training) {
      nn_tensor *nb = l->buffers[2].tensor;
      *(int64_t *)nb->data += 1;
    }
  } else {
    y = nn_batch_norm(x, rm, rv, w, b, 0, cfg->d.momentum, cfg->d.eps);
  }
  return y;
}

static const nn_layer_ops nn__bn1d_ops = {"BatchNorm1d", nn__bn_build, nn__bn_forward, NULL};
static const nn_layer_ops nn__bn2d_ops = {"BatchNorm2d", nn__bn_build, nn__bn_forward, NULL};

NN__PRIVATE nn_layer *nn__bn_new(const char *fn, int spatial, const nn_batch_norm_desc *desc) {
  nn_layer *l;
  nn__bn_cfg *cfg;
  if (desc && nn__layer_dtype(fn, desc->dtype) != NN_OK) return NULL;
  if (desc && (desc->eps < 0 || desc->eps != desc->eps || desc->momentum != desc->momentum || desc->momentum < 0 ||
               desc->momentum > 1)) {
    nn__fail(NN_ERR_VALUE, "%s: needs eps >= 0 and 0 <= momentum <= 1, got eps = %g, momentum = %g", fn, desc->eps,
             desc->momentum);
    return NULL;
  }
  l = nn__layer_new(fn, spatial == 1 ? &nn__bn1d_ops : &nn__bn2d_ops, sizeof(nn__bn_cfg));
  if (!l) return NULL;
  cfg = (nn__bn_cfg *)l->config;
  if (desc) cfg->d = *desc;
  if (cfg->d.eps == 0) cfg->d.eps = 1e-5;
  if (cfg->d.momentum == 0) cfg->d.momentum = 0.1;
  cfg->spatial = spatial;
  l->dtype = cfg->d.dtype;
  return l;
}

NNDEF nn_layer *nn_batch_norm1d_layer(const nn_batch_norm_desc *desc) {
  return nn__bn_new("nn_batch_norm1d_layer", 1, desc);
}
NNDEF nn_layer *nn_batch_norm2d_layer(const nn_batch_norm_desc *desc) {
  return nn__bn_new("nn_batch_norm2d_layer", 2, desc);
}

/* ---- LayerNorm layer ---- */

typedef struct nn__lnl_cfg {
  nn_layer_norm_desc d;
  int64_t nshape[NN_MAX_DIMS];
} nn__lnl_cfg;

NN__PRIVATE nn_status nn__lnl_build(nn_layer *l, const int64_t *shape, int ndim) {
  nn__lnl_cfg *cfg = (nn__lnl_cfg *)l->config;
  int nd = cfg->d.normalized_ndim, i;
  char b1[160];
  if (ndim < nd)
    return nn__fail(NN_ERR_SHAPE, "nn_layer_norm_layer: %s '%s' normalizes the last %d axes but the per-sample shape "
                                  "is %s", nn_layer_kind(l), l->name, nd, nn__fmt_shape(b1, sizeof b1, shape, ndim));
  for (i = 0; i < nd; i++) {
    cfg->nshape[i] = shape[ndim - nd + i];
    if (cfg->nshape[i] <= 0)
      return nn__fail(NN_ERR_SHAPE, "nn_layer_norm_layer: %s '%s' needs known lengths for the normalized axes, got "
                                    "per-sample shape %s", nn_layer_kind(l), l->name,
                      nn__fmt_shape(b1, sizeof b1, shape, ndim));
  }
  if (!cfg->d.no_affine) {
    nn_init_spec ones = nn__init_simple(NN_INIT_ONES, 0, 0), zeros = nn__init_simple(NN_INIT_ZEROS, 0, 0);
    if (!nn__layer_param(l, "weight", cfg->nshape, nd, &ones) || !nn__layer_param(l, "bias", cfg->nshape, nd, &zeros))
      return nn_last_status();
  }
  return nn_layer_set_output_shape(l, shape, ndim);
}

NN__PRIVATE nn_tensor *nn__lnl_forward(nn_layer *l, const nn_tensor *x) {
  nn__lnl_cfg *cfg = (nn__lnl_cfg *)l->config;
  int nd = cfg->d.normalized_ndim, i;
  char b1[160], b2[160];
  if (nn__layer_check_x(l, "nn_layer_norm_layer", x, nd + 1, NN_MAX_DIMS, "(N, ..., normalized axes)") != NN_OK)
    return NULL;
  for (i = 0; i < nd; i++)
    if (x->shape[x->ndim - nd + i] != cfg->nshape[i]) {
      nn__fail(NN_ERR_SHAPE, "nn_layer_norm_layer: %s '%s' normalizes over %s but the input has shape %s",
               nn_layer_kind(l), l->name, nn__fmt_shape(b1, sizeof b1, cfg->nshape, nd),
               nn__fmt_shape(b2, sizeof b2, x->shape, x->ndim));
      return NULL;
    }
  return nn_layer_norm(x, cfg->nshape, nd, cfg->d.no_affine ? NULL : l->params[0].tensor,
                       cfg->d.no_affine ? NULL : l->params[1].tensor, cfg->d.eps);
}

static const nn_layer_ops nn__lnl_ops = {"LayerNormalization", nn__lnl_build, nn__lnl_forward, NULL};

NNDEF nn_layer *nn_layer_norm_layer(const nn_layer_norm_desc *desc) {
  const char *fn = "nn_layer_norm_layer";
  nn_layer *l;
  nn__lnl_cfg *cfg;
  if (desc && nn__layer_dtype(fn, desc->dtype) != NN_OK) return NULL;
  if (desc && (desc->normalized_ndim < 0 || desc->normalized_ndim >= NN_MAX_DIMS || desc->eps < 0 ||
               desc->eps != desc->eps)) {
    nn__fail(NN_ERR_ARG, "%s: needs 0 <= normalized_ndim < %d and eps >= 0, got %d and %g", fn, NN_MAX_DIMS,
             desc->normalized_ndim, desc->eps);
    return NULL;
  }
  l = nn__layer_new(fn, &nn__lnl_ops, sizeof(nn__lnl_cfg));
  if (!l) return NULL;
  cfg = (nn__lnl_cfg *)l->config;
  if (desc) cfg->d = *desc;
  if (cfg->d.normalized_ndim == 0) cfg->d.normalized_ndim = 1;
  if (cfg->d.eps == 0) cfg->d.eps = 1e-5;
  l->dtype = cfg->d.dtype;
  return l;
}

#endif /* NN_NO_RANDOM */
