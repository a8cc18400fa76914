/* examples/tour.c: a tour of nn.h's ndarray API.  Build: cc -O2 examples/tour.c -lm */
#define NN_IMPLEMENTATION
#include "../nn.h"

/* Prints a title and a tensor. */
static void show(const char *title, const nn_tensor *t) {
  printf("%s\n", title);
  if (!t) printf("  error: %s\n", nn_error());
  else nn_print(t);
  printf("\n");
}

int main(void) {
  int64_t s23[2] = {2, 3}, s34[2] = {3, 4};
  nn_rng rng;
  nn_tensor *a, *b, *m, *w, *parts[2];

  nn_scope_begin(); /* every tensor below is freed by the matching nn_scope_end */

  /* Creation and views: reshape/transpose/slice share memory with their source. */
  a = nn_reshape(nn_arange(0, 6, 1, NN_FLOAT32), s23, 2);
  show("a = arange(6).reshape(2, 3)", a);
  show("a.T", nn_transpose(a));
  show("a[:, ::-1]", nn_slice(a, 1, NN_NONE, NN_NONE, -1));

  /* Broadcasting and dtype promotion follow NumPy: (2,3) + (3,) int32 -> (2,3) float64. */
  b = nn_arange(10, 40, 10, NN_INT32);
  show("a + [10, 20, 30] (float32 + int32 -> float64)", nn_add(a, b));
  show("exp(a) * 2 (a Python-like scalar keeps float32)", nn_mul_scalar(nn_exp(a), 2));
  show("where(a > 2, a, -1)", nn_where(nn_greater(a, nn_scalar(2, NN_FLOAT32)), a, nn_scalar(-1, NN_FLOAT32)));

  /* Reductions along any axis, with keepdims and ddof. */
  show("a.sum(axis=0)", nn_sum(a, 0, 0));
  show("a.mean(axis=1, keepdims=True)", nn_mean(a, 1, 1));
  show("a.std(ddof=1)", nn_std(a, NN_ALL_AXES, 1, 0));
  show("a.argmax(axis=1)", nn_argmax(a, 1, 0));
  show("softmax(a, axis=-1)", nn_softmax(a, -1));

  /* Linear algebra, joining, sorting, random numbers. */
  nn_rng_seed(&rng, 42);
  w = nn_randn(&rng, s34, 2, NN_FLOAT32);
  show("a @ w, w ~ N(0,1) of shape (3,4)", nn_matmul(a, w));
  parts[0] = a;
  parts[1] = nn_neg(a);
  show("concatenate([a, -a], axis=0)", nn_concatenate(parts, 2, 0));
  show("sort(w, axis=1)", nn_sort(w, 1, 0));
  m = nn_arange(0, 2000, 1, NN_INT64);
  show("a long array is elided like NumPy's", m);

  /* Errors never abort: the call returns NULL and nn_error() says why. */
  show("a + arange(4) (shapes do not broadcast)", nn_add(a, nn_arange(0, 4, 1, NN_FLOAT32)));

  nn_scope_end();
  printf("live tensors after the scope: %ld\n", nn_live_tensors());
  return 0;
}
