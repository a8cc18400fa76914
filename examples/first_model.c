/* examples/first_model.c: the README's first model (kept here so that `make test` compiles it). */
#define NN_IMPLEMENTATION
#include "../nn.h"

int main(void) {
  nn_tensor *x, *y;
  nn_csv_desc csv = {0};
  int64_t in[1] = {64};
  nn_scope_begin();
  csv.label_col = -1;                                  /* 64 pixels, then the class */
  nn_load_csv("data/digits.csv.gz", &csv, &x, &y);    /* gzip read directly */
  x = nn_div_scalar(x, 16.0);

  nn_model *m = nn_sequential(in, 1);                  /* keras.Sequential */
  nn_model_add(m, nn_dense(128, NN_ACT_RELU));
  nn_model_add(m, nn_dense(10, NN_ACT_NONE));          /* logits */
  nn_compile_desc c = {0};                             /* "adam", sparse categorical cross-entropy */
  c.metrics = NN_METRIC_ACCURACY;
  nn_model_compile(m, &c);
  nn_fit_desc f = {0};
  f.epochs = 10; f.batch_size = 32; f.validation_split = 0.2;
  nn_history *h = nn_model_fit(m, x, y, &f);           /* progress bar on stderr */
  if (!h) { fprintf(stderr, "%s\n", nn_error()); return 1; }
  printf("validation accuracy %.3f\n", nn_history_get(h, "val_accuracy", -1));
  nn_history_plot_svg(h, "digits", "curves.svg");
  nn_model_save(m, "digits.safetensors");              /* architecture + weights + optimizer state */
  nn_history_free(h);
  nn_model_free(m);
  nn_scope_end();
  return 0;
}
