/* tests/test_index.c: take/put, gather/scatter, masks, argwhere, count_nonzero, one_hot against NumPy reference
   data (tests/ref/index_ref.h from tools/ref/gen_index.py), plus views, large inputs and bad input. */
#include "ref/index_ref.h"

static nn_tensor *ix_make(const nt_ref *r) {
  nn_tensor *w = nn_wrap((void *)r->data, r->shape, r->ndim, NN_FLOAT64), *t;
  if (!w) return NULL;
  t = nn_astype(w, (nn_dtype)r->dtype);
  nn_free(w);
  return t;
}

/* View codes of gen_index.py: 0 none, 1 transpose, 2 last axis reversed, 3 x[::2], 4 broadcast to (2,) + shape. */
static nn_tensor *ix_view(nn_tensor *t, int code) {
  int64_t sh[NN_MAX_DIMS];
  int d;
  if (!t) return NULL;
  switch (code) {
    case 1: return nn_transpose(t);
    case 2: return nn_slice(t, -1, NN_NONE, NN_NONE, -1);
    case 3: return nn_slice(t, 0, NN_NONE, NN_NONE, 2);
    case 4:
      sh[0] = 2;
      for (d = 0; d < t->ndim; d++) sh[d + 1] = t->shape[d];
      return nn_broadcast_to(t, sh, t->ndim + 1);
    default: return t;
  }
}

static nn_tensor *ix_input(const nt_ref *r, int view) { return ix_view(ix_make(r), view); }

static void ix_expect(const char *what, int i, const nn_tensor *t, const nt_ref *r) {
  int64_t k;
  nt_checks++;
  if (!t) {
    NT_FAIL("%s case %d: NULL result (%s)", what, i, nn_error());
    return;
  }
  if ((int)t->dtype != r->dtype) {
    NT_FAIL("%s case %d: dtype %s, expected %s", what, i, nn_dtype_name(t->dtype), nn_dtype_name((nn_dtype)r->dtype));
    return;
  }
  if (!nt_shape_is(t, r->shape, r->ndim)) {
    char s1[64];
    NT_FAIL("%s case %d: shape %s, expected ndim %d", what, i, nn_shape_str(t, s1, sizeof s1), r->ndim);
    return;
  }
  for (k = 0; k < r->size; k++) {
    double a = nn_get_flat(t, k), b = r->data[k];
    if (!(a == b || (a != a && b != b))) {
      NT_FAIL("%s case %d: element %lld = %.17g, expected %.17g", what, i, (long long)k, a, b);
      return;
    }
  }
}

static void test_take_ref(void) {
  int i;
  for (i = 0; i < XR_N_TAKE; i++) {
    const xr_case *c = &xr_take_cases[i];
    ix_expect("take", i, nn_take(ix_input(c->x, c->view), ix_make(c->a), c->axis), c->out);
  }
}

static void test_take_along_axis_ref(void) {
  int i;
  for (i = 0; i < XR_N_TALA; i++) {
    const xr_case *c = &xr_tala_cases[i];
    ix_expect("take_along_axis", i, nn_take_along_axis(ix_input(c->x, c->view), ix_make(c->a), c->axis), c->out);
  }
}

static void test_gather_ref(void) {
  int i;
  for (i = 0; i < XR_N_GATHER; i++) {
    const xr_case *c = &xr_gather_cases[i];
    ix_expect("gather", i, nn_gather(ix_input(c->x, c->view), c->axis, ix_make(c->a)), c->out);
  }
}

static void test_masked_ref(void) {
  int i;
  for (i = 0; i < XR_N_MSEL; i++) {
    const xr_case *c = &xr_msel_cases[i];
    ix_expect("masked_select", i, nn_masked_select(ix_input(c->x, c->view), ix_make(c->a)), c->out);
  }
  for (i = 0; i < XR_N_MFILL; i++) {
    const xr_fill *c = &xr_mfill_cases[i];
    nn_tensor *x = ix_input(c->x, c->view);
    CHECK(nn_masked_fill(x, ix_make(c->mask), c->value) == NN_OK);
    ix_expect("masked_fill", i, x, c->out);
  }
}

static void test_put_ref(void) {
  int i;
  for (i = 0; i < XR_N_PUT; i++) {
    const xr_case *c = &xr_put_cases[i];
    nn_tensor *x = ix_input(c->x, c->view);
    CHECK(nn_put(x, ix_make(c->a), ix_make(c->b)) == NN_OK);
    ix_expect("put", i, x, c->out);
  }
  for (i = 0; i < XR_N_PALA; i++) {
    const xr_case *c = &xr_pala_cases[i];
    nn_tensor *x = ix_input(c->x, c->view);
    CHECK(nn_put_along_axis(x, ix_make(c->a), ix_make(c->b), c->axis) == NN_OK);
    ix_expect("put_along_axis", i, x, c->out);
  }
}

static void test_scatter_ref(void) {
  int i;
  for (i = 0; i < XR_N_SCATTER; i++) {
    const xr_case *c = &xr_scatter_cases[i];
    nn_tensor *x = ix_input(c->x, c->view), *r = nn_scatter(x, c->axis, ix_make(c->a), ix_make(c->b));
    ix_expect("scatter", i, r, c->out);
    CHECK(r != x && (!r || r->storage != x->storage)); /* a new tensor */
  }
  for (i = 0; i < XR_N_SCATTER_ADD; i++) {
    const xr_case *c = &xr_scatter_add_cases[i];
    ix_expect("scatter_add", i, nn_scatter_add(ix_input(c->x, c->view), c->axis, ix_make(c->a), ix_make(c->b)), c->out);
  }
  for (i = 0; i < XR_N_INDEX_ADD; i++) {
    const xr_case *c = &xr_index_add_cases[i];
    ix_expect("index_add", i, nn_index_add(ix_input(c->x, c->view), c->axis, ix_make(c->a), ix_make(c->b)), c->out);
  }
}

static void test_nonzero_ref(void) {
  int i;
  for (i = 0; i < XR_N_ARGWHERE; i++) {
    const xr_nz *c = &xr_argwhere_cases[i];
    nn_tensor *x = ix_input(c->x, c->view);
    ix_expect("argwhere", i, nn_argwhere(x), c->where);
    ix_expect("count_nonzero", i, nn_count_nonzero(x), c->count);
  }
}

static void test_one_hot_ref(void) {
  int i;
  for (i = 0; i < XR_N_ONE_HOT; i++) {
    const xr_onehot *c = &xr_one_hot_cases[i];
    ix_expect("one_hot", i, nn_one_hot(ix_input(c->idx, c->view), c->num_classes, (nn_dtype)c->dtype), c->out);
  }
}

/* Index tensors given as views (transposed, reversed, broadcast) act like their contiguous copies. */
static void test_index_views(void) {
  int64_t s34[2] = {3, 4}, s43[2] = {4, 3}, s4[1] = {4};
  int32_t iv[12] = {0, 1, 2, 0, 1, 2, 2, 1, 0, 0, 0, 1};
  nn_tensor *x = nn_reshape(nn_arange(0, 12, 1, NN_FLOAT64), s34, 2);
  nn_tensor *ib = nn_from_data(iv, s43, 2, NN_INT32), *it = nn_transpose(ib), *ic = nn_copy(it);
  nn_tensor *a = nn_take_along_axis(x, it, 0), *b = nn_take_along_axis(x, ic, 0);
  nn_tensor *r = nn_slice(nn_arange(0, 4, 1, NN_INT64), 0, NN_NONE, NN_NONE, -1);
  nn_tensor *bc = nn_broadcast_to(r, s34, 2);
  int64_t k, bad = 0;
  CHECK(a && b);
  for (k = 0; a && b && k < 12; k++) bad += nn_get_flat(a, k) != nn_get_flat(b, k);
  CHECK(bad == 0);
  /* reversed index [3,2,1,0] */
  a = nn_take(x, r, 1);
  CHECK(a && nn_get_flat(a, 0) == 3 && nn_get_flat(a, 3) == 0 && nn_get_flat(a, 11) == 8);
  /* broadcast index (stride 0 rows) through gather */
  b = nn_gather(x, 1, bc);
  CHECK(b && nn_get_flat(b, 0) == 3 && nn_get_flat(b, 4) == 7 && nn_get_flat(b, 11) == 8);
  /* scatter_add with a broadcast index accumulates duplicates along axis 0 */
  a = nn_scatter_add(nn_zeros(s4, 1, NN_FLOAT32), 0, nn_ravel(bc), nn_ones(s34, 1, NN_FLOAT32));
  CHECK(a == NULL); /* src (3,) is smaller than index (12,) */
  {
    int64_t s12[1] = {12};
    a = nn_scatter_add(nn_zeros(s4, 1, NN_FLOAT32), 0, nn_ravel(bc), nn_ones(s12, 1, NN_FLOAT32));
    CHECK(a && nn_get_flat(a, 0) == 3 && nn_get_flat(a, 3) == 3);
  }
}

/* In-place ops whose indices, values or mask live in the tensor being written read them as they were. */
static void test_index_aliasing(void) {
  int64_t v[6] = {1, 0, 3, 2, 5, 4}, s6[1] = {6}, s23[2] = {2, 3};
  nn_tensor *x = nn_from_data(v, s6, 1, NN_INT64), *first = nn_slice(x, 0, 0, 3, 1), *y, *m;
  /* x[x[0:3]] = 99 - x[0:3] reads indices 1, 0, 3 and values 98, 99, 96 before writing */
  CHECK(nn_put(x, first, nn_sub(nn_scalar(99, NN_INT64), first)) == NN_OK);
  CHECK(nn_get_flat(x, 0) == 99 && nn_get_flat(x, 1) == 98 && nn_get_flat(x, 3) == 96 && nn_get_flat(x, 2) == 3);
  /* indices that are a view of x itself */
  y = nn_from_data(v, s6, 1, NN_INT64);
  CHECK(nn_put(y, nn_slice(y, 0, 0, 2, 1), nn_slice(y, 0, 4, 6, 1)) == NN_OK);
  CHECK(nn_get_flat(y, 1) == 5 && nn_get_flat(y, 0) == 4);
  y = nn_reshape(nn_from_data(v, s6, 1, NN_INT64), s23, 2);
  CHECK(nn_put_along_axis(y, nn_slice(y, 1, 0, 1, 1), nn_slice(y, 1, 2, 3, 1), 1) == NN_OK);
  CHECK(nn_get_flat(y, 1) == 3 && nn_get_flat(y, 5) == 4 && nn_get_flat(y, 0) == 1);
  m = nn_astype(nn_from_data(v, s6, 1, NN_INT64), NN_BOOL);
  CHECK(nn_masked_fill(m, m, 0) == NN_OK && nn_item(nn_count_nonzero(m)) == 0);
}

/* Sizes that take the chunked paths; results compared with direct computations and across thread counts. */
static void test_index_large(void) {
  int64_t n = 200003, i, rows = 5000, cols = 64, s2[2], bad = 0, cnt = 0;
  int nt = nn_get_num_threads();
  nn_tensor *x = nn_arange(0, (double)n, 1, NN_FLOAT32), *m, *sel, *sel1, *aw, *aw1, *cz, *idx, *tk, *tk1;
  nn_tensor *big, *sa, *sa1, *src;
  int64_t *ip;
  const float *fp;
  /* mask: multiples of 3 */
  m = nn_equal(nn_mod(nn_arange(0, (double)n, 1, NN_INT64), nn_scalar(3, NN_INT64)), nn_scalar(0, NN_INT64));
  CHECK(m != NULL);
  sel = nn_masked_select(x, m);
  CHECK(sel && sel->size == (n + 2) / 3);
  for (i = 0; sel && i < sel->size; i++) bad += ((const float *)sel->data)[i] != (float)(3 * i);
  CHECK(bad == 0);
  aw = nn_argwhere(m);
  CHECK(aw && aw->shape[0] == (n + 2) / 3 && aw->shape[1] == 1);
  for (i = 0, bad = 0; aw && i < aw->shape[0]; i++) bad += ((const int64_t *)aw->data)[i] != 3 * i;
  CHECK(bad == 0);
  cz = nn_count_nonzero(m);
  CHECK(cz && nn_item(cz) == (double)((n + 2) / 3));
  /* take along axis 0 of a (rows, cols) matrix with a long index */
  s2[0] = rows;
  s2[1] = cols;
  big = nn_reshape(nn_arange(0, (double)(rows * cols), 1, NN_FLOAT32), s2, 2);
  {
    int64_t ni = 30001;
    idx = nn_empty(&ni, 1, NN_INT64);
    ip = (int64_t *)idx->data;
    for (i = 0; i < ni; i++) ip[i] = (i * 7919) % rows - (i % 2 ? rows : 0);
    tk = nn_take(big, idx, 0);
    CHECK(tk && tk->shape[0] == ni && tk->shape[1] == cols);
    fp = tk ? (const float *)tk->data : NULL;
    for (i = 0, bad = 0; fp && i < ni; i += 13) {
      int64_t r = (i * 7919) % rows;
      bad += fp[i * cols + 5] != (float)(r * cols + 5);
    }
    CHECK(bad == 0);
  }
  /* scatter_add with many duplicates: float sums in index order, as a serial loop computes them */
  {
    int64_t ns = 300000, k;
    nn_tensor *dst = nn_zeros(&cols, 1, NN_FLOAT32);
    nn_tensor *si = nn_empty(&ns, 1, NN_INT64);
    float ref[64];
    src = nn_empty(&ns, 1, NN_FLOAT32);
    for (k = 0; k < cols; k++) ref[k] = 0;
    for (k = 0; k < ns; k++) {
      float v = (float)((k * 37) % 1001) * 0.001f;
      ((int64_t *)si->data)[k] = (k * 131) % cols;
      ((float *)src->data)[k] = v;
      ref[(k * 131) % cols] += v;
    }
    sa = nn_scatter_add(dst, 0, si, src);
    CHECK(sa != NULL);
    for (k = 0, bad = 0; sa && k < cols; k++) bad += ((const float *)sa->data)[k] != ref[k];
    CHECK(bad == 0);
    nn_set_num_threads(1);
    sa1 = nn_scatter_add(dst, 0, si, src);
    sel1 = nn_masked_select(x, m);
    aw1 = nn_argwhere(m);
    tk1 = nn_take(big, idx, 0);
    nn_set_num_threads(nt);
    CHECK(sa && sa1 && memcmp(sa->data, sa1->data, (size_t)cols * 4) == 0);
    CHECK(sel && sel1 && memcmp(sel->data, sel1->data, (size_t)sel->size * 4) == 0);
    CHECK(aw && aw1 && memcmp(aw->data, aw1->data, (size_t)aw->size * 8) == 0);
    CHECK(tk && tk1 && memcmp(tk->data, tk1->data, (size_t)tk->size * 4) == 0);
  }
  /* argwhere over a transposed view: the values below 100 sit at (v % cols, v / cols), sorted row-major */
  {
    nn_tensor *t = nn_transpose(big), *w = nn_argwhere(nn_less(t, nn_scalar(100, NN_FLOAT32)));
    const int64_t *wp = w ? (const int64_t *)w->data : NULL;
    CHECK(w && w->shape[0] == 100 && w->shape[1] == 2);
    for (i = 0, bad = 0; wp && i < 100; i++) {
      bad += wp[2 * i + 1] * cols + wp[2 * i] >= 100;
      if (i > 0) bad += wp[2 * i] * rows + wp[2 * i + 1] <= wp[2 * i - 2] * rows + wp[2 * i - 1];
    }
    CHECK(bad == 0);
  }
  /* masked_fill over a transposed view */
  {
    nn_tensor *t = nn_transpose(big), *mk = nn_less(t, nn_scalar(100, NN_FLOAT32));
    CHECK(nn_masked_fill(t, mk, -1) == NN_OK);
    for (i = 0, cnt = 0; i < rows * cols; i++) cnt += ((const float *)big->data)[i] == -1;
    CHECK(cnt == 100);
  }
}

static void test_index_errors(void) {
  int64_t s23[2] = {2, 3}, s22[2] = {2, 2}, s2[1] = {2}, s31[2] = {3, 1}, s9[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  int64_t seven = 7, neg6 = -6;
  nn_tensor *x = nn_arange(0, 5, 1, NN_FLOAT32), *m = nn_zeros(s23, 2, NN_FLOAT64);
  nn_tensor *i7 = nn_from_data(&seven, s2, 0, NN_INT64), *in6 = nn_from_data(&neg6, s2, 0, NN_INT64);
  nn_tensor *fidx = nn_zeros(s2, 1, NN_FLOAT32), *bidx = nn_zeros(s2, 1, NN_BOOL), *i2 = nn_zeros(s2, 1, NN_INT64);
  nn_tensor *i22 = nn_zeros(s22, 2, NN_INT64), *i31 = nn_zeros(s31, 2, NN_INT32), *z = nn_scalar(1, NN_FLOAT64);
  nn_tensor *mb = nn_zeros(s23, 2, NN_BOOL), *mb2 = nn_zeros(s2, 1, NN_BOOL), *mf = nn_zeros(s23, 2, NN_FLOAT32);
  nn_tensor *v2 = nn_ones(s2, 1, NN_FLOAT32), *empty_axis, *x5 = nn_copy(x);
  int64_t s20[2] = {2, 0};
  empty_axis = nn_zeros(s20, 2, NN_FLOAT32);
  /* take */
  CHECK_ERR(nn_take(NULL, i2, 0) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_take(x, NULL, 0) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_take(x, i7, 0) == NULL, NN_ERR_INDEX);
  CHECK(strcmp(nn_error(), "nn_take: index 7 is out of bounds for axis 0 with size 5") == 0);
  CHECK_ERR(nn_take(x, in6, NN_ALL_AXES) == NULL, NN_ERR_INDEX);
  CHECK(strstr(nn_error(), "index -6 is out of bounds for axis 0 with size 5") != NULL);
  CHECK_ERR(nn_take(m, i7, 1) == NULL, NN_ERR_INDEX);
  CHECK(strstr(nn_error(), "index 7 is out of bounds for axis 1 with size 3") != NULL);
  CHECK_ERR(nn_take(x, fidx, 0) == NULL, NN_ERR_DTYPE);
  CHECK(strstr(nn_error(), "float32") != NULL);
  CHECK_ERR(nn_take(x, bidx, 0) == NULL, NN_ERR_DTYPE);
  CHECK(strstr(nn_error(), "bool") != NULL);
  CHECK_ERR(nn_take(x, i2, 1) == NULL, NN_ERR_AXIS);
  CHECK_ERR(nn_take(z, i2, 0) == NULL, NN_ERR_AXIS);
  CHECK_ERR(nn_take(empty_axis, i2, 1) == NULL, NN_ERR_INDEX);
  CHECK(strstr(nn_error(), "cannot do a non-empty take from an empty axes") != NULL);
  CHECK_ERR(nn_take(nn_ones(s9, 8, NN_FLOAT32), nn_zeros(s9, 2, NN_INT32), 0) == NULL, NN_ERR_SHAPE); /* 7 + 2 dims */
  /* take_along_axis / gather */
  CHECK_ERR(nn_take_along_axis(NULL, i2, 0) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_take_along_axis(m, NULL, 0) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_take_along_axis(m, i2, 1) == NULL, NN_ERR_SHAPE);
  CHECK(strstr(nn_error(), "`indices` and `arr` must have the same number of dimensions") != NULL);
  CHECK_ERR(nn_take_along_axis(m, i31, 1) == NULL, NN_ERR_SHAPE);
  CHECK(strstr(nn_error(), "(3,1)") != NULL && strstr(nn_error(), "(2,3)") != NULL);
  CHECK_ERR(nn_take_along_axis(m, i22, 2) == NULL, NN_ERR_AXIS);
  CHECK_ERR(nn_take_along_axis(m, nn_full(s22, 2, 3, NN_INT64), 1) == NULL, NN_ERR_INDEX);
  CHECK(strstr(nn_error(), "index 3 is out of bounds for axis 1 with size 3") != NULL);
  CHECK_ERR(nn_take_along_axis(m, nn_zeros(s22, 2, NN_FLOAT64), 1) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_take_along_axis(m, i22, NN_ALL_AXES) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_gather(NULL, 0, i22) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_gather(m, 0, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_gather(m, 0, i2) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_gather(m, 1, i31) == NULL, NN_ERR_SHAPE); /* 3 rows > 2 outside axis */
  CHECK(strstr(nn_error(), "size does not match at dimension 0") != NULL);
  CHECK_ERR(nn_gather(m, -3, i22) == NULL, NN_ERR_AXIS);
  CHECK_ERR(nn_gather(m, 0, nn_full(s22, 2, 2, NN_INT32)) == NULL, NN_ERR_INDEX);
  CHECK(strcmp(nn_error(), "nn_gather: index 2 is out of bounds for axis 0 with size 2") == 0);
  CHECK_ERR(nn_gather(m, 0, nn_zeros(s22, 2, NN_BOOL)) == NULL, NN_ERR_DTYPE);
  /* masks */
  CHECK_ERR(nn_masked_select(NULL, mb) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_masked_select(m, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_masked_select(m, mf) == NULL, NN_ERR_DTYPE);
  CHECK(strstr(nn_error(), "mask must have dtype bool, got float32") != NULL);
  CHECK_ERR(nn_masked_select(m, mb2) == NULL, NN_ERR_SHAPE);
  CHECK(strstr(nn_error(), "(2,3) and (2,)") != NULL);
  CHECK_ERR(nn_masked_fill(NULL, mb, 1) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_masked_fill(m, NULL, 1) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_masked_fill(m, mf, 1) != NN_OK, NN_ERR_DTYPE);
  CHECK_ERR(nn_masked_fill(m, mb2, 1) != NN_OK, NN_ERR_SHAPE);
  CHECK_ERR(nn_masked_fill(mb2, mb, 1) != NN_OK, NN_ERR_SHAPE); /* the mask may not broadcast x */
  /* put / put_along_axis: failures write nothing */
  CHECK_ERR(nn_put(NULL, i2, v2) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_put(x5, NULL, v2) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_put(x5, i2, NULL) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_put(x5, fidx, v2) != NN_OK, NN_ERR_DTYPE);
  {
    int64_t pi[3] = {0, 1, 5}, s3[1] = {3};
    CHECK_ERR(nn_put(x5, nn_from_data(pi, s3, 1, NN_INT64), v2) != NN_OK, NN_ERR_INDEX);
    CHECK(strstr(nn_error(), "nn_put: index 5 is out of bounds for axis 0 with size 5") != NULL);
  }
  CHECK(nn_get_flat(x5, 0) == 0 && nn_get_flat(x5, 4) == 4);
  CHECK_ERR(nn_put_along_axis(NULL, i22, v2, 0) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_put_along_axis(m, NULL, v2, 0) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_put_along_axis(m, i22, NULL, 0) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_put_along_axis(m, i2, v2, 0) != NN_OK, NN_ERR_SHAPE);
  CHECK_ERR(nn_put_along_axis(m, i22, nn_ones(s23, 2, NN_FLOAT32), 1) != NN_OK, NN_ERR_SHAPE);
  CHECK(strstr(nn_error(), "value array of shape (2,3) could not be broadcast to indexing result of shape (2,2)") != NULL);
  CHECK_ERR(nn_put_along_axis(m, i22, v2, 5) != NN_OK, NN_ERR_AXIS);
  CHECK_ERR(nn_put_along_axis(m, nn_full(s22, 2, -4, NN_INT64), v2, 1) != NN_OK, NN_ERR_INDEX);
  CHECK_ERR(nn_put_along_axis(m, nn_zeros(s22, 2, NN_FLOAT32), v2, 1) != NN_OK, NN_ERR_DTYPE);
  CHECK_ERR(nn_put_along_axis(m, i22, v2, NN_ALL_AXES) != NN_OK, NN_ERR_SHAPE);
  CHECK_ERR(nn_put_along_axis(m, i2, nn_ones(s23, 2, NN_FLOAT32), NN_ALL_AXES) != NN_OK, NN_ERR_SHAPE);
  CHECK(nn_count_nonzero(m) && nn_item(nn_count_nonzero(m)) == 0); /* nothing was written */
  /* scatter family */
  CHECK_ERR(nn_scatter(NULL, 0, i22, m) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_scatter(m, 0, NULL, m) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_scatter(m, 0, i22, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_scatter(m, 0, fidx, m) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_scatter(m, 0, i2, m) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_scatter(m, 0, i22, v2) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_scatter(m, 1, i31, nn_ones(s31, 2, NN_FLOAT64)) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_scatter(m, 0, i22, nn_ones(s2, 1, NN_FLOAT64)) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_scatter_add(m, 0, nn_full(s22, 2, 2, NN_INT64), nn_ones(s22, 2, NN_FLOAT64)) == NULL, NN_ERR_INDEX);
  CHECK(strstr(nn_error(), "nn_scatter_add: index 2 is out of bounds for axis 0 with size 2") != NULL);
  CHECK_ERR(nn_scatter_add(m, 2, i22, m) == NULL, NN_ERR_AXIS);
  CHECK_ERR(nn_scatter_add(m, 0, i22, nn_ones(s31, 2, NN_FLOAT64)) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_index_add(NULL, 0, i2, m) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_index_add(m, 0, NULL, m) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_index_add(m, 0, i2, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_index_add(m, 0, i22, m) == NULL, NN_ERR_SHAPE);  /* 2-D index */
  CHECK_ERR(nn_index_add(m, 0, fidx, m) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_index_add(m, 2, i2, m) == NULL, NN_ERR_AXIS);
  CHECK_ERR(nn_index_add(m, 1, i2, m) == NULL, NN_ERR_SHAPE);   /* src has 3 along axis 1, index 2 */
  CHECK_ERR(nn_index_add(m, 0, i2, v2) == NULL, NN_ERR_SHAPE);  /* ndim */
  CHECK_ERR(nn_index_add(m, 0, i2, nn_ones(s22, 2, NN_FLOAT64)) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_index_add(m, 0, nn_full(s2, 1, 9, NN_INT32), m) == NULL, NN_ERR_INDEX);
  CHECK(strstr(nn_error(), "index 9 is out of bounds for axis 0 with size 2") != NULL);
  /* argwhere / count_nonzero / one_hot */
  CHECK_ERR(nn_argwhere(NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_count_nonzero(NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_one_hot(NULL, 3, NN_FLOAT32) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_one_hot(fidx, 3, NN_FLOAT32) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_one_hot(i2, 3, (nn_dtype)42) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_one_hot(i7, 5, NN_FLOAT32) == NULL, NN_ERR_INDEX);
  CHECK(strstr(nn_error(), "class value 7 is out of range for num_classes = 5") != NULL);
  CHECK_ERR(nn_one_hot(in6, 5, NN_FLOAT32) == NULL, NN_ERR_INDEX);
  CHECK(strstr(nn_error(), "non-negative") != NULL);
  CHECK_ERR(nn_one_hot(nn_zeros(s20, 2, NN_INT64), -1, NN_FLOAT32) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_one_hot(nn_zeros(s9, 8, NN_INT64), 2, NN_FLOAT32) == NULL, NN_ERR_SHAPE);
  CHECK(nn_one_hot(i2, 0, NN_FLOAT32) == NULL); /* index 0 is out of range for 0 classes */
}

void tests_index(void) {
  RUN(test_take_ref);
  RUN(test_take_along_axis_ref);
  RUN(test_gather_ref);
  RUN(test_masked_ref);
  RUN(test_put_ref);
  RUN(test_scatter_ref);
  RUN(test_nonzero_ref);
  RUN(test_one_hot_ref);
  RUN(test_index_views);
  RUN(test_index_aliasing);
  RUN(test_index_large);
  RUN(test_index_errors);
}
