/* nn/activations.c: the activation enum (names, dispatch) and the activations the core ops lack (leaky_relu, elu)
   as fused differentiable ops. */

static const char *const nn__act_names[NN_ACT_COUNT] = {"linear",  "relu", "leaky_relu", "elu",     "gelu",
                                                        "silu",    "sigmoid", "tanh",   "softmax", "log_softmax"};

NNDEF const char *nn_activation_name(nn_activation act) {
  return (int)act >= 0 && act < NN_ACT_COUNT ? nn__act_names[act] : "invalid";
}

NNDEF nn_activation nn_activation_from_name(const char *name) {
  int i;
  if (!name) {
    nn__fail_null("nn_activation_from_name", "name");
    return NN_ACT_COUNT;
  }
  for (i = 0; i < NN_ACT_COUNT; i++)
    if (strcmp(name, nn__act_names[i]) == 0) return (nn_activation)i;
  if (strcmp(name, "none") == 0) return NN_ACT_NONE;
  if (strcmp(name, "swish") == 0) return NN_ACT_SILU;
  nn__fail(NN_ERR_ARG, "nn_activation_from_name: unknown activation '%s'", name);
  return NN_ACT_COUNT;
}

/* ---- leaky_relu and elu: one pass forward, one pass backward ---- */

enum { NN__PW_LEAKY = 0, NN__PW_ELU = 1 };

NN__PRIVATE nn_status nn__pw_backward(nn__node *n, const nn_tensor *gout, nn_tensor **gin) {
  nn_tensor *x = n->saved[0], *y = n->saved[1], *g = nn__lk_contig(gout, x->dtype), *gx = NULL;
  if (!g) return nn_last_status();
  gx = nn__new(n->name, x->dtype, x->shape, x->ndim);
  if (!gx) {
    nn_free(g);
    return nn_last_status();
  }
  if (n->i[0] == NN__PW_LEAKY) {
    if (x->dtype == NN_FLOAT32)
      nn__lk_leaky_bwd_f32(x->size, (const float *)g->data, (const float *)x->data, (float *)gx->data, n->d[0]);
    else
      nn__lk_leaky_bwd_f64(x->size, (const double *)g->data, (const double *)x->data, (double *)gx->data, n->d[0]);
  } else {
    if (x->dtype == NN_FLOAT32)
      nn__lk_elu_bwd_f32(x->size, (const float *)g->data, (const float *)x->data, (const float *)y->data,
                         (float *)gx->data, n->d[0]);
    else
      nn__lk_elu_bwd_f64(x->size, (const double *)g->data, (const double *)x->data, (const double *)y->data,
                         (double *)gx->data, n->d[0]);
  }
  nn_free(g);
  gin[0] = gx;
  return NN_OK;
}

NN__PRIVATE nn_tensor *nn__pointwise(const char *fn, int kind, const nn_tensor *x, double param) {
  nn_tensor *xc, *y;
  if (nn__check_cpu(fn, x, "x") != NN_OK) return NULL;
  if (!nn__is_float(x->dtype)) {
    nn__fail(NN_ERR_DTYPE, "%s: x must be float32 or float64, got %s", fn, nn_dtype_name(x->dtype));
    return NULL;
  }
  if (param != param) {
    nn__fail(NN_ERR_VALUE, "%s: the parameter is NaN", fn);
    return NULL;
  }
  xc = nn_contiguous(x);
  if (!xc) return NULL;
  y = nn__new(fn, x->dtype, x->shape, x->ndim);
  if (y) {
    if (kind == NN__PW_LEAKY) {
      if (x->dtype == NN_FLOAT32) nn__lk_leaky_f32(x->size, (const float *)xc->data, (float *)y->data, param);
      else nn__lk_leaky_f64(x->size, (const double *)xc->data, (double *)y->data, param);
    } else {
      if (x->dtype == NN_FLOAT32) nn__lk_elu_f32(x->size, (const float *)xc->data, (float *)y->data, param);
      else nn__lk_elu_f64(x->size, (const double *)xc->data, (double *)y->data, param);
    }
    if (nn__ag_wanted1(x)) {
      nn__node *n = nn__ag_node(kind == NN__PW_LEAKY ? "leaky_relu" : "elu", nn__pw_backward, 1, &x);
      if (n) {
        n->i[0] = kind;
        n->d[0] = param;
        if (nn__ag_save(n, 0, xc) != NN_OK || nn__ag_save(n, 1, y) != NN_OK) {
          nn__node_decref(n);
          n = NULL;
        }
      }
      y = nn__ag_attach(n, y);
    }
  }
  nn_free(xc);
  return y;
}

NNDEF nn_tensor *nn_leaky_relu(const nn_tensor *x, double negative_slope) {
  return nn__pointwise("nn_leaky_relu", NN__PW_LEAKY, x, negative_slope);
}

NNDEF nn_tensor *nn_elu(const nn_tensor *x, double alpha) { return nn__pointwise("nn_elu", NN__PW_ELU, x, alpha); }

NNDEF nn_tensor *nn_activate(const nn_tensor *x, nn_activation act) {
  if (nn__check_cpu("nn_activate", x, "x") != NN_OK) return NULL;
  switch (act) {
    case NN_ACT_NONE: return nn__ag_identity("nn_activate", x);
    case NN_ACT_RELU: return nn_relu(x);
    case NN_ACT_LEAKY_RELU: return nn_leaky_relu(x, 0.01);
    case NN_ACT_ELU: return nn_elu(x, 1.0);
    case NN_ACT_GELU: return nn_gelu(x);
    case NN_ACT_SILU: return nn_silu(x);
    case NN_ACT_SIGMOID: return nn_sigmoid(x);
    case NN_ACT_TANH: return nn_tanh(x);
    case NN_ACT_SOFTMAX: return nn_softmax(x, -1);
    case NN_ACT_LOG_SOFTMAX: return nn_log_softmax(x, -1);
    default: nn__fail(NN_ERR_ARG, "nn_activate: unknown activation %d", (int)act); return NULL;
  }
}
