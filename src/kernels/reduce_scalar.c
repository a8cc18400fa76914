/* kernels/reduce_scalar.c: portable reduction kernels (sums, products, min/max, any/all, arg-reductions,
   centered sums for var/logsumexp), cumulative scans and softmax rows, for every dtype.

   Two shapes of kernel cover the common layouts without copies:
   - row kernels reduce n contiguous elements to one partial result (an nn__racc);
   - column kernels accumulate nrows rows of m contiguous elements (rows rstride apart) into an accumulator
     vector acc[0..m).
   The hot float loops keep several independent accumulators so the compiler can pipeline them; with GCC or Clang
   they use generic 16-byte vector types (NN__RVEXT), which compile to the baseline ISA (SSE2 on x86-64, NEON on
   arm64) with no target attributes; plain C otherwise, and under NN_NO_SIMD. Where nn__kernels() has an entry
   (sum_f32, sum_f64, max_f32, min_f32, acc_add_f32, softmax_f32, log_softmax_f32) that entry is used instead.
   Float32 sums are accumulated as float partials of NN__RBLOCK elements folded in double.
   Integer sums and products wrap around (computed in uint64_t, as NumPy's int64 arithmetic does). */

#if (defined(__GNUC__) || defined(__clang__)) && !defined(NN_NO_SIMD) && !defined(__TINYC__)
#define NN__RVEXT 1
/* small vector helpers must be inlined into the loops that use them */
#define NN__RVFN static __inline__ __attribute__((always_inline, unused))
typedef float nn__rv4f __attribute__((vector_size(16)));
typedef double nn__rv2d __attribute__((vector_size(16)));
typedef int32_t nn__rv4i __attribute__((vector_size(16)));
typedef int64_t nn__rv2l __attribute__((vector_size(16)));
#else
#define NN__RVEXT 0
#endif

/* Which reduction a kernel computes. */
typedef enum nn__rkind {
  NN__RK_SUM = 0,
  NN__RK_PROD,
  NN__RK_MIN,
  NN__RK_MAX,
  NN__RK_ANY,
  NN__RK_ALL,
  NN__RK_SQDEV,  /* sum((x - c)^2), float inputs */
  NN__RK_SUMEXP, /* sum(exp(x - c)), float inputs */
  NN__RK_ARGMIN,
  NN__RK_ARGMAX,
  NN__RK_COUNT
} nn__rkind;

/* A partial result over a piece of a row. Which fields are used depends on the kind and dtype:
   d: float sums, products and min/max values; u: integer sums/products (wrapping), any/all flags;
   i: integer min/max values; idx: position of the arg-min/max inside the piece. */
typedef struct nn__racc {
  double d;
  uint64_t u;
  int64_t i;
  int64_t idx;
} nn__racc;

typedef void (*nn__rrow_fn)(int64_t n, const void *x, double c, nn__racc *r);
typedef void (*nn__rcol_fn)(int64_t m, int64_t nrows, int64_t rstride, void *acc, const void *x, const double *c);

/* Elements summed as one float partial before it is added to the double total. */
#define NN__RBLOCK 2048

/* ---------------------------------------------------------------------------------------------------------- */
/* float32 / float64 sums                                                                                      */
/* ---------------------------------------------------------------------------------------------------------- */

#if NN__RVEXT
NN__RVFN nn__rv4f nn__rld4f(const float *p) {
  nn__rv4f v;
  memcpy(&v, p, sizeof v);
  return v;
}
NN__RVFN nn__rv2d nn__rld2d(const double *p) {
  nn__rv2d v;
  memcpy(&v, p, sizeof v);
  return v;
}
NN__RVFN void nn__rst4f(float *p, nn__rv4f v) { memcpy(p, &v, sizeof v); }
NN__RVFN void nn__rst2d(double *p, nn__rv2d v) { memcpy(p, &v, sizeof v); }
typedef uint32_t nn__rv4u __attribute__((vector_size(16)));
NN__RVFN nn__rv4f nn__rsplat4f(float a) {
  nn__rv4f v = {a, a, a, a};
  return v;
}
/* Lane select: k ? a : b, with k lanes all ones or all zeros (comparison results). */
NN__RVFN nn__rv4f nn__rsel4f(nn__rv4i k, nn__rv4f a, nn__rv4f b) {
  return (nn__rv4f)(((nn__rv4i)a & k) | ((nn__rv4i)b & ~k));
}
NN__RVFN nn__rv2d nn__rsel2d(nn__rv2l k, nn__rv2d a, nn__rv2d b) {
  return (nn__rv2d)(((nn__rv2l)a & k) | ((nn__rv2l)b & ~k));
}
NN__RVFN float nn__rhsum4f(nn__rv4f v) {
  float r[4];
  memcpy(r, &v, sizeof r);
  return (r[0] + r[1]) + (r[2] + r[3]);
}
/* exp of four floats: Cephes' expf polynomial after reduction by ln 2 (about 2 ulp); +inf above 88.376,
   0 below -87.336 (so exp(-inf) = 0), NaN stays NaN. */
NN__RVFN nn__rv4f nn__rvexp4f(nn__rv4f x) {
  const nn__rv4f hi = nn__rsplat4f(88.3762626647949f), lo = nn__rsplat4f(-87.3365447505531f);
  const nn__rv4f magic = nn__rsplat4f(12582912.0f); /* 1.5 * 2^23: adding it rounds to an integer */
  nn__rv4i big = x > hi, small = x < lo;
  nn__rv4f t, nf, r, p, z;
  nn__rv4u e;
  x = nn__rsel4f(big, hi, x);
  x = nn__rsel4f(small, lo, x);
  t = x * nn__rsplat4f(1.44269504088896341f) + magic;
  nf = t - magic;
  e = (((nn__rv4u)t - (nn__rv4u)magic) + 127u) << 23; /* 2^n as float bits */
  r = x - nf * nn__rsplat4f(0.693359375f);
  r = r - nf * nn__rsplat4f(-2.12194440e-4f);
  z = r * r;
  p = r * nn__rsplat4f(1.9875691500E-4f) + nn__rsplat4f(1.3981999507E-3f);
  p = p * r + nn__rsplat4f(8.3334519073E-3f);
  p = p * r + nn__rsplat4f(4.1665795894E-2f);
  p = p * r + nn__rsplat4f(1.6666665459E-1f);
  p = p * r + nn__rsplat4f(5.0000001201E-1f);
  p = (p * z + r) + nn__rsplat4f(1.0f);
  p = p * (nn__rv4f)e;
  p = nn__rsel4f(big, nn__rsplat4f(INFINITY), p);
  return nn__rsel4f(small, nn__rsplat4f(0.0f), p);
}
#endif

/* o[i] = exp(x[i] - shift) for i < n (o may be NULL, or equal to x); returns the sum of those values, accumulated
   as float partials of NN__RBLOCK elements folded in double. */
NN__PRIVATE double nn__rexpsum_f32(int64_t n, float *o, const float *x, float shift) {
  double total = 0;
  int64_t i = 0;
#if NN__RVEXT
  const nn__rv4f sv = nn__rsplat4f(shift);
  while (i + 8 <= n) {
    int64_t end = n - i < NN__RBLOCK ? n : i + NN__RBLOCK;
    nn__rv4f a0 = nn__rsplat4f(0.0f), a1 = a0;
    for (; i + 8 <= end; i += 8) {
      nn__rv4f e0 = nn__rvexp4f(nn__rld4f(x + i) - sv), e1 = nn__rvexp4f(nn__rld4f(x + i + 4) - sv);
      if (o) {
        nn__rst4f(o + i, e0);
        nn__rst4f(o + i + 4, e1);
      }
      a0 += e0;
      a1 += e1;
    }
    total += (double)nn__rhsum4f(a0 + a1);
  }
#endif
  for (; i < n; i++) {
    float e = expf(x[i] - shift);
    if (o) o[i] = e;
    total += (double)e;
  }
  return total;
}

/* o[i] = x[i] * a (o may equal x). */
NN__PRIVATE void nn__rscale_f32(int64_t n, float *o, const float *x, float a) {
  int64_t i = 0;
#if NN__RVEXT
  const nn__rv4f av = nn__rsplat4f(a);
  for (; i + 8 <= n; i += 8) {
    nn__rst4f(o + i, nn__rld4f(x + i) * av);
    nn__rst4f(o + i + 4, nn__rld4f(x + i + 4) * av);
  }
#endif
  for (; i < n; i++) o[i] = x[i] * a;
}

/* o[i] = (x[i] - a) - b (o may equal x). */
NN__PRIVATE void nn__rsub2_f32(int64_t n, float *o, const float *x, float a, float b) {
  int64_t i = 0;
#if NN__RVEXT
  const nn__rv4f av = nn__rsplat4f(a), bv = nn__rsplat4f(b);
  for (; i + 8 <= n; i += 8) {
    nn__rst4f(o + i, (nn__rld4f(x + i) - av) - bv);
    nn__rst4f(o + i + 4, (nn__rld4f(x + i + 4) - av) - bv);
  }
#endif
  for (; i < n; i++) o[i] = (x[i] - a) - b;
}

/* Sum of n floats (n <= NN__RBLOCK) in float with 16 independent lanes. */
NN__PRIVATE float nn__rsum_block_f32(int64_t n, const float *x) {
  int64_t i = 0;
  float s;
#if NN__RVEXT
  nn__rv4f a0 = {0, 0, 0, 0}, a1 = a0, a2 = a0, a3 = a0;
  float r[4];
  for (; i + 16 <= n; i += 16) {
    a0 += nn__rld4f(x + i);
    a1 += nn__rld4f(x + i + 4);
    a2 += nn__rld4f(x + i + 8);
    a3 += nn__rld4f(x + i + 12);
  }
  a0 = (a0 + a1) + (a2 + a3);
  memcpy(r, &a0, sizeof r);
  s = (r[0] + r[1]) + (r[2] + r[3]);
#else
  float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
  for (; i + 8 <= n; i += 8) {
    a0 += x[i];
    a1 += x[i + 1];
    a2 += x[i + 2];
    a3 += x[i + 3];
    a4 += x[i + 4];
    a5 += x[i + 5];
    a6 += x[i + 6];
    a7 += x[i + 7];
  }
  s = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
#endif
  for (; i < n; i++) s += x[i];
  return s;
}

/* Sum of n float32 values, accumulated as float partials of NN__RBLOCK elements folded in double. */
NN__PRIVATE double nn__rsum_f32(int64_t n, const float *x) {
  const nn__vec_table *vt;
  double d = 0;
  int64_t i;
  if (n < 16) { /* short rows: no setup */
    for (i = 0; i < n; i++) d += (double)x[i];
    return d;
  }
  vt = nn__kernels();
  for (i = 0; i < n; i += NN__RBLOCK) {
    int64_t b = n - i < NN__RBLOCK ? n - i : NN__RBLOCK;
    d += (double)(vt->sum_f32 ? vt->sum_f32(b, x + i) : nn__rsum_block_f32(b, x + i));
  }
  return d;
}

NN__PRIVATE double nn__rsum_block_f64(int64_t n, const double *x) {
  int64_t i = 0;
  double s;
#if NN__RVEXT
  nn__rv2d a0 = {0, 0}, a1 = a0, a2 = a0, a3 = a0;
  for (; i + 8 <= n; i += 8) {
    a0 += nn__rld2d(x + i);
    a1 += nn__rld2d(x + i + 2);
    a2 += nn__rld2d(x + i + 4);
    a3 += nn__rld2d(x + i + 6);
  }
  a0 = (a0 + a1) + (a2 + a3);
  s = a0[0] + a0[1];
#else
  double a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
  for (; i + 8 <= n; i += 8) {
    a0 += x[i];
    a1 += x[i + 1];
    a2 += x[i + 2];
    a3 += x[i + 3];
    a4 += x[i + 4];
    a5 += x[i + 5];
    a6 += x[i + 6];
    a7 += x[i + 7];
  }
  s = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
#endif
  for (; i < n; i++) s += x[i];
  return s;
}

/* Sum of n float64 values: block partials folded into a running total (keeps the error near log-size). */
NN__PRIVATE double nn__rsum_f64(int64_t n, const double *x) {
  const nn__vec_table *vt;
  double d = 0;
  int64_t i;
  if (n < 16) {
    for (i = 0; i < n; i++) d += x[i];
    return d;
  }
  vt = nn__kernels();
  for (i = 0; i < n; i += NN__RBLOCK) {
    int64_t b = n - i < NN__RBLOCK ? n - i : NN__RBLOCK;
    d += vt->sum_f64 ? vt->sum_f64(b, x + i) : nn__rsum_block_f64(b, x + i);
  }
  return d;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* float min / max (NaN-propagating)                                                                           */
/* ---------------------------------------------------------------------------------------------------------- */

/* Min (want_max = 0) or max of n >= 1 floats; NaN if any element is NaN. */
NN__PRIVATE float nn__rminmax_f32(int64_t n, const float *x, int want_max) {
  const nn__vec_table *vt = nn__kernels();
  int64_t i = 0;
  float best;
  int nan = 0;
  if (want_max && vt->max_f32) return vt->max_f32(n, x);
  if (!want_max && vt->min_f32) return vt->min_f32(n, x);
  best = x[0];
#if NN__RVEXT
  if (n >= 16) {
    nn__rv4f a0 = nn__rld4f(x), a1 = nn__rld4f(x + 4), a2 = nn__rld4f(x + 8), a3 = nn__rld4f(x + 12);
    nn__rv4i bad = {0, 0, 0, 0}, k;
    float r[4];
    int j;
#define NN__RVSEL(a, v, cond) \
  do {                       \
    k = (cond);              \
    a = (nn__rv4f)(((nn__rv4i)(v) & k) | ((nn__rv4i)(a) & ~k)); \
  } while (0)
    for (i = 16; i + 16 <= n; i += 16) {
      nn__rv4f v0 = nn__rld4f(x + i), v1 = nn__rld4f(x + i + 4), v2 = nn__rld4f(x + i + 8), v3 = nn__rld4f(x + i + 12);
      bad |= (v0 != v0) | (v1 != v1) | (v2 != v2) | (v3 != v3);
      if (want_max) {
        NN__RVSEL(a0, v0, v0 > a0);
        NN__RVSEL(a1, v1, v1 > a1);
        NN__RVSEL(a2, v2, v2 > a2);
        NN__RVSEL(a3, v3, v3 > a3);
      } else {
        NN__RVSEL(a0, v0, v0 < a0);
        NN__RVSEL(a1, v1, v1 < a1);
        NN__RVSEL(a2, v2, v2 < a2);
        NN__RVSEL(a3, v3, v3 < a3);
      }
    }
    bad |= (a0 != a0) | (a1 != a1) | (a2 != a2) | (a3 != a3);
    if (want_max) {
      NN__RVSEL(a0, a1, a1 > a0);
      NN__RVSEL(a2, a3, a3 > a2);
      NN__RVSEL(a0, a2, a2 > a0);
    } else {
      NN__RVSEL(a0, a1, a1 < a0);
      NN__RVSEL(a2, a3, a3 < a2);
      NN__RVSEL(a0, a2, a2 < a0);
    }
#undef NN__RVSEL
    if (bad[0] | bad[1] | bad[2] | bad[3]) return NAN;
    memcpy(r, &a0, sizeof r);
    best = r[0];
    for (j = 1; j < 4; j++) best = want_max ? (r[j] > best ? r[j] : best) : (r[j] < best ? r[j] : best);
  }
#else
  if (n >= 8) {
    float a[8];
    int j;
    for (j = 0; j < 8; j++) a[j] = x[j];
    for (i = 8; i + 8 <= n; i += 8)
      for (j = 0; j < 8; j++) {
        float v = x[i + j];
        nan |= v != v;
        a[j] = want_max ? (v > a[j] ? v : a[j]) : (v < a[j] ? v : a[j]);
      }
    for (j = 0; j < 8; j++) {
      nan |= a[j] != a[j];
      if (j) best = want_max ? (a[j] > best ? a[j] : best) : (a[j] < best ? a[j] : best);
      else best = a[0];
    }
  }
#endif
  for (; i < n; i++) {
    float v = x[i];
    nan |= v != v;
    best = want_max ? (v > best ? v : best) : (v < best ? v : best);
  }
  return nan || best != best ? NAN : best;
}

NN__PRIVATE double nn__rminmax_f64(int64_t n, const double *x, int want_max) {
  int64_t i = 0;
  double best = x[0];
  int nan = 0;
#if NN__RVEXT
  if (n >= 8) {
    nn__rv2d a0 = nn__rld2d(x), a1 = nn__rld2d(x + 2), a2 = nn__rld2d(x + 4), a3 = nn__rld2d(x + 6);
    nn__rv2l bad = {0, 0}, k;
#define NN__RVSEL(a, v, cond) \
  do {                       \
    k = (cond);              \
    a = (nn__rv2d)(((nn__rv2l)(v) & k) | ((nn__rv2l)(a) & ~k)); \
  } while (0)
    for (i = 8; i + 8 <= n; i += 8) {
      nn__rv2d v0 = nn__rld2d(x + i), v1 = nn__rld2d(x + i + 2), v2 = nn__rld2d(x + i + 4), v3 = nn__rld2d(x + i + 6);
      bad |= (v0 != v0) | (v1 != v1) | (v2 != v2) | (v3 != v3);
      if (want_max) {
        NN__RVSEL(a0, v0, v0 > a0);
        NN__RVSEL(a1, v1, v1 > a1);
        NN__RVSEL(a2, v2, v2 > a2);
        NN__RVSEL(a3, v3, v3 > a3);
      } else {
        NN__RVSEL(a0, v0, v0 < a0);
        NN__RVSEL(a1, v1, v1 < a1);
        NN__RVSEL(a2, v2, v2 < a2);
        NN__RVSEL(a3, v3, v3 < a3);
      }
    }
    bad |= (a0 != a0) | (a1 != a1) | (a2 != a2) | (a3 != a3);
    if (want_max) {
      NN__RVSEL(a0, a1, a1 > a0);
      NN__RVSEL(a2, a3, a3 > a2);
      NN__RVSEL(a0, a2, a2 > a0);
    } else {
      NN__RVSEL(a0, a1, a1 < a0);
      NN__RVSEL(a2, a3, a3 < a2);
      NN__RVSEL(a0, a2, a2 < a0);
    }
#undef NN__RVSEL
    if (bad[0] | bad[1]) return NAN;
    best = want_max ? (a0[1] > a0[0] ? a0[1] : a0[0]) : (a0[1] < a0[0] ? a0[1] : a0[0]);
  }
#endif
  for (; i < n; i++) {
    double v = x[i];
    nan |= v != v;
    best = want_max ? (v > best ? v : best) : (v < best ? v : best);
  }
  return nan || best != best ? NAN : best;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* row kernels: n contiguous elements -> one nn__racc                                                          */
/* ---------------------------------------------------------------------------------------------------------- */

NN__PRIVATE void nn__rrow_sum_f32(int64_t n, const void *x, double c, nn__racc *r) {
  (void)c;
  r->d = nn__rsum_f32(n, (const float *)x);
}
NN__PRIVATE void nn__rrow_sum_f64(int64_t n, const void *x, double c, nn__racc *r) {
  (void)c;
  r->d = nn__rsum_f64(n, (const double *)x);
}
NN__PRIVATE void nn__rrow_min_f32(int64_t n, const void *x, double c, nn__racc *r) {
  (void)c;
  r->d = nn__rminmax_f32(n, (const float *)x, 0);
}
NN__PRIVATE void nn__rrow_max_f32(int64_t n, const void *x, double c, nn__racc *r) {
  (void)c;
  r->d = nn__rminmax_f32(n, (const float *)x, 1);
}
NN__PRIVATE void nn__rrow_min_f64(int64_t n, const void *x, double c, nn__racc *r) {
  (void)c;
  r->d = nn__rminmax_f64(n, (const double *)x, 0);
}
NN__PRIVATE void nn__rrow_max_f64(int64_t n, const void *x, double c, nn__racc *r) {
  (void)c;
  r->d = nn__rminmax_f64(n, (const double *)x, 1);
}

/* Integer conversions to the 64-bit accumulator. */
#define NN__RCV_S(v) ((uint64_t)(int64_t)(v))
#define NN__RCV_U(v) ((uint64_t)(v))
#define NN__RCV_B(v) ((uint64_t)((v) != 0))

/* Integer sum / product with four lanes, wrapping. */
#define NN__RROW_ISUMPROD(NAME, T, CV, OP, ID)                                   \
  NN__PRIVATE void NAME(int64_t n, const void *vx, double c, nn__racc *r) {      \
    const T *x = (const T *)vx;                                                  \
    uint64_t a0 = ID, a1 = ID, a2 = ID, a3 = ID;                                 \
    int64_t i = 0;                                                               \
    (void)c;                                                                     \
    for (; i + 4 <= n; i += 4) {                                                 \
      a0 = a0 OP CV(x[i]);                                                       \
      a1 = a1 OP CV(x[i + 1]);                                                   \
      a2 = a2 OP CV(x[i + 2]);                                                   \
      a3 = a3 OP CV(x[i + 3]);                                                   \
    }                                                                            \
    for (; i < n; i++) a0 = a0 OP CV(x[i]);                                      \
    r->u = (a0 OP a1) OP(a2 OP a3);                                              \
  }
NN__RROW_ISUMPROD(nn__rrow_sum_i32, int32_t, NN__RCV_S, +, 0)
NN__RROW_ISUMPROD(nn__rrow_sum_i64, int64_t, NN__RCV_S, +, 0)
NN__RROW_ISUMPROD(nn__rrow_sum_u8, uint8_t, NN__RCV_U, +, 0)
NN__RROW_ISUMPROD(nn__rrow_sum_b, uint8_t, NN__RCV_B, +, 0)
NN__RROW_ISUMPROD(nn__rrow_prod_i32, int32_t, NN__RCV_S, *, 1)
NN__RROW_ISUMPROD(nn__rrow_prod_i64, int64_t, NN__RCV_S, *, 1)
NN__RROW_ISUMPROD(nn__rrow_prod_u8, uint8_t, NN__RCV_U, *, 1)
NN__RROW_ISUMPROD(nn__rrow_prod_b, uint8_t, NN__RCV_B, *, 1)

/* Float products in double with four lanes. */
#define NN__RROW_FPROD(NAME, T)                                              \
  NN__PRIVATE void NAME(int64_t n, const void *vx, double c, nn__racc *r) {  \
    const T *x = (const T *)vx;                                              \
    double a0 = 1, a1 = 1, a2 = 1, a3 = 1;                                   \
    int64_t i = 0;                                                           \
    (void)c;                                                                 \
    for (; i + 4 <= n; i += 4) {                                             \
      a0 *= x[i];                                                            \
      a1 *= x[i + 1];                                                        \
      a2 *= x[i + 2];                                                        \
      a3 *= x[i + 3];                                                        \
    }                                                                        \
    for (; i < n; i++) a0 *= x[i];                                           \
    r->d = (a0 * a1) * (a2 * a3);                                            \
  }
NN__RROW_FPROD(nn__rrow_prod_f32, float)
NN__RROW_FPROD(nn__rrow_prod_f64, double)

/* Integer min / max (n >= 1) with four lanes; the result goes to r->i. */
#define NN__RROW_IMINMAX(NAME, T, CMP)                                       \
  NN__PRIVATE void NAME(int64_t n, const void *vx, double c, nn__racc *r) {  \
    const T *x = (const T *)vx;                                              \
    T a0 = x[0], a1 = x[0], a2 = x[0], a3 = x[0];                            \
    int64_t i = 1;                                                           \
    (void)c;                                                                 \
    for (; i + 4 <= n; i += 4) {                                             \
      a0 = x[i] CMP a0 ? x[i] : a0;                                          \
      a1 = x[i + 1] CMP a1 ? x[i + 1] : a1;                                  \
      a2 = x[i + 2] CMP a2 ? x[i + 2] : a2;                                  \
      a3 = x[i + 3] CMP a3 ? x[i + 3] : a3;                                  \
    }                                                                        \
    for (; i < n; i++) a0 = x[i] CMP a0 ? x[i] : a0;                         \
    a0 = a1 CMP a0 ? a1 : a0;                                                \
    a2 = a3 CMP a2 ? a3 : a2;                                                \
    a0 = a2 CMP a0 ? a2 : a0;                                                \
    r->i = (int64_t)a0;                                                      \
  }
NN__RROW_IMINMAX(nn__rrow_min_i32, int32_t, <)
NN__RROW_IMINMAX(nn__rrow_max_i32, int32_t, >)
NN__RROW_IMINMAX(nn__rrow_min_i64, int64_t, <)
NN__RROW_IMINMAX(nn__rrow_max_i64, int64_t, >)
NN__RROW_IMINMAX(nn__rrow_min_u8, uint8_t, <)
NN__RROW_IMINMAX(nn__rrow_max_u8, uint8_t, >)

/* any / all stop at the first deciding element. */
#define NN__RROW_ANYALL(NAME, T, IS_ANY)                                     \
  NN__PRIVATE void NAME(int64_t n, const void *vx, double c, nn__racc *r) {  \
    const T *x = (const T *)vx;                                              \
    int64_t i;                                                               \
    (void)c;                                                                 \
    for (i = 0; i < n; i++)                                                  \
      if ((x[i] != 0) == (IS_ANY)) break;                                    \
    r->u = (uint64_t)((i < n) == (IS_ANY));                                  \
  }
NN__RROW_ANYALL(nn__rrow_any_f32, float, 1)
NN__RROW_ANYALL(nn__rrow_any_f64, double, 1)
NN__RROW_ANYALL(nn__rrow_any_i32, int32_t, 1)
NN__RROW_ANYALL(nn__rrow_any_i64, int64_t, 1)
NN__RROW_ANYALL(nn__rrow_any_u8, uint8_t, 1)
NN__RROW_ANYALL(nn__rrow_all_f32, float, 0)
NN__RROW_ANYALL(nn__rrow_all_f64, double, 0)
NN__RROW_ANYALL(nn__rrow_all_i32, int32_t, 0)
NN__RROW_ANYALL(nn__rrow_all_i64, int64_t, 0)
NN__RROW_ANYALL(nn__rrow_all_u8, uint8_t, 0)

/* Centered sums in double: sum((x - c)^2) and sum(exp(x - c)). */
#define NN__RROW_SQDEV(NAME, T)                                              \
  NN__PRIVATE void NAME(int64_t n, const void *vx, double c, nn__racc *r) {  \
    const T *x = (const T *)vx;                                              \
    double a0 = 0, a1 = 0, a2 = 0, a3 = 0, t0, t1, t2, t3;                   \
    int64_t i = 0;                                                           \
    for (; i + 4 <= n; i += 4) {                                             \
      t0 = (double)x[i] - c;                                                 \
      t1 = (double)x[i + 1] - c;                                             \
      t2 = (double)x[i + 2] - c;                                             \
      t3 = (double)x[i + 3] - c;                                             \
      a0 += t0 * t0;                                                         \
      a1 += t1 * t1;                                                         \
      a2 += t2 * t2;                                                         \
      a3 += t3 * t3;                                                         \
    }                                                                        \
    for (; i < n; i++) {                                                     \
      t0 = (double)x[i] - c;                                                 \
      a0 += t0 * t0;                                                         \
    }                                                                        \
    r->d = (a0 + a1) + (a2 + a3);                                            \
  }
NN__RROW_SQDEV(nn__rrow_sqdev_f64, double)

/* float32: deviations and squares in float, 8 lanes per block of NN__RBLOCK, blocks folded in double. */
NN__PRIVATE void nn__rrow_sqdev_f32(int64_t n, const void *vx, double c, nn__racc *r) {
  const float *x = (const float *)vx;
  float cf = (float)c;
  double total = 0;
  int64_t i = 0;
#if NN__RVEXT
  const nn__rv4f cv = nn__rsplat4f(cf);
  while (i + 8 <= n) {
    int64_t end = n - i < NN__RBLOCK ? n : i + NN__RBLOCK;
    nn__rv4f a0 = nn__rsplat4f(0.0f), a1 = a0;
    for (; i + 8 <= end; i += 8) {
      nn__rv4f d0 = nn__rld4f(x + i) - cv, d1 = nn__rld4f(x + i + 4) - cv;
      a0 += d0 * d0;
      a1 += d1 * d1;
    }
    total += (double)nn__rhsum4f(a0 + a1);
  }
#endif
  for (; i < n; i++) {
    float d = x[i] - cf;
    total += (double)(d * d);
  }
  r->d = total;
}

NN__PRIVATE void nn__rrow_sumexp_f32(int64_t n, const void *vx, double c, nn__racc *r) {
  r->d = nn__rexpsum_f32(n, NULL, (const float *)vx, (float)c);
}
NN__PRIVATE void nn__rrow_sumexp_f64(int64_t n, const void *vx, double c, nn__racc *r) {
  const double *x = (const double *)vx;
  double a0 = 0, a1 = 0;
  int64_t i = 0;
  for (; i + 2 <= n; i += 2) {
    a0 += exp(x[i] - c);
    a1 += exp(x[i + 1] - c);
  }
  for (; i < n; i++) a0 += exp(x[i] - c);
  r->d = a0 + a1;
}

/* Arg-min / arg-max (n >= 1): first occurrence; for floats the first NaN wins (as np.argmax). Float rows take the
   vector min/max of blocks of 256, remember the first block that improved the best value, and search only that
   block (or the first block holding a NaN) for the position. */
#define NN__RARGROW 256
#define NN__RROW_ARGF(NAME, T, MINMAX, WANT_MAX, BETTER)                     \
  NN__PRIVATE void NAME(int64_t n, const void *vx, double c, nn__racc *r) {  \
    const T *x = (const T *)vx;                                              \
    int64_t b0, bb = 0, i, e;                                                \
    T best;                                                                  \
    (void)c;                                                                 \
    if (n <= 32) { /* short rows: one plain pass */                          \
      best = x[0];                                                           \
      for (i = 0, e = 0; i < n && best == best; i++)                         \
        if (BETTER(x[i], best) || x[i] != x[i]) {                            \
          best = x[i];                                                       \
          e = i;                                                             \
        }                                                                    \
      r->d = (double)best;                                                   \
      r->idx = e;                                                            \
      return;                                                                \
    }                                                                        \
    best = (T)MINMAX(n < NN__RARGROW ? n : NN__RARGROW, x, WANT_MAX);          \
    for (b0 = NN__RARGROW; best == best && b0 < n; b0 += NN__RARGROW) {       \
      T m = (T)MINMAX(n - b0 < NN__RARGROW ? n - b0 : NN__RARGROW, x + b0, WANT_MAX); \
      if (m != m || BETTER(m, best)) {                                       \
        best = m;                                                            \
        bb = b0;                                                             \
      }                                                                      \
    }                                                                        \
    e = n - bb < NN__RARGROW ? n : bb + NN__RARGROW;                           \
    i = bb;                                                                  \
    if (best != best) {                                                      \
      while (i < e && x[i] == x[i]) i++;                                     \
    } else {                                                                 \
      while (i < e && x[i] != best) i++;                                     \
    }                                                                        \
    if (i >= e) i = bb;                                                      \
    r->d = (double)best;                                                     \
    r->idx = i;                                                              \
  }
#define NN__RGT(a, b) ((a) > (b))
#define NN__RLT(a, b) ((a) < (b))
NN__RROW_ARGF(nn__rrow_argmin_f32, float, nn__rminmax_f32, 0, NN__RLT)
NN__RROW_ARGF(nn__rrow_argmax_f32, float, nn__rminmax_f32, 1, NN__RGT)
NN__RROW_ARGF(nn__rrow_argmin_f64, double, nn__rminmax_f64, 0, NN__RLT)
NN__RROW_ARGF(nn__rrow_argmax_f64, double, nn__rminmax_f64, 1, NN__RGT)

#define NN__RROW_ARGI(NAME, T, CMP)                                          \
  NN__PRIVATE void NAME(int64_t n, const void *vx, double c, nn__racc *r) {  \
    const T *x = (const T *)vx;                                              \
    T best = x[0];                                                           \
    int64_t i, bi = 0;                                                       \
    (void)c;                                                                 \
    for (i = 1; i < n; i++)                                                  \
      if (x[i] CMP best) {                                                   \
        best = x[i];                                                         \
        bi = i;                                                              \
      }                                                                      \
    r->i = (int64_t)best;                                                    \
    r->idx = bi;                                                             \
  }
NN__RROW_ARGI(nn__rrow_argmin_i32, int32_t, <)
NN__RROW_ARGI(nn__rrow_argmax_i32, int32_t, >)
NN__RROW_ARGI(nn__rrow_argmin_i64, int64_t, <)
NN__RROW_ARGI(nn__rrow_argmax_i64, int64_t, >)
NN__RROW_ARGI(nn__rrow_argmin_u8, uint8_t, <)
NN__RROW_ARGI(nn__rrow_argmax_u8, uint8_t, >)

/* bool min/max/argmin/argmax compare truth values, so bytes other than 0/1 still behave as bools. */
NN__PRIVATE void nn__rrow_argmin_b(int64_t n, const void *vx, double c, nn__racc *r) {
  const uint8_t *x = (const uint8_t *)vx;
  int64_t i = 0;
  (void)c;
  while (i < n && x[i]) i++;
  r->i = i < n ? 0 : 1;
  r->idx = i < n ? i : 0;
}
NN__PRIVATE void nn__rrow_argmax_b(int64_t n, const void *vx, double c, nn__racc *r) {
  const uint8_t *x = (const uint8_t *)vx;
  int64_t i = 0;
  (void)c;
  while (i < n && !x[i]) i++;
  r->i = i < n ? 1 : 0;
  r->idx = i < n ? i : 0;
}
NN__PRIVATE void nn__rrow_min_b(int64_t n, const void *x, double c, nn__racc *r) {
  nn__rrow_argmin_b(n, x, c, r);
}
NN__PRIVATE void nn__rrow_max_b(int64_t n, const void *x, double c, nn__racc *r) {
  nn__rrow_argmax_b(n, x, c, r);
}

/* [kind][dtype] in nn_dtype order f32 f64 i32 i64 u8 bool; NULL: not defined for that dtype. */
static const nn__rrow_fn nn__rrow_table[NN__RK_COUNT][NN_DTYPE_COUNT] = {
    {nn__rrow_sum_f32, nn__rrow_sum_f64, nn__rrow_sum_i32, nn__rrow_sum_i64, nn__rrow_sum_u8, nn__rrow_sum_b},
    {nn__rrow_prod_f32, nn__rrow_prod_f64, nn__rrow_prod_i32, nn__rrow_prod_i64, nn__rrow_prod_u8, nn__rrow_prod_b},
    {nn__rrow_min_f32, nn__rrow_min_f64, nn__rrow_min_i32, nn__rrow_min_i64, nn__rrow_min_u8, nn__rrow_min_b},
    {nn__rrow_max_f32, nn__rrow_max_f64, nn__rrow_max_i32, nn__rrow_max_i64, nn__rrow_max_u8, nn__rrow_max_b},
    {nn__rrow_any_f32, nn__rrow_any_f64, nn__rrow_any_i32, nn__rrow_any_i64, nn__rrow_any_u8, nn__rrow_any_u8},
    {nn__rrow_all_f32, nn__rrow_all_f64, nn__rrow_all_i32, nn__rrow_all_i64, nn__rrow_all_u8, nn__rrow_all_u8},
    {nn__rrow_sqdev_f32, nn__rrow_sqdev_f64, NULL, NULL, NULL, NULL},
    {nn__rrow_sumexp_f32, nn__rrow_sumexp_f64, NULL, NULL, NULL, NULL},
    {nn__rrow_argmin_f32, nn__rrow_argmin_f64, nn__rrow_argmin_i32, nn__rrow_argmin_i64, nn__rrow_argmin_u8,
     nn__rrow_argmin_b},
    {nn__rrow_argmax_f32, nn__rrow_argmax_f64, nn__rrow_argmax_i32, nn__rrow_argmax_i64, nn__rrow_argmax_u8,
     nn__rrow_argmax_b},
};

/* Folds partial b (the later piece, starting at element offset off) into a (the earlier pieces). */
NN__PRIVATE void nn__racc_fold(nn__rkind k, nn_dtype dt, nn__racc *a, const nn__racc *b, int64_t off) {
  int fl = nn__is_float(dt);
  switch (k) {
    case NN__RK_SUM:
      if (fl) a->d += b->d;
      else a->u += b->u;
      break;
    case NN__RK_PROD:
      if (fl) a->d *= b->d;
      else a->u *= b->u;
      break;
    case NN__RK_MIN:
      if (fl) a->d = (a->d != a->d || a->d <= b->d) ? a->d : b->d;
      else a->i = a->i <= b->i ? a->i : b->i;
      break;
    case NN__RK_MAX:
      if (fl) a->d = (a->d != a->d || a->d >= b->d) ? a->d : b->d;
      else a->i = a->i >= b->i ? a->i : b->i;
      break;
    case NN__RK_ANY: a->u = a->u || b->u; break;
    case NN__RK_ALL: a->u = a->u && b->u; break;
    case NN__RK_SQDEV:
    case NN__RK_SUMEXP: a->d += b->d; break;
    case NN__RK_ARGMIN:
    case NN__RK_ARGMAX: {
      int take;
      if (fl) {
        if (a->d != a->d) take = 0;
        else if (b->d != b->d) take = 1;
        else take = k == NN__RK_ARGMIN ? b->d < a->d : b->d > a->d;
        if (take) a->d = b->d;
      } else {
        take = k == NN__RK_ARGMIN ? b->i < a->i : b->i > a->i;
        if (take) a->i = b->i;
      }
      if (take) a->idx = b->idx + off;
      break;
    }
    default: break;
  }
}

/* ---------------------------------------------------------------------------------------------------------- */
/* column kernels: acc[0..m) op= each of nrows rows of m contiguous elements                                   */
/* ---------------------------------------------------------------------------------------------------------- */

/* float32 sums into a float accumulator; four rows at a time keep the accumulator traffic low. */
NN__PRIVATE void nn__rcol_sum_f32(int64_t m, int64_t nrows, int64_t rs, void *vacc, const void *vx, const double *c) {
  float *acc = (float *)vacc;
  const float *x = (const float *)vx;
  const nn__vec_table *vt = nn__kernels();
  int64_t r = 0, j;
  (void)c;
  if (vt->acc_add_f32) {
    for (r = 0; r < nrows; r++) vt->acc_add_f32(m, acc, x + r * rs);
    return;
  }
  for (; r + 4 <= nrows; r += 4) {
    const float *x0 = x + r * rs, *x1 = x0 + rs, *x2 = x1 + rs, *x3 = x2 + rs;
    j = 0;
#if NN__RVEXT
    for (; j + 8 <= m; j += 8) {
      nn__rv4f s0 = (nn__rld4f(x0 + j) + nn__rld4f(x1 + j)) + (nn__rld4f(x2 + j) + nn__rld4f(x3 + j));
      nn__rv4f s1 = (nn__rld4f(x0 + j + 4) + nn__rld4f(x1 + j + 4)) + (nn__rld4f(x2 + j + 4) + nn__rld4f(x3 + j + 4));
      nn__rst4f(acc + j, nn__rld4f(acc + j) + s0);
      nn__rst4f(acc + j + 4, nn__rld4f(acc + j + 4) + s1);
    }
#endif
    for (; j < m; j++) acc[j] += (x0[j] + x1[j]) + (x2[j] + x3[j]);
  }
  for (; r < nrows; r++) {
    const float *x0 = x + r * rs;
    j = 0;
#if NN__RVEXT
    for (; j + 8 <= m; j += 8) {
      nn__rst4f(acc + j, nn__rld4f(acc + j) + nn__rld4f(x0 + j));
      nn__rst4f(acc + j + 4, nn__rld4f(acc + j + 4) + nn__rld4f(x0 + j + 4));
    }
#endif
    for (; j < m; j++) acc[j] += x0[j];
  }
}

NN__PRIVATE void nn__rcol_sum_f64(int64_t m, int64_t nrows, int64_t rs, void *vacc, const void *vx, const double *c) {
  double *acc = (double *)vacc;
  const double *x = (const double *)vx;
  int64_t r = 0, j;
  (void)c;
  for (; r + 4 <= nrows; r += 4) {
    const double *x0 = x + r * rs, *x1 = x0 + rs, *x2 = x1 + rs, *x3 = x2 + rs;
    j = 0;
#if NN__RVEXT
    for (; j + 4 <= m; j += 4) {
      nn__rv2d s0 = (nn__rld2d(x0 + j) + nn__rld2d(x1 + j)) + (nn__rld2d(x2 + j) + nn__rld2d(x3 + j));
      nn__rv2d s1 = (nn__rld2d(x0 + j + 2) + nn__rld2d(x1 + j + 2)) + (nn__rld2d(x2 + j + 2) + nn__rld2d(x3 + j + 2));
      nn__rst2d(acc + j, nn__rld2d(acc + j) + s0);
      nn__rst2d(acc + j + 2, nn__rld2d(acc + j + 2) + s1);
    }
#endif
    for (; j < m; j++) acc[j] += (x0[j] + x1[j]) + (x2[j] + x3[j]);
  }
  for (; r < nrows; r++) {
    const double *x0 = x + r * rs;
    for (j = 0; j < m; j++) acc[j] += x0[j];
  }
}

/* float32 partials summed into a double accumulator (combining row-chunk partials of float32 sums). */
NN__PRIVATE void nn__rcol_sumd_f32(int64_t m, int64_t nrows, int64_t rs, void *vacc, const void *vx, const double *c) {
  double *acc = (double *)vacc;
  const float *x = (const float *)vx;
  int64_t r, j;
  (void)c;
  for (r = 0; r < nrows; r++, x += rs)
    for (j = 0; j < m; j++) acc[j] += (double)x[j];
}

/* Generic column loop: STEP(a, v, cj) updates accumulator a with element v (cj: the column's center). */
#define NN__RCOL(NAME, T, AT, STEP)                                                                       \
  NN__PRIVATE void NAME(int64_t m, int64_t nrows, int64_t rs, void *vacc, const void *vx, const double *c) { \
    AT *acc = (AT *)vacc;                                                                                 \
    const T *x = (const T *)vx;                                                                           \
    int64_t r, j;                                                                                         \
    (void)c;                                                                                              \
    for (r = 0; r < nrows; r++, x += rs)                                                                  \
      for (j = 0; j < m; j++) {                                                                           \
        STEP(acc[j], x[j], c[j]);                                                                         \
      }                                                                                                   \
  }

#define NN__RST_ISUM(a, v, cj) (a) += (uint64_t)(int64_t)(v)
#define NN__RST_USUM(a, v, cj) (a) += (uint64_t)(v)
#define NN__RST_BSUM(a, v, cj) (a) += (uint64_t)((v) != 0)
#define NN__RST_IPROD(a, v, cj) (a) *= (uint64_t)(int64_t)(v)
#define NN__RST_UPROD(a, v, cj) (a) *= (uint64_t)(v)
#define NN__RST_BPROD(a, v, cj) (a) *= (uint64_t)((v) != 0)
#define NN__RST_FPROD(a, v, cj) (a) *= (double)(v)
#define NN__RST_FMIN(a, v, cj) (a) = ((v) < (a) || (v) != (v)) ? (v) : (a)
#define NN__RST_FMAX(a, v, cj) (a) = ((v) > (a) || (v) != (v)) ? (v) : (a)
#define NN__RST_IMIN(a, v, cj) (a) = (v) < (a) ? (v) : (a)
#define NN__RST_IMAX(a, v, cj) (a) = (v) > (a) ? (v) : (a)
#define NN__RST_ANY(a, v, cj) (a) = (uint8_t)((a) | ((v) != 0))
#define NN__RST_ALL(a, v, cj) (a) = (uint8_t)((a) & ((v) != 0))
#define NN__RST_SQDEV(a, v, cj)   \
  do {                           \
    double t_ = (double)(v) - (cj); \
    (a) += t_ * t_;              \
  } while (0)
#define NN__RST_SUMEXPD(a, v, cj) (a) += exp((v) - (cj))

NN__RCOL(nn__rcol_sum_i32, int32_t, uint64_t, NN__RST_ISUM)
NN__RCOL(nn__rcol_sum_i64, int64_t, uint64_t, NN__RST_ISUM)
NN__RCOL(nn__rcol_sum_u8, uint8_t, uint64_t, NN__RST_USUM)
NN__RCOL(nn__rcol_sum_b, uint8_t, uint64_t, NN__RST_BSUM)
NN__RCOL(nn__rcol_prod_f32, float, double, NN__RST_FPROD)
NN__RCOL(nn__rcol_prod_f64, double, double, NN__RST_FPROD)
NN__RCOL(nn__rcol_prod_i32, int32_t, uint64_t, NN__RST_IPROD)
NN__RCOL(nn__rcol_prod_i64, int64_t, uint64_t, NN__RST_IPROD)
NN__RCOL(nn__rcol_prod_u8, uint8_t, uint64_t, NN__RST_UPROD)
NN__RCOL(nn__rcol_prod_b, uint8_t, uint64_t, NN__RST_BPROD)
#if NN__RVEXT
/* NaN-propagating column min/max: a lane takes v when v is better or NaN; a NaN accumulator then stays. */
#define NN__RCOL_FMINMAX(NAME, T, VT, MT, W, LD, ST, SEL, CMP)                                            \
  NN__PRIVATE void NAME(int64_t m, int64_t nrows, int64_t rs, void *vacc, const void *vx, const double *c) { \
    T *acc = (T *)vacc;                                                                                   \
    const T *x = (const T *)vx;                                                                           \
    int64_t r = 0, j;                                                                                     \
    (void)c;                                                                                              \
    for (; r + 4 <= nrows; r += 4) { /* combine four rows, then the accumulator */                        \
      const T *x0 = x + r * rs, *x1 = x0 + rs, *x2 = x1 + rs, *x3 = x2 + rs;                              \
      for (j = 0; j + (W) <= m; j += (W)) {                                                               \
        VT a = LD(acc + j), v0 = LD(x0 + j), v1 = LD(x1 + j), v2 = LD(x2 + j), v3 = LD(x3 + j);           \
        v0 = SEL((v1 CMP v0) | (v1 != v1), v1, v0);                                                       \
        v2 = SEL((v3 CMP v2) | (v3 != v3), v3, v2);                                                       \
        v0 = SEL((v2 CMP v0) | (v2 != v2), v2, v0);                                                       \
        ST(acc + j, SEL((v0 CMP a) | (v0 != v0), v0, a));                                                 \
      }                                                                                                   \
      for (; j < m; j++) {                                                                                \
        T a = acc[j];                                                                                     \
        a = (x0[j] CMP a || x0[j] != x0[j]) ? x0[j] : a;                                                  \
        a = (x1[j] CMP a || x1[j] != x1[j]) ? x1[j] : a;                                                  \
        a = (x2[j] CMP a || x2[j] != x2[j]) ? x2[j] : a;                                                  \
        acc[j] = (x3[j] CMP a || x3[j] != x3[j]) ? x3[j] : a;                                             \
      }                                                                                                   \
    }                                                                                                     \
    for (; r < nrows; r++) {                                                                              \
      const T *x0 = x + r * rs;                                                                           \
      for (j = 0; j + (W) <= m; j += (W)) {                                                               \
        VT a = LD(acc + j), v0 = LD(x0 + j);                                                              \
        ST(acc + j, SEL((v0 CMP a) | (v0 != v0), v0, a));                                                 \
      }                                                                                                   \
      for (; j < m; j++) acc[j] = (x0[j] CMP acc[j] || x0[j] != x0[j]) ? x0[j] : acc[j];                  \
    }                                                                                                     \
  }
NN__RCOL_FMINMAX(nn__rcol_min_f32, float, nn__rv4f, nn__rv4i, 4, nn__rld4f, nn__rst4f, nn__rsel4f, <)
NN__RCOL_FMINMAX(nn__rcol_max_f32, float, nn__rv4f, nn__rv4i, 4, nn__rld4f, nn__rst4f, nn__rsel4f, >)
NN__RCOL_FMINMAX(nn__rcol_min_f64, double, nn__rv2d, nn__rv2l, 2, nn__rld2d, nn__rst2d, nn__rsel2d, <)
NN__RCOL_FMINMAX(nn__rcol_max_f64, double, nn__rv2d, nn__rv2l, 2, nn__rld2d, nn__rst2d, nn__rsel2d, >)
#else
NN__RCOL(nn__rcol_min_f32, float, float, NN__RST_FMIN)
NN__RCOL(nn__rcol_max_f32, float, float, NN__RST_FMAX)
NN__RCOL(nn__rcol_min_f64, double, double, NN__RST_FMIN)
NN__RCOL(nn__rcol_max_f64, double, double, NN__RST_FMAX)
#endif
NN__RCOL(nn__rcol_min_i32, int32_t, int32_t, NN__RST_IMIN)
NN__RCOL(nn__rcol_max_i32, int32_t, int32_t, NN__RST_IMAX)
NN__RCOL(nn__rcol_min_i64, int64_t, int64_t, NN__RST_IMIN)
NN__RCOL(nn__rcol_max_i64, int64_t, int64_t, NN__RST_IMAX)
NN__RCOL(nn__rcol_min_u8, uint8_t, uint8_t, NN__RST_IMIN)
NN__RCOL(nn__rcol_max_u8, uint8_t, uint8_t, NN__RST_IMAX)
NN__RCOL(nn__rcol_any_f32, float, uint8_t, NN__RST_ANY)
NN__RCOL(nn__rcol_any_f64, double, uint8_t, NN__RST_ANY)
NN__RCOL(nn__rcol_any_i32, int32_t, uint8_t, NN__RST_ANY)
NN__RCOL(nn__rcol_any_i64, int64_t, uint8_t, NN__RST_ANY)
NN__RCOL(nn__rcol_any_u8, uint8_t, uint8_t, NN__RST_ANY)
NN__RCOL(nn__rcol_all_f32, float, uint8_t, NN__RST_ALL)
NN__RCOL(nn__rcol_all_f64, double, uint8_t, NN__RST_ALL)
NN__RCOL(nn__rcol_all_i32, int32_t, uint8_t, NN__RST_ALL)
NN__RCOL(nn__rcol_all_i64, int64_t, uint8_t, NN__RST_ALL)
NN__RCOL(nn__rcol_all_u8, uint8_t, uint8_t, NN__RST_ALL)
NN__RCOL(nn__rcol_sqdev_f64, double, double, NN__RST_SQDEV)
NN__RCOL(nn__rcol_sumexp_f64, double, double, NN__RST_SUMEXPD)

/* float32 centered column sums: the centers are rounded to float once per call; each row's terms are computed in
   float (vectorized) and summed in float over groups of 64 rows, and the group sums go to the double accumulators. */
NN__PRIVATE void nn__rcol_centered_f32(int64_t m, int64_t nrows, int64_t rs, double *acc, const float *x,
                                       const double *c, int is_exp) {
  float cf[NN__RBLOCK], t[NN__RBLOCK];
  int64_t j0, j, r, g;
  for (j0 = 0; j0 < m; j0 += NN__RBLOCK) {
    int64_t w = m - j0 < NN__RBLOCK ? m - j0 : NN__RBLOCK;
    for (j = 0; j < w; j++) cf[j] = (float)c[j0 + j];
    for (r = 0; r < nrows; r = g) {
      g = nrows - r < 64 ? nrows : r + 64;
      memset(t, 0, (size_t)w * sizeof(float));
      for (; r < g; r++) {
        const float *xr = x + r * rs + j0;
        j = 0;
#if NN__RVEXT
        for (; j + 4 <= w; j += 4) {
          nn__rv4f d = nn__rld4f(xr + j) - nn__rld4f(cf + j);
          nn__rst4f(t + j, nn__rld4f(t + j) + (is_exp ? nn__rvexp4f(d) : d * d));
        }
#endif
        for (; j < w; j++) {
          float d = xr[j] - cf[j];
          t[j] += is_exp ? expf(d) : d * d;
        }
      }
      for (j = 0; j < w; j++) acc[j0 + j] += (double)t[j];
    }
  }
}
NN__PRIVATE void nn__rcol_sqdev_f32(int64_t m, int64_t nrows, int64_t rs, void *acc, const void *x, const double *c) {
  nn__rcol_centered_f32(m, nrows, rs, (double *)acc, (const float *)x, c, 0);
}
NN__PRIVATE void nn__rcol_sumexp_f32(int64_t m, int64_t nrows, int64_t rs, void *acc, const void *x, const double *c) {
  nn__rcol_centered_f32(m, nrows, rs, (double *)acc, (const float *)x, c, 1);
}

/* bool min/max: truth values. */
#define NN__RST_BMIN(a, v, cj) (a) = (uint8_t)((a) & ((v) != 0))
#define NN__RST_BMAX(a, v, cj) (a) = (uint8_t)((a) | ((v) != 0))
NN__RCOL(nn__rcol_min_b, uint8_t, uint8_t, NN__RST_BMIN)
NN__RCOL(nn__rcol_max_b, uint8_t, uint8_t, NN__RST_BMAX)

/* [kind][dtype]; arg kinds have no column form (the caller copies to rows instead). */
static const nn__rcol_fn nn__rcol_table[NN__RK_COUNT][NN_DTYPE_COUNT] = {
    {nn__rcol_sum_f32, nn__rcol_sum_f64, nn__rcol_sum_i32, nn__rcol_sum_i64, nn__rcol_sum_u8, nn__rcol_sum_b},
    {nn__rcol_prod_f32, nn__rcol_prod_f64, nn__rcol_prod_i32, nn__rcol_prod_i64, nn__rcol_prod_u8, nn__rcol_prod_b},
    {nn__rcol_min_f32, nn__rcol_min_f64, nn__rcol_min_i32, nn__rcol_min_i64, nn__rcol_min_u8, nn__rcol_min_b},
    {nn__rcol_max_f32, nn__rcol_max_f64, nn__rcol_max_i32, nn__rcol_max_i64, nn__rcol_max_u8, nn__rcol_max_b},
    {nn__rcol_any_f32, nn__rcol_any_f64, nn__rcol_any_i32, nn__rcol_any_i64, nn__rcol_any_u8, nn__rcol_any_u8},
    {nn__rcol_all_f32, nn__rcol_all_f64, nn__rcol_all_i32, nn__rcol_all_i64, nn__rcol_all_u8, nn__rcol_all_u8},
    {nn__rcol_sqdev_f32, nn__rcol_sqdev_f64, NULL, NULL, NULL, NULL},
    {nn__rcol_sumexp_f32, nn__rcol_sumexp_f64, NULL, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};

/* Arg-min / arg-max down columns: rows r0, r0+1, ... update the best value and its row index per column (strictly
   better values only, so the first occurrence wins; the first NaN wins and then stays). vals/idx start at the
   identity (see nn__rcolarg_init) so any first row replaces them. */
typedef void (*nn__rcolarg_fn)(int64_t m, int64_t nrows, int64_t rs, int64_t r0, int64_t *idx, void *vals,
                               const void *x);
#define NN__RCOLARG(NAME, T, VT, CV, BETTER)                                                                   \
  NN__PRIVATE void NAME(int64_t m, int64_t nrows, int64_t rs, int64_t r0, int64_t *idx, void *vvals,         \
                        const void *vx) {                                                                    \
    VT *vals = (VT *)vvals;                                                                                  \
    const T *x = (const T *)vx;                                                                              \
    int64_t r, j;                                                                                            \
    for (r = 0; r < nrows; r++, x += rs)                                                                     \
      for (j = 0; j < m; j++) {                                                                              \
        VT v = (VT)CV(x[j]), b = vals[j];                                                                    \
        if (BETTER(v, b) || (v != v && b == b)) {                                                            \
          vals[j] = v;                                                                                       \
          idx[j] = r0 + r;                                                                                   \
        }                                                                                                    \
      }                                                                                                      \
  }
#define NN__RCV_ID(v) (v)
#define NN__RCV_TRUTH(v) ((v) != 0)
#if NN__RVEXT
/* float32 with vectors: row numbers are kept as int32 lanes next to the values (rows beyond 2^31 go scalar). */
#define NN__RCOLARG_F32(NAME, CMP)                                                                             \
  NN__PRIVATE void NAME(int64_t m, int64_t nrows, int64_t rs, int64_t r0, int64_t *idx, void *vvals,         \
                        const void *vx) {                                                                    \
    float *vals = (float *)vvals;                                                                            \
    const float *x = (const float *)vx;                                                                      \
    int32_t li[1024];                                                                                         \
    int64_t j0, j, r;                                                                                        \
    if (nrows >= INT32_MAX) {                                                                                \
      for (r = 0; r < nrows; r++, x += rs)                                                                   \
        for (j = 0; j < m; j++) {                                                                            \
          float v = x[j], b = vals[j];                                                                       \
          if (v CMP b || (v != v && b == b)) {                                                               \
            vals[j] = v;                                                                                     \
            idx[j] = r0 + r;                                                                                 \
          }                                                                                                  \
        }                                                                                                    \
      return;                                                                                                \
    }                                                                                                        \
    for (j0 = 0; j0 < m; j0 += 1024) {                                                                       \
      int64_t w = m - j0 < 1024 ? m - j0 : 1024;                                                             \
      float *vb = vals + j0;                                                                                 \
      for (j = 0; j < w; j++) li[j] = -1;                                                                    \
      for (r = 0; r < nrows; r++) {                                                                          \
        const float *xr = x + r * rs + j0;                                                                   \
        nn__rv4i rv = {(int32_t)r, (int32_t)r, (int32_t)r, (int32_t)r};                                       \
        for (j = 0; j + 4 <= w; j += 4) {                                                                    \
          nn__rv4f v = nn__rld4f(xr + j), b = nn__rld4f(vb + j);                                                \
          nn__rv4i k = (v CMP b) | ((v != v) & (b == b)), l;                                                  \
          memcpy(&l, li + j, sizeof l);                                                                      \
          l = (l & ~k) | (rv & k);                                                                           \
          memcpy(li + j, &l, sizeof l);                                                                      \
          nn__rst4f(vb + j, nn__rsel4f(k, v, b));                                                              \
        }                                                                                                    \
        for (; j < w; j++) {                                                                                 \
          float v = xr[j], b = vb[j];                                                                        \
          if (v CMP b || (v != v && b == b)) {                                                               \
            vb[j] = v;                                                                                       \
            li[j] = (int32_t)r;                                                                              \
          }                                                                                                  \
        }                                                                                                    \
      }                                                                                                      \
      for (j = 0; j < w; j++)                                                                                \
        if (li[j] >= 0) idx[j0 + j] = r0 + li[j];                                                            \
    }                                                                                                        \
  }
NN__RCOLARG_F32(nn__rcolarg_min_f32, <)
NN__RCOLARG_F32(nn__rcolarg_max_f32, >)
#else
NN__RCOLARG(nn__rcolarg_min_f32, float, float, NN__RCV_ID, NN__RLT)
NN__RCOLARG(nn__rcolarg_max_f32, float, float, NN__RCV_ID, NN__RGT)
#endif
NN__RCOLARG(nn__rcolarg_min_f64, double, double, NN__RCV_ID, NN__RLT)
NN__RCOLARG(nn__rcolarg_max_f64, double, double, NN__RCV_ID, NN__RGT)
NN__RCOLARG(nn__rcolarg_min_i32, int32_t, int32_t, NN__RCV_ID, NN__RLT)
NN__RCOLARG(nn__rcolarg_max_i32, int32_t, int32_t, NN__RCV_ID, NN__RGT)
NN__RCOLARG(nn__rcolarg_min_i64, int64_t, int64_t, NN__RCV_ID, NN__RLT)
NN__RCOLARG(nn__rcolarg_max_i64, int64_t, int64_t, NN__RCV_ID, NN__RGT)
NN__RCOLARG(nn__rcolarg_min_u8, uint8_t, uint8_t, NN__RCV_ID, NN__RLT)
NN__RCOLARG(nn__rcolarg_max_u8, uint8_t, uint8_t, NN__RCV_ID, NN__RGT)
NN__RCOLARG(nn__rcolarg_min_b, uint8_t, uint8_t, NN__RCV_TRUTH, NN__RLT)
NN__RCOLARG(nn__rcolarg_max_b, uint8_t, uint8_t, NN__RCV_TRUTH, NN__RGT)

/* [0: argmin, 1: argmax][dtype] */
static const nn__rcolarg_fn nn__rcolarg_table[2][NN_DTYPE_COUNT] = {
    {nn__rcolarg_min_f32, nn__rcolarg_min_f64, nn__rcolarg_min_i32, nn__rcolarg_min_i64, nn__rcolarg_min_u8,
     nn__rcolarg_min_b},
    {nn__rcolarg_max_f32, nn__rcolarg_max_f64, nn__rcolarg_max_i32, nn__rcolarg_max_i64, nn__rcolarg_max_u8,
     nn__rcolarg_max_b},
};

/* Identity of an arg column accumulator: index 0 and a value every element (or NaN) replaces, or equals. */
NN__PRIVATE void nn__rcolarg_init(int want_max, nn_dtype dt, int64_t *idx, void *vals, int64_t m) {
  int64_t j;
  memset(idx, 0, (size_t)m * sizeof(int64_t));
  switch (dt) {
    case NN_FLOAT32:
      for (j = 0; j < m; j++) ((float *)vals)[j] = want_max ? -INFINITY : INFINITY;
      break;
    case NN_FLOAT64:
      for (j = 0; j < m; j++) ((double *)vals)[j] = want_max ? -INFINITY : INFINITY;
      break;
    case NN_INT32:
      for (j = 0; j < m; j++) ((int32_t *)vals)[j] = want_max ? INT32_MIN : INT32_MAX;
      break;
    case NN_INT64:
      for (j = 0; j < m; j++) ((int64_t *)vals)[j] = want_max ? INT64_MIN : INT64_MAX;
      break;
    case NN_UINT8: memset(vals, want_max ? 0 : 0xff, (size_t)m); break;
    default: memset(vals, want_max ? 0 : 1, (size_t)m); break;
  }
}

/* The accumulator dtype of a column kernel (NN_INT64 holds the wrapping uint64_t sums/products). */
NN__PRIVATE nn_dtype nn__rcol_acc_dtype(nn__rkind k, nn_dtype dt) {
  switch (k) {
    case NN__RK_SUM: return nn__is_float(dt) ? dt : NN_INT64;
    case NN__RK_PROD: return nn__is_float(dt) ? NN_FLOAT64 : NN_INT64;
    case NN__RK_MIN:
    case NN__RK_MAX: return dt;
    case NN__RK_ANY:
    case NN__RK_ALL: return NN_BOOL;
    default: return NN_FLOAT64;
  }
}

/* Fills acc[0..m) (of the accumulator dtype for kind k over dtype dt) with the identity of the reduction. */
NN__PRIVATE void nn__rcol_init(nn__rkind k, nn_dtype dt, void *acc, int64_t m) {
  nn_dtype at = nn__rcol_acc_dtype(k, dt);
  int64_t j;
  if (k == NN__RK_SUM || k == NN__RK_SQDEV || k == NN__RK_SUMEXP || k == NN__RK_ANY) {
    memset(acc, 0, (size_t)m * nn_dtype_size(at));
    return;
  }
  if (k == NN__RK_ALL || (k == NN__RK_MIN && at == NN_BOOL)) {
    memset(acc, 1, (size_t)m);
    return;
  }
  switch (at) {
    case NN_FLOAT32: {
      float v = k == NN__RK_MIN ? INFINITY : -INFINITY;
      for (j = 0; j < m; j++) ((float *)acc)[j] = v;
      break;
    }
    case NN_FLOAT64: {
      double v = k == NN__RK_PROD ? 1.0 : k == NN__RK_MIN ? INFINITY : -INFINITY;
      for (j = 0; j < m; j++) ((double *)acc)[j] = v;
      break;
    }
    case NN_INT32: {
      int32_t v = k == NN__RK_MIN ? INT32_MAX : INT32_MIN;
      for (j = 0; j < m; j++) ((int32_t *)acc)[j] = v;
      break;
    }
    case NN_INT64: {
      int64_t v = k == NN__RK_PROD ? 1 : k == NN__RK_MIN ? INT64_MAX : INT64_MIN;
      for (j = 0; j < m; j++) ((int64_t *)acc)[j] = v;
      break;
    }
    default: /* uint8 and bool min/max */
      memset(acc, k == NN__RK_MIN ? 0xff : 0, (size_t)m);
      break;
  }
}

/* ---------------------------------------------------------------------------------------------------------- */
/* cumulative sums and products                                                                                */
/* ---------------------------------------------------------------------------------------------------------- */

/* One contiguous line: o[i] = x[0] op ... op x[i]. In-place (o == x) is fine. */
#define NN__RCUM_LINE(NAME, T, AT, OP)                             \
  NN__PRIVATE void NAME(int64_t n, T *o, const T *x) {            \
    AT a = (AT)x[0];                                              \
    int64_t i;                                                    \
    o[0] = x[0];                                                  \
    for (i = 1; i < n; i++) {                                     \
      a = a OP(AT) x[i];                                          \
      o[i] = (T)a;                                                \
    }                                                             \
  }
/* Next row of a scan across rows: o[j] = prev[j] op x[j]. */
#define NN__RCUM_ROW(NAME, T, AT, OP)                                      \
  NN__PRIVATE void NAME(int64_t m, T *o, const T *prev, const T *x) {     \
    int64_t j;                                                            \
    for (j = 0; j < m; j++) o[j] = (T)((AT)prev[j] OP(AT) x[j]);          \
  }
NN__RCUM_LINE(nn__rcumsum_line_f32, float, float, +)
NN__RCUM_LINE(nn__rcumsum_line_f64, double, double, +)
NN__RCUM_LINE(nn__rcumsum_line_i64, int64_t, uint64_t, +)
NN__RCUM_LINE(nn__rcumprod_line_f32, float, float, *)
NN__RCUM_LINE(nn__rcumprod_line_f64, double, double, *)
NN__RCUM_LINE(nn__rcumprod_line_i64, int64_t, uint64_t, *)
#if NN__RVEXT
NN__PRIVATE void nn__rcumsum_row_f32(int64_t m, float *o, const float *prev, const float *x) {
  int64_t j = 0;
  for (; j + 8 <= m; j += 8) {
    nn__rst4f(o + j, nn__rld4f(prev + j) + nn__rld4f(x + j));
    nn__rst4f(o + j + 4, nn__rld4f(prev + j + 4) + nn__rld4f(x + j + 4));
  }
  for (; j < m; j++) o[j] = prev[j] + x[j];
}
NN__PRIVATE void nn__rcumsum_row_f64(int64_t m, double *o, const double *prev, const double *x) {
  int64_t j = 0;
  for (; j + 4 <= m; j += 4) {
    nn__rst2d(o + j, nn__rld2d(prev + j) + nn__rld2d(x + j));
    nn__rst2d(o + j + 2, nn__rld2d(prev + j + 2) + nn__rld2d(x + j + 2));
  }
  for (; j < m; j++) o[j] = prev[j] + x[j];
}
#else
NN__RCUM_ROW(nn__rcumsum_row_f32, float, float, +)
NN__RCUM_ROW(nn__rcumsum_row_f64, double, double, +)
#endif
NN__RCUM_ROW(nn__rcumsum_row_i64, int64_t, uint64_t, +)
NN__RCUM_ROW(nn__rcumprod_row_f32, float, float, *)
NN__RCUM_ROW(nn__rcumprod_row_f64, double, double, *)
NN__RCUM_ROW(nn__rcumprod_row_i64, int64_t, uint64_t, *)

/* ---------------------------------------------------------------------------------------------------------- */
/* softmax / log_softmax                                                                                       */
/* ---------------------------------------------------------------------------------------------------------- */

/* One contiguous row of n >= 1 elements; o may equal x. Softmax shifts by the max (NaN if the max is not finite,
   like scipy); log_softmax shifts by the max, or 0 when it is not finite (scipy.special.log_softmax). */
NN__PRIVATE void nn__rsoftmax_row_f32(int64_t n, float *o, const float *x, int logsm) {
  const nn__vec_table *vt = nn__kernels();
  float m;
  if (!logsm && vt->softmax_f32) {
    vt->softmax_f32(n, o, x);
    return;
  }
  if (logsm && vt->log_softmax_f32) {
    vt->log_softmax_f32(n, o, x);
    return;
  }
  m = nn__rminmax_f32(n, x, 1);
  if (logsm) {
    if (!isfinite(m)) m = 0;
    nn__rsub2_f32(n, o, x, m, (float)log(nn__rexpsum_f32(n, NULL, x, m)));
  } else {
    nn__rscale_f32(n, o, o, (float)(1.0 / nn__rexpsum_f32(n, o, x, m)));
  }
}

NN__PRIVATE void nn__rsoftmax_row_f64(int64_t n, double *o, const double *x, int logsm) {
  double m = nn__rminmax_f64(n, x, 1), s0 = 0, s1 = 0;
  int64_t i = 0;
  if (logsm) {
    double ls;
    if (!isfinite(m)) m = 0;
    for (; i + 2 <= n; i += 2) {
      s0 += exp(x[i] - m);
      s1 += exp(x[i + 1] - m);
    }
    for (; i < n; i++) s0 += exp(x[i] - m);
    ls = log(s0 + s1);
    for (i = 0; i < n; i++) o[i] = (x[i] - m) - ls;
  } else {
    double inv;
    for (; i + 2 <= n; i += 2) {
      double e0 = exp(x[i] - m), e1 = exp(x[i + 1] - m);
      o[i] = e0;
      o[i + 1] = e1;
      s0 += e0;
      s1 += e1;
    }
    for (; i < n; i++) {
      o[i] = exp(x[i] - m);
      s0 += o[i];
    }
    inv = 1.0 / (s0 + s1);
    for (i = 0; i < n; i++) o[i] *= inv;
  }
}

/* Softmax down the columns of an n x m block (rows rs elements apart in both x and o): each of the m columns is
   normalized over its n entries. mb and sb are scratch of m doubles. o may equal x. */
#define NN__RSOFTMAX_COLS(NAME, T, EXPROW)                                                                  \
  NN__PRIVATE void NAME(int64_t n, int64_t m, int64_t rs, T *o, const T *x, int logsm, double *mb, double *sb) { \
    int64_t i, j;                                                                                          \
    for (j = 0; j < m; j++) {                                                                              \
      mb[j] = (double)x[j];                                                                                \
      sb[j] = 0;                                                                                           \
    }                                                                                                      \
    for (i = 1; i < n; i++) {                                                                              \
      const T *xr = x + i * rs;                                                                            \
      for (j = 0; j < m; j++) {                                                                            \
        double v = (double)xr[j];                                                                          \
        mb[j] = (v > mb[j] || v != v) ? v : mb[j];                                                         \
      }                                                                                                    \
    }                                                                                                      \
    if (logsm)                                                                                             \
      for (j = 0; j < m; j++)                                                                              \
        if (!isfinite(mb[j])) mb[j] = 0;                                                                   \
    EXPROW                                                                                                 \
    if (logsm)                                                                                             \
      for (j = 0; j < m; j++) sb[j] = log(sb[j]);                                                          \
    else                                                                                                   \
      for (j = 0; j < m; j++) sb[j] = 1.0 / sb[j];                                                         \
    for (i = 0; i < n; i++) {                                                                              \
      const T *xr = x + i * rs;                                                                            \
      T *orow = o + i * rs;                                                                                \
      if (logsm)                                                                                           \
        for (j = 0; j < m; j++) orow[j] = (xr[j] - (T)mb[j]) - (T)sb[j];                                   \
      else                                                                                                 \
        for (j = 0; j < m; j++) orow[j] *= (T)sb[j];                                                       \
    }                                                                                                      \
  }
/* exp(x - max) of every row into o (softmax) or a scratch row (log_softmax), summed into sb */
#define NN__RSM_EXPROW_F64                                                                                  \
  for (i = 0; i < n; i++) {                                                                                \
    const double *xr = x + i * rs;                                                                         \
    double *orow = o + i * rs;                                                                             \
    for (j = 0; j < m; j++) {                                                                              \
      double e = exp(xr[j] - mb[j]);                                                                       \
      if (!logsm) orow[j] = e;                                                                             \
      sb[j] += e;                                                                                          \
    }                                                                                                      \
  }
/* float32 columns (m <= NN__RBLOCK): max with the vector column kernel, exp in float, sums in float over groups of
   64 rows folded into double. */
NN__PRIVATE void nn__rsoftmax_cols_f32(int64_t n, int64_t m, int64_t rs, float *o, const float *x, int logsm,
                                      double *mb, double *sb) {
  float mf[NN__RBLOCK], part[NN__RBLOCK], t[NN__RBLOCK];
  int64_t i, j, g;
  memcpy(mf, x, (size_t)m * sizeof(float));
  nn__rcol_max_f32(m, n - 1, rs, mf, x + rs, NULL);
  for (j = 0; j < m; j++) {
    if (logsm && !isfinite(mf[j])) mf[j] = 0;
    sb[j] = 0;
  }
  for (i = 0; i < n; i = g) {
    g = n - i < 64 ? n : i + 64;
    memset(part, 0, (size_t)m * sizeof(float));
    for (; i < g; i++) {
      const float *xr = x + i * rs;
      float *e = logsm ? t : o + i * rs;
      j = 0;
#if NN__RVEXT
      for (; j + 4 <= m; j += 4) {
        nn__rv4f ev = nn__rvexp4f(nn__rld4f(xr + j) - nn__rld4f(mf + j));
        nn__rst4f(e + j, ev);
        nn__rst4f(part + j, nn__rld4f(part + j) + ev);
      }
#endif
      for (; j < m; j++) {
        e[j] = expf(xr[j] - mf[j]);
        part[j] += e[j];
      }
    }
    for (j = 0; j < m; j++) sb[j] += (double)part[j];
  }
  /* part: the per-column scale 1/sum (softmax) or log(sum) (log_softmax: (x - max) - log(sum)) */
  for (j = 0; j < m; j++) part[j] = logsm ? (float)log(sb[j]) : (float)(1.0 / sb[j]);
  (void)mb;
  for (i = 0; i < n; i++) {
    const float *xr = x + i * rs;
    float *orow = o + i * rs;
    j = 0;
#if NN__RVEXT
    if (logsm)
      for (; j + 4 <= m; j += 4) nn__rst4f(orow + j, (nn__rld4f(xr + j) - nn__rld4f(mf + j)) - nn__rld4f(part + j));
    else
      for (; j + 4 <= m; j += 4) nn__rst4f(orow + j, nn__rld4f(orow + j) * nn__rld4f(part + j));
#endif
    for (; j < m; j++) orow[j] = logsm ? (xr[j] - mf[j]) - part[j] : orow[j] * part[j];
  }
}
NN__RSOFTMAX_COLS(nn__rsoftmax_cols_f64, double, NN__RSM_EXPROW_F64)
