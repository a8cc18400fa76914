/* tests/test_simd.c: the vector kernels (kernels/simd*.c) against the scalar rows and double-precision libm, for
   every instruction set this machine runs (AVX-512 machines also test the AVX2 and 128-bit paths). */

#include <float.h>
#include <stdlib.h>

NT_UNUSED static uint64_t ns_state = 0x9E3779B97F4A7C15ull;
NT_UNUSED static uint32_t ns_rand(void) {
  ns_state ^= ns_state << 13;
  ns_state ^= ns_state >> 7;
  ns_state ^= ns_state << 17;
  return (uint32_t)(ns_state >> 16);
}
NT_UNUSED static double ns_unit(void) { return (double)ns_rand() / 4294967296.0; }
NT_UNUSED static float ns_from_bits(uint32_t b) {
  float f;
  memcpy(&f, &b, sizeof f);
  return f;
}
NT_UNUSED static uint32_t ns_bits(float f) {
  uint32_t b;
  memcpy(&b, &f, sizeof b);
  return b;
}
NT_UNUSED static uint64_t ns_bits_d(double f) {
  uint64_t b;
  memcpy(&b, &f, sizeof b);
  return b;
}
/* Equal bit for bit, or both NaN. */
NT_UNUSED static int ns_same(float a, float b) { return (a != a && b != b) || ns_bits(a) == ns_bits(b); }
NT_UNUSED static int ns_same_d(double a, double b) { return (a != a && b != b) || ns_bits_d(a) == ns_bits_d(b); }

static const float ns_specials[] = {0.0f, -0.0f, 1.0f, -1.0f, 0.5f, -2.0f, 1e-8f, -1e-8f, FLT_MIN, -FLT_MIN,
                                    1e-40f, -1e-40f, 1.4e-45f, -1.4e-45f, FLT_MAX, -FLT_MAX, 1e30f, -1e30f,
                                    88.72283f, 88.72284f, 89.5f, -87.5f, -103.9f, -104.5f, -150.0f, 0.625f,
                                    -0.625f, 0.62499994f, 17.0f, 17.5f, -18.0f, -18.5f, 9.0f, -9.5f, 100.0f,
                                    -100.0f, 3.0f, 0.70710677f, 1.4142135f};
#define NS_NSPEC ((int)(sizeof ns_specials / sizeof ns_specials[0]))

/* Random floats: mostly moderate values, some of any magnitude, some special (inf, NaN, zeros, denormals...). */
NT_UNUSED static float ns_value(void) {
  uint32_t k = ns_rand() % 16;
  if (k < 8) return (float)(ns_unit() * 8.0 - 4.0);
  if (k < 11) return (float)((ns_rand() & 1 ? -1.0 : 1.0) * exp(ns_unit() * 180.0 - 90.0));
  if (k < 12) return ns_from_bits(ns_rand()); /* any pattern, NaNs included */
  if (k == 12) return (ns_rand() & 1) ? INFINITY : -INFINITY;
  if (k == 13) return NAN;
  return ns_specials[ns_rand() % NS_NSPEC];
}
NT_UNUSED static void ns_fill(float *x, int64_t n) {
  int64_t i;
  for (i = 0; i < n; i++) x[i] = ns_value();
}
NT_UNUSED static void ns_fill_d(double *x, int64_t n) {
  int64_t i;
  for (i = 0; i < n; i++) {
    uint32_t k = ns_rand() % 16;
    if (k < 12) x[i] = ns_unit() * 8.0 - 4.0;
    else if (k == 12) x[i] = (ns_rand() & 1) ? INFINITY : -INFINITY;
    else if (k == 13) x[i] = NAN;
    else if (k == 14) x[i] = (ns_rand() & 1) ? 0.0 : -0.0;
    else x[i] = (double)ns_specials[ns_rand() % NS_NSPEC] * 1e-300;
  }
}

/* Error of a float result in units in the last place of the exact (double) result. */
NT_UNUSED static double ns_ulp_err(float got, double ref) {
  float rf = (float)ref;
  double ulp, a;
  int e;
  if (ref != ref) return got != got ? 0.0 : 1e30;
  if (got != got) return 1e30;
  if (isinf(rf) || isinf(got)) return got == rf ? 0.0 : 1e30;
  a = fabs(ref);
  if (a < FLT_MIN) ulp = ldexp(1.0, -149);
  else {
    frexp(a, &e);
    ulp = ldexp(1.0, e - 24);
  }
  return fabs((double)got - ref) / ulp;
}

#if NN__SIMD
/* Lengths past 0..67 (every tail of every vector width): a few longer ones. */
static const int64_t ns_lengths_big[] = {100, 255, 1000, 4099};

/* Level 0 is the 128-bit baseline: always built on arm64, on x86-64 only with NN_SIMD_SSE2. */
#define NS_LEVEL_MIN (NN__SIMD_BASE ? 0 : 1)

static int ns_level_max(void) {
  nn__vec_table t;
  memset(&t, 0, sizeof t);
  return nn__simd_install_level(&t, 2);
}
static void ns_table(nn__vec_table *t, int level) {
  memset(t, 0, sizeof *t);
  nn__simd_install_level(t, level);
}

#define NS_MAXN 4200
#define NS_SENT 0x7fc12345u /* a NaN pattern no kernel writes */

/* Runs a binary vector kernel and the scalar row on the same data and compares bit for bit. Offsets shift the three
   pointers by one element so that unaligned addresses are covered. */
static int ns_check_bin_f32(nn__vbin_fn fn, nn__row_fn row, int mode, int64_t n, int oo, int oa, int ob) {
  static float a[NS_MAXN + 8], b[NS_MAXN + 8], o[NS_MAXN + 8], r[NS_MAXN + 8];
  char *p[3];
  int64_t st[3], i;
  ns_fill(a, n + 2);
  ns_fill(b, n + 2);
  for (i = 0; i < n + 4; i++) o[i] = ns_from_bits(NS_SENT);
  fn(n, o + oo, a + oa, b + ob);
  p[0] = (char *)r;
  p[1] = (char *)(a + oa);
  p[2] = (char *)(b + ob);
  st[0] = 1;
  st[1] = mode == NN__SV ? 0 : 1;
  st[2] = mode == NN__VS ? 0 : 1;
  row(n, p, st, NULL);
  for (i = 0; i < oo; i++)
    if (ns_bits(o[i]) != NS_SENT) return 0;
  for (i = 0; i < n; i++)
    if (!ns_same(o[oo + i], r[i])) {
      NT_FAIL("n=%lld i=%lld a=%.9g b=%.9g got %.9g expected %.9g", (long long)n, (long long)i,
              (double)a[oa + (st[1] ? i : 0)], (double)b[ob + (st[2] ? i : 0)], (double)o[oo + i], (double)r[i]);
      return 0;
    }
  for (i = oo + n; i < oo + n + 3; i++)
    if (ns_bits(o[i]) != NS_SENT) {
      NT_FAIL("n=%lld: wrote past the end", (long long)n);
      return 0;
    }
  return 1;
}

static int ns_check_bin_f64(nn__vbin_fn fn, nn__row_fn row, int mode, int64_t n, int oo, int oa, int ob) {
  static double a[NS_MAXN + 8], b[NS_MAXN + 8], o[NS_MAXN + 8], r[NS_MAXN + 8];
  char *p[3];
  int64_t st[3], i;
  ns_fill_d(a, n + 2);
  ns_fill_d(b, n + 2);
  for (i = 0; i < n + 4; i++) o[i] = 12345.0;
  fn(n, o + oo, a + oa, b + ob);
  p[0] = (char *)r;
  p[1] = (char *)(a + oa);
  p[2] = (char *)(b + ob);
  st[0] = 1;
  st[1] = mode == NN__SV ? 0 : 1;
  st[2] = mode == NN__VS ? 0 : 1;
  row(n, p, st, NULL);
  for (i = 0; i < oo; i++)
    if (o[i] != 12345.0) return 0;
  for (i = 0; i < n; i++)
    if (!ns_same_d(o[oo + i], r[i])) {
      NT_FAIL("f64 n=%lld i=%lld got %.17g expected %.17g", (long long)n, (long long)i, o[oo + i], r[i]);
      return 0;
    }
  for (i = oo + n; i < oo + n + 3; i++)
    if (o[i] != 12345.0) {
      NT_FAIL("f64 n=%lld: wrote past the end", (long long)n);
      return 0;
    }
  return 1;
}

/* Comparisons: float32 inputs, bool bytes out. */
static int ns_check_cmp_f32(nn__vbin_fn fn, nn__row_fn row, int mode, int64_t n, int oo, int oa, int ob) {
  static float a[NS_MAXN + 8], b[NS_MAXN + 8];
  static uint8_t o[NS_MAXN + 8], r[NS_MAXN + 8];
  char *p[3];
  int64_t st[3], i;
  ns_fill(a, n + 2);
  ns_fill(b, n + 2);
  for (i = 0; i < n + 2; i++) /* equal pairs are interesting for ==, <=, ... */
    if (ns_rand() % 4 == 0) b[i] = a[i + oa - ob < 0 ? 0 : i + oa - ob];
  memset(o, 0xAB, (size_t)(n + 4));
  fn(n, o + oo, a + oa, b + ob);
  p[0] = (char *)r;
  p[1] = (char *)(a + oa);
  p[2] = (char *)(b + ob);
  st[0] = 1;
  st[1] = mode == NN__SV ? 0 : 1;
  st[2] = mode == NN__VS ? 0 : 1;
  row(n, p, st, NULL);
  if (oo && o[0] != 0xAB) return 0;
  for (i = 0; i < n; i++)
    if (o[oo + i] != r[i]) {
      NT_FAIL("compare n=%lld i=%lld got %d expected %d", (long long)n, (long long)i, o[oo + i], r[i]);
      return 0;
    }
  return o[oo + n] == 0xAB && o[oo + n + 1] == 0xAB;
}

/* Every length 0..67, a few longer ones, and all 8 combinations of one-element offsets. */
static void ns_sweep_bin(nn__vbin_fn fn, nn__row_fn row, int mode, int f64) { /* f64: 0 f32, 1 f64, 2 compare */
  int64_t n;
  int k, off;
  for (n = 0; n <= 67 + 4; n++) {
    int64_t len = n <= 67 ? n : ns_lengths_big[n - 68];
    for (off = 0; off < 8; off++) {
      int ok = f64 == 2   ? ns_check_cmp_f32(fn, row, mode, len, off & 1, (off >> 1) & 1, (off >> 2) & 1)
               : f64 == 1 ? ns_check_bin_f64(fn, row, mode, len, off & 1, (off >> 1) & 1, (off >> 2) & 1)
                          : ns_check_bin_f32(fn, row, mode, len, off & 1, (off >> 1) & 1, (off >> 2) & 1);
      nt_checks++;
      if (!ok) {
        NT_FAIL("binary kernel mismatch: mode %d n %lld offsets %d", mode, (long long)len, off);
        return;
      }
    }
  }
  (void)k;
}

static const nn_binop ns_binops[] = {NN_OP_ADD, NN_OP_SUB, NN_OP_MUL, NN_OP_DIV, NN_OP_MAXIMUM, NN_OP_MINIMUM};

static void test_simd_binary(void) {
  int level, top = ns_level_max(), i, mode, dt;
  for (level = NS_LEVEL_MIN; level <= top; level++) {
    nn__vec_table t;
    ns_table(&t, level);
    for (dt = 0; dt < 2; dt++)
      for (i = 0; i < 6; i++)
        for (mode = 0; mode < 3; mode++) {
          nn__vbin_fn fn = t.bin[dt][ns_binops[i]][mode];
          CHECK(fn != NULL);
          if (fn) ns_sweep_bin(fn, nn__bin_rows[dt][ns_binops[i]], mode, dt == NN_FLOAT64);
        }
    for (i = NN_OP_EQ; i <= NN_OP_GE; i++)
      for (mode = 0; mode < 3; mode++) {
        nn__vbin_fn fn = t.bin[NN_FLOAT32][i][mode];
        CHECK(fn != NULL);
        if (fn) ns_sweep_bin(fn, nn__bin_rows[NN_FLOAT32][i], mode, 2);
      }
  }
}

/* Unary kernels that must equal the scalar rows bit for bit. */
static void ns_check_un_exact(nn__vun_fn fn, nn__row_fn row, int f64, const char *name) {
  static float x[NS_MAXN + 8], o[NS_MAXN + 8], r[NS_MAXN + 8];
  static double xd[NS_MAXN + 8], od[NS_MAXN + 8], rd[NS_MAXN + 8];
  int64_t n, i, st[2] = {1, 1};
  int off;
  char *p[2];
  for (n = 0; n <= 67 + 4; n++) {
    int64_t len = n <= 67 ? n : ns_lengths_big[n - 68];
    for (off = 0; off < 4; off++) {
      int oo = off & 1, ox = off >> 1;
      nt_checks++;
      if (f64) {
        ns_fill_d(xd, len + 2);
        for (i = 0; i < len + 4; i++) od[i] = 12345.0;
        fn(len, od + oo, xd + ox);
        p[0] = (char *)rd;
        p[1] = (char *)(xd + ox);
        row(len, p, st, NULL);
        for (i = 0; i < len; i++)
          if (!ns_same_d(od[oo + i], rd[i])) {
            NT_FAIL("%s f64 n=%lld x=%.17g got %.17g expected %.17g", name, (long long)len, xd[ox + i], od[oo + i], rd[i]);
            return;
          }
        if (od[oo + len] != 12345.0 || (oo && od[0] != 12345.0)) {
          NT_FAIL("%s f64 n=%lld wrote outside the output", name, (long long)len);
          return;
        }
      } else {
        ns_fill(x, len + 2);
        for (i = 0; i < len + 4; i++) o[i] = ns_from_bits(NS_SENT);
        fn(len, o + oo, x + ox);
        p[0] = (char *)r;
        p[1] = (char *)(x + ox);
        row(len, p, st, NULL);
        for (i = 0; i < len; i++)
          if (!ns_same(o[oo + i], r[i])) {
            NT_FAIL("%s n=%lld x=%.9g got %.9g expected %.9g", name, (long long)len, (double)x[ox + i], (double)o[oo + i],
                    (double)r[i]);
            return;
          }
        if (ns_bits(o[oo + len]) != NS_SENT || (oo && ns_bits(o[0]) != NS_SENT)) {
          NT_FAIL("%s n=%lld wrote outside the output", name, (long long)len);
          return;
        }
      }
    }
  }
}

static void test_simd_unary_exact(void) {
  static const nn_unop f32ops[] = {NN_OP_NEG,   NN_OP_ABS,  NN_OP_SIGN,  NN_OP_SQUARE,     NN_OP_RELU,
                                   NN_OP_SQRT,  NN_OP_RSQRT, NN_OP_RECIPROCAL, NN_OP_ROUND, NN_OP_FLOOR,
                                   NN_OP_CEIL,  NN_OP_TRUNC};
  static const nn_unop f64ops[] = {NN_OP_NEG, NN_OP_ABS, NN_OP_SQUARE, NN_OP_SQRT, NN_OP_RECIPROCAL, NN_OP_RELU};
  int level, top = ns_level_max(), i;
  for (level = NS_LEVEL_MIN; level <= top; level++) {
    nn__vec_table t;
    ns_table(&t, level);
    for (i = 0; i < (int)(sizeof f32ops / sizeof f32ops[0]); i++) {
      nn__vun_fn fn = t.un[NN_FLOAT32][f32ops[i]];
      if (f32ops[i] < NN_OP_ROUND || f32ops[i] > NN_OP_TRUNC || level > 0) CHECK(fn != NULL);
      if (fn) ns_check_un_exact(fn, nn__un_rows[NN_FLOAT32][f32ops[i]], 0, nn_unop_name(f32ops[i]));
    }
    for (i = 0; i < (int)(sizeof f64ops / sizeof f64ops[0]); i++) {
      nn__vun_fn fn = t.un[NN_FLOAT64][f64ops[i]];
      CHECK(fn != NULL);
      if (fn) ns_check_un_exact(fn, nn__un_rows[NN_FLOAT64][f64ops[i]], 1, nn_unop_name(f64ops[i]));
    }
  }
}

/* x ** c with a scalar exponent: vector forms for 2, 0.5, 1, -1 (within an ulp of the C library's pow, which is
   not always correctly rounded; the special values exactly), the scalar row for others. */
static void test_simd_pow_scalar(void) {
  static const double cs[] = {2.0, 0.5, 1.0, -1.0, 0.0, 3.0, -2.5};
  static float x[NS_MAXN + 8], o[NS_MAXN + 8], r[NS_MAXN + 8];
  static double xd[NS_MAXN + 8], od[NS_MAXN + 8], rd[NS_MAXN + 8];
  int level, top = ns_level_max(), k, ci;
  for (level = NS_LEVEL_MIN; level <= top; level++) {
    nn__vec_table t;
    ns_table(&t, level);
    CHECK(t.bin[NN_FLOAT32][NN_OP_POW][NN__VS] != NULL && t.bin[NN_FLOAT64][NN_OP_POW][NN__VS] != NULL);
    if (!t.bin[NN_FLOAT32][NN_OP_POW][NN__VS] || !t.bin[NN_FLOAT64][NN_OP_POW][NN__VS]) continue;
    for (ci = 0; ci < 7; ci++)
      for (k = 0; k < 72; k++) {
        int64_t n = k < 68 ? k : ns_lengths_big[k - 68], i, st[3] = {1, 1, 0};
        float c = (float)cs[ci];
        double cd = cs[ci];
        char *p[3];
        int bad = 0;
        ns_fill(x, n + 1);
        ns_fill_d(xd, n + 1);
        x[0] = -0.0f;
        x[1] = -INFINITY;
        xd[0] = -0.0;
        xd[1] = -INFINITY;
        o[n] = ns_from_bits(NS_SENT);
        od[n] = 12345.0;
        t.bin[NN_FLOAT32][NN_OP_POW][NN__VS](n, o, x, &c);
        t.bin[NN_FLOAT64][NN_OP_POW][NN__VS](n, od, xd, &cd);
        p[0] = (char *)r;
        p[1] = (char *)x;
        p[2] = (char *)&c;
        nn__bin_rows[NN_FLOAT32][NN_OP_POW](n, p, st, NULL);
        p[0] = (char *)rd;
        p[1] = (char *)xd;
        p[2] = (char *)&cd;
        nn__bin_rows[NN_FLOAT64][NN_OP_POW](n, p, st, NULL);
        for (i = 0; i < n && !bad; i++) {
          if (!ns_same(o[i], r[i]) && ns_ulp_err(o[i], (double)r[i]) > 1.0) {
            NT_FAIL("pow level %d: %.9g ** %g = %.9g, scalar row %.9g", level, (double)x[i], cd, (double)o[i], (double)r[i]);
            bad = 1;
          }
          if (!ns_same_d(od[i], rd[i]) && !(fabs(od[i] - rd[i]) <= 2.3e-16 * fabs(rd[i]))) {
            NT_FAIL("pow f64 level %d: %.17g ** %g = %.17g, scalar row %.17g", level, xd[i], cd, od[i], rd[i]);
            bad = 1;
          }
        }
        nt_checks++;
        CHECK(ns_bits(o[n]) == NS_SENT && od[n] == 12345.0);
      }
  }
}

/* ---- transcendental functions: ulp error against double libm ---- */

typedef double (*ns_ref_fn)(double);
static double ns_ref_sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }
static double ns_ref_exp(double x) { return exp(x); }
static double ns_ref_expm1(double x) { return expm1(x); }
static double ns_ref_log(double x) { return log(x); }
static double ns_ref_tanh(double x) { return tanh(x); }
static double ns_ref_exp2(double x) { return exp2(x); }
static double ns_ref_log2(double x) { return log2(x); }
static double ns_ref_log10(double x) { return log10(x); }
static double ns_ref_log1p(double x) { return log1p(x); }
static double ns_ref_erf(double x) { return erf(x); }
/* the activations in double, in forms without cancellation (x sigmoid(v) = x e^v / (1 + e^v) for v < 0) */
static double ns_ref_xsig(double x, double v) { return v < 0 ? x * exp(v) / (1 + exp(v)) : x / (1 + exp(-v)); }
static double ns_ref_gelu(double x) { return 0.5 * x * erfc(-x * 0.70710678118654752440); }
static double ns_ref_gelu_tanh(double x) {
  return ns_ref_xsig(x, 2 * 0.79788456080286535588 * (x + 0.044715 * x * x * x));
}
static double ns_ref_silu(double x) { return ns_ref_xsig(x, x); }
static double ns_ref_softplus(double x) { return x > 20 ? x : (x > 0 ? x : 0) + log1p(exp(-fabs(x))); }
static double ns_ref_log_sigmoid(double x) { return (x < 0 ? x : 0) - log1p(exp(-fabs(x))); }

typedef struct ns_mathfn {
  nn_unop op;
  ns_ref_fn ref;
  double bound; /* max ulp allowed */
  float lo, hi; /* the range where the result is neither constant nor trivially exact */
} ns_mathfn;

static const ns_mathfn ns_math[] = {
    {NN_OP_EXP, ns_ref_exp, 2.0, -105.0f, 90.0f},     {NN_OP_EXPM1, ns_ref_expm1, 3.0, -20.0f, 90.0f},
    {NN_OP_LOG, ns_ref_log, 2.0, 0.0f, FLT_MAX},      {NN_OP_TANH, ns_ref_tanh, 3.0, -10.0f, 10.0f},
    {NN_OP_SIGMOID, ns_ref_sigmoid, 3.0, -105.0f, 20.0f},
    {NN_OP_EXP2, ns_ref_exp2, 9.0, -152.0f, 129.0f},  {NN_OP_LOG2, ns_ref_log2, 9.0, 0.0f, FLT_MAX},
    {NN_OP_LOG10, ns_ref_log10, 9.0, 0.0f, FLT_MAX},  {NN_OP_LOG1P, ns_ref_log1p, 9.0, -1.0f, FLT_MAX},
    {NN_OP_ERF, ns_ref_erf, 9.0, -4.0f, 4.0f},         {NN_OP_GELU, ns_ref_gelu, 9.0, -15.0f, 20.0f},
    {NN_OP_GELU_TANH, ns_ref_gelu_tanh, 9.0, -15.0f, 20.0f}, {NN_OP_SILU, ns_ref_silu, 9.0, -105.0f, 30.0f},
    {NN_OP_SOFTPLUS, ns_ref_softplus, 9.0, -105.0f, 30.0f}, {NN_OP_LOG_SIGMOID, ns_ref_log_sigmoid, 9.0, -30.0f, 105.0f},
};
#define NS_NMATH ((int)(sizeof ns_math / sizeof ns_math[0]))
#define NS_NMATH_OLD 5 /* exp .. sigmoid: special values exactly like the scalar rows */

/* Random arrays and special values: within the bound, and specials handled like the scalar rows. */
static void test_simd_math_values(void) {
  static float x[NS_MAXN + 8], o[NS_MAXN + 8], r[NS_MAXN + 8];
  int level, top = ns_level_max(), f, k;
  for (level = NS_LEVEL_MIN; level <= top; level++) {
    nn__vec_table t;
    ns_table(&t, level);
    for (f = 0; f < NS_NMATH; f++) {
      nn__vun_fn fn = t.un[NN_FLOAT32][ns_math[f].op];
      nn__row_fn row = nn__un_rows[NN_FLOAT32][ns_math[f].op];
      int64_t st[2] = {1, 1}, i, n;
      char *p[2];
      CHECK(fn != NULL);
      if (!fn) continue;
      for (k = 0; k < 72; k++) {
        n = k < 68 ? k : ns_lengths_big[k - 68];
        ns_fill(x, n + 1);
        for (i = 0; i < n + 3; i++) o[i] = ns_from_bits(NS_SENT);
        fn(n, o + (k & 1), x + 1);
        nt_checks++;
        for (i = 0; i < n; i++) {
          double e = ns_ulp_err(o[(k & 1) + i], ns_math[f].ref((double)x[1 + i]));
          if (e > ns_math[f].bound) {
            NT_FAIL("%s level %d: x=%.9g (0x%08x) got %.9g expected %.17g (%.2f ulp)", nn_unop_name(ns_math[f].op), level,
                    (double)x[1 + i], (unsigned)ns_bits(x[1 + i]), (double)o[(k & 1) + i],
                    ns_math[f].ref((double)x[1 + i]), e);
            break;
          }
        }
        CHECK(ns_bits(o[(k & 1) + n]) == NS_SENT);
      }
      /* special values: the same result as the C library's float function */
      {
        static const float sp[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, FLT_MAX, -FLT_MAX, 1.4e-45f, -1.4e-45f};
        int ns = (int)(sizeof sp / sizeof sp[0]);
        memcpy(x, sp, sizeof sp);
        fn(ns, o, x);
        p[0] = (char *)r;
        p[1] = (char *)x;
        row(ns, p, st, NULL);
        for (i = 0; i < ns; i++) {
          if (f >= NS_NMATH_OLD) { /* the newer functions: within the bound of the double result, zeros signed alike */
            double ref = ns_math[f].ref((double)x[i]);
            if (ns_ulp_err(o[i], ref) > ns_math[f].bound || (ref == 0 && (o[i] != 0 || !signbit(o[i]) != !signbit(ref))))
              NT_FAIL("%s level %d: special x=%g got %.9g expected %.9g", nn_unop_name(ns_math[f].op), level,
                      (double)x[i], (double)o[i], ref);
            continue;
          }
          if (ns_math[f].op == NN_OP_LOG && (i == 5 || i == 7)) continue; /* log(FLT_MAX), log(denormal): not exact */
          if (ns_math[f].op == NN_OP_SIGMOID && i == 8) continue;         /* sigmoid(-tiny) = 0.5 rounded either way */
          if (!ns_same(o[i], r[i]))
            NT_FAIL("%s level %d: special x=%g got %.9g (0x%08x) expected %.9g (0x%08x)", nn_unop_name(ns_math[f].op),
                    level, (double)x[i], (double)o[i], (unsigned)ns_bits(o[i]), (double)r[i], (unsigned)ns_bits(r[i]));
          /* zeros keep their sign where the function is odd or maps 0 to 0 */
        }
        nt_checks++;
      }
    }
  }
}

/* Sanitizer builds check memory, not accuracy: they sweep 10x sparser. */
#if defined(__SANITIZE_ADDRESS__)
#define NS_ULP_STRIDE 2579u
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NS_ULP_STRIDE 2579u
#endif
#endif
#ifndef NS_ULP_STRIDE
#define NS_ULP_STRIDE 257u
#endif

/* Every `stride`-th float bit pattern in each function's interesting range: prints and bounds the worst error. The
   stride is 257 by default (NN_TEST_ULP_STRIDE=1 checks every float: about 10 minutes). */
static void test_simd_ulp_sweep(void) {
  enum { B = 4096 };
  static float x[B], o[B];
  static double ref[B];
  int level, top = ns_level_max(), f;
  const char *env = getenv("NN_TEST_ULP_STRIDE");
  uint32_t stride = env && atoi(env) > 0 ? (uint32_t)atoi(env) : NS_ULP_STRIDE;
  nn__vec_table tabs[3];
  double worst[3][NS_NMATH];
  float worst_x[3][NS_NMATH];
  for (level = NS_LEVEL_MIN; level <= top; level++) ns_table(&tabs[level], level);
  for (f = 0; f < NS_NMATH; f++) {
    /* walk the positive patterns [0, bits(hi)] and the negative ones [sign, bits(-lo)] */
    uint32_t ranges[2][2];
    int r, cnt = 0;
    ranges[0][0] = 0;
    ranges[0][1] = ns_math[f].hi > 0 ? ns_bits(ns_math[f].hi) : 0;
    ranges[1][0] = 0x80000000u;
    ranges[1][1] = ns_math[f].lo < 0 ? ns_bits(ns_math[f].lo) : 0x80000000u;
    for (level = NS_LEVEL_MIN; level <= top; level++) {
      worst[level][f] = 0;
      worst_x[level][f] = 0;
    }
    for (r = 0; r < 2; r++) {
      uint64_t b = ranges[r][0] + (uint64_t)(ns_rand() % stride);
      while (b <= ranges[r][1]) {
        int i;
        cnt = 0;
        while (cnt < B && b <= ranges[r][1]) {
          x[cnt] = ns_from_bits((uint32_t)b);
          ref[cnt] = ns_math[f].ref((double)x[cnt]);
          cnt++;
          b += stride;
        }
        for (level = NS_LEVEL_MIN; level <= top; level++) {
          tabs[level].un[NN_FLOAT32][ns_math[f].op](cnt, o, x);
          for (i = 0; i < cnt; i++) {
            double e = ns_ulp_err(o[i], ref[i]);
            if (e > worst[level][f]) {
              worst[level][f] = e;
              worst_x[level][f] = x[i];
            }
          }
        }
      }
    }
  }
  for (level = NS_LEVEL_MIN; level <= top; level++) {
    printf("  simd %-6s max ulp error (every %u-th float):", tabs[level].isa, (unsigned)stride);
    for (f = 0; f < NS_NMATH; f++) {
      printf(" %s %.2f", nn_unop_name(ns_math[f].op), worst[level][f]);
      nt_checks++;
      if (worst[level][f] > ns_math[f].bound)
        NT_FAIL("%s on %s: %.2f ulp at x=%.9g (bound %.1f)", nn_unop_name(ns_math[f].op), tabs[level].isa, worst[level][f],
                (double)worst_x[level][f], ns_math[f].bound);
    }
    printf("\n");
  }
}

/* ---- float64 exp, log, tanh, sigmoid: ulp error against long double ---- */

static double ns_ulp_err_d(double got, long double ref) {
  double rd = (double)ref, ulp;
  long double a;
  int e;
  if (ref != ref) return got != got ? 0.0 : 1e30;
  if (got != got) return 1e30;
  if (isinf(rd) || isinf(got)) return got == rd ? 0.0 : 1e30;
  a = fabsl(ref);
  if (a < DBL_MIN) ulp = ldexp(1.0, -1074);
  else {
    frexpl(a, &e);
    ulp = ldexp(1.0, e - 53);
  }
  return (double)(fabsl((long double)got - ref) / ulp);
}
static long double ns_refl(nn_unop op, double x) {
  long double v = x;
  switch (op) {
    case NN_OP_EXP: return expl(v);
    case NN_OP_LOG: return logl(v);
    case NN_OP_TANH: return tanhl(v);
    default: return 1.0L / (1.0L + expl(-v));
  }
}

static void test_simd_math_f64(void) {
  enum { B = 4096 };
  static double x[B + 8], o[B + 8], r[B + 8];
  static const nn_unop ops[] = {NN_OP_EXP, NN_OP_LOG, NN_OP_TANH, NN_OP_SIGMOID};
  static const double bounds[] = {1.0, 1.0, 3.0, 3.0};
  static const double sp[] = {0.0, -0.0, INFINITY, -INFINITY, NAN, DBL_MAX, -DBL_MAX, 4.9e-324, -4.9e-324,
                              DBL_MIN, 1e-310, 708.0, 708.5, -708.5, 709.8, 709.79, -745.2, -745.0, 1e-20, -40.0};
  int level, top = ns_level_max(), f, k;
  for (level = NS_LEVEL_MIN; level <= top; level++) {
    nn__vec_table t;
    ns_table(&t, level);
    printf("  simd %-6s float64 max ulp error (random):", t.isa);
    for (f = 0; f < 4; f++) {
      nn__vun_fn fn = t.un[NN_FLOAT64][ops[f]];
      double worst = 0, wx = 0;
      int64_t i, st[2] = {1, 1};
      char *p[2];
      CHECK(fn != NULL);
      if (!fn) continue;
      for (k = 0; k < 300; k++) {
        int64_t n = k < 68 ? k : B;
        for (i = 0; i < n + 1; i++) {
          uint32_t c = ns_rand() % 8;
          if (c < 3) x[i] = ns_unit() * 40 - 20;
          else if (c < 5) x[i] = (ns_rand() & 1 ? -1 : 1) * exp(ns_unit() * 1400 - 700);
          else if (c < 6) x[i] = ns_unit() * 1500 - 750;
          else if (c < 7) x[i] = ns_unit() * 2 - 1;
          else x[i] = sp[ns_rand() % (sizeof sp / sizeof sp[0])];
        }
        o[(k & 1) + n] = 12345.0;
        fn(n, o + (k & 1), x + 1);
        CHECK(o[(k & 1) + n] == 12345.0);
        for (i = 0; i < n; i++) {
          double e = ns_ulp_err_d(o[(k & 1) + i], ns_refl(ops[f], x[1 + i]));
          if (e > worst) {
            worst = e;
            wx = x[1 + i];
          }
        }
      }
      nt_checks++;
      printf(" %s %.2f", nn_unop_name(ops[f]), worst);
      if (worst > bounds[f])
        NT_FAIL("%s f64 on %s: %.2f ulp at x=%.17g", nn_unop_name(ops[f]), t.isa, worst, wx);
      /* special values exactly like the C library */
      memcpy(x, sp, sizeof sp);
      fn((int64_t)(sizeof sp / sizeof sp[0]), o, x);
      p[0] = (char *)r;
      p[1] = (char *)x;
      nn__un_rows[NN_FLOAT64][ops[f]]((int64_t)(sizeof sp / sizeof sp[0]), p, st, NULL);
      for (i = 0; i < 5; i++)
        if (!ns_same_d(o[i], r[i])) NT_FAIL("%s f64 on %s: x=%g got %.17g expected %.17g", nn_unop_name(ops[f]), t.isa, x[i], o[i], r[i]);
      nt_checks++;
    }
    printf("\n");
  }
}

/* ---- fused kernels and reductions ---- */

static void test_simd_fused(void) {
  static float a[NS_MAXN + 8], b[NS_MAXN + 8], o[NS_MAXN + 8];
  int level, top = ns_level_max(), k;
  for (level = NS_LEVEL_MIN; level <= top; level++) {
    nn__vec_table t;
    ns_table(&t, level);
    CHECK(t.add_scaled_f32 && t.affine_f32 && t.acc_add_f32);
    if (!t.add_scaled_f32 || !t.affine_f32 || !t.acc_add_f32) continue;
    for (k = 0; k < 72; k++) {
      int64_t n = k < 68 ? k : ns_lengths_big[k - 68], i;
      int off = k & 1;
      for (i = 0; i < n + 2; i++) {
        a[i] = (float)(ns_unit() * 4 - 2);
        b[i] = (float)(ns_unit() * 4 - 2);
      }
      for (i = 0; i < n + 3; i++) o[i] = ns_from_bits(NS_SENT);
      /* exact with FMA; the 128-bit path rounds the product first: within an ulp of the terms' size */
      t.add_scaled_f32(n, o + off, a + 1, b, 2.5f);
      for (i = 0; i < n; i++)
        if (fabs(o[off + i] - ((double)a[1 + i] + 2.5 * (double)b[i])) >
            ldexp(fabs(a[1 + i]) + fabs(2.5 * b[i]), -23)) break;
      CHECK(i == n);
      CHECK(ns_bits(o[off + n]) == NS_SENT);
      t.affine_f32(n, o + off, a + 1, -1.5f, 0.25f);
      for (i = 0; i < n; i++)
        if (fabs(o[off + i] - (-1.5 * (double)a[1 + i] + 0.25)) > ldexp(fabs(1.5 * a[1 + i]) + 0.25, -23)) break;
      CHECK(i == n);
      CHECK(ns_bits(o[off + n]) == NS_SENT);
      memcpy(o, a, (size_t)(n + 2) * sizeof(float));
      o[n + 2] = ns_from_bits(NS_SENT);
      t.acc_add_f32(n + 1, o + 1, b);
      for (i = 0; i < n + 1; i++)
        if (!ns_same(o[1 + i], a[1 + i] + b[i])) break;
      CHECK(i == n + 1);
      CHECK(o[0] == a[0] && ns_bits(o[n + 2]) == NS_SENT);
    }
  }
}

static void test_simd_reductions(void) {
  static float x[NS_MAXN + 8];
  static double xd[NS_MAXN + 8];
  int level, top = ns_level_max(), k;
  for (level = NS_LEVEL_MIN; level <= top; level++) {
    nn__vec_table t;
    ns_table(&t, level);
    CHECK(t.sum_f32 && t.sum_f64 && t.max_f32 && t.min_f32);
    if (!t.sum_f32 || !t.sum_f64 || !t.max_f32 || !t.min_f32) continue;
    CHECK(t.sum_f32(0, x) == 0.0f && t.sum_f64(0, xd) == 0.0);
    CHECK(t.max_f32(0, x) == -INFINITY && t.min_f32(0, x) == INFINITY);
    for (k = 0; k < 72; k++) {
      int64_t n = k < 68 ? k : ns_lengths_big[k - 68], i, j;
      double ref = 0, mag = 0, refd = 0, magd = 0;
      float mx = -INFINITY, mn = INFINITY;
      for (i = 0; i < n + 1; i++) {
        x[i] = (float)(ns_unit() * 2 - 1) * (float)(1 + (ns_rand() % 100));
        xd[i] = ns_unit() * 2 - 1;
      }
      for (i = 1; i < n + 1; i++) {
        ref += x[i];
        mag += fabs(x[i]);
        refd += xd[i];
        magd += fabs(xd[i]);
        mx = x[i] > mx ? x[i] : mx;
        mn = x[i] < mn ? x[i] : mn;
      }
      CHECK(fabs(t.sum_f32(n, x + 1) - ref) <= 1e-6 * (mag + 1));
      CHECK(fabs(t.sum_f64(n, xd + 1) - refd) <= 1e-15 * (magd + 1));
      CHECK(t.max_f32(n, x + 1) == mx);
      CHECK(t.min_f32(n, x + 1) == mn);
      /* NaN anywhere wins; infinities are ordinary values */
      if (n > 0) {
        j = (int64_t)(ns_rand() % (uint32_t)n);
        x[1 + j] = INFINITY;
        CHECK(t.max_f32(n, x + 1) == INFINITY);
        x[1 + j] = -INFINITY;
        CHECK(t.min_f32(n, x + 1) == -INFINITY);
        x[1 + j] = NAN;
        CHECK(t.max_f32(n, x + 1) != t.max_f32(n, x + 1));
        CHECK(t.min_f32(n, x + 1) != t.min_f32(n, x + 1));
        x[1 + j] = 0;
      }
    }
  }
}

/* softmax and log_softmax of one row against double precision; special rows behave like the math. */
static void test_simd_softmax(void) {
  static float x[NS_MAXN + 8], o[NS_MAXN + 8];
  static double e[NS_MAXN + 8];
  int level, top = ns_level_max(), k;
  for (level = NS_LEVEL_MIN; level <= top; level++) {
    nn__vec_table t;
    ns_table(&t, level);
    CHECK(t.softmax_f32 && t.log_softmax_f32);
    if (!t.softmax_f32 || !t.log_softmax_f32) continue;
    for (k = 1; k < 72; k++) {
      int64_t n = k < 68 ? k : ns_lengths_big[k - 68], i;
      double mx = -INFINITY, s = 0, worst = 0, worst_log = 0;
      for (i = 0; i < n; i++) {
        x[i] = (float)(ns_unit() * 20 - 10);
        if (ns_rand() % 8 == 0) x[i] = -INFINITY;
      }
      x[ns_rand() % (uint32_t)n] = 3.0f; /* at least one finite value */
      for (i = 0; i < n; i++) mx = x[i] > mx ? x[i] : mx;
      /* x - max is rounded to float first, as any float softmax does */
      for (i = 0; i < n; i++) s += (e[i] = exp((double)(x[i] - (float)mx)));
      o[n] = ns_from_bits(NS_SENT);
      t.softmax_f32(n, o, x);
      for (i = 0; i < n; i++) {
        double er = ns_ulp_err(o[i], e[i] / s);
        worst = er > worst ? er : worst;
      }
      if (worst > 6.0) NT_FAIL("softmax n=%lld: %.2f ulp", (long long)n, worst);
      CHECK(ns_bits(o[n]) == NS_SENT);
      t.log_softmax_f32(n, o, x);
      for (i = 0; i < n; i++) {
        double ref = (double)(x[i] - (float)mx) - log(s);
        if (isinf(ref)) {
          if (o[i] != ref) worst_log = 1e30;
        } else {
          double er = fabs(o[i] - ref) / (fabs(ref) + 1.0);
          worst_log = er > worst_log ? er : worst_log;
        }
      }
      CHECK(worst_log <= 1e-6);
      CHECK(ns_bits(o[n]) == NS_SENT);
    }
    /* a NaN poisons the row; all -inf gives NaN (0/0), like NumPy's and PyTorch's formulas */
    {
      float r1[5] = {1.0f, NAN, 2.0f, 3.0f, 4.0f}, r2[3] = {-INFINITY, -INFINITY, -INFINITY};
      float r3[4] = {1e30f, -1e30f, 1e30f, 0.0f}, out[5];
      t.softmax_f32(5, out, r1);
      CHECK(out[0] != out[0] && out[4] != out[4]);
      t.softmax_f32(3, out, r2);
      CHECK(out[0] != out[0]);
      t.softmax_f32(4, out, r3);
      CHECK(out[0] == 0.5f && out[1] == 0.0f && out[2] == 0.5f && out[3] == 0.0f);
      t.log_softmax_f32(4, out, r3);
      CHECK_NEAR(out[0], -log(2.0), 1e-7);
      CHECK(out[1] == -INFINITY || out[1] < -1e29f);
      t.softmax_f32(0, out, r1); /* no-op */
      /* log_softmax shifts by 0 when the max is not finite (scipy.special.log_softmax) */
      {
        float r4[3] = {INFINITY, 1.0f, 2.0f}, r5[2] = {-INFINITY, -INFINITY}, r6[3] = {1.0f, 2.0f, 3.0f};
        t.log_softmax_f32(3, out, r4);
        CHECK(out[0] != out[0] && out[1] == -INFINITY && out[2] == -INFINITY);
        t.log_softmax_f32(2, out, r5);
        CHECK(out[0] != out[0] && out[1] != out[1]);
        t.log_softmax_f32(3, r6, r6); /* in place */
        CHECK_NEAR(r6[2], -0.40760596444438, 1e-7);
        CHECK_NEAR(r6[0], -2.40760596444438, 1e-7);
        r6[0] = 1.0f;
        r6[1] = 2.0f;
        r6[2] = 3.0f;
        t.softmax_f32(3, r6, r6);
        CHECK_NEAR(r6[0], 0.09003057317038, 1e-7);
        CHECK_NEAR(r6[2], 0.66524095577472, 1e-7);
      }
    }
  }
}

/* Streaming stores: force them on for short arrays and check every head/tail alignment. */
static void test_simd_streaming(void) {
  static float a[1200], b[1200], o[1200], r[1200];
  int64_t saved = nn__simd_nt_min, n, i;
  int level, top = ns_level_max(), off;
  nn__simd_nt_min = 40;
  for (level = NS_LEVEL_MIN; level <= top; level++) {
    nn__vec_table t;
    ns_table(&t, level);
    for (n = 38; n < 300; n += 7)
      for (off = 0; off < 16; off++) {
        ns_fill(a, n + 16);
        ns_fill(b, n + 16);
        for (i = 0; i < n + 20; i++) o[i] = ns_from_bits(NS_SENT);
        t.bin[NN_FLOAT32][NN_OP_MUL][NN__VV](n, o + off, a, b + 1);
        t.un[NN_FLOAT32][NN_OP_EXP](n, r, a);
        for (i = 0; i < n; i++)
          if (!ns_same(o[off + i], a[i] * b[1 + i])) break;
        CHECK(i == n);
        for (i = 0; i < off; i++) CHECK(ns_bits(o[i]) == NS_SENT);
        CHECK(ns_bits(o[off + n]) == NS_SENT);
        for (i = 0; i < n + 20; i++) o[i] = ns_from_bits(NS_SENT);
        t.un[NN_FLOAT32][NN_OP_EXP](n, o + off, a);
        for (i = 0; i < n; i++)
          if (!ns_same(o[off + i], r[i])) break; /* same values whether streamed or not */
        CHECK(i == n);
        CHECK(ns_bits(o[off + n]) == NS_SENT);
        {
          double *od = (double *)(void *)o, *ad = (double *)(void *)a;
          ns_fill_d(ad, n / 2 + 1);
          for (i = 0; i < n / 2 + 4; i++) od[i] = 12345.0;
          t.bin[NN_FLOAT64][NN_OP_ADD][NN__VS](n / 2, od + (off & 3), ad, ad + 1);
          for (i = 0; i < n / 2; i++)
            if (!ns_same_d(od[(off & 3) + i], ad[i] + ad[1])) break;
          CHECK(i == n / 2);
          CHECK(od[(off & 3) + n / 2] == 12345.0);
        }
      }
  }
  nn__simd_nt_min = saved;
}

/* In place (out == input), as the _out ops allow: same values as out of place, streamed or not. */
static void test_simd_in_place(void) {
  static float a[5000], b[5000], r[5000];
  int level, top = ns_level_max(), k;
  int64_t saved = nn__simd_nt_min, i;
  for (level = NS_LEVEL_MIN; level <= top; level++) {
    nn__vec_table t;
    ns_table(&t, level);
    for (k = 0; k < 4; k++) {
      int64_t n = k & 1 ? 4099 : 67;
      nn__simd_nt_min = k & 2 ? 40 : saved;
      ns_fill(a, n);
      ns_fill(b, n);
      t.bin[NN_FLOAT32][NN_OP_ADD][NN__VV](n, r, a, b);
      t.bin[NN_FLOAT32][NN_OP_ADD][NN__VV](n, a, a, b);
      for (i = 0; i < n && ns_same(a[i], r[i]); i++) {
      }
      CHECK(i == n);
      t.un[NN_FLOAT32][NN_OP_TANH](n, r, b);
      t.un[NN_FLOAT32][NN_OP_TANH](n, b, b);
      for (i = 0; i < n && ns_same(b[i], r[i]); i++) {
      }
      CHECK(i == n);
      ns_fill(a, n);
      t.softmax_f32(n, r, a);
      t.softmax_f32(n, a, a);
      for (i = 0; i < n && ns_same(a[i], r[i]); i++) {
      }
      CHECK(i == n);
    }
  }
  nn__simd_nt_min = saved;
}

static void test_simd_dispatch(void) {
  const nn__vec_table *vt = nn__kernels();
  int top = ns_level_max();
  if (getenv("NN_FORCE_SCALAR")) return;
#if NN__X86
  CHECK(strcmp(vt->isa, top == 2 ? "avx512" : top == 1 ? "avx2" : NN__SIMD_BASE ? "sse2" : "scalar") == 0);
#else
  CHECK(strcmp(vt->isa, "neon") == 0 && top == 0);
#endif
  CHECK(vt->un[NN_FLOAT32][NN_OP_EXP] != NULL && vt->sum_f32 != NULL);
}
#endif /* NN__SIMD */

/* ---- end to end through the ops layer (vector or scalar kernels, whichever this build uses) ---- */

static void test_simd_ops_layer(void) {
  const int64_t n = 200003; /* several thread chunks plus a tail */
  int64_t shp[1], i;
  nn_tensor *x, *y, *z, *s, *r;
  float *xp;
  int bad = 0;
  shp[0] = n;
  x = nn_empty(shp, 1, NN_FLOAT32);
  y = nn_empty(shp, 1, NN_FLOAT32);
  z = nn_empty(shp, 1, NN_FLOAT32);
  CHECK(x && y && z);
  if (!x || !y || !z) return;
  xp = (float *)x->data;
  for (i = 0; i < n; i++) xp[i] = (float)(ns_unit() * 40 - 20);
  xp[7] = NAN;
  xp[8] = INFINITY;
  xp[9] = -INFINITY;
  xp[10] = -0.0f;
  {
    static const nn_unop ops[] = {NN_OP_EXP, NN_OP_LOG, NN_OP_TANH, NN_OP_SIGMOID, NN_OP_EXPM1, NN_OP_SQRT, NN_OP_RELU};
    static const double bounds[] = {2, 2, 3, 3, 3, 0.5, 0};
    int k;
    for (k = 0; k < 7; k++) {
      double worst = 0;
      CHECK(nn_unary_out(ops[k], y, x) == NN_OK);
      for (i = 0; i < n; i++) {
        double xv = xp[i], ref;
        switch (ops[k]) {
          case NN_OP_EXP: ref = exp(xv); break;
          case NN_OP_LOG: ref = log(xv); break;
          case NN_OP_TANH: ref = tanh(xv); break;
          case NN_OP_SIGMOID: ref = 1.0 / (1.0 + exp(-xv)); break;
          case NN_OP_EXPM1: ref = expm1(xv); break;
          case NN_OP_SQRT: ref = sqrt(xv); break;
          default: ref = xv > 0 ? xv : (xv != xv ? xv : 0.0); break;
        }
        if (ops[k] == NN_OP_SIGMOID && xv < -88) continue; /* the scalar row flushes these to 0 */
        {
          double e = ns_ulp_err(((float *)y->data)[i], ref);
          worst = e > worst ? e : worst;
        }
      }
      nt_checks++;
      if (worst > bounds[k]) NT_FAIL("nn_unary_out(%s): %.2f ulp", nn_unop_name(ops[k]), worst);
    }
    /* the functional forms give the same values */
    r = nn_exp(x);
    CHECK(nn_unary_out(NN_OP_EXP, y, x) == NN_OK);
    CHECK(r && memcmp(r->data, y->data, (size_t)n * sizeof(float)) == 0);
    nn_free(r);
    r = nn_tanh(x);
    CHECK(nn_unary_out(NN_OP_TANH, y, x) == NN_OK);
    CHECK(r && memcmp(r->data, y->data, (size_t)n * sizeof(float)) == 0);
    nn_free(r);
  }
  /* binary: vector-vector, vector-scalar (weak float scalar), scalar-vector, and broadcast rows */
  for (i = 0; i < n; i++) ((float *)y->data)[i] = (float)(ns_unit() * 2 - 1);
  CHECK(nn_binary_out(NN_OP_DIV, z, x, y) == NN_OK);
  for (i = 0; i < n && !bad; i++) bad = !ns_same(((float *)z->data)[i], xp[i] / ((float *)y->data)[i]);
  CHECK(!bad);
  s = nn_scalar(0.75, NN_FLOAT64);
  r = nn_binary(NN_OP_SUB, x, s);
  CHECK(r && r->dtype == NN_FLOAT32);
  for (i = 0, bad = 0; r && i < n && !bad; i++) bad = !ns_same(((float *)r->data)[i], xp[i] - 0.75f);
  CHECK(!bad);
  nn_free(r);
  r = nn_binary(NN_OP_MAXIMUM, s, x);
  for (i = 0, bad = 0; r && i < n && !bad; i++) {
    float v = xp[i];
    bad = !ns_same(((float *)r->data)[i], (0.75f > v || v != v) ? (v != v ? v : 0.75f) : v);
  }
  CHECK(r && !bad);
  nn_free(r);
  nn_free(s);
  {
    int64_t s2[2] = {400, 500}, s1[1] = {500};
    nn_tensor *X = nn_wrap(xp, s2, 2, NN_FLOAT32), *rv = nn_wrap((float *)y->data + 3, s1, 1, NN_FLOAT32);
    nn_tensor *Y = nn_wrap(z->data, s2, 2, NN_FLOAT32);
    CHECK(X && rv && Y && nn_binary_out(NN_OP_ADD, Y, X, rv) == NN_OK);
    for (i = 0, bad = 0; i < 400 * 500 && !bad; i++)
      bad = !ns_same(((float *)z->data)[i], xp[i] + ((float *)y->data)[3 + i % 500]);
    CHECK(!bad);
    nn_free(X);
    nn_free(rv);
    nn_free(Y);
  }
  /* comparisons give bool */
  r = nn_less(x, y);
  CHECK(r && r->dtype == NN_BOOL);
  for (i = 0, bad = 0; r && i < n && !bad; i++) bad = ((uint8_t *)r->data)[i] != (xp[i] < ((float *)y->data)[i]);
  CHECK(!bad);
  nn_free(r);
  /* fused forms */
  CHECK(nn_add_scaled_out(z, x, y, 2.5) == NN_OK);
  for (i = 0, bad = 0; i < n && !bad; i++)
    if (xp[i] == xp[i] && !isinf(xp[i]))
      bad = fabs(((float *)z->data)[i] - ((double)xp[i] + 2.5 * ((float *)y->data)[i])) >
            ldexp(fabs(xp[i]) + fabs(2.5 * ((float *)y->data)[i]), -23);
  CHECK(!bad);
  CHECK(nn_affine_out(z, y, 3.0, -1.0) == NN_OK);
  for (i = 0, bad = 0; i < n && !bad; i++)
    bad = fabs(((float *)z->data)[i] - (3.0 * ((float *)y->data)[i] - 1.0)) > ldexp(fabs(3.0 * ((float *)y->data)[i]) + 1, -23);
  CHECK(!bad);
  /* float64 through the ops layer */
  {
    nn_tensor *xd = nn_astype(y, NN_FLOAT64), *yd = nn_astype(x, NN_FLOAT64), *zd;
    zd = nn_mul(xd, yd);
    CHECK(zd && zd->dtype == NN_FLOAT64);
    for (i = 0, bad = 0; zd && i < n && !bad; i++)
      bad = !ns_same_d(((double *)zd->data)[i], ((double *)xd->data)[i] * ((double *)yd->data)[i]);
    CHECK(!bad);
    nn_free(zd);
    zd = nn_sqrt(xd);
    for (i = 0, bad = 0; zd && i < n && !bad; i++) bad = !ns_same_d(((double *)zd->data)[i], sqrt(((double *)xd->data)[i]));
    CHECK(zd && !bad);
    nn_free(zd);
    nn_free(xd);
    nn_free(yd);
  }
  /* the same result with one thread and with two (chunks are fixed by size) */
  {
    int nt = nn_get_num_threads();
    nn_tensor *t1, *t2;
    nn_set_num_threads(1);
    t1 = nn_sigmoid(x);
    nn_set_num_threads(2);
    t2 = nn_sigmoid(x);
    nn_set_num_threads(nt);
    CHECK(t1 && t2 && memcmp(t1->data, t2->data, (size_t)n * sizeof(float)) == 0);
    nn_free(t1);
    nn_free(t2);
  }
  nn_free(x);
  nn_free(y);
  nn_free(z);
}

void tests_simd(void) {
#if NN__SIMD
  RUN(test_simd_dispatch);
  RUN(test_simd_binary);
  RUN(test_simd_unary_exact);
  RUN(test_simd_pow_scalar);
  RUN(test_simd_math_values);
  RUN(test_simd_math_f64);
  RUN(test_simd_fused);
  RUN(test_simd_reductions);
  RUN(test_simd_softmax);
  RUN(test_simd_streaming);
  RUN(test_simd_in_place);
  RUN(test_simd_ulp_sweep);
#endif
  RUN(test_simd_ops_layer);
}
