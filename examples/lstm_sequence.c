/* examples/lstm_sequence.c: sequence classification with an LSTM. Each 8x8 digit image shipped in data/ is read
   as a sequence of 8 rows of 8 pixels; an LSTM(64) summarizes the sequence and a dense layer classifies it.
   Build and run from the repository root: cc -O2 examples/lstm_sequence.c -o lstm -lm && ./lstm */
#define NN_IMPLEMENTATION
#include "../nn.h"

int main(void) {
  nn_csv_desc csv = {0};
  nn_tensor *x, *y, *perm;
  int64_t seq[3], in[2] = {8, 8}, ntr;
  nn_rng rng;
  nn_model *m;
  nn_compile_desc c = {0};
  nn_fit_desc f = {0};
  nn_history *h;
  const char *names[2];
  double v[2];
  nn_scope_begin();
  csv.label_col = -1; /* 64 pixel columns, then the label */
  if (nn_load_csv("data/digits.csv.gz", &csv, &x, &y) != NN_OK) {
    fprintf(stderr, "%s (run from the repository root)\n", nn_error());
    return 1;
  }
  nn_rng_seed(&rng, 1);
  perm = nn_permutation(&rng, x->shape[0]);
  seq[0] = x->shape[0];
  seq[1] = 8; /* time steps: the rows */
  seq[2] = 8; /* features per step: the pixels of a row */
  x = nn_reshape(nn_div_scalar(nn_take(x, perm, 0), 16.0), seq, 3);
  y = nn_take(y, perm, 0);
  ntr = x->shape[0] * 4 / 5;

  m = nn_sequential(in, 2);               /* samples are (time, features); the model is batch-first */
  nn_model_add(m, nn_lstm(64, NULL));     /* the last hidden state (Keras return_sequences=False) */
  nn_model_add(m, nn_dense(10, NN_ACT_NONE));
  nn_model_summary(m, stdout);
  c.metrics = NN_METRIC_ACCURACY;
  c.learning_rate = 3e-3;
  nn_model_compile(m, &c);
  f.epochs = 15;
  f.batch_size = 32;
  h = nn_model_fit(m, nn_slice(x, 0, 0, ntr, 1), nn_slice(y, 0, 0, ntr, 1), &f);
  if (!h || nn_model_evaluate(m, nn_slice(x, 0, ntr, x->shape[0], 1), nn_slice(y, 0, ntr, y->shape[0], 1), 256,
                              names, v, 2) < 2) {
    fprintf(stderr, "%s\n", nn_error());
    return 1;
  }
  printf("held-out accuracy: %.2f%%\n", 100.0 * v[1]);
  nn_history_free(h);
  nn_model_free(m);
  nn_scope_end();
  return 0;
}
