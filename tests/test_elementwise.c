/* tests/test_elementwise.c: elementwise ops against NumPy (tests/ref/elementwise_ref.h), plus out forms, views,
   threading and bad input. */
#include "ref/elementwise_ref.h"

/* A tensor of dtype dt holding the given doubles. */
static nn_tensor *ew_make(const double *v, int dt, int ndim, const int64_t *shape) {
  nn_tensor *d = nn_from_data(v, shape, ndim, NN_FLOAT64);
  return d ? nn_astype(d, (nn_dtype)dt) : NULL;
}

static double ew_tol(nn_dtype dt) { return dt == NN_FLOAT32 ? 4e-6 : dt == NN_FLOAT64 ? 1e-12 : 0; }

static void test_ew_numpy_reference(void) {
  int i, bad = 0;
  typedef nn_tensor *(*sc_fn)(const nn_tensor *, double);
  static const sc_fn scalar_ops[5] = {nn_add_scalar, nn_sub_scalar, nn_mul_scalar, nn_div_scalar, nn_pow_scalar};
  for (i = 0; i < EW_NCASES; i++) {
    const ew_case *c = &ew_cases[i];
    nn_tensor *a, *b = NULL, *r = NULL;
    nn_scope_begin();
    a = ew_make(c->a, c->adt, c->andim, c->ashape);
    if (c->b) b = ew_make(c->b, c->bdt, c->bndim, c->bshape);
    switch (c->kind) {
      case 0: r = nn_binary((nn_binop)c->op, a, b); break;
      case 1: r = nn_unary((nn_unop)c->op, a); break;
      case 2: r = nn_where(a, b, ew_make(ew_where_b, NN_INT32, 1, ew_where_b_shape)); break;
      case 3: r = nn_clip(a, c->s1, c->s2); break;
      case 4: r = scalar_ops[c->op](a, c->s1); break;
      default: break;
    }
    nt_checks++;
    if (!r) {
      NT_FAIL("%s: NULL result: %s", c->name, nn_error());
      bad++;
    } else if ((int)r->dtype != c->rdt || !nt_shape_is(r, c->rshape, c->rndim)) {
      char s1[64], s2[64];
      NT_FAIL("%s: result %s %s, expected %s %s", c->name, nn_dtype_name(r->dtype), nn_shape_str(r, s1, sizeof s1),
              nn_dtype_name((nn_dtype)c->rdt), nn_shape_str(nn_zeros(c->rshape, c->rndim, NN_BOOL), s2, sizeof s2));
      bad++;
    } else {
      int64_t k;
      double tol = ew_tol(r->dtype);
      for (k = 0; k < r->size; k++) {
        double got = nn_get_flat(r, k), want = c->r[k];
        int ok = (got != got && want != want) || got == want ||
                 fabs(got - want) <= tol * (fabs(want) > 1 ? fabs(want) : 1);
        if (!ok) {
          NT_FAIL("%s: element %lld = %.9g, expected %.9g", c->name, (long long)k, got, want);
          bad++;
          break;
        }
      }
    }
    nn_scope_end();
  }
  CHECK(bad == 0);
  CHECK(EW_NCASES > 400);
}

static void test_ew_views_and_out(void) {
  int64_t sh[2] = {3, 4};
  nn_tensor *a = nn_reshape(nn_arange(0, 12, 1, NN_FLOAT32), sh, 2);
  nn_tensor *at = nn_transpose(a);                                /* (4,3), strided */
  nn_tensor *rev = nn_slice(a, 1, NN_NONE, NN_NONE, -1);          /* reversed columns */
  nn_tensor *s = nn_add(at, at), *r = nn_mul(rev, nn_scalar(2, NN_FLOAT32)), *out;
  CHECK(s && s->shape[0] == 4 && s->shape[1] == 3);
  CHECK(nn_get_flat(s, 1) == 8);  /* at[0,1] = a[1,0] = 4 */
  CHECK(nn_get_flat(r, 0) == 6);  /* rev[0,0] = a[0,3] = 3 */
  /* out form, in place */
  out = nn_copy(a);
  CHECK(nn_binary_out(NN_OP_ADD, out, out, a) == NN_OK);
  CHECK(nn_get_flat(out, 11) == 22);
  CHECK(nn_unary_out(NN_OP_NEG, out, out) == NN_OK && nn_get_flat(out, 11) == -22);
  /* out with another dtype converts */
  {
    nn_tensor *o64 = nn_zeros(sh, 2, NN_FLOAT64);
    CHECK(nn_binary_out(NN_OP_MUL, o64, a, a) == NN_OK && nn_get_flat(o64, 3) == 9);
  }
  /* fused forms */
  {
    nn_tensor *y = nn_empty_like(a);
    CHECK(nn_add_scaled_out(y, a, a, 2.5) == NN_OK && nn_get_flat(y, 2) == 2 + 2.5 * 2);
    CHECK(nn_affine_out(y, a, 2.0, 1.0) == NN_OK && nn_get_flat(y, 5) == 11);
    CHECK(nn_add_scaled(a, nn_arange(0, 4, 1, NN_INT32), 0.5) != NULL);
  }
}

static void test_ew_large_threaded(void) {
  /* big enough to run on the pool; results must not depend on the thread count */
  int64_t n = 3 * 65536 + 17, i;
  nn_tensor *x = nn_linspace(-3, 3, n, 1, NN_FLOAT32), *y1, *y2;
  int same = 1;
  nn_set_num_threads(1);
  y1 = nn_tanh(nn_add_scalar(nn_mul(x, x), 0.5));
  nn_set_num_threads(2);
  y2 = nn_tanh(nn_add_scalar(nn_mul(x, x), 0.5));
  nn_set_num_threads(0);
  CHECK(y1 && y2);
  for (i = 0; y1 && y2 && i < n; i++)
    if (((float *)y1->data)[i] != ((float *)y2->data)[i]) same = 0;
  CHECK(same);
  CHECK_NEAR(nn_get_flat(y1, 0), tanh(9.5), 1e-6);
}

static void test_ew_bad_input(void) {
  int64_t s23[2] = {2, 3}, s4[1] = {4};
  nn_tensor *a = nn_zeros(s23, 2, NN_FLOAT32), *b = nn_zeros(s4, 1, NN_FLOAT32), *t = nn_ones(s4, 1, NN_BOOL);
  CHECK_ERR(nn_add(a, b) == NULL, NN_ERR_SHAPE);
  CHECK(strstr(nn_error(), "(2,3)") && strstr(nn_error(), "(4,)"));
  CHECK_ERR(nn_add(NULL, b) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_exp(NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_sub(t, t) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_neg(t) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_binary((nn_binop)99, a, a) == NULL, NN_ERR_ARG);
  CHECK_ERR(nn_unary((nn_unop)-1, a) == NULL, NN_ERR_ARG);
  CHECK_ERR(nn_binary_out(NN_OP_ADD, b, a, a) != NN_OK, NN_ERR_SHAPE);
  CHECK_ERR(nn_binary_out(NN_OP_ADD, NULL, a, a) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_unary_out(NN_OP_EXP, b, a) != NN_OK, NN_ERR_SHAPE);
  CHECK_ERR(nn_pow(nn_arange(0, 3, 1, NN_INT32), nn_scalar(-1, NN_INT32)) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_where(t, a, b) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_where(NULL, a, b) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_clip(NULL, 0, 1) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_clip_out(a, a, NAN, 1) != NN_OK, NN_ERR_VALUE);
  CHECK_ERR(nn_add_scaled_out(b, a, a, 1.0) != NN_OK, NN_ERR_SHAPE);
  CHECK_ERR(nn_add_scaled(a, NULL, 1.0) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_affine_out(a, nn_zeros(s23, 2, NN_INT32), 1, 0) != NN_OK, NN_ERR_DTYPE);
  CHECK_ERR(nn_add_scalar(NULL, 1) == NULL, NN_ERR_NULL);
  CHECK(nn_binary_result_type(NN_OP_DIV, a, b) == NN_FLOAT32);
  CHECK(nn_binary_result_type(NN_OP_LT, a, b) == NN_BOOL);
  CHECK(strcmp(nn_binop_name(NN_OP_ADD), "add") == 0 && strcmp(nn_unop_name(NN_OP_EXP), "exp") == 0);
}

void tests_elementwise(void) {
  RUN(test_ew_numpy_reference);
  RUN(test_ew_views_and_out);
  RUN(test_ew_large_threaded);
  RUN(test_ew_bad_input);
}
