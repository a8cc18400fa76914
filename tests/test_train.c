/* tests/test_train.c: 20 optimizer steps of a small MLP, CNN and LSTM against PyTorch's trajectories
   (tools/ref/gen_train.py): same initial weights, same batch, the loss after every step and the final weights. */
#include "ref/train_ref.h"

/* Copies PyTorch's values (as double) into a layer parameter. */
static void tr_set(nn_layer *l, const char *name, const double *v) {
  nn_tensor *p = nn_layer_find_param(l, name), *src;
  CHECK(p != NULL);
  if (!p) return;
  src = nn_from_data(v, p->shape, p->ndim, NN_FLOAT64);
  CHECK(nn_layer_set_param(l, name, src) == NN_OK);
  nn_free(src);
}

static nn_tensor *tr_tensor(const double *v, const int64_t *shape, int ndim, nn_dtype dt) {
  nn_tensor *d = nn_from_data(v, shape, ndim, NN_FLOAT64), *t = nn_astype(d, dt);
  nn_free(d);
  return t;
}

/* Largest relative difference between a parameter and PyTorch's values. */
static double tr_diff(const nn_tensor *p, const double *v) {
  double worst = 0;
  int64_t i;
  for (i = 0; i < p->size; i++) {
    double a = nn_get_flat(p, i), d = fabs(a - v[i]) / (fabs(v[i]) > 1e-3 ? fabs(v[i]) : 1e-3);
    worst = d > worst ? d : worst;
  }
  return worst;
}

/* Runs 20 steps of forward -> loss -> backward -> step and compares every loss. */
static void tr_run(const char *what, nn_layer **layers, int nl, nn_optimizer *opt, const nn_tensor *x,
                   const nn_tensor *t, int mse, const double *ref_loss) {
  int s, k;
  for (s = 0; s < 20; s++) {
    nn_tensor *h, *loss;
    nn_scope_begin();
    nn_optimizer_zero_grad(opt);
    h = (nn_tensor *)x;
    for (k = 0; k < nl && h; k++) h = nn_layer_forward(layers[k], h);
    loss = !h ? NULL : mse ? nn_mse_loss(h, t, NN_REDUCTION_MEAN) : nn_cross_entropy(h, t, NN_REDUCTION_MEAN);
    CHECK(loss && nn_backward(loss, NULL) == NN_OK && nn_optimizer_step(opt) == NN_OK);
    if (!loss || fabs(nn_item(loss) - ref_loss[s]) > 1e-4 * fabs(ref_loss[s]))
      NT_FAIL("%s step %d: loss %.8g, PyTorch %.8g (%s)", what, s + 1, loss ? nn_item(loss) : NAN, ref_loss[s],
              nn_error());
    nn_scope_end();
  }
}

static void test_train_mlp(void) {
  nn_layer *l[2];
  nn_tensor *params[4], *x, *y;
  int64_t xs[2] = {8, 20}, ys[1] = {8}, in[1] = {20};
  nn_adam_desc ad;
  nn_optimizer *opt;
  l[0] = nn_dense(16, NN_ACT_RELU);
  l[1] = nn_dense(5, NN_ACT_NONE);
  nn_layer_build(l[0], in, 1);
  in[0] = 16;
  nn_layer_build(l[1], in, 1);
  tr_set(l[0], "weight", mlp_init_0_weight);
  tr_set(l[0], "bias", mlp_init_0_bias);
  tr_set(l[1], "weight", mlp_init_2_weight);
  tr_set(l[1], "bias", mlp_init_2_bias);
  x = tr_tensor(mlp_x, xs, 2, NN_FLOAT32);
  y = tr_tensor(mlp_t, ys, 1, NN_INT64);
  params[0] = nn_layer_param(l[0], 0);
  params[1] = nn_layer_param(l[0], 1);
  params[2] = nn_layer_param(l[1], 0);
  params[3] = nn_layer_param(l[1], 1);
  memset(&ad, 0, sizeof ad);
  ad.lr = 1e-2;
  opt = nn_optimizer_adam(params, 4, &ad);
  tr_run("MLP", l, 2, opt, x, y, 0, mlp_loss);
  CHECK(tr_diff(params[0], mlp_final_0_weight) < 1e-4);
  CHECK(tr_diff(params[3], mlp_final_2_bias) < 1e-4);
  nn_optimizer_free(opt);
  nn_layer_free(l[0]);
  nn_layer_free(l[1]);
}

static void test_train_cnn(void) {
#ifndef NN_NO_CONV
  nn_layer *l[4];
  nn_tensor *params[4], *x, *y;
  int64_t xs[4] = {4, 1, 8, 8}, ys[1] = {4}, in[3] = {1, 8, 8};
  nn_conv_layer_desc cd;
  nn_sgd_desc sd;
  nn_optimizer *opt;
  memset(&cd, 0, sizeof cd);
  cd.activation = NN_ACT_RELU;
  l[0] = nn_conv2d_layer(4, 3, 3, &cd);
  l[1] = nn_max_pool2d_layer(2, 2, NULL);
  l[2] = nn_flatten_layer();
  l[3] = nn_dense(5, NN_ACT_NONE);
  x = tr_tensor(cnn_x, xs, 4, NN_FLOAT32);
  y = tr_tensor(cnn_t, ys, 1, NN_INT64);
  nn_layer_build(l[0], in, 3);
  nn_layer_forward(l[3], nn_layer_forward(l[2], nn_layer_forward(l[1], nn_layer_forward(l[0], x)))); /* builds */
  tr_set(l[0], "weight", cnn_init_0_weight);
  tr_set(l[0], "bias", cnn_init_0_bias);
  tr_set(l[3], "weight", cnn_init_4_weight);
  tr_set(l[3], "bias", cnn_init_4_bias);
  params[0] = nn_layer_param(l[0], 0);
  params[1] = nn_layer_param(l[0], 1);
  params[2] = nn_layer_param(l[3], 0);
  params[3] = nn_layer_param(l[3], 1);
  memset(&sd, 0, sizeof sd);
  sd.lr = 0.05;
  sd.momentum = 0.9;
  opt = nn_optimizer_sgd(params, 4, &sd);
  tr_run("CNN", l, 4, opt, x, y, 0, cnn_loss);
  CHECK(tr_diff(params[0], cnn_final_0_weight) < 1e-4);
  CHECK(tr_diff(params[2], cnn_final_4_weight) < 1e-4);
  nn_optimizer_free(opt);
  nn_layer_free(l[0]);
  nn_layer_free(l[1]);
  nn_layer_free(l[2]);
  nn_layer_free(l[3]);
#endif
}

static void test_train_lstm(void) {
  nn_layer *l[1];
  nn_tensor *params[4], *x, *t;
  int64_t xs[3] = {5, 3, 4}, ts[3] = {5, 3, 6};
  nn_rnn_desc rd;
  nn_adam_desc ad;
  nn_optimizer *opt;
  memset(&rd, 0, sizeof rd);
  rd.return_sequences = 1; /* PyTorch's output: every step, sequence-first */
  l[0] = nn_lstm(6, &rd);
  x = tr_tensor(lstm_x, xs, 3, NN_FLOAT32);
  t = tr_tensor(lstm_t, ts, 3, NN_FLOAT32);
  nn_layer_forward(l[0], x); /* builds */
  tr_set(l[0], "weight_ih_l0", lstm_init_lstm_weight_ih_l0);
  tr_set(l[0], "weight_hh_l0", lstm_init_lstm_weight_hh_l0);
  tr_set(l[0], "bias_ih_l0", lstm_init_lstm_bias_ih_l0);
  tr_set(l[0], "bias_hh_l0", lstm_init_lstm_bias_hh_l0);
  params[0] = nn_layer_find_param(l[0], "weight_ih_l0");
  params[1] = nn_layer_find_param(l[0], "weight_hh_l0");
  params[2] = nn_layer_find_param(l[0], "bias_ih_l0");
  params[3] = nn_layer_find_param(l[0], "bias_hh_l0");
  memset(&ad, 0, sizeof ad);
  ad.lr = 1e-2;
  opt = nn_optimizer_adam(params, 4, &ad);
  tr_run("LSTM", l, 1, opt, x, t, 1, lstm_loss);
  CHECK(tr_diff(params[1], lstm_final_lstm_weight_hh_l0) < 1e-4);
  CHECK(tr_diff(params[2], lstm_final_lstm_bias_ih_l0) < 1e-4);
  nn_optimizer_free(opt);
  nn_layer_free(l[0]);
}

static void tests_train(void) {
  RUN(test_train_mlp);
  RUN(test_train_cnn);
  RUN(test_train_lstm);
}
