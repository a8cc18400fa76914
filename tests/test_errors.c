/* tests/test_errors.c: every public function that takes tensors, called with NULL and with other bad arguments,
   must fail with an error and a message: never crash. (Per-part files test the exact messages.) */

#define ERR_T(expr)                                                              \
  do {                                                                           \
    nn_clear_error();                                                            \
    nt_checks++;                                                                 \
    if ((expr) != NULL) NT_FAIL("no error from %s", #expr);                      \
    else if (!nn_error()[0] || nn_last_status() == NN_OK) NT_FAIL("no message from %s", #expr); \
  } while (0)
#define ERR_S(expr)                                                              \
  do {                                                                           \
    nn_clear_error();                                                            \
    nt_checks++;                                                                 \
    if ((expr) == NN_OK) NT_FAIL("no error from %s", #expr);                     \
    else if (!nn_error()[0]) NT_FAIL("no message from %s", #expr);              \
  } while (0)

static void test_errors_null_everywhere(void) {
  nn_tensor *x = nn_arange(0, 6, 1, NN_FLOAT32), *n = NULL, *outs[4], *v = NULL, *ix = NULL;
  nn_tensor *const nulls[2] = {NULL, NULL};
  int64_t s[1] = {6}, pad[2] = {1, 1};
  int ax[1] = {0};
  char buf[64];
  ERR_T(nn_binary(NN_OP_ADD, n, x));
  ERR_S(nn_binary_out(NN_OP_ADD, x, x, n));
  ERR_T(nn_unary(NN_OP_EXP, n));
  ERR_S(nn_unary_out(NN_OP_EXP, n, x));
  ERR_T(nn_add(x, n)); ERR_T(nn_sub(n, x)); ERR_T(nn_mul(n, n)); ERR_T(nn_div(n, x)); ERR_T(nn_floor_divide(n, x));
  ERR_T(nn_mod(n, x)); ERR_T(nn_pow(n, x)); ERR_T(nn_maximum(n, x)); ERR_T(nn_minimum(n, x)); ERR_T(nn_atan2(n, x));
  ERR_T(nn_equal(n, x)); ERR_T(nn_not_equal(n, x)); ERR_T(nn_less(n, x)); ERR_T(nn_less_equal(n, x));
  ERR_T(nn_greater(n, x)); ERR_T(nn_greater_equal(n, x)); ERR_T(nn_logical_and(n, x)); ERR_T(nn_logical_or(n, x));
  ERR_T(nn_logical_xor(n, x)); ERR_T(nn_logical_not(n)); ERR_T(nn_isnan(n)); ERR_T(nn_isinf(n)); ERR_T(nn_isfinite(n));
  ERR_T(nn_sub_scalar(n, 1)); ERR_T(nn_mul_scalar(n, 1)); ERR_T(nn_div_scalar(n, 1)); ERR_T(nn_pow_scalar(n, 1));
  ERR_T(nn_neg(n)); ERR_T(nn_abs(n)); ERR_T(nn_sign(n)); ERR_T(nn_square(n)); ERR_T(nn_relu(n)); ERR_T(nn_round(n));
  ERR_T(nn_floor(n)); ERR_T(nn_ceil(n)); ERR_T(nn_trunc(n)); ERR_T(nn_exp2(n)); ERR_T(nn_expm1(n)); ERR_T(nn_log(n));
  ERR_T(nn_log2(n)); ERR_T(nn_log10(n)); ERR_T(nn_log1p(n)); ERR_T(nn_sqrt(n)); ERR_T(nn_rsqrt(n));
  ERR_T(nn_reciprocal(n)); ERR_T(nn_sin(n)); ERR_T(nn_cos(n)); ERR_T(nn_tan(n)); ERR_T(nn_asin(n)); ERR_T(nn_acos(n));
  ERR_T(nn_atan(n)); ERR_T(nn_sinh(n)); ERR_T(nn_cosh(n)); ERR_T(nn_tanh(n)); ERR_T(nn_sigmoid(n)); ERR_T(nn_erf(n));
  ERR_S(nn_affine_out(x, n, 1, 0));
  ERR_T(nn_take(n, x, 0)); ERR_T(nn_take(x, n, 0)); ERR_T(nn_take_along_axis(n, x, 0)); ERR_T(nn_gather(x, 0, n));
  ERR_T(nn_masked_select(x, n)); ERR_S(nn_masked_fill(n, x, 0)); ERR_S(nn_put(x, n, x));
  ERR_S(nn_put_along_axis(x, n, x, 0)); ERR_T(nn_scatter(x, 0, n, x)); ERR_T(nn_scatter_add(n, 0, x, x));
  ERR_T(nn_index_add(x, 0, x, n)); ERR_T(nn_argwhere(n)); ERR_T(nn_count_nonzero(n)); ERR_T(nn_one_hot(n, 3, NN_FLOAT32));
  ERR_S(nn_sgemm(0, 0, 2, 2, 2, 1.0f, NULL, 2, NULL, 2, 0.0f, NULL, 2));
  ERR_S(nn_dgemm(0, 0, 2, 2, 2, 1.0, NULL, 2, NULL, 2, 0.0, NULL, 2));
  ERR_T(nn_matmul(n, x)); ERR_S(nn_matmul_out(n, x, x)); ERR_T(nn_dot(x, n)); ERR_T(nn_outer(n, x));
  ERR_T(nn_inner(n, x)); ERR_T(nn_trace(n));
  ERR_T(nn_reduce(NN_REDUCE_SUM, n, ax, 1, 0, 0)); ERR_T(nn_mean(n, 0, 0)); ERR_T(nn_prod(n, 0, 0));
  ERR_T(nn_min(n, 0, 0)); ERR_T(nn_any(n, 0, 0)); ERR_T(nn_all(n, 0, 0)); ERR_T(nn_logsumexp(n, 0, 0));
  ERR_T(nn_var(n, 0, 0, 0)); ERR_T(nn_std(n, 0, 0, 0)); ERR_T(nn_argmin(n, 0, 0)); ERR_T(nn_argmax(n, 0, 0));
  ERR_T(nn_cumsum(n, 0)); ERR_T(nn_cumprod(n, 0)); ERR_T(nn_softmax(n, 0)); ERR_T(nn_log_softmax(n, 0));
  ERR_S(nn_softmax_out(n, x, 0));
  CHECK(nn_sum_all(n) != nn_sum_all(n));
  ERR_T(nn_concatenate(NULL, 2, 0)); ERR_T(nn_concatenate(nulls, 2, 0)); ERR_T(nn_stack(nulls, 2, 0));
  ERR_S(nn_split(n, 2, 0, outs)); ERR_S(nn_split(x, 2, 0, NULL)); ERR_S(nn_array_split(n, 2, 0, outs));
  ERR_S(nn_split_at(n, s, 1, 0, outs)); ERR_T(nn_tile(n, s, 1)); ERR_T(nn_tile(x, NULL, 1)); ERR_T(nn_repeat(n, 2, 0));
  ERR_T(nn_repeat_each(x, NULL, 6, 0)); ERR_T(nn_pad(n, pad, NN_PAD_EDGE, 0)); ERR_T(nn_pad(x, NULL, NN_PAD_EDGE, 0));
  ERR_T(nn_flip(n, 0)); ERR_T(nn_roll(n, 1, 0));
  ERR_T(nn_sort(n, 0, 0)); ERR_T(nn_argsort(n, 0, 0)); ERR_T(nn_unique(n, NULL, NULL)); ERR_T(nn_searchsorted(n, x, 0));
  ERR_S(nn_topk(n, 1, 0, 1, &v, &ix));
  ERR_S(nn_fprint(NULL, x, NULL)); ERR_S(nn_fprint(stdout, n, NULL));
  CHECK(nn_to_string(n, buf, sizeof buf, NULL) < 0);
  ERR_T(nn_rand(NULL, s, 1, NN_FLOAT32)); ERR_T(nn_uniform(NULL, 0, 1, s, 1, NN_FLOAT32));
  ERR_T(nn_randn(NULL, s, 1, NN_FLOAT32)); ERR_T(nn_normal(NULL, 0, 1, s, 1, NN_FLOAT32));
  ERR_T(nn_randint(NULL, 0, 5, s, 1, NN_INT32)); ERR_T(nn_permutation(NULL, 5)); ERR_S(nn_shuffle(NULL, x));
  ERR_T(nn_choice(NULL, 5, 2, 0));
  ERR_T(nn_conv2d(n, x, NULL, NULL)); ERR_T(nn_conv2d(x, n, NULL, NULL)); ERR_T(nn_conv1d(n, x, NULL, NULL));
  ERR_T(nn_conv2d_backward_input(n, x, s, NULL)); ERR_T(nn_conv2d_backward_weight(n, x, s, NULL, NULL));
  ERR_T(nn_conv1d_backward_input(x, n, s, NULL)); ERR_T(nn_conv1d_backward_weight(x, n, s, NULL, NULL));
  ERR_T(nn_im2col(n, 2, 2, NULL)); ERR_T(nn_col2im(n, s, 2, 2, NULL)); ERR_T(nn_max_pool2d(n, 2, 2, NULL, NULL));
  ERR_T(nn_max_pool2d_backward(n, x, s)); ERR_T(nn_avg_pool2d(n, 2, 2, NULL));
  ERR_T(nn_avg_pool2d_backward(n, s, 2, 2, NULL)); ERR_T(nn_max_pool1d(n, 2, NULL, NULL)); ERR_T(nn_avg_pool1d(n, 2, NULL));
}

/* A tensor whose data lives on another device is refused by every CPU op with a clear message. */
static void test_errors_device_tensor(void) {
  nn_tensor *x = nn_arange(0, 4, 1, NN_FLOAT32), *d = nn_view(x);
  d->device = NN_CUDA; /* pretend: nn_cuda.h would make these */
  ERR_T(nn_add(x, d));
  CHECK(strstr(nn_error(), "device") != NULL);
  ERR_T(nn_exp(d));
  ERR_T(nn_sum(d, 0, 0));
  ERR_T(nn_matmul(d, x));
  ERR_T(nn_copy(d));
  d->device = NN_CPU;
}

/* Hostile geometry: wrapped memory with strides pointing backwards and zero-size dimensions. */
static void test_errors_hostile_values(void) {
  float buf[4] = {1, 2, 3, 4};
  int64_t shape[2] = {2, 2}, st[2] = {-2, -1}, zero[2] = {0, 5};
  nn_tensor *w = nn_wrap_strided(buf + 3, shape, st, 2, NN_FLOAT32), *z = nn_zeros(zero, 2, NN_FLOAT32);
  CHECK(w && nn_get_flat(w, 0) == 4 && nn_get_flat(nn_copy(w), 3) == 1);
  CHECK(nn_sum(z, 0, 0) && nn_sum(z, 0, 0)->size == 5);
  ERR_T(nn_max(z, 0, 0));
  CHECK(nn_exp(z) && nn_matmul(nn_transpose(z), z) && nn_sort(z, 1, 0));
  ERR_T(nn_sum(w, 5, 0));
  ERR_T(nn_sum(w, -3, 0));
  ERR_T(nn_softmax(w, 2));
}

void tests_errors(void) {
  RUN(test_errors_null_everywhere);
  RUN(test_errors_device_tensor);
  RUN(test_errors_hostile_values);
}
