/* The implementation translation unit, included twice (before and after NN_IMPLEMENTATION) as stb's tests do. */
#include "../../nn.h"
#define NN_IMPLEMENTATION
#include "../../nn.h"
#include "../../nn.h"
int main(void) {
  nn_tensor *t = nn_zeros(NULL, 0, NN_FLOAT32);
  int ok = t != NULL;
  nn_free(t);
  return ok ? 0 : 1;
}
