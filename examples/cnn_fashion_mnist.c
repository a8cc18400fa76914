/* examples/cnn_fashion_mnist.c: a small convolutional network on Fashion-MNIST (apt-get install
   dataset-fashion-mnist): two conv + max-pool blocks and two dense layers, 2 epochs, test accuracy, and the
   model saved to cnn.safetensors.  Build: cc -O2 examples/cnn_fashion_mnist.c -o cnn -lm */
#define NN_IMPLEMENTATION
#include "../nn.h"

#define DIR "/usr/share/datasets/fashion-mnist/"

/* (N, 1, 28, 28) float32 pixels in [0, 1] and (N,) int64 labels */
static int load(const char *img, const char *lab, nn_tensor **x, nn_tensor **y) {
  nn_tensor *i = nn_load_idx(img), *l = nn_load_idx(lab);
  int64_t shape[4];
  if (!i || !l) return 0;
  shape[0] = i->shape[0];
  shape[1] = 1;
  shape[2] = shape[3] = 28;
  *x = nn_reshape(nn_div_scalar(nn_astype(i, NN_FLOAT32), 255.0), shape, 4);
  *y = nn_astype(l, NN_INT64);
  return 1;
}

int main(void) {
  nn_tensor *xtr, *ytr, *xte, *yte;
  int64_t in[3] = {1, 28, 28};
  nn_conv_layer_desc relu = {0};
  nn_model *m;
  nn_compile_desc c = {0};
  nn_fit_desc f = {0};
  nn_history *h;
  const char *names[2];
  double v[2];
  nn_scope_begin();
  if (!load(DIR "train-images-idx3-ubyte.gz", DIR "train-labels-idx1-ubyte.gz", &xtr, &ytr) ||
      !load(DIR "t10k-images-idx3-ubyte.gz", DIR "t10k-labels-idx1-ubyte.gz", &xte, &yte)) {
    fprintf(stderr, "%s\n(install the data: apt-get install dataset-fashion-mnist)\n", nn_error());
    return 1;
  }

  relu.activation = NN_ACT_RELU;
  m = nn_sequential(in, 3);
  nn_model_add(m, nn_conv2d_layer(32, 3, 3, &relu)); /* Conv2D(32, 3, activation="relu") */
  nn_model_add(m, nn_max_pool2d_layer(2, 2, NULL));
  nn_model_add(m, nn_conv2d_layer(64, 3, 3, &relu));
  nn_model_add(m, nn_max_pool2d_layer(2, 2, NULL));
  nn_model_add(m, nn_flatten_layer());
  nn_model_add(m, nn_dense(128, NN_ACT_RELU));
  nn_model_add(m, nn_dense(10, NN_ACT_NONE));
  nn_model_summary(m, stdout);
  c.metrics = NN_METRIC_ACCURACY;
  nn_model_compile(m, &c);
  f.epochs = 2;
  f.batch_size = 64;
  f.validation_split = 0.1;
  h = nn_model_fit(m, xtr, ytr, &f);
  if (!h || nn_model_evaluate(m, xte, yte, 512, names, v, 2) < 2 || nn_model_save(m, "cnn.safetensors") != NN_OK) {
    fprintf(stderr, "%s\n", nn_error());
    return 1;
  }
  printf("test accuracy: %.2f%%; saved cnn.safetensors\n", 100.0 * v[1]);

  nn_history_free(h);
  nn_model_free(m);
  nn_scope_end();
  return 0;
}
