/* tests/test_autograd.c: the autograd engine (accumulation, no_grad, detach, retain_graph, memory) and the
   gradients of the elementwise ops, each checked against central finite differences in float64. */

/* A float64 leaf requiring grad with values lo + (hi - lo) * u, u from a fixed sequence. */
static nn_tensor *ag_leaf(const int64_t *shape, int ndim, double lo, double hi, unsigned seed) {
  nn_tensor *t = nn_empty(shape, ndim, NN_FLOAT64);
  int64_t i;
  unsigned s = seed * 2654435761u + 12345u;
  for (i = 0; i < t->size; i++) {
    s = s * 1103515245u + 12345u;
    nn_set_flat(t, i, lo + (hi - lo) * ((s >> 8) & 0xFFFF) / 65536.0);
  }
  nn_requires_grad(t, 1);
  return t;
}

typedef struct ag_un_case {
  nn_unop op;
  double lo, hi;
} ag_un_case;

static nn_tensor *ag_f_unary(nn_tensor *const *in, int n, void *ctx) {
  (void)n;
  return nn_unary(*(const nn_unop *)ctx, in[0]);
}

static void test_autograd_unary_gradcheck(void) {
  static const ag_un_case cases[] = {
      {NN_OP_NEG, -2, 2},   {NN_OP_ABS, 0.1, 2},    {NN_OP_SQUARE, -2, 2},     {NN_OP_RELU, 0.1, 2},
      {NN_OP_EXP, -2, 2},   {NN_OP_EXP2, -2, 2},    {NN_OP_EXPM1, -2, 2},      {NN_OP_LOG, 0.2, 3},
      {NN_OP_LOG2, 0.2, 3}, {NN_OP_LOG10, 0.2, 3},  {NN_OP_LOG1P, -0.5, 3},    {NN_OP_SQRT, 0.2, 3},
      {NN_OP_RSQRT, 0.2, 3}, {NN_OP_RECIPROCAL, 0.3, 3}, {NN_OP_SIN, -3, 3},   {NN_OP_COS, -3, 3},
      {NN_OP_TAN, -1, 1},   {NN_OP_ASIN, -0.8, 0.8}, {NN_OP_ACOS, -0.8, 0.8},  {NN_OP_ATAN, -3, 3},
      {NN_OP_SINH, -2, 2},  {NN_OP_COSH, -2, 2},    {NN_OP_TANH, -2, 2},       {NN_OP_SIGMOID, -4, 4},
      {NN_OP_ERF, -2, 2},   {NN_OP_GELU, -3, 3},    {NN_OP_GELU_TANH, -3, 3},  {NN_OP_SILU, -4, 4},
      {NN_OP_SOFTPLUS, -4, 4}, {NN_OP_LOG_SIGMOID, -4, 4}};
  int64_t shape[2] = {3, 4};
  size_t c;
  for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    nn_tensor *x = ag_leaf(shape, 2, cases[c].lo, cases[c].hi, (unsigned)c);
    nn_status st = nn_gradcheck(ag_f_unary, (void *)&cases[c].op, &x, 1, 1e-6, 1e-7, 1e-5);
    if (st != NN_OK) NT_FAIL("%s: %s", nn_unop_name(cases[c].op), nn_error());
    CHECK(st == NN_OK);
    nn_free(x);
  }
  /* piecewise-constant ops have zero gradient; comparisons and isnan record nothing */
  {
    nn_tensor *x = ag_leaf(shape, 2, -2, 2, 99), *y = nn_floor(x), *s = nn_sum(y, NN_ALL_AXES, 0), *b = nn_isnan(x);
    CHECK(s && s->requires_grad);
    CHECK(!b->requires_grad);
    CHECK(nn_backward(s, NULL) == NN_OK);
    CHECK(nn_grad(x) && nn_sum_all(nn_abs(nn_grad(x))) == 0.0);
    nn_free(x);
  }
}

typedef struct ag_bin_case {
  nn_binop op;
  double lo, hi;
} ag_bin_case;

static nn_tensor *ag_f_binary(nn_tensor *const *in, int n, void *ctx) {
  (void)n;
  return nn_binary(*(const nn_binop *)ctx, in[0], in[1]);
}

static void test_autograd_binary_gradcheck(void) {
  static const ag_bin_case cases[] = {{NN_OP_ADD, -2, 2},     {NN_OP_SUB, -2, 2},     {NN_OP_MUL, -2, 2},
                                      {NN_OP_DIV, 0.5, 2},     {NN_OP_POW, 0.5, 2},    {NN_OP_MAXIMUM, -2, 2},
                                      {NN_OP_MINIMUM, -2, 2}, {NN_OP_ATAN2, 0.3, 2},  {NN_OP_MOD, 0.3, 2.9}};
  /* same shapes, then broadcasting both ways: (3,4) with (4,), (3,1) with (1,4) */
  static const int64_t sa[3][2] = {{3, 4}, {3, 4}, {3, 1}}, sb[3][2] = {{3, 4}, {4, 0}, {1, 4}};
  static const int nda[3] = {2, 2, 2}, ndb[3] = {2, 1, 2};
  size_t c;
  int k;
  for (c = 0; c < sizeof cases / sizeof cases[0]; c++)
    for (k = 0; k < 3; k++) {
      nn_tensor *in[2];
      nn_status st;
      in[0] = ag_leaf(sa[k], nda[k], cases[c].lo, cases[c].hi, (unsigned)(10 * c + k));
      in[1] = ag_leaf(sb[k], ndb[k], cases[c].lo, cases[c].hi, (unsigned)(10 * c + k + 5));
      st = nn_gradcheck(ag_f_binary, (void *)&cases[c].op, in, 2, 1e-6, 1e-7, 1e-5);
      if (st != NN_OK) NT_FAIL("%s case %d: %s", nn_binop_name(cases[c].op), k, nn_error());
      CHECK(st == NN_OK);
      nn_free(in[0]);
      nn_free(in[1]);
    }
}

static nn_tensor *ag_f_mixed(nn_tensor *const *in, int n, void *ctx) {
  /* where, clip, scalars, add_scaled and astype in one expression */
  nn_tensor *c = nn_greater(in[0], in[1]);
  nn_tensor *w = nn_where(c, nn_mul_scalar(in[0], 3.0), nn_pow_scalar(in[1], 2.0));
  nn_tensor *k = nn_clip(nn_add_scaled(w, in[1], -0.5), -1.0, 2.5);
  (void)n;
  (void)ctx;
  return nn_astype(nn_astype(nn_div_scalar(nn_sub_scalar(k, 1.0), 4.0), NN_FLOAT32), NN_FLOAT64);
}

static void test_autograd_mixed_gradcheck(void) {
  int64_t shape[2] = {4, 5};
  nn_tensor *in[2];
  nn_status st;
  in[0] = ag_leaf(shape, 2, -1.3, 1.4, 7);
  in[1] = ag_leaf(shape + 1, 1, -1.2, 1.5, 8);
  /* the float32 round trip limits the precision: looser tolerances */
  st = nn_gradcheck(ag_f_mixed, NULL, in, 2, 1e-3, 1e-4, 1e-3);
  if (st != NN_OK) NT_FAIL("%s", nn_error());
  CHECK(st == NN_OK);
  nn_free(in[0]);
  nn_free(in[1]);
}

static void test_autograd_engine(void) {
  int64_t shape[1] = {3};
  double xv[3] = {1, 2, 3};
  nn_tensor *x = nn_from_data(xv, shape, 1, NN_FLOAT64), *y, *s, *d;
  nn_keep(x);
  CHECK(nn_requires_grad(x, 1) == NN_OK);
  CHECK(nn_is_leaf(x));
  /* s = sum(x * x + x): ds/dx = 2x + 1; accumulates over two backward calls */
  y = nn_add(nn_mul(x, x), x);
  s = nn_sum(y, NN_ALL_AXES, 0);
  CHECK(!nn_is_leaf(y) && y->requires_grad);
  CHECK(nn_backward_ex(s, NULL, 1) == NN_OK);
  CHECK_NEAR(nn_get_flat(nn_grad(x), 2), 7.0, 0);
  CHECK(nn_backward(s, NULL) == NN_OK);
  CHECK_NEAR(nn_get_flat(nn_grad(x), 0), 6.0, 0);
  /* a third backward: the graph was freed by the second */
  CHECK_ERR(nn_backward(s, NULL) != NN_OK, NN_ERR_ARG);
  CHECK(strstr(nn_error(), "second time") != NULL);
  nn_zero_grad(x);
  CHECK(nn_grad(x) == NULL);
  /* backward on a non-scalar needs a gradient of the same shape */
  y = nn_mul_scalar(x, 2.0);
  CHECK_ERR(nn_backward(y, NULL) != NN_OK, NN_ERR_SHAPE);
  CHECK_ERR(nn_backward(y, nn_ones(shape, 0, NN_FLOAT64)) != NN_OK, NN_ERR_SHAPE);
  CHECK(nn_backward(y, nn_full(shape, 1, 0.5, NN_FLOAT64)) == NN_OK);
  CHECK_NEAR(nn_get_flat(nn_grad(x), 1), 1.0, 0);
  nn_zero_grad(x);
  /* no_grad and detach record nothing */
  nn_no_grad_begin();
  y = nn_mul(x, x);
  nn_no_grad_end();
  CHECK(!y->requires_grad);
  CHECK_ERR(nn_backward(nn_sum(y, NN_ALL_AXES, 0), NULL) != NN_OK, NN_ERR_ARG);
  CHECK(nn_set_grad_enabled(0) == 1);
  CHECK(!nn_mul(x, x)->requires_grad);
  CHECK(nn_set_grad_enabled(1) == 0);
  d = nn_detach(x);
  CHECK(!d->requires_grad && nn_is_leaf(d) && d->data == x->data);
  CHECK(nn_mul(d, x)->requires_grad);
  /* non-leaves cannot be marked, ints cannot require grad */
  CHECK_ERR(nn_requires_grad(nn_mul(x, x), 1) != NN_OK, NN_ERR_ARG);
  CHECK_ERR(nn_requires_grad(nn_arange(0, 3, 1, NN_INT32), 1) != NN_OK, NN_ERR_DTYPE);
  CHECK_ERR(nn_backward(NULL, NULL) != NN_OK, NN_ERR_NULL);
  /* the graph outlives freed intermediates: free y, backward through s still works */
  y = nn_exp(x);
  s = nn_sum(y, NN_ALL_AXES, 0);
  nn_free(y);
  CHECK(nn_backward(s, NULL) == NN_OK);
  CHECK_NEAR(nn_get_flat(nn_grad(x), 0), exp(1.0), 1e-15);
  /* freeing the leaf before backward: the gradient goes nowhere, nothing crashes */
  {
    nn_tensor *z = nn_from_data(xv, shape, 1, NN_FLOAT64), *t;
    nn_keep(z);
    nn_requires_grad(z, 1);
    t = nn_sum(nn_mul(z, z), NN_ALL_AXES, 0);
    nn_free(z);
    CHECK(nn_backward(t, NULL) == NN_OK);
  }
  /* float32 leaves get float32 gradients, also from float64 math */
  {
    nn_tensor *f = nn_ones(shape, 1, NN_FLOAT32), *t;
    nn_keep(f);
    nn_requires_grad(f, 1);
    t = nn_sum(nn_mul(nn_astype(f, NN_FLOAT64), nn_full(shape, 1, 2.5, NN_FLOAT64)), NN_ALL_AXES, 0);
    CHECK(nn_backward(t, NULL) == NN_OK);
    CHECK(nn_grad(f) && nn_grad(f)->dtype == NN_FLOAT32);
    CHECK_NEAR(nn_get_flat(nn_grad(f), 2), 2.5, 0);
    nn_free(f);
  }
  nn_free(x);
}

/* custom op: y = x^3 with a hand-written backward 3 x^2 g */
static nn_status ag_cube_backward(const nn_tensor *g, nn_tensor *const *saved, int nsaved, void *ctx,
                                  nn_tensor **grads, int n) {
  (void)nsaved;
  (void)ctx;
  (void)n;
  grads[0] = nn_mul(g, nn_mul_scalar(nn_square(saved[0]), 3.0));
  return grads[0] ? NN_OK : nn_last_status();
}

static nn_tensor *ag_f_cube(nn_tensor *const *in, int n, void *ctx) {
  nn_tensor *y;
  (void)n;
  (void)ctx;
  nn_no_grad_begin();
  y = nn_mul(nn_square(in[0]), in[0]);
  nn_no_grad_end();
  return nn_custom_op("cube", y, in, 1, in, 1, ag_cube_backward, NULL);
}

static void test_autograd_custom_op(void) {
  int64_t shape[1] = {5};
  nn_tensor *x = ag_leaf(shape, 1, -2, 2, 3);
  CHECK(nn_gradcheck(ag_f_cube, NULL, &x, 1, 1e-6, 1e-7, 1e-6) == NN_OK);
  nn_free(x);
}

/* 10^4 steps of a small training loop inside a scope: no tensor piles up. */
static void test_autograd_memory(void) {
  int64_t shape[2] = {8, 4};
  nn_tensor *w = ag_leaf(shape, 2, -1, 1, 5), *x = ag_leaf(shape, 2, -1, 1, 6);
  long live0;
  int it;
  nn_requires_grad(x, 0);
  live0 = nn_live_tensors();
  for (it = 0; it < 10000; it++) {
    nn_tensor *loss;
    nn_scope_begin();
    loss = nn_sum(nn_square(nn_tanh(nn_mul(w, x))), NN_ALL_AXES, 0);
    nn_backward(loss, NULL);
    nn_no_grad_begin();
    nn_add_scaled_out(w, w, nn_grad(w), -1e-3);
    nn_no_grad_end();
    nn_zero_grad(w);
    nn_scope_end();
  }
  CHECK(nn_live_tensors() == live0);
  nn_free(w);
  nn_free(x);
}

static void tests_autograd(void) {
  RUN(test_autograd_engine);
  RUN(test_autograd_unary_gradcheck);
  RUN(test_autograd_binary_gradcheck);
  RUN(test_autograd_mixed_gradcheck);
  RUN(test_autograd_custom_op);
  RUN(test_autograd_memory);
}
