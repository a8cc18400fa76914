/* examples/mlp_fashion_mnist.c: the Keras MLP tutorial in C. A 784-256-128-10 network on Fashion-MNIST
   (apt-get install dataset-fashion-mnist), 5 epochs of Adam, then the test accuracy.
   Build: cc -O2 examples/mlp_fashion_mnist.c -o mlp -lm */
#define NN_IMPLEMENTATION
#include "../nn.h"

#define DIR "/usr/share/datasets/fashion-mnist/"

/* (N, 784) float32 pixels in [0, 1] and (N,) int64 labels */
static int load(const char *img, const char *lab, nn_tensor **x, nn_tensor **y) {
  nn_tensor *i = nn_load_idx(img), *l = nn_load_idx(lab);
  int64_t shape[2];
  if (!i || !l) return 0;
  shape[0] = i->shape[0];
  shape[1] = 784;
  *x = nn_reshape(nn_div_scalar(nn_astype(i, NN_FLOAT32), 255.0), shape, 2);
  *y = nn_astype(l, NN_INT64);
  return 1;
}

int main(void) {
  nn_tensor *xtr, *ytr, *xte, *yte;
  int64_t in[1] = {784};
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

  m = nn_sequential(in, 1);                       /* model = keras.Sequential([...]) */
  nn_model_add(m, nn_dense(256, NN_ACT_RELU));
  nn_model_add(m, nn_dense(128, NN_ACT_RELU));
  nn_model_add(m, nn_dense(10, NN_ACT_NONE));     /* logits */
  c.metrics = NN_METRIC_ACCURACY;                 /* model.compile("adam", sparse CE from logits, ["accuracy"]) */
  nn_model_compile(m, &c);
  f.epochs = 5;                                   /* model.fit(x, y, epochs=5, batch_size=64) */
  f.batch_size = 64;
  h = nn_model_fit(m, xtr, ytr, &f);
  if (!h || nn_model_evaluate(m, xte, yte, 512, names, v, 2) < 2) {
    fprintf(stderr, "%s\n", nn_error());
    return 1;
  }
  printf("test accuracy: %.2f%%\n", 100.0 * v[1]);

  nn_history_free(h);
  nn_model_free(m);
  nn_scope_end();
  return 0;
}
