/* nn/layers_conv.c: Conv1D/Conv2D, max and average pooling (1-D and 2-D) and global average pooling layers, channels
   first (PyTorch's NCL / NCHW). */
#ifndef NN_NO_RANDOM

#ifndef NN_NO_CONV

/* Output length of a convolution or pooling window along one axis (-1 when the input length is unknown). */
NN__PRIVATE int64_t nn__convl_out_len(int64_t n, int k, int stride, int pad, int dil, int same) {
  if (n < 0) return -1;
  if (same) return n;
  n = n + 2 * (int64_t)pad - (int64_t)dil * (k - 1) - 1;
  return n < 0 ? 0 : n / stride + 1;
}

typedef struct nn__convl_cfg {
  int is1d;
  int64_t filters, cin;
  int k[2];
  nn_conv_layer_desc d;
  nn_conv_params p;
} nn__convl_cfg;

NN__PRIVATE const char *nn__convl_fn(const nn__convl_cfg *cfg) { return cfg->is1d ? "nn_conv1d_layer" : "nn_conv2d_layer"; }

NN__PRIVATE nn_status nn__convl_build(nn_layer *l, const int64_t *shape, int ndim) {
  nn__convl_cfg *cfg = (nn__convl_cfg *)l->config;
  const char *fn = nn__convl_fn(cfg);
  int nsp = cfg->is1d ? 1 : 2, i;
  int64_t ws[4], out[3], fan_in;
  nn_init_spec dw, db;
  if (nn__layer_check_build(l, fn, shape, ndim, nsp + 1, nsp + 1, 0, "input channels") != NN_OK)
    return nn_last_status();
  cfg->cin = shape[0];
  if (cfg->cin % cfg->p.groups != 0)
    return nn__fail(NN_ERR_SHAPE, "%s: %s '%s': input channels %lld are not divisible by groups %d", fn,
                    nn_layer_kind(l), l->name, (long long)cfg->cin, cfg->p.groups);
  ws[0] = cfg->filters;
  ws[1] = cfg->cin / cfg->p.groups;
  ws[2] = cfg->k[0];
  ws[3] = cfg->k[1];
  fan_in = ws[1] * cfg->k[0] * (cfg->is1d ? 1 : cfg->k[1]);
  nn__linear_inits(cfg->d.keras_init, fan_in, &dw, &db);
  if (!nn__layer_param(l, "weight", ws, nsp + 2, nn__init_pick(&cfg->d.weight_init, &dw))) return nn_last_status();
  if (!cfg->d.no_bias && !nn__layer_param(l, "bias", ws, 1, nn__init_pick(&cfg->d.bias_init, &db)))
    return nn_last_status();
  out[0] = cfg->filters;
  for (i = 0; i < nsp; i++) {
    out[1 + i] = nn__convl_out_len(shape[1 + i], cfg->k[i], cfg->p.stride[i], cfg->p.padding[i], cfg->p.dilation[i],
                                  cfg->p.same);
    if (out[1 + i] == 0) {
      char b1[160];
      return nn__fail(NN_ERR_SHAPE, "%s: %s '%s': the kernel does not fit the per-sample input %s", fn,
                      nn_layer_kind(l), l->name, nn__fmt_shape(b1, sizeof b1, shape, ndim));
    }
  }
  return nn_layer_set_output_shape(l, out, nsp + 1);
}

/* The forward pass, with the layer's activation when act. */
NN__PRIVATE nn_tensor *nn__convl_forward_act(nn_layer *l, const nn_tensor *x, int act) {
  nn__convl_cfg *cfg = (nn__convl_cfg *)l->config;
  const char *fn = nn__convl_fn(cfg);
  nn_tensor *w = l->params[0].tensor, *b = cfg->d.no_bias ? NULL : l->params[1].tensor, *y, *z;
  int nd = cfg->is1d ? 3 : 4;
  if (nn__layer_check_x(l, fn, x, nd, nd, cfg->is1d ? "(N, C, L)" : "(N, C, H, W)") != NN_OK ||
      nn__layer_check_dim(l, fn, x, 1, cfg->cin, "channels") != NN_OK)
    return NULL;
  y = cfg->is1d ? nn_conv1d(x, w, b, &cfg->p) : nn_conv2d(x, w, b, &cfg->p);
  if (!y || !act || cfg->d.activation == NN_ACT_NONE) return y;
  z = nn_activate(y, cfg->d.activation);
  nn_free(y);
  return z;
}

NN__PRIVATE nn_tensor *nn__convl_forward(nn_layer *l, const nn_tensor *x) { return nn__convl_forward_act(l, x, 1); }
NN__PRIVATE nn_tensor *nn__convl_forward_linear(nn_layer *l, const nn_tensor *x) {
  return nn__convl_forward_act(l, x, 0);
}

static const nn_layer_ops nn__conv1d_ops = {"Conv1D", nn__convl_build, nn__convl_forward, NULL};
static const nn_layer_ops nn__conv2d_ops = {"Conv2D", nn__convl_build, nn__convl_forward, NULL};

NN__PRIVATE nn_layer *nn__convl_new(int is1d, int64_t filters, int kh, int kw, const nn_conv_layer_desc *desc) {
  const char *fn = is1d ? "nn_conv1d_layer" : "nn_conv2d_layer";
  nn_conv_layer_desc d;
  nn__convl_cfg *cfg;
  nn_layer *l;
  int i, nsp = is1d ? 1 : 2;
  if (desc) d = *desc;
  else memset(&d, 0, sizeof d);
  if (filters <= 0 || kh <= 0 || kw <= 0) {
    nn__fail(NN_ERR_ARG, "%s: filters and kernel sizes must be positive, got filters = %lld, kernel = (%d, %d)", fn,
             (long long)filters, kh, kw);
    return NULL;
  }
  for (i = 0; i < nsp; i++)
    if (d.stride[i] < 0 || d.padding[i] < 0 || d.dilation[i] < 0) {
      nn__fail(NN_ERR_ARG, "%s: stride, padding and dilation must be >= 0 (0 means the default), got %d, %d, %d", fn,
               d.stride[i], d.padding[i], d.dilation[i]);
      return NULL;
    }
  if (d.groups < 0 || (d.groups > 0 && filters % d.groups != 0)) {
    nn__fail(NN_ERR_ARG, "%s: groups %d must be positive and divide filters %lld", fn, d.groups, (long long)filters);
    return NULL;
  }
  if (d.same && (d.stride[0] > 1 || (!is1d && d.stride[1] > 1) || d.padding[0] || (!is1d && d.padding[1]))) {
    nn__fail(NN_ERR_ARG, "%s: padding=\"same\" needs stride 1 and no explicit padding (as PyTorch)", fn);
    return NULL;
  }
  if ((int)d.activation < 0 || d.activation >= NN_ACT_COUNT) {
    nn__fail(NN_ERR_ARG, "%s: unknown activation %d", fn, (int)d.activation);
    return NULL;
  }
  if (nn__layer_dtype(fn, d.dtype) != NN_OK) return NULL;
  l = nn__layer_new(fn, is1d ? &nn__conv1d_ops : &nn__conv2d_ops, sizeof(nn__convl_cfg));
  if (!l) return NULL;
  cfg = (nn__convl_cfg *)l->config;
  cfg->is1d = is1d;
  cfg->filters = filters;
  cfg->k[0] = kh;
  cfg->k[1] = is1d ? 1 : kw;
  cfg->d = d;
  for (i = 0; i < 2; i++) {
    cfg->p.stride[i] = i < nsp && d.stride[i] > 0 ? d.stride[i] : 1;
    cfg->p.padding[i] = i < nsp ? d.padding[i] : 0;
    cfg->p.dilation[i] = i < nsp && d.dilation[i] > 0 ? d.dilation[i] : 1;
  }
  cfg->p.groups = d.groups > 0 ? d.groups : 1;
  cfg->p.same = d.same ? 1 : 0;
  l->dtype = d.dtype;
  return l;
}

/* The activation of a convolution layer (NN_ACT_NONE for any other layer). */
NN__PRIVATE nn_activation nn__convl_activation(const nn_layer *l) {
  if (!l || (l->ops != &nn__conv1d_ops && l->ops != &nn__conv2d_ops)) return NN_ACT_NONE;
  return ((const nn__convl_cfg *)l->config)->d.activation;
}

/* A convolution layer's forward pass without its activation, which the caller applies (nn_layer_forward's checks
   and build included). */
NN__PRIVATE nn_tensor *nn__convl_forward_no_act(nn_layer *l, const nn_tensor *x) {
  return nn__layer_forward_with(l, x, nn__convl_forward_linear);
}

/* The forward pass of a Conv2D layer followed by 2x2 max pooling, without the activation, through the fused op;
   called only when nn__convl_pool22_ok said yes. */
NN__PRIVATE nn_tensor *nn__convl_forward_pool22(nn_layer *l, const nn_tensor *x) {
  nn__convl_cfg *cfg = (nn__convl_cfg *)l->config;
  nn_tensor *w = l->params[0].tensor, *b = cfg->d.no_bias ? NULL : l->params[1].tensor;
  nn__conv_geom g;
  if (nn__layer_check_x(l, "nn_conv2d_layer", x, 4, 4, "(N, C, H, W)") != NN_OK ||
      nn__layer_check_dim(l, "nn_conv2d_layer", x, 1, cfg->cin, "channels") != NN_OK)
    return NULL;
  if (!nn__conv2d_pool22_ok(x, w, b, &cfg->p, &g)) {
    nn__fail(NN_ERR_ARG, "nn_conv2d_layer: the fused pooling does not apply"); /* ruled out by the caller */
    return NULL;
  }
  return nn__conv2d_pool22(x, w, b, &cfg->p, &g);
}

NNDEF nn_layer *nn_conv1d_layer(int64_t filters, int k, const nn_conv_layer_desc *desc) {
  return nn__convl_new(1, filters, k, 1, desc);
}
NNDEF nn_layer *nn_conv2d_layer(int64_t filters, int kh, int kw, const nn_conv_layer_desc *desc) {
  return nn__convl_new(0, filters, kh, kw, desc);
}

/* ---- pooling ---- */

typedef struct nn__pool_cfg {
  int is1d, avg;
  int k[2];
  nn_conv_params p;
} nn__pool_cfg;

NN__PRIVATE const char *nn__pool_fn(const nn__pool_cfg *c) {
  if (c->avg) return c->is1d ? "nn_avg_pool1d_layer" : "nn_avg_pool2d_layer";
  return c->is1d ? "nn_max_pool1d_layer" : "nn_max_pool2d_layer";
}

NN__PRIVATE nn_status nn__pool_build(nn_layer *l, const int64_t *shape, int ndim) {
  nn__pool_cfg *cfg = (nn__pool_cfg *)l->config;
  int nsp = cfg->is1d ? 1 : 2, i;
  int64_t out[3];
  if (nn__layer_check_build(l, nn__pool_fn(cfg), shape, ndim, nsp + 1, nsp + 1, -1, "") != NN_OK)
    return nn_last_status();
  out[0] = shape[0];
  for (i = 0; i < nsp; i++) {
    out[1 + i] = nn__convl_out_len(shape[1 + i], cfg->k[i], cfg->p.stride[i], cfg->p.padding[i], cfg->p.dilation[i], 0);
    if (out[1 + i] == 0) {
      char b1[160];
      return nn__fail(NN_ERR_SHAPE, "%s: %s '%s': the window does not fit the per-sample input %s", nn__pool_fn(cfg),
                      nn_layer_kind(l), l->name, nn__fmt_shape(b1, sizeof b1, shape, ndim));
    }
  }
  return nn_layer_set_output_shape(l, out, nsp + 1);
}

NN__PRIVATE nn_tensor *nn__pool_forward(nn_layer *l, const nn_tensor *x) {
  nn__pool_cfg *cfg = (nn__pool_cfg *)l->config;
  int nd = cfg->is1d ? 3 : 4;
  char b1[160];
  if (nn__check_cpu(nn__pool_fn(cfg), x, "x") != NN_OK) return NULL;
  if (x->ndim != nd) {
    nn__fail(NN_ERR_SHAPE, "%s: %s '%s' expects a %d-D input %s, got shape %s", nn__pool_fn(cfg), nn_layer_kind(l),
             l->name, nd, cfg->is1d ? "(N, C, L)" : "(N, C, H, W)", nn__fmt_shape(b1, sizeof b1, x->shape, x->ndim));
    return NULL;
  }
  if (cfg->avg) return cfg->is1d ? nn_avg_pool1d(x, cfg->k[0], &cfg->p) : nn_avg_pool2d(x, cfg->k[0], cfg->k[1], &cfg->p);
  return cfg->is1d ? nn_max_pool1d(x, cfg->k[0], &cfg->p, NULL) : nn_max_pool2d(x, cfg->k[0], cfg->k[1], &cfg->p, NULL);
}

static const nn_layer_ops nn__maxpool1d_ops = {"MaxPooling1D", nn__pool_build, nn__pool_forward, NULL};
static const nn_layer_ops nn__maxpool2d_ops = {"MaxPooling2D", nn__pool_build, nn__pool_forward, NULL};
static const nn_layer_ops nn__avgpool1d_ops = {"AveragePooling1D", nn__pool_build, nn__pool_forward, NULL};
static const nn_layer_ops nn__avgpool2d_ops = {"AveragePooling2D", nn__pool_build, nn__pool_forward, NULL};

NN__PRIVATE nn_layer *nn__pool_new(int is1d, int avg, int kh, int kw, const nn_pool_desc *desc) {
  nn__pool_cfg c;
  nn_layer *l;
  const nn_layer_ops *ops;
  int i, nsp = is1d ? 1 : 2;
  memset(&c, 0, sizeof c);
  c.is1d = is1d;
  c.avg = avg;
  c.k[0] = kh;
  c.k[1] = is1d ? 1 : kw;
  if (kh <= 0 || kw <= 0) {
    nn__fail(NN_ERR_ARG, "%s: kernel sizes must be positive, got (%d, %d)", nn__pool_fn(&c), kh, kw);
    return NULL;
  }
  for (i = 0; i < 2; i++) {
    int s = desc && i < nsp ? desc->stride[i] : 0, p = desc && i < nsp ? desc->padding[i] : 0;
    int d = desc && i < nsp ? desc->dilation[i] : 0;
    if (s < 0 || p < 0 || d < 0 || 2 * p > c.k[i] || (avg && d > 1)) {
      nn__fail(NN_ERR_ARG, "%s: needs stride, padding, dilation >= 0, padding at most half the kernel (%d) and no "
                           "dilation for average pooling; got stride %d, padding %d, dilation %d",
               nn__pool_fn(&c), c.k[i], s, p, d);
      return NULL;
    }
    c.p.stride[i] = s > 0 ? s : c.k[i];
    c.p.padding[i] = p;
    c.p.dilation[i] = d > 0 ? d : 1;
  }
  ops = avg ? (is1d ? &nn__avgpool1d_ops : &nn__avgpool2d_ops) : (is1d ? &nn__maxpool1d_ops : &nn__maxpool2d_ops);
  l = nn__layer_new(nn__pool_fn(&c), ops, sizeof(nn__pool_cfg));
  if (l) *(nn__pool_cfg *)l->config = c;
  return l;
}

/* Whether the built Conv2D layer l followed by the built pooling layer pl can run as the fused convolution + 2x2
   max pooling on x: pl pools 2x2 with stride 2, no padding or dilation, and the convolution qualifies. */
NN__PRIVATE int nn__convl_pool22_ok(const nn_layer *l, const nn_layer *pl, const nn_tensor *x) {
  const nn__convl_cfg *cfg;
  const nn__pool_cfg *pc;
  nn__conv_geom g;
  if (!l || !pl || l->ops != &nn__conv2d_ops || pl->ops != &nn__maxpool2d_ops || !l->built || !pl->built) return 0;
  cfg = (const nn__convl_cfg *)l->config;
  pc = (const nn__pool_cfg *)pl->config;
  if (pc->k[0] != 2 || pc->k[1] != 2 || pc->p.stride[0] != 2 || pc->p.stride[1] != 2 || pc->p.padding[0] ||
      pc->p.padding[1] || pc->p.dilation[0] != 1 || pc->p.dilation[1] != 1)
    return 0;
  if (!x || x->ndim != 4 || x->shape[1] != cfg->cin) return 0;
  return nn__conv2d_pool22_ok(x, l->params[0].tensor, cfg->d.no_bias ? NULL : l->params[1].tensor, &cfg->p, &g);
}

NN__PRIVATE int nn__layer_is_max_pool(const nn_layer *l) {
  return l && (l->ops == &nn__maxpool1d_ops || l->ops == &nn__maxpool2d_ops);
}

NNDEF nn_layer *nn_max_pool1d_layer(int k, const nn_pool_desc *desc) { return nn__pool_new(1, 0, k, 1, desc); }
NNDEF nn_layer *nn_max_pool2d_layer(int kh, int kw, const nn_pool_desc *desc) {
  return nn__pool_new(0, 0, kh, kw, desc);
}
NNDEF nn_layer *nn_avg_pool1d_layer(int k, const nn_pool_desc *desc) { return nn__pool_new(1, 1, k, 1, desc); }
NNDEF nn_layer *nn_avg_pool2d_layer(int kh, int kw, const nn_pool_desc *desc) {
  return nn__pool_new(0, 1, kh, kw, desc);
}

#endif /* NN_NO_CONV */

/* ---- global average pooling ---- */

NN__PRIVATE nn_status nn__gap_build(nn_layer *l, const int64_t *shape, int ndim) {
  int nsp = *(const int *)l->config;
  if (nn__layer_check_build(l, nsp == 1 ? "nn_global_avg_pool1d_layer" : "nn_global_avg_pool2d_layer", shape, ndim,
                            nsp + 1, nsp + 1, -1, "") != NN_OK)
    return nn_last_status();
  return nn_layer_set_output_shape(l, shape, 1);
}

NN__PRIVATE nn_tensor *nn__gap_forward(nn_layer *l, const nn_tensor *x) {
  int nsp = *(const int *)l->config, axes[2] = {2, 3};
  const char *fn = nsp == 1 ? "nn_global_avg_pool1d_layer" : "nn_global_avg_pool2d_layer";
  char b1[160];
  if (nn__check_cpu(fn, x, "x") != NN_OK) return NULL;
  if (x->ndim != nsp + 2 || !nn__is_float(x->dtype)) {
    nn__fail(NN_ERR_SHAPE, "%s: %s '%s' expects a float %d-D input %s, got %s %s", fn, nn_layer_kind(l), l->name,
             nsp + 2, nsp == 1 ? "(N, C, L)" : "(N, C, H, W)", nn_dtype_name(x->dtype),
             nn__fmt_shape(b1, sizeof b1, x->shape, x->ndim));
    return NULL;
  }
  return nn_reduce(NN_REDUCE_MEAN, x, axes, nsp, 0, 0);
}

static const nn_layer_ops nn__gap1d_ops = {"GlobalAveragePooling1D", nn__gap_build, nn__gap_forward, NULL};
static const nn_layer_ops nn__gap2d_ops = {"GlobalAveragePooling2D", nn__gap_build, nn__gap_forward, NULL};

NNDEF nn_layer *nn_global_avg_pool1d_layer(void) {
  nn_layer *l = nn__layer_new("nn_global_avg_pool1d_layer", &nn__gap1d_ops, sizeof(int));
  if (l) *(int *)l->config = 1;
  return l;
}
NNDEF nn_layer *nn_global_avg_pool2d_layer(void) {
  nn_layer *l = nn__layer_new("nn_global_avg_pool2d_layer", &nn__gap2d_ops, sizeof(int));
  if (l) *(int *)l->config = 2;
  return l;
}

#endif /* NN_NO_RANDOM */
