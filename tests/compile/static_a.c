/* NN_STATIC: two translation units each with a private copy of the library link together. */
#define NN_STATIC
#define NN_IMPLEMENTATION
#include "../../nn.h"
int nn_static_b(void);
int main(void) {
  nn_tensor *t = nn_ones(NULL, 0, NN_INT32);
  int v = (int)nn_item(t);
  nn_free(t);
  return v + nn_static_b() == 2 ? 0 : 1;
}
