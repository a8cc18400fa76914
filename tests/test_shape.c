/* tests/test_shape.c: concatenate, stack, split, tile, repeat, pad, flip, roll against NumPy reference data
   (tests/ref/shape_ref.h from tools/ref/gen_shape.py), plus views, large inputs and bad input. */
#include "ref/shape_ref.h"

/* A tensor holding a reference array (values converted from double to its dtype). */
static nn_tensor *sh_make(const nt_ref *r) {
  nn_tensor *w = nn_wrap((void *)r->data, r->shape, r->ndim, NN_FLOAT64), *t;
  if (!w) return NULL;
  t = nn_astype(w, (nn_dtype)r->dtype);
  nn_free(w);
  return t;
}

/* The view a case asks for (see gen_shape.py): 0 none, 1 transpose, 2 last axis reversed, 3 x[::2], 4 broadcast. */
static nn_tensor *sh_view(nn_tensor *t, int code) {
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

static nn_tensor *sh_input(const nt_ref *r, int view) { return sh_view(sh_make(r), view); }

/* Exact comparison of dtype, shape and values (NaN equals NaN). */
static void sh_expect(const char *what, int i, const nn_tensor *t, const nt_ref *r) {
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
    char s1[64], s2[64];
    NT_FAIL("%s case %d: shape %s, expected %s", what, i, nn_shape_str(t, s1, sizeof s1),
            nn_shape_str(sh_make(r), s2, sizeof s2));
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

static void test_concatenate_ref(void) {
  int i, k;
  for (i = 0; i < SR_N_CONCAT; i++) {
    const sr_join *c = &sr_concat_cases[i];
    nn_tensor *ts[4];
    for (k = 0; k < c->n; k++) ts[k] = sh_input(c->in[k], c->view[k]);
    sh_expect("concatenate", i, nn_concatenate(ts, c->n, c->axis), c->out);
  }
}

static void test_stack_ref(void) {
  int i, k;
  for (i = 0; i < SR_N_STACK; i++) {
    const sr_join *c = &sr_stack_cases[i];
    nn_tensor *ts[4];
    for (k = 0; k < c->n; k++) ts[k] = sh_input(c->in[k], c->view[k]);
    sh_expect("stack", i, nn_stack(ts, c->n, c->axis), c->out);
  }
}

static void test_split_ref(void) {
  int i, k;
  for (i = 0; i < SR_N_SPLIT; i++) {
    const sr_split *c = &sr_split_cases[i];
    nn_tensor *x = sh_input(c->in, c->view), *outs[16];
    nn_status st;
    if (c->kind == 0) st = nn_split(x, c->sections, c->axis, outs);
    else if (c->kind == 1) st = nn_array_split(x, c->sections, c->axis, outs);
    else st = nn_split_at(x, c->ind, c->sections, c->axis, outs);
    CHECK(st == NN_OK);
    if (st != NN_OK) continue;
    for (k = 0; k < c->nout; k++) {
      sh_expect("split", i, outs[k], c->outs[k]);
      CHECK(outs[k]->storage == x->storage); /* views, not copies */
    }
  }
}

static void test_tile_ref(void) {
  int i;
  for (i = 0; i < SR_N_TILE; i++) {
    const sr_tile *c = &sr_tile_cases[i];
    sh_expect("tile", i, nn_tile(sh_input(c->in, c->view), c->reps, c->nreps), c->out);
  }
}

static void test_repeat_ref(void) {
  int i;
  for (i = 0; i < SR_N_REPEAT; i++) {
    const sr_repeat *c = &sr_repeat_cases[i];
    nn_tensor *x = sh_input(c->in, c->view);
    nn_tensor *r = c->scalar ? nn_repeat(x, c->reps[0], c->axis) : nn_repeat_each(x, c->reps, c->nreps, c->axis);
    sh_expect("repeat", i, r, c->out);
  }
}

static void test_pad_ref(void) {
  int i;
  for (i = 0; i < SR_N_PAD; i++) {
    const sr_pad *c = &sr_pad_cases[i];
    sh_expect("pad", i, nn_pad(sh_input(c->in, c->view), c->pw, (nn_pad_mode)c->mode, c->value), c->out);
  }
}

static void test_flip_ref(void) {
  int i;
  for (i = 0; i < SR_N_FLIP; i++) {
    const sr_flip *c = &sr_flip_cases[i];
    nn_tensor *x = sh_input(c->in, c->view), *f = nn_flip(x, c->axis);
    sh_expect("flip", i, f, c->out);
    CHECK(f && f->storage == x->storage);
  }
}

static void test_roll_ref(void) {
  int i;
  for (i = 0; i < SR_N_ROLL; i++) {
    const sr_roll *c = &sr_roll_cases[i];
    sh_expect("roll", i, nn_roll(sh_input(c->in, c->view), (int64_t)c->shift, c->axis), c->out);
  }
}

/* Views returned by split and flip write through to their source. */
static void test_shape_views_write(void) {
  int64_t shape[2] = {2, 4}, idx[2] = {0, 0};
  nn_tensor *x = nn_arange(0, 8, 1, NN_INT32), *m = nn_reshape(x, shape, 2), *parts[2], *f;
  CHECK(nn_split(m, 2, 1, parts) == NN_OK);
  CHECK(parts[1]->shape[0] == 2 && parts[1]->shape[1] == 2);
  CHECK(nn_set(parts[1], idx, 100) == NN_OK);
  CHECK(nn_get_flat(x, 2) == 100);
  f = nn_flip(m, NN_ALL_AXES);
  CHECK(nn_get(f, idx) == 7);
  CHECK(nn_set(f, idx, -1) == NN_OK);
  CHECK(nn_get_flat(x, 7) == -1);
  /* the views outlive their source header */
  nn_free(m);
  nn_free(x);
  CHECK(nn_get_flat(parts[0], 0) == 0 && nn_get_flat(f, 0) == -1);
}

/* Sizes that take the chunked (threaded) paths, checked against direct formulas and across thread counts. */
static void test_shape_large(void) {
  int64_t n = 300007, i, pw[4] = {3, 5, 70001, 2}, reps[2] = {3, 2}, shape2[2] = {2, 150000}, bad = 0;
  nn_tensor *x = nn_arange(0, (double)n, 1, NN_FLOAT32), *r, *r1, *p, *p1, *t, *t1, *m, *c, *ts[2];
  const float *rd;
  int nt = nn_get_num_threads();
  r = nn_roll(x, 12345, 0);
  CHECK(r != NULL);
  rd = (const float *)r->data;
  for (i = 0; i < n; i++) bad += rd[i] != (float)((i - 12345 + n) % n);
  CHECK(bad == 0);
  m = nn_reshape(nn_slice(x, 0, 0, 300000, 1), shape2, 2);
  p = nn_pad(m, pw, NN_PAD_WRAP, 0);
  CHECK(p && p->shape[0] == 10 && p->shape[1] == 150000 + 70003);
  if (p) {
    int64_t w = p->shape[1], k, bad2 = 0;
    const float *pd = (const float *)p->data;
    for (i = 0; i < 10; i++)
      for (k = 0; k < w; k += 7) {
        int64_t si = ((i - 3) % 2 + 2) % 2, sk = ((k - 70001) % 150000 + 150000) % 150000;
        bad2 += pd[i * w + k] != (float)(si * 150000 + sk);
      }
    CHECK(bad2 == 0);
  }
  t = nn_tile(nn_transpose(m), reps, 2);
  CHECK(t && t->shape[0] == 450000 && t->shape[1] == 4);
  ts[0] = x;
  ts[1] = nn_flip(x, 0);
  c = nn_concatenate(ts, 2, 0);
  CHECK(c && nn_get_flat(c, n) == (double)(n - 1) && nn_get_flat(c, 2 * n - 1) == 0);
  /* one thread gives the same bytes */
  nn_set_num_threads(1);
  r1 = nn_roll(x, 12345, 0);
  p1 = nn_pad(m, pw, NN_PAD_WRAP, 0);
  t1 = nn_tile(nn_transpose(m), reps, 2);
  nn_set_num_threads(nt);
  CHECK(r1 && memcmp(r1->data, r->data, (size_t)n * 4) == 0);
  CHECK(p && p1 && memcmp(p1->data, p->data, (size_t)p->size * 4) == 0);
  CHECK(t && t1 && memcmp(t1->data, t->data, (size_t)t->size * 4) == 0);
}

static void test_shape_errors(void) {
  int64_t s23[2] = {2, 3}, s24[2] = {2, 4}, s3[1] = {3}, reps[2] = {2, -1}, pw[4] = {1, 1, 0, 0}, pwneg[4] = {1, -1, 0, 0};
  int64_t cnt[2] = {1, 2}, cntneg[3] = {1, -1, 1}, ind[2] = {1, 2};
  nn_tensor *a = nn_zeros(s23, 2, NN_FLOAT32), *b = nn_zeros(s24, 2, NN_FLOAT32), *v = nn_zeros(s3, 1, NN_INT32);
  nn_tensor *z = nn_scalar(1, NN_FLOAT32), *e = nn_zeros(s23, 2, NN_FLOAT32), *outs[8], *ts[3];
  int64_t s03[2] = {0, 3};
  nn_tensor *empty = nn_zeros(s03, 2, NN_FLOAT64);
  (void)e;
  /* concatenate */
  ts[0] = a;
  ts[1] = b;
  CHECK_ERR(nn_concatenate(NULL, 2, 0) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_concatenate(ts, 0, 0) == NULL, NN_ERR_ARG);
  CHECK_ERR(nn_concatenate(ts, 2, 0) == NULL, NN_ERR_SHAPE);
  CHECK(strstr(nn_error(), "nn_concatenate: all the input array dimensions except for the concatenation axis must "
                           "match exactly, but along dimension 1, the array at index 0 has size 3 and the array at "
                           "index 1 has size 4") != NULL);
  ts[1] = v;
  CHECK_ERR(nn_concatenate(ts, 2, 0) == NULL, NN_ERR_SHAPE);
  CHECK(strstr(nn_error(), "the array at index 0 has 2 dimension(s) and the array at index 1 has 1 dimension(s)") != NULL);
  CHECK_ERR(nn_concatenate(ts, 1, 2) == NULL, NN_ERR_AXIS);
  CHECK_ERR(nn_concatenate(ts, 1, -3) == NULL, NN_ERR_AXIS);
  ts[0] = z;
  ts[1] = z;
  CHECK_ERR(nn_concatenate(ts, 2, 0) == NULL, NN_ERR_SHAPE);
  CHECK(strstr(nn_error(), "zero-dimensional arrays cannot be concatenated") != NULL);
  ts[1] = NULL;
  CHECK_ERR(nn_concatenate(ts, 2, NN_ALL_AXES) == NULL, NN_ERR_NULL);
  CHECK(strstr(nn_error(), "ts[1]") != NULL);
  /* stack */
  ts[0] = a;
  ts[1] = b;
  CHECK_ERR(nn_stack(NULL, 1, 0) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_stack(ts, 0, 0) == NULL, NN_ERR_ARG);
  CHECK_ERR(nn_stack(ts, 2, 0) == NULL, NN_ERR_SHAPE);
  CHECK(strstr(nn_error(), "all input arrays must have the same shape") != NULL);
  ts[1] = a;
  CHECK_ERR(nn_stack(ts, 2, 3) == NULL, NN_ERR_AXIS);
  CHECK_ERR(nn_stack(ts, 2, -4) == NULL, NN_ERR_AXIS);
  /* split family */
  CHECK_ERR(nn_split(NULL, 2, 0, outs) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_split(a, 2, 0, NULL) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_split(a, 0, 0, outs) != NN_OK, NN_ERR_VALUE);
  CHECK_ERR(nn_split(a, 2, 1, outs) != NN_OK, NN_ERR_VALUE);
  CHECK(strstr(nn_error(), "array split does not result in an equal division") != NULL);
  CHECK_ERR(nn_split(a, 2, 2, outs) != NN_OK, NN_ERR_AXIS);
  CHECK_ERR(nn_split(z, 1, 0, outs) != NN_OK, NN_ERR_AXIS);
  CHECK_ERR(nn_array_split(a, -1, 0, outs) != NN_OK, NN_ERR_VALUE);
  CHECK_ERR(nn_array_split(a, 2, -3, outs) != NN_OK, NN_ERR_AXIS);
  CHECK_ERR(nn_array_split(NULL, 2, 0, outs) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_split_at(a, NULL, 2, 0, outs) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_split_at(a, ind, -1, 0, outs) != NN_OK, NN_ERR_VALUE);
  CHECK_ERR(nn_split_at(a, ind, 2, 5, outs) != NN_OK, NN_ERR_AXIS);
  CHECK(outs[0] == NULL && outs[2] == NULL);
  CHECK_ERR(nn_split_at(a, ind, 2, 0, NULL) != NN_OK, NN_ERR_NULL);
  /* tile */
  CHECK_ERR(nn_tile(NULL, reps, 1) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_tile(a, NULL, 2) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_tile(a, reps, 2) == NULL, NN_ERR_VALUE);
  CHECK(strstr(nn_error(), "negative dimensions are not allowed") != NULL);
  CHECK_ERR(nn_tile(a, reps, -1) == NULL, NN_ERR_ARG);
  CHECK_ERR(nn_tile(a, reps, NN_MAX_DIMS + 1) == NULL, NN_ERR_ARG);
  {
    int64_t huge[2] = {(int64_t)1 << 40, (int64_t)1 << 40};
    CHECK_ERR(nn_tile(a, huge, 2) == NULL, NN_ERR_SHAPE);
  }
  /* repeat */
  CHECK_ERR(nn_repeat(NULL, 2, 0) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_repeat(a, -1, 0) == NULL, NN_ERR_VALUE);
  CHECK(strstr(nn_error(), "negative dimensions are not allowed") != NULL);
  CHECK_ERR(nn_repeat(a, 2, 2) == NULL, NN_ERR_AXIS);
  CHECK_ERR(nn_repeat(z, 2, 0) == NULL, NN_ERR_AXIS);
  CHECK_ERR(nn_repeat_each(a, cnt, 2, 1) == NULL, NN_ERR_SHAPE);
  CHECK(strstr(nn_error(), "operands could not be broadcast together with shape (3,) (2,)") != NULL);
  CHECK_ERR(nn_repeat_each(a, cntneg, 3, 1) == NULL, NN_ERR_VALUE);
  CHECK(strstr(nn_error(), "repeats may not contain negative values") != NULL);
  CHECK_ERR(nn_repeat_each(a, NULL, 3, 1) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_repeat_each(a, cnt, 0, 1) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_repeat_each(NULL, cnt, 2, 0) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_repeat(a, (int64_t)1 << 60, 0) == NULL, NN_ERR_SHAPE);
  /* pad */
  CHECK_ERR(nn_pad(NULL, pw, NN_PAD_CONSTANT, 0) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_pad(a, NULL, NN_PAD_CONSTANT, 0) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_pad(a, pwneg, NN_PAD_CONSTANT, 0) == NULL, NN_ERR_VALUE);
  CHECK(strstr(nn_error(), "index can't contain negative values") != NULL);
  CHECK_ERR(nn_pad(a, pw, (nn_pad_mode)9, 0) == NULL, NN_ERR_ARG);
  CHECK_ERR(nn_pad(a, pw, (nn_pad_mode)-1, 0) == NULL, NN_ERR_ARG);
  CHECK_ERR(nn_pad(empty, pw, NN_PAD_REFLECT, 0) == NULL, NN_ERR_VALUE);
  CHECK(strstr(nn_error(), "can't extend empty axis 0 using modes other than 'constant' or 'empty'") != NULL);
  CHECK_ERR(nn_pad(empty, pw, NN_PAD_WRAP, 0) == NULL, NN_ERR_VALUE);
  CHECK(nn_pad(empty, pw, NN_PAD_CONSTANT, 0) != NULL);
  CHECK(nn_pad(z, NULL, NN_PAD_EDGE, 0) != NULL); /* 0-d: nothing to pad */
  /* flip / roll */
  CHECK_ERR(nn_flip(NULL, 0) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_flip(a, 2) == NULL, NN_ERR_AXIS);
  CHECK_ERR(nn_flip(z, 0) == NULL, NN_ERR_AXIS);
  CHECK_ERR(nn_roll(NULL, 1, 0) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_roll(a, 1, -3) == NULL, NN_ERR_AXIS);
  CHECK_ERR(nn_roll(z, 1, 0) == NULL, NN_ERR_AXIS);
  /* a NULL input keeps the earlier cause in the message */
  nn_clear_error();
  CHECK_ERR(nn_flip(nn_roll(a, 1, 7), 0) == NULL, NN_ERR_NULL);
  CHECK(strstr(nn_error(), "axis 7 is out of bounds") != NULL);
}

void tests_shape(void) {
  RUN(test_concatenate_ref);
  RUN(test_stack_ref);
  RUN(test_split_ref);
  RUN(test_tile_ref);
  RUN(test_repeat_ref);
  RUN(test_pad_ref);
  RUN(test_flip_ref);
  RUN(test_roll_ref);
  RUN(test_shape_views_write);
  RUN(test_shape_large);
  RUN(test_shape_errors);
}
