/* bench/w345.c: workloads W3 (MLP), W4 (CNN) and W5 (LSTM) of WORKLOADS.md for nn.h, with the same protocol as
   bench/w345_anchors.py runs for PyTorch. Build: cc -O2 bench/w345.c -o build/w345 -lm
   Usage: build/w345 w3|w4|w5 THREADS [epochs]
   Prints w3.mlp.nn.t<k>.epoch_time <s> s, .test_accuracy <fraction>, .inference_time <s>, .peak_rss <bytes>;
   w4.cnn.nn.t<k>.*; w5.lstm.nn.t<k>.step_time <ms>, .forward_time <ms>. */
#define NN_IMPLEMENTATION
#include "../nn.h"
#include <sys/resource.h>

#define DATA "/usr/share/datasets/fashion-mnist/"

/* The images are scaled in place, and the uint8 copy is freed by the scope: only the scaled images and the labels
   stay, as on the PyTorch side. */
static int load(const char *img, const char *lab, int conv, nn_tensor **x, nn_tensor **y) {
  nn_tensor *i, *l, *f;
  int64_t shape[4];
  nn_scope_begin();
  i = nn_load_idx(img);
  l = nn_load_idx(lab);
  if (!i || !l) {
    nn_scope_end();
    return 0;
  }
  shape[0] = i->shape[0];
  shape[1] = conv ? 1 : 784;
  shape[2] = shape[3] = 28;
  f = nn_astype(i, NN_FLOAT32);
  if (!f || nn_binary_out(NN_OP_DIV, f, f, nn_scalar(255.0, NN_FLOAT32)) != NN_OK) { /* in place: no third copy */
    nn_scope_end();
    return 0;
  }
  *x = nn_keep(nn_reshape(f, shape, conv ? 4 : 2));
  *y = nn_keep(nn_astype(l, NN_INT64));
  nn_scope_end();
  return 1;
}

static long peak_rss(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss * 1024L;
}

static nn_model *make_model(int conv) {
  nn_model *m;
  if (conv) {
    int64_t in[3] = {1, 28, 28};
    nn_conv_layer_desc d;
    memset(&d, 0, sizeof d);
    d.activation = NN_ACT_RELU;
    m = nn_sequential(in, 3);
    nn_model_add(m, nn_conv2d_layer(32, 3, 3, &d));
    nn_model_add(m, nn_max_pool2d_layer(2, 2, NULL));
    nn_model_add(m, nn_conv2d_layer(64, 3, 3, &d));
    nn_model_add(m, nn_max_pool2d_layer(2, 2, NULL));
    nn_model_add(m, nn_flatten_layer());
    nn_model_add(m, nn_dense(128, NN_ACT_RELU));
  } else {
    int64_t in[1] = {784};
    m = nn_sequential(in, 1);
    nn_model_add(m, nn_dense(256, NN_ACT_RELU));
    nn_model_add(m, nn_dense(128, NN_ACT_RELU));
  }
  nn_model_add(m, nn_dense(10, NN_ACT_NONE));
  return m;
}

static int cmpd(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int classifier(int conv, int threads, int epochs) {
  const char *w = conv ? "w4" : "w3", *c = conv ? "cnn" : "mlp";
  nn_tensor *xtr, *ytr, *xte, *yte, *p;
  nn_model *m, *warm;
  nn_compile_desc comp;
  nn_fit_desc fit;
  double times[16], t0, tinf;
  int e;
  if (!load(DATA "train-images-idx3-ubyte.gz", DATA "train-labels-idx1-ubyte.gz", conv, &xtr, &ytr) ||
      !load(DATA "t10k-images-idx3-ubyte.gz", DATA "t10k-labels-idx1-ubyte.gz", conv, &xte, &yte)) {
    printf("# Fashion-MNIST not found in %s (apt-get install dataset-fashion-mnist): %s skipped\n", DATA, w);
    return 0;
  }
  memset(&comp, 0, sizeof comp); /* Adam 1e-3, cross-entropy on logits, as the PyTorch side */
  memset(&fit, 0, sizeof fit);
  fit.batch_size = 64;
  fit.verbose = -1;
  /* 20 warm-up steps on another model, so the timed epochs start from fresh weights */
  warm = make_model(conv);
  nn_model_compile(warm, &comp);
  nn_scope_begin();
  nn_history_free(nn_model_fit(warm, nn_slice(xtr, 0, 0, 20 * 64, 1), nn_slice(ytr, 0, 0, 20 * 64, 1), &fit));
  nn_scope_end();
  nn_model_free(warm);
  m = make_model(conv);
  nn_model_compile(m, &comp);
  for (e = 0; e < epochs && e < 16; e++) {
    nn_history *h;
    fit.seed = (uint64_t)e + 1; /* a fresh permutation each epoch */
    t0 = nn__now();
    h = nn_model_fit(m, xtr, ytr, &fit);
    times[e] = nn__now() - t0;
    if (!h) {
      fprintf(stderr, "w345: %s\n", nn_error());
      return 1;
    }
    nn_history_free(h);
  }
  qsort(times, (size_t)e, sizeof(double), cmpd);
  nn_model_predict(m, nn_slice(xte, 0, 0, 1000, 1), 10000); /* warm-up */
  t0 = nn__now();
  p = nn_model_predict(m, xte, 10000);
  tinf = nn__now() - t0;
  printf("%s.%s.nn.t%d.epoch_time %.3f s\n", w, c, threads, times[e / 2]);
  printf("%s.%s.nn.t%d.test_accuracy %.4f fraction\n", w, c, threads, nn_accuracy(p, yte));
  printf("%s.%s.nn.t%d.inference_time %.4f s\n", w, c, threads, tinf);
  printf("%s.%s.nn.t%d.peak_rss %ld bytes\n", w, c, threads, peak_rss());
  nn_model_free(m);
  return 0;
}

static int lstm(int threads) {
  int64_t xs[3] = {64, 32, 32}, ts[3] = {64, 32, 128};
  nn_rng r;
  nn_tensor *x, *t, *params[4];
  nn_rnn_desc d;
  nn_layer *l;
  nn_adam_desc ad;
  nn_optimizer *opt;
  double times[7], ftimes[7], t0;
  int k, i;
  nn_rng_seed(&r, 0);
  x = nn_keep(nn_randn(&r, xs, 3, NN_FLOAT32));
  t = nn_keep(nn_randn(&r, ts, 3, NN_FLOAT32));
  memset(&d, 0, sizeof d);
  d.return_sequences = 1;
  l = nn_lstm(128, &d);
  nn_scope_begin();
  nn_layer_forward(l, x); /* builds the layer */
  nn_scope_end();
  for (i = 0; i < 4; i++) params[i] = nn_layer_param(l, i);
  memset(&ad, 0, sizeof ad);
  opt = nn_optimizer_adam(params, 4, &ad);
  for (k = -1; k < 7; k++) {
    int steps = k < 0 ? 10 : 20;
    t0 = nn__now();
    for (i = 0; i < steps; i++) {
      nn_tensor *loss;
      nn_scope_begin();
      nn_optimizer_zero_grad(opt);
      loss = nn_mse_loss(nn_layer_forward(l, x), t, NN_REDUCTION_MEAN);
      if (!loss || nn_backward(loss, NULL) != NN_OK || nn_optimizer_step(opt) != NN_OK) {
        fprintf(stderr, "w345: %s\n", nn_error());
        return 1;
      }
      nn_scope_end();
    }
    if (k >= 0) times[k] = (nn__now() - t0) / steps;
  }
  nn_no_grad_begin();
  for (k = 0; k < 7; k++) {
    t0 = nn__now();
    for (i = 0; i < 20; i++) {
      nn_scope_begin();
      nn_layer_forward(l, x);
      nn_scope_end();
    }
    ftimes[k] = (nn__now() - t0) / 20;
  }
  nn_no_grad_end();
  qsort(times, 7, sizeof(double), cmpd);
  qsort(ftimes, 7, sizeof(double), cmpd);
  printf("w5.lstm.nn.t%d.step_time %.3f ms\n", threads, 1e3 * times[3]);
  printf("w5.lstm.nn.t%d.forward_time %.3f ms\n", threads, 1e3 * ftimes[3]);
  nn_optimizer_free(opt);
  nn_layer_free(l);
  return 0;
}

int main(int argc, char **argv) {
  int threads;
  if (argc < 3) {
    fprintf(stderr, "usage: w345 w3|w4|w5 THREADS [epochs]\n");
    return 2;
  }
  threads = atoi(argv[2]);
  nn_set_num_threads(threads);
  if (strcmp(argv[1], "w3") == 0) return classifier(0, threads, argc > 3 ? atoi(argv[3]) : 5);
  if (strcmp(argv[1], "w4") == 0) return classifier(1, threads, argc > 3 ? atoi(argv[3]) : 2);
  if (strcmp(argv[1], "w5") == 0) return lstm(threads);
  fprintf(stderr, "w345: unknown workload %s\n", argv[1]);
  return 2;
}
