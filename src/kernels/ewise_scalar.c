/* kernels/ewise_scalar.c: portable strided row kernels for every elementwise op and dtype.

   These are the reference implementation and the fallback; kernels/simd_*.c provide faster contiguous versions for
   the hot cases through nn__vec (see kernels/vec_table.c). Integer arithmetic wraps like NumPy's (done in unsigned
   arithmetic, because signed overflow is undefined in C). */

/* ---- scalar helpers with NumPy/Python semantics ---- */

NN__PRIVATE double nn__fmod_py(double a, double b) {
  double m;
  if (b == 0) return fmod(a, b); /* NaN */
  m = fmod(a, b);
  if (m != 0) {
    if ((b < 0) != (m < 0)) m += b;
  } else {
    m = copysign(0.0, b);
  }
  return m;
}

NN__PRIVATE double nn__floordiv_py(double a, double b) {
  double m, div, fl;
  if (b == 0) return a / b;
  m = fmod(a, b);
  div = (a - m) / b;
  if (m != 0 && ((b < 0) != (m < 0))) div -= 1.0;
  if (div != 0) {
    fl = floor(div);
    if (div - fl > 0.5) fl += 1.0;
  } else {
    fl = copysign(0.0, a / b);
  }
  return fl;
}

#define NN__INT_HELPERS(SFX, T, UT, TMIN)                                              \
  NN__PRIVATE T nn__ifloordiv_##SFX(T a, T b) {                                         \
    T q;                                                                               \
    if (b == 0) return 0;                                                              \
    if (b == -1) return (T)(UT)(0 - (UT)a);                                            \
    q = (T)(a / b);                                                                    \
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;                                     \
    return q;                                                                          \
  }                                                                                    \
  NN__PRIVATE T nn__imod_##SFX(T a, T b) {                                              \
    T m;                                                                               \
    if (b == 0 || b == -1) return 0;                                                   \
    m = (T)(a % b);                                                                    \
    if (m != 0 && ((m < 0) != (b < 0))) m = (T)(m + b);                                \
    return m;                                                                          \
  }                                                                                    \
  NN__PRIVATE T nn__ipow_##SFX(T a, T b) {                                             \
    UT r = 1, base = (UT)a;                                                            \
    if (b < 0) return 0; /* rejected earlier by the op */                              \
    while (b) {                                                                        \
      if (b & 1) r *= base;                                                            \
      base *= base;                                                                    \
      b = (T)(b >> 1);                                                                 \
    }                                                                                  \
    return (T)r;                                                                       \
  }
NN__INT_HELPERS(i32, int32_t, uint32_t, INT32_MIN)
NN__INT_HELPERS(i64, int64_t, uint64_t, INT64_MIN)

NN__PRIVATE uint8_t nn__ifloordiv_u8(uint8_t a, uint8_t b) { return b ? (uint8_t)(a / b) : 0; }
NN__PRIVATE uint8_t nn__imod_u8(uint8_t a, uint8_t b) { return b ? (uint8_t)(a % b) : 0; }
NN__PRIVATE uint8_t nn__ipow_u8(uint8_t a, uint8_t b) {
  unsigned r = 1, base = a;
  while (b) {
    if (b & 1) r = (r * base) & 0xffu;
    base = (base * base) & 0xffu;
    b = (uint8_t)(b >> 1);
  }
  return (uint8_t)r;
}

/* ---- binary rows: p[0] = out, p[1] = a, p[2] = b ---- */

#define NN__BIN_ROW(NAME, T, OT, EXPR)                                         \
  NN__PRIVATE void NAME(int64_t n, char **p, const int64_t *st, void *ctx) {   \
    OT *o = (OT *)p[0];                                                        \
    const T *a = (const T *)p[1], *b = (const T *)p[2];                        \
    int64_t i, so = st[0], sa = st[1], sb = st[2];                             \
    (void)ctx;                                                                 \
    if (so == 1 && sa == 1 && sb == 1) {                                       \
      for (i = 0; i < n; i++) {                                                \
        T x = a[i], y = b[i];                                                  \
        o[i] = (OT)(EXPR);                                                     \
      }                                                                        \
    } else if (so == 1 && sa == 1 && sb == 0) {                                \
      T y = b[0];                                                              \
      for (i = 0; i < n; i++) {                                                \
        T x = a[i];                                                            \
        o[i] = (OT)(EXPR);                                                     \
      }                                                                        \
    } else if (so == 1 && sa == 0 && sb == 1) {                                \
      T x = a[0];                                                              \
      for (i = 0; i < n; i++) {                                                \
        T y = b[i];                                                            \
        o[i] = (OT)(EXPR);                                                     \
      }                                                                        \
    } else {                                                                   \
      for (i = 0; i < n; i++) {                                                \
        T x = a[i * sa], y = b[i * sb];                                        \
        o[i * so] = (OT)(EXPR);                                                \
      }                                                                        \
    }                                                                          \
  }

/* Comparison and logic rows are the same for every dtype. */
#define NN__BIN_CMP_ROWS(SFX, T)                                                       \
  NN__BIN_ROW(nn__eq_##SFX, T, uint8_t, x == y)                                        \
  NN__BIN_ROW(nn__ne_##SFX, T, uint8_t, x != y)                                        \
  NN__BIN_ROW(nn__lt_##SFX, T, uint8_t, x < y)                                         \
  NN__BIN_ROW(nn__le_##SFX, T, uint8_t, x <= y)                                        \
  NN__BIN_ROW(nn__gt_##SFX, T, uint8_t, x > y)                                         \
  NN__BIN_ROW(nn__ge_##SFX, T, uint8_t, x >= y)                                        \
  NN__BIN_ROW(nn__land_##SFX, T, uint8_t, (x != 0) && (y != 0))                        \
  NN__BIN_ROW(nn__lor_##SFX, T, uint8_t, (x != 0) || (y != 0))                         \
  NN__BIN_ROW(nn__lxor_##SFX, T, uint8_t, (x != 0) != (y != 0))

#define NN__BIN_FLOAT_ROWS(SFX, T, POW, ATAN2)                                         \
  NN__BIN_ROW(nn__add_##SFX, T, T, x + y)                                              \
  NN__BIN_ROW(nn__sub_##SFX, T, T, x - y)                                              \
  NN__BIN_ROW(nn__mul_##SFX, T, T, x * y)                                              \
  NN__BIN_ROW(nn__div_##SFX, T, T, x / y)                                              \
  NN__BIN_ROW(nn__floordiv_##SFX, T, T, nn__floordiv_py(x, y))                         \
  NN__BIN_ROW(nn__mod_##SFX, T, T, nn__fmod_py(x, y))                                  \
  NN__BIN_ROW(nn__pow_##SFX, T, T, POW(x, y))                                          \
  NN__BIN_ROW(nn__max_##SFX, T, T, (x != x || x > y) ? x : y)                          \
  NN__BIN_ROW(nn__min_##SFX, T, T, (x != x || x < y) ? x : y)                          \
  NN__BIN_ROW(nn__atan2_##SFX, T, T, ATAN2(x, y))                                      \
  NN__BIN_CMP_ROWS(SFX, T)

#define NN__BIN_INT_ROWS(SFX, T, UT)                                                   \
  NN__BIN_ROW(nn__add_##SFX, T, T, (T)(UT)((UT)x + (UT)y))                             \
  NN__BIN_ROW(nn__sub_##SFX, T, T, (T)(UT)((UT)x - (UT)y))                             \
  NN__BIN_ROW(nn__mul_##SFX, T, T, (T)(UT)((UT)x * (UT)y))                             \
  NN__BIN_ROW(nn__floordiv_##SFX, T, T, nn__ifloordiv_##SFX(x, y))                      \
  NN__BIN_ROW(nn__mod_##SFX, T, T, nn__imod_##SFX(x, y))                                \
  NN__BIN_ROW(nn__pow_##SFX, T, T, nn__ipow_##SFX(x, y))                               \
  NN__BIN_ROW(nn__max_##SFX, T, T, x > y ? x : y)                                      \
  NN__BIN_ROW(nn__min_##SFX, T, T, x < y ? x : y)                                      \
  NN__BIN_CMP_ROWS(SFX, T)

NN__BIN_FLOAT_ROWS(f32, float, powf, atan2f)
NN__BIN_FLOAT_ROWS(f64, double, pow, atan2)
NN__BIN_INT_ROWS(i32, int32_t, uint32_t)
NN__BIN_INT_ROWS(i64, int64_t, uint64_t)
NN__BIN_INT_ROWS(u8, uint8_t, uint32_t)
/* bool: add/max = or, mul/min = and (NumPy); other arithmetic on bool computes in uint8. */
NN__BIN_ROW(nn__or_b, uint8_t, uint8_t, (x != 0) || (y != 0))
NN__BIN_ROW(nn__and_b, uint8_t, uint8_t, (x != 0) && (y != 0))
NN__BIN_CMP_ROWS(b, uint8_t)

/* [op][computation dtype]; NULL where the op never computes in that dtype (the op promotes first). */
#define NN__BIN_NUM(SFX) nn__add_##SFX, nn__sub_##SFX, nn__mul_##SFX
#define NN__BIN_CMP(SFX) \
  nn__eq_##SFX, nn__ne_##SFX, nn__lt_##SFX, nn__le_##SFX, nn__gt_##SFX, nn__ge_##SFX, nn__land_##SFX, nn__lor_##SFX, nn__lxor_##SFX
static const nn__row_fn nn__bin_rows[NN_DTYPE_COUNT][NN_BINOP_COUNT] = {
    {NN__BIN_NUM(f32), nn__div_f32, nn__floordiv_f32, nn__mod_f32, nn__pow_f32, nn__max_f32, nn__min_f32, nn__atan2_f32,
     NN__BIN_CMP(f32)},
    {NN__BIN_NUM(f64), nn__div_f64, nn__floordiv_f64, nn__mod_f64, nn__pow_f64, nn__max_f64, nn__min_f64, nn__atan2_f64,
     NN__BIN_CMP(f64)},
    {NN__BIN_NUM(i32), NULL, nn__floordiv_i32, nn__mod_i32, nn__pow_i32, nn__max_i32, nn__min_i32, NULL, NN__BIN_CMP(i32)},
    {NN__BIN_NUM(i64), NULL, nn__floordiv_i64, nn__mod_i64, nn__pow_i64, nn__max_i64, nn__min_i64, NULL, NN__BIN_CMP(i64)},
    {NN__BIN_NUM(u8), NULL, nn__floordiv_u8, nn__mod_u8, nn__pow_u8, nn__max_u8, nn__min_u8, NULL, NN__BIN_CMP(u8)},
    {nn__or_b, NULL, nn__and_b, NULL, NULL, NULL, NULL, nn__or_b, nn__and_b, NULL, NN__BIN_CMP(b)},
};

/* ---- unary rows: p[0] = out, p[1] = x ---- */

#define NN__UN_ROW(NAME, T, OT, EXPR)                                          \
  NN__PRIVATE void NAME(int64_t n, char **p, const int64_t *st, void *ctx) {   \
    OT *o = (OT *)p[0];                                                        \
    const T *a = (const T *)p[1];                                              \
    int64_t i, so = st[0], sa = st[1];                                         \
    (void)ctx;                                                                 \
    if (so == 1 && sa == 1)                                                    \
      for (i = 0; i < n; i++) {                                                \
        T x = a[i];                                                            \
        o[i] = (OT)(EXPR);                                                     \
      }                                                                        \
    else                                                                       \
      for (i = 0; i < n; i++) {                                                \
        T x = a[i * sa];                                                       \
        o[i * so] = (OT)(EXPR);                                                \
      }                                                                        \
  }

NN__PRIVATE float nn__sigmoidf(float x) { return 1.0f / (1.0f + expf(-x)); }
NN__PRIVATE double nn__sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

/* The activations, in stable forms (the float32 rows compute in double). At -inf gelu, gelu_tanh and silu give NaN
   like torch's formulas (x times a factor that is 0). */
/* x Phi(x) = x erfc(-x / sqrt 2) / 2 (torch's gelu: 0.5 x (1 + erf(x / sqrt 2)), without its cancellation) */
NN__PRIVATE double nn__gelu(double x) { return 0.5 * x * erfc(-x * 0.70710678118654752440); }
/* x sigmoid(v) */
NN__PRIVATE double nn__xsig(double x, double v) {
  double e = exp(-fabs(v));
  return x < 0 ? x * e / (1.0 + e) : x / (1.0 + e);
}
/* x sigmoid(v), v = 2 sqrt(2/pi) (x + 0.044715 x^3): equal to torch's 0.5 x (1 + tanh(v / 2)) */
NN__PRIVATE double nn__gelu_tanh(double x) {
  return nn__xsig(x, x * (1.5957691216057308 + 0.071354816272600955 * (x * x)));
}
NN__PRIVATE double nn__silu(double x) { return nn__xsig(x, x); }
/* log1p(e^x), and x for x > 20 (torch's threshold) */
NN__PRIVATE double nn__softplus(double x) { return x > 20 ? x : (x > 0 ? x : 0.0) + log1p(exp(-fabs(x))); }
NN__PRIVATE double nn__log_sigmoid(double x) { return (x < 0 ? x : 0.0) - log1p(exp(-fabs(x))); }

#define NN__UN_FLOAT_ROWS(SFX, T, F)                                                      \
  NN__UN_ROW(nn__neg_##SFX, T, T, -x)                                                     \
  NN__UN_ROW(nn__abs_##SFX, T, T, fabs##F(x))                                             \
  NN__UN_ROW(nn__sign_##SFX, T, T, x > 0 ? (T)1 : x < 0 ? (T)-1 : x)                      \
  NN__UN_ROW(nn__square_##SFX, T, T, x *x)                                                \
  NN__UN_ROW(nn__relu_##SFX, T, T, x > 0 ? x : (x != x ? x : (T)0))                       \
  NN__UN_ROW(nn__round_##SFX, T, T, nearbyint##F(x))                                      \
  NN__UN_ROW(nn__floor_##SFX, T, T, floor##F(x))                                          \
  NN__UN_ROW(nn__ceil_##SFX, T, T, ceil##F(x))                                            \
  NN__UN_ROW(nn__trunc_##SFX, T, T, trunc##F(x))                                          \
  NN__UN_ROW(nn__exp_##SFX, T, T, exp##F(x))                                              \
  NN__UN_ROW(nn__exp2_##SFX, T, T, exp2##F(x))                                            \
  NN__UN_ROW(nn__expm1_##SFX, T, T, expm1##F(x))                                          \
  NN__UN_ROW(nn__log_##SFX, T, T, log##F(x))                                              \
  NN__UN_ROW(nn__log2_##SFX, T, T, log2##F(x))                                            \
  NN__UN_ROW(nn__log10_##SFX, T, T, log10##F(x))                                          \
  NN__UN_ROW(nn__log1p_##SFX, T, T, log1p##F(x))                                          \
  NN__UN_ROW(nn__sqrt_##SFX, T, T, sqrt##F(x))                                            \
  NN__UN_ROW(nn__rsqrt_##SFX, T, T, (T)1 / sqrt##F(x))                                    \
  NN__UN_ROW(nn__recip_##SFX, T, T, (T)1 / x)                                             \
  NN__UN_ROW(nn__sin_##SFX, T, T, sin##F(x))                                              \
  NN__UN_ROW(nn__cos_##SFX, T, T, cos##F(x))                                              \
  NN__UN_ROW(nn__tan_##SFX, T, T, tan##F(x))                                              \
  NN__UN_ROW(nn__asin_##SFX, T, T, asin##F(x))                                            \
  NN__UN_ROW(nn__acos_##SFX, T, T, acos##F(x))                                            \
  NN__UN_ROW(nn__atan_##SFX, T, T, atan##F(x))                                            \
  NN__UN_ROW(nn__sinh_##SFX, T, T, sinh##F(x))                                            \
  NN__UN_ROW(nn__cosh_##SFX, T, T, cosh##F(x))                                            \
  NN__UN_ROW(nn__tanh_##SFX, T, T, tanh##F(x))                                            \
  NN__UN_ROW(nn__erf_##SFX, T, T, erf##F(x))                                              \
  NN__UN_ROW(nn__isnan_##SFX, T, uint8_t, x != x)                                         \
  NN__UN_ROW(nn__isinf_##SFX, T, uint8_t, x == (T)INFINITY || x == -(T)INFINITY)          \
  NN__UN_ROW(nn__isfinite_##SFX, T, uint8_t, x - x == 0)                                  \
  NN__UN_ROW(nn__lnot_##SFX, T, uint8_t, x == 0)

NN__UN_FLOAT_ROWS(f32, float, f)
NN__UN_FLOAT_ROWS(f64, double, )
NN__UN_ROW(nn__sigmoid_f32, float, float, nn__sigmoidf(x))
NN__UN_ROW(nn__sigmoid_f64, double, double, nn__sigmoid(x))
/* one strided loop each (the libm calls dominate) */
#define NN__UN_ACT_ROW(NAME, SFX, T)                                                          \
  NN__PRIVATE void nn__##NAME##_##SFX(int64_t n, char **p, const int64_t *st, void *ctx) {    \
    int64_t i;                                                                                \
    (void)ctx;                                                                                \
    for (i = 0; i < n; i++) ((T *)p[0])[i * st[0]] = (T)nn__##NAME(((const T *)p[1])[i * st[1]]); \
  }
#define NN__UN_ACT_ROWS(NAME) NN__UN_ACT_ROW(NAME, f32, float) NN__UN_ACT_ROW(NAME, f64, double)
NN__UN_ACT_ROWS(gelu)
NN__UN_ACT_ROWS(gelu_tanh)
NN__UN_ACT_ROWS(silu)
NN__UN_ACT_ROWS(softplus)
NN__UN_ACT_ROWS(log_sigmoid)

#define NN__UN_INT_ROWS(SFX, T, UT)                                                      \
  NN__UN_ROW(nn__neg_##SFX, T, T, (T)(UT)(0 - (UT)x))                                    \
  NN__UN_ROW(nn__abs_##SFX, T, T, x < 0 ? (T)(UT)(0 - (UT)x) : x)                        \
  NN__UN_ROW(nn__sign_##SFX, T, T, x > 0 ? 1 : x < 0 ? -1 : 0)                           \
  NN__UN_ROW(nn__square_##SFX, T, T, (T)(UT)((UT)x * (UT)x))                             \
  NN__UN_ROW(nn__relu_##SFX, T, T, x > 0 ? x : 0)                                        \
  NN__UN_ROW(nn__ident_##SFX, T, T, x)                                                   \
  NN__UN_ROW(nn__false_##SFX, T, uint8_t, 0 * x)                                         \
  NN__UN_ROW(nn__true_##SFX, T, uint8_t, 1 + 0 * x)                                      \
  NN__UN_ROW(nn__lnot_##SFX, T, uint8_t, x == 0)
NN__UN_INT_ROWS(i32, int32_t, uint32_t)
NN__UN_INT_ROWS(i64, int64_t, uint64_t)
NN__UN_ROW(nn__neg_u8, uint8_t, uint8_t, (uint8_t)(0u - x))
NN__UN_ROW(nn__ident_u8, uint8_t, uint8_t, x)
NN__UN_ROW(nn__sign_u8, uint8_t, uint8_t, x > 0)
NN__UN_ROW(nn__square_u8, uint8_t, uint8_t, (uint8_t)((unsigned)x * x))
NN__UN_ROW(nn__false_u8, uint8_t, uint8_t, 0 * x)
NN__UN_ROW(nn__true_u8, uint8_t, uint8_t, 1 + 0 * x)
NN__UN_ROW(nn__lnot_u8, uint8_t, uint8_t, x == 0)
NN__UN_ROW(nn__nonzero_u8, uint8_t, uint8_t, x != 0)

#define NN__UN_FLOAT_TABLE(SFX)                                                                                   \
  {nn__neg_##SFX,   nn__abs_##SFX,   nn__sign_##SFX,  nn__square_##SFX, nn__relu_##SFX,   nn__round_##SFX,         \
   nn__floor_##SFX, nn__ceil_##SFX,  nn__trunc_##SFX, nn__exp_##SFX,    nn__exp2_##SFX,   nn__expm1_##SFX,         \
   nn__log_##SFX,   nn__log2_##SFX,  nn__log10_##SFX, nn__log1p_##SFX,  nn__sqrt_##SFX,   nn__rsqrt_##SFX,         \
   nn__recip_##SFX, nn__sin_##SFX,   nn__cos_##SFX,   nn__tan_##SFX,    nn__asin_##SFX,   nn__acos_##SFX,          \
   nn__atan_##SFX,  nn__sinh_##SFX,  nn__cosh_##SFX,  nn__tanh_##SFX,   nn__sigmoid_##SFX, nn__erf_##SFX,          \
   nn__gelu_##SFX,  nn__gelu_tanh_##SFX, nn__silu_##SFX, nn__softplus_##SFX, nn__log_sigmoid_##SFX,                \
   nn__isnan_##SFX, nn__isinf_##SFX, nn__isfinite_##SFX, nn__lnot_##SFX}
/* Integer rows: float functions are NULL because the op converts integers to float first. */
#define NN__UN_NO_ACT NULL, NULL, NULL, NULL, NULL /* gelu .. log_sigmoid */
#define NN__UN_INT_TABLE(SFX)                                                                                     \
  {nn__neg_##SFX, nn__abs_##SFX, nn__sign_##SFX, nn__square_##SFX, nn__relu_##SFX, nn__ident_##SFX, NULL, NULL, NULL, \
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,    \
   NULL, NULL, NN__UN_NO_ACT, nn__false_##SFX, nn__false_##SFX, nn__true_##SFX, nn__lnot_##SFX}
static const nn__row_fn nn__un_rows[NN_DTYPE_COUNT][NN_UNOP_COUNT] = {
    NN__UN_FLOAT_TABLE(f32),
    NN__UN_FLOAT_TABLE(f64),
    NN__UN_INT_TABLE(i32),
    NN__UN_INT_TABLE(i64),
    {nn__neg_u8, nn__ident_u8, nn__sign_u8, nn__square_u8, nn__ident_u8, nn__ident_u8, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NN__UN_NO_ACT, nn__false_u8, nn__false_u8, nn__true_u8, nn__lnot_u8},
    /* bool: abs/relu/round/square are the identity, sign is x != 0; neg is rejected by the op */
    {NULL, nn__ident_u8, nn__nonzero_u8, nn__ident_u8, nn__ident_u8, nn__ident_u8, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NN__UN_NO_ACT, nn__false_u8, nn__false_u8, nn__true_u8, nn__lnot_u8},
};

/* Compile-time checks that the tables cover every op (the negative-array trick). */
typedef char nn__check_binops[NN_BINOP_COUNT == 19 ? 1 : -1];
typedef char nn__check_unops[NN_UNOP_COUNT == 39 ? 1 : -1];
