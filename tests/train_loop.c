/* tests/train_loop.c: a long training loop that must not grow. A small MLP trained with autograd and Adam for
   N steps (default 10000), each step in a scope; checks that the count of live tensors is constant and that the
   resident set after the first 10% of the steps does not grow by more than 1 MiB. Also run under valgrind by
   `make test` (fewer steps, "norss": valgrind's own memory grows) to show no leak and no invalid access.
   Usage: train_loop [steps [norss]] */
#define NN_IMPLEMENTATION
#include "../nn.h"

static long rss_kib(void) {
  long pages = 0, rss = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f) return -1;
  if (fscanf(f, "%ld %ld", &pages, &rss) != 2) rss = -1;
  fclose(f);
  return rss < 0 ? -1 : rss * 4;
}

int main(int argc, char **argv) {
  long steps = argc > 1 ? atol(argv[1]) : 10000, s, live0 = 0, rss0 = 0, rss1;
  int64_t xs[2] = {32, 10}, in[1] = {10};
  nn_rng r;
  nn_tensor *x, *y, *params[4];
  nn_layer *l1 = nn_dense(16, NN_ACT_TANH), *l2 = nn_dense(3, NN_ACT_NONE);
  nn_adam_desc ad;
  nn_optimizer *opt;
  int bad = 0;
  nn_rng_seed(&r, 7);
  x = nn_randn(&r, xs, 2, NN_FLOAT32);
  y = nn_randint(&r, 0, 3, xs, 1, NN_INT64);
  nn_layer_build(l1, in, 1);
  in[0] = 16;
  nn_layer_build(l2, in, 1);
  params[0] = nn_layer_param(l1, 0);
  params[1] = nn_layer_param(l1, 1);
  params[2] = nn_layer_param(l2, 0);
  params[3] = nn_layer_param(l2, 1);
  memset(&ad, 0, sizeof ad);
  opt = nn_optimizer_adam(params, 4, &ad);
  for (s = 0; s < steps; s++) {
    nn_tensor *loss;
    nn_scope_begin();
    nn_optimizer_zero_grad(opt);
    loss = nn_cross_entropy(nn_layer_forward(l2, nn_layer_forward(l1, x)), y, NN_REDUCTION_MEAN);
    if (!loss || nn_backward(loss, NULL) != NN_OK || nn_optimizer_step(opt) != NN_OK) {
      fprintf(stderr, "train_loop: step %ld: %s\n", s, nn_error());
      return 1;
    }
    nn_scope_end();
    if (s == steps / 10) {
      live0 = nn_live_tensors();
      rss0 = rss_kib();
    } else if (s > steps / 10 && nn_live_tensors() != live0) {
      fprintf(stderr, "train_loop: step %ld: %ld live tensors, %ld at step %ld\n", s, nn_live_tensors(), live0,
              steps / 10);
      bad = 1;
      break;
    }
  }
  rss1 = rss_kib();
  printf("train_loop: %ld steps, %ld live tensors, resident set %ld KiB -> %ld KiB\n", steps, nn_live_tensors(), rss0,
         rss1);
  if (argc <= 2 && rss0 > 0 && rss1 - rss0 > 1024) {
    fprintf(stderr, "train_loop: the resident set grew by %ld KiB\n", rss1 - rss0);
    bad = 1;
  }
  nn_optimizer_free(opt);
  nn_layer_free(l1);
  nn_layer_free(l2);
  nn_free(x);
  nn_free(y);
  nn_cache_release();
  if (nn_live_tensors() != 0) {
    fprintf(stderr, "train_loop: %ld tensors alive at the end\n", nn_live_tensors());
    bad = 1;
  }
  return bad;
}
