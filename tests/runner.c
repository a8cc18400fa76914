/* tests/runner.c: the one test executable. Every tests/test_*.c is compiled into this translation unit, which
   also holds the library implementation. Usage: runner [substring-filter]. Ends with "N passed, N failed". */
#define NN_IMPLEMENTATION
#include "../nn.h"
#include "test.h"

#include "test_core.c"
#include "test_elementwise.c"
#include "test_reduce.c"
#include "test_shape.c"
#include "test_index.c"
#include "test_sort.c"
#include "test_matmul.c"
#include "test_conv.c"
#include "test_print.c"
#include "test_simd.c"
#include "test_memory.c"
#include "test_errors.c"
#include "test_autograd.c"
#include "test_grad_shape.c"
#include "test_grad_math.c"
#include "test_layers.c"
#include "test_losses.c"
#include "test_optim.c"
#include "test_io.c"
#include "test_metrics.c"
#include "test_model.c"
#include "test_train.c"

int main(int argc, char **argv) {
  if (argc > 1) nt_filter = argv[1];
  tests_core();
  tests_elementwise();
  tests_reduce();
  tests_shape();
  tests_index();
  tests_sort();
  tests_matmul();
  tests_conv();
  tests_print();
  tests_simd();
  tests_memory();
  tests_errors();
  tests_autograd();
  tests_grad_shape();
  tests_grad_math();
  tests_layers();
  tests_losses();
  tests_optim();
  tests_io();
  tests_metrics();
  tests_model();
  tests_train();
  printf("%d checks\n", nt_checks);
  printf("%d passed, %d failed\n", nt_passed, nt_failed);
  return nt_failed ? 1 : 0;
}
