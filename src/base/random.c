/* base/random.c: xoshiro256** with splitmix64 seeding, and the tensor samplers built on it. Everything draws
   sequentially from the caller's state, so results never depend on threads. */

NN__PRIVATE uint64_t nn__rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

NN__PRIVATE uint64_t nn__splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* The generator step without argument checks (r is known to be valid). */
NN__PRIVATE uint64_t nn__rng_u64(nn_rng *r) {
  uint64_t *s = r->s;
  uint64_t result = nn__rotl64(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = nn__rotl64(s[3], 45);
  return result;
}

NN__PRIVATE double nn__rng_f64(nn_rng *r) { return (double)(nn__rng_u64(r) >> 11) * (1.0 / 9007199254740992.0); }
NN__PRIVATE float nn__rng_f32(nn_rng *r) { return (float)(nn__rng_u64(r) >> 40) * (1.0f / 16777216.0f); }

/* High and low 64-bit halves of a * b, portably (no 128-bit type needed). */
NN__PRIVATE void nn__mul64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo) {
  uint64_t a0 = a & 0xFFFFFFFFu, a1 = a >> 32, b0 = b & 0xFFFFFFFFu, b1 = b >> 32;
  uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  uint64_t mid = (p00 >> 32) + (p01 & 0xFFFFFFFFu) + (p10 & 0xFFFFFFFFu);
  *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
  *lo = a * b;
}

/* Uniform in [0, range) for range >= 1 (range 0 means 2^64), without bias: Lemire's nearly divisionless method. */
NN__PRIVATE uint64_t nn__rng_below(nn_rng *r, uint64_t range) {
  uint64_t hi, lo;
  if (range == 0) return nn__rng_u64(r);
  nn__mul64(nn__rng_u64(r), range, &hi, &lo);
  if (lo < range) {
    uint64_t t = (0 - range) % range;
    while (lo < t) nn__mul64(nn__rng_u64(r), range, &hi, &lo);
  }
  return hi;
}

/* A normal pair by Marsaglia's polar method: returns one, stores the other. */
NN__PRIVATE double nn__rng_gauss(nn_rng *r, double *other) {
  double u, v, s, m;
  do {
    u = 2.0 * nn__rng_f64(r) - 1.0;
    v = 2.0 * nn__rng_f64(r) - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  m = sqrt(-2.0 * log(s) / s);
  *other = v * m;
  return u * m;
}

NN__PRIVATE double nn__rng_normal1(nn_rng *r) {
  if (r->has_spare) {
    r->has_spare = 0;
    return r->spare;
  }
  r->has_spare = 1;
  return nn__rng_gauss(r, &r->spare);
}

NNDEF void nn_rng_seed(nn_rng *r, uint64_t seed) {
  uint64_t x = seed;
  int i;
  if (!r) {
    nn__fail_null("nn_rng_seed", "r");
    return;
  }
  for (i = 0; i < 4; i++) r->s[i] = nn__splitmix64(&x);
  r->has_spare = 0;
  r->spare = 0;
}

NNDEF uint64_t nn_rng_next(nn_rng *r) {
  if (!r) {
    nn__fail_null("nn_rng_next", "r");
    return 0;
  }
  return nn__rng_u64(r);
}

NNDEF double nn_rng_uniform(nn_rng *r) {
  if (!r) {
    nn__fail_null("nn_rng_uniform", "r");
    return NAN;
  }
  return nn__rng_f64(r);
}

NNDEF double nn_rng_normal(nn_rng *r) {
  if (!r) {
    nn__fail_null("nn_rng_normal", "r");
    return NAN;
  }
  return nn__rng_normal1(r);
}

NNDEF int64_t nn_rng_int(nn_rng *r, int64_t lo, int64_t hi) {
  if (!r) {
    nn__fail_null("nn_rng_int", "r");
    return lo;
  }
  if (lo >= hi) {
    nn__fail(NN_ERR_VALUE, "nn_rng_int: low >= high (low = %lld, high = %lld)", (long long)lo, (long long)hi);
    return lo;
  }
  return (int64_t)((uint64_t)lo + nn__rng_below(r, (uint64_t)hi - (uint64_t)lo));
}

/* Shared checks of the float samplers: rng present, float dtype, valid shape; returns the new tensor. */
NN__PRIVATE nn_tensor *nn__rng_new_float(const char *op, nn_rng *r, const int64_t *shape, int ndim, nn_dtype dtype) {
  if (!r) {
    nn__fail_null(op, "r");
    return NULL;
  }
  if (dtype != NN_FLOAT32 && dtype != NN_FLOAT64) {
    nn__fail(NN_ERR_DTYPE, "%s: unsupported dtype %s for random floats (use float32 or float64)", op,
             nn_dtype_name(dtype));
    return NULL;
  }
  return nn__new(op, dtype, shape, ndim);
}

NNDEF nn_tensor *nn_rand(nn_rng *r, const int64_t *shape, int ndim, nn_dtype dtype) {
  nn_tensor *t = nn__rng_new_float("nn_rand", r, shape, ndim, dtype);
  int64_t i;
  if (!t) return NULL;
  if (dtype == NN_FLOAT32) {
    float *p = (float *)t->data;
    for (i = 0; i < t->size; i++) p[i] = nn__rng_f32(r);
  } else {
    double *p = (double *)t->data;
    for (i = 0; i < t->size; i++) p[i] = nn__rng_f64(r);
  }
  return t;
}

NNDEF nn_tensor *nn_uniform(nn_rng *r, double lo, double hi, const int64_t *shape, int ndim, nn_dtype dtype) {
  nn_tensor *t;
  double w = hi - lo;
  int64_t i;
  if (!(lo <= hi) || !isfinite(w)) {
    nn__fail(NN_ERR_VALUE, "nn_uniform: need finite low <= high with a finite range, got low = %g, high = %g", lo, hi);
    return NULL;
  }
  t = nn__rng_new_float("nn_uniform", r, shape, ndim, dtype);
  if (!t) return NULL;
  if (dtype == NN_FLOAT32) {
    float *p = (float *)t->data;
    for (i = 0; i < t->size; i++) {
      float v = (float)(lo + w * nn__rng_f64(r));
      /* rounding to float32 may reach hi: step back below it to keep the interval half-open */
      while ((double)v >= hi && (double)v > lo) v = nextafterf(v, -HUGE_VALF);
      p[i] = v;
    }
  } else {
    double *p = (double *)t->data;
    for (i = 0; i < t->size; i++) {
      double v = lo + w * nn__rng_f64(r);
      if (v >= hi && v > lo) v = nextafter(hi, lo);
      p[i] = v;
    }
  }
  return t;
}

/* Fills t (float32/float64, contiguous) with mean + std * z, drawing pairs sequentially. */
NN__PRIVATE void nn__rng_fill_normal(nn_rng *r, nn_tensor *t, double mean, double std) {
  int64_t i, n = t->size;
  double a, b;
  if (t->dtype == NN_FLOAT32) {
    float *p = (float *)t->data;
    for (i = 0; i < n && r->has_spare; i++) p[i] = (float)(mean + std * nn__rng_normal1(r));
    for (; i + 1 < n; i += 2) {
      a = nn__rng_gauss(r, &b);
      p[i] = (float)(mean + std * a);
      p[i + 1] = (float)(mean + std * b);
    }
    if (i < n) p[i] = (float)(mean + std * nn__rng_normal1(r));
  } else {
    double *p = (double *)t->data;
    for (i = 0; i < n && r->has_spare; i++) p[i] = mean + std * nn__rng_normal1(r);
    for (; i + 1 < n; i += 2) {
      a = nn__rng_gauss(r, &b);
      p[i] = mean + std * a;
      p[i + 1] = mean + std * b;
    }
    if (i < n) p[i] = mean + std * nn__rng_normal1(r);
  }
}

NNDEF nn_tensor *nn_randn(nn_rng *r, const int64_t *shape, int ndim, nn_dtype dtype) {
  nn_tensor *t = nn__rng_new_float("nn_randn", r, shape, ndim, dtype);
  if (t) nn__rng_fill_normal(r, t, 0.0, 1.0);
  return t;
}

NNDEF nn_tensor *nn_normal(nn_rng *r, double mean, double std, const int64_t *shape, int ndim, nn_dtype dtype) {
  nn_tensor *t;
  if (!(std >= 0) || !isfinite(std) || !isfinite(mean)) {
    nn__fail(NN_ERR_VALUE, "nn_normal: scale < 0 or not finite (mean = %g, std = %g)", mean, std);
    return NULL;
  }
  t = nn__rng_new_float("nn_normal", r, shape, ndim, dtype);
  if (t) nn__rng_fill_normal(r, t, mean, std);
  return t;
}

NNDEF nn_tensor *nn_randint(nn_rng *r, int64_t lo, int64_t hi, const int64_t *shape, int ndim, nn_dtype dtype) {
  nn_tensor *t;
  int64_t i, n, dmin, dmax;
  uint64_t range;
  if (!r) {
    nn__fail_null("nn_randint", "r");
    return NULL;
  }
  switch (dtype) {
    case NN_INT32: dmin = INT32_MIN; dmax = INT32_MAX; break;
    case NN_INT64: dmin = INT64_MIN; dmax = INT64_MAX; break;
    case NN_UINT8: dmin = 0; dmax = 255; break;
    case NN_BOOL: dmin = 0; dmax = 1; break;
    default:
      nn__fail(NN_ERR_DTYPE, "nn_randint: unsupported dtype %s (use an integer dtype or bool)", nn_dtype_name(dtype));
      return NULL;
  }
  if (lo >= hi) {
    nn__fail(NN_ERR_VALUE, "nn_randint: low >= high (low = %lld, high = %lld)", (long long)lo, (long long)hi);
    return NULL;
  }
  if (lo < dmin) {
    nn__fail(NN_ERR_VALUE, "nn_randint: low is out of bounds for %s (low = %lld)", nn_dtype_name(dtype), (long long)lo);
    return NULL;
  }
  if (hi - 1 > dmax) {
    nn__fail(NN_ERR_VALUE, "nn_randint: high is out of bounds for %s (high = %lld)", nn_dtype_name(dtype),
             (long long)hi);
    return NULL;
  }
  t = nn__new("nn_randint", dtype, shape, ndim);
  if (!t) return NULL;
  n = t->size;
  range = (uint64_t)hi - (uint64_t)lo;
  switch (dtype) {
    case NN_INT32: {
      int32_t *p = (int32_t *)t->data;
      for (i = 0; i < n; i++) p[i] = (int32_t)(lo + (int64_t)nn__rng_below(r, range));
      break;
    }
    case NN_INT64: {
      int64_t *p = (int64_t *)t->data;
      for (i = 0; i < n; i++) p[i] = (int64_t)((uint64_t)lo + nn__rng_below(r, range));
      break;
    }
    default: {
      uint8_t *p = (uint8_t *)t->data;
      for (i = 0; i < n; i++) p[i] = (uint8_t)(lo + (int64_t)nn__rng_below(r, range));
      break;
    }
  }
  return t;
}

NNDEF nn_tensor *nn_permutation(nn_rng *r, int64_t n) {
  nn_tensor *t;
  int64_t i, *p;
  if (!r) {
    nn__fail_null("nn_permutation", "r");
    return NULL;
  }
  if (n < 0) {
    nn__fail(NN_ERR_VALUE, "nn_permutation: negative dimensions are not allowed (n = %lld)", (long long)n);
    return NULL;
  }
  t = nn__new("nn_permutation", NN_INT64, &n, 1);
  if (!t) return NULL;
  p = (int64_t *)t->data;
  for (i = 0; i < n; i++) p[i] = i;
  for (i = n - 1; i > 0; i--) {
    int64_t j = (int64_t)nn__rng_below(r, (uint64_t)i + 1), tmp = p[i];
    p[i] = p[j];
    p[j] = tmp;
  }
  return t;
}

/* Swaps the sub-arrays at byte addresses a and b, both with x's geometry below axis 0 (axes 1..ndim-1). */
NN__PRIVATE void nn__swap_sub(const nn_tensor *x, char *a, char *b) {
  int64_t idx[NN_MAX_DIMS], i, inner, st, off;
  size_t es = nn_dtype_size(x->dtype);
  int nd = x->ndim, d;
  if (nd == 1) {
    inner = 1;
    st = 0;
  } else {
    inner = x->shape[nd - 1];
    st = x->strides[nd - 1] * (int64_t)es;
  }
  for (d = 0; d < nd; d++) idx[d] = 0;
  for (;;) {
    off = 0;
    for (d = 1; d < nd - 1; d++) off += idx[d] * x->strides[d];
    off *= (int64_t)es;
    for (i = 0; i < inner; i++) {
      char *pa = a + off + i * st, *pb = b + off + i * st;
      if (es == 8) {
        uint64_t t;
        memcpy(&t, pa, 8);
        memcpy(pa, pb, 8);
        memcpy(pb, &t, 8);
      } else if (es == 4) {
        uint32_t t;
        memcpy(&t, pa, 4);
        memcpy(pa, pb, 4);
        memcpy(pb, &t, 4);
      } else {
        char t = *pa;
        *pa = *pb;
        *pb = t;
      }
    }
    for (d = nd - 2; d >= 1; d--) {
      if (++idx[d] < x->shape[d]) break;
      idx[d] = 0;
    }
    if (d < 1) break;
  }
}

NNDEF nn_status nn_shuffle(nn_rng *r, nn_tensor *x) {
  int64_t i, n, rowbytes = 0;
  size_t es;
  int contig_rows = 0, d;
  char *buf = NULL;
  if (!r) return nn__fail_null("nn_shuffle", "r");
  if (nn__check_cpu("nn_shuffle", x, "x") != NN_OK) return nn_last_status();
  if (x->ndim == 0) return nn__fail(NN_ERR_SHAPE, "nn_shuffle: cannot shuffle a 0-d array (it has no axis 0)");
  n = x->shape[0];
  if (n <= 1 || x->size == 0) return NN_OK;
  es = nn_dtype_size(x->dtype);
  /* Rows that are contiguous blocks are swapped with memcpy through a buffer. */
  if (x->ndim > 1) {
    int64_t s = 1;
    contig_rows = 1;
    for (d = x->ndim - 1; d >= 1; d--) {
      if (x->shape[d] != 1 && x->strides[d] != s) contig_rows = 0;
      s *= x->shape[d];
    }
    rowbytes = s * (int64_t)es;
    if (contig_rows) {
      buf = (char *)nn__xalloc("nn_shuffle", (size_t)rowbytes);
      if (!buf) return nn_last_status();
    }
  }
  for (i = n - 1; i > 0; i--) {
    int64_t j = (int64_t)nn__rng_below(r, (uint64_t)i + 1);
    char *a, *b;
    if (j == i) continue;
    a = (char *)x->data + i * x->strides[0] * (int64_t)es;
    b = (char *)x->data + j * x->strides[0] * (int64_t)es;
    if (contig_rows) {
      memcpy(buf, a, (size_t)rowbytes);
      memcpy(a, b, (size_t)rowbytes);
      memcpy(b, buf, (size_t)rowbytes);
    } else {
      nn__swap_sub(x, a, b);
    }
  }
  nn__dealloc(buf);
  return NN_OK;
}

NNDEF nn_tensor *nn_choice(nn_rng *r, int64_t n, int64_t k, int replace) {
  nn_tensor *t;
  int64_t i, *p;
  if (!r) {
    nn__fail_null("nn_choice", "r");
    return NULL;
  }
  if (n < 0 || k < 0) {
    nn__fail(NN_ERR_VALUE, "nn_choice: population size and sample size must be non-negative (n = %lld, k = %lld)",
             (long long)n, (long long)k);
    return NULL;
  }
  if (n == 0 && k > 0) {
    nn__fail(NN_ERR_VALUE, "nn_choice: a cannot be empty unless no samples are taken (k = %lld)", (long long)k);
    return NULL;
  }
  if (!replace && k > n) {
    nn__fail(NN_ERR_VALUE,
             "nn_choice: cannot take a larger sample than population when replace is false (n = %lld, k = %lld)",
             (long long)n, (long long)k);
    return NULL;
  }
  t = nn__new("nn_choice", NN_INT64, &k, 1);
  if (!t) return NULL;
  p = (int64_t *)t->data;
  if (replace) {
    for (i = 0; i < k; i++) p[i] = (int64_t)nn__rng_below(r, (uint64_t)n);
  } else if (n <= 4 * k || n <= 4096) {
    /* partial Fisher-Yates over 0..n-1 */
    int64_t *a = (int64_t *)nn__xalloc("nn_choice", (size_t)n * sizeof(int64_t));
    if (!a) {
      nn_free(t);
      return NULL;
    }
    for (i = 0; i < n; i++) a[i] = i;
    for (i = 0; i < k; i++) {
      int64_t j = i + (int64_t)nn__rng_below(r, (uint64_t)(n - i)), tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
      p[i] = a[i];
    }
    nn__dealloc(a);
  } else {
    /* k much smaller than n: draw and reject repeats, remembering drawn values in an open-addressing set */
    uint64_t cap = 16, mask, h;
    int64_t *set;
    while (cap < (uint64_t)k * 2) cap <<= 1;
    mask = cap - 1;
    set = (int64_t *)nn__xalloc("nn_choice", (size_t)cap * sizeof(int64_t));
    if (!set) {
      nn_free(t);
      return NULL;
    }
    for (h = 0; h < cap; h++) set[h] = -1;
    for (i = 0; i < k;) {
      int64_t v = (int64_t)nn__rng_below(r, (uint64_t)n);
      h = ((uint64_t)v * 0x9E3779B97F4A7C15ull) >> 20;
      for (;;) {
        h &= mask;
        if (set[h] == -1 || set[h] == v) break;
        h++;
      }
      if (set[h] == v) continue;
      set[h] = v;
      p[i++] = v;
    }
    nn__dealloc(set);
  }
  return t;
}
