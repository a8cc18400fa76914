/* kernels/conv.c: the loops behind convolution and pooling (NCHW, float and double).

   A convolution runs as im2col + GEMM: nn__im2col_* copies the input patches of a block of output rows into a
   (C*kh*kw) x (rows*Wo) matrix (row (c*kh + i)*kw + j holds x[c, oh*sh - pt + i*dh, ow*sw - pl + j*dw], zero in the
   padding, the order of torch.nn.functional.unfold); nn__col2im_* is its adjoint (adds each column entry back into
   the input position it came from). The pooling kernels work on one (H, W) plane at a time. Padding may be
   asymmetric (pt/pl at the start, pb/pr at the end), which is how padding "same" with an even kernel is done.
   On x86-64 with AVX2 (checked at run time), col2im's row additions and max pooling of the windows that lie inside
   the plane use vector code that gives the same results as the plain loops. Convolutions with a small kernel volume
   (first layers: Cg*kh*kw <= 32, stride 1) skip im2col and run direct kernels (float: AVX2, AVX-512 or NEON). These
   kernels know nothing about tensors, scopes or errors. */

/* g++ 12 warns inside its own AVX-512 intrinsics (the `__m512 __Y = __Y;` of _mm512_undefined_ps, GCC bug 105593);
   popped at the end of this file. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

typedef struct nn__conv_geom {
  int64_t N, C, H, W;     /* input batch, channels, height, width */
  int64_t Co, G, Cg, Mg;  /* output channels, groups, input and output channels per group */
  int64_t kh, kw;         /* kernel */
  int64_t sh, sw, dh, dw; /* stride, dilation */
  int64_t pt, pl, pb, pr; /* zero padding: top, left, bottom, right */
  int64_t Ho, Wo;         /* output height, width */
} nn__conv_geom;

/* Output columns ow with 0 <= ow*s + off < W form the range [*lo, *hi) within [0, Wo). */
NN__PRIVATE void nn__conv_valid_range(int64_t off, int64_t s, int64_t W, int64_t Wo, int64_t *lo, int64_t *hi) {
  int64_t a, b;
  if (s == 1) { /* no divisions in the common case */
    a = off >= 0 ? 0 : -off;
    b = W - off < 0 ? 0 : W - off;
  } else {
    a = off >= 0 ? 0 : (-off + s - 1) / s;
    b = W - 1 - off < 0 ? 0 : (W - 1 - off) / s + 1;
  }
  if (a > Wo) a = Wo;
  if (b > Wo) b = Wo;
  if (b < a) b = a;
  *lo = a;
  *hi = b;
}

#define NN__POOL_BLK 128 /* outputs of a max-pooling row done together */
#define NN__POOL_KMAX 16 /* kernel columns whose valid output ranges are computed once per plane */
#define NN__CONV_DIRECT_K 32 /* the largest kernel volume Cg*kh*kw of the direct convolution kernels */

/* ---- x86 vector helpers (AVX2, picked at run time with the GEMM's CPU check; others use the plain loops) ---- */
#if defined(NN__X86)
#define NN__CONV_T_AVX2 __attribute__((target("avx2,fma")))

NN__PRIVATE NN__CONV_T_AVX2 void nn__conv_add_avx2_s(int64_t n, float *d, const float *s) {
  int64_t q = 0;
  for (; q + 8 <= n; q += 8) _mm256_storeu_ps(d + q, _mm256_add_ps(_mm256_loadu_ps(d + q), _mm256_loadu_ps(s + q)));
  for (; q < n; q++) d[q] += s[q];
}
NN__PRIVATE NN__CONV_T_AVX2 void nn__conv_add_avx2_d(int64_t n, double *d, const double *s) {
  int64_t q = 0;
  for (; q + 4 <= n; q += 4) _mm256_storeu_pd(d + q, _mm256_add_pd(_mm256_loadu_pd(d + q), _mm256_loadu_pd(s + q)));
  for (; q < n; q++) d[q] += s[q];
}

/* d[q] = s[q] + b (add) or s[q], q < n, for the short rows of im2col and the convolution output (a few dozen
   floats, where a memcpy call costs more than the copy). AVX-512 does the tail with one masked store; AVX2 masked
   stores are slow on some CPUs, so its tail is scalar. */
NN__PRIVATE __attribute__((target("avx512f"))) void nn__conv_copy_avx512_s(int64_t n, float *d, const float *s,
                                                                          float b, int add) {
  const __m512 bv = _mm512_set1_ps(b);
  int64_t q = 0;
  for (; q + 16 <= n; q += 16) {
    __m512 v = _mm512_loadu_ps(s + q);
    _mm512_storeu_ps(d + q, add ? _mm512_add_ps(v, bv) : v);
  }
  if (q < n) {
    __mmask16 m = (__mmask16)((1u << (n - q)) - 1u);
    __m512 v = _mm512_maskz_loadu_ps(m, s + q);
    _mm512_mask_storeu_ps(d + q, m, add ? _mm512_add_ps(v, bv) : v);
  }
}
/* im2col of a convolution with stride 1, no dilation and no padding (nn__im2col's layout): every patch row is a
   run of Wo input elements, copied with one masked store per 16 (the general loop spends most of its time on
   bookkeeping around runs this short). */
NN__PRIVATE __attribute__((target("avx512f"))) void nn__im2col_valid_avx512_s(const nn__conv_geom *g, const float *x,
                                                                             int64_t C, int64_t oh0, int64_t oh1,
                                                                             float *dst, int64_t ldd) {
  int64_t c, i, j, oh, q, Wo = g->Wo, W = g->W, H = g->H, full = Wo & ~(int64_t)15;
  const __mmask16 tail = (__mmask16)((1u << (Wo & 15)) - 1u);
  for (c = 0; c < C; c++)
    for (i = 0; i < g->kh; i++)
      for (j = 0; j < g->kw; j++) {
        float *row = dst + ((c * g->kh + i) * g->kw + j) * ldd;
        const float *src = x + (c * H + oh0 + i) * W + j;
        for (oh = oh0; oh < oh1; oh++, row += Wo, src += W) {
          for (q = 0; q < full; q += 16) _mm512_storeu_ps(row + q, _mm512_loadu_ps(src + q));
          if (tail) _mm512_mask_storeu_ps(row + full, tail, _mm512_maskz_loadu_ps(tail, src + full));
        }
      }
}
/* col2im (nn__col2im's layout) for stride 1 without dilation: each 16-wide block of an input row is summed in a
   register over the taps that reach it, in the scalar loop's order (so the result is the same), and stored once.
   The scalar loop adds a short run into x per tap, and each run's load waits on the previous run's store. Four
   channels go together, so that four chains of additions overlap. overwrite: every row of x's C planes is written
   (from zero) instead of added to. */
#define NN__COL2IM_TAP(q)                                                                                      \
  acc##q = _mm512_add_ps(acc##q, _mm512_maskz_loadu_ps(m, r + (q) * cstep + off));
#define NN__COL2IM_INIT(q)                                                                                     \
  __m512 acc##q = overwrite || ((q) > 0 && !four) ? _mm512_setzero_ps()                                        \
                                                  : _mm512_maskz_loadu_ps(wm, xr + (q) * H * W + w0);
NN__PRIVATE __attribute__((target("avx512f"))) void nn__col2im_s1_avx512_s(const nn__conv_geom *g, const float *src,
                                                                          int64_t lds, int64_t C, int64_t oh0,
                                                                          int64_t oh1, float *x, int overwrite) {
  int64_t c, ih, w0, i, j, H = g->H, W = g->W, Wo = g->Wo, kh = g->kh, kw = g->kw, pt = g->pt, pl = g->pl;
  int64_t h0 = 0, h1 = H, cstep = kh * kw * lds; /* from a channel's rows to the next channel's */
  if (!overwrite) { /* only the rows that the panel's output rows reach */
    h0 = oh0 - pt > 0 ? oh0 - pt : 0;
    h1 = oh1 - 1 - pt + kh < H ? oh1 - 1 - pt + kh : H;
  }
  for (c = 0; c < C;) {
    const int four = C - c >= 4;
    for (ih = h0; ih < h1; ih++) {
      float *xr = x + (c * H + ih) * W;
      int64_t i0 = ih + pt - oh1 + 1 > 0 ? ih + pt - oh1 + 1 : 0; /* taps i with ih + pt - i in [oh0, oh1) */
      int64_t i1 = ih + pt - oh0 + 1 < kh ? ih + pt - oh0 + 1 : kh;
      for (w0 = 0; w0 < W; w0 += 16) {
        int64_t wn = W - w0 < 16 ? W - w0 : 16;
        const __mmask16 wm = (__mmask16)(((uint32_t)1 << wn) - 1u);
        NN__COL2IM_INIT(0)
        NN__COL2IM_INIT(1)
        NN__COL2IM_INIT(2)
        NN__COL2IM_INIT(3)
        for (i = i0; i < i1; i++) {
          const float *r = src + (c * kh + i) * kw * lds + (ih + pt - i - oh0) * Wo;
          for (j = 0; j < kw; j++, r += lds) {
            int64_t off = w0 + pl - j, lo = off < 0 ? -off : 0, hi = Wo - off < wn ? Wo - off : wn;
            __mmask16 m;
            if (hi <= lo) continue;
            m = (__mmask16)((((uint32_t)1 << hi) - 1u) & ~(((uint32_t)1 << lo) - 1u));
            NN__COL2IM_TAP(0)
            if (four) {
              NN__COL2IM_TAP(1)
              NN__COL2IM_TAP(2)
              NN__COL2IM_TAP(3)
            }
          }
        }
        _mm512_mask_storeu_ps(xr + w0, wm, acc0);
        if (four) {
          _mm512_mask_storeu_ps(xr + H * W + w0, wm, acc1);
          _mm512_mask_storeu_ps(xr + 2 * H * W + w0, wm, acc2);
          _mm512_mask_storeu_ps(xr + 3 * H * W + w0, wm, acc3);
        }
      }
    }
    c += four ? 4 : 1;
  }
}
#undef NN__COL2IM_TAP
#undef NN__COL2IM_INIT
/* Direct convolution (stride 1, no dilation, no padding: the caller pads a copy) of rows output rows for a small
   kernel volume Kg = Cg*kh*kw <= NN__CONV_DIRECT_K, the first layers of image models. x: the input row of the first
   output row in the first of Cg planes of H x W; w: Mg x Kg; y: the first output row of the first of Mg planes,
   planes L apart. Each output vector of 16 columns is the bias plus Kg multiply-adds with broadcast weights; 4
   channels x 2 vectors at a time share the input loads. (As im2col + GEMM, the im2col matrix is as large as the
   output and the GEMM, with K = Kg, spends its time writing C.) */
NN__PRIVATE __attribute__((target("avx512f"))) void nn__conv_direct_fwd_avx512_s(
    const nn__conv_geom *g, int64_t Cg, int64_t H, int64_t W, const float *x, const float *w, const float *bias,
    int64_t Mg, int64_t rows, float *y, int64_t L) {
  int64_t Kg = Cg * g->kh * g->kw, Wo = g->Wo, k, c, i, j, r, w0, co, q;
  int32_t off[NN__CONV_DIRECT_K];
  for (c = 0, k = 0; c < Cg; c++)
    for (i = 0; i < g->kh; i++)
      for (j = 0; j < g->kw; j++) off[k++] = (int32_t)((c * H + i) * W + j);
  for (r = 0; r < rows; r++)
    for (w0 = 0; w0 < Wo; w0 += 32) {
      int64_t n0 = Wo - w0 < 16 ? Wo - w0 : 16, n1 = Wo - w0 - 16 < 0 ? 0 : Wo - w0 - 16 < 16 ? Wo - w0 - 16 : 16;
      const __mmask16 m0 = (__mmask16)(((uint32_t)1 << n0) - 1u), m1 = (__mmask16)(((uint32_t)1 << n1) - 1u);
      const float *xp = x + r * W + w0;
      float *yp = y + r * Wo + w0;
      for (co = 0; co + 4 <= Mg; co += 4) {
        const float *wp = w + co * Kg;
        __m512 a0 = _mm512_set1_ps(bias ? bias[co] : 0.0f), a1 = _mm512_set1_ps(bias ? bias[co + 1] : 0.0f);
        __m512 a2 = _mm512_set1_ps(bias ? bias[co + 2] : 0.0f), a3 = _mm512_set1_ps(bias ? bias[co + 3] : 0.0f);
        __m512 b0 = a0, b1 = a1, b2 = a2, b3 = a3;
        for (k = 0; k < Kg; k++) {
          const __m512 v0 = _mm512_maskz_loadu_ps(m0, xp + off[k]), v1 = _mm512_maskz_loadu_ps(m1, xp + off[k] + 16);
          __m512 t = _mm512_set1_ps(wp[k]);
          a0 = _mm512_fmadd_ps(t, v0, a0);
          b0 = _mm512_fmadd_ps(t, v1, b0);
          t = _mm512_set1_ps(wp[Kg + k]);
          a1 = _mm512_fmadd_ps(t, v0, a1);
          b1 = _mm512_fmadd_ps(t, v1, b1);
          t = _mm512_set1_ps(wp[2 * Kg + k]);
          a2 = _mm512_fmadd_ps(t, v0, a2);
          b2 = _mm512_fmadd_ps(t, v1, b2);
          t = _mm512_set1_ps(wp[3 * Kg + k]);
          a3 = _mm512_fmadd_ps(t, v0, a3);
          b3 = _mm512_fmadd_ps(t, v1, b3);
        }
        _mm512_mask_storeu_ps(yp + co * L, m0, a0);
        _mm512_mask_storeu_ps(yp + co * L + 16, m1, b0);
        _mm512_mask_storeu_ps(yp + (co + 1) * L, m0, a1);
        _mm512_mask_storeu_ps(yp + (co + 1) * L + 16, m1, b1);
        _mm512_mask_storeu_ps(yp + (co + 2) * L, m0, a2);
        _mm512_mask_storeu_ps(yp + (co + 2) * L + 16, m1, b2);
        _mm512_mask_storeu_ps(yp + (co + 3) * L, m0, a3);
        _mm512_mask_storeu_ps(yp + (co + 3) * L + 16, m1, b3);
      }
      for (; co < Mg; co++) {
        __m512 a0 = _mm512_set1_ps(bias ? bias[co] : 0.0f), b0 = a0;
        for (q = 0; q < Kg; q++) {
          const __m512 t = _mm512_set1_ps(w[co * Kg + q]);
          a0 = _mm512_fmadd_ps(t, _mm512_maskz_loadu_ps(m0, xp + off[q]), a0);
          b0 = _mm512_fmadd_ps(t, _mm512_maskz_loadu_ps(m1, xp + off[q] + 16), b0);
        }
        _mm512_mask_storeu_ps(yp + co * L, m0, a0);
        _mm512_mask_storeu_ps(yp + co * L + 16, m1, b0);
      }
    }
}

/* The weight gradient of nn__conv_direct_fwd_avx512_s over the same rows: dw (Mg x Kg) = (acc ? dw : 0) + the sums
   of dy * x over the rows; db (Mg doubles, or NULL) += the sums of dy. Two channels and up to 9 taps at a time, in
   16 lanes summed at the end (named accumulators: an array of them would live in memory). */
#define NN__CONV_DW_STEP(t)                                                                                    \
  if (kt > t) {                                                                                                \
    const __m512 v = _mm512_maskz_loadu_ps(m, xp + off[k0 + t]);                                               \
    a##t = _mm512_fmadd_ps(d0, v, a##t);                                                                       \
    b##t = _mm512_fmadd_ps(d1, v, b##t);                                                                       \
  }
#define NN__CONV_DW_PUT(t)                                                                                     \
  if (kt > t) {                                                                                                \
    float *d = dw + co * Kg + k0 + t;                                                                          \
    d[0] = (acc ? d[0] : 0.0f) + _mm512_reduce_add_ps(a##t);                                                   \
    if (two) d[Kg] = (acc ? d[Kg] : 0.0f) + _mm512_reduce_add_ps(b##t);                                        \
  }
NN__PRIVATE __attribute__((target("avx512f"))) void nn__conv_direct_wgrad_avx512_s(
    const nn__conv_geom *g, int64_t Cg, int64_t H, int64_t W, const float *x, const float *dy, int64_t Mg,
    int64_t rows, int64_t L, float *dw, int acc, double *db) {
  int64_t Kg = Cg * g->kh * g->kw, Wo = g->Wo, ntile = (Kg + 8) / 9, tile = (Kg + ntile - 1) / ntile;
  int64_t k, c, i, j, r, w0, co, k0;
  int32_t off[NN__CONV_DIRECT_K];
  for (c = 0, k = 0; c < Cg; c++)
    for (i = 0; i < g->kh; i++)
      for (j = 0; j < g->kw; j++) off[k++] = (int32_t)((c * H + i) * W + j);
  for (co = 0; co < Mg; co += 2) {
    const int two = co + 1 < Mg;
    const float *dy0 = dy + co * L, *dy1 = dy + (two ? co + 1 : co) * L;
    for (k0 = 0; k0 < Kg; k0 += tile) {
      const int64_t kt = Kg - k0 < tile ? Kg - k0 : tile;
      __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0;
      __m512 b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0, b7 = a0, b8 = a0, e0 = a0, e1 = a0;
      for (r = 0; r < rows; r++)
        for (w0 = 0; w0 < Wo; w0 += 16) {
          const __mmask16 m = (__mmask16)(((uint32_t)1 << (Wo - w0 < 16 ? Wo - w0 : 16)) - 1u);
          const float *xp = x + r * W + w0;
          const __m512 d0 = _mm512_maskz_loadu_ps(m, dy0 + r * Wo + w0);
          const __m512 d1 = two ? _mm512_maskz_loadu_ps(m, dy1 + r * Wo + w0) : _mm512_setzero_ps();
          e0 = _mm512_add_ps(e0, d0);
          e1 = _mm512_add_ps(e1, d1);
          NN__CONV_DW_STEP(0) NN__CONV_DW_STEP(1) NN__CONV_DW_STEP(2) NN__CONV_DW_STEP(3) NN__CONV_DW_STEP(4)
          NN__CONV_DW_STEP(5) NN__CONV_DW_STEP(6) NN__CONV_DW_STEP(7) NN__CONV_DW_STEP(8)
        }
      NN__CONV_DW_PUT(0) NN__CONV_DW_PUT(1) NN__CONV_DW_PUT(2) NN__CONV_DW_PUT(3) NN__CONV_DW_PUT(4)
      NN__CONV_DW_PUT(5) NN__CONV_DW_PUT(6) NN__CONV_DW_PUT(7) NN__CONV_DW_PUT(8)
      if (k0 == 0 && db) {
        db[co] += (double)_mm512_reduce_add_ps(e0);
        if (two) db[co + 1] += (double)_mm512_reduce_add_ps(e1);
      }
    }
  }
}
#undef NN__CONV_DW_STEP
#undef NN__CONV_DW_PUT
NN__PRIVATE NN__CONV_T_AVX2 void nn__conv_copy_avx2_s(int64_t n, float *d, const float *s, float b, int add) {
  const __m256 bv = _mm256_set1_ps(b);
  int64_t q = 0;
  for (; q + 8 <= n; q += 8) {
    __m256 v = _mm256_loadu_ps(s + q);
    _mm256_storeu_ps(d + q, add ? _mm256_add_ps(v, bv) : v);
  }
  for (; q < n; q++) d[q] = add ? s[q] + b : s[q];
}

/* The even and the odd elements of the 16 floats in a, b (in order). */
NN__PRIVATE NN__CONV_T_AVX2 __m256 nn__conv_even2_s(__m256 a, __m256 b) {
  __m256 t = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(t), _MM_SHUFFLE(3, 1, 2, 0)));
}
NN__PRIVATE NN__CONV_T_AVX2 __m256 nn__conv_odd_s(__m256 a, __m256 b) {
  __m256 t = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(t), _MM_SHUFFLE(3, 1, 2, 0)));
}
/* p[0], p[2], ..., p[14] (reads p[0..15]) and p[0], p[2], p[4], p[6] (reads p[0..7]). */
NN__PRIVATE NN__CONV_T_AVX2 __m256 nn__conv_even_s(const float *p) {
  return nn__conv_even2_s(_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8));
}
NN__PRIVATE NN__CONV_T_AVX2 __m256d nn__conv_even_d(const double *p) {
  __m256d t = _mm256_unpacklo_pd(_mm256_loadu_pd(p), _mm256_loadu_pd(p + 4));
  return _mm256_permute4x64_pd(t, _MM_SHUFFLE(3, 1, 2, 0));
}

/* Max pooling of outputs [o0, o1) of row oh whose windows lie inside the plane, VL at a time (stride 1 or 2; the
   caller checks that plane indices fit in int32). Same selection rule as the scalar code: the first tap starts the maximum, a later
   tap replaces it when greater or NaN. Returns the first output not done. */
#define NN__MAXPOOL_AVX2_DEFINE(S, T, VL, VT, SFX, IT, CAST_I2F, CAST_F2I, EVEN, SET1, ADDI, STOREIDX)          \
  NN__PRIVATE NN__CONV_T_AVX2 int64_t nn__maxpool_avx2_##S(const nn__conv_geom *g, const T *x, int64_t oh,      \
                                                          int64_t o0, int64_t o1, T *y, int64_t *idx) {        \
    int64_t HW = g->H * g->W, sw = g->sw, h0 = oh * g->sh - g->pt, o, i, j;                                    \
    IT ramp = nn__conv_ramp_##S(sw);                                                                           \
    for (o = o0; o + VL <= o1; o += VL) {                                                                      \
      int64_t last = (h0 + (g->kh - 1) * g->dh) * g->W + o * sw + (g->kw - 1) * g->dw - g->pl;                 \
      VT best = _mm256_setzero_##SFX(), v, m;                                                                  \
      IT bi = _mm256_setzero_si256(), cand;                                                                    \
      if (sw == 2 && last + 2 * VL > HW) break; /* the even-element load reads one past the last tap */       \
      for (i = 0; i < g->kh; i++) {                                                                            \
        int64_t r = (h0 + i * g->dh) * g->W + o * sw - g->pl;                                                  \
        for (j = 0; j < g->kw; j++) {                                                                          \
          int64_t k0 = r + j * g->dw;                                                                          \
          v = sw == 1 ? _mm256_loadu_##SFX(x + k0) : EVEN(x + k0);                                             \
          cand = ADDI(SET1(k0), ramp);                                                                         \
          if (i == 0 && j == 0) {                                                                              \
            best = v;                                                                                          \
            bi = cand;                                                                                         \
          } else {                                                                                             \
            m = _mm256_or_##SFX(_mm256_cmp_##SFX(v, best, _CMP_GT_OQ), _mm256_cmp_##SFX(v, v, _CMP_UNORD_Q));  \
            best = _mm256_blendv_##SFX(best, v, m);                                                            \
            bi = CAST_F2I(_mm256_blendv_##SFX(CAST_I2F(bi), CAST_I2F(cand), m));                               \
          }                                                                                                    \
        }                                                                                                      \
      }                                                                                                        \
      _mm256_storeu_##SFX(y + o, best);                                                                        \
      if (idx) STOREIDX(idx + o, bi);                                                                          \
    }                                                                                                          \
    return o;                                                                                                  \
  }

NN__PRIVATE NN__CONV_T_AVX2 __m256i nn__conv_ramp_s(int64_t sw) {
  return _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)sw));
}
NN__PRIVATE NN__CONV_T_AVX2 __m256i nn__conv_ramp_d(int64_t sw) {
  return _mm256_setr_epi64x(0, sw, 2 * sw, 3 * sw);
}
NN__PRIVATE NN__CONV_T_AVX2 __m256i nn__conv_set1_s(int64_t k) { return _mm256_set1_epi32((int)k); }
NN__PRIVATE NN__CONV_T_AVX2 void nn__conv_storeidx_s(int64_t *p, __m256i bi) {
  _mm256_storeu_si256((__m256i *)p, _mm256_cvtepi32_epi64(_mm256_castsi256_si128(bi)));
  _mm256_storeu_si256((__m256i *)(p + 4), _mm256_cvtepi32_epi64(_mm256_extracti128_si256(bi, 1)));
}
NN__PRIVATE NN__CONV_T_AVX2 void nn__conv_storeidx_d(int64_t *p, __m256i bi) { _mm256_storeu_si256((__m256i *)p, bi); }

NN__MAXPOOL_AVX2_DEFINE(s, float, 8, __m256, ps, __m256i, _mm256_castsi256_ps, _mm256_castps_si256, nn__conv_even_s,
                        nn__conv_set1_s, _mm256_add_epi32, nn__conv_storeidx_s)
NN__MAXPOOL_AVX2_DEFINE(d, double, 4, __m256d, pd, __m256i, _mm256_castsi256_pd, _mm256_castpd_si256,
                        nn__conv_even_d, _mm256_set1_epi64x, _mm256_add_epi64, nn__conv_storeidx_d)
/* The common pooling layer, 2x2 windows with stride 2 and every window inside the plane: the two taps of a window
   row come from one pair of loads split into even and odd elements, and a short last vector uses masked loads and
   stores, so no output runs through the scalar code. Taps in window order with the scalar code's selection rule. */
/* Lanes below n set (n in 0..8). */
NN__PRIVATE NN__CONV_T_AVX2 __m256i nn__conv_lanes_s(int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
NN__PRIVATE NN__CONV_T_AVX2 void nn__maxpool22_avx2_s(const nn__conv_geom *g, const float *x, float *y,
                                                      int64_t *idx) {
  const __m256i ramp = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14);
  const __m256i d1 = _mm256_set1_epi32(1), dw = _mm256_set1_epi32((int)g->W), dw1 = _mm256_set1_epi32((int)g->W + 1);
  int64_t oh, o, W = g->W, Wo = g->Wo;
  for (oh = 0; oh < g->Ho; oh++) {
    const float *r0 = x + 2 * oh * W, *r1 = r0 + W;
    for (o = 0; o < Wo; o += 8) {
      int64_t n = Wo - o < 8 ? Wo - o : 8;
      __m256 a0, a1, b0, b1, v, best, m;
      __m256i base = _mm256_add_epi32(_mm256_set1_epi32((int)(2 * oh * W + 2 * o)), ramp), bi = base;
      if (n == 8) {
        a0 = _mm256_loadu_ps(r0 + 2 * o), a1 = _mm256_loadu_ps(r0 + 2 * o + 8);
        b0 = _mm256_loadu_ps(r1 + 2 * o), b1 = _mm256_loadu_ps(r1 + 2 * o + 8);
      } else {
        __m256i m0 = nn__conv_lanes_s(2 * n), m1 = nn__conv_lanes_s(2 * n - 8);
        a0 = _mm256_maskload_ps(r0 + 2 * o, m0), a1 = _mm256_maskload_ps(r0 + 2 * o + 8, m1);
        b0 = _mm256_maskload_ps(r1 + 2 * o, m0), b1 = _mm256_maskload_ps(r1 + 2 * o + 8, m1);
      }
      best = nn__conv_even2_s(a0, a1);
#define NN__POOL22_TAP(V, D)                                                                            \
  v = (V);                                                                                              \
  m = _mm256_or_ps(_mm256_cmp_ps(v, best, _CMP_GT_OQ), _mm256_cmp_ps(v, v, _CMP_UNORD_Q));             \
  best = _mm256_blendv_ps(best, v, m);                                                                  \
  bi = _mm256_castps_si256(                                                                             \
      _mm256_blendv_ps(_mm256_castsi256_ps(bi), _mm256_castsi256_ps(_mm256_add_epi32(base, (D))), m));
      NN__POOL22_TAP(nn__conv_odd_s(a0, a1), d1)
      NN__POOL22_TAP(nn__conv_even2_s(b0, b1), dw)
      NN__POOL22_TAP(nn__conv_odd_s(b0, b1), dw1)
#undef NN__POOL22_TAP
      if (n == 8) {
        _mm256_storeu_ps(y + oh * Wo + o, best);
        if (idx) nn__conv_storeidx_s(idx + oh * Wo + o, bi);
      } else {
        int64_t tmp[8];
        _mm256_maskstore_ps(y + oh * Wo + o, nn__conv_lanes_s(n), best);
        if (idx) {
          nn__conv_storeidx_s(tmp, bi);
          memcpy(idx + oh * Wo + o, tmp, (size_t)n * sizeof(int64_t));
        }
      }
    }
  }
}

/* The AVX-512 form of nn__maxpool22_avx2_s: 16 outputs from 32 inputs per row pair, masked loads and stores for the
   short rows of small planes (AVX2's masked stores are slow on some CPUs). */
NN__PRIVATE __attribute__((target("avx512f"))) void nn__maxpool22_avx512_s(const nn__conv_geom *g, const float *x,
                                                                          float *y, int64_t *idx) {
  const __m512i ev = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i od = _mm512_add_epi32(ev, _mm512_set1_epi32(1));
  const __m512i d1 = _mm512_set1_epi32(1), dw = _mm512_set1_epi32((int)g->W), dw1 = _mm512_set1_epi32((int)g->W + 1);
  int64_t oh, o, W = g->W, Wo = g->Wo;
  for (oh = 0; oh < g->Ho; oh++) {
    const float *r0 = x + 2 * oh * W, *r1 = r0 + W;
    for (o = 0; o < Wo; o += 16) {
      int64_t n = Wo - o < 16 ? Wo - o : 16;
      const __mmask16 mo = (__mmask16)(((uint32_t)1 << n) - 1u);
      const __mmask16 mlo = (__mmask16)(n >= 8 ? 0xFFFFu : ((uint32_t)1 << (2 * n)) - 1u);
      const __mmask16 mhi = (__mmask16)(n <= 8 ? 0u : ((uint32_t)1 << (2 * n - 16)) - 1u);
      const __m512 a0 = _mm512_maskz_loadu_ps(mlo, r0 + 2 * o), a1 = _mm512_maskz_loadu_ps(mhi, r0 + 2 * o + 16);
      const __m512 b0 = _mm512_maskz_loadu_ps(mlo, r1 + 2 * o), b1 = _mm512_maskz_loadu_ps(mhi, r1 + 2 * o + 16);
      const __m512i base = _mm512_add_epi32(_mm512_set1_epi32((int)(2 * oh * W + 2 * o)), ev);
      __m512 best = _mm512_permutex2var_ps(a0, ev, a1), v;
      __m512i bi = base;
      __mmask16 m;
#define NN__POOL22_TAP(V, D)                                                                                   \
  v = (V);                                                                                                     \
  m = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ) | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);                        \
  best = _mm512_mask_mov_ps(best, m, v);                                                                       \
  bi = _mm512_mask_mov_epi32(bi, m, _mm512_add_epi32(base, (D)));
      NN__POOL22_TAP(_mm512_permutex2var_ps(a0, od, a1), d1)
      NN__POOL22_TAP(_mm512_permutex2var_ps(b0, ev, b1), dw)
      NN__POOL22_TAP(_mm512_permutex2var_ps(b0, od, b1), dw1)
#undef NN__POOL22_TAP
      _mm512_mask_storeu_ps(y + oh * Wo + o, mo, best);
      if (idx) {
        _mm512_mask_storeu_epi64(idx + oh * Wo + o, (__mmask8)(mo & 0xFF),
                                 _mm512_cvtepi32_epi64(_mm512_castsi512_si256(bi)));
        _mm512_mask_storeu_epi64(idx + oh * Wo + o + 8, (__mmask8)(mo >> 8),
                                 _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(bi, 1)));
      }
    }
  }
}

/* Max pooling of a plane whose every window lies inside it, over the flattened outputs t = oh*Wo + ow, VL at a time
   with gathers (for narrow rows, where the row kernel above has too few outputs). Returns the outputs done. */
#define NN__MAXPOOL_GATHER_DEFINE(S, T, VL, VT, SFX, IT, GATHER, CAST_I2F, CAST_F2I, WIDEN, STOREIDX)           \
  NN__PRIVATE NN__CONV_T_AVX2 int64_t nn__maxpool_gather_##S(const nn__conv_geom *g, const T *x, T *y,         \
                                                            int64_t *idx) {                                    \
    int64_t n = g->Ho * g->Wo, t, i, j, oh = 0, ow = 0, l;                                                     \
    int32_t base[VL];                                                                                          \
    for (t = 0; t + VL <= n; t += VL) {                                                                        \
      __m256i b;                                                                                               \
      VT best = _mm256_setzero_##SFX(), v, m;                                                                  \
      IT bi = _mm256_setzero_si256(), cand;                                                                    \
      for (l = 0; l < VL; l++) {                                                                               \
        base[l] = (int32_t)((oh * g->sh - g->pt) * g->W + ow * g->sw - g->pl);                                 \
        if (++ow == g->Wo) {                                                                                   \
          ow = 0;                                                                                              \
          oh++;                                                                                                \
        }                                                                                                      \
      }                                                                                                        \
      b = nn__conv_load_base_##S(base);                                                                        \
      for (i = 0; i < g->kh; i++) {                                                                            \
        for (j = 0; j < g->kw; j++) {                                                                          \
          __m256i k = nn__conv_add_base_##S(b, (int32_t)(i * g->dh * g->W + j * g->dw));                       \
          v = GATHER(x, k);                                                                                    \
          cand = WIDEN(k);                                                                                     \
          if (i == 0 && j == 0) {                                                                              \
            best = v;                                                                                          \
            bi = cand;                                                                                         \
          } else {                                                                                             \
            m = _mm256_or_##SFX(_mm256_cmp_##SFX(v, best, _CMP_GT_OQ), _mm256_cmp_##SFX(v, v, _CMP_UNORD_Q));  \
            best = _mm256_blendv_##SFX(best, v, m);                                                            \
            bi = CAST_F2I(_mm256_blendv_##SFX(CAST_I2F(bi), CAST_I2F(cand), m));                               \
          }                                                                                                    \
        }                                                                                                      \
      }                                                                                                        \
      _mm256_storeu_##SFX(y + t, best);                                                                        \
      if (idx) STOREIDX(idx + t, bi);                                                                          \
    }                                                                                                          \
    return t;                                                                                                  \
  }

/* float: 8 int32 positions in a __m256i; double: 4 int32 positions in the low half. */
NN__PRIVATE NN__CONV_T_AVX2 __m256i nn__conv_load_base_s(const int32_t *b) { return _mm256_loadu_si256((const __m256i *)b); }
NN__PRIVATE NN__CONV_T_AVX2 __m256i nn__conv_load_base_d(const int32_t *b) {
  return _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)b));
}
NN__PRIVATE NN__CONV_T_AVX2 __m256i nn__conv_add_base_s(__m256i b, int32_t k) { return _mm256_add_epi32(b, _mm256_set1_epi32(k)); }
NN__PRIVATE NN__CONV_T_AVX2 __m256i nn__conv_add_base_d(__m256i b, int32_t k) { return _mm256_add_epi32(b, _mm256_set1_epi32(k)); }
/* (the masked forms: the plain ones start from an undefined register, which some compilers warn about) */
NN__PRIVATE NN__CONV_T_AVX2 __m256 nn__conv_gather_s(const float *x, __m256i k) {
  return _mm256_mask_i32gather_ps(_mm256_setzero_ps(), x, k, _mm256_castsi256_ps(_mm256_set1_epi32(-1)), 4);
}
NN__PRIVATE NN__CONV_T_AVX2 __m256d nn__conv_gather_d(const double *x, __m256i k) {
  return _mm256_mask_i32gather_pd(_mm256_setzero_pd(), x, _mm256_castsi256_si128(k),
                                  _mm256_castsi256_pd(_mm256_set1_epi64x(-1)), 8);
}
NN__PRIVATE NN__CONV_T_AVX2 __m256i nn__conv_widen_s(__m256i k) { return k; }
NN__PRIVATE NN__CONV_T_AVX2 __m256i nn__conv_widen_d(__m256i k) { return _mm256_cvtepi32_epi64(_mm256_castsi256_si128(k)); }

NN__MAXPOOL_GATHER_DEFINE(s, float, 8, __m256, ps, __m256i, nn__conv_gather_s, _mm256_castsi256_ps, _mm256_castps_si256,
                          nn__conv_widen_s, nn__conv_storeidx_s)
NN__MAXPOOL_GATHER_DEFINE(d, double, 4, __m256d, pd, __m256i, nn__conv_gather_d, _mm256_castsi256_pd,
                          _mm256_castpd_si256, nn__conv_widen_d, nn__conv_storeidx_d)

/* The AVX2 direct convolution kernels (kernels/conv_direct.inc; the AVX-512 ones are nn__conv_direct_*_avx512_s). */
/* The sum of the 8 lanes of v, in a fixed order. */
NN__PRIVATE NN__CONV_T_AVX2 float nn__conv_hsum_avx2_s(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}
#define NN__CD_FWD nn__conv_direct_fwd_avx2_s
#define NN__CD_WGRAD nn__conv_direct_wgrad_avx2_s
#define NN__CD_TARGET NN__CONV_T_AVX2
#define NN__CD_V __m256
#define NN__CD_W 8
#define NN__CD_SET1(x) _mm256_set1_ps(x)
#define NN__CD_LOAD(p) _mm256_loadu_ps(p)
#define NN__CD_STORE(p, v) _mm256_storeu_ps(p, v)
#define NN__CD_FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define NN__CD_HSUM(v) nn__conv_hsum_avx2_s(v)
#define NN__CD_MASK_T __m256i
#define NN__CD_MASK(n) nn__conv_lanes_s(n)
#define NN__CD_LOADM(p, m) _mm256_maskload_ps(p, m)
#define NN__CD_STOREM(p, m, v) _mm256_maskstore_ps(p, m, v)
#include "conv_direct.inc"
#endif

#if NN__SIMD_BASE
/* The direct convolution kernels (kernels/conv_direct.inc) in generic 16-byte vectors (kernels/simd.c's nn__g4f):
   NEON on arm64, SSE2 on x86-64 builds with NN_SIMD_SSE2 whose CPU lacks AVX2. */
#define NN__CD_FWD nn__conv_direct_fwd_v_s
#define NN__CD_WGRAD nn__conv_direct_wgrad_v_s
#define NN__CD_TARGET
#define NN__CD_V nn__g4f
#define NN__CD_W 4
#define NN__CD_SET1(x) nn__g4f_set1(x)
#define NN__CD_LOAD(p) nn__g4f_load(p)
#define NN__CD_STORE(p, v) nn__g4f_store(p, v)
#define NN__CD_FMA(a, b, c) ((a) * (b) + (c))
#define NN__CD_HSUM(v) nn__g4f_hsum(v)
#define NN__CD_MASK_T int64_t /* a lane count */
#define NN__CD_MASK(n) ((int64_t)(n))
#define NN__CD_LOADM(p, m) nn__g4f_loadn(p, m, nn__g4f_set1(0.0f))
#define NN__CD_STOREM(p, m, v) nn__g4f_storen(p, v, m)
#include "conv_direct.inc"
#endif /* NN__SIMD_BASE */

/* d[q] = s[q] (+ b when add), q < n; d == s is allowed when add. */
NN__PRIVATE void nn__conv_copyrow_s(int64_t n, float *d, const float *s, float b, int add) {
  int64_t q;
#if defined(NN__X86)
  if (nn__gemm_isa() >= NN__GEMM_ISA_AVX512) {
    nn__conv_copy_avx512_s(n, d, s, b, add);
    return;
  }
  if (nn__gemm_isa() >= 1) {
    nn__conv_copy_avx2_s(n, d, s, b, add);
    return;
  }
#endif
  if (!add) {
    memcpy(d, s, (size_t)n * sizeof(float));
    return;
  }
  for (q = 0; q < n; q++) d[q] = s[q] + b;
}
NN__PRIVATE void nn__conv_copyrow_d(int64_t n, double *d, const double *s, double b, int add) {
  int64_t q;
  if (!add) {
    memcpy(d, s, (size_t)n * sizeof(double));
    return;
  }
  for (q = 0; q < n; q++) d[q] = s[q] + b;
}

/* The AVX-512 im2col for stride 1 without dilation or padding, or nothing done (returns 0). */
NN__PRIVATE int nn__im2col_fast_s(const nn__conv_geom *g, const float *x, int64_t C, int64_t oh0, int64_t oh1,
                                  float *dst, int64_t ldd) {
#if defined(NN__X86)
  if (g->sh == 1 && g->sw == 1 && g->dh == 1 && g->dw == 1 && g->pt == 0 && g->pl == 0 && g->pb == 0 && g->pr == 0 &&
      nn__gemm_isa() >= NN__GEMM_ISA_AVX512) {
    nn__im2col_valid_avx512_s(g, x, C, oh0, oh1, dst, ldd);
    return 1;
  }
#endif
  (void)g, (void)x, (void)C, (void)oh0, (void)oh1, (void)dst, (void)ldd;
  return 0;
}
NN__PRIVATE int nn__im2col_fast_d(const nn__conv_geom *g, const double *x, int64_t C, int64_t oh0, int64_t oh1,
                                  double *dst, int64_t ldd) {
  (void)g, (void)x, (void)C, (void)oh0, (void)oh1, (void)dst, (void)ldd;
  return 0;
}

/* The AVX-512 col2im for stride 1 without dilation, or nothing done (returns 0). */
NN__PRIVATE int nn__col2im_fast_s(const nn__conv_geom *g, const float *src, int64_t lds, int64_t C, int64_t oh0,
                                  int64_t oh1, float *x, int overwrite) {
#if defined(NN__X86)
  if (g->sh == 1 && g->sw == 1 && g->dh == 1 && g->dw == 1 && nn__gemm_isa() >= NN__GEMM_ISA_AVX512) {
    nn__col2im_s1_avx512_s(g, src, lds, C, oh0, oh1, x, overwrite);
    return 1;
  }
#endif
  (void)g, (void)src, (void)lds, (void)C, (void)oh0, (void)oh1, (void)x, (void)overwrite;
  return 0;
}
NN__PRIVATE int nn__col2im_fast_d(const nn__conv_geom *g, const double *src, int64_t lds, int64_t C, int64_t oh0,
                                  int64_t oh1, double *x, int overwrite) {
  (void)g, (void)src, (void)lds, (void)C, (void)oh0, (void)oh1, (void)x, (void)overwrite;
  return 0;
}
/* The sum of r[0..n) in double (a bias gradient's row). */
#if defined(NN__X86)
NN__PRIVATE __attribute__((target("avx512f"))) double nn__conv_sum_avx512_s(int64_t n, const float *r) {
  __m512d s0 = _mm512_setzero_pd(), s1 = s0;
  int64_t q = 0;
  for (; q + 16 <= n; q += 16) {
    const __m512 v = _mm512_loadu_ps(r + q);
    s0 = _mm512_add_pd(s0, _mm512_cvtps_pd(_mm512_castps512_ps256(v)));
    s1 = _mm512_add_pd(s1, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1))));
  }
  if (q < n) {
    const __m512 v = _mm512_maskz_loadu_ps((__mmask16)(((uint32_t)1 << (n - q)) - 1u), r + q);
    s0 = _mm512_add_pd(s0, _mm512_cvtps_pd(_mm512_castps512_ps256(v)));
    s1 = _mm512_add_pd(s1, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1))));
  }
  return _mm512_reduce_add_pd(_mm512_add_pd(s0, s1));
}
#endif
#define NN__CONV_SUM_DEFINE(S, T)                                                                              \
  NN__PRIVATE double nn__conv_sum_plain_##S(int64_t n, const T *r) {                                           \
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;                                                                     \
    int64_t q;                                                                                                 \
    for (q = 0; q + 4 <= n; q += 4) {                                                                          \
      s0 += r[q];                                                                                              \
      s1 += r[q + 1];                                                                                          \
      s2 += r[q + 2];                                                                                          \
      s3 += r[q + 3];                                                                                          \
    }                                                                                                          \
    for (; q < n; q++) s0 += r[q];                                                                             \
    return (s0 + s1) + (s2 + s3);                                                                              \
  }
NN__CONV_SUM_DEFINE(s, float)
NN__CONV_SUM_DEFINE(d, double)
#undef NN__CONV_SUM_DEFINE
NN__PRIVATE double nn__conv_sum_s(int64_t n, const float *r) {
#if defined(NN__X86)
  if (nn__gemm_isa() >= NN__GEMM_ISA_AVX512) return nn__conv_sum_avx512_s(n, r);
#endif
  return nn__conv_sum_plain_s(n, r);
}
NN__PRIVATE double nn__conv_sum_d(int64_t n, const double *r) { return nn__conv_sum_plain_d(n, r); }

/* ---- direct convolution for small kernel volumes (float; AVX2, AVX-512 or baseline vectors) ---- */

/* 1 when the direct kernels may run for g: stride 1, no dilation, Cg*kh*kw <= NN__CONV_DIRECT_K, rows of at
   least 8 outputs, a group's (padded) planes addressable with int32 offsets, and vector kernels: AVX2 or AVX-512,
   or the baseline vectors (NEON; SSE2 with NN_SIMD_SSE2). */
NN__PRIVATE int nn__conv_direct_ok_s(const nn__conv_geom *g) {
#if defined(NN__X86) || NN__SIMD_BASE
  return g->sh == 1 && g->sw == 1 && g->dh == 1 && g->dw == 1 && g->Cg * g->kh * g->kw <= NN__CONV_DIRECT_K &&
         g->Wo >= 8 && g->Cg * (g->H + g->pt + g->pb) * (g->W + g->pl + g->pr) < ((int64_t)1 << 31) &&
         (NN__SIMD_BASE || nn__gemm_isa() >= NN__GEMM_ISA_AVX2);
#else
  (void)g;
  return 0;
#endif
}
NN__PRIVATE int nn__conv_direct_ok_d(const nn__conv_geom *g) {
  (void)g;
  return 0;
}
NN__PRIVATE int nn__conv_padded(const nn__conv_geom *g) { return (g->pt | g->pl | g->pb | g->pr) != 0; }
/* Elements of the padded copy that nn__conv_direct_src makes of a group's planes (0 without padding). */
NN__PRIVATE int64_t nn__conv_direct_pad_size(const nn__conv_geom *g) {
  return nn__conv_padded(g) ? g->Cg * (g->H + g->pt + g->pb) * (g->W + g->pl + g->pr) : 0;
}
/* The input of output rows [oh0, oh1) of a group (x: its Cg planes) for the direct kernels, whose sizes go to *Hs,
   *Ws: x itself without padding, else the padded rows copied into pad (nn__conv_direct_pad_size elements). */
NN__PRIVATE const float *nn__conv_direct_src(const nn__conv_geom *g, const float *x, int64_t oh0, int64_t oh1,
                                             float *pad, int64_t *Hs, int64_t *Ws) {
  int64_t Wp = g->W + g->pl + g->pr, rows = oh1 - oh0 + g->kh - 1, c, r;
  if (!nn__conv_padded(g)) {
    *Hs = g->H;
    *Ws = g->W;
    return x + oh0 * g->W;
  }
  for (c = 0; c < g->Cg; c++)
    for (r = 0; r < rows; r++) {
      int64_t ih = oh0 + r - g->pt;
      float *d = pad + (c * rows + r) * Wp;
      if (ih < 0 || ih >= g->H) {
        memset(d, 0, (size_t)Wp * sizeof(float));
        continue;
      }
      memset(d, 0, (size_t)g->pl * sizeof(float));
      memcpy(d + g->pl, x + (c * g->H + ih) * g->W, (size_t)g->W * sizeof(float));
      memset(d + g->pl + g->W, 0, (size_t)g->pr * sizeof(float));
    }
  *Hs = rows;
  *Ws = Wp;
  return pad;
}
/* Output rows [oh0, oh1) of one image's group by the direct kernel (x: its Cg input planes, w: Mg x Kg, y: its Mg
   output planes). */
/* As nn__conv_direct_fwd_s, with output row oh0 at y and the output planes ldp apart. */
NN__PRIVATE void nn__conv_direct_rows_s(const nn__conv_geom *g, const float *x, const float *w, const float *bias,
                                        int64_t oh0, int64_t oh1, float *y, int64_t ldp, float *pad) {
#if defined(NN__X86) || NN__SIMD_BASE
  int64_t Hs, Ws;
  const float *src = nn__conv_direct_src(g, x, oh0, oh1, pad, &Hs, &Ws);
#if defined(NN__X86)
  int isa = nn__gemm_isa();
  if (isa >= NN__GEMM_ISA_AVX512) {
    nn__conv_direct_fwd_avx512_s(g, g->Cg, Hs, Ws, src, w, bias, g->Mg, oh1 - oh0, y, ldp);
    return;
  }
  if (isa >= NN__GEMM_ISA_AVX2) {
    nn__conv_direct_fwd_avx2_s(g, g->Cg, Hs, Ws, src, w, bias, g->Mg, oh1 - oh0, y, ldp);
    return;
  }
#endif
#if NN__SIMD_BASE
  nn__conv_direct_fwd_v_s(g, g->Cg, Hs, Ws, src, w, bias, g->Mg, oh1 - oh0, y, ldp);
#endif
#else
  (void)g, (void)x, (void)w, (void)bias, (void)oh0, (void)oh1, (void)y, (void)ldp, (void)pad;
#endif
}
NN__PRIVATE void nn__conv_direct_fwd_s(const nn__conv_geom *g, const float *x, const float *w, const float *bias,
                                       int64_t oh0, int64_t oh1, float *y, float *pad) {
  nn__conv_direct_rows_s(g, x, w, bias, oh0, oh1, y + oh0 * g->Wo, g->Ho * g->Wo, pad);
}
NN__PRIVATE void nn__conv_direct_fwd_d(const nn__conv_geom *g, const double *x, const double *w, const double *bias,
                                       int64_t oh0, int64_t oh1, double *y, double *pad) {
  (void)g, (void)x, (void)w, (void)bias, (void)oh0, (void)oh1, (void)y, (void)pad;
}
/* The weight (and bias) gradient of those rows: dw = (acc ? dw : 0) + their part, db += their part. */
NN__PRIVATE void nn__conv_direct_wgrad_s(const nn__conv_geom *g, const float *x, const float *dy, int64_t oh0,
                                         int64_t oh1, float *dw, int acc, double *db, float *pad) {
#if defined(NN__X86) || NN__SIMD_BASE
  int64_t Hs, Ws, L = g->Ho * g->Wo;
  const float *src = nn__conv_direct_src(g, x, oh0, oh1, pad, &Hs, &Ws);
#if defined(NN__X86)
  int isa = nn__gemm_isa();
  if (isa >= NN__GEMM_ISA_AVX512) {
    nn__conv_direct_wgrad_avx512_s(g, g->Cg, Hs, Ws, src, dy + oh0 * g->Wo, g->Mg, oh1 - oh0, L, dw, acc, db);
    return;
  }
  if (isa >= NN__GEMM_ISA_AVX2) {
    nn__conv_direct_wgrad_avx2_s(g, g->Cg, Hs, Ws, src, dy + oh0 * g->Wo, g->Mg, oh1 - oh0, L, dw, acc, db);
    return;
  }
#endif
#if NN__SIMD_BASE
  nn__conv_direct_wgrad_v_s(g, g->Cg, Hs, Ws, src, dy + oh0 * g->Wo, g->Mg, oh1 - oh0, L, dw, acc, db);
#endif
#else
  (void)g, (void)x, (void)dy, (void)oh0, (void)oh1, (void)dw, (void)acc, (void)db, (void)pad;
#endif
}
NN__PRIVATE void nn__conv_direct_wgrad_d(const nn__conv_geom *g, const double *x, const double *dy, int64_t oh0,
                                         int64_t oh1, double *dw, int acc, double *db, double *pad) {
  (void)g, (void)x, (void)dy, (void)oh0, (void)oh1, (void)dw, (void)acc, (void)db, (void)pad;
}

/* dst[q] += src[q], q < n (distinct arrays). */
NN__PRIVATE void nn__conv_addrow_s(int64_t n, float *d, const float *s) {
  int64_t q;
#if defined(NN__X86)
  if (n >= 8 && nn__gemm_isa() >= 1) {
    nn__conv_add_avx2_s(n, d, s);
    return;
  }
#endif
  for (q = 0; q < n; q++) d[q] += s[q];
}
NN__PRIVATE void nn__conv_addrow_d(int64_t n, double *d, const double *s) {
  int64_t q;
#if defined(NN__X86)
  if (n >= 4 && nn__gemm_isa() >= 1) {
    nn__conv_add_avx2_d(n, d, s);
    return;
  }
#endif
  for (q = 0; q < n; q++) d[q] += s[q];
}

/* 2x2 windows, stride 2, no padding or dilation. */
NN__PRIVATE int nn__pool_is22(const nn__conv_geom *g) {
  return g->kh == 2 && g->kw == 2 && g->sh == 2 && g->sw == 2 && g->dh == 1 && g->dw == 1 && g->pt == 0 && g->pl == 0;
}

/* 1 when the row kernels may run for this geometry, 2 when the gather kernel may run for whole planes (all
   windows inside the plane, rows too narrow for the row kernels), 0 for neither. */
NN__PRIVATE int nn__pool_simd_ok(const nn__conv_geom *g) {
#if defined(NN__X86)
  int inside = g->pt == 0 && g->pl == 0 && (g->Ho - 1) * g->sh + (g->kh - 1) * g->dh < g->H &&
               (g->Wo - 1) * g->sw + (g->kw - 1) * g->dw < g->W;
  if (g->H * g->W >= ((int64_t)1 << 30) || g->kw > NN__POOL_KMAX || nn__gemm_isa() < 1) return 0;
  if (inside && (g->Wo < 16 || nn__pool_is22(g))) return 2;
  return g->sw == 1 || g->sw == 2;
#else
  (void)g;
  return 0;
#endif
}

/* The gather kernel (or the 2x2 one) over a whole plane, or nothing done (returns 0) without it. */
NN__PRIVATE int64_t nn__maxpool_plane_simd_s(const nn__conv_geom *g, const float *x, float *y, int64_t *idx) {
#if defined(NN__X86)
  if (nn__pool_is22(g)) {
    if (nn__gemm_isa() >= NN__GEMM_ISA_AVX512) nn__maxpool22_avx512_s(g, x, y, idx);
    else nn__maxpool22_avx2_s(g, x, y, idx);
    return g->Ho * g->Wo;
  }
  return nn__maxpool_gather_s(g, x, y, idx);
#else
  (void)g, (void)x, (void)y, (void)idx;
  return 0;
#endif
}
NN__PRIVATE int64_t nn__maxpool_plane_simd_d(const nn__conv_geom *g, const double *x, double *y, int64_t *idx) {
#if defined(NN__X86)
  return nn__maxpool_gather_d(g, x, y, idx);
#else
  (void)g, (void)x, (void)y, (void)idx;
  return 0;
#endif
}

/* The vector rows, or nothing done (returns o0) without them. */
NN__PRIVATE int64_t nn__maxpool_row_simd_s(const nn__conv_geom *g, const float *x, int64_t oh, int64_t o0, int64_t o1,
                                           float *y, int64_t *idx) {
#if defined(NN__X86)
  return nn__maxpool_avx2_s(g, x, oh, o0, o1, y, idx);
#else
  (void)g, (void)x, (void)oh, (void)o1, (void)y, (void)idx;
  return o0;
#endif
}
NN__PRIVATE int64_t nn__maxpool_row_simd_d(const nn__conv_geom *g, const double *x, int64_t oh, int64_t o0,
                                           int64_t o1, double *y, int64_t *idx) {
#if defined(NN__X86)
  return nn__maxpool_avx2_d(g, x, oh, o0, o1, y, idx);
#else
  (void)g, (void)x, (void)oh, (void)o1, (void)y, (void)idx;
  return o0;
#endif
}

#define NN__CONV_KERNELS_DEFINE(S, T, UT)                                                                          \
  /* Patches of output rows [oh0, oh1) of one image's C channels (x: C x H x W, contiguous) into dst:         \
     (C*kh*kw) rows of (oh1-oh0)*Wo entries, rows ldd apart. */                                               \
  NN__PRIVATE void nn__im2col_##S(const nn__conv_geom *g, const T *x, int64_t C, int64_t oh0, int64_t oh1,    \
                                  T *dst, int64_t ldd) {                                                       \
    int64_t c, i, j, oh, ow, H = g->H, W = g->W, Wo = g->Wo, sw = g->sw;                                      \
    if (nn__im2col_fast_##S(g, x, C, oh0, oh1, dst, ldd)) return;                                              \
    for (c = 0; c < C; c++) {                                                                                  \
      for (i = 0; i < g->kh; i++) {                                                                            \
        for (j = 0; j < g->kw; j++) {                                                                          \
          T *row = dst + ((c * g->kh + i) * g->kw + j) * ldd;                                                  \
          int64_t off = j * g->dw - g->pl, lo, hi;                                                             \
          nn__conv_valid_range(off, sw, W, Wo, &lo, &hi);                                                      \
          for (oh = oh0; oh < oh1; oh++, row += Wo) {                                                          \
            int64_t ih = oh * g->sh - g->pt + i * g->dh;                                                       \
            const T *xr;                                                                                       \
            if (ih < 0 || ih >= H) {                                                                           \
              for (ow = 0; ow < Wo; ow++) row[ow] = 0;                                                         \
              continue;                                                                                        \
            }                                                                                                  \
            xr = x + (c * H + ih) * W;                                                                         \
            for (ow = 0; ow < lo; ow++) row[ow] = 0;                                                           \
            if (sw == 1) {                                                                                     \
              if (hi > lo) nn__conv_copyrow_##S(hi - lo, row + lo, xr + off + lo, 0, 0);                       \
            } else {                                                                                           \
              for (ow = lo; ow < hi; ow++) row[ow] = xr[ow * sw + off];                                        \
            }                                                                                                  \
            for (ow = hi; ow < Wo; ow++) row[ow] = 0;                                                          \
          }                                                                                                    \
        }                                                                                                      \
      }                                                                                                        \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
  /* The adjoint of nn__im2col: x[c, ih, iw] += src[row, col] for every entry that is not padding; overwrite:  \
     x's C planes are set (start from zero) instead. */                                                       \
  NN__PRIVATE void nn__col2im_##S(const nn__conv_geom *g, const T *src, int64_t lds, int64_t C, int64_t oh0,   \
                                  int64_t oh1, T *x, int overwrite) {                                          \
    int64_t c, i, j, oh, ow, H = g->H, W = g->W, Wo = g->Wo, sw = g->sw;                                      \
    if (nn__col2im_fast_##S(g, src, lds, C, oh0, oh1, x, overwrite)) return;                                   \
    if (overwrite) memset(x, 0, (size_t)(C * H * W) * sizeof(T));                                              \
    for (c = 0; c < C; c++) {                                                                                  \
      for (i = 0; i < g->kh; i++) {                                                                            \
        for (j = 0; j < g->kw; j++) {                                                                          \
          const T *row = src + ((c * g->kh + i) * g->kw + j) * lds;                                            \
          int64_t off = j * g->dw - g->pl, lo, hi;                                                             \
          nn__conv_valid_range(off, sw, W, Wo, &lo, &hi);                                                      \
          for (oh = oh0; oh < oh1; oh++, row += Wo) {                                                          \
            int64_t ih = oh * g->sh - g->pt + i * g->dh;                                                       \
            T *xr;                                                                                             \
            if (ih < 0 || ih >= H) continue;                                                                   \
            xr = x + (c * H + ih) * W;                                                                         \
            if (sw == 1) {                                                                                     \
              if (hi > lo) nn__conv_addrow_##S(hi - lo, xr + off + lo, row + lo);                              \
            } else {                                                                                           \
              for (ow = lo; ow < hi; ow++) xr[ow * sw + off] += row[ow];                                       \
            }                                                                                                  \
          }                                                                                                    \
        }                                                                                                      \
      }                                                                                                        \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
  /* Max pooling of outputs [c0, c1) of output row oh (y, idx: that row) with the scalar code. Blocks of       \
     NN__POOL_BLK outputs with the window taps outermost: the inner loop over outputs has no bounds checks,    \
     no loop-carried dependency, and updates the running maxima with bitwise selects (random data would       \
     mispredict a branch on every other element). jr: valid output range of kernel column j < NN__POOL_KMAX. */ \
  NN__PRIVATE void nn__maxpool_range_##S(const nn__conv_geom *g, const T *x, int64_t oh, int64_t c0, int64_t c1, \
                                         const int64_t *jr, T *y, int64_t *idx) {                              \
    UT best[NN__POOL_BLK];                                                                                     \
    int64_t bi[NN__POOL_BLK], b0, i, j, W = g->W, sw = g->sw, h0 = oh * g->sh - g->pt, i0, i1;                 \
    T ninf = -(T)INFINITY;                                                                                     \
    UT ninf_bits;                                                                                              \
    memcpy(&ninf_bits, &ninf, sizeof ninf_bits);                                                               \
    nn__conv_valid_range(h0, g->dh, g->H, g->kh, &i0, &i1);                                                    \
    for (b0 = c0; b0 < c1; b0 += NN__POOL_BLK) {                                                               \
      int64_t b1 = b0 + NN__POOL_BLK < c1 ? b0 + NN__POOL_BLK : c1, o;                                         \
      for (o = 0; o < b1 - b0; o++) {                                                                          \
        best[o] = ninf_bits;                                                                                   \
        bi[o] = -1;                                                                                            \
      }                                                                                                        \
      for (i = i0; i < i1; i++) {                                                                              \
        int64_t r = (h0 + i * g->dh) * W;                                                                      \
        const T *xr = x + r;                                                                                   \
        for (j = 0; j < g->kw; j++) {                                                                          \
          int64_t off = j * g->dw - g->pl, lo, hi;                                                             \
          if (j < NN__POOL_KMAX) {                                                                             \
            lo = jr[2 * j];                                                                                    \
            hi = jr[2 * j + 1];                                                                                \
          } else {                                                                                             \
            nn__conv_valid_range(off, sw, W, g->Wo, &lo, &hi);                                                 \
          }                                                                                                    \
          if (lo < b0) lo = b0;                                                                                \
          if (hi > b1) hi = b1;                                                                                \
          for (o = lo; o < hi; o++) {                                                                          \
            int64_t k = o * sw + off, m;                                                                       \
            T v = xr[k], cur;                                                                                  \
            UT vb, um;                                                                                         \
            memcpy(&cur, &best[o - b0], sizeof cur);                                                           \
            m = -(int64_t)((v > cur) | (v != v) | (bi[o - b0] < 0));                                           \
            um = (UT)m;                                                                                        \
            memcpy(&vb, &v, sizeof vb);                                                                        \
            best[o - b0] = (vb & um) | (best[o - b0] & ~um);                                                   \
            bi[o - b0] = ((r + k) & m) | (bi[o - b0] & ~m);                                                    \
          }                                                                                                    \
        }                                                                                                      \
      }                                                                                                        \
      memcpy(y + b0, best, (size_t)(b1 - b0) * sizeof(T));                                                     \
      if (idx) memcpy(idx + b0, bi, (size_t)(b1 - b0) * sizeof(int64_t));                                     \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
  /* Max pooling of one H x W plane into Ho x Wo. Padding never wins (it is -inf); NaN wins and propagates     \
     (the last NaN of a window gives the index, as PyTorch's CPU kernel); a tie keeps the first position.      \
     idx (may be NULL) gets the flat index ih*W + iw of each maximum, or -1 for a window that covers no input  \
     element (possible only with dilation; the value is then -inf). Outputs whose whole window lies inside the \
     plane go through the AVX2 kernel when there is one for this stride (same results). */                    \
  NN__PRIVATE void nn__maxpool_plane_##S(const nn__conv_geom *g, const T *x, T *y, int64_t *idx) {             \
    int64_t jr[2 * NN__POOL_KMAX], oh, j, clo = 0, chi = g->Wo, Wo = g->Wo;                                    \
    int vec = nn__pool_simd_ok(g);                                                                             \
    for (j = 0; j < g->kw && j < NN__POOL_KMAX; j++) {                                                         \
      nn__conv_valid_range(j * g->dw - g->pl, g->sw, g->W, Wo, jr + 2 * j, jr + 2 * j + 1);                    \
      if (jr[2 * j] > clo) clo = jr[2 * j];                                                                    \
      if (jr[2 * j + 1] < chi) chi = jr[2 * j + 1];                                                            \
    }                                                                                                          \
    if (vec == 2) { /* narrow rows, every window inside: flattened outputs, then the rest of its row */       \
      int64_t t = nn__maxpool_plane_simd_##S(g, x, y, idx), t0 = t / Wo;                                       \
      for (oh = t0; oh < g->Ho; oh++)                                                                          \
        nn__maxpool_range_##S(g, x, oh, oh == t0 ? t % Wo : 0, Wo, jr, y + oh * Wo, idx ? idx + oh * Wo : NULL); \
      return;                                                                                                  \
    }                                                                                                          \
    for (oh = 0; oh < g->Ho; oh++) {                                                                           \
      T *yr = y + oh * Wo;                                                                                     \
      int64_t *ir = idx ? idx + oh * Wo : NULL, h0 = oh * g->sh - g->pt, o = 0;                                \
      if (vec && clo < chi && h0 >= 0 && h0 + (g->kh - 1) * g->dh < g->H) {                                    \
        nn__maxpool_range_##S(g, x, oh, 0, clo, jr, yr, ir);                                                  \
        o = nn__maxpool_row_simd_##S(g, x, oh, clo, chi, yr, ir);                                              \
      }                                                                                                        \
      nn__maxpool_range_##S(g, x, oh, o, Wo, jr, yr, ir);                                                      \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
  /* Average pooling of one plane, padding counted as zeros (count_include_pad): sum / (kh*kw). */             \
  NN__PRIVATE void nn__avgpool_plane_##S(const nn__conv_geom *g, const T *x, T *y) {                           \
    int64_t oh, ow, i, j, W = g->W;                                                                            \
    T div = (T)(g->kh * g->kw);                                                                                \
    for (oh = 0; oh < g->Ho; oh++) {                                                                           \
      int64_t h0 = oh * g->sh - g->pt, i0, i1;                                                                 \
      nn__conv_valid_range(h0, 1, g->H, g->kh, &i0, &i1);                                                      \
      for (ow = 0; ow < g->Wo; ow++) {                                                                         \
        int64_t w0 = ow * g->sw - g->pl, j0, j1;                                                               \
        T s = 0;                                                                                               \
        nn__conv_valid_range(w0, 1, W, g->kw, &j0, &j1);                                                       \
        for (i = i0; i < i1; i++) {                                                                            \
          const T *xr = x + (h0 + i) * W;                                                                      \
          for (j = j0; j < j1; j++) s += xr[w0 + j];                                                                \
        }                                                                                                      \
        y[oh * g->Wo + ow] = s / div;                                                                          \
      }                                                                                                        \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
  /* Gradient of nn__avgpool_plane: dx (zeroed by the caller) += dy / (kh*kw) over each window. */             \
  NN__PRIVATE void nn__avgpool_back_plane_##S(const nn__conv_geom *g, const T *dy, T *dx) {                    \
    int64_t oh, ow, i, j, W = g->W;                                                                            \
    T div = (T)(g->kh * g->kw);                                                                                \
    for (oh = 0; oh < g->Ho; oh++) {                                                                           \
      int64_t h0 = oh * g->sh - g->pt, i0, i1;                                                                 \
      nn__conv_valid_range(h0, 1, g->H, g->kh, &i0, &i1);                                                      \
      for (ow = 0; ow < g->Wo; ow++) {                                                                         \
        int64_t w0 = ow * g->sw - g->pl, j0, j1;                                                               \
        T v = dy[oh * g->Wo + ow] / div;                                                                       \
        nn__conv_valid_range(w0, 1, W, g->kw, &j0, &j1);                                                       \
        for (i = i0; i < i1; i++) {                                                                            \
          T *xr = dx + (h0 + i) * W;                                                                           \
          for (j = j0; j < j1; j++) xr[w0 + j] += v;                                                                \
        }                                                                                                      \
      }                                                                                                        \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
  /* Gradient of max pooling for one plane: dx (zeroed by the caller, hw elements) += dy[i] at idx[i]. Index   \
     -1 (a window with no input element) is skipped. Returns -1, or the position of the first index outside    \
     [0, hw) (nothing is written for it). */                                                                   \
  NN__PRIVATE int64_t nn__maxpool_back_plane_##S(int64_t n, const T *dy, const int64_t *idx, int64_t hw, T *dx) { \
    int64_t i;                                                                                                 \
    for (i = 0; i < n; i++) {                                                                                  \
      int64_t k = idx[i];                                                                                      \
      if (k >= 0 && k < hw) dx[k] += dy[i];                                                                    \
      else if (k != -1) return i;                                                                              \
    }                                                                                                          \
    return -1;                                                                                                 \
  }

NN__CONV_KERNELS_DEFINE(s, float, uint32_t)
NN__CONV_KERNELS_DEFINE(d, double, uint64_t)

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
