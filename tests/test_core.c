/* tests/test_core.c: creation, views, element access, scopes. */

static void test_create_basic(void) {
  int64_t shape[2] = {2, 3};
  nn_tensor *z = nn_zeros(shape, 2, NN_FLOAT32), *o = nn_ones(shape, 2, NN_INT32), *f = nn_full(shape, 2, 2.5, NN_FLOAT64);
  CHECK(z && o && f);
  CHECK(z->size == 6 && z->ndim == 2 && z->strides[0] == 3 && z->strides[1] == 1);
  CHECK(nn_get_flat(z, 5) == 0 && nn_get_flat(o, 3) == 1 && nn_get_flat(f, 0) == 2.5);
}

void tests_core(void) {
  RUN(test_create_basic);
}
