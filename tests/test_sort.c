/* tests/test_sort.c: nn_sort, nn_argsort, nn_topk, nn_unique, nn_searchsorted against NumPy (tests/ref/sort_ref.h),
   plus large inputs that take the parallel paths, checked against a qsort reference and across thread counts.
   The random-number tests (base/random.h) live here too, at the end. */
#include <stdlib.h>
#include "ref/sort_ref.h"

static const void *sref_vals(nn_dtype dt, int64_t off) {
  switch (dt) {
    case NN_FLOAT32: return sref_v_f32 + off;
    case NN_FLOAT64: return sref_v_f64 + off;
    case NN_INT32: return sref_v_i32 + off;
    case NN_INT64: return sref_v_i64 + off;
    case NN_UINT8: return sref_v_u8 + off;
    default: return sref_v_b + off;
  }
}

static nn_tensor *sref_input(nn_dtype dt) {
  int64_t shape[2] = {SREF_R, SREF_C};
  const void *p;
  switch (dt) {
    case NN_FLOAT32: p = sref_in_f32; break;
    case NN_FLOAT64: p = sref_in_f64; break;
    case NN_INT32: p = sref_in_i32; break;
    case NN_INT64: p = sref_in_i64; break;
    case NN_UINT8: p = sref_in_u8; break;
    default: p = sref_in_b; break;
  }
  return nn_from_data(p, shape, 2, dt);
}

/* The views of tools/ref/gen_sort.py: a, a.T, a[::-1, ::2], a[1]. */
static nn_tensor *sref_view(nn_tensor *a, int v) {
  switch (v) {
    case 0: return nn_view(a);
    case 1: return nn_transpose(a);
    case 2: return nn_slice(nn_slice(a, 0, NN_NONE, NN_NONE, -1), 1, NN_NONE, NN_NONE, 2);
    default: return nn_select(a, 0, 1);
  }
}

/* 1 if t is contiguous with exactly n elements equal (bit for bit) to expect. */
static int st_bits_eq(const nn_tensor *t, const void *expect, int64_t n) {
  if (!t || t->size != n || !nn_is_contiguous(t)) return 0;
  return n == 0 || memcmp(t->data, expect, (size_t)n * nn_dtype_size(t->dtype)) == 0;
}

/* Expected output shape of a case: x's shape (axis dim set to k for topk), or (n,) for NN_ALL_AXES. */
static int st_shape_ok(const nn_tensor *r, const nn_tensor *x, int axis, int64_t k, int topk) {
  int64_t shape[NN_MAX_DIMS];
  int i;
  if (axis == SREF_ALL) {
    shape[0] = topk ? k : x->size;
    return nt_shape_is(r, shape, 1);
  }
  for (i = 0; i < x->ndim; i++) shape[i] = x->shape[i];
  if (topk) shape[axis < 0 ? axis + x->ndim : axis] = k;
  return nt_shape_is(r, shape, x->ndim);
}

static void test_sort_numpy_ref(void) {
  int i, nc = (int)(sizeof sref_cases / sizeof sref_cases[0]);
  for (i = 0; i < nc; i++) {
    const sref_case *c = &sref_cases[i];
    nn_tensor *a, *x, *r = NULL, *vals = NULL, *idx = NULL;
    int ok = 1;
    nn_scope_begin();
    a = sref_input(c->dt);
    x = sref_view(a, c->view);
    if (c->op == 0) {
      r = nn_sort(x, c->axis, c->desc);
      ok = st_shape_ok(r, x, c->axis, 0, 0) && st_bits_eq(r, sref_vals(c->dt, c->voff), c->n);
      ok = ok && r->dtype == c->dt;
    } else if (c->op == 1) {
      r = nn_argsort(x, c->axis, c->desc);
      ok = st_shape_ok(r, x, c->axis, 0, 0) && r->dtype == NN_INT64 && st_bits_eq(r, sref_idx + c->ioff, c->n);
    } else {
      nn_status s = nn_topk(x, c->k, c->axis, c->desc, &vals, &idx);
      ok = s == NN_OK && st_shape_ok(vals, x, c->axis, c->k, 1) && st_shape_ok(idx, x, c->axis, c->k, 1) &&
           st_bits_eq(vals, sref_vals(c->dt, c->voff), c->n) && st_bits_eq(idx, sref_idx + c->ioff, c->n);
    }
    nt_checks++;
    if (!ok)
      NT_FAIL("case %d: %s op %d view %d axis %d desc %d k %lld (%s)", i, nn_dtype_name(c->dt), c->op, c->view,
              c->axis, c->desc, (long long)c->k, nn_error());
    nn_scope_end();
  }
}

static void test_unique_numpy_ref(void) {
  int i, nc = (int)(sizeof sref_ucases / sizeof sref_ucases[0]);
  for (i = 0; i < nc; i++) {
    const sref_ucase *c = &sref_ucases[i];
    nn_tensor *a, *x, *u, *u2, *cnt = NULL, *inv = NULL;
    int ok;
    nn_scope_begin();
    a = sref_input(c->dt);
    if (c->which == 0) x = a;
    else if (c->which == 1) x = nn_transpose(a);
    else x = nn_from_data(sref_vals(c->dt, sref_extra_off[c->dt]), &sref_extra_n[c->dt], 1, c->dt);
    u = nn_unique(x, &cnt, &inv);
    u2 = nn_unique(x, NULL, NULL);
    ok = u && u->ndim == 1 && u->dtype == c->dt && st_bits_eq(u, sref_vals(c->dt, c->uoff), c->nu) &&
         st_bits_eq(u2, sref_vals(c->dt, c->uoff), c->nu) && cnt && cnt->ndim == 1 &&
         st_bits_eq(cnt, sref_idx + c->coff, c->nu) && inv && inv->ndim == 1 && st_bits_eq(inv, sref_idx + c->ioff, c->n);
    nt_checks++;
    if (!ok) NT_FAIL("unique case %d: %s which %d (%s)", i, nn_dtype_name(c->dt), c->which, nn_error());
    nn_scope_end();
  }
}

static void test_searchsorted_numpy_ref(void) {
  int i, nc = (int)(sizeof sref_scases / sizeof sref_scases[0]);
  int64_t vshape[2] = {2, 5};
  for (i = 0; i < nc; i++) {
    const sref_scase *c = &sref_scases[i];
    nn_tensor *s, *v, *r;
    nn_scope_begin();
    s = nn_from_data(sref_vals(c->sdt, sref_ss_soff[c->sdt]), &sref_ss_ns[c->sdt], 1, c->sdt);
    v = nn_from_data(sref_vals(c->vdt, sref_ss_voff[c->vdt]), vshape, 2, c->vdt);
    r = nn_searchsorted(s, v, c->right);
    nt_checks++;
    if (!(nt_shape_is(r, vshape, 2) && r->dtype == NN_INT64 && st_bits_eq(r, sref_idx + c->ooff, 10)))
      NT_FAIL("searchsorted case %d: %s in %s right %d (%s)", i, nn_dtype_name(c->vdt), nn_dtype_name(c->sdt),
              c->right, nn_error());
    nn_scope_end();
  }
}

static void test_searchsorted_views(void) {
  /* sorted given as a reversed view of a descending array; values as a transposed view */
  double desc[6] = {9, 7, 7, 4, 1, 0}, vals[6] = {7, 0, 10, 4, -1, 5};
  int64_t n6 = 6, shape[2] = {2, 3}, tshape[2] = {3, 2};
  double left_t[6] = {3, 2, 0, 0, 6, 3}, right_t[6] = {5, 3, 1, 0, 6, 3}; /* sorted = [0,1,4,7,7,9], values.T */
  nn_tensor *d = nn_from_data(desc, &n6, 1, NN_FLOAT64), *s = nn_slice(d, 0, NN_NONE, NN_NONE, -1);
  nn_tensor *v = nn_from_data(vals, shape, 2, NN_FLOAT64), *vt = nn_transpose(v);
  nn_tensor *l = nn_searchsorted(s, vt, 0), *r = nn_searchsorted(s, vt, 1);
  nn_tensor *sc = nn_scalar(7, NN_INT32), *r0 = nn_searchsorted(s, sc, 1);
  nn_tensor *e = nn_zeros(&n6, 0, NN_FLOAT64);
  int64_t zero = 0;
  nn_tensor *ee = nn_zeros(&zero, 1, NN_FLOAT64), *re = nn_searchsorted(ee, v, 0), *rv = nn_searchsorted(s, ee, 0);
  CHECK(nt_shape_is(l, tshape, 2) && nt_shape_is(r, tshape, 2));
  CHECK_TENSOR(l, left_t, 6, 0);
  CHECK_TENSOR(r, right_t, 6, 0);
  CHECK(r0 && r0->ndim == 0 && nn_item(r0) == 5);
  CHECK(re && re->size == 6 && nn_get_flat(re, 5) == 0);
  CHECK(rv && rv->size == 0 && rv->ndim == 1);
  (void)e;
}

/* ---- large inputs: parallel paths against a qsort reference ---- */

typedef struct st_kv {
  double k;
  int64_t i;
  int desc;
} st_kv;

/* Total order of the stable sort: NaN largest, ties by original index. */
static int st_kv_cmp(const void *pa, const void *pb) {
  const st_kv *a = (const st_kv *)pa, *b = (const st_kv *)pb;
  int an = a->k != a->k, bn = b->k != b->k, c = 0;
  if (an || bn) c = an - bn;
  else if (a->k < b->k) c = -1;
  else if (a->k > b->k) c = 1;
  if (a->desc) c = -c;
  if (c) return c;
  return a->i < b->i ? -1 : a->i > b->i;
}

/* Argsort of n doubles (stride st) into out, by qsort on the total order. */
static void st_ref_argsort(const double *x, int64_t n, int64_t st, int desc, int64_t *out) {
  st_kv *kv = (st_kv *)malloc((size_t)(n > 0 ? n : 1) * sizeof(st_kv));
  int64_t i;
  for (i = 0; i < n; i++) {
    kv[i].k = x[i * st];
    kv[i].i = i;
    kv[i].desc = desc;
  }
  qsort(kv, (size_t)n, sizeof(st_kv), st_kv_cmp);
  for (i = 0; i < n; i++) out[i] = kv[i].i;
  free(kv);
}

/* A float32 tensor of the given shape with many ties, some NaNs, infinities and signed zeros. */
static nn_tensor *st_messy(nn_rng *rng, const int64_t *shape, int ndim, nn_dtype dt) {
  nn_tensor *t = nn_randint(rng, -50, 50, shape, ndim, NN_INT64), *f = nn_astype(t, dt);
  int64_t i;
  if (nn__is_float(dt))
    for (i = 0; i < f->size; i += 97) nn_set_flat(f, i, (i / 97) % 4 == 0 ? NAN : (i / 97) % 4 == 1 ? -0.0 : (i / 97) % 4 == 2 ? INFINITY : -INFINITY);
  nn_free(t);
  return f;
}

static void test_sort_large_rows(void) {
  nn_rng rng;
  int64_t shape[2] = {300, 1000};
  nn_dtype dts[3] = {NN_FLOAT32, NN_INT64, NN_UINT8};
  int di, axis, desc;
  nn_rng_seed(&rng, 7);
  for (di = 0; di < 3; di++) {
    nn_tensor *x = st_messy(&rng, shape, 2, dts[di]);
    nn_tensor *xd = nn_astype(x, NN_FLOAT64);
    for (axis = 0; axis < 2; axis++)
      for (desc = 0; desc < 2; desc++) {
        int64_t n = shape[axis], nrow = shape[1 - axis], r, i, bad = 0;
        int64_t *ref = (int64_t *)malloc((size_t)n * sizeof(int64_t));
        nn_tensor *a = nn_argsort(x, axis, desc), *s = nn_sort(x, axis, desc), *a1, *s1;
        nn_tensor *tv = NULL, *ti = NULL;
        nn_set_num_threads(1);
        a1 = nn_argsort(x, axis, desc);
        s1 = nn_sort(x, axis, desc);
        nn_set_num_threads(0);
        CHECK(nn_topk(x, 7, axis, desc, &tv, &ti) == NN_OK);
        for (r = 0; r < nrow && !bad; r++) {
          const double *base = (const double *)xd->data + (axis == 0 ? r : r * shape[1]);
          int64_t st = axis == 0 ? shape[1] : 1, ost = axis == 0 ? shape[1] : 1;
          const int64_t *ai = (const int64_t *)a->data + (axis == 0 ? r : r * shape[1]);
          const int64_t *ki = (const int64_t *)ti->data + (axis == 0 ? r : r * 7);
          st_ref_argsort(base, n, st, desc, ref);
          for (i = 0; i < n; i++) {
            if (ai[i * ost] != ref[i]) bad = 1;
            if (i < 7 && ki[i * (axis == 0 ? shape[1] : 1)] != ref[i]) bad = 2;
          }
        }
        nt_checks++;
        if (bad)
          NT_FAIL("%s axis %d desc %d: mismatch with the qsort reference (%d)", nn_dtype_name(dts[di]), axis, desc,
                  (int)bad);
        CHECK(memcmp(a->data, a1->data, (size_t)a->size * 8) == 0);
        CHECK(memcmp(s->data, s1->data, (size_t)s->size * nn_dtype_size(s->dtype)) == 0);
        free(ref);
        nn_free(a);
        nn_free(s);
        nn_free(a1);
        nn_free(s1);
        nn_free(tv);
        nn_free(ti);
      }
    nn_free(x);
    nn_free(xd);
  }
}

static void test_sort_large_single_row(void) {
  nn_rng rng;
  int64_t n = (1 << 19) + 12345, i;
  int desc, di;
  nn_dtype dts[2] = {NN_FLOAT64, NN_INT32};
  nn_rng_seed(&rng, 11);
  for (di = 0; di < 2; di++) {
    nn_tensor *x = st_messy(&rng, &n, 1, dts[di]), *xd = nn_astype(x, NN_FLOAT64);
    for (desc = 0; desc < 2; desc++) {
      int64_t *ref = (int64_t *)malloc((size_t)n * sizeof(int64_t));
      nn_tensor *a = nn_argsort(x, NN_ALL_AXES, desc), *s = nn_sort(x, 0, desc), *a1, *tv = NULL, *ti = NULL;
      int bad = 0;
      nn_set_num_threads(1);
      a1 = nn_argsort(x, 0, desc);
      nn_set_num_threads(0);
      st_ref_argsort((const double *)xd->data, n, 1, desc, ref);
      for (i = 0; i < n && !bad; i++) {
        if (((int64_t *)a->data)[i] != ref[i]) bad = 1;
        if (nn_get_flat(s, i) != nn_get_flat(x, ref[i]) && nn_get_flat(x, ref[i]) == nn_get_flat(x, ref[i])) bad = 2;
      }
      nt_checks++;
      if (bad) NT_FAIL("single row %s desc %d: mismatch with the qsort reference (%d)", nn_dtype_name(dts[di]), desc, bad);
      CHECK(memcmp(a->data, a1->data, (size_t)n * 8) == 0);
      /* topk on a long row: small k takes the heap path, large k the sort */
      CHECK(nn_topk(x, 100, 0, desc, &tv, &ti) == NN_OK);
      CHECK(ti && memcmp(ti->data, ref, 100 * 8) == 0);
      nn_free(tv);
      nn_free(ti);
      CHECK(nn_topk(x, n / 2, 0, desc, NULL, &ti) == NN_OK);
      CHECK(ti && memcmp(ti->data, ref, (size_t)(n / 2) * 8) == 0);
      nn_free(ti);
      free(ref);
      nn_free(a);
      nn_free(a1);
      nn_free(s);
    }
    nn_free(x);
    nn_free(xd);
  }
}

static void test_topk_heap_rows(void) {
  /* rows longer than 64 with k <= n/8 use the bounded heap: compare with the argsort prefix */
  nn_rng rng;
  int64_t shape[3] = {6, 400, 3};
  int largest, di;
  nn_dtype dts[4] = {NN_FLOAT32, NN_FLOAT64, NN_INT32, NN_INT64};
  nn_rng_seed(&rng, 3);
  for (di = 0; di < 4; di++) {
    nn_tensor *x = st_messy(&rng, shape, 3, dts[di]);
    for (largest = 0; largest < 2; largest++) {
      nn_tensor *v = NULL, *ix = NULL, *a = nn_argsort(x, 1, largest), *pre = nn_slice(a, 1, 0, 20, 1);
      nn_tensor *pc = nn_contiguous(pre), *sv = nn_sort(x, 1, largest), *svp = nn_contiguous(nn_slice(sv, 1, 0, 20, 1));
      CHECK(nn_topk(x, 20, 1, largest, &v, &ix) == NN_OK);
      CHECK(ix && ix->shape[1] == 20 && memcmp(ix->data, pc->data, (size_t)ix->size * 8) == 0);
      CHECK(v && memcmp(v->data, svp->data, (size_t)v->size * nn_dtype_size(v->dtype)) == 0);
    }
  }
}

static void test_unique_large(void) {
  /* long enough for the parallel merge sort; checks: sorted distinct values, counts sum, u[inverse] == x */
  nn_rng rng;
  int64_t n = 300000, i, total = 0;
  int ok = 1;
  nn_tensor *x, *u, *cnt = NULL, *inv = NULL, *u2;
  nn_rng_seed(&rng, 21);
  x = st_messy(&rng, &n, 1, NN_FLOAT64);
  u = nn_unique(x, &cnt, &inv);
  u2 = nn_unique(x, NULL, NULL);
  CHECK(u && cnt && inv && u2 && u->size == u2->size && memcmp(u->data, u2->data, (size_t)u->size * 8) == 0);
  if (!u || !cnt || !inv) return;
  for (i = 0; i < u->size; i++) {
    double a = nn_get_flat(u, i);
    total += (int64_t)nn_get_flat(cnt, i);
    if (i > 0 && !(nn_get_flat(u, i - 1) < a) && a == a) ok = 0;
  }
  CHECK(ok && total == n);
  CHECK(u->size == 103); /* -50..49 (-0.0 joins 0), -inf, inf, one nan */
  for (i = 0, ok = 1; i < n; i++) {
    double a = nn_get_flat(x, i), b = nn_get_flat(u, (int64_t)nn_get_flat(inv, i));
    if (!(a == b || (a != a && b != b))) ok = 0;
  }
  CHECK(ok);
}

static void test_sort_3d_and_broadcast(void) {
  nn_rng rng;
  int64_t shape[3] = {3, 4, 5}, bshape[2] = {4, 6}, one = 6, i, j, k;
  double rowv[6] = {3, 1, 2, 1, 0, 5};
  nn_tensor *x, *s, *row, *b, *sb0, *sb1, *bc, *sbc1;
  int ok = 1;
  nn_rng_seed(&rng, 5);
  x = nn_randint(&rng, 0, 4, shape, 3, NN_INT32);
  s = nn_sort(x, 1, 0);
  /* every fiber along axis 1 is sorted and holds the same multiset */
  for (i = 0; i < 3; i++)
    for (k = 0; k < 5; k++) {
      int cnt_x[4] = {0, 0, 0, 0}, cnt_s[4] = {0, 0, 0, 0};
      for (j = 0; j < 4; j++) {
        int64_t ix[3];
        ix[0] = i;
        ix[1] = j;
        ix[2] = k;
        cnt_x[(int)nn_get(x, ix)]++;
        cnt_s[(int)nn_get(s, ix)]++;
        if (j > 0) {
          int64_t ip[3];
          ip[0] = i;
          ip[1] = j - 1;
          ip[2] = k;
          if (nn_get(s, ip) > nn_get(s, ix)) ok = 0;
        }
      }
      for (j = 0; j < 4; j++)
        if (cnt_x[j] != cnt_s[j]) ok = 0;
    }
  CHECK(ok);
  /* a broadcast view (stride 0) sorts like its contiguous copy */
  row = nn_from_data(rowv, &one, 1, NN_FLOAT64);
  b = nn_broadcast_to(row, bshape, 2);
  bc = nn_copy(b);
  sb0 = nn_argsort(b, 0, 1);
  sb1 = nn_sort(b, 1, 0);
  sbc1 = nn_sort(bc, 1, 0);
  CHECK(sb0 && sb0->size == 24 && nn_get_flat(sb0, 6) == 1 && nn_get_flat(sb0, 23) == 3);
  CHECK(sb1 && sbc1 && memcmp(sb1->data, sbc1->data, 24 * 8) == 0);
  CHECK(nn_get_flat(sb1, 0) == 0 && nn_get_flat(sb1, 5) == 5);
}

static void test_sort_edge_cases(void) {
  int64_t z = 0, sh30[2] = {3, 0};
  nn_tensor *e = nn_zeros(&z, 1, NN_FLOAT32), *e2 = nn_zeros(sh30, 2, NN_INT64), *sc = nn_scalar(2.5, NN_FLOAT64);
  nn_tensor *r, *v = NULL, *ix = NULL, *cnt = NULL, *inv = NULL;
  r = nn_sort(e, 0, 0);
  CHECK(r && r->size == 0 && r->ndim == 1 && r->dtype == NN_FLOAT32);
  r = nn_argsort(e2, 1, 1);
  CHECK(r && nt_shape_is(r, sh30, 2) && r->dtype == NN_INT64);
  r = nn_sort(e2, 0, 0);
  CHECK(r && nt_shape_is(r, sh30, 2));
  r = nn_sort(sc, NN_ALL_AXES, 0);
  CHECK(r && r->ndim == 1 && r->size == 1 && nn_get_flat(r, 0) == 2.5);
  CHECK(nn_topk(e2, 0, 1, 1, &v, &ix) == NN_OK && v && ix && nt_shape_is(v, sh30, 2));
  CHECK(nn_topk(sc, 1, NN_ALL_AXES, 1, &v, NULL) == NN_OK && v && v->size == 1 && nn_item(v) == 2.5);
  r = nn_unique(e2, &cnt, &inv);
  CHECK(r && r->size == 0 && r->ndim == 1 && cnt && cnt->size == 0 && inv && inv->size == 0);
  r = nn_unique(sc, &cnt, &inv);
  CHECK(r && r->size == 1 && nn_get_flat(cnt, 0) == 1 && nn_get_flat(inv, 0) == 0);
}

static void test_sort_errors(void) {
  int64_t sh[2] = {2, 3};
  nn_tensor *x = nn_zeros(sh, 2, NN_FLOAT32), *sc = nn_scalar(1, NN_INT32), *v = NULL, *ix = NULL, *cnt = NULL;
  CHECK_ERR(nn_sort(NULL, 0, 0) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_argsort(NULL, 0, 0) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_sort(x, 2, 0) == NULL, NN_ERR_AXIS);
  CHECK(strstr(nn_error(), "nn_sort") && strstr(nn_error(), "axis 2 is out of bounds"));
  CHECK_ERR(nn_argsort(x, -3, 1) == NULL, NN_ERR_AXIS);
  CHECK_ERR(nn_sort(sc, 0, 0) == NULL, NN_ERR_AXIS);
  CHECK_ERR(nn_sort(sc, -1, 0) == NULL, NN_ERR_AXIS);
  CHECK_ERR(nn_topk(x, 4, 1, 1, &v, &ix) != NN_OK, NN_ERR_INDEX);
  CHECK(v == NULL && ix == NULL && strstr(nn_error(), "nn_topk"));
  CHECK_ERR(nn_topk(x, -1, 1, 1, &v, &ix) != NN_OK, NN_ERR_INDEX);
  CHECK_ERR(nn_topk(x, 1, 2, 1, &v, &ix) != NN_OK, NN_ERR_AXIS);
  CHECK_ERR(nn_topk(x, 1, 1, 1, NULL, NULL) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_topk(NULL, 1, 1, 1, &v, &ix) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_unique(NULL, &cnt, NULL) == NULL, NN_ERR_NULL);
  CHECK(cnt == NULL);
  CHECK_ERR(nn_searchsorted(x, sc, 0) == NULL, NN_ERR_SHAPE);
  CHECK(strstr(nn_error(), "1-D") != NULL);
  CHECK_ERR(nn_searchsorted(NULL, sc, 0) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_searchsorted(sc, NULL, 0) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_searchsorted(sc, sc, 0) == NULL, NN_ERR_SHAPE);
  CHECK(nn_live_tensors() > 0);
}


/* ---- random numbers (base/random.h) ---- */

static void test_rng_known_values(void) {
  /* splitmix64-seeded xoshiro256** with seed 42, from an independent Python implementation of the two algorithms */
  static const uint64_t expect[6] = {0x15780B2E0C2EC716ULL, 0x6104D9866D113A7EULL, 0xAE17533239E499A1ULL,
                                     0xECB8AD4703B360A1ULL, 0xFDE6DC7FE2EC5E64ULL, 0xC50DA53101795238ULL};
  nn_rng r;
  int i;
  nn_rng_seed(&r, 42);
  for (i = 0; i < 6; i++) CHECK(nn_rng_next(&r) == expect[i]);
  nn_rng_seed(&r, 42);
  CHECK(nn_rng_uniform(&r) == 0.08386297105988216);
  CHECK(r.has_spare == 0);
}

static void test_rng_determinism(void) {
  nn_rng a, b, c;
  int64_t shape[2] = {100, 37};
  nn_tensor *x1, *x2, *y1, *y2, *z;
  nn_rng_seed(&a, 123);
  nn_rng_seed(&b, 123);
  nn_rng_seed(&c, 124);
  x1 = nn_rand(&a, shape, 2, NN_FLOAT32);
  y1 = nn_randn(&a, shape, 2, NN_FLOAT64);
  nn_set_num_threads(1);
  x2 = nn_rand(&b, shape, 2, NN_FLOAT32);
  y2 = nn_randn(&b, shape, 2, NN_FLOAT64);
  nn_set_num_threads(0);
  z = nn_rand(&c, shape, 2, NN_FLOAT32);
  CHECK(x1 && x2 && memcmp(x1->data, x2->data, (size_t)x1->size * 4) == 0);
  CHECK(y1 && y2 && memcmp(y1->data, y2->data, (size_t)y1->size * 8) == 0);
  CHECK(z && memcmp(x1->data, z->data, (size_t)z->size * 4) != 0);
  CHECK(memcmp(a.s, b.s, sizeof a.s) == 0);
  /* a scalar normal draw keeps its pair partner for the next call, and tensors continue the same stream */
  nn_rng_seed(&a, 9);
  nn_rng_seed(&b, 9);
  {
    double n0 = nn_rng_normal(&a), n1 = nn_rng_normal(&a), n2 = nn_rng_normal(&a);
    int64_t three = 3;
    nn_tensor *t = nn_randn(&b, &three, 1, NN_FLOAT64);
    CHECK(t && nn_get_flat(t, 0) == n0 && nn_get_flat(t, 1) == n1 && nn_get_flat(t, 2) == n2);
  }
}

static void st_moments(const nn_tensor *t, double *mean, double *var, double *mn, double *mx) {
  int64_t i;
  double s = 0, s2 = 0;
  *mn = INFINITY;
  *mx = -INFINITY;
  for (i = 0; i < t->size; i++) {
    double v = nn_get_flat(t, i);
    s += v;
    if (v < *mn) *mn = v;
    if (v > *mx) *mx = v;
  }
  *mean = s / (double)t->size;
  for (i = 0; i < t->size; i++) {
    double d = nn_get_flat(t, i) - *mean;
    s2 += d * d;
  }
  *var = s2 / (double)t->size;
}

static void test_rng_moments(void) {
  nn_rng r;
  int64_t n = 1000000;
  double m, v, lo, hi;
  nn_tensor *t;
  int64_t counts[7] = {0, 0, 0, 0, 0, 0, 0}, i;
  int ok = 1;
  nn_rng_seed(&r, 2024);
  t = nn_rand(&r, &n, 1, NN_FLOAT64);
  st_moments(t, &m, &v, &lo, &hi);
  CHECK(fabs(m - 0.5) < 0.002 && fabs(v - 1.0 / 12) < 0.001 && lo >= 0 && hi < 1);
  nn_free(t);
  t = nn_rand(&r, &n, 1, NN_FLOAT32);
  st_moments(t, &m, &v, &lo, &hi);
  CHECK(fabs(m - 0.5) < 0.002 && fabs(v - 1.0 / 12) < 0.001 && lo >= 0 && hi < 1 && t->dtype == NN_FLOAT32);
  nn_free(t);
  t = nn_uniform(&r, -2, 5, &n, 1, NN_FLOAT32);
  st_moments(t, &m, &v, &lo, &hi);
  CHECK(fabs(m - 1.5) < 0.01 && fabs(v - 49.0 / 12) < 0.02 && lo >= -2 && hi < 5);
  nn_free(t);
  t = nn_randn(&r, &n, 1, NN_FLOAT64);
  st_moments(t, &m, &v, &lo, &hi);
  CHECK(fabs(m) < 0.005 && fabs(v - 1) < 0.01 && lo < -4 && hi > 4);
  nn_free(t);
  t = nn_normal(&r, 3, 2, &n, 1, NN_FLOAT32);
  st_moments(t, &m, &v, &lo, &hi);
  CHECK(fabs(m - 3) < 0.01 && fabs(v - 4) < 0.04);
  nn_free(t);
  t = nn_randint(&r, -3, 4, &n, 1, NN_INT32);
  st_moments(t, &m, &v, &lo, &hi);
  CHECK(fabs(m) < 0.01 && fabs(v - 4) < 0.02 && lo == -3 && hi == 3 && t->dtype == NN_INT32);
  for (i = 0; i < n; i++) counts[(int)nn_get_flat(t, i) + 3]++;
  for (i = 0; i < 7; i++)
    if (fabs((double)counts[i] / (double)n - 1.0 / 7) > 0.003) ok = 0;
  CHECK(ok);
  nn_free(t);
  t = nn_randint(&r, 0, 256, &n, 1, NN_UINT8);
  st_moments(t, &m, &v, &lo, &hi);
  CHECK(lo == 0 && hi == 255 && fabs(m - 127.5) < 0.5);
  nn_free(t);
  t = nn_randint(&r, 0, 2, &n, 1, NN_BOOL);
  st_moments(t, &m, &v, &lo, &hi);
  CHECK(lo == 0 && hi == 1 && fabs(m - 0.5) < 0.005 && t->dtype == NN_BOOL);
  nn_free(t);
  t = nn_randint(&r, INT64_MIN, INT64_MAX, &n, 1, NN_INT64);
  st_moments(t, &m, &v, &lo, &hi);
  CHECK(t && lo < -9e18 && hi > 9e18);
  nn_free(t);
  /* scalar draws */
  ok = 1;
  for (i = 0; i < 10000; i++) {
    int64_t k = nn_rng_int(&r, -5, 5), big = nn_rng_int(&r, INT64_MIN + 1, INT64_MAX);
    if (k < -5 || k >= 5 || big == INT64_MIN) ok = 0;
  }
  CHECK(ok);
}

static void test_rng_permutation_choice(void) {
  nn_rng r;
  nn_tensor *p, *s, *c;
  int64_t i;
  int ok = 1;
  nn_rng_seed(&r, 77);
  p = nn_permutation(&r, 1000);
  s = nn_sort(p, 0, 0);
  for (i = 0; i < 1000; i++)
    if (nn_get_flat(s, i) != (double)i) ok = 0;
  CHECK(p && p->dtype == NN_INT64 && ok);
  CHECK(nn_get_flat(p, 0) != 0 || nn_get_flat(p, 1) != 1 || nn_get_flat(p, 2) != 2);
  p = nn_permutation(&r, 0);
  CHECK(p && p->size == 0 && p->ndim == 1);
  /* without replacement: both the partial shuffle (n <= 4k) and the hashed path (k << n) give distinct values */
  c = nn_choice(&r, 50, 40, 0);
  s = nn_sort(c, 0, 0);
  for (i = 1, ok = 1; i < 40; i++)
    if (nn_get_flat(s, i) <= nn_get_flat(s, i - 1)) ok = 0;
  CHECK(c && c->size == 40 && ok && nn_get_flat(s, 0) >= 0 && nn_get_flat(s, 39) < 50);
  c = nn_choice(&r, 1000000, 2000, 0);
  s = nn_sort(c, 0, 0);
  for (i = 1, ok = 1; i < 2000; i++)
    if (nn_get_flat(s, i) <= nn_get_flat(s, i - 1)) ok = 0;
  CHECK(c && c->size == 2000 && ok && nn_get_flat(s, 0) >= 0 && nn_get_flat(s, 1999) < 1000000);
  c = nn_choice(&r, 3, 1000, 1);
  s = nn_unique(c, NULL, NULL);
  CHECK(c && c->size == 1000 && s && s->size == 3 && nn_get_flat(s, 2) == 2);
  c = nn_choice(&r, 0, 0, 0);
  CHECK(c && c->size == 0);
}

/* Rows of a shuffled (rows x 3) array stay whole: row i of the original is (10i, 10i+1, 10i+2). */
static int st_rows_whole(const nn_tensor *x, int64_t rows) {
  int64_t i, seen[64];
  int64_t ix[2];
  memset(seen, 0, sizeof seen);
  for (i = 0; i < rows; i++) {
    double b;
    ix[0] = i;
    ix[1] = 0;
    b = nn_get(x, ix);
    ix[1] = 1;
    if (nn_get(x, ix) != b + 1) return 0;
    ix[1] = 2;
    if (nn_get(x, ix) != b + 2) return 0;
    if (b < 0 || b >= rows * 10 || seen[(int)b / 10]++) return 0;
  }
  return 1;
}

static void test_rng_shuffle(void) {
  nn_rng r;
  int64_t shape[2] = {40, 3}, tshape[2] = {3, 40}, i, j, n = 40;
  nn_tensor *x = nn_empty(shape, 2, NN_INT32), *y = nn_empty(tshape, 2, NN_FLOAT64), *yt, *v, *vs;
  int moved = 0;
  nn_rng_seed(&r, 5);
  for (i = 0; i < 40; i++)
    for (j = 0; j < 3; j++) {
      int64_t ix[2];
      ix[0] = i;
      ix[1] = j;
      nn_set(x, ix, (double)(10 * i + j));
      ix[0] = j;
      ix[1] = i;
      nn_set(y, ix, (double)(10 * i + j));
    }
  CHECK(nn_shuffle(&r, x) == NN_OK && st_rows_whole(x, 40));
  for (i = 0; i < 40; i++) {
    int64_t ix[2];
    ix[0] = i;
    ix[1] = 0;
    if (nn_get(x, ix) != (double)(10 * i)) moved = 1;
  }
  CHECK(moved);
  yt = nn_transpose(y); /* non-contiguous rows */
  CHECK(nn_shuffle(&r, yt) == NN_OK && st_rows_whole(yt, 40));
  /* 1-D view with a negative stride */
  v = nn_slice(nn_arange(0, 40, 1, NN_INT64), 0, NN_NONE, NN_NONE, -1);
  CHECK(nn_shuffle(&r, v) == NN_OK);
  vs = nn_sort(v, 0, 0);
  for (i = 0, moved = 1; i < n; i++)
    if (nn_get_flat(vs, i) != (double)i) moved = 0;
  CHECK(moved);
}

static void test_rng_errors(void) {
  nn_rng r;
  int64_t n = 4, neg = -1;
  nn_tensor *sc = nn_scalar(1, NN_FLOAT32);
  nn_rng_seed(&r, 1);
  nn_clear_error();
  nn_rng_seed(NULL, 1);
  CHECK_ERR(1, NN_ERR_NULL);
  CHECK_ERR(nn_rng_next(NULL) == 0, NN_ERR_NULL);
  CHECK_ERR(isnan(nn_rng_uniform(NULL)), NN_ERR_NULL);
  CHECK_ERR(isnan(nn_rng_normal(NULL)), NN_ERR_NULL);
  CHECK_ERR(nn_rng_int(NULL, 0, 5) == 0, NN_ERR_NULL);
  CHECK_ERR(nn_rng_int(&r, 5, 5) == 5, NN_ERR_VALUE);
  CHECK(strstr(nn_error(), "low >= high") != NULL);
  CHECK_ERR(nn_rand(NULL, &n, 1, NN_FLOAT32) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_rand(&r, &n, 1, NN_INT32) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_rand(&r, &neg, 1, NN_FLOAT32) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_randn(NULL, &n, 1, NN_FLOAT32) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_randn(&r, &n, 1, NN_UINT8) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_uniform(&r, 2, 1, &n, 1, NN_FLOAT64) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_uniform(&r, 0, INFINITY, &n, 1, NN_FLOAT64) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_uniform(NULL, 0, 1, &n, 1, NN_FLOAT64) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_normal(&r, 0, -1, &n, 1, NN_FLOAT64) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_normal(NULL, 0, 1, &n, 1, NN_FLOAT64) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_randint(&r, 3, 3, &n, 1, NN_INT64) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_randint(&r, 0, 257, &n, 1, NN_UINT8) == NULL, NN_ERR_VALUE);
  CHECK(strstr(nn_error(), "high is out of bounds for uint8") != NULL);
  CHECK_ERR(nn_randint(&r, -1, 2, &n, 1, NN_UINT8) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_randint(&r, (int64_t)INT32_MIN - 1, 0, &n, 1, NN_INT32) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_randint(&r, 0, 3, &n, 1, NN_BOOL) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_randint(&r, 0, 3, &n, 1, NN_FLOAT32) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_randint(NULL, 0, 3, &n, 1, NN_INT32) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_permutation(&r, -1) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_permutation(NULL, 3) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_choice(&r, 3, 4, 0) == NULL, NN_ERR_VALUE);
  CHECK(strstr(nn_error(), "larger sample than population") != NULL);
  CHECK_ERR(nn_choice(&r, 0, 1, 1) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_choice(&r, 5, -1, 1) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_choice(NULL, 5, 1, 1) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_shuffle(&r, sc) != NN_OK, NN_ERR_SHAPE);
  CHECK_ERR(nn_shuffle(&r, NULL) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_shuffle(NULL, sc) != NN_OK, NN_ERR_NULL);
}

void tests_sort(void) {
  RUN(test_sort_numpy_ref);
  RUN(test_unique_numpy_ref);
  RUN(test_searchsorted_numpy_ref);
  RUN(test_searchsorted_views);
  RUN(test_sort_large_rows);
  RUN(test_sort_large_single_row);
  RUN(test_topk_heap_rows);
  RUN(test_unique_large);
  RUN(test_sort_3d_and_broadcast);
  RUN(test_sort_edge_cases);
  RUN(test_sort_errors);
  RUN(test_rng_known_values);
  RUN(test_rng_determinism);
  RUN(test_rng_moments);
  RUN(test_rng_permutation_choice);
  RUN(test_rng_shuffle);
  RUN(test_rng_errors);
}
