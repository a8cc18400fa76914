/* examples/first.c: the "first program" of README.md. Build: cc -O2 examples/first.c -lm */
#define NN_IMPLEMENTATION /* in exactly one .c file; other files just #include "nn.h" */
#include "../nn.h"

int main(void) {
  int64_t shape[2] = {2, 3};
  nn_tensor *x, *r, *y, *s, *p;
  nn_scope_begin(); /* tensors made from here on are freed by nn_scope_end */
  x = nn_reshape(nn_arange(0, 6, 1, NN_FLOAT32), shape, 2);  /* a view, no copy */
  r = nn_arange(10, 40, 10, NN_FLOAT32);                     /* shape (3,) */
  y = nn_exp(nn_sub(nn_add(x, r), nn_max(x, NN_ALL_AXES, 0))); /* broadcasting, like NumPy */
  s = nn_sum(y, 1, 1);                                       /* axis 1, keepdims */
  p = nn_div(y, s);                                          /* row-wise softmax */
  if (!p) {
    fprintf(stderr, "error: %s\n", nn_error());
    return 1;
  }
  nn_print(p);
  printf("row 0 sums to %g\n", nn_item(nn_sum(nn_select(p, 0, 0), NN_ALL_AXES, 0)));
  nn_scope_end(); /* frees x, r, y, s, p and every temporary */
  return 0;
}
