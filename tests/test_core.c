/* tests/test_core.c: creation, conversion, views, element access and scopes. */

static void test_create_basic(void) {
  int64_t shape[2] = {2, 3};
  nn_tensor *z = nn_zeros(shape, 2, NN_FLOAT32), *o = nn_ones(shape, 2, NN_INT32), *f = nn_full(shape, 2, 2.5, NN_FLOAT64);
  nn_tensor *s = nn_scalar(7, NN_INT64), *e = nn_empty(shape, 2, NN_UINT8);
  CHECK(z && o && f && s && e);
  CHECK(z->size == 6 && z->ndim == 2 && z->strides[0] == 3 && z->strides[1] == 1);
  CHECK(nn_get_flat(z, 5) == 0 && nn_get_flat(o, 3) == 1 && nn_get_flat(f, 0) == 2.5);
  CHECK(s->ndim == 0 && s->size == 1 && nn_item(s) == 7);
  CHECK(nn_zeros_like(f)->dtype == NN_FLOAT64 && nn_ones_like(o)->dtype == NN_INT32);
  CHECK(nn_get_flat(nn_full_like(o, -3), 2) == -3 && nn_empty_like(z)->size == 6);
  CHECK(nn_full(shape, 2, 300, NN_UINT8) != NULL && nn_get_flat(nn_full(shape, 2, 1, NN_BOOL), 0) == 1);
  /* zero-size and 0-d */
  {
    int64_t zs[2] = {0, 3};
    nn_tensor *t = nn_zeros(zs, 2, NN_FLOAT32);
    CHECK(t && t->size == 0);
    CHECK(nn_copy(t) != NULL && nn_transpose(t)->shape[0] == 3);
  }
}

static void test_create_ranges(void) {
  nn_tensor *a = nn_arange(0, 1, 0.25, NN_FLOAT64), *b = nn_arange(10, 0, -3, NN_INT32), *c, *d, *e;
  double ea[4] = {0, 0.25, 0.5, 0.75}, eb[4] = {10, 7, 4, 1};
  double ec[5] = {0, 0.25, 0.5, 0.75, 1}, ed[4] = {0, 0.25, 0.5, 0.75};
  CHECK_TENSOR(a, ea, 4, 0);
  CHECK_TENSOR(b, eb, 4, 0);
  CHECK(nn_arange(0, -1, 1, NN_FLOAT32)->size == 0);
  c = nn_linspace(0, 1, 5, 1, NN_FLOAT64);
  d = nn_linspace(0, 1, 4, 0, NN_FLOAT32);
  CHECK_TENSOR(c, ec, 5, 0);
  CHECK_TENSOR(d, ed, 4, 0);
  CHECK(nn_linspace(3, 4, 1, 1, NN_FLOAT32)->size == 1 && nn_get_flat(nn_linspace(3, 4, 1, 1, NN_FLOAT32), 0) == 3);
  e = nn_eye(3, 4, 1, NN_INT64);
  {
    double ee[12] = {0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
    CHECK_TENSOR(e, ee, 12, 0);
  }
  CHECK(nn_eye(2, 0, -1, NN_FLOAT32)->shape[1] == 2 && nn_get_flat(nn_eye(2, 0, -1, NN_FLOAT32), 2) == 1);
}

static void test_from_data_wrap_astype(void) {
  float buf[6] = {1.5f, -2.7f, 3, 4, 5, 300.9f};
  int64_t shape[2] = {2, 3};
  nn_tensor *c = nn_from_data(buf, shape, 2, NN_FLOAT32), *w = nn_wrap(buf, shape, 2, NN_FLOAT32), *i, *u, *b;
  buf[0] = 9;
  CHECK(nn_get_flat(c, 0) == 1.5); /* copy */
  CHECK(nn_get_flat(w, 0) == 9);   /* wrapped: sees the caller's memory */
  CHECK(nn_set_flat(w, 1, 42) == NN_OK && buf[1] == 42);
  i = nn_astype(c, NN_INT32);
  {
    double ei[6] = {1, -2, 3, 4, 5, 300};
    CHECK_TENSOR(i, ei, 6, 0); /* truncation toward zero, like NumPy */
  }
  u = nn_astype(i, NN_UINT8);
  CHECK(nn_get_flat(u, 1) == 254 && nn_get_flat(u, 5) == 44); /* wraps modulo 256 */
  b = nn_astype(c, NN_BOOL);
  CHECK(nn_get_flat(b, 0) == 1 && b->dtype == NN_BOOL);
  CHECK(nn_astype(b, NN_FLOAT64)->dtype == NN_FLOAT64);
  {
    double out[6];
    CHECK(nn_copy_to(nn_transpose(c), out, NN_FLOAT64) == NN_OK && out[1] == 4 && out[2] == -2.7f);
  }
  nn_free(w); /* frees the header only; buf is ours */
  CHECK(buf[2] == 3);
}

static void test_views(void) {
  int64_t s34[2] = {3, 4}, sm1[2] = {-1, 2}, s234[3] = {2, 3, 4};
  nn_tensor *a = nn_reshape(nn_arange(0, 12, 1, NN_INT64), s34, 2), *t, *r, *sl, *sq, *un, *bc, *d, *p;
  CHECK(a && a->shape[0] == 3 && a->shape[1] == 4);
  r = nn_reshape(a, sm1, 2);
  CHECK(r && r->shape[0] == 6 && r->shape[1] == 2 && r->data == a->data);
  t = nn_transpose(a);
  CHECK(t->shape[0] == 4 && t->strides[0] == 1 && t->strides[1] == 4 && !nn_is_contiguous(t));
  {
    int64_t idx[2] = {3, 1};
    CHECK(nn_get(t, idx) == 7);
  }
  /* reshape of a non-contiguous view copies */
  {
    int64_t s12[1] = {12};
    nn_tensor *f = nn_reshape(t, s12, 1);
    double ef[12] = {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11};
    CHECK_TENSOR(f, ef, 12, 0);
    CHECK(f->data != a->data);
  }
  /* reshape of a strided view that can stay a view */
  {
    nn_tensor *big = nn_reshape(nn_arange(0, 24, 1, NN_FLOAT32), s234, 3);
    nn_tensor *cols = nn_slice(big, 0, 1, 2, 1); /* (1,3,4) */
    int64_t s12[2] = {3, 4};
    nn_tensor *v = nn_reshape(cols, s12, 2);
    CHECK(v && v->data == cols->data && nn_get_flat(v, 0) == 12);
  }
  sl = nn_slice(a, 1, NN_NONE, NN_NONE, -2); /* a[:, ::-2] -> columns 3, 1 */
  {
    double es[6] = {3, 1, 7, 5, 11, 9};
    CHECK_TENSOR(sl, es, 6, 0);
  }
  CHECK(nn_slice(a, 0, 5, 10, 1)->shape[0] == 0);
  CHECK(nn_slice(a, 0, -2, NN_NONE, 1)->shape[0] == 2);
  CHECK(nn_slice(a, 1, 10, -10, -1)->shape[1] == 4);
  {
    nn_tensor *row = nn_select(a, 0, -1);
    double er[4] = {8, 9, 10, 11};
    CHECK(row->ndim == 1);
    CHECK_TENSOR(row, er, 4, 0);
  }
  sq = nn_squeeze(a, NN_ALL_AXES);
  CHECK(sq->ndim == 2);
  un = nn_unsqueeze(a, 1);
  CHECK(un->ndim == 3 && un->shape[1] == 1 && nn_squeeze(un, 1)->ndim == 2 && nn_squeeze(un, NN_ALL_AXES)->ndim == 2);
  CHECK(nn_unsqueeze(a, -1)->shape[2] == 1);
  bc = nn_broadcast_to(nn_arange(0, 4, 1, NN_INT32), s234, 3);
  CHECK(bc && bc->strides[0] == 0 && bc->strides[1] == 0 && nn_get_flat(bc, 23) == 3);
  d = nn_diagonal(a, 1, 0, 1);
  {
    double ed[3] = {1, 6, 11};
    CHECK_TENSOR(d, ed, 3, 0);
  }
  CHECK(nn_diagonal(a, -1, 0, 1)->size == 2 && nn_get_flat(nn_diagonal(a, -1, 0, 1), 1) == 9);
  {
    int axes[3] = {2, 0, 1};
    nn_tensor *b3 = nn_reshape(nn_arange(0, 24, 1, NN_FLOAT32), s234, 3);
    p = nn_permute(b3, axes, 3);
    CHECK(p->shape[0] == 4 && p->shape[1] == 2 && p->shape[2] == 3);
    CHECK(nn_get_flat(p, 1) == 4); /* p[0,0,1] = b3[0,1,0] */
    CHECK(nn_swapaxes(b3, 0, 2)->shape[0] == 4 && nn_moveaxis(b3, 0, -1)->shape[2] == 2);
  }
  /* writing through a view changes the source */
  {
    nn_tensor *v = nn_slice(a, 0, 1, 2, 1);
    CHECK(nn_fill(v, -1) == NN_OK && nn_get_flat(a, 4) == -1 && nn_get_flat(a, 8) == 8);
    CHECK(nn_fill(nn_transpose(a), 0) == NN_OK && nn_get_flat(a, 11) == 0);
  }
  /* a view outlives its source */
  {
    nn_tensor *src = nn_arange(0, 5, 1, NN_FLOAT32), *v = nn_slice(src, 0, 1, NN_NONE, 2);
    nn_free(src);
    CHECK(nn_get_flat(v, 1) == 3);
  }
  CHECK(nn_ravel(t)->size == 12 && nn_view(a)->data == a->data);
  CHECK(nn_contiguous(a)->data == a->data && nn_contiguous(t)->data != t->data);
}

static void test_assign(void) {
  int64_t s23[2] = {2, 3};
  nn_tensor *d = nn_zeros(s23, 2, NN_FLOAT64), *r = nn_arange(0, 3, 1, NN_INT32);
  double e[6] = {0, 1, 2, 0, 1, 2};
  CHECK(nn_assign(d, r) == NN_OK);
  CHECK_TENSOR(d, e, 6, 0);
  CHECK_ERR(nn_assign(r, d) != NN_OK, NN_ERR_SHAPE);
}

static void test_scopes(void) {
  long base = nn_live_tensors();
  nn_tensor *kept, *outer;
  CHECK(nn_scope_begin() == NN_OK);
  outer = nn_ones(NULL, 0, NN_FLOAT32);
  CHECK(nn_scope_begin() == NN_OK);
  kept = nn_add(outer, outer);
  nn_add(kept, kept);
  CHECK(nn_scope_count() == 2);
  nn_keep(kept); /* moves to the outer scope */
  CHECK(nn_scope_end() == NN_OK);
  CHECK(nn_item(kept) == 2);
  CHECK(nn_scope_end() == NN_OK); /* frees outer and kept */
  CHECK(nn_live_tensors() == base);
  /* outside any scope of its own: the caller owns results (the runner's scope is the outermost here) */
  {
    nn_tensor *mine;
    nn_scope_begin();
    mine = nn_keep(nn_ones(NULL, 0, NN_FLOAT32)); /* -> runner scope */
    nn_scope_end();
    CHECK(mine->scope != NULL && nn_item(mine) == 1);
    nn_free(mine);
  }
  CHECK(nn_live_tensors() == base);
  nn_free(NULL);
  CHECK(nn_keep(NULL) == NULL);
}

static void test_core_bad_input(void) {
  int64_t bad[2] = {2, -1}, big[3] = {1 << 30, 1 << 30, 1 << 30}, s3[1] = {3}, s6[1] = {6}, s4[1] = {4};
  nn_tensor *a = nn_arange(0, 6, 1, NN_FLOAT32);
  int axes2[2] = {0, 0};
  CHECK_ERR(nn_zeros(bad, 2, NN_FLOAT32) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_zeros(big, 3, NN_FLOAT32) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_zeros(s3, 99, NN_FLOAT32) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_zeros(NULL, 2, NN_FLOAT32) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_zeros(s3, 1, (nn_dtype)42) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_arange(0, 1, 0, NN_FLOAT32) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_arange(0, NAN, 1, NN_FLOAT32) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_arange(0, 1e300, 1e-300, NN_FLOAT32) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_linspace(0, 1, -1, 1, NN_FLOAT32) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_from_data(NULL, s3, 1, NN_FLOAT32) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_wrap(NULL, s3, 1, NN_FLOAT32) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_astype(NULL, NN_FLOAT32) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_copy(NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_contiguous(NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_reshape(a, s4, 1) == NULL, NN_ERR_SHAPE);
  CHECK(strstr(nn_error(), "size 6") != NULL);
  CHECK_ERR(nn_reshape(a, NULL, 1) == NULL, NN_ERR_NULL);
  {
    int64_t two_unknown[2] = {-1, -1}, neg[1] = {-3};
    CHECK_ERR(nn_reshape(a, two_unknown, 2) == NULL, NN_ERR_SHAPE);
    CHECK_ERR(nn_reshape(a, neg, 1) == NULL, NN_ERR_SHAPE);
  }
  CHECK(nn_reshape(a, s6, 1) != NULL);
  CHECK_ERR(nn_permute(a, axes2, 2) == NULL, NN_ERR_AXIS);
  CHECK_ERR(nn_permute(nn_reshape(a, s4, 1), axes2, 2) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_slice(a, 1, 0, 1, 1) == NULL, NN_ERR_AXIS);
  CHECK(strstr(nn_error(), "axis 1 is out of bounds for array of dimension 1") != NULL);
  CHECK_ERR(nn_slice(a, 0, 0, 1, 0) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_select(a, 0, 6) == NULL, NN_ERR_INDEX);
  CHECK_ERR(nn_squeeze(a, 0) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_unsqueeze(a, 3) == NULL, NN_ERR_AXIS);
  CHECK_ERR(nn_broadcast_to(a, s4, 1) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_diagonal(a, 0, 0, 1) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_swapaxes(a, 0, 3) == NULL, NN_ERR_AXIS);
  CHECK_ERR(nn_moveaxis(NULL, 0, 0) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_transpose(NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_view(NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_ravel(NULL) == NULL, NN_ERR_NULL);
  CHECK(nn_get_flat(a, 6) != nn_get_flat(a, 6)); /* NaN */
  CHECK(nn_last_status() == NN_ERR_INDEX);
  {
    int64_t idx[1] = {-7};
    CHECK(nn_get(a, idx) != nn_get(a, idx));
    CHECK_ERR(nn_set(a, idx, 1) != NN_OK, NN_ERR_INDEX);
    CHECK_ERR(nn_set(NULL, idx, 1) != NN_OK, NN_ERR_NULL);
  }
  CHECK(nn_item(a) != nn_item(a) && nn_last_status() == NN_ERR_SHAPE);
  CHECK_ERR(nn_fill(NULL, 0) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_assign(a, NULL) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_copy_to(a, NULL, NN_FLOAT32) != NN_OK, NN_ERR_NULL);
  CHECK(strcmp(nn_dtype_name((nn_dtype)77), "invalid") == 0 && nn_dtype_size((nn_dtype)77) == 0);
  CHECK(nn_promote_types(NN_INT32, NN_FLOAT32) == NN_FLOAT64 && nn_promote_types(NN_UINT8, NN_BOOL) == NN_UINT8);
  CHECK(strcmp(nn_status_string(NN_ERR_SHAPE), "shape mismatch") == 0);
  CHECK(strcmp(nn_version(), NN_VERSION_STRING) == 0);
  nn_clear_error();
  CHECK(nn_error()[0] == 0 && nn_last_status() == NN_OK);
}

void tests_core(void) {
  RUN(test_create_basic);
  RUN(test_create_ranges);
  RUN(test_from_data_wrap_astype);
  RUN(test_views);
  RUN(test_assign);
  RUN(test_scopes);
  RUN(test_core_bad_input);
}
