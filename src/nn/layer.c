/* nn/layer.c: the layer interface: construction, building from the input shape, parameters and buffers with their
   PyTorch names, the forward call, modes, seeds, custom layers, and the helpers every layer kind shares. */
#ifndef NN_NO_RANDOM

/* New layers take their seeds from a sequence: base, and how many layers were made since nn_layers_manual_seed. */
static uint64_t nn__layer_seed_base = 0;
static long nn__layer_count = 0;

NN__PRIVATE uint64_t nn__layer_mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

NNDEF void nn_layers_manual_seed(uint64_t seed) {
  nn__layer_seed_base = seed;
  nn__layer_count = 0;
}

/* Keras's to_snake_case: "Conv2D" -> "conv2d", "SimpleRNN" -> "simple_rnn", "MaxPooling2D" -> "max_pooling2d". */
NN__PRIVATE void nn__snake_case(const char *s, char *out, size_t cap) {
  size_t k = 0, i, n = strlen(s);
  for (i = 0; i < n && k + 2 < cap; i++) {
    char c = s[i];
    int up = c >= 'A' && c <= 'Z';
    if (up && i > 0) {
      char p = s[i - 1], q = s[i + 1];
      int plow = p >= 'a' && p <= 'z', pup = p >= 'A' && p <= 'Z', qlow = q >= 'a' && q <= 'z';
      if (plow || (pup && qlow)) out[k++] = '_';
    }
    out[k++] = up ? (char)(c - 'A' + 'a') : c;
  }
  out[k] = 0;
}

/* A new, unbuilt layer of a kind with a zeroed config of config_size bytes. NULL with an error on failure. */
NN__PRIVATE nn_layer *nn__layer_new(const char *fn, const nn_layer_ops *ops, size_t config_size) {
  nn_layer *l = (nn_layer *)NN_MALLOC(sizeof(nn_layer));
  char snake[48];
  long k;
  if (!l) {
    nn__fail(NN_ERR_OOM, "%s: cannot allocate the layer", fn);
    return NULL;
  }
  memset(l, 0, sizeof *l);
  if (config_size) {
    l->config = NN_MALLOC(config_size);
    if (!l->config) {
      NN_FREE(l);
      nn__fail(NN_ERR_OOM, "%s: cannot allocate the layer", fn);
      return NULL;
    }
    memset(l->config, 0, config_size);
  }
  l->ops = ops;
  l->training = 1;
  l->trainable = 1;
  l->dtype = NN_FLOAT32;
  l->in_ndim = l->out_ndim = -1;
  k = NN__ATOMIC_ADD(&nn__layer_count, 1);
  l->seed = nn__layer_mix(nn__layer_seed_base ^ nn__layer_mix((uint64_t)k));
  nn_rng_seed(&l->rng, l->seed);
  nn__snake_case(ops->kind ? ops->kind : "layer", snake, sizeof snake);
  snprintf(l->name, sizeof l->name, "%s_%ld", snake, k);
  return l;
}

/* The dtype a desc asks for: float32 (0) or float64. */
NN__PRIVATE nn_status nn__layer_dtype(const char *fn, nn_dtype dt) {
  if (dt != NN_FLOAT32 && dt != NN_FLOAT64)
    return nn__fail(NN_ERR_DTYPE, "%s: parameters must be float32 or float64, got %s", fn, nn_dtype_name(dt));
  return NN_OK;
}

NN__PRIVATE void nn__named_free(nn_named_tensor *v, int n) {
  int i;
  for (i = 0; i < n; i++) nn_free(v[i].tensor);
}

/* Drops every parameter and buffer (a failed build leaves the layer as it was before). */
NN__PRIVATE void nn__layer_clear(nn_layer *l) {
  nn__named_free(l->params, l->nparams);
  nn__named_free(l->buffers, l->nbuffers);
  l->nparams = l->nbuffers = 0;
}

NNDEF void nn_layer_free(nn_layer *l) {
  if (!l) return;
  if (l->ops && l->ops->destroy) l->ops->destroy(l);
  nn__layer_clear(l);
  NN_FREE(l->params);
  NN_FREE(l->buffers);
  NN_FREE(l->config);
  NN_FREE(l);
}

NN__PRIVATE nn_status nn__check_layer(const char *fn, const nn_layer *l) {
  if (!l) return nn__fail_null(fn, "l");
  if (!l->ops || !l->ops->forward) return nn__fail(NN_ERR_ARG, "%s: the layer has no forward function", fn);
  return NN_OK;
}

NN__PRIVATE nn_named_tensor *nn__layer_lookup(const nn_layer *l, const char *name) {
  int i;
  for (i = 0; i < l->nparams; i++)
    if (strcmp(l->params[i].name, name) == 0) return &l->params[i];
  for (i = 0; i < l->nbuffers; i++)
    if (strcmp(l->buffers[i].name, name) == 0) return &l->buffers[i];
  return NULL;
}

/* Appends (name, t) to a list of named tensors and takes t out of its scope. */
NN__PRIVATE nn_status nn__layer_push(const char *fn, nn_layer *l, int buffer, const char *name, nn_tensor *t) {
  nn_named_tensor **v = buffer ? &l->buffers : &l->params;
  int *n = buffer ? &l->nbuffers : &l->nparams, *cap = buffer ? &l->buffers_cap : &l->params_cap;
  if (!name || !name[0] || strlen(name) >= sizeof((*v)->name))
    return nn__fail(NN_ERR_ARG, "%s: a parameter name must have 1 to 63 characters", fn);
  if (nn__check_cpu(fn, t, "t") != NN_OK) return nn_last_status();
  if (nn__layer_lookup(l, name))
    return nn__fail(NN_ERR_ARG, "%s: layer '%s' already has a parameter or buffer called '%s'", fn, l->name, name);
  if (*n == *cap) {
    int nc = *cap ? 2 * *cap : 4;
    nn_named_tensor *nv = (nn_named_tensor *)NN_REALLOC(*v, sizeof(nn_named_tensor) * (size_t)nc);
    if (!nv) return nn__fail(NN_ERR_OOM, "%s: out of memory", fn);
    *v = nv;
    *cap = nc;
  }
  memset(&(*v)[*n], 0, sizeof(nn_named_tensor));
  strcpy((*v)[*n].name, name);
  (*v)[*n].tensor = t;
  (*n)++;
  nn__scope_unlink(t);
  return NN_OK;
}

NNDEF nn_status nn_layer_add_param(nn_layer *l, const char *name, nn_tensor *t) {
  nn_status st;
  if (!l) return nn__fail_null("nn_layer_add_param", "l");
  if (nn__check_cpu("nn_layer_add_param", t, "t") != NN_OK) return nn_last_status();
  if (!nn__is_float(t->dtype))
    return nn__fail(NN_ERR_DTYPE, "nn_layer_add_param: parameter '%s' must be float32 or float64, got %s",
                    name ? name : "(null)", nn_dtype_name(t->dtype));
  if (!nn_is_leaf(t))
    return nn__fail(NN_ERR_ARG, "nn_layer_add_param: parameter '%s' was produced by a recorded op; pass a leaf "
                                "(nn_detach)", name ? name : "(null)");
  st = nn__layer_push("nn_layer_add_param", l, 0, name, t);
  if (st != NN_OK) return st;
  nn_requires_grad(t, l->trainable);
  return NN_OK;
}

NNDEF nn_status nn_layer_add_buffer(nn_layer *l, const char *name, nn_tensor *t) {
  if (!l) return nn__fail_null("nn_layer_add_buffer", "l");
  if (nn__check_cpu("nn_layer_add_buffer", t, "t") != NN_OK) return nn_last_status();
  if (t->requires_grad)
    return nn__fail(NN_ERR_ARG, "nn_layer_add_buffer: buffer '%s' requires grad; buffers are not trained",
                    name ? name : "(null)");
  return nn__layer_push("nn_layer_add_buffer", l, 1, name, t);
}

/* spec when it names an initializer, else deflt. */
NN__PRIVATE const nn_init_spec *nn__init_pick(const nn_init_spec *spec, const nn_init_spec *deflt) {
  return spec && spec->kind != NN_INIT_DEFAULT ? spec : deflt;
}

/* A parameter of the layer's dtype initialized by spec. Returns it (owned by the layer) or NULL. */
NN__PRIVATE nn_tensor *nn__layer_param(nn_layer *l, const char *name, const int64_t *shape, int ndim,
                                       const nn_init_spec *spec) {
  nn_tensor *t = nn_empty(shape, ndim, l->dtype);
  if (!t) return NULL;
  if (nn_init_apply(t, spec, &l->rng) != NN_OK || nn_layer_add_param(l, name, t) != NN_OK) {
    nn_free(t);
    return NULL;
  }
  return t;
}

/* A buffer of a dtype filled with value. */
NN__PRIVATE nn_tensor *nn__layer_buffer(nn_layer *l, const char *name, const int64_t *shape, int ndim, nn_dtype dt,
                                        double value) {
  nn_tensor *t = nn_full(shape, ndim, value, dt);
  if (!t) return NULL;
  if (nn_layer_add_buffer(l, name, t) != NN_OK) {
    nn_free(t);
    return NULL;
  }
  return t;
}

/* The spec of PyTorch's Linear/Conv weight: kaiming_uniform(a = sqrt(5)), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
NN__PRIVATE nn_init_spec nn__init_torch_weight(void) {
  nn_init_spec s;
  memset(&s, 0, sizeof s);
  s.kind = NN_INIT_KAIMING_UNIFORM;
  s.a = sqrt(5.0);
  s.mode = NN_FAN_IN;
  return s;
}

NN__PRIVATE nn_init_spec nn__init_simple(nn_init_kind kind, double a, double b) {
  nn_init_spec s;
  memset(&s, 0, sizeof s);
  s.kind = kind;
  s.a = a;
  s.b = b;
  return s;
}

NNDEF nn_tensor *nn_layer_new_param(nn_layer *l, const char *name, const int64_t *shape, int ndim,
                                    const nn_init_spec *init) {
  nn_init_spec dw = nn__init_torch_weight(), dz = nn__init_simple(NN_INIT_ZEROS, 0, 0);
  if (!l) {
    nn__fail_null("nn_layer_new_param", "l");
    return NULL;
  }
  return nn__layer_param(l, name, shape, ndim, nn__init_pick(init, ndim >= 2 ? &dw : &dz));
}

NNDEF nn_status nn_layer_set_output_shape(nn_layer *l, const int64_t *shape, int ndim) {
  int i;
  if (!l) return nn__fail_null("nn_layer_set_output_shape", "l");
  if (ndim < 0 || ndim >= NN_MAX_DIMS || (ndim > 0 && !shape))
    return nn__fail(NN_ERR_ARG, "nn_layer_set_output_shape: ndim %d is outside [0, %d]", ndim, NN_MAX_DIMS - 1);
  for (i = 0; i < ndim; i++) l->out_shape[i] = shape[i];
  l->out_ndim = ndim;
  return NN_OK;
}

NNDEF nn_rng *nn_layer_rng(nn_layer *l) {
  if (!l) {
    nn__fail_null("nn_layer_rng", "l");
    return NULL;
  }
  return &l->rng;
}

NNDEF nn_status nn_layer_build(nn_layer *l, const int64_t *shape, int ndim) {
  char b1[160], b2[160];
  int i;
  nn_status st;
  if (nn__check_layer("nn_layer_build", l) != NN_OK) return nn_last_status();
  if (ndim < 0 || ndim >= NN_MAX_DIMS || (ndim > 0 && !shape))
    return nn__fail(NN_ERR_ARG, "nn_layer_build: %s '%s': a per-sample shape needs 0 to %d axes, got %d",
                    l->ops->kind, l->name, NN_MAX_DIMS - 1, ndim);
  for (i = 0; i < ndim; i++)
    if (shape[i] < -1)
      return nn__fail(NN_ERR_ARG, "nn_layer_build: %s '%s': bad per-sample shape %s (lengths are >= 0, or -1 for "
                                  "unknown)", l->ops->kind, l->name, nn__fmt_shape(b1, sizeof b1, shape, ndim));
  if (l->built) {
    int same = ndim == l->in_ndim;
    for (i = 0; same && i < ndim; i++) same = shape[i] == l->in_shape[i];
    if (same) return NN_OK;
    return nn__fail(NN_ERR_SHAPE, "nn_layer_build: %s '%s' was built for per-sample shape %s, got %s", l->ops->kind,
                    l->name, nn__fmt_shape(b1, sizeof b1, l->in_shape, l->in_ndim),
                    nn__fmt_shape(b2, sizeof b2, shape, ndim));
  }
  nn_rng_seed(&l->rng, l->seed);
  for (i = 0; i < ndim; i++) l->in_shape[i] = shape[i];
  l->in_ndim = ndim;
  l->out_ndim = -1;
  st = l->ops->build ? l->ops->build(l, shape, ndim) : NN_OK;
  if (st != NN_OK) {
    nn__layer_clear(l);
    l->in_ndim = l->out_ndim = -1;
    return st;
  }
  l->built = 1;
  return NN_OK;
}

/* nn_layer_forward with fwd in place of the layer's forward function. */
NN__PRIVATE nn_tensor *nn__layer_forward_with(nn_layer *l, const nn_tensor *x,
                                              nn_tensor *(*fwd)(nn_layer *, const nn_tensor *)) {
  nn_tensor *y;
  if (nn__check_cpu(l->ops->kind, x, "x") != NN_OK) return NULL;
  if (!l->built) {
    int64_t s[NN_MAX_DIMS];
    int i, k = 0;
    if (x->ndim <= l->batch_axis) {
      char b1[160];
      nn__fail(NN_ERR_SHAPE, "%s '%s': the input needs a batch axis (axis %d), got shape %s", l->ops->kind, l->name,
               l->batch_axis, nn__fmt_shape(b1, sizeof b1, x->shape, x->ndim));
      return NULL;
    }
    for (i = 0; i < x->ndim; i++)
      if (i != l->batch_axis) s[k++] = x->shape[i];
    if (nn_layer_build(l, s, k) != NN_OK) return NULL;
  }
  y = fwd(l, x);
  if (y && l->out_ndim < 0 && y->ndim > l->batch_axis) {
    int i, k = 0;
    for (i = 0; i < y->ndim; i++)
      if (i != l->batch_axis) l->out_shape[k++] = y->shape[i];
    l->out_ndim = k;
  }
  return y;
}

NNDEF nn_tensor *nn_layer_forward(nn_layer *l, const nn_tensor *x) {
  if (nn__check_layer("nn_layer_forward", l) != NN_OK) return NULL;
  return nn__layer_forward_with(l, x, l->ops->forward);
}

NNDEF const char *nn_layer_kind(const nn_layer *l) { return l && l->ops && l->ops->kind ? l->ops->kind : ""; }
NNDEF const char *nn_layer_name(const nn_layer *l) { return l ? l->name : ""; }

NNDEF nn_status nn_layer_set_name(nn_layer *l, const char *name) {
  if (!l) return nn__fail_null("nn_layer_set_name", "l");
  if (!name) return nn__fail_null("nn_layer_set_name", "name");
  if (!name[0] || strlen(name) >= sizeof l->name)
    return nn__fail(NN_ERR_ARG, "nn_layer_set_name: a name must have 1 to %d characters", (int)sizeof l->name - 1);
  strcpy(l->name, name);
  return NN_OK;
}

NNDEF int nn_layer_num_params(const nn_layer *l) { return l ? l->nparams : 0; }
NNDEF int nn_layer_num_buffers(const nn_layer *l) { return l ? l->nbuffers : 0; }

NN__PRIVATE nn_named_tensor *nn__layer_entry(const char *fn, const nn_layer *l, int buffer, int i) {
  int n;
  if (!l) {
    nn__fail_null(fn, "l");
    return NULL;
  }
  n = buffer ? l->nbuffers : l->nparams;
  if (i < 0 || i >= n) {
    nn__fail(NN_ERR_INDEX, "%s: index %d is out of range for %s '%s' with %d %s", fn, i, nn_layer_kind(l), l->name, n,
             buffer ? "buffers" : "parameters");
    return NULL;
  }
  return buffer ? &l->buffers[i] : &l->params[i];
}

NNDEF nn_tensor *nn_layer_param(const nn_layer *l, int i) {
  nn_named_tensor *e = nn__layer_entry("nn_layer_param", l, 0, i);
  return e ? e->tensor : NULL;
}
NNDEF const char *nn_layer_param_name(const nn_layer *l, int i) {
  nn_named_tensor *e = nn__layer_entry("nn_layer_param_name", l, 0, i);
  return e ? e->name : NULL;
}
NNDEF nn_tensor *nn_layer_buffer(const nn_layer *l, int i) {
  nn_named_tensor *e = nn__layer_entry("nn_layer_buffer", l, 1, i);
  return e ? e->tensor : NULL;
}
NNDEF const char *nn_layer_buffer_name(const nn_layer *l, int i) {
  nn_named_tensor *e = nn__layer_entry("nn_layer_buffer_name", l, 1, i);
  return e ? e->name : NULL;
}

/* The entry called name, or NULL with an error listing what the layer has. */
NN__PRIVATE nn_named_tensor *nn__layer_find(const char *fn, const nn_layer *l, const char *name) {
  nn_named_tensor *e;
  char have[256];
  size_t k = 0;
  int i;
  if (!l) {
    nn__fail_null(fn, "l");
    return NULL;
  }
  if (!name) {
    nn__fail_null(fn, "name");
    return NULL;
  }
  e = nn__layer_lookup(l, name);
  if (e) return e;
  have[0] = 0;
  for (i = 0; i < l->nparams + l->nbuffers && k + 70 < sizeof have; i++) {
    const char *nm = i < l->nparams ? l->params[i].name : l->buffers[i - l->nparams].name;
    int w = snprintf(have + k, sizeof have - k, "%s'%s'", i ? ", " : "", nm);
    if (w > 0) k += (size_t)w;
  }
  nn__fail(NN_ERR_ARG, "%s: %s '%s' has no parameter or buffer '%s'%s%s%s", fn, nn_layer_kind(l), l->name, name,
           l->built ? " (it has: " : " (it is not built yet", have, ")");
  return NULL;
}

NNDEF nn_tensor *nn_layer_find_param(const nn_layer *l, const char *name) {
  nn_named_tensor *e = nn__layer_find("nn_layer_find_param", l, name);
  return e ? e->tensor : NULL;
}

NNDEF nn_status nn_layer_set_param(nn_layer *l, const char *name, const nn_tensor *value) {
  nn_named_tensor *e = nn__layer_find("nn_layer_set_param", l, name);
  char b1[160], b2[160];
  int i, same;
  if (!e) return nn_last_status();
  if (nn__check_cpu("nn_layer_set_param", value, "value") != NN_OK) return nn_last_status();
  same = value->ndim == e->tensor->ndim;
  for (i = 0; same && i < value->ndim; i++) same = value->shape[i] == e->tensor->shape[i];
  if (!same)
    return nn__fail(NN_ERR_SHAPE, "nn_layer_set_param: %s '%s': '%s' has shape %s, got a value of shape %s",
                    nn_layer_kind(l), l->name, name, nn__fmt_shape(b1, sizeof b1, e->tensor->shape, e->tensor->ndim),
                    nn__fmt_shape(b2, sizeof b2, value->shape, value->ndim));
  return nn_assign(e->tensor, value);
}

NNDEF int64_t nn_layer_param_count(const nn_layer *l) {
  int64_t n = 0;
  int i;
  if (!l) return 0;
  for (i = 0; i < l->nparams; i++) n += l->params[i].tensor->size;
  return n;
}

NNDEF int nn_layer_output_shape(const nn_layer *l, int64_t *shape) {
  int i;
  if (!l || l->out_ndim < 0) return -1;
  if (shape)
    for (i = 0; i < l->out_ndim; i++) shape[i] = l->out_shape[i];
  return l->out_ndim;
}

NNDEF int nn_layer_input_shape(const nn_layer *l, int64_t *shape) {
  int i;
  if (!l || l->in_ndim < 0) return -1;
  if (shape)
    for (i = 0; i < l->in_ndim; i++) shape[i] = l->in_shape[i];
  return l->in_ndim;
}

NNDEF nn_status nn_layer_set_training(nn_layer *l, int training) {
  if (!l) return nn__fail_null("nn_layer_set_training", "l");
  l->training = training ? 1 : 0;
  return NN_OK;
}

NNDEF nn_status nn_layer_set_trainable(nn_layer *l, int trainable) {
  int i;
  if (!l) return nn__fail_null("nn_layer_set_trainable", "l");
  l->trainable = trainable ? 1 : 0;
  for (i = 0; i < l->nparams; i++) nn_requires_grad(l->params[i].tensor, l->trainable);
  return NN_OK;
}

NNDEF nn_status nn_layer_set_seed(nn_layer *l, uint64_t seed) {
  if (!l) return nn__fail_null("nn_layer_set_seed", "l");
  l->seed = seed;
  nn_rng_seed(&l->rng, seed);
  return NN_OK;
}

NNDEF void nn_layer_zero_grad(nn_layer *l) {
  int i;
  if (!l) return;
  for (i = 0; i < l->nparams; i++) nn_zero_grad(l->params[i].tensor);
}

/* ---- custom layers ---- */

NNDEF nn_layer *nn_layer_custom(const char *kind, nn_status (*build)(nn_layer *l, const int64_t *shape, int ndim),
                                nn_tensor *(*forward)(nn_layer *l, const nn_tensor *x), void (*destroy)(nn_layer *l),
                                void *user) {
  static const nn_layer_ops proto = {"Custom", NULL, NULL, NULL};
  nn_layer *l;
  size_t n;
  if (!forward) {
    nn__fail_null("nn_layer_custom", "forward");
    return NULL;
  }
  if (!kind || !kind[0]) kind = "Custom";
  n = strlen(kind);
  if (n > 63) {
    nn__fail(NN_ERR_ARG, "nn_layer_custom: kind '%.20s...' is longer than 63 characters", kind);
    return NULL;
  }
  l = nn__layer_new("nn_layer_custom", &proto, n + 1);
  if (!l) return NULL;
  memcpy(l->config, kind, n + 1);
  l->custom_ops.kind = (const char *)l->config;
  l->custom_ops.build = build;
  l->custom_ops.forward = forward;
  l->custom_ops.destroy = destroy;
  l->ops = &l->custom_ops;
  {
    char snake[48];
    long k = 0;
    const char *us = strrchr(l->name, '_');
    if (us) k = strtol(us + 1, NULL, 10);
    nn__snake_case(kind, snake, sizeof snake);
    snprintf(l->name, sizeof l->name, "%s_%ld", snake, k);
  }
  l->user = user;
  return l;
}

/* ---- helpers shared by the layer kinds ---- */

/* Checks that x is a float tensor of the layer's dtype with rank ndim (or in [lo, hi] when hi > 0). */
NN__PRIVATE nn_status nn__layer_check_x(const nn_layer *l, const char *fn, const nn_tensor *x, int lo, int hi,
                                        const char *layout) {
  char b1[160];
  if (nn__check_cpu(fn, x, "x") != NN_OK) return nn_last_status();
  if (x->ndim < lo || x->ndim > hi) {
    if (lo == hi)
      return nn__fail(NN_ERR_SHAPE, "%s: %s '%s' expects a %d-D input %s, got shape %s", fn, nn_layer_kind(l), l->name,
                      lo, layout, nn__fmt_shape(b1, sizeof b1, x->shape, x->ndim));
    return nn__fail(NN_ERR_SHAPE, "%s: %s '%s' expects a %d-D to %d-D input %s, got shape %s", fn, nn_layer_kind(l),
                    l->name, lo, hi, layout, nn__fmt_shape(b1, sizeof b1, x->shape, x->ndim));
  }
  if (x->dtype != l->dtype)
    return nn__fail(NN_ERR_DTYPE, "%s: %s '%s' has %s parameters but the input is %s", fn, nn_layer_kind(l), l->name,
                    nn_dtype_name(l->dtype), nn_dtype_name(x->dtype));
  return NN_OK;
}

/* Checks one input length the parameters were built for. */
NN__PRIVATE nn_status nn__layer_check_dim(const nn_layer *l, const char *fn, const nn_tensor *x, int axis,
                                          int64_t want, const char *what) {
  char b1[160];
  if (x->shape[axis] != want)
    return nn__fail(NN_ERR_SHAPE, "%s: input has %lld %s but %s '%s' was built for %lld (input shape %s)", fn,
                    (long long)x->shape[axis], what, nn_layer_kind(l), l->name, (long long)want,
                    nn__fmt_shape(b1, sizeof b1, x->shape, x->ndim));
  return NN_OK;
}

/* Checks that the per-sample shape a build gets has between lo and hi axes and a known length at axis. */
NN__PRIVATE nn_status nn__layer_check_build(const nn_layer *l, const char *fn, const int64_t *shape, int ndim, int lo,
                                            int hi, int axis, const char *what) {
  char b1[160];
  if (ndim < lo || ndim > hi)
    return nn__fail(NN_ERR_SHAPE, "%s: %s '%s' needs a per-sample shape with %d to %d axes, got %s", fn,
                    nn_layer_kind(l), l->name, lo, hi, nn__fmt_shape(b1, sizeof b1, shape, ndim));
  if (axis >= 0 && shape[axis] <= 0)
    return nn__fail(NN_ERR_SHAPE, "%s: %s '%s' needs a known number of %s, got per-sample shape %s", fn,
                    nn_layer_kind(l), l->name, what, nn__fmt_shape(b1, sizeof b1, shape, ndim));
  return NN_OK;
}

/* Runs a forward in its own scope: temporaries are freed and only the result moves to the caller's scope. */
#define NN__LAYER_SCOPE_BEGIN()                  \
  do {                                           \
    if (nn_scope_begin() != NN_OK) return NULL;  \
  } while (0)
NN__PRIVATE nn_tensor *nn__layer_scope_end(nn_tensor *y) {
  if (y) nn_keep(y);
  nn_scope_end();
  return y;
}

#endif /* NN_NO_RANDOM */
