/* kernels/gemm.c: matrix products, C = alpha * op(A) op(B) + beta * C, row-major, op(X) = X or X^T.

   Blocked path (the BLIS/GotoBLAS scheme, with op(A) read in place):

     parallel over chunks = (block of rows of C) x (group of NR-column micro-panels of C):
       for each K slice [p0, p0 + kc):                    beta applies to the first slice only
         pack op(B)[p0:p0+kc, group columns] into NR-column micro-panels (kc x NR each, zero padded)
         for each MR = 6 row panel of the block:          op(A) rows read in place, MR x kc reused from L1/L2
           for each micro-panel of the group:             the packed group (kc x cols, <= 512 KiB) stays in L2
             micro-kernel: one MR x NR tile of C

   op(A) is never packed: the micro-kernel reads element (i, p) at a[i * rsa + p * csa], which covers A and A^T
   with any leading dimension. op(B) is packed by the chunk that uses it, so one fork-join covers the whole product
   and no chunk waits on another; row blocks (which re-pack their B) are only formed when the columns give too few
   chunks. A block of at most 96 rows reads an untransposed B in place too (a packed copy would be read only a few
   times). Chunks are formed from the sizes only and K is never split across chunks, so every element of C is summed
   in the same order for any thread count (bit-identical results).

   C = A B^T with 32 to 96 rows (a multiple of 16) and at least 4 times as many columns is computed as
   T = C^T = B A^T, then transposed into C: packing B^T would transpose all of B for a few rows of A, while
   B A^T reads B in place and packs only A (a dense layer's forward pass, x W^T, has this shape).

   Micro-kernels: AVX-512 (6 x 64 floats, 6 x 32 doubles) and AVX2+FMA (6 x 16, 6 x 8) from the template
   kernels/gemm_ukr.inc, each also in narrower widths (down to one vector) for the last columns, and portable C
   (6 x 16, 6 x 8). Edge tiles go through a scratch tile. The instruction set is picked once per process from
   CPUID; NN_FORCE_SCALAR in the environment (or building with NN_NO_SIMD) forces the portable kernels.

   Tiny products (M*N*K < NN__GEMM_SMALL) and matrix-vector shapes (M == 1 or N == 1) take direct loops.
   These kernels know nothing about tensors or error messages: they return 0, or -1 when a buffer cannot be
   allocated (nothing is leaked). */

/* ---- block sizes ---- */
#define NN__GEMM_MR 6                   /* rows of every register tile */
#define NN__GEMM_NRMAX 64               /* the widest register tile (AVX-512 float) */
#define NN__GEMM_GROUP_BYTES (512 << 10) /* bound on a chunk's packed B (kc x group columns), kept in L2 */
#define NN__GEMM_CHUNKS 8               /* aim for this many chunks (column groups x row blocks) */
#define NN__GEMM_MIN_ROWS 256           /* a row block is not cut shorter than this (each block re-packs its B) */
#define NN__GEMM_BDIRECT_ROWS 96        /* row blocks up to this size read an untransposed B in place */
#define NN__GEMM_SWAP_ROWS 96           /* op(B) = B^T, at most this many rows: compute C^T (see the driver) */
#define NN__GEMM_MAX_SLOTS 64           /* packing buffers in flight at once (one per running chunk) */
#define NN__GEMM_SMALL (10 * 10 * 10)   /* M*N*K below this: direct loops (measured: packing wins from ~12^3 up) */
#define NN__GEMM_DIRECT_GRAIN (1 << 18) /* multiply-adds per parallel chunk in the direct loops */
#define NN__GEMM_ROWBLK 1024            /* accumulator length of the direct loops */

/* ---- micro-kernels ---- */

/* One MR x NR tile: c[i*ldc + j] (i < MR, j < NR) = alpha * sum_p a[i*rsa + p*csa] * b[p*ldbp + j] + beta * c[...]
   with alpha = ab[0], beta = ab[1]; beta == 0: c is not read. b is a kc x NR micro-panel of op(B), packed (ldbp =
   NR) or B itself; rows of a at or past mr are not read (the tile's rows from mr on are then meaningless). pfo: a
   prefetch hint for SIMD kernels (0: none; see kernels/gemm_ukr.inc). */
typedef void (*nn__sgemm_ukr_fn)(int64_t kc, const float *a, int64_t rsa, int64_t csa, const float *b, int64_t ldbp,
                                 float *c, int64_t ldc, int mr, const float *ab, int64_t pfo);
typedef void (*nn__dgemm_ukr_fn)(int64_t kc, const double *a, int64_t rsa, int64_t csa, const double *b,
                                 int64_t ldbp, double *c, int64_t ldc, int mr, const double *ab, int64_t pfo);
/* Packs op(B)[0:kc, 0:nc] into NR-column micro-panels: bp[q*kc + p*NR + j] = op(B)(p, q + j), zero past nc. */
typedef void (*nn__sgemm_packb_fn)(int tb, const float *B, int64_t ldb, int64_t kc, int64_t nc, float *bp);
typedef void (*nn__dgemm_packb_fn)(int tb, const double *B, int64_t ldb, int64_t kc, int64_t nc, double *bp);

/* One instruction set's kernels and block sizes. */
typedef struct nn__sgemm_cfg {
  int nr;                  /* columns of the widest register tile and of a packed micro-panel */
  int w;                   /* columns per vector: ukr[v - 1] computes tiles v * w columns wide (v * w <= nr) */
  int64_t kc;              /* longest K slice */
  nn__sgemm_ukr_fn ukr[4];
  nn__sgemm_packb_fn packb;
} nn__sgemm_cfg;
typedef struct nn__dgemm_cfg {
  int nr, w;
  int64_t kc;
  nn__dgemm_ukr_fn ukr[4];
  nn__dgemm_packb_fn packb;
} nn__dgemm_cfg;

/* Portable body (MR = 6, NR columns): six accumulator rows with constant trip counts, which compilers keep in
   vector registers. */
#define NN__GEMM_UKR_C(T, NR)                                                                                    \
  const T *a0 = a, *a1 = a + (mr > 1 ? rsa : 0), *a2 = a + (mr > 2 ? 2 * rsa : 0);                              \
  const T *a3 = a + (mr > 3 ? 3 * rsa : 0), *a4 = a + (mr > 4 ? 4 * rsa : 0), *a5 = a + (mr > 5 ? 5 * rsa : 0); \
  T c0[NR], c1[NR], c2[NR], c3[NR], c4[NR], c5[NR];                                                             \
  int64_t p, o = 0;                                                                                             \
  int i, j;                                                                                                     \
  for (j = 0; j < NR; j++) {                                                                                    \
    c0[j] = 0;                                                                                                  \
    c1[j] = 0;                                                                                                  \
    c2[j] = 0;                                                                                                  \
    c3[j] = 0;                                                                                                  \
    c4[j] = 0;                                                                                                  \
    c5[j] = 0;                                                                                                  \
  }                                                                                                             \
  for (p = 0; p < kc; p++, o += csa) {                                                                          \
    const T *bp = b + p * ldbp;                                                                                 \
    T x0 = a0[o], x1 = a1[o], x2 = a2[o], x3 = a3[o], x4 = a4[o], x5 = a5[o];                                   \
    for (j = 0; j < NR; j++) {                                                                                  \
      T bj = bp[j];                                                                                             \
      c0[j] += x0 * bj;                                                                                         \
      c1[j] += x1 * bj;                                                                                         \
      c2[j] += x2 * bj;                                                                                         \
      c3[j] += x3 * bj;                                                                                         \
      c4[j] += x4 * bj;                                                                                         \
      c5[j] += x5 * bj;                                                                                         \
    }                                                                                                           \
  }                                                                                                             \
  for (i = 0; i < 6; i++) {                                                                                     \
    const T *r = i == 0 ? c0 : i == 1 ? c1 : i == 2 ? c2 : i == 3 ? c3 : i == 4 ? c4 : c5;                      \
    T *ci = c + i * ldc;                                                                                        \
    if (ab[1] == 0)                                                                                             \
      for (j = 0; j < NR; j++) ci[j] = ab[0] * r[j];                                                            \
    else                                                                                                        \
      for (j = 0; j < NR; j++) ci[j] = ab[0] * r[j] + ab[1] * ci[j];                                            \
  }

/* Portable packing of op(B) into NR-column micro-panels. */
#define NN__GEMM_PACKB_C(T, NR)                                            \
  int64_t q, p;                                                            \
  int j;                                                                   \
  for (q = 0; q < nc; q += NR) {                                           \
    int nr = (int)(nc - q < NR ? nc - q : NR);                             \
    T *dst = bp + q * kc;                                                  \
    for (p = 0; p < kc; p++) {                                             \
      const T *src = tb ? B + q * ldb + p : B + p * ldb + q;               \
      int64_t sj = tb ? ldb : 1;                                           \
      for (j = 0; j < nr; j++) dst[p * NR + j] = src[j * sj];              \
      for (; j < NR; j++) dst[p * NR + j] = 0;                             \
    }                                                                      \
  }

NN__PRIVATE void nn__sgemm_ukr_c(int64_t kc, const float *a, int64_t rsa, int64_t csa, const float *b, int64_t ldbp,
                                 float *c, int64_t ldc, int mr, const float *ab, int64_t pfo) {
  (void)pfo;
  NN__GEMM_UKR_C(float, 16)
}
NN__PRIVATE void nn__dgemm_ukr_c(int64_t kc, const double *a, int64_t rsa, int64_t csa, const double *b,
                                 int64_t ldbp, double *c, int64_t ldc, int mr, const double *ab, int64_t pfo) {
  (void)pfo;
  NN__GEMM_UKR_C(double, 8)
}
NN__PRIVATE void nn__sgemm_packb_c(int tb, const float *B, int64_t ldb, int64_t kc, int64_t nc, float *bp) {
  NN__GEMM_PACKB_C(float, 16)
}
NN__PRIVATE void nn__dgemm_packb_c(int tb, const double *B, int64_t ldb, int64_t kc, int64_t nc, double *bp) {
  NN__GEMM_PACKB_C(double, 8)
}

/* Plain-C transposing packers (see nn__sgemm_packbt_x86): dst[p*NR + j] = B[j*ldb + p], zero past nr. */
#define NN__GEMM_PACKBT_C(T)                                                   \
  int64_t p;                                                                   \
  int j;                                                                       \
  for (p = 0; p < kc; p++) {                                                   \
    for (j = 0; j < nr; j++) dst[p * NR + j] = B[j * ldb + p];                 \
    for (; j < NR; j++) dst[p * NR + j] = 0;                                   \
  }
NN__PRIVATE void nn__sgemm_packbt_c(const float *B, int64_t ldb, int64_t kc, int nr, int NR, float *dst) {
  NN__GEMM_PACKBT_C(float)
}
NN__PRIVATE void nn__dgemm_packbt_c(const double *B, int64_t ldb, int64_t kc, int nr, int NR, double *dst) {
  NN__GEMM_PACKBT_C(double)
}

#if NN__SIMD_BASE
/* The portable micro-kernels in generic 16-byte vectors (GCC/Clang vector extensions): the same template as the
   x86 kernels, compiled for the baseline instruction set (SSE2 on x86-64, NEON on arm64), with the same packing as
   the plain C kernels (6 x 16 floats, 6 x 8 doubles). */
#define NN__GEMM_VEXT 1
#define NN__GEMM_VFN static __inline__ __attribute__((always_inline, unused))
typedef float nn__gemm_v4f __attribute__((vector_size(16)));
typedef double nn__gemm_v2d __attribute__((vector_size(16)));
NN__GEMM_VFN nn__gemm_v4f nn__gemm_v4f_set1(float x) {
  nn__gemm_v4f v = {x, x, x, x};
  return v;
}
NN__GEMM_VFN nn__gemm_v4f nn__gemm_v4f_load(const float *p) {
  nn__gemm_v4f v;
  memcpy(&v, p, sizeof v);
  return v;
}
NN__GEMM_VFN void nn__gemm_v4f_store(float *p, nn__gemm_v4f v) { memcpy(p, &v, sizeof v); }
NN__GEMM_VFN nn__gemm_v2d nn__gemm_v2d_set1(double x) {
  nn__gemm_v2d v = {x, x};
  return v;
}
NN__GEMM_VFN nn__gemm_v2d nn__gemm_v2d_load(const double *p) {
  nn__gemm_v2d v;
  memcpy(&v, p, sizeof v);
  return v;
}
NN__GEMM_VFN void nn__gemm_v2d_store(double *p, nn__gemm_v2d v) { memcpy(p, &v, sizeof v); }

#define NN__UK_T float
#define NN__UK_V nn__gemm_v4f
#define NN__UK_W 4
#define NN__UK_NRP 16
#define NN__UK_TARGET
#define NN__UK_ZERO() nn__gemm_v4f_set1(0.0f)
#define NN__UK_LOAD(p) nn__gemm_v4f_load(p)
#define NN__UK_STORE(p, v) nn__gemm_v4f_store(p, v)
#define NN__UK_SET1(x) nn__gemm_v4f_set1(x)
#define NN__UK_FMA(a, b, c) ((a) * (b) + (c))
#define NN__UK_MUL(a, b) ((a) * (b))
#define NN__UK_PACKBT nn__sgemm_packbt_c
#define NN__UK_UKR nn__sgemm_ukr_v_4
#define NN__UK_NV 4
#define NN__UK_PACKB nn__sgemm_packb_v
#include "gemm_ukr.inc"
#define NN__UK_UKR nn__sgemm_ukr_v_3
#define NN__UK_NV 3
#include "gemm_ukr.inc"
#define NN__UK_UKR nn__sgemm_ukr_v_2
#define NN__UK_NV 2
#include "gemm_ukr.inc"
#define NN__UK_UKR nn__sgemm_ukr_v_1
#define NN__UK_NV 1
#include "gemm_ukr.inc"
#include "gemm_ukr_end.inc"

#define NN__UK_T double
#define NN__UK_V nn__gemm_v2d
#define NN__UK_W 2
#define NN__UK_NRP 8
#define NN__UK_TARGET
#define NN__UK_ZERO() nn__gemm_v2d_set1(0.0)
#define NN__UK_LOAD(p) nn__gemm_v2d_load(p)
#define NN__UK_STORE(p, v) nn__gemm_v2d_store(p, v)
#define NN__UK_SET1(x) nn__gemm_v2d_set1(x)
#define NN__UK_FMA(a, b, c) ((a) * (b) + (c))
#define NN__UK_MUL(a, b) ((a) * (b))
#define NN__UK_PACKBT nn__dgemm_packbt_c
#define NN__UK_UKR nn__dgemm_ukr_v_4
#define NN__UK_NV 4
#define NN__UK_PACKB nn__dgemm_packb_v
#include "gemm_ukr.inc"
#define NN__UK_UKR nn__dgemm_ukr_v_3
#define NN__UK_NV 3
#include "gemm_ukr.inc"
#define NN__UK_UKR nn__dgemm_ukr_v_2
#define NN__UK_NV 2
#include "gemm_ukr.inc"
#define NN__UK_UKR nn__dgemm_ukr_v_1
#define NN__UK_NV 1
#include "gemm_ukr.inc"
#include "gemm_ukr_end.inc"
#endif /* vector extensions */

#if defined(NN__X86)
#define NN__GEMM_T_AVX2 __attribute__((target("avx2,fma")))
#define NN__GEMM_T_AVX512 __attribute__((target("avx512f,avx2,fma")))

/* Transposing packers for op(B) = B^T: dst[p*NR + j] = B[j*ldb + p] for j < nr, zero for nr <= j < NR. Whole 8 x 8
   (float) or 4 x 4 (double) blocks are transposed in registers, a block row of dst at a time so that dst is written
   in whole lines and the source lines of the panel's rows stay in L1 between consecutive block rows. */
NN__PRIVATE NN__GEMM_T_AVX2 void nn__sgemm_packbt_x86(const float *B, int64_t ldb, int64_t kc, int nr, int NR,
                                                      float *dst) {
  int64_t p, kc8 = kc & ~(int64_t)7;
  int j, jj, nr8 = nr & ~7;
  for (p = 0; p < kc8; p += 8) {
    float *d = dst + p * NR;
    for (j = 0; j < nr8; j += 8) {
      const float *s = B + j * ldb + p;
      __m256 r0 = _mm256_loadu_ps(s), r1 = _mm256_loadu_ps(s + ldb), r2 = _mm256_loadu_ps(s + 2 * ldb);
      __m256 r3 = _mm256_loadu_ps(s + 3 * ldb), r4 = _mm256_loadu_ps(s + 4 * ldb);
      __m256 r5 = _mm256_loadu_ps(s + 5 * ldb), r6 = _mm256_loadu_ps(s + 6 * ldb);
      __m256 r7 = _mm256_loadu_ps(s + 7 * ldb);
      __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1), t2 = _mm256_unpacklo_ps(r2, r3);
      __m256 t3 = _mm256_unpackhi_ps(r2, r3), t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
      __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
      __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
      __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
      __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
      __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
      _mm256_storeu_ps(d + j, _mm256_permute2f128_ps(u0, u4, 0x20));
      _mm256_storeu_ps(d + NR + j, _mm256_permute2f128_ps(u1, u5, 0x20));
      _mm256_storeu_ps(d + 2 * NR + j, _mm256_permute2f128_ps(u2, u6, 0x20));
      _mm256_storeu_ps(d + 3 * NR + j, _mm256_permute2f128_ps(u3, u7, 0x20));
      _mm256_storeu_ps(d + 4 * NR + j, _mm256_permute2f128_ps(u0, u4, 0x31));
      _mm256_storeu_ps(d + 5 * NR + j, _mm256_permute2f128_ps(u1, u5, 0x31));
      _mm256_storeu_ps(d + 6 * NR + j, _mm256_permute2f128_ps(u2, u6, 0x31));
      _mm256_storeu_ps(d + 7 * NR + j, _mm256_permute2f128_ps(u3, u7, 0x31));
    }
    for (jj = 0; jj < 8; jj++) {
      for (j = nr8; j < nr; j++) d[jj * NR + j] = B[j * ldb + p + jj];
      for (j = nr; j < NR; j++) d[jj * NR + j] = 0;
    }
  }
  for (; p < kc; p++) {
    for (j = 0; j < nr; j++) dst[p * NR + j] = B[j * ldb + p];
    for (j = nr; j < NR; j++) dst[p * NR + j] = 0;
  }
}
NN__PRIVATE NN__GEMM_T_AVX2 void nn__dgemm_packbt_x86(const double *B, int64_t ldb, int64_t kc, int nr, int NR,
                                                      double *dst) {
  int64_t p, kc4 = kc & ~(int64_t)3;
  int j, jj, nr4 = nr & ~3;
  for (p = 0; p < kc4; p += 4) {
    double *d = dst + p * NR;
    for (j = 0; j < nr4; j += 4) {
      const double *s = B + j * ldb + p;
      __m256d r0 = _mm256_loadu_pd(s), r1 = _mm256_loadu_pd(s + ldb);
      __m256d r2 = _mm256_loadu_pd(s + 2 * ldb), r3 = _mm256_loadu_pd(s + 3 * ldb);
      __m256d t0 = _mm256_unpacklo_pd(r0, r1), t1 = _mm256_unpackhi_pd(r0, r1);
      __m256d t2 = _mm256_unpacklo_pd(r2, r3), t3 = _mm256_unpackhi_pd(r2, r3);
      _mm256_storeu_pd(d + j, _mm256_permute2f128_pd(t0, t2, 0x20));
      _mm256_storeu_pd(d + NR + j, _mm256_permute2f128_pd(t1, t3, 0x20));
      _mm256_storeu_pd(d + 2 * NR + j, _mm256_permute2f128_pd(t0, t2, 0x31));
      _mm256_storeu_pd(d + 3 * NR + j, _mm256_permute2f128_pd(t1, t3, 0x31));
    }
    for (jj = 0; jj < 4; jj++) {
      for (j = nr4; j < nr; j++) d[jj * NR + j] = B[j * ldb + p + jj];
      for (j = nr; j < NR; j++) d[jj * NR + j] = 0;
    }
  }
  for (; p < kc; p++) {
    for (j = 0; j < nr; j++) dst[p * NR + j] = B[j * ldb + p];
    for (j = nr; j < NR; j++) dst[p * NR + j] = 0;
  }
}

/* AVX-512: tiles of 6 x 16/32/48/64 floats and 6 x 8/16/24/32 doubles */
#define NN__UK_T float
#define NN__UK_V __m512
#define NN__UK_W 16
#define NN__UK_NRP 64
#define NN__UK_TARGET NN__GEMM_T_AVX512
#define NN__UK_ZERO() _mm512_setzero_ps()
#define NN__UK_LOAD(p) _mm512_loadu_ps(p)
#define NN__UK_STORE(p, v) _mm512_storeu_ps(p, v)
#define NN__UK_SET1(x) _mm512_set1_ps(x)
#define NN__UK_FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define NN__UK_MUL(a, b) _mm512_mul_ps(a, b)
#define NN__UK_PACKBT nn__sgemm_packbt_x86
#define NN__UK_UKR nn__sgemm_ukr_avx512_4
#define NN__UK_NV 4
#define NN__UK_PACKB nn__sgemm_packb_avx512
#include "gemm_ukr.inc"
#define NN__UK_UKR nn__sgemm_ukr_avx512_3
#define NN__UK_NV 3
#include "gemm_ukr.inc"
#define NN__UK_UKR nn__sgemm_ukr_avx512_2
#define NN__UK_NV 2
#include "gemm_ukr.inc"
#define NN__UK_UKR nn__sgemm_ukr_avx512_1
#define NN__UK_NV 1
#include "gemm_ukr.inc"
#include "gemm_ukr_end.inc"

#define NN__UK_T double
#define NN__UK_V __m512d
#define NN__UK_W 8
#define NN__UK_NRP 32
#define NN__UK_TARGET NN__GEMM_T_AVX512
#define NN__UK_ZERO() _mm512_setzero_pd()
#define NN__UK_LOAD(p) _mm512_loadu_pd(p)
#define NN__UK_STORE(p, v) _mm512_storeu_pd(p, v)
#define NN__UK_SET1(x) _mm512_set1_pd(x)
#define NN__UK_FMA(a, b, c) _mm512_fmadd_pd(a, b, c)
#define NN__UK_MUL(a, b) _mm512_mul_pd(a, b)
#define NN__UK_PACKBT nn__dgemm_packbt_x86
#define NN__UK_UKR nn__dgemm_ukr_avx512_4
#define NN__UK_NV 4
#define NN__UK_PACKB nn__dgemm_packb_avx512
#include "gemm_ukr.inc"
#define NN__UK_UKR nn__dgemm_ukr_avx512_3
#define NN__UK_NV 3
#include "gemm_ukr.inc"
#define NN__UK_UKR nn__dgemm_ukr_avx512_2
#define NN__UK_NV 2
#include "gemm_ukr.inc"
#define NN__UK_UKR nn__dgemm_ukr_avx512_1
#define NN__UK_NV 1
#include "gemm_ukr.inc"
#include "gemm_ukr_end.inc"

/* AVX2+FMA: tiles of 6 x 8/16 floats and 6 x 4/8 doubles */
#define NN__UK_T float
#define NN__UK_V __m256
#define NN__UK_W 8
#define NN__UK_NRP 16
#define NN__UK_TARGET NN__GEMM_T_AVX2
#define NN__UK_ZERO() _mm256_setzero_ps()
#define NN__UK_LOAD(p) _mm256_loadu_ps(p)
#define NN__UK_STORE(p, v) _mm256_storeu_ps(p, v)
#define NN__UK_SET1(x) _mm256_set1_ps(x)
#define NN__UK_FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define NN__UK_MUL(a, b) _mm256_mul_ps(a, b)
#define NN__UK_PACKBT nn__sgemm_packbt_x86
#define NN__UK_UKR nn__sgemm_ukr_avx2_2
#define NN__UK_NV 2
#define NN__UK_PACKB nn__sgemm_packb_avx2
#include "gemm_ukr.inc"
#define NN__UK_UKR nn__sgemm_ukr_avx2_1
#define NN__UK_NV 1
#include "gemm_ukr.inc"
#include "gemm_ukr_end.inc"

#define NN__UK_T double
#define NN__UK_V __m256d
#define NN__UK_W 4
#define NN__UK_NRP 8
#define NN__UK_TARGET NN__GEMM_T_AVX2
#define NN__UK_ZERO() _mm256_setzero_pd()
#define NN__UK_LOAD(p) _mm256_loadu_pd(p)
#define NN__UK_STORE(p, v) _mm256_storeu_pd(p, v)
#define NN__UK_SET1(x) _mm256_set1_pd(x)
#define NN__UK_FMA(a, b, c) _mm256_fmadd_pd(a, b, c)
#define NN__UK_MUL(a, b) _mm256_mul_pd(a, b)
#define NN__UK_PACKBT nn__dgemm_packbt_x86
#define NN__UK_UKR nn__dgemm_ukr_avx2_2
#define NN__UK_NV 2
#define NN__UK_PACKB nn__dgemm_packb_avx2
#include "gemm_ukr.inc"
#define NN__UK_UKR nn__dgemm_ukr_avx2_1
#define NN__UK_NV 1
#include "gemm_ukr.inc"
#include "gemm_ukr_end.inc"
/* C[i, j] = alpha t[j, i] (+ beta C[i, j] when beta != 0) for i < M, j < N, t being N x M contiguous: 8 x 8
   blocks through registers, the edges one by one. */
NN__PRIVATE NN__GEMM_T_AVX2 void nn__sgemm_trmerge_x86(const float *t, int64_t M, int64_t N, float alpha, float beta,
                                                       float *C, int64_t ldc) {
  int64_t i, j, q, M8 = M & ~(int64_t)7, N8 = N & ~(int64_t)7;
  const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
  for (i = 0; i < M8; i += 8)
    for (j = 0; j < N8; j += 8) {
      const float *s = t + j * M + i;
      __m256 r[8], u[8], w[8];
      for (q = 0; q < 8; q++) r[q] = _mm256_loadu_ps(s + q * M);
      for (q = 0; q < 8; q += 2) u[q] = _mm256_unpacklo_ps(r[q], r[q + 1]), u[q + 1] = _mm256_unpackhi_ps(r[q], r[q + 1]);
      w[0] = _mm256_shuffle_ps(u[0], u[2], 0x44), w[1] = _mm256_shuffle_ps(u[0], u[2], 0xEE);
      w[2] = _mm256_shuffle_ps(u[1], u[3], 0x44), w[3] = _mm256_shuffle_ps(u[1], u[3], 0xEE);
      w[4] = _mm256_shuffle_ps(u[4], u[6], 0x44), w[5] = _mm256_shuffle_ps(u[4], u[6], 0xEE);
      w[6] = _mm256_shuffle_ps(u[5], u[7], 0x44), w[7] = _mm256_shuffle_ps(u[5], u[7], 0xEE);
      for (q = 0; q < 8; q++) {
        __m256 v = q < 4 ? _mm256_permute2f128_ps(w[q], w[q + 4], 0x20) : _mm256_permute2f128_ps(w[q - 4], w[q], 0x31);
        float *c = C + (i + q) * ldc + j;
        v = _mm256_mul_ps(va, v);
        if (beta != 0) v = _mm256_fmadd_ps(vb, _mm256_loadu_ps(c), v);
        _mm256_storeu_ps(c, v);
      }
    }
  for (i = 0; i < M; i++)
    for (j = i < M8 ? N8 : 0; j < N; j++) {
      float v = alpha * t[j * M + i];
      C[i * ldc + j] = beta != 0 ? beta * C[i * ldc + j] + v : v;
    }
}

#endif /* NN__X86 */

/* Instruction sets: 0 portable C, 1 AVX2+FMA, 2 AVX-512F. */
enum { NN__GEMM_ISA_C = 0, NN__GEMM_ISA_AVX2 = 1, NN__GEMM_ISA_AVX512 = 2 };

/* The best instruction set this CPU runs (NN_FORCE_SCALAR in the environment: portable C). */
NN__PRIVATE int nn__gemm_isa_max(void) {
  int isa = NN__GEMM_ISA_C;
#if defined(NN__X86)
  if (!getenv("NN_FORCE_SCALAR")) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) isa = NN__GEMM_ISA_AVX512;
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) isa = NN__GEMM_ISA_AVX2;
  }
#endif
  return isa;
}

/* The instruction set in use, decided once; nn__gemm_set_isa lowers it (tests and benchmarks run every kernel). */
static volatile int nn__gemm_isa_cached = -1;
NN__PRIVATE int nn__gemm_isa(void) {
  int isa = nn__gemm_isa_cached;
  if (isa < 0) {
    isa = nn__gemm_isa_max();
    nn__gemm_isa_cached = isa;
  }
  return isa;
}
/* Uses instruction set isa (clamped to what the CPU runs); a negative isa restores the default. Returns the set in use. */
NN__PRIVATE int nn__gemm_set_isa(int isa) {
  int mx = nn__gemm_isa_max();
  nn__gemm_isa_cached = isa < 0 || isa > mx ? mx : isa;
  return nn__gemm_isa_cached;
}

/* Block sizes per instruction set: kc * NR * sizeof(T) = 128 KiB for the SIMD kernels (one micro-panel of B streamed
   from L2 per row panel), and an MR x kc panel of op(A) of 12 KiB (float) or 24 KiB (double) reused from L1. */
NN__PRIVATE void nn__sgemm_get_cfg(int isa, nn__sgemm_cfg *cfg) {
  cfg->nr = cfg->w = 16;
  cfg->kc = 512;
  cfg->ukr[0] = cfg->ukr[1] = cfg->ukr[2] = cfg->ukr[3] = nn__sgemm_ukr_c;
  cfg->packb = nn__sgemm_packb_c;
#if defined(NN__GEMM_VEXT)
  cfg->w = 4;
  cfg->ukr[0] = nn__sgemm_ukr_v_1;
  cfg->ukr[1] = nn__sgemm_ukr_v_2;
  cfg->ukr[2] = nn__sgemm_ukr_v_3;
  cfg->ukr[3] = nn__sgemm_ukr_v_4;
  cfg->packb = nn__sgemm_packb_v;
#endif
#if defined(NN__X86)
  if (isa == NN__GEMM_ISA_AVX512) {
    cfg->nr = 64;
    cfg->w = 16;
    cfg->ukr[0] = nn__sgemm_ukr_avx512_1;
    cfg->ukr[1] = nn__sgemm_ukr_avx512_2;
    cfg->ukr[2] = nn__sgemm_ukr_avx512_3;
    cfg->ukr[3] = nn__sgemm_ukr_avx512_4;
    cfg->packb = nn__sgemm_packb_avx512;
  } else if (isa == NN__GEMM_ISA_AVX2) {
    cfg->nr = 16;
    cfg->w = 8;
    cfg->ukr[0] = nn__sgemm_ukr_avx2_1;
    cfg->ukr[1] = cfg->ukr[2] = cfg->ukr[3] = nn__sgemm_ukr_avx2_2;
    cfg->packb = nn__sgemm_packb_avx2;
  }
#else
  (void)isa;
#endif
}
NN__PRIVATE void nn__dgemm_get_cfg(int isa, nn__dgemm_cfg *cfg) {
  cfg->nr = cfg->w = 8;
  cfg->kc = 512;
  cfg->ukr[0] = cfg->ukr[1] = cfg->ukr[2] = cfg->ukr[3] = nn__dgemm_ukr_c;
  cfg->packb = nn__dgemm_packb_c;
#if defined(NN__GEMM_VEXT)
  cfg->w = 2;
  cfg->ukr[0] = nn__dgemm_ukr_v_1;
  cfg->ukr[1] = nn__dgemm_ukr_v_2;
  cfg->ukr[2] = nn__dgemm_ukr_v_3;
  cfg->ukr[3] = nn__dgemm_ukr_v_4;
  cfg->packb = nn__dgemm_packb_v;
#endif
#if defined(NN__X86)
  if (isa == NN__GEMM_ISA_AVX512) {
    cfg->nr = 32;
    cfg->w = 8;
    cfg->ukr[0] = nn__dgemm_ukr_avx512_1;
    cfg->ukr[1] = nn__dgemm_ukr_avx512_2;
    cfg->ukr[2] = nn__dgemm_ukr_avx512_3;
    cfg->ukr[3] = nn__dgemm_ukr_avx512_4;
    cfg->packb = nn__dgemm_packb_avx512;
  } else if (isa == NN__GEMM_ISA_AVX2) {
    cfg->nr = 8;
    cfg->w = 4;
    cfg->ukr[0] = nn__dgemm_ukr_avx2_1;
    cfg->ukr[1] = cfg->ukr[2] = cfg->ukr[3] = nn__dgemm_ukr_avx2_2;
    cfg->packb = nn__dgemm_packb_avx2;
  }
#else
  (void)isa;
#endif
}

/* Packing buffers. Consecutive GEMM calls reuse one cached buffer (allocating and freeing a few MiB per call costs
   page faults comparable to the arithmetic of a 256^3 product); a call that finds it in use by another thread
   allocates its own. The cache holds at most the largest buffer a call needed (one 512 KiB slot per thread) for the
   life of the process. */
static void *nn__gemm_cache = NULL;
static void *nn__gemm_cache_base = NULL; /* its block start, so leak checkers see it reachable */
static size_t nn__gemm_cache_bytes = 0;
static long nn__gemm_cache_busy = 0;

/* Returns a 64-byte aligned buffer of at least nbytes, or NULL; *cached says which kind to give back. The cache
   needs a real atomic counter, so other compilers always allocate. */
#if defined(__GNUC__) || defined(__clang__)
#define NN__GEMM_CACHE_TAKE() (__atomic_add_fetch(&nn__gemm_cache_busy, 1, __ATOMIC_ACQ_REL) == 1)
#define NN__GEMM_CACHE_DROP() ((void)__atomic_add_fetch(&nn__gemm_cache_busy, -1, __ATOMIC_ACQ_REL))
#else
#define NN__GEMM_CACHE_TAKE() 0
#define NN__GEMM_CACHE_DROP() ((void)0)
#endif
NN__PRIVATE void *nn__gemm_buf_get(size_t nbytes, int *cached) {
  *cached = 0;
  if (NN__GEMM_CACHE_TAKE()) {
    if (nn__gemm_cache_bytes < nbytes) {
      nn__dealloc(nn__gemm_cache);
      nn__gemm_cache = nn__alloc(nbytes);
      nn__gemm_cache_base = nn__gemm_cache ? nn__alloc_base(nn__gemm_cache) : NULL;
      nn__gemm_cache_bytes = nn__gemm_cache ? nbytes : 0;
    }
    if (nn__gemm_cache) {
      *cached = 1;
      return nn__gemm_cache;
    }
  }
  NN__GEMM_CACHE_DROP();
  return nn__alloc(nbytes);
}

/* nn_cache_release: frees the cached packing buffer unless a product is using it right now. */
NN__PRIVATE void nn__gemm_cache_release(void) {
  if (NN__GEMM_CACHE_TAKE()) {
    nn__dealloc(nn__gemm_cache);
    nn__gemm_cache = nn__gemm_cache_base = NULL;
    nn__gemm_cache_bytes = 0;
  }
  NN__GEMM_CACHE_DROP();
}

NN__PRIVATE void nn__gemm_buf_put(void *p, int cached) {
  if (cached) NN__GEMM_CACHE_DROP();
  else nn__dealloc(p);
}

/* Which direct loop computes a small or matrix-vector product:
   0: dot products (rows of op(A) and columns of op(B) both contiguous, or one of them a single vector),
   1: rows, C[i, :] += op(A)(i, p) * B[p, :] (B not transposed), 2: columns, C[:, j] += op(B)(p, j) * A[p, :]. */
enum { NN__GEMM_DOT = 0, NN__GEMM_ROWS = 1, NN__GEMM_COLS = 2 };
NN__PRIVATE int nn__gemm_direct_form(int ta, int tb, int64_t M, int64_t N) {
  if ((tb || N == 1) && (!ta || M == 1)) return NN__GEMM_DOT;
  if (!tb && N > 1) return NN__GEMM_ROWS;
  return NN__GEMM_COLS;
}

/* The direct loops' parallel split: *split_rows and the chunk length *blk; returns the number of chunks. It depends
   on the sizes only. The row and column loops stream long contiguous runs, so they are not cut shorter than
   NN__GEMM_ROWBLK along the contiguous dimension. */
NN__PRIVATE int64_t nn__gemm_direct_split(int form, int64_t M, int64_t N, int64_t K, int *split_rows, int64_t *blk) {
  double nch = (double)M * (double)N * (double)K / NN__GEMM_DIRECT_GRAIN;
  int64_t len, n, minblk = 1;
  if (form == NN__GEMM_DOT) *split_rows = M >= N;
  else if (form == NN__GEMM_ROWS) *split_rows = M > 1;
  else *split_rows = N == 1;
  if ((form == NN__GEMM_ROWS && !*split_rows) || (form == NN__GEMM_COLS && *split_rows)) minblk = NN__GEMM_ROWBLK;
  len = *split_rows ? M : N;
  n = nch < 1 ? 1 : nch > 64 ? 64 : (int64_t)nch;
  *blk = (len + n - 1) / n;
  if (*blk < minblk) *blk = minblk;
  return (len + *blk - 1) / *blk;
}

/* Chunks of the blocked path, from the sizes only: K slices of *kc (equal, <= kcmax), groups of *ppc micro-panels
   of NR columns (*ncg groups) and blocks of *rpb row panels (*nrb blocks). */
NN__PRIVATE void nn__gemm_plan(int64_t M, int64_t N, int64_t K, int nr, int64_t kcmax, size_t esize, int64_t *kc,
                               int64_t *ppc, int64_t *ncg, int64_t *rpb, int64_t *nrb) {
  int64_t nsl = (K + kcmax - 1) / kcmax, npan = (N + nr - 1) / nr, nrp = (M + NN__GEMM_MR - 1) / NN__GEMM_MR;
  int64_t maxppc, want;
  *kc = (K + nsl - 1) / nsl;
  /* column groups: at most GROUP_BYTES of packed B each, and about CHUNKS of them when there are enough panels */
  maxppc = (int64_t)(NN__GEMM_GROUP_BYTES / ((size_t)nr * (size_t)*kc * esize));
  if (maxppc < 1) maxppc = 1;
  *ppc = npan / NN__GEMM_CHUNKS;
  if (*ppc < 1) *ppc = 1;
  if (*ppc > maxppc) *ppc = maxppc;
  *ncg = (npan + *ppc - 1) / *ppc;
  /* row blocks only when the columns give too few chunks, and never shorter than MIN_ROWS rows */
  want = (NN__GEMM_CHUNKS + *ncg - 1) / *ncg;
  *nrb = M / NN__GEMM_MIN_ROWS;
  if (*nrb > want) *nrb = want;
  if (*nrb < 1) *nrb = 1;
  *rpb = (nrp + *nrb - 1) / *nrb;
  *nrb = (nrp + *rpb - 1) / *rpb;
}

/* Packing-buffer slots of one product: a running chunk holds one; there are never more chunks running than
   threads, and never more slots than chunks. */
NN__PRIVATE int nn__gemm_nslots(int64_t nchunks) {
  int n = nn_get_num_threads();
#if !defined(NN_NO_THREADS)
  if (nn__in_worker) n = 1; /* a nested product runs on this thread only */
#endif
  if (n > NN__GEMM_MAX_SLOTS) n = NN__GEMM_MAX_SLOTS;
  if (n > nchunks) n = (int)nchunks;
  return n < 1 ? 1 : n;
}
NN__PRIVATE int nn__gemm_slot_take(int64_t *busy, int nslots) {
#if defined(NN_NO_THREADS)
  (void)busy;
  (void)nslots;
  return 0;
#else
  int s;
  for (;;) {
    for (s = 0; s < nslots; s++)
      if (nn__load_acq(&busy[s]) == 0) {
        if (nn__fetch_add(&busy[s], 1) == 0) return s;
        nn__fetch_add(&busy[s], -1);
      }
    nn__pause(); /* only if the thread count changed during the call */
  }
#endif
}
NN__PRIVATE void nn__gemm_slot_give(int64_t *busy, int s) {
#if defined(NN_NO_THREADS)
  (void)busy;
  (void)s;
#else
  nn__fetch_add(&busy[s], -1);
#endif
}

/* The transposing merge of the driver's C^T path (plain loops; float uses the AVX2 one on x86 when it can). */
#define NN__GEMM_TRMERGE_DEFINE(S, T)                                                                           \
  NN__PRIVATE void nn__##S##gemm_trmerge_c(const T *t, int64_t M, int64_t N, T alpha, T beta, T *C, int64_t ldc) { \
    int64_t i, j;                                                                                               \
    for (i = 0; i < M; i++)                                                                                     \
      for (j = 0; j < N; j++) {                                                                                 \
        T v = alpha * t[j * M + i];                                                                             \
        C[i * ldc + j] = beta != 0 ? beta * C[i * ldc + j] + v : v;                                             \
      }                                                                                                         \
  }
NN__GEMM_TRMERGE_DEFINE(s, float)
NN__GEMM_TRMERGE_DEFINE(d, double)
NN__PRIVATE void nn__sgemm_trmerge(int isa, const float *t, int64_t M, int64_t N, float alpha, float beta, float *C,
                                   int64_t ldc) {
#if defined(NN__X86)
  if (isa >= NN__GEMM_ISA_AVX2) {
    nn__sgemm_trmerge_x86(t, M, N, alpha, beta, C, ldc);
    return;
  }
#endif
  (void)isa;
  nn__sgemm_trmerge_c(t, M, N, alpha, beta, C, ldc);
}
NN__PRIVATE void nn__dgemm_trmerge(int isa, const double *t, int64_t M, int64_t N, double alpha, double beta,
                                   double *C, int64_t ldc) {
  (void)isa;
  nn__dgemm_trmerge_c(t, M, N, alpha, beta, C, ldc);
}

/* ---- the typed driver, instantiated for float (s) and double (d) ---- */

#define NN__GEMM_DEFINE(S, T)                                                                                  \
  typedef struct nn__##S##gemm_job {                                                                           \
    int ta, tb;                                                                                                \
    int64_t M, N, K;                                                                                           \
    T alpha, beta;                                                                                             \
    T ab[2], ab1[2]; /* {alpha, beta} for the first K slice, {alpha, 1} for the others */                      \
    const T *A, *B;                                                                                            \
    T *C;                                                                                                      \
    int64_t lda, ldb, ldc;                                                                                     \
    nn__##S##gemm_cfg cfg;                                                                                     \
    int64_t kc, ppc, ncg, rpb; /* K slice, micro-panels per column group, groups, row panels per row block */  \
    T *buf;                    /* nslots packing buffers of slot elements each */                              \
    int64_t slot;                                                                                              \
    int nslots;                                                                                                \
    int64_t busy[NN__GEMM_MAX_SLOTS];                                                                          \
    /* direct loops: chunks of rows (split_rows) or columns of C, blk each */                                  \
    int form, split_rows;                                                                                      \
    int64_t blk;                                                                                               \
  } nn__##S##gemm_job;                                                                                         \
                                                                                                               \
  /* Rows [i0, i1) x columns [j0, j1) of C for the K slice [p0, p0 + kc), ab = {alpha, beta}. The micro-panels of \
     columns below jd are read from B in place at bd (row stride ldb); the others are packed at bp, from column    \
     jd on. Edge tiles are computed into a scratch tile and merged. */                                         \
  NN__PRIVATE void nn__##S##gemm_block(const nn__##S##gemm_job *g, const T *bd, int64_t jd, const T *bp,       \
                                       int64_t i0, int64_t i1, int64_t j0, int64_t j1, int64_t p0, int64_t kc, \
                                       const T *ab) {                                                          \
    int64_t i, j, nrc = g->cfg.nr, lda = g->lda, ldc = g->ldc;                                                 \
    int64_t rsa = g->ta ? 1 : lda, csa = g->ta ? lda : 1;                                                      \
    T tile[NN__GEMM_MR * NN__GEMM_NRMAX], ab0[2];                                                              \
    ab0[0] = ab[0];                                                                                            \
    ab0[1] = 0;                                                                                                \
    for (i = i0; i < i1; i += NN__GEMM_MR) {                                                                   \
      int mr = (int)(i1 - i < NN__GEMM_MR ? i1 - i : NN__GEMM_MR);                                             \
      const T *a = g->ta ? g->A + p0 * lda + i : g->A + i * lda + p0;                                          \
      T *c = g->C + i * ldc;                                                                                   \
      /* the first tile of a row panel prefetches the next row panel of a row-major A (from L3 or memory) */    \
      int64_t pfo = !g->ta && i + 2 * NN__GEMM_MR <= i1 ? NN__GEMM_MR * lda : 0;                               \
      for (j = j0; j < j1; j += nrc) {                                                                         \
        int64_t nr = j1 - j < nrc ? j1 - j : nrc, ldbp = j < jd ? g->ldb : nrc;                                \
        int nv = (int)((nr + g->cfg.w - 1) / g->cfg.w); /* the narrowest tile that covers nr columns */        \
        nn__##S##gemm_ukr_fn ukr = g->cfg.ukr[nv - 1];                                                         \
        const T *b = j < jd ? bd + j : bp + (j - jd) * kc;                                                     \
        if (mr == NN__GEMM_MR && nr == nv * g->cfg.w) {                                                        \
          ukr(kc, a, rsa, csa, b, ldbp, c + j, ldc, mr, ab, j == j0 ? pfo : 0);                                \
        } else {                                                                                               \
          int64_t ii, jj;                                                                                      \
          T beta = ab[1];                                                                                      \
          ukr(kc, a, rsa, csa, b, ldbp, tile, nrc, mr, ab0, j == j0 ? pfo : 0);                                \
          for (ii = 0; ii < mr; ii++)                                                                          \
            for (jj = 0; jj < nr; jj++)                                                                        \
              c[ii * ldc + j + jj] =                                                                           \
                  beta == 0 ? tile[ii * nrc + jj] : tile[ii * nrc + jj] + beta * c[ii * ldc + j + jj];         \
        }                                                                                                      \
      }                                                                                                        \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
  /* One chunk: a row block times a column group, every K slice in order. op(B) is packed into this chunk's    \
     slot, except that the full-width micro-panels of an untransposed B are read in place when the block has   \
     few rows (a packed copy would be read only a few times). */                                              \
  NN__PRIVATE void nn__##S##gemm_chunk(void *vctx, int64_t c) {                                                \
    nn__##S##gemm_job *g = (nn__##S##gemm_job *)vctx;                                                          \
    int64_t cg = c % g->ncg, rb = c / g->ncg, cols = g->ppc * g->cfg.nr;                                       \
    int64_t j0 = cg * cols, j1 = j0 + cols < g->N ? j0 + cols : g->N;                                          \
    int64_t i0 = rb * g->rpb * NN__GEMM_MR, i1 = i0 + g->rpb * NN__GEMM_MR < g->M ? i0 + g->rpb * NN__GEMM_MR : g->M; \
    int64_t p0, jd = j0;                                                                                       \
    int s = nn__gemm_slot_take(g->busy, g->nslots);                                                            \
    T *bp = g->buf + s * g->slot;                                                                              \
    if (!g->tb && i1 - i0 <= NN__GEMM_BDIRECT_ROWS) jd = j0 + (j1 - j0) / g->cfg.nr * g->cfg.nr;               \
    for (p0 = 0; p0 < g->K; p0 += g->kc) {                                                                     \
      int64_t kc = g->K - p0 < g->kc ? g->K - p0 : g->kc;                                                      \
      const T *B = g->tb ? g->B + jd * g->ldb + p0 : g->B + p0 * g->ldb + jd;                                  \
      if (jd < j1) g->cfg.packb(g->tb, B, g->ldb, kc, j1 - jd, bp);                                            \
      nn__##S##gemm_block(g, g->B + p0 * g->ldb, jd, bp, i0, i1, j0, j1, p0, kc, p0 == 0 ? g->ab : g->ab1);    \
    }                                                                                                          \
    nn__gemm_slot_give(g->busy, s);                                                                            \
  }                                                                                                            \
                                                                                                               \
  /* Dot product of n elements with strides sx, sy in 8 lanes and a fixed combining order. */                  \
  NN__PRIVATE T nn__##S##gemm_dot(int64_t n, const T *x, int64_t sx, const T *y, int64_t sy) {                 \
    T s[8], t = 0;                                                                                             \
    int64_t p = 0;                                                                                             \
    int l;                                                                                                     \
    for (l = 0; l < 8; l++) s[l] = 0;                                                                          \
    if (sx == 1 && sy == 1) {                                                                                  \
      for (; p + 8 <= n; p += 8)                                                                               \
        for (l = 0; l < 8; l++) s[l] += x[p + l] * y[p + l];                                                   \
    } else {                                                                                                   \
      for (; p + 8 <= n; p += 8)                                                                               \
        for (l = 0; l < 8; l++) s[l] += x[(p + l) * sx] * y[(p + l) * sy];                                     \
    }                                                                                                          \
    for (; p < n; p++) t += x[p * sx] * y[p * sy];                                                             \
    return (((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]))) + t;                            \
  }                                                                                                            \
                                                                                                               \
  /* Writes c = alpha * v + beta * c (beta == 0: c is not read). */                                            \
  NN__PRIVATE void nn__##S##gemm_put(T *c, T v, T alpha, T beta) { *c = beta == 0 ? alpha * v : alpha * v + beta * *c; } \
                                                                                                               \
  /* Direct loops over C[i0:i1, j0:j1]. */                                                                     \
  NN__PRIVATE void nn__##S##gemm_direct_rect(const nn__##S##gemm_job *g, int64_t i0, int64_t i1, int64_t j0,   \
                                             int64_t j1) {                                                     \
    const T *A = g->A, *B = g->B;                                                                              \
    T *C = g->C;                                                                                               \
    int64_t i, j, p, K = g->K, lda = g->lda, ldb = g->ldb, ldc = g->ldc;                                       \
    T alpha = g->alpha, beta = g->beta;                                                                        \
    T acc[NN__GEMM_ROWBLK];                                                                                    \
    int l, q;                                                                                                  \
    if (g->form == NN__GEMM_DOT) {                                                                             \
      /* dot products: row i of op(A) with column j of op(B) */                                                \
      int64_t sa = g->ta ? lda : 1, sb = g->tb ? 1 : ldb;                                                      \
      for (i = i0; i < i1; i++) {                                                                              \
        const T *ai = g->ta ? A + i : A + i * lda;                                                             \
        for (j = j0; j < j1; j++) {                                                                            \
          const T *bj = g->tb ? B + j * ldb : B + j;                                                           \
          nn__##S##gemm_put(C + i * ldc + j, nn__##S##gemm_dot(K, ai, sa, bj, sb), alpha, beta);               \
        }                                                                                                      \
      }                                                                                                        \
    } else if (g->form == NN__GEMM_ROWS) {                                                                     \
      /* rows: C[i, :] accumulates op(A)(i, p) * B[p, :] */                                                    \
      for (i = i0; i < i1; i++) {                                                                              \
        for (j = j0; j < j1; j += NN__GEMM_ROWBLK) {                                                           \
          int64_t n = j1 - j < NN__GEMM_ROWBLK ? j1 - j : NN__GEMM_ROWBLK;                                     \
          int n8 = (int)n & ~7;                                                                                \
          for (l = 0; l < (int)n; l++) acc[l] = 0;                                                            \
          for (p = 0; p < K; p += 4) {                                                                         \
            /* four rows of B at a time, then the last K % 4 one by one */                                     \
            int64_t sa = g->ta ? lda : 1, np = K - p < 4 ? 1 : 4, p1 = p + np / 4, p2 = p1 + np / 4;           \
            int64_t p3 = p2 + np / 4;                                                                          \
            const T *ai = g->ta ? A + i : A + i * lda;                                                         \
            T a0 = ai[p * sa], a1 = ai[p1 * sa], a2 = ai[p2 * sa], a3 = ai[p3 * sa];                           \
            const T *b0 = B + p * ldb + j, *b1 = B + p1 * ldb + j, *b2 = B + p2 * ldb + j;                     \
            const T *b3 = B + p3 * ldb + j;                                                                    \
            if (np == 4) {                                                                                     \
              for (l = 0; l < n8; l += 8)                                                                      \
                for (q = 0; q < 8; q++)                                                                        \
                  acc[l + q] += (a0 * b0[l + q] + a1 * b1[l + q]) + (a2 * b2[l + q] + a3 * b3[l + q]);         \
              for (l = n8; l < (int)n; l++) acc[l] += (a0 * b0[l] + a1 * b1[l]) + (a2 * b2[l] + a3 * b3[l]);   \
            } else {                                                                                           \
              for (l = 0; l < n8; l += 8)                                                                      \
                for (q = 0; q < 8; q++) acc[l + q] += a0 * b0[l + q];                                          \
              for (l = n8; l < (int)n; l++) acc[l] += a0 * b0[l];                                              \
              p -= 3;                                                                                          \
            }                                                                                                  \
          }                                                                                                    \
          for (l = 0; l < (int)n; l++) nn__##S##gemm_put(C + i * ldc + j + l, acc[l], alpha, beta);            \
        }                                                                                                      \
      }                                                                                                        \
    } else {                                                                                                   \
      /* op(A) = A^T, and op(B) = B^T or one column: C[:, j] accumulates op(B)(p, j) * A[p, :] */              \
      for (j = j0; j < j1; j++) {                                                                              \
        for (i = i0; i < i1; i += NN__GEMM_ROWBLK) {                                                           \
          int64_t n = i1 - i < NN__GEMM_ROWBLK ? i1 - i : NN__GEMM_ROWBLK;                                     \
          int n8 = (int)n & ~7;                                                                                \
          for (l = 0; l < (int)n; l++) acc[l] = 0;                                                            \
          for (p = 0; p < K; p += 4) {                                                                         \
            /* four rows of A at a time, then the last K % 4 one by one */                                     \
            int64_t sb = g->tb ? 1 : ldb, np = K - p < 4 ? 1 : 4, p1 = p + np / 4, p2 = p1 + np / 4;           \
            int64_t p3 = p2 + np / 4;                                                                          \
            const T *bj = g->tb ? B + j * ldb : B + j;                                                         \
            T c0 = bj[p * sb], c1 = bj[p1 * sb], c2 = bj[p2 * sb], c3 = bj[p3 * sb];                           \
            const T *r0 = A + p * lda + i, *r1 = A + p1 * lda + i, *r2 = A + p2 * lda + i;                     \
            const T *r3 = A + p3 * lda + i;                                                                    \
            if (np == 4) {                                                                                     \
              for (l = 0; l < n8; l += 8)                                                                      \
                for (q = 0; q < 8; q++)                                                                        \
                  acc[l + q] += (c0 * r0[l + q] + c1 * r1[l + q]) + (c2 * r2[l + q] + c3 * r3[l + q]);         \
              for (l = n8; l < (int)n; l++) acc[l] += (c0 * r0[l] + c1 * r1[l]) + (c2 * r2[l] + c3 * r3[l]);   \
            } else {                                                                                           \
              for (l = 0; l < n8; l += 8)                                                                      \
                for (q = 0; q < 8; q++) acc[l + q] += c0 * r0[l + q];                                          \
              for (l = n8; l < (int)n; l++) acc[l] += c0 * r0[l];                                              \
              p -= 3;                                                                                          \
            }                                                                                                  \
          }                                                                                                    \
          for (l = 0; l < (int)n; l++) nn__##S##gemm_put(C + (i + l) * ldc + j, acc[l], alpha, beta);          \
        }                                                                                                      \
      }                                                                                                        \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
  NN__PRIVATE void nn__##S##gemm_direct_chunk(void *vctx, int64_t c) {                                         \
    const nn__##S##gemm_job *g = (const nn__##S##gemm_job *)vctx;                                              \
    int64_t lo = c * g->blk, hi;                                                                               \
    if (g->split_rows) {                                                                                       \
      hi = lo + g->blk < g->M ? lo + g->blk : g->M;                                                            \
      nn__##S##gemm_direct_rect(g, lo, hi, 0, g->N);                                                           \
    } else {                                                                                                   \
      hi = lo + g->blk < g->N ? lo + g->blk : g->N;                                                            \
      nn__##S##gemm_direct_rect(g, 0, g->M, lo, hi);                                                           \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
                                                                                                               \
                                                                                                               \
  NN__PRIVATE int nn__##S##gemm_swapped(int isa, int64_t M, int64_t N, int64_t K, T alpha, const T *A,        \
                                        int64_t lda, const T *B, int64_t ldb, T beta, T *C, int64_t ldc);      \
                                                                                                               \
  /* The GEMM with the kernels of instruction set isa. Arguments are trusted (checked by the caller). Returns 0, \
     or -1 if a buffer allocation failed. */                                                                   \
  NN__PRIVATE int nn__##S##gemm_kernel_isa(int isa, int ta, int tb, int64_t M, int64_t N, int64_t K, T alpha,  \
                                           const T *A, int64_t lda, const T *B, int64_t ldb, T beta, T *C,     \
                                           int64_t ldc) {                                                      \
    nn__##S##gemm_job g;                                                                                       \
    double work = (double)M * (double)N * (double)K;                                                           \
    int64_t nrb, nch;                                                                                          \
    int cached;                                                                                                \
    if (M <= 0 || N <= 0) return 0;                                                                            \
    if (K <= 0 || alpha == 0) {                                                                                \
      int64_t i, j;                                                                                            \
      if (beta == 1) return 0;                                                                                 \
      for (i = 0; i < M; i++)                                                                                  \
        for (j = 0; j < N; j++) C[i * ldc + j] = beta == 0 ? (T)0 : beta * C[i * ldc + j];                     \
      return 0;                                                                                                \
    }                                                                                                          \
    memset(&g, 0, sizeof g);                                                                                   \
    g.ta = ta;                                                                                                 \
    g.tb = tb;                                                                                                 \
    g.M = M;                                                                                                   \
    g.N = N;                                                                                                   \
    g.K = K;                                                                                                   \
    g.alpha = alpha;                                                                                           \
    g.beta = beta;                                                                                             \
    g.A = A;                                                                                                   \
    g.B = B;                                                                                                   \
    g.C = C;                                                                                                   \
    g.lda = lda;                                                                                               \
    g.ldb = ldb;                                                                                               \
    g.ldc = ldc;                                                                                               \
    if (work < NN__GEMM_SMALL || M == 1 || N == 1) {                                                           \
      int64_t n;                                                                                               \
      g.form = nn__gemm_direct_form(ta, tb, M, N);                                                             \
      n = nn__gemm_direct_split(g.form, M, N, K, &g.split_rows, &g.blk);                                       \
      if (n == 1) nn__##S##gemm_direct_rect(&g, 0, M, 0, N);                                                   \
      else nn__parallel_for(n, nn__##S##gemm_direct_chunk, &g);                                                \
      return 0;                                                                                                \
    }                                                                                                          \
    /* C = A B^T with few rows: packing B^T would transpose all of B for a handful of rows of A (a tenth of the \
       time of a 64-row product), so compute T = C^T = B A^T instead, which reads B in place and packs only A,    \
       then transpose T into C. Row counts that fill whole vectors only (a narrow T wastes its tile). */         \
    if (!ta && tb && M >= 32 && M <= NN__GEMM_SWAP_ROWS && M % 16 == 0 && N >= 4 * M && isa != NN__GEMM_ISA_C)  \
      return nn__##S##gemm_swapped(isa, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);                        \
    g.ab[0] = g.ab1[0] = alpha;                                                                                \
    g.ab[1] = beta;                                                                                            \
    g.ab1[1] = 1;                                                                                              \
    nn__##S##gemm_get_cfg(isa, &g.cfg);                                                                        \
    nn__gemm_plan(M, N, K, g.cfg.nr, g.cfg.kc, sizeof(T), &g.kc, &g.ppc, &g.ncg, &g.rpb, &nrb);                \
    nch = g.ncg * nrb;                                                                                         \
    g.nslots = nn__gemm_nslots(nch);                                                                           \
    g.slot = (g.kc * g.ppc * g.cfg.nr + 15) / 16 * 16; /* 64-byte aligned slots */                             \
    g.buf = (T *)nn__gemm_buf_get((size_t)(g.slot * g.nslots) * sizeof(T), &cached);                           \
    if (!g.buf) return -1;                                                                                     \
    if (nch == 1) nn__##S##gemm_chunk(&g, 0);                                                                  \
    else nn__parallel_for(nch, nn__##S##gemm_chunk, &g);                                                       \
    nn__gemm_buf_put(g.buf, cached);                                                                           \
    return 0;                                                                                                  \
  }                                                                                                            \
                                                                                                               \
  /* The C^T path: chunks of rows of T = B A^T (columns of C), each a single-threaded product into its rows of \
     the scratch T, then merged into its columns of C. One chunk per thread (each packs A again): a row of T    \
     comes out the same whichever chunk computes it, so the result does not depend on the thread count. */     \
  typedef struct nn__##S##gemm_swap_job {                                                                      \
    int isa;                                                                                                   \
    int64_t M, N, K, lda, ldb, ldc, blk;                                                                       \
    T alpha, beta;                                                                                             \
    const T *A, *B;                                                                                            \
    T *C, *t;                                                                                                  \
    int fail;                                                                                                  \
  } nn__##S##gemm_swap_job;                                                                                    \
  NN__PRIVATE void nn__##S##gemm_swap_chunk(void *vctx, int64_t c) {                                           \
    nn__##S##gemm_swap_job *j = (nn__##S##gemm_swap_job *)vctx;                                                \
    int64_t j0 = c * j->blk, j1 = j0 + j->blk < j->N ? j0 + j->blk : j->N;                                      \
    if (nn__##S##gemm_kernel_isa(j->isa, 0, 1, j1 - j0, j->M, j->K, (T)1, j->B + j0 * j->ldb, j->ldb, j->A,    \
                                 j->lda, (T)0, j->t + j0 * j->M, j->M) != 0) {                                 \
      j->fail = 1;                                                                                             \
      return;                                                                                                  \
    }                                                                                                          \
    nn__##S##gemm_trmerge(j->isa, j->t + j0 * j->M, j->M, j1 - j0, j->alpha, j->beta, j->C + j0, j->ldc);      \
  }                                                                                                            \
  NN__PRIVATE int nn__##S##gemm_swapped(int isa, int64_t M, int64_t N, int64_t K, T alpha, const T *A,        \
                                        int64_t lda, const T *B, int64_t ldb, T beta, T *C, int64_t ldc) {     \
    nn__##S##gemm_swap_job j;                                                                                  \
    int64_t nch = nn__gemm_nslots(N / 128);                                                                    \
    j.isa = isa, j.M = M, j.N = N, j.K = K, j.lda = lda, j.ldb = ldb, j.ldc = ldc;                             \
    j.alpha = alpha, j.beta = beta, j.A = A, j.B = B, j.C = C, j.fail = 0;                                     \
    j.blk = (N + nch - 1) / nch;                                                                               \
    nch = (N + j.blk - 1) / j.blk;                                                                             \
    j.t = (T *)nn__alloc((size_t)(M * N) * sizeof(T));                                                         \
    if (!j.t) return -1;                                                                                       \
    if (nch == 1) nn__##S##gemm_swap_chunk(&j, 0);                                                             \
    else nn__parallel_for(nch, nn__##S##gemm_swap_chunk, &j);                                                  \
    nn__dealloc(j.t);                                                                                          \
    return j.fail ? -1 : 0;                                                                                    \
  }                                                                                                            \
                                                                                                               \
  NN__PRIVATE int nn__##S##gemm_kernel(int ta, int tb, int64_t M, int64_t N, int64_t K, T alpha, const T *A,   \
                                       int64_t lda, const T *B, int64_t ldb, T beta, T *C, int64_t ldc) {      \
    return nn__##S##gemm_kernel_isa(nn__gemm_isa(), ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);     \
  }
                                                                                                               \
NN__GEMM_DEFINE(s, float)
NN__GEMM_DEFINE(d, double)

/* ---- integer and boolean products (nn_matmul on int dtypes) ----
   C[i, :] for rows [i0, i1) of one matrix; A, B with arbitrary element strides, C rows contiguous (row stride ldc).
   Arithmetic is done in the unsigned type of the same width, so overflow wraps like NumPy and is never undefined. */
#define NN__IGEMM_DEFINE(S, T, UT)                                                                             \
  NN__PRIVATE void nn__igemm_##S(int64_t i0, int64_t i1, int64_t N, int64_t K, const T *A, int64_t a_rs,      \
                                 int64_t a_cs, const T *B, int64_t b_rs, int64_t b_cs, T *Cv, int64_t ldc) {   \
    UT *C = (UT *)Cv;                                                                                          \
    int64_t i, j, p;                                                                                           \
    for (i = i0; i < i1; i++) {                                                                                \
      UT *c = C + i * ldc;                                                                                     \
      for (j = 0; j < N; j++) c[j] = 0;                                                                        \
      for (p = 0; p < K; p++) {                                                                                \
        UT a = (UT)A[i * a_rs + p * a_cs];                                                                     \
        const T *b = B + p * b_rs;                                                                             \
        if (b_cs == 1)                                                                                         \
          for (j = 0; j < N; j++) c[j] = (UT)(c[j] + a * (UT)b[j]);                                            \
        else                                                                                                   \
          for (j = 0; j < N; j++) c[j] = (UT)(c[j] + a * (UT)b[j * b_cs]);                                     \
      }                                                                                                        \
    }                                                                                                          \
  }
NN__IGEMM_DEFINE(i32, int32_t, uint32_t)
NN__IGEMM_DEFINE(i64, int64_t, uint64_t)
NN__IGEMM_DEFINE(u8, uint8_t, uint8_t)

/* Boolean product: C[i, j] = any_p (A[i, p] and B[p, j]). */
NN__PRIVATE void nn__igemm_b(int64_t i0, int64_t i1, int64_t N, int64_t K, const uint8_t *A, int64_t a_rs,
                             int64_t a_cs, const uint8_t *B, int64_t b_rs, int64_t b_cs, uint8_t *C, int64_t ldc) {
  int64_t i, j, p;
  for (i = i0; i < i1; i++) {
    uint8_t *c = C + i * ldc;
    for (j = 0; j < N; j++) c[j] = 0;
    for (p = 0; p < K; p++) {
      const uint8_t *b = B + p * b_rs;
      if (!A[i * a_rs + p * a_cs]) continue;
      for (j = 0; j < N; j++) c[j] = (uint8_t)(c[j] | (b[j * b_cs] != 0));
    }
  }
}
