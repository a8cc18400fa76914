/* core/create.c: constructors, copies and conversions. */

NNDEF nn_tensor *nn_empty(const int64_t *shape, int ndim, nn_dtype dtype) {
  return nn__new("nn_empty", dtype, shape, ndim);
}

/* Fills a contiguous buffer of n elements with value (converted once). */
NN__PRIVATE void nn__fill_contig(nn_tensor *t, double value) {
  size_t es = nn_dtype_size(t->dtype);
  int64_t i, n = t->size;
  if (value == 0 && !(1 / value < 0)) {
    memset(t->data, 0, (size_t)n * es);
    return;
  }
  switch (t->dtype) {
    case NN_FLOAT32: {
      float v = (float)value, *p = (float *)t->data;
      for (i = 0; i < n; i++) p[i] = v;
      break;
    }
    case NN_FLOAT64: {
      double *p = (double *)t->data;
      for (i = 0; i < n; i++) p[i] = value;
      break;
    }
    case NN_INT32: {
      int32_t v = nn__f2i32(value), *p = (int32_t *)t->data;
      for (i = 0; i < n; i++) p[i] = v;
      break;
    }
    case NN_INT64: {
      int64_t v = nn__f2i64(value), *p = (int64_t *)t->data;
      for (i = 0; i < n; i++) p[i] = v;
      break;
    }
    default: {
      uint8_t v;
      nn__store(t->dtype, &v, value);
      memset(t->data, v, (size_t)n);
      break;
    }
  }
}

NNDEF nn_tensor *nn_full(const int64_t *shape, int ndim, double value, nn_dtype dtype) {
  nn_tensor *t = nn__new("nn_full", dtype, shape, ndim);
  if (t) nn__fill_contig(t, value);
  return t;
}

NNDEF nn_tensor *nn_zeros(const int64_t *shape, int ndim, nn_dtype dtype) {
  nn_tensor *t = nn__new("nn_zeros", dtype, shape, ndim);
  if (t) memset(t->data, 0, (size_t)t->size * nn_dtype_size(dtype));
  return t;
}

NNDEF nn_tensor *nn_ones(const int64_t *shape, int ndim, nn_dtype dtype) {
  nn_tensor *t = nn__new("nn_ones", dtype, shape, ndim);
  if (t) nn__fill_contig(t, 1.0);
  return t;
}

#define NN__LIKE(NAME, EXPR)                                          \
  NNDEF nn_tensor *NAME(const nn_tensor *x) {                         \
    if (nn__check_cpu(#NAME, x, "x") != NN_OK) return NULL;           \
    return EXPR;                                                      \
  }
NN__LIKE(nn_empty_like, nn__new("nn_empty_like", x->dtype, x->shape, x->ndim))
NN__LIKE(nn_zeros_like, nn_zeros(x->shape, x->ndim, x->dtype))
NN__LIKE(nn_ones_like, nn_ones(x->shape, x->ndim, x->dtype))

NNDEF nn_tensor *nn_full_like(const nn_tensor *x, double value) {
  if (nn__check_cpu("nn_full_like", x, "x") != NN_OK) return NULL;
  return nn_full(x->shape, x->ndim, value, x->dtype);
}

NNDEF nn_tensor *nn_scalar(double value, nn_dtype dtype) { return nn_full(NULL, 0, value, dtype); }

NNDEF nn_tensor *nn_arange(double start, double stop, double step, nn_dtype dtype) {
  double len;
  int64_t n, i;
  nn_tensor *t;
  if (!(step != 0) || step != step || start != start || stop != stop) {
    nn__fail(NN_ERR_VALUE, "nn_arange: step must be finite and nonzero and bounds not NaN (start %g, stop %g, step %g)",
             start, stop, step);
    return NULL;
  }
  len = ceil((stop - start) / step);
  if (!(len < 9.0e15)) {
    nn__fail(NN_ERR_VALUE, "nn_arange: too many elements (start %g, stop %g, step %g)", start, stop, step);
    return NULL;
  }
  n = len > 0 ? (int64_t)len : 0;
  t = nn__new("nn_arange", dtype, &n, 1);
  if (!t) return NULL;
  for (i = 0; i < n; i++) nn__store(dtype, (char *)t->data + i * (int64_t)nn_dtype_size(dtype), start + (double)i * step);
  return t;
}

NNDEF nn_tensor *nn_linspace(double start, double stop, int64_t num, int endpoint, nn_dtype dtype) {
  nn_tensor *t;
  int64_t i, div;
  double step;
  if (num < 0) {
    nn__fail(NN_ERR_VALUE, "nn_linspace: number of samples, %lld, must be non-negative", (long long)num);
    return NULL;
  }
  t = nn__new("nn_linspace", dtype, &num, 1);
  if (!t) return NULL;
  div = endpoint ? num - 1 : num;
  step = div > 0 ? (stop - start) / (double)div : 0;
  for (i = 0; i < num; i++) {
    double v = start + (double)i * step;
    if (endpoint && i == num - 1 && num > 1) v = stop;
    nn__store(dtype, (char *)t->data + i * (int64_t)nn_dtype_size(dtype), v);
  }
  return t;
}

NNDEF nn_tensor *nn_eye(int64_t n, int64_t m, int64_t k, nn_dtype dtype) {
  int64_t shape[2], i;
  nn_tensor *t;
  if (m <= 0) m = n;
  shape[0] = n;
  shape[1] = m;
  t = nn__new("nn_eye", dtype, shape, 2);
  if (!t) return NULL;
  memset(t->data, 0, (size_t)t->size * nn_dtype_size(dtype));
  for (i = 0; i < n; i++) {
    int64_t j = i + k;
    if (j >= 0 && j < m) nn__store(dtype, (char *)t->data + (i * m + j) * (int64_t)nn_dtype_size(dtype), 1.0);
  }
  return t;
}

NNDEF nn_tensor *nn_from_data(const void *data, const int64_t *shape, int ndim, nn_dtype dtype) {
  nn_tensor *t;
  if (!data) {
    nn__fail_null("nn_from_data", "data");
    return NULL;
  }
  t = nn__new("nn_from_data", dtype, shape, ndim);
  if (t) memcpy(t->data, data, (size_t)t->size * nn_dtype_size(dtype));
  return t;
}

NNDEF nn_tensor *nn_wrap_strided(void *data, const int64_t *shape, const int64_t *strides, int ndim, nn_dtype dtype) {
  nn_tensor *t;
  nn_storage *s;
  int i;
  if (!data) {
    nn__fail_null("nn_wrap", "data");
    return NULL;
  }
  if (!nn__dtype_valid(dtype)) {
    nn__fail(NN_ERR_DTYPE, "nn_wrap: invalid dtype %d", (int)dtype);
    return NULL;
  }
  if (nn__check_shape("nn_wrap", shape, ndim) != NN_OK) return NULL;
  if (ndim > 0 && !strides) {
    nn__fail_null("nn_wrap_strided", "strides");
    return NULL;
  }
  s = (nn_storage *)NN_MALLOC(sizeof(nn_storage));
  if (!s) {
    nn__fail(NN_ERR_OOM, "nn_wrap: cannot allocate storage record");
    return NULL;
  }
  t = nn__header("nn_wrap", dtype, shape, ndim);
  if (!t) {
    NN_FREE(s);
    return NULL;
  }
  for (i = 0; i < ndim; i++) t->strides[i] = strides[i];
  s->base = data;
  s->nbytes = 0;
  s->refcount = 1;
  s->owned = 0;
  s->device = NN_CPU;
  t->storage = s;
  t->data = data;
  return t;
}

NNDEF nn_tensor *nn_wrap(void *data, const int64_t *shape, int ndim, nn_dtype dtype) {
  int64_t st[NN_MAX_DIMS];
  if (ndim >= 0 && ndim <= NN_MAX_DIMS && (shape || ndim == 0)) nn__contiguous_strides(st, shape, ndim);
  else if (nn__check_shape("nn_wrap", shape, ndim) != NN_OK) return NULL;
  return nn_wrap_strided(data, shape, st, ndim, dtype);
}

NNDEF nn_tensor *nn_astype(const nn_tensor *x, nn_dtype dtype) {
  nn_tensor *t;
  if (nn__check_cpu("nn_astype", x, "x") != NN_OK) return NULL;
  t = nn__new("nn_astype", dtype, x->shape, x->ndim);
  if (t) nn__assign(t, x);
  if (t && nn__ag_wanted1(x)) t = nn__grad_copy(t, x);
  return t;
}

NNDEF nn_tensor *nn_copy(const nn_tensor *x) {
  nn_tensor *t;
  if (nn__check_cpu("nn_copy", x, "x") != NN_OK) return NULL;
  t = nn__new("nn_copy", x->dtype, x->shape, x->ndim);
  if (t) nn__assign(t, x);
  if (t && nn__ag_wanted1(x)) t = nn__grad_copy(t, x);
  return t;
}

NNDEF nn_tensor *nn_contiguous(const nn_tensor *x) {
  if (nn__check_cpu("nn_contiguous", x, "x") != NN_OK) return NULL;
  if (nn_is_contiguous(x)) {
    nn_tensor *v = nn__view("nn_contiguous", x, x->shape, x->strides, x->ndim, x->data);
    if (v && nn__ag_wanted1(x)) v = nn__grad_copy(v, x);
    return v;
  }
  return nn_copy(x);
}

NNDEF nn_status nn_assign(nn_tensor *dst, const nn_tensor *src) {
  char s1[160], s2[160];
  if (nn__check_cpu("nn_assign", dst, "dst") != NN_OK) return nn_last_status();
  if (nn__check_cpu("nn_assign", src, "src") != NN_OK) return nn_last_status();
  if (!nn__can_broadcast_to(src, dst->shape, dst->ndim))
    return nn__fail(NN_ERR_SHAPE, "nn_assign: could not broadcast input array from shape %s into shape %s",
                    nn_shape_str(src, s1, sizeof s1), nn_shape_str(dst, s2, sizeof s2));
  nn__assign(dst, src);
  return NN_OK;
}

NNDEF nn_status nn_fill(nn_tensor *t, double value) {
  nn_tensor *v;
  nn_status st;
  if (nn__check_cpu("nn_fill", t, "t") != NN_OK) return nn_last_status();
  if (nn_is_contiguous(t)) {
    nn__fill_contig(t, value);
    return NN_OK;
  }
  v = nn_scalar(value, t->dtype);
  if (!v) return nn_last_status();
  nn__assign(t, v);
  st = NN_OK;
  nn_free(v);
  return st;
}

NNDEF nn_status nn_copy_to(const nn_tensor *t, void *dst, nn_dtype dst_dtype) {
  nn_tensor *w;
  if (nn__check_cpu("nn_copy_to", t, "t") != NN_OK) return nn_last_status();
  if (!dst) return nn__fail_null("nn_copy_to", "dst");
  w = nn_wrap(dst, t->shape, t->ndim, dst_dtype);
  if (!w) return nn_last_status();
  nn__assign(w, t);
  nn_free(w);
  return NN_OK;
}
