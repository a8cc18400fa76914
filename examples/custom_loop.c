/* examples/custom_loop.c: a training loop written out by hand with autograd, as in PyTorch: shuffled mini-batches
   from a loader, forward, loss, nn_backward, optimizer step, each epoch inside a scope that frees its batches,
   tensors and graphs. Iris (shipped in data/), features standardized, a 4-16-3 network.
   Build and run from the repository root: cc -O2 examples/custom_loop.c -o custom_loop -lm && ./custom_loop */
#define NN_IMPLEMENTATION
#include "../nn.h"

int main(void) {
  nn_csv_desc csv = {0};
  nn_tensor *x, *y, *params[4], *mean, *std;
  nn_layer *l1 = nn_dense(16, NN_ACT_RELU), *l2 = nn_dense(3, NN_ACT_NONE);
  nn_adam_desc ad = {0};
  nn_optimizer *opt;
  nn_loader_desc ld = {0};
  nn_loader *loader;
  int64_t in[1] = {4};
  int epoch;

  nn_scope_begin(); /* the data and everything derived from it live until the nn_scope_end at the bottom */
  csv.header = 1;     /* scikit-learn's first line: "150,4,setosa,versicolor,virginica" */
  csv.label_col = -1; /* the class is the last column */
  if (nn_load_csv("data/iris.csv", &csv, &x, &y) != NN_OK) {
    fprintf(stderr, "%s (run from the repository root)\n", nn_error());
    return 1;
  }
  mean = nn_mean(x, 0, 1);
  std = nn_std(x, 0, 0, 1);
  x = nn_div(nn_sub(x, mean), std); /* standardized features */

  nn_layer_build(l1, in, 1);
  nn_layer_forward(l2, nn_layer_forward(l1, x)); /* builds l2 from l1's output */
  params[0] = nn_layer_param(l1, 0);
  params[1] = nn_layer_param(l1, 1);
  params[2] = nn_layer_param(l2, 0);
  params[3] = nn_layer_param(l2, 1);
  ad.lr = 0.01;
  opt = nn_optimizer_adam(params, 4, &ad);

  ld.batch_size = 16;
  ld.shuffle = 1; /* a fresh order each epoch */
  loader = nn_loader_new(x, y, &ld);

  for (epoch = 0; epoch < 60; epoch++) {
    nn_tensor *xb, *yb, *logits, *loss;
    double total = 0;
    int batches = 0;
    nn_scope_begin(); /* everything below, graphs included, is freed at nn_scope_end */
    while (nn_loader_next(loader, &xb, &yb) == 1) {
      logits = nn_layer_forward(l2, nn_layer_forward(l1, xb));
      loss = nn_cross_entropy(logits, yb, NN_REDUCTION_MEAN);
      nn_optimizer_zero_grad(opt);
      nn_backward(loss, NULL);
      nn_optimizer_step(opt);
      total += nn_item(loss);
      batches++;
    }
    if (epoch % 10 == 0 || epoch == 59) {
      nn_no_grad_begin();
      logits = nn_layer_forward(l2, nn_layer_forward(l1, x));
      nn_no_grad_end();
      printf("epoch %2d  loss %.4f  accuracy %.3f\n", epoch, total / batches, nn_accuracy(logits, y));
    }
    nn_scope_end();
  }
  nn_loader_free(loader);
  nn_optimizer_free(opt);
  nn_layer_free(l1);
  nn_layer_free(l2);
  nn_scope_end();
  printf("tensors still alive: %ld\n", nn_live_tensors());
  return 0;
}
