/* examples/demo.c: the main demo. Trains a small CNN on Fashion-MNIST (Debian's dataset-fashion-mnist) or, where
   that is not installed, an MLP on the 8x8 digits shipped in data/; shows the progress bar, prints the test
   accuracy and the confusion matrix, writes the training curves (demo_history.svg) and the confusion matrix
   (demo_confusion.svg), saves the model, loads it back and checks that the loaded model predicts the same.

   Build and run from the repository root:  cc -O2 examples/demo.c -o demo -lm && ./demo  */
#define NN_IMPLEMENTATION
#include "../nn.h"

#ifndef FASHION
#define FASHION "/usr/share/datasets/fashion-mnist/"
#endif

static const char *const fashion_names[10] = {"T-shirt", "Trouser", "Pullover", "Dress", "Coat",
                                              "Sandal",  "Shirt",   "Sneaker",  "Bag",   "Boot"};

/* Images as float32 in [0, 1] shaped (N, 1, 28, 28), labels as int64 (N,). */
static int load_fashion(const char *images, const char *labels, nn_tensor **x, nn_tensor **y) {
  nn_tensor *img = nn_load_idx(images), *lab = nn_load_idx(labels), *f;
  int64_t shape[4];
  if (!img || !lab) return 0;
  f = nn_div_scalar(nn_astype(img, NN_FLOAT32), 255.0);
  shape[0] = img->shape[0];
  shape[1] = 1;
  shape[2] = img->shape[1];
  shape[3] = img->shape[2];
  *x = nn_reshape(f, shape, 4);
  *y = nn_astype(lab, NN_INT64);
  return *x && *y;
}

int main(void) {
  nn_tensor *xtr = NULL, *ytr = NULL, *xte = NULL, *yte = NULL, *pred, *pred2, *cm;
  nn_model *model, *loaded;
  nn_compile_desc comp;
  nn_fit_desc fit;
  nn_history *hist;
  const char *names[4];
  double values[4], diff;
  int fashion, n;

  nn_scope_begin(); /* everything made in main is freed by the matching nn_scope_end */
  fashion = load_fashion(FASHION "train-images-idx3-ubyte.gz", FASHION "train-labels-idx1-ubyte.gz", &xtr, &ytr) &&
            load_fashion(FASHION "t10k-images-idx3-ubyte.gz", FASHION "t10k-labels-idx1-ubyte.gz", &xte, &yte);
  if (fashion) {
    int64_t in[3] = {1, 28, 28};
    nn_conv_layer_desc conv;
    printf("Fashion-MNIST: %lld training and %lld test images; a CNN, 1 epoch\n", (long long)xtr->shape[0],
           (long long)xte->shape[0]);
    memset(&conv, 0, sizeof conv);
    conv.activation = NN_ACT_RELU;
    model = nn_sequential(in, 3);
    nn_model_add(model, nn_conv2d_layer(32, 3, 3, &conv));
    nn_model_add(model, nn_max_pool2d_layer(2, 2, NULL));
    nn_model_add(model, nn_conv2d_layer(64, 3, 3, &conv));
    nn_model_add(model, nn_max_pool2d_layer(2, 2, NULL));
    nn_model_add(model, nn_flatten_layer());
    nn_model_add(model, nn_dense(128, NN_ACT_RELU));
    nn_model_add(model, nn_dense(10, NN_ACT_NONE));
  } else {
    /* the digits shipped with nn.h: 1797 images of 8x8 pixels valued 0..16, the label in the last column */
    nn_csv_desc csv;
    nn_tensor *x, *y, *perm;
    int64_t in[1] = {64}, ntr;
    nn_rng rng;
    printf("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist): an MLP on the 8x8 digits in data/\n");
    memset(&csv, 0, sizeof csv);
    csv.label_col = -1;
    if (nn_load_csv("data/digits.csv.gz", &csv, &x, &y) != NN_OK) {
      fprintf(stderr, "demo: %s (run from the repository root)\n", nn_error());
      return 1;
    }
    nn_rng_seed(&rng, 0);
    perm = nn_permutation(&rng, x->shape[0]); /* a fixed shuffle, then 75% / 25% */
    x = nn_div_scalar(nn_take(x, perm, 0), 16.0);
    y = nn_take(y, perm, 0);
    ntr = x->shape[0] * 3 / 4;
    xtr = nn_slice(x, 0, 0, ntr, 1);
    ytr = nn_slice(y, 0, 0, ntr, 1);
    xte = nn_slice(x, 0, ntr, x->shape[0], 1);
    yte = nn_slice(y, 0, ntr, y->shape[0], 1);
    model = nn_sequential(in, 1);
    nn_model_add(model, nn_dense(128, NN_ACT_RELU));
    nn_model_add(model, nn_dropout_layer(0.1));
    nn_model_add(model, nn_dense(10, NN_ACT_NONE));
  }
  nn_model_summary(model, stdout);

  memset(&comp, 0, sizeof comp); /* Adam(1e-3), sparse categorical cross-entropy on logits */
  comp.metrics = NN_METRIC_ACCURACY;
  if (nn_model_compile(model, &comp) != NN_OK) goto fail;
  memset(&fit, 0, sizeof fit);
  fit.epochs = fashion ? 1 : 20;
  fit.batch_size = fashion ? 64 : 32;
  fit.validation_split = 0.1;
  hist = nn_model_fit(model, xtr, ytr, &fit);
  if (!hist) goto fail;

  n = nn_model_evaluate(model, xte, yte, 256, names, values, 4);
  if (n < 2) goto fail;
  printf("test loss %.4f, test accuracy %.2f%%\n", values[0], 100.0 * values[1]);
  pred = nn_model_predict(model, xte, 256);
  cm = nn_confusion_matrix(yte, pred, 10);
  if (!pred || !cm) goto fail;
  nn_confusion_matrix_print(cm, fashion ? fashion_names : NULL, stdout);
  nn_confusion_matrix_svg(cm, fashion ? fashion_names : NULL, "Test set", "demo_confusion.svg");
  nn_history_plot_svg(hist, fashion ? "CNN on Fashion-MNIST" : "MLP on digits", "demo_history.svg");
  nn_history_write_csv(hist, "demo_history.csv");
  nn_history_free(hist);
  printf("wrote demo_history.svg, demo_history.csv and demo_confusion.svg\n");

  if (nn_model_save(model, "demo_model.safetensors") != NN_OK) goto fail;
  loaded = nn_model_load("demo_model.safetensors");
  if (!loaded) goto fail;
  pred2 = nn_model_predict(loaded, xte, 256);
  if (!pred2) goto fail;
  diff = nn_sum_all(nn_abs(nn_sub(pred, pred2)));
  printf("saved demo_model.safetensors and loaded it back: predictions %s (sum of differences %g)\n",
         diff == 0.0 ? "identical" : "DIFFER", diff);
  nn_model_free(loaded);
  nn_model_free(model);
  nn_scope_end();
  return diff == 0.0 ? 0 : 1;
fail:
  fprintf(stderr, "demo: %s\n", nn_error());
  return 1;
}
