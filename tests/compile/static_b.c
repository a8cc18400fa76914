#define NN_STATIC
#define NN_IMPLEMENTATION
#include "../../nn.h"
int nn_static_b(void);
int nn_static_b(void) {
  nn_tensor *t = nn_ones(NULL, 0, NN_INT64);
  int v = (int)nn_item(t);
  nn_free(t);
  return v;
}
