/* examples/regression.c: a small tabular regression problem, Friedman's #1 (as in scikit-learn's
   make_friedman1): y = 10 sin(pi x0 x1) + 20 (x2 - 0.5)^2 + 10 x3 + 5 x4 + noise, with 5 more features that do not
   matter. An MLP with MSE loss, early stopping on the validation loss, and the test error.
   Build: cc -O2 examples/regression.c -o regression -lm */
#define NN_IMPLEMENTATION
#include "../nn.h"

static void friedman1(nn_rng *r, int64_t n, nn_tensor **x, nn_tensor **y) {
  int64_t shape[2], i;
  shape[0] = n;
  shape[1] = 10;
  *x = nn_rand(r, shape, 2, NN_FLOAT32);
  shape[1] = 1;
  *y = nn_empty(shape, 2, NN_FLOAT32);
  for (i = 0; i < n; i++) {
    const float *f = (const float *)(*x)->data + i * 10;
    double v = 10 * sin(3.14159265358979 * f[0] * f[1]) + 20 * (f[2] - 0.5) * (f[2] - 0.5) + 10 * f[3] + 5 * f[4];
    ((float *)(*y)->data)[i] = (float)(v + nn_rng_normal(r));
  }
}

int main(void) {
  nn_rng rng;
  nn_tensor *xtr, *ytr, *xte, *yte;
  int64_t in[1] = {10};
  nn_model *m;
  nn_compile_desc c = {0};
  nn_fit_desc f = {0};
  nn_history *h;
  const char *names[3];
  double v[3];
  nn_scope_begin();
  nn_rng_seed(&rng, 0);
  friedman1(&rng, 4000, &xtr, &ytr);
  friedman1(&rng, 1000, &xte, &yte);

  m = nn_sequential(in, 1);
  nn_model_add(m, nn_dense(64, NN_ACT_RELU));
  nn_model_add(m, nn_dense(64, NN_ACT_RELU));
  nn_model_add(m, nn_dense(1, NN_ACT_NONE));
  c.loss = NN_LOSS_MSE;
  c.metrics = NN_METRIC_MAE;
  c.learning_rate = 3e-3;
  nn_model_compile(m, &c);
  f.epochs = 200;
  f.batch_size = 64;
  f.validation_split = 0.2;
  f.patience = 10;              /* EarlyStopping(patience=10, restore_best_weights=True) */
  f.restore_best_weights = 1;
  f.verbose = 1;                /* one line per epoch */
  h = nn_model_fit(m, xtr, ytr, &f);
  if (!h || nn_model_evaluate(m, xte, yte, 256, names, v, 3) < 2) {
    fprintf(stderr, "%s\n", nn_error());
    return 1;
  }
  printf("stopped after %d epochs; test MSE %.3f, MAE %.3f (the noise alone gives MSE 1)\n", h->epochs, v[0], v[1]);
  nn_history_plot_svg(h, "Friedman #1 regression", "regression_history.svg");
  nn_history_free(h);
  nn_model_free(m);
  nn_scope_end();
  return 0;
}
