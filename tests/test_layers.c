/* tests/test_layers.c: layers against PyTorch (tests/ref/layers_ref.h, written by tools/ref/gen_layers.py): outputs,
   input and parameter gradients and BatchNorm's running statistics in float32; the same layers in float64 against
   finite differences (nn_gradcheck); the layer interface (names, parameters, shapes, modes, seeds, custom layers),
   initializers, dropout, bad input and a leak check over training steps. */
#include "ref/layers_ref.h"

#ifndef NN_NO_RANDOM

static nn_tensor *ly_tensor(const ly_arr *a, nn_dtype dt) {
  nn_tensor *t = nn_from_data(a->v, a->shape, a->ndim, NN_FLOAT64), *r;
  if (!t || dt == NN_FLOAT64) return t;
  r = nn_astype(t, dt);
  nn_free(t);
  return r;
}

static int ly_is(const ly_case *c, const char *kind) { return strcmp(c->kind, kind) == 0; }
static int ly_is_rnn(const ly_case *c) { return ly_is(c, "rnn") || ly_is(c, "lstm") || ly_is(c, "gru"); }

/* The nn.h layer for a reference case, with parameters of dtype dt. */
static nn_layer *ly_make(const ly_case *c, nn_dtype dt) {
  const int *ia = c->ia;
  const double *da = c->da;
  if (ly_is(c, "dense")) {
    nn_dense_desc d;
    memset(&d, 0, sizeof d);
    d.no_bias = ia[2];
    d.dtype = dt;
    return nn_dense_ex(ia[0], (nn_activation)ia[1], &d);
  }
  if (ly_is(c, "conv1d") || ly_is(c, "conv2d")) {
    nn_conv_layer_desc d;
    memset(&d, 0, sizeof d);
    d.stride[0] = ia[3];
    d.stride[1] = ia[4];
    d.padding[0] = ia[5];
    d.padding[1] = ia[6];
    d.dilation[0] = ia[7];
    d.dilation[1] = ia[8];
    d.groups = ia[9];
    d.same = ia[10];
    d.no_bias = ia[11];
    d.activation = (nn_activation)ia[12];
    d.dtype = dt;
    return ly_is(c, "conv1d") ? nn_conv1d_layer(ia[0], ia[1], &d) : nn_conv2d_layer(ia[0], ia[1], ia[2], &d);
  }
  if (strstr(c->kind, "pool") && !strstr(c->kind, "gap")) {
    nn_pool_desc d;
    memset(&d, 0, sizeof d);
    d.stride[0] = ia[2];
    d.stride[1] = ia[3];
    d.padding[0] = ia[4];
    d.padding[1] = ia[5];
    d.dilation[0] = ia[6];
    d.dilation[1] = ia[7];
    if (ly_is(c, "maxpool1d")) return nn_max_pool1d_layer(ia[0], &d);
    if (ly_is(c, "maxpool2d")) return nn_max_pool2d_layer(ia[0], ia[1], &d);
    if (ly_is(c, "avgpool1d")) return nn_avg_pool1d_layer(ia[0], &d);
    return nn_avg_pool2d_layer(ia[0], ia[1], &d);
  }
  if (ly_is(c, "gap1d")) return nn_global_avg_pool1d_layer();
  if (ly_is(c, "gap2d")) return nn_global_avg_pool2d_layer();
  if (ly_is(c, "bn1d") || ly_is(c, "bn2d")) {
    nn_batch_norm_desc d;
    memset(&d, 0, sizeof d);
    d.no_affine = ia[0];
    d.no_running_stats = ia[1];
    d.eps = da[0];
    d.momentum = da[1];
    d.dtype = dt;
    return ly_is(c, "bn1d") ? nn_batch_norm1d_layer(&d) : nn_batch_norm2d_layer(&d);
  }
  if (ly_is(c, "layernorm")) {
    nn_layer_norm_desc d;
    memset(&d, 0, sizeof d);
    d.normalized_ndim = ia[0];
    d.no_affine = ia[1];
    d.eps = da[0];
    d.dtype = dt;
    return nn_layer_norm_layer(&d);
  }
  if (ly_is(c, "embedding")) {
    nn_embedding_desc d;
    memset(&d, 0, sizeof d);
    d.dtype = dt;
    return nn_embedding_layer(ia[0], ia[1], &d);
  }
  if (ly_is(c, "flatten")) return nn_flatten_layer();
  if (ly_is(c, "reshape")) {
    int64_t s[8];
    int i;
    for (i = 0; i < ia[0]; i++) s[i] = ia[1 + i];
    return nn_reshape_layer(s, ia[0]);
  }
  if (ly_is(c, "activation")) return nn_activation_layer((nn_activation)ia[0]);
  if (ly_is(c, "dropout")) return nn_dropout_layer(da[0]);
  if (ly_is_rnn(c)) {
    nn_rnn_desc d;
    memset(&d, 0, sizeof d);
    d.return_sequences = ia[1];
    d.batch_first = ia[2];
    d.no_bias = ia[3];
    d.activation = ia[4] ? NN_ACT_RELU : NN_ACT_NONE;
    d.dtype = dt;
    if (ly_is(c, "lstm")) return nn_lstm(ia[0], &d);
    if (ly_is(c, "gru")) return nn_gru(ia[0], &d);
    return nn_simple_rnn(ia[0], &d);
  }
  if (ly_is(c, "mha")) {
    nn_mha_desc d;
    memset(&d, 0, sizeof d);
    d.batch_first = ia[1];
    d.causal = ia[2];
    d.no_bias = ia[3];
    d.dtype = dt;
    return nn_multihead_attention(ia[0], &d);
  }
  return NULL;
}

/* Runs the case's forward pass: fills out[] (c->nout tensors). Returns 1 when every output exists. */
static int ly_forward(nn_layer *l, const ly_case *c, nn_tensor *const *in, nn_tensor **out, nn_dtype dt) {
  int i;
  for (i = 0; i < 3; i++) out[i] = NULL;
  if (ly_is_rnn(c)) {
    nn_tensor *hn = NULL, *cn = NULL;
    int k = 1;
    out[0] = nn_rnn_forward(l, in[0], c->nin > 1 ? in[1] : NULL, c->nin > 2 ? in[2] : NULL, c->ia[5] ? &hn : NULL,
                            c->ia[6] ? &cn : NULL);
    if (c->ia[5]) out[k++] = hn;
    if (c->ia[6]) out[k++] = cn;
  } else if (ly_is(c, "mha")) {
    nn_tensor *am = NULL, *kpm = NULL, *w = NULL;
    int a = 0, cross = c->ia[6];
    if (c->ia[4]) {
      am = ly_tensor(&c->aux[a++], dt);
      if (c->ia[4] == 1) am = nn_astype(am, NN_BOOL);
    }
    if (c->ia[5]) kpm = nn_astype(ly_tensor(&c->aux[a++], dt), NN_BOOL);
    if (!cross && !am && !kpm && !c->ia[7]) {
      out[0] = nn_layer_forward(l, in[0]);
    } else {
      out[0] = nn_mha_forward(l, in[0], cross ? in[1] : in[0], cross ? in[2] : in[0], am, kpm, c->ia[2],
                              c->ia[7] ? &w : NULL);
      if (c->ia[7]) out[1] = w;
    }
  } else {
    out[0] = nn_layer_forward(l, in[0]);
  }
  for (i = 0; i < c->nout; i++)
    if (!out[i]) return 0;
  return 1;
}

/* sum_i sum(out_i * dout_i) over the outputs that have an upstream gradient. */
static nn_tensor *ly_loss(const ly_case *c, nn_tensor *const *out, nn_dtype dt) {
  nn_tensor *loss = NULL;
  int i;
  for (i = 0; i < c->nout; i++) {
    nn_tensor *d, *s;
    if (!c->dout[i].v) continue;
    d = ly_tensor(&c->dout[i], dt);
    s = nn_sum(nn_mul(out[i], d), NN_ALL_AXES, 0);
    loss = loss ? nn_add(loss, s) : s;
  }
  return loss;
}

/* A layer for case c, built and loaded with the case's parameters and buffers; in[] receives the inputs. */
static nn_layer *ly_setup(const ly_case *c, nn_dtype dt, nn_tensor **in) {
  nn_layer *l = ly_make(c, dt);
  int64_t s[8];
  int i, k = 0;
  if (!l) {
    NT_FAIL("%s: cannot make the layer: %s", c->name, nn_error());
    return NULL;
  }
  for (i = 0; i < c->nin; i++) {
    in[i] = ly_tensor(&c->in[i], ly_is(c, "embedding") ? NN_INT64 : dt);
    if (!ly_is(c, "embedding")) nn_requires_grad(in[i], 1);
  }
  for (i = 0; i < c->in[0].ndim; i++)
    if (i != l->batch_axis) s[k++] = c->in[0].shape[i];
  if (nn_layer_build(l, s, k) != NN_OK) {
    NT_FAIL("%s: build: %s", c->name, nn_error());
    nn_layer_free(l);
    return NULL;
  }
  if (nn_layer_num_params(l) != c->nparams) NT_FAIL("%s: %d parameters, expected %d", c->name, nn_layer_num_params(l), c->nparams);
  for (i = 0; i < c->nparams && i < nn_layer_num_params(l); i++) {
    if (strcmp(nn_layer_param_name(l, i), c->params[i].name) != 0)
      NT_FAIL("%s: parameter %d is '%s', expected '%s'", c->name, i, nn_layer_param_name(l, i), c->params[i].name);
    if (nn_layer_set_param(l, c->params[i].name, ly_tensor(&c->params[i].value, NN_FLOAT64)) != NN_OK)
      NT_FAIL("%s: set_param: %s", c->name, nn_error());
  }
  if (c->nbuffers && nn_layer_num_buffers(l) != c->nbuffers)
    NT_FAIL("%s: %d buffers, expected %d", c->name, nn_layer_num_buffers(l), c->nbuffers);
  for (i = 0; i < c->nbuffers; i++)
    if (nn_layer_set_param(l, c->buffers[i].name, ly_tensor(&c->buffers[i].value, NN_FLOAT64)) != NN_OK)
      NT_FAIL("%s: set buffer: %s", c->name, nn_error());
  nn_layer_set_training(l, c->training);
  return l;
}

static void ly_check(const char *what, const ly_case *c, const nn_tensor *t, const ly_arr *a, double tol) {
  int ok = t != NULL && t->ndim == a->ndim, i;
  nt_checks++;
  for (i = 0; ok && i < a->ndim; i++) ok = t->shape[i] == a->shape[i];
  if (!ok) {
    char b1[96];
    NT_FAIL("%s: %s: shape %s does not match the reference (%s)", c->name, what,
            t ? nn_shape_str(t, b1, sizeof b1) : "NULL", t ? "" : nn_error());
    return;
  }
  if (!nt_tensor_near(t, a->v, nn__shape_size(a->shape, a->ndim), tol)) NT_FAIL("%s: %s differs", c->name, what);
}

static void ly_run_parity(const ly_case *c) {
  nn_tensor *in[3] = {NULL, NULL, NULL}, *out[3], *loss;
  nn_layer *l;
  int i;
  nn_scope_begin();
  l = ly_setup(c, NN_FLOAT32, in);
  if (!l) goto done;
  if (!ly_forward(l, c, in, out, NN_FLOAT32)) {
    NT_FAIL("%s: forward: %s", c->name, nn_error());
    goto done;
  }
  for (i = 0; i < c->nout; i++) ly_check("output", c, out[i], &c->out[i], 1e-4);
  for (i = 0; i < c->nbuffers; i++) ly_check(c->buffers[i].name, c, nn_layer_find_param(l, c->buffers[i].name), &c->buffers[i].grad, 1e-4);
  loss = ly_loss(c, out, NN_FLOAT32);
  if (!loss) goto done;
  if (nn_backward(loss, NULL) != NN_OK) {
    NT_FAIL("%s: backward: %s", c->name, nn_error());
    goto done;
  }
  for (i = 0; i < c->nin; i++)
    if (c->din[i].v) ly_check("input gradient", c, nn_grad(in[i]), &c->din[i], 1e-4);
  for (i = 0; i < c->nparams; i++) {
    char what[96];
    snprintf(what, sizeof what, "gradient of %s", c->params[i].name);
    ly_check(what, c, nn_grad(nn_layer_find_param(l, c->params[i].name)), &c->params[i].grad, 1e-4);
  }
done:
  nn_layer_free(l);
  nn_scope_end();
}

static void test_layers_parity(void) {
  size_t k;
  for (k = 0; k < sizeof ly_cases / sizeof ly_cases[0]; k++) ly_run_parity(&ly_cases[k]);
}

/* ---- float64 finite differences on the same layers ---- */

typedef struct ly_gc {
  const ly_case *c;
  nn_layer *l;
  nn_tensor **in; /* the case's inputs (the first nin_float of the gradcheck inputs are the float ones) */
} ly_gc;

static nn_tensor *ly_gc_fn(nn_tensor *const *inputs, int n, void *vctx) {
  ly_gc *g = (ly_gc *)vctx;
  nn_tensor *out[3];
  (void)inputs;
  (void)n;
  if (!ly_forward(g->l, g->c, g->in, out, NN_FLOAT64)) return NULL;
  return ly_loss(g->c, out, NN_FLOAT64);
}

static void ly_run_gradcheck(const ly_case *c) {
  nn_tensor *in[3] = {NULL, NULL, NULL}, *all[16];
  nn_layer *l;
  ly_gc g;
  int i, n = 0;
  nn_status st;
  nn_scope_begin();
  l = ly_setup(c, NN_FLOAT64, in);
  if (!l) goto done;
  if (c->training == 1 && ly_is(c, "dropout")) goto done;
  for (i = 0; i < c->nin; i++)
    if (!ly_is(c, "embedding")) all[n++] = in[i];
  for (i = 0; i < nn_layer_num_params(l); i++) all[n++] = nn_layer_param(l, i);
  g.c = c;
  g.l = l;
  g.in = in;
  if (n == 0) goto done;
  st = nn_gradcheck(ly_gc_fn, &g, all, n, 1e-6, 1e-6, 1e-5);
  if (st != NN_OK) NT_FAIL("%s: %s", c->name, nn_error());
done:
  nn_layer_free(l);
  nn_scope_end();
}

static void test_layers_gradcheck(void) {
  size_t k;
  for (k = 0; k < sizeof ly_cases / sizeof ly_cases[0]; k++) ly_run_gradcheck(&ly_cases[k]);
}

/* ---- functional forms ---- */

static nn_tensor *ly_leaf64(const int64_t *shape, int nd, double lo, double hi, unsigned seed) {
  nn_tensor *t = nn_empty(shape, nd, NN_FLOAT64);
  unsigned s = seed * 2654435761u + 7u;
  int64_t i;
  for (i = 0; i < t->size; i++) {
    s = s * 1103515245u + 12345u;
    nn_set_flat(t, i, lo + (hi - lo) * ((s >> 8) & 0xFFFF) / 65536.0);
  }
  nn_requires_grad(t, 1);
  return t;
}

static nn_tensor *ly_f_leaky(nn_tensor *const *in, int n, void *ctx) {
  (void)n;
  return ctx ? nn_elu(in[0], 0.7) : nn_leaky_relu(in[0], 0.2);
}
static nn_tensor *ly_f_ln(nn_tensor *const *in, int n, void *ctx) {
  int64_t ns[2] = {3, 4};
  (void)ctx;
  return nn_layer_norm(in[0], ns, 2, n > 1 ? in[1] : NULL, n > 2 ? in[2] : NULL, 1e-5);
}
static nn_tensor *ly_f_bn(nn_tensor *const *in, int n, void *ctx) {
  int64_t c3 = 3;
  nn_tensor *rm = nn_full(&c3, 1, 0.1, NN_FLOAT64), *rv = nn_full(&c3, 1, 1.3, NN_FLOAT64);
  (void)n;
  return nn_batch_norm(in[0], rm, rv, in[1], in[2], ctx != NULL, 0.1, 1e-5);
}
static nn_tensor *ly_f_emb(nn_tensor *const *in, int n, void *ctx) {
  (void)n;
  return nn_embedding((const nn_tensor *)ctx, in[0]);
}

static void test_layers_functional(void) {
  int64_t s2[2] = {4, 5}, s3[3] = {2, 3, 4}, s4[4] = {2, 3, 2, 3}, c3 = 3, s34[2] = {3, 4}, ws[2] = {5, 3};
  nn_tensor *x = ly_leaf64(s2, 2, -2, 2, 1), *in[3];
  int64_t iv[6] = {0, 4, 2, 4, 1, 0}, is[2] = {2, 3};
  nn_tensor *idx = nn_from_data(iv, is, 2, NN_INT64);
  CHECK(nn_gradcheck(ly_f_leaky, NULL, &x, 1, 1e-6, 1e-7, 1e-5) == NN_OK);
  CHECK(nn_gradcheck(ly_f_leaky, (void *)1, &x, 1, 1e-6, 1e-7, 1e-5) == NN_OK);
  /* leaky_relu and elu values */
  {
    double xv[4] = {-2, -0.5, 0, 3}, el[4], lr[4] = {-0.04, -0.01, 0, 3};
    int64_t n4 = 4;
    int i;
    nn_tensor *t = nn_from_data(xv, &n4, 1, NN_FLOAT64), *t32 = nn_astype(t, NN_FLOAT32);
    for (i = 0; i < 4; i++) el[i] = xv[i] > 0 ? xv[i] : 1.5 * expm1(xv[i]);
    CHECK_TENSOR(nn_leaky_relu(t, 0.02), lr, 4, 1e-15);
    CHECK_TENSOR(nn_elu(t, 1.5), el, 4, 1e-15);
    CHECK_TENSOR(nn_leaky_relu(t32, 0.02), lr, 4, 1e-7);
    CHECK_TENSOR(nn_elu(t32, 1.5), el, 4, 1e-6);
  }
  in[0] = ly_leaf64(s3, 3, -2, 2, 2);
  in[1] = ly_leaf64(s34, 2, 0.5, 1.5, 3);
  in[2] = ly_leaf64(s34, 2, -1, 1, 4);
  CHECK(nn_gradcheck(ly_f_ln, NULL, in, 3, 1e-6, 1e-7, 1e-5) == NN_OK);
  CHECK(nn_gradcheck(ly_f_ln, NULL, in, 1, 1e-6, 1e-7, 1e-5) == NN_OK);
  in[0] = ly_leaf64(s4, 4, -2, 2, 5);
  in[1] = ly_leaf64(&c3, 1, 0.5, 1.5, 6);
  in[2] = ly_leaf64(&c3, 1, -1, 1, 7);
  CHECK(nn_gradcheck(ly_f_bn, (void *)1, in, 3, 1e-6, 1e-7, 1e-5) == NN_OK);
  CHECK(nn_gradcheck(ly_f_bn, NULL, in, 3, 1e-6, 1e-7, 1e-5) == NN_OK);
  in[0] = ly_leaf64(ws, 2, -1, 1, 8);
  CHECK(nn_gradcheck(ly_f_emb, idx, in, 1, 1e-6, 1e-7, 1e-5) == NN_OK);
  /* repeated index 0 and 4 accumulate */
  {
    nn_tensor *y = nn_embedding(idx, in[0]);
    CHECK(y && y->ndim == 3 && y->shape[2] == 3);
    CHECK(nn_backward(nn_sum(y, NN_ALL_AXES, 0), NULL) == NN_OK);
    CHECK_NEAR(nn_get_flat(nn_grad(in[0]), 0), 2.0, 0);
    CHECK_NEAR(nn_get_flat(nn_grad(in[0]), 4 * 3), 2.0, 0);
    CHECK_NEAR(nn_get_flat(nn_grad(in[0]), 3 * 3), 0.0, 0);
  }
  /* batch norm updates the running statistics with the unbiased variance */
  {
    double xv[6] = {1, 2, 3, 4, 5, 7};
    int64_t s62[2] = {3, 2}, c2 = 2;
    nn_tensor *t = nn_from_data(xv, s62, 2, NN_FLOAT64), *rm = nn_zeros(&c2, 1, NN_FLOAT64), *rv = nn_ones(&c2, 1, NN_FLOAT64);
    CHECK(nn_batch_norm(t, rm, rv, NULL, NULL, 1, 0.5, 1e-5) != NULL);
    CHECK_NEAR(nn_get_flat(rm, 0), 0.5 * 3, 1e-12);
    CHECK_NEAR(nn_get_flat(rv, 0), 0.5 + 0.5 * 4, 1e-12);
    CHECK_NEAR(nn_get_flat(rm, 1), 0.5 * 13.0 / 3, 1e-12);
  }
  /* float32 statistics stay accurate around a large offset */
  {
    int64_t s[3] = {16, 1, 37}, c1 = 1, i;
    nn_tensor *t = nn_empty(s, 3, NN_FLOAT32), *rm = nn_zeros(&c1, 1, NN_FLOAT32), *rv = nn_zeros(&c1, 1, NN_FLOAT32);
    double sum = 0, sq = 0, mean;
    for (i = 0; i < t->size; i++) ((float *)t->data)[i] = 1000.0f + 0.01f * (float)((i * 7919) % 101);
    for (i = 0; i < t->size; i++) sum += ((float *)t->data)[i];
    mean = sum / (double)t->size;
    for (i = 0; i < t->size; i++) sq += (((float *)t->data)[i] - mean) * (((float *)t->data)[i] - mean);
    CHECK(nn_batch_norm(t, rm, rv, NULL, NULL, 1, 1.0, 1e-5) != NULL);
    CHECK_NEAR(nn_get_flat(rm, 0), mean, 1e-7);
    CHECK_NEAR(nn_get_flat(rv, 0) / (sq / (double)(t->size - 1)), 1.0, 1e-5);
  }
  nn_free(x);
}

/* ---- the layer interface ---- */

static void test_layers_interface(void) {
  int64_t s5 = 5, sh[3], img[3] = {3, 8, 8};
  nn_layer *d = nn_dense(3, NN_ACT_RELU), *c, *r, *f;
  nn_conv_layer_desc cd;
  nn_rnn_desc rd;
  CHECK(strcmp(nn_layer_kind(d), "Dense") == 0);
  CHECK(strncmp(nn_layer_name(d), "dense_", 6) == 0);
  CHECK(nn_layer_set_name(d, "classifier") == NN_OK && strcmp(nn_layer_name(d), "classifier") == 0);
  CHECK(!d->built && nn_layer_num_params(d) == 0 && nn_layer_output_shape(d, sh) == -1);
  CHECK(d->training == 1);
  CHECK(nn_layer_build(d, &s5, 1) == NN_OK);
  CHECK(nn_layer_build(d, &s5, 1) == NN_OK); /* same shape: nothing to do */
  CHECK(nn_layer_num_params(d) == 2 && nn_layer_param_count(d) == 18);
  CHECK(strcmp(nn_layer_param_name(d, 0), "weight") == 0 && strcmp(nn_layer_param_name(d, 1), "bias") == 0);
  CHECK(nn_layer_param(d, 0)->shape[0] == 3 && nn_layer_param(d, 0)->shape[1] == 5);
  CHECK(nn_layer_param(d, 0)->requires_grad && nn_is_leaf(nn_layer_param(d, 0)));
  CHECK(nn_layer_find_param(d, "bias") == nn_layer_param(d, 1));
  CHECK(nn_layer_output_shape(d, sh) == 1 && sh[0] == 3);
  CHECK(nn_layer_input_shape(d, sh) == 1 && sh[0] == 5);
  CHECK(nn_layer_set_trainable(d, 0) == NN_OK && !nn_layer_param(d, 0)->requires_grad);
  CHECK(nn_layer_set_trainable(d, 1) == NN_OK && nn_layer_param(d, 1)->requires_grad);
  CHECK(nn_layer_set_training(d, 0) == NN_OK && d->training == 0);
  nn_layer_free(d);

  memset(&cd, 0, sizeof cd);
  cd.stride[0] = cd.stride[1] = 2;
  cd.padding[0] = cd.padding[1] = 1;
  c = nn_conv2d_layer(16, 3, 3, &cd);
  CHECK(nn_layer_build(c, img, 3) == NN_OK);
  CHECK(nn_layer_output_shape(c, sh) == 3 && sh[0] == 16 && sh[1] == 4 && sh[2] == 4);
  CHECK(nn_layer_param_count(c) == 16 * 3 * 9 + 16);
  CHECK(strcmp(nn_layer_kind(c), "Conv2D") == 0 && strncmp(nn_layer_name(c), "conv2d_", 7) == 0);
  nn_layer_free(c);

  memset(&rd, 0, sizeof rd);
  rd.return_sequences = 1;
  r = nn_lstm(7, &rd);
  sh[0] = -1; /* any sequence length */
  sh[1] = 4;
  CHECK(nn_layer_build(r, sh, 2) == NN_OK);
  CHECK(nn_layer_output_shape(r, sh) == 2 && sh[0] == -1 && sh[1] == 7);
  CHECK(strcmp(nn_layer_param_name(r, 0), "weight_ih_l0") == 0 && nn_layer_param(r, 0)->shape[0] == 28);
  CHECK(strcmp(nn_layer_param_name(r, 3), "bias_hh_l0") == 0 && r->batch_axis == 1);
  nn_layer_free(r);

  f = nn_flatten_layer();
  CHECK(nn_layer_build(f, img, 3) == NN_OK && nn_layer_output_shape(f, sh) == 1 && sh[0] == 192);
  nn_layer_free(f);
  {
    nn_layer *b = nn_batch_norm2d_layer(NULL);
    nn_tensor *x, *nb;
    int64_t xs[4] = {2, 3, 2, 2};
    x = nn_ones(xs, 4, NN_FLOAT32);
    CHECK(nn_layer_forward(b, x) != NULL);
    CHECK(nn_layer_num_buffers(b) == 3 && strcmp(nn_layer_buffer_name(b, 2), "num_batches_tracked") == 0);
    nb = nn_layer_find_param(b, "num_batches_tracked");
    CHECK(nb && nb->dtype == NN_INT64 && nn_item(nb) == 1);
    nn_layer_set_training(b, 0);
    CHECK(nn_layer_forward(b, x) != NULL && nn_item(nb) == 1);
    nn_layer_free(b);
  }
  /* dense on (N, *, features) */
  {
    nn_layer *dd = nn_dense(4, NN_ACT_NONE);
    int64_t xs[3] = {2, 3, 5};
    nn_tensor *y = nn_layer_forward(dd, nn_ones(xs, 3, NN_FLOAT32));
    CHECK(y && y->ndim == 3 && y->shape[2] == 4);
    CHECK(nn_layer_input_shape(dd, sh) == 2 && sh[0] == 3 && sh[1] == 5);
    nn_layer_free(dd);
  }
  nn_layer_free(NULL);
}

/* Initial weights: bounds, statistics and reproducibility. */
static void test_layers_init(void) {
  int64_t s = 100, big[2] = {400, 250}, sq[2] = {6, 6}, tall[2] = {8, 5}, wide[2] = {3, 7};
  nn_layer *a, *b;
  nn_tensor *w, *t;
  nn_rng rng;
  nn_dense_desc dd;
  int i, j, k;
  double mx, mean, var;
  /* PyTorch's Linear default: weight and bias within 1/sqrt(fan_in) */
  a = nn_dense(50, NN_ACT_NONE);
  CHECK(nn_layer_build(a, &s, 1) == NN_OK);
  w = nn_layer_param(a, 0);
  mx = nn_item(nn_max(nn_abs(w), NN_ALL_AXES, 0));
  CHECK(mx <= 0.1 && mx > 0.09);
  mx = nn_item(nn_max(nn_abs(nn_layer_param(a, 1)), NN_ALL_AXES, 0));
  CHECK(mx <= 0.1 && mx > 0.05);
  /* same seed, same weights; another seed, others */
  b = nn_dense(50, NN_ACT_NONE);
  nn_layer_set_seed(b, a->seed);
  CHECK(nn_layer_build(b, &s, 1) == NN_OK);
  CHECK(nn_sum_all(nn_abs(nn_sub(nn_layer_param(a, 0), nn_layer_param(b, 0)))) == 0.0);
  nn_layer_free(b);
  b = nn_dense(50, NN_ACT_NONE);
  CHECK(b->seed != a->seed);
  CHECK(nn_layer_build(b, &s, 1) == NN_OK);
  CHECK(nn_sum_all(nn_abs(nn_sub(nn_layer_param(a, 0), nn_layer_param(b, 0)))) > 0.0);
  nn_layer_free(b);
  nn_layer_free(a);
  nn_layers_manual_seed(42);
  a = nn_dense(8, NN_ACT_NONE);
  nn_layers_manual_seed(42);
  b = nn_dense(8, NN_ACT_NONE);
  CHECK(a->seed == b->seed && strcmp(a->name, b->name) == 0);
  nn_layer_free(a);
  nn_layer_free(b);
  /* Keras's glorot_uniform and zero bias */
  memset(&dd, 0, sizeof dd);
  dd.keras_init = 1;
  a = nn_dense_ex(50, NN_ACT_NONE, &dd);
  CHECK(nn_layer_build(a, &s, 1) == NN_OK);
  mx = nn_item(nn_max(nn_abs(nn_layer_param(a, 0)), NN_ALL_AXES, 0));
  CHECK(mx <= sqrt(6.0 / 150) && mx > 0.9 * sqrt(6.0 / 150));
  CHECK(nn_sum_all(nn_abs(nn_layer_param(a, 1))) == 0.0);
  nn_layer_free(a);
  /* an explicit initializer */
  dd.keras_init = 0;
  dd.weight_init.kind = NN_INIT_CONSTANT;
  dd.weight_init.a = 0.25;
  a = nn_dense_ex(3, NN_ACT_NONE, &dd);
  CHECK(nn_layer_build(a, &s, 1) == NN_OK && nn_item(nn_min(nn_layer_param(a, 0), NN_ALL_AXES, 0)) == 0.25);
  nn_layer_free(a);
  /* LSTM: U(-1/sqrt(H), 1/sqrt(H)); Keras: orthogonal recurrent weight, forget bias 1 */
  {
    nn_rnn_desc rd;
    int64_t ps[2] = {5, 3};
    memset(&rd, 0, sizeof rd);
    a = nn_lstm(16, &rd);
    CHECK(nn_layer_build(a, ps, 2) == NN_OK);
    for (i = 0; i < 4; i++) {
      mx = nn_item(nn_max(nn_abs(nn_layer_param(a, i)), NN_ALL_AXES, 0));
      CHECK(mx <= 0.25 && mx > 0.2);
    }
    nn_layer_free(a);
    rd.keras_init = 1;
    a = nn_lstm(4, &rd);
    CHECK(nn_layer_build(a, ps, 2) == NN_OK);
    t = nn_matmul(nn_transpose(nn_layer_param(a, 1)), nn_layer_param(a, 1)); /* (H, H) = I */
    for (i = 0; i < 4; i++)
      for (j = 0; j < 4; j++) {
        int64_t ij[2];
        ij[0] = i;
        ij[1] = j;
        CHECK_NEAR(nn_get(t, ij), i == j ? 1.0 : 0.0, 1e-5);
      }
    CHECK(nn_get_flat(nn_layer_param(a, 2), 4) == 1.0 && nn_get_flat(nn_layer_param(a, 2), 3) == 0.0);
    CHECK(nn_get_flat(nn_layer_param(a, 3), 4) == 0.0);
    nn_layer_free(a);
  }
  /* embedding: N(0, 1) */
  {
    nn_tensor *e;
    a = nn_embedding_layer(200, 50, NULL);
    CHECK(nn_layer_build(a, NULL, 0) == NN_OK);
    e = nn_layer_param(a, 0);
    mean = nn_sum_all(e) / (double)e->size;
    var = nn_item(nn_var(e, NN_ALL_AXES, 0, 0));
    CHECK(fabs(mean) < 0.03 && fabs(var - 1.0) < 0.05);
    nn_layer_free(a);
  }
  /* the initializers */
  nn_rng_seed(&rng, 5);
  t = nn_empty(big, 2, NN_FLOAT32);
  CHECK(nn_init_kaiming_normal(t, 0, NN_FAN_IN, NN_NL_RELU, &rng) == NN_OK);
  var = nn_item(nn_var(t, NN_ALL_AXES, 0, 0));
  CHECK(fabs(var - 2.0 / 250) < 0.05 * 2.0 / 250);
  CHECK(nn_init_kaiming_uniform(t, 0, NN_FAN_OUT, NN_NL_RELU, &rng) == NN_OK);
  mx = nn_item(nn_max(nn_abs(t), NN_ALL_AXES, 0));
  CHECK(mx <= sqrt(6.0 / 400) && mx > 0.99 * sqrt(6.0 / 400));
  CHECK(nn_init_xavier_normal(t, 2.0, &rng) == NN_OK);
  var = nn_item(nn_var(t, NN_ALL_AXES, 0, 0));
  CHECK(fabs(var - 4.0 * 2.0 / 650) < 0.05 * 8.0 / 650);
  CHECK(nn_init_uniform(t, -3, -2, &rng) == NN_OK);
  CHECK(nn_item(nn_max(t, NN_ALL_AXES, 0)) < -2 && nn_item(nn_min(t, NN_ALL_AXES, 0)) >= -3);
  CHECK(nn_init_normal(t, 4, 0.5, &rng) == NN_OK);
  mean = nn_sum_all(t) / (double)t->size;
  CHECK(fabs(mean - 4) < 0.01);
  CHECK_NEAR(nn_init_calculate_gain(NN_NL_TANH, 0), 5.0 / 3, 1e-15);
  CHECK_NEAR(nn_init_calculate_gain(NN_NL_LEAKY_RELU, 0.2), sqrt(2.0 / 1.04), 1e-15);
  {
    int64_t fi, fo, cs[4] = {8, 3, 5, 5};
    nn_tensor *cw = nn_empty(cs, 4, NN_FLOAT32);
    CHECK(nn_init_fans(cw, &fi, &fo) == NN_OK && fi == 75 && fo == 200);
  }
  /* orthogonal: square, tall (orthonormal columns) and wide (orthonormal rows), with a gain */
  for (k = 0; k < 3; k++) {
    const int64_t *shp = k == 0 ? sq : k == 1 ? tall : wide;
    nn_tensor *o = nn_empty(shp, 2, NN_FLOAT64), *p;
    int64_t m;
    CHECK(nn_init_orthogonal(o, 1.5, &rng) == NN_OK);
    p = shp[0] >= shp[1] ? nn_matmul(nn_transpose(o), o) : nn_matmul(o, nn_transpose(o));
    m = p->shape[0];
    for (i = 0; i < m; i++)
      for (j = 0; j < m; j++) CHECK_NEAR(nn_get_flat(p, i * m + j), i == j ? 2.25 : 0.0, 1e-12);
  }
  /* a fixed seed gives fixed values on every platform */
  {
    nn_tensor *u = nn_empty(&s, 1, NN_FLOAT64), *v = nn_empty(&s, 1, NN_FLOAT64);
    nn_rng r1, r2;
    nn_rng_seed(&r1, 99);
    nn_rng_seed(&r2, 99);
    nn_init_normal(u, 0, 1, &r1);
    nn_init_normal(v, 0, 1, &r2);
    CHECK(nn_sum_all(nn_abs(nn_sub(u, v))) == 0.0);
  }
}

static void test_layers_dropout(void) {
  int64_t s[2] = {200, 100};
  nn_tensor *x = nn_ones(s, 2, NN_FLOAT32), *y, *z;
  nn_layer *d = nn_dropout_layer(0.3), *d2 = nn_dropout_layer(0.3);
  double zeros, kept;
  nn_requires_grad(x, 1);
  y = nn_layer_forward(d, x);
  CHECK(y != NULL);
  zeros = (double)x->size - nn_item(nn_count_nonzero(y));
  CHECK(fabs(zeros / (double)x->size - 0.3) < 0.01);
  kept = nn_item(nn_max(y, NN_ALL_AXES, 0));
  CHECK_NEAR(kept, 1.0 / 0.7, 1e-6);
  /* the gradient is the mask */
  CHECK(nn_backward(nn_sum(y, NN_ALL_AXES, 0), NULL) == NN_OK);
  CHECK(nn_sum_all(nn_abs(nn_sub(nn_grad(x), y))) == 0.0);
  /* same seed, same mask */
  nn_layer_set_seed(d, 11);
  nn_layer_set_seed(d2, 11);
  y = nn_layer_forward(d, x);
  z = nn_layer_forward(d2, x);
  CHECK(nn_sum_all(nn_abs(nn_sub(y, z))) == 0.0);
  /* inference mode: identity */
  nn_layer_set_training(d, 0);
  y = nn_layer_forward(d, x);
  CHECK(y && y->data == x->data && nn_requires_grad_get(y));
  CHECK(nn_dropout(x, 1.0, 1, &d->rng) && nn_sum_all(nn_dropout(x, 1.0, 1, &d->rng)) == 0.0);
  nn_layer_free(d);
  nn_layer_free(d2);
}

/* A custom layer: y = x * scale + shift with parameters made in build. */
static nn_status ly_custom_build(nn_layer *l, const int64_t *shape, int ndim) {
  nn_init_spec ones;
  memset(&ones, 0, sizeof ones);
  ones.kind = NN_INIT_ONES;
  if (!nn_layer_new_param(l, "scale", shape + ndim - 1, 1, &ones)) return nn_last_status();
  if (nn_layer_add_param(l, "shift", nn_full(shape + ndim - 1, 1, 0.5, l->dtype)) != NN_OK) return nn_last_status();
  (*(int *)l->user)++;
  return NN_OK;
}
static nn_tensor *ly_custom_forward(nn_layer *l, const nn_tensor *x) {
  return nn_add(nn_mul(x, nn_layer_find_param(l, "scale")), nn_layer_find_param(l, "shift"));
}
static void ly_custom_destroy(nn_layer *l) { (*(int *)l->user) += 100; }

static void test_layers_custom(void) {
  int count = 0;
  int64_t xs[2] = {3, 4}, sh[4];
  nn_layer *l = nn_layer_custom("ScaleShift", ly_custom_build, ly_custom_forward, ly_custom_destroy, &count);
  nn_tensor *x = nn_ones(xs, 2, NN_FLOAT32), *y;
  CHECK(l && strcmp(nn_layer_kind(l), "ScaleShift") == 0 && strncmp(nn_layer_name(l), "scale_shift_", 12) == 0);
  y = nn_layer_forward(l, x);
  CHECK(y && count == 1 && nn_layer_num_params(l) == 2);
  CHECK(nn_layer_output_shape(l, sh) == 1 && sh[0] == 4);
  CHECK_NEAR(nn_get_flat(y, 5), 1.5, 0);
  CHECK(nn_backward(nn_sum(y, NN_ALL_AXES, 0), NULL) == NN_OK);
  CHECK_NEAR(nn_get_flat(nn_grad(nn_layer_find_param(l, "scale")), 2), 3.0, 0);
  CHECK_NEAR(nn_get_flat(nn_grad(nn_layer_find_param(l, "shift")), 2), 3.0, 0);
  nn_layer_zero_grad(l);
  CHECK(nn_grad(nn_layer_param(l, 0)) == NULL);
  CHECK_ERR(nn_layer_add_param(l, "scale", nn_ones(xs, 1, NN_FLOAT32)) != NN_OK, NN_ERR_ARG);
  CHECK_ERR(nn_layer_add_param(l, "ints", nn_ones(xs, 1, NN_INT32)) != NN_OK, NN_ERR_DTYPE);
  CHECK_ERR(nn_layer_add_param(l, "", nn_ones(xs, 1, NN_FLOAT32)) != NN_OK, NN_ERR_ARG);
  CHECK_ERR(nn_layer_add_param(l, "y", y) != NN_OK, NN_ERR_ARG);
  nn_layer_free(l);
  CHECK(count == 101);
  CHECK_ERR(nn_layer_custom("X", NULL, NULL, NULL, NULL) == NULL, NN_ERR_NULL);
}

/* Bad input for every public function: errors with messages, never crashes. */
static void test_layers_errors(void) {
  int64_t s5 = 5, x46[2] = {4, 6}, x45[2] = {4, 5}, i3[1] = {3};
  nn_layer *d = nn_dense(3, NN_ACT_NONE), *e, *c, *r, *g, *m, *b;
  nn_tensor *x = nn_ones(x45, 2, NN_FLOAT32);
  nn_rng rng;
  nn_rnn_desc rd;
  CHECK_ERR(nn_dense(0, NN_ACT_NONE) == NULL, NN_ERR_ARG);
  CHECK_ERR(nn_dense(3, (nn_activation)99) == NULL, NN_ERR_ARG);
  CHECK(nn_layer_forward(d, x) != NULL);
  CHECK_ERR(nn_layer_forward(d, nn_ones(x46, 2, NN_FLOAT32)) == NULL, NN_ERR_SHAPE);
  CHECK(strstr(nn_error(), "6 features") && strstr(nn_error(), "built for 5") && strstr(nn_error(), "Dense"));
  CHECK_ERR(nn_layer_forward(d, nn_ones(x45, 1, NN_FLOAT32)) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_layer_forward(d, nn_ones(x45, 2, NN_FLOAT64)) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_layer_forward(d, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_layer_forward(NULL, x) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_layer_build(d, &x46[1], 1) != NN_OK, NN_ERR_SHAPE);
  CHECK_ERR(nn_layer_build(NULL, &s5, 1) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_layer_param(d, 2) == NULL, NN_ERR_INDEX);
  CHECK_ERR(nn_layer_param_name(d, -1) == NULL, NN_ERR_INDEX);
  CHECK_ERR(nn_layer_buffer(d, 0) == NULL, NN_ERR_INDEX);
  CHECK_ERR(nn_layer_find_param(d, "kernel") == NULL, NN_ERR_ARG);
  CHECK(strstr(nn_error(), "'weight'") != NULL);
  CHECK_ERR(nn_layer_set_param(d, "weight", nn_ones(x45, 2, NN_FLOAT32)) != NN_OK, NN_ERR_SHAPE);
  CHECK_ERR(nn_layer_set_param(d, "weight", NULL) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_layer_set_name(d, "") != NN_OK, NN_ERR_ARG);
  CHECK_ERR(nn_layer_set_seed(NULL, 1) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_layer_set_training(NULL, 1) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_layer_set_output_shape(d, x45, -1) != NN_OK, NN_ERR_ARG);
  CHECK_ERR(nn_layer_new_param(NULL, "w", x45, 2, NULL) == NULL, NN_ERR_NULL);
  CHECK(nn_layer_num_params(NULL) == 0 && nn_layer_param_count(NULL) == 0 && strcmp(nn_layer_kind(NULL), "") == 0);
  {
    int64_t bad = -3;
    nn_layer *d2 = nn_dense(2, NN_ACT_NONE);
    CHECK_ERR(nn_layer_build(d2, &bad, 1) != NN_OK, NN_ERR_ARG);
    bad = -1;
    CHECK_ERR(nn_layer_build(d2, &bad, 1) != NN_OK, NN_ERR_SHAPE); /* features must be known */
    CHECK(!d2->built && nn_layer_num_params(d2) == 0);
    nn_layer_free(d2);
  }
  /* embedding: out-of-range and float indices */
  e = nn_embedding_layer(10, 4, NULL);
  {
    int64_t iv[3] = {1, 10, 2};
    nn_tensor *idx = nn_from_data(iv, i3, 1, NN_INT64);
    CHECK_ERR(nn_layer_forward(e, idx) == NULL, NN_ERR_INDEX);
    CHECK(strstr(nn_error(), "10") && strstr(nn_error(), "Embedding"));
    iv[1] = -1;
    CHECK_ERR(nn_layer_forward(e, nn_from_data(iv, i3, 1, NN_INT64)) == NULL, NN_ERR_INDEX);
    iv[1] = 9;
    CHECK(nn_layer_forward(e, nn_astype(nn_from_data(iv, i3, 1, NN_INT64), NN_INT32)) != NULL);
    CHECK_ERR(nn_layer_forward(e, nn_ones(i3, 1, NN_FLOAT32)) == NULL, NN_ERR_DTYPE);
    CHECK_ERR(nn_embedding(idx, NULL) == NULL, NN_ERR_NULL);
    CHECK_ERR(nn_embedding(idx, nn_ones(i3, 1, NN_FLOAT32)) == NULL, NN_ERR_SHAPE);
  }
  CHECK_ERR(nn_embedding_layer(0, 3, NULL) == NULL, NN_ERR_ARG);
  /* convolution and pooling */
  c = nn_conv2d_layer(4, 3, 3, NULL);
  {
    int64_t xs[4] = {2, 3, 8, 8}, bad[3] = {2, 3, 8}, bc[4] = {2, 2, 8, 8}, tiny[4] = {1, 3, 2, 2};
    nn_conv_layer_desc cd;
    nn_pool_desc pd;
    CHECK(nn_layer_forward(c, nn_ones(xs, 4, NN_FLOAT32)) != NULL);
    CHECK_ERR(nn_layer_forward(c, nn_ones(bad, 3, NN_FLOAT32)) == NULL, NN_ERR_SHAPE);
    CHECK(strstr(nn_error(), "4-D") && strstr(nn_error(), "Conv2D"));
    CHECK_ERR(nn_layer_forward(c, nn_ones(bc, 4, NN_FLOAT32)) == NULL, NN_ERR_SHAPE);
    CHECK(strstr(nn_error(), "2 channels"));
    CHECK_ERR(nn_layer_forward(c, nn_ones(tiny, 4, NN_FLOAT32)) == NULL, NN_ERR_SHAPE);
    memset(&cd, 0, sizeof cd);
    cd.same = 1;
    cd.stride[0] = 2;
    CHECK_ERR(nn_conv2d_layer(4, 3, 3, &cd) == NULL, NN_ERR_ARG);
    memset(&cd, 0, sizeof cd);
    cd.groups = 3;
    CHECK_ERR(nn_conv2d_layer(4, 3, 3, &cd) == NULL, NN_ERR_ARG);
    cd.groups = 2;
    {
      nn_layer *cg = nn_conv2d_layer(4, 3, 3, &cd);
      CHECK_ERR(nn_layer_build(cg, xs + 1, 3) != NN_OK, NN_ERR_SHAPE);
      nn_layer_free(cg);
    }
    CHECK_ERR(nn_conv1d_layer(4, 0, NULL) == NULL, NN_ERR_ARG);
    memset(&pd, 0, sizeof pd);
    pd.padding[0] = 2;
    CHECK_ERR(nn_max_pool2d_layer(2, 2, &pd) == NULL, NN_ERR_ARG);
    {
      nn_layer *p = nn_max_pool1d_layer(2, NULL);
      CHECK_ERR(nn_layer_forward(p, nn_ones(xs, 4, NN_FLOAT32)) == NULL, NN_ERR_SHAPE);
      nn_layer_free(p);
      p = nn_global_avg_pool2d_layer();
      CHECK_ERR(nn_layer_forward(p, nn_ones(bad, 3, NN_FLOAT32)) == NULL, NN_ERR_SHAPE);
      nn_layer_free(p);
    }
  }
  /* recurrent */
  memset(&rd, 0, sizeof rd);
  r = nn_lstm(5, &rd);
  g = nn_gru(5, &rd);
  {
    int64_t xs[3] = {4, 2, 3}, x2[2] = {4, 3}, xf[3] = {4, 2, 6}, hs[2] = {3, 5}, empty[3] = {0, 2, 3};
    CHECK_ERR(nn_layer_forward(r, nn_ones(x2, 2, NN_FLOAT32)) == NULL, NN_ERR_SHAPE);
    CHECK(nn_layer_forward(r, nn_ones(xs, 3, NN_FLOAT32)) != NULL);
    CHECK_ERR(nn_layer_forward(r, nn_ones(xf, 3, NN_FLOAT32)) == NULL, NN_ERR_SHAPE);
    CHECK(strstr(nn_error(), "6 features") && strstr(nn_error(), "LSTM"));
    CHECK_ERR(nn_rnn_forward(r, nn_ones(xs, 3, NN_FLOAT32), nn_ones(hs, 2, NN_FLOAT32), NULL, NULL, NULL) == NULL,
              NN_ERR_SHAPE);
    CHECK_ERR(nn_rnn_forward(r, nn_ones(empty, 3, NN_FLOAT32), NULL, NULL, NULL, NULL) == NULL, NN_ERR_SHAPE);
    CHECK_ERR(nn_rnn_forward(g, nn_ones(xs, 3, NN_FLOAT32), NULL, nn_ones(hs, 2, NN_FLOAT32), NULL, NULL) == NULL,
              NN_ERR_ARG);
    CHECK_ERR(nn_rnn_forward(d, x, NULL, NULL, NULL, NULL) == NULL, NN_ERR_ARG);
    CHECK_ERR(nn_rnn_forward(NULL, x, NULL, NULL, NULL, NULL) == NULL, NN_ERR_NULL);
    CHECK_ERR(nn_lstm(0, NULL) == NULL, NN_ERR_ARG);
    rd.activation = NN_ACT_RELU;
    CHECK_ERR(nn_gru(3, &rd) == NULL, NN_ERR_ARG);
    rd.activation = NN_ACT_NONE;
    rd.dtype = NN_INT32;
    CHECK_ERR(nn_lstm(3, &rd) == NULL, NN_ERR_DTYPE);
  }
  /* attention */
  m = nn_multihead_attention(3, NULL);
  {
    int64_t qs[3] = {4, 2, 8}, ks[3] = {5, 2, 6}, ok[3] = {4, 2, 6}, kb[3] = {5, 3, 6}, ms[2] = {3, 3};
    nn_tensor *q;
    CHECK_ERR(nn_layer_forward(m, nn_ones(qs, 3, NN_FLOAT32)) == NULL, NN_ERR_SHAPE); /* 8 % 3 */
    CHECK(!m->built);
    nn_layer_free(m);
    m = nn_multihead_attention(3, NULL);
    q = nn_ones(ok, 3, NN_FLOAT32);
    CHECK(nn_layer_forward(m, q) != NULL);
    CHECK_ERR(nn_mha_forward(m, q, nn_ones(kb, 3, NN_FLOAT32), nn_ones(kb, 3, NN_FLOAT32), NULL, NULL, 0, NULL) == NULL,
              NN_ERR_SHAPE);
    CHECK_ERR(nn_mha_forward(m, q, nn_ones(qs, 3, NN_FLOAT32), nn_ones(qs, 3, NN_FLOAT32), NULL, NULL, 0, NULL) == NULL,
              NN_ERR_SHAPE);
    CHECK(nn_mha_forward(m, q, nn_ones(ks, 3, NN_FLOAT32), nn_ones(ks, 3, NN_FLOAT32), NULL, NULL, 1, NULL) != NULL);
    CHECK_ERR(nn_mha_forward(m, q, q, q, nn_ones(ms, 2, NN_BOOL), NULL, 0, NULL) == NULL, NN_ERR_SHAPE);
    CHECK_ERR(nn_mha_forward(m, q, q, NULL, NULL, NULL, 0, NULL) == NULL, NN_ERR_NULL);
    CHECK_ERR(nn_mha_forward(d, q, q, q, NULL, NULL, 0, NULL) == NULL, NN_ERR_ARG);
    CHECK_ERR(nn_multihead_attention(0, NULL) == NULL, NN_ERR_ARG);
  }
  /* normalization */
  b = nn_batch_norm1d_layer(NULL);
  {
    int64_t one[2] = {1, 4}, xs[2] = {3, 4}, x3[3] = {3, 5, 2}, n4 = 4;
    nn_batch_norm_desc bd;
    nn_layer_norm_desc ld;
    CHECK(nn_layer_forward(b, nn_ones(xs, 2, NN_FLOAT32)) != NULL);
    CHECK_ERR(nn_layer_forward(b, nn_ones(one, 2, NN_FLOAT32)) == NULL, NN_ERR_VALUE);
    CHECK_ERR(nn_layer_forward(b, nn_ones(x3, 3, NN_FLOAT32)) == NULL, NN_ERR_SHAPE);
    CHECK_ERR(nn_batch_norm(nn_ones(xs, 2, NN_FLOAT32), NULL, NULL, NULL, NULL, 0, 0.1, 1e-5) == NULL, NN_ERR_ARG);
    CHECK_ERR(nn_batch_norm(nn_ones(xs, 2, NN_FLOAT32), NULL, NULL, nn_ones(i3, 1, NN_FLOAT32), NULL, 1, 0.1, 1e-5) ==
                  NULL,
              NN_ERR_SHAPE);
    CHECK_ERR(nn_batch_norm(nn_ones(xs, 2, NN_INT32), NULL, NULL, NULL, NULL, 1, 0.1, 1e-5) == NULL, NN_ERR_DTYPE);
    memset(&bd, 0, sizeof bd);
    bd.momentum = 2;
    CHECK_ERR(nn_batch_norm2d_layer(&bd) == NULL, NN_ERR_VALUE);
    CHECK_ERR(nn_layer_norm(nn_ones(xs, 2, NN_FLOAT32), i3, 1, NULL, NULL, 1e-5) == NULL, NN_ERR_SHAPE);
    CHECK_ERR(nn_layer_norm(nn_ones(xs, 2, NN_FLOAT32), &n4, 1, nn_ones(i3, 1, NN_FLOAT32), NULL, 1e-5) == NULL,
              NN_ERR_SHAPE);
    CHECK_ERR(nn_layer_norm(nn_ones(xs, 2, NN_FLOAT32), &n4, 1, NULL, nn_ones(&n4, 1, NN_FLOAT64), 1e-5) == NULL,
              NN_ERR_DTYPE);
    CHECK_ERR(nn_layer_norm(NULL, &n4, 1, NULL, NULL, 1e-5) == NULL, NN_ERR_NULL);
    memset(&ld, 0, sizeof ld);
    ld.normalized_ndim = 2;
    {
      nn_layer *ln = nn_layer_norm_layer(&ld);
      CHECK_ERR(nn_layer_build(ln, &n4, 1) != NN_OK, NN_ERR_SHAPE);
      CHECK(nn_layer_build(ln, x3 + 1, 2) == NN_OK);
      CHECK_ERR(nn_layer_forward(ln, nn_ones(xs, 2, NN_FLOAT32)) == NULL, NN_ERR_SHAPE);
      nn_layer_free(ln);
    }
  }
  /* activations, dropout, shapes */
  CHECK_ERR(nn_leaky_relu(nn_ones(i3, 1, NN_INT32), 0.1) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_elu(NULL, 1) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_activate(x, (nn_activation)42) == NULL, NN_ERR_ARG);
  CHECK_ERR(nn_activation_from_name("relu6") == NN_ACT_COUNT, NN_ERR_ARG);
  CHECK(nn_activation_from_name("swish") == NN_ACT_SILU && strcmp(nn_activation_name(NN_ACT_GELU), "gelu") == 0);
  CHECK(strcmp(nn_activation_name((nn_activation)77), "invalid") == 0);
  CHECK_ERR(nn_activation_layer((nn_activation)-1) == NULL, NN_ERR_ARG);
  CHECK_ERR(nn_dropout_layer(1.5) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_dropout(x, -0.1, 1, NULL) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_dropout(x, 0.5, 1, NULL) == NULL, NN_ERR_NULL);
  CHECK(nn_dropout(x, 0.5, 0, NULL) != NULL); /* inference needs no generator */
  {
    int64_t t2[2] = {3, -1}, t3[2] = {-1, -1}, t7[1] = {7};
    nn_layer *rs = nn_reshape_layer(t7, 1);
    CHECK_ERR(nn_reshape_layer(t3, 2) == NULL, NN_ERR_ARG);
    CHECK_ERR(nn_layer_forward(rs, x) == NULL, NN_ERR_SHAPE);
    nn_layer_free(rs);
    rs = nn_reshape_layer(t2, 2);
    CHECK_ERR(nn_layer_build(rs, &s5, 1) != NN_OK, NN_ERR_SHAPE);
    nn_layer_free(rs);
  }
  /* initializers */
  nn_rng_seed(&rng, 1);
  CHECK_ERR(nn_init_uniform(x, 0, 1, NULL) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_init_uniform(x, 1, 0, &rng) != NN_OK, NN_ERR_VALUE);
  CHECK_ERR(nn_init_normal(x, 0, -1, &rng) != NN_OK, NN_ERR_VALUE);
  CHECK_ERR(nn_init_zeros(nn_ones(i3, 1, NN_INT64)) != NN_OK, NN_ERR_DTYPE);
  CHECK_ERR(nn_init_xavier_uniform(nn_ones(i3, 1, NN_FLOAT32), 1, &rng) != NN_OK, NN_ERR_SHAPE);
  CHECK_ERR(nn_init_orthogonal(nn_ones(i3, 1, NN_FLOAT32), 1, &rng) != NN_OK, NN_ERR_SHAPE);
  CHECK_ERR(nn_init_fans(NULL, NULL, NULL) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_init_kaiming_uniform(x, 0, (nn_fan_mode)5, NN_NL_RELU, &rng) != NN_OK, NN_ERR_ARG);
  {
    nn_init_spec sp;
    memset(&sp, 0, sizeof sp);
    CHECK_ERR(nn_init_apply(x, &sp, &rng) != NN_OK, NN_ERR_ARG);
    CHECK_ERR(nn_init_apply(x, NULL, &rng) != NN_OK, NN_ERR_NULL);
    sp.kind = (nn_init_kind)99;
    CHECK_ERR(nn_init_apply(x, &sp, &rng) != NN_OK, NN_ERR_ARG);
  }
  CHECK(isnan(nn_init_calculate_gain((nn_nonlinearity)42, 0)));
  {
    nn_dense_desc dd;
    memset(&dd, 0, sizeof dd);
    dd.dtype = NN_UINT8;
    CHECK_ERR(nn_dense_ex(3, NN_ACT_NONE, &dd) == NULL, NN_ERR_DTYPE);
  }
  nn_layer_free(d);
  nn_layer_free(e);
  nn_layer_free(c);
  nn_layer_free(r);
  nn_layer_free(g);
  nn_layer_free(m);
  nn_layer_free(b);
}

/* 100 forward + backward steps inside scopes leave nothing behind. */
static void test_layers_leaks(void) {
  int64_t xs[3] = {4, 6, 5}, is[2] = {4, 6};
  nn_rnn_desc rd;
  nn_layer *emb = nn_embedding_layer(20, 5, NULL), *lstm, *gru, *rnn, *ln = nn_layer_norm_layer(NULL),
           *bn = nn_batch_norm1d_layer(NULL), *act = nn_activation_layer(NN_ACT_LEAKY_RELU), *drop = nn_dropout_layer(0.2),
           *dense = nn_dense(3, NN_ACT_TANH), *conv = nn_conv1d_layer(4, 3, NULL), *mha = nn_multihead_attention(1, NULL);
  nn_tensor *idx = nn_randint(&emb->rng, 0, 20, is, 2, NN_INT64), *x = nn_ones(xs, 3, NN_FLOAT32);
  long live0, live1 = 0;
  int step;
  memset(&rd, 0, sizeof rd);
  rd.return_sequences = 1;
  lstm = nn_lstm(5, &rd);
  gru = nn_gru(5, &rd);
  rnn = nn_simple_rnn(5, &rd);
  nn_requires_grad(x, 1);
  live0 = nn_live_tensors();
  for (step = 0; step < 100; step++) {
    nn_tensor *h, *hn = NULL, *cn = NULL, *loss;
    nn_scope_begin();
    h = nn_layer_forward(emb, idx);              /* (4, 6, 5), seen as (seq, N, features) */
    h = nn_rnn_forward(lstm, h, NULL, NULL, &hn, &cn);
    h = nn_layer_forward(gru, nn_add(h, x));
    h = nn_layer_forward(rnn, h);
    h = nn_layer_forward(ln, h);
    h = nn_layer_forward(act, h);
    h = nn_layer_forward(drop, h);
    h = nn_layer_forward(mha, h);
    h = nn_layer_forward(dense, h);              /* (4, 6, 3) */
    h = nn_layer_forward(bn, nn_swapaxes(h, 1, 2)); /* (4, 3, 6) as (N, C, L) */
    h = nn_layer_forward(conv, h);
    loss = nn_add(nn_sum(h, NN_ALL_AXES, 0), nn_add(nn_sum(hn, NN_ALL_AXES, 0), nn_sum(cn, NN_ALL_AXES, 0)));
    if (!loss || (loss->requires_grad && nn_backward(loss, NULL) != NN_OK)) {
      NT_FAIL("step %d: %s", step, nn_error());
      nn_scope_end();
      break;
    }
    nn_scope_end();
    if (step == 0) live1 = nn_live_tensors();
  }
  CHECK(nn_live_tensors() == live1);
  CHECK(live1 >= live0);
  nn_layer_free(emb);
  nn_layer_free(lstm);
  nn_layer_free(gru);
  nn_layer_free(rnn);
  nn_layer_free(ln);
  nn_layer_free(bn);
  nn_layer_free(act);
  nn_layer_free(drop);
  nn_layer_free(dense);
  nn_layer_free(conv);
  nn_layer_free(mha);
}

static void tests_layers(void) {
  RUN(test_layers_parity);
  RUN(test_layers_gradcheck);
  RUN(test_layers_functional);
  RUN(test_layers_interface);
  RUN(test_layers_init);
  RUN(test_layers_dropout);
  RUN(test_layers_custom);
  RUN(test_layers_errors);
  RUN(test_layers_leaks);
}

#else
static void tests_layers(void) {}
#endif
