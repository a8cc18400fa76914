/* kernels/gemm.c: matrix products, organised the BLIS/GotoBLAS way.

   C = alpha * op(A) op(B) + beta * C, row-major, op(X) = X or X^T. Loop nest of the blocked path:

     for jc over N in steps of NC:                      B panel columns
       for pc over K in steps of KC:                    K slice; beta applies to the first slice only
         pack op(B)[pc:pc+kc, jc:jc+nc] into NR-column micro-panels (kc x NR each, zero padded)
         for mb over M in steps of MBIG:                bounds the packed-A buffer
           pack op(A)[mb:mb+mbig, pc:pc+kc] into MR-row panels (MR x kc each, zero padded)
             (in parallel over A blocks; or inside the chunk below when one chunk covers a whole A block)
           parallel over (MC block of rows, group of micro-panels):
             for each micro-panel jr:  for each MR panel ir:  micro-kernel on one MR x NR tile of C

   The micro-kernel only ever sees packed data (transposes and leading dimensions are dealt with while packing),
   so a hand-written SIMD micro-kernel with the signature nn__sgemm_ukr_fn / nn__dgemm_ukr_fn drops in through
   nn__sgemm_pick_ukr / nn__dgemm_pick_ukr. Tiles at the right and bottom edges are computed into a small
   temporary tile and merged. Work is split into chunks that depend on the sizes only, and K is never split, so
   every element of C is summed in the same order for any thread count (bit-identical results).

   Tiny products (M*N*K < NN__GEMM_SMALL) and matrix-vector shapes (M == 1 or N == 1) take direct loops.
   These kernels know nothing about tensors or error messages: they return 0, or -1 when a buffer cannot be
   allocated (nothing is leaked). */

/* ---- block sizes ---- */
#define NN__SGEMM_MR 6    /* rows of the register tile (the micro-kernels below are written for 6) */
#define NN__SGEMM_NR 16   /* columns of the register tile */
#define NN__SGEMM_MC 144  /* rows of a packed A block (multiple of MR): MC x KC floats = 144 KiB, stays in L2 */
#define NN__SGEMM_KC 256  /* depth of a K slice: one KC x NR micro-panel of B = 16 KiB, stays in L1 */
#define NN__SGEMM_NC 4080 /* columns of a packed B panel (multiple of NR): KC x NC floats = 4 MiB, in L3 */
#define NN__DGEMM_MR 6
#define NN__DGEMM_NR 8
#define NN__DGEMM_MC 72
#define NN__DGEMM_KC 256
#define NN__DGEMM_NC 4080
#define NN__GEMM_MBIG_BLOCKS 16        /* MC blocks of A packed at once (bounds the packed-A buffer) */
#define NN__GEMM_SMALL (10 * 10 * 10)  /* M*N*K below this: direct loops (measured: packing wins from ~12^3 up) */
#define NN__GEMM_CHUNKS 8              /* aim for at least this many parallel chunks per packed block */
#define NN__GEMM_MIN_PANELS 4          /* ... but each chunk gets at least this many NR micro-panels */
#define NN__GEMM_PACKB_PANELS 32       /* micro-panels of B packed per parallel chunk */
#define NN__GEMM_DIRECT_GRAIN (1 << 18) /* multiply-adds per parallel chunk in the direct loops */
#define NN__GEMM_ROWBLK 1024           /* accumulator length of the direct loops */

/* ---- micro-kernels ---- */

/* c[i*ldc + j] (i < MR, j < NR) = alpha * sum_p a[p*MR + i] * b[p*NR + j] + beta * c[...]; beta == 0: c is not read.
   a is one packed MR x kc panel of op(A), b one packed kc x NR micro-panel of op(B). */
typedef void (*nn__sgemm_ukr_fn)(int64_t kc, float alpha, const float *a, const float *b, float beta, float *c,
                                 int64_t ldc);
typedef void (*nn__dgemm_ukr_fn)(int64_t kc, double alpha, const double *a, const double *b, double beta, double *c,
                                 int64_t ldc);

#define NN__MADD(x, y, z) ((x) * (y) + (z))

/* Portable body for MR = 6: six accumulator rows of NR elements with constant trip counts, which compilers keep
   in vector registers (GCC -O2 and clang vectorize the j loops). MADD is a*b+c or a fused multiply-add. */
#define NN__GEMM_UKR_BODY(T, NR, MADD)                                                              \
  T c0[NR], c1[NR], c2[NR], c3[NR], c4[NR], c5[NR];                                                 \
  int64_t p;                                                                                        \
  int j;                                                                                            \
  for (j = 0; j < NR; j++) {                                                                        \
    c0[j] = 0;                                                                                      \
    c1[j] = 0;                                                                                      \
    c2[j] = 0;                                                                                      \
    c3[j] = 0;                                                                                      \
    c4[j] = 0;                                                                                      \
    c5[j] = 0;                                                                                      \
  }                                                                                                 \
  for (p = 0; p < kc; p++) {                                                                        \
    const T *ap = a + p * 6, *bp = b + p * NR;                                                      \
    T a0 = ap[0], a1 = ap[1], a2 = ap[2], a3 = ap[3], a4 = ap[4], a5 = ap[5];                       \
    for (j = 0; j < NR; j++) {                                                                      \
      T bj = bp[j];                                                                                 \
      c0[j] = MADD(a0, bj, c0[j]);                                                                  \
      c1[j] = MADD(a1, bj, c1[j]);                                                                  \
      c2[j] = MADD(a2, bj, c2[j]);                                                                  \
      c3[j] = MADD(a3, bj, c3[j]);                                                                  \
      c4[j] = MADD(a4, bj, c4[j]);                                                                  \
      c5[j] = MADD(a5, bj, c5[j]);                                                                  \
    }                                                                                               \
  }                                                                                                 \
  if (beta == 0) {                                                                                  \
    for (j = 0; j < NR; j++) {                                                                      \
      c[j] = alpha * c0[j];                                                                         \
      c[ldc + j] = alpha * c1[j];                                                                   \
      c[2 * ldc + j] = alpha * c2[j];                                                               \
      c[3 * ldc + j] = alpha * c3[j];                                                               \
      c[4 * ldc + j] = alpha * c4[j];                                                               \
      c[5 * ldc + j] = alpha * c5[j];                                                               \
    }                                                                                               \
  } else {                                                                                          \
    for (j = 0; j < NR; j++) {                                                                      \
      c[j] = alpha * c0[j] + beta * c[j];                                                           \
      c[ldc + j] = alpha * c1[j] + beta * c[ldc + j];                                               \
      c[2 * ldc + j] = alpha * c2[j] + beta * c[2 * ldc + j];                                       \
      c[3 * ldc + j] = alpha * c3[j] + beta * c[3 * ldc + j];                                       \
      c[4 * ldc + j] = alpha * c4[j] + beta * c[4 * ldc + j];                                       \
      c[5 * ldc + j] = alpha * c5[j] + beta * c[5 * ldc + j];                                       \
    }                                                                                               \
  }

NN__PRIVATE void nn__sgemm_ukr_c(int64_t kc, float alpha, const float *a, const float *b, float beta, float *c,
                                 int64_t ldc) {
  NN__GEMM_UKR_BODY(float, NN__SGEMM_NR, NN__MADD)
}
NN__PRIVATE void nn__dgemm_ukr_c(int64_t kc, double alpha, const double *a, const double *b, double beta, double *c,
                                 int64_t ldc) {
  NN__GEMM_UKR_BODY(double, NN__DGEMM_NR, NN__MADD)
}

#if defined(NN__X86)
/* The same portable body compiled for AVX2+FMA and for AVX-512, picked at run time. */
#define NN__GEMM_T_AVX2 __attribute__((target("avx2,fma")))
#define NN__GEMM_T_AVX512 __attribute__((target("avx512f,avx2,fma")))
NN__PRIVATE NN__GEMM_T_AVX2 void nn__sgemm_ukr_avx2(int64_t kc, float alpha, const float *a, const float *b, float beta,
                                                     float *c, int64_t ldc) {
  NN__GEMM_UKR_BODY(float, NN__SGEMM_NR, fmaf)
}
NN__PRIVATE NN__GEMM_T_AVX512 void nn__sgemm_ukr_avx512(int64_t kc, float alpha, const float *a, const float *b,
                                                         float beta, float *c, int64_t ldc) {
  NN__GEMM_UKR_BODY(float, NN__SGEMM_NR, fmaf)
}
NN__PRIVATE NN__GEMM_T_AVX2 void nn__dgemm_ukr_avx2(int64_t kc, double alpha, const double *a, const double *b,
                                                     double beta, double *c, int64_t ldc) {
  NN__GEMM_UKR_BODY(double, NN__DGEMM_NR, fma)
}
NN__PRIVATE NN__GEMM_T_AVX512 void nn__dgemm_ukr_avx512(int64_t kc, double alpha, const double *a, const double *b,
                                                         double beta, double *c, int64_t ldc) {
  NN__GEMM_UKR_BODY(double, NN__DGEMM_NR, fma)
}
#endif

/* 0: portable C, 1: AVX2+FMA, 2: AVX-512F. Decided once (NN_FORCE_SCALAR in the environment forces 0). */
static volatile int nn__gemm_isa_cached = -1;
NN__PRIVATE int nn__gemm_isa(void) {
  int isa = nn__gemm_isa_cached;
  if (isa < 0) {
    isa = 0;
#if defined(NN__X86)
    if (!getenv("NN_FORCE_SCALAR")) {
      __builtin_cpu_init();
      if (__builtin_cpu_supports("avx512f")) isa = 2;
      else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) isa = 1;
    }
#endif
    nn__gemm_isa_cached = isa;
  }
  return isa;
}

NN__PRIVATE nn__sgemm_ukr_fn nn__sgemm_pick_ukr(void) {
#if defined(NN__X86)
  int isa = nn__gemm_isa();
  if (isa == 2) return nn__sgemm_ukr_avx512;
  if (isa == 1) return nn__sgemm_ukr_avx2;
#endif
  return nn__sgemm_ukr_c;
}
NN__PRIVATE nn__dgemm_ukr_fn nn__dgemm_pick_ukr(void) {
#if defined(NN__X86)
  int isa = nn__gemm_isa();
  if (isa == 2) return nn__dgemm_ukr_avx512;
  if (isa == 1) return nn__dgemm_ukr_avx2;
#endif
  return nn__dgemm_ukr_c;
}

/* Packing buffers. Consecutive GEMM calls reuse one cached buffer (allocating and freeing a few MiB per call costs
   page faults comparable to the arithmetic of a 256^3 product); a call that finds it in use by another thread
   allocates its own. The cache holds at most the largest buffer a call needed (about 10 MiB) for the life of the
   process. */
static void *nn__gemm_cache = NULL;
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

/* ---- the typed driver, instantiated for float (s) and double (d) ---- */

#define NN__GEMM_DEFINE(S, T, MR, NR, MC, KC, NC)                                                              \
  /* Packs op(A)[0:mc, 0:kc] (A points at the block's first element) into MR-row panels:                     \
     ap[r*kc + p*MR + i] = op(A)(r + i, p) for panel start r, zero past mc. */                                 \
  NN__PRIVATE void nn__##S##gemm_pack_a(int ta, const T *A, int64_t lda, int64_t mc, int64_t kc, T *ap) {      \
    int64_t r, p;                                                                                              \
    int i;                                                                                                     \
    for (r = 0; r < mc; r += MR) {                                                                             \
      int mr = (int)(mc - r < MR ? mc - r : MR);                                                               \
      T *dst = ap + r * kc;                                                                                    \
      if (!ta) {                                                                                               \
        for (i = 0; i < mr; i++) {                                                                             \
          const T *src = A + (r + i) * lda;                                                                    \
          for (p = 0; p < kc; p++) dst[p * MR + i] = src[p];                                                   \
        }                                                                                                      \
      } else {                                                                                                 \
        for (p = 0; p < kc; p++) {                                                                             \
          const T *src = A + p * lda + r;                                                                      \
          for (i = 0; i < mr; i++) dst[p * MR + i] = src[i];                                                   \
        }                                                                                                      \
      }                                                                                                        \
      if (mr < MR)                                                                                             \
        for (p = 0; p < kc; p++)                                                                               \
          for (i = mr; i < MR; i++) dst[p * MR + i] = 0;                                                       \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
  /* Packs op(B)[0:kc, q0:q1) (B points at the K slice's first element, column 0) into NR-column micro-panels: \
     bp[q*kc + p*NR + j] = op(B)(p, q + j) for micro-panel start q, zero past nc. */                           \
  NN__PRIVATE void nn__##S##gemm_pack_b(int tb, const T *B, int64_t ldb, int64_t kc, int64_t nc, int64_t q0,   \
                                        int64_t q1, T *bp) {                                                   \
    int64_t q, p;                                                                                              \
    int j;                                                                                                     \
    for (q = q0; q < q1; q += NR) {                                                                            \
      int nr = (int)(nc - q < NR ? nc - q : NR);                                                               \
      T *dst = bp + q * kc;                                                                                    \
      if (!tb) {                                                                                               \
        for (p = 0; p < kc; p++) {                                                                             \
          const T *src = B + p * ldb + q;                                                                      \
          if (nr == NR)                                                                                        \
            for (j = 0; j < NR; j++) dst[p * NR + j] = src[j];                                                 \
          else                                                                                                 \
            for (j = 0; j < NR; j++) dst[p * NR + j] = j < nr ? src[j] : 0;                                    \
        }                                                                                                      \
      } else {                                                                                                 \
        for (j = 0; j < nr; j++) {                                                                             \
          const T *src = B + (q + j) * ldb;                                                                    \
          for (p = 0; p < kc; p++) dst[p * NR + j] = src[p];                                                   \
        }                                                                                                      \
        if (nr < NR)                                                                                           \
          for (p = 0; p < kc; p++)                                                                             \
            for (j = nr; j < NR; j++) dst[p * NR + j] = 0;                                                     \
      }                                                                                                        \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
  typedef struct nn__##S##gemm_job {                                                                           \
    int ta, tb;                                                                                                \
    int64_t M, N, K;                                                                                           \
    T alpha, beta;                                                                                             \
    const T *A, *B;                                                                                            \
    T *C;                                                                                                      \
    int64_t lda, ldb, ldc;                                                                                     \
    nn__##S##gemm_ukr_fn ukr;                                                                                  \
    T *ap, *bp;                                                                                                \
    /* the current block: B panel columns [jc, jc+nc), K slice [pc, pc+kc), A rows [ic, ic+mcur) */            \
    int64_t jc, nc, pc, kc, ic, mcur, mcb; /* mcb: rows per A block, <= MC, a multiple of MR */                \
    T beta_cur;                                                                                                \
    int64_t npanels, nsplit, pps; /* NR micro-panels in the B panel; column groups per MC block; their size */ \
    /* direct loops: chunks of rows (split_rows) or columns of C, blk each */                                  \
    int form, split_rows;                                                                                      \
    int64_t blk;                                                                                               \
  } nn__##S##gemm_job;                                                                                         \
                                                                                                               \
  NN__PRIVATE void nn__##S##gemm_packb_chunk(void *vctx, int64_t c) {                                          \
    const nn__##S##gemm_job *g = (const nn__##S##gemm_job *)vctx;                                              \
    int64_t q0 = c * NN__GEMM_PACKB_PANELS * NR, q1 = q0 + NN__GEMM_PACKB_PANELS * NR;                         \
    const T *B = g->tb ? g->B + g->jc * g->ldb + g->pc : g->B + g->pc * g->ldb + g->jc;                        \
    if (q1 > g->nc) q1 = g->nc;                                                                                \
    nn__##S##gemm_pack_b(g->tb, B, g->ldb, g->kc, g->nc, q0, q1, g->bp);                                       \
  }                                                                                                            \
                                                                                                               \
  NN__PRIVATE void nn__##S##gemm_packa_chunk(void *vctx, int64_t c) {                                          \
    const nn__##S##gemm_job *g = (const nn__##S##gemm_job *)vctx;                                              \
    int64_t r0 = c * g->mcb, mc = g->mcur - r0 < g->mcb ? g->mcur - r0 : g->mcb;                               \
    int64_t i0 = g->ic + r0;                                                                                   \
    const T *A = g->ta ? g->A + g->pc * g->lda + i0 : g->A + i0 * g->lda + g->pc;                              \
    nn__##S##gemm_pack_a(g->ta, A, g->lda, mc, g->kc, g->ap + r0 * g->kc);                                     \
  }                                                                                                            \
                                                                                                               \
  /* One chunk of the macro-kernel: an MC block of rows times a group of NR micro-panels. */                   \
  NN__PRIVATE void nn__##S##gemm_compute_chunk(void *vctx, int64_t c) {                                        \
    const nn__##S##gemm_job *g = (const nn__##S##gemm_job *)vctx;                                              \
    int64_t ib = c / g->nsplit, js = c % g->nsplit;                                                            \
    int64_t r0 = ib * g->mcb, r1 = r0 + g->mcb < g->mcur ? r0 + g->mcb : g->mcur;                              \
    int64_t q0 = js * g->pps, q1 = q0 + g->pps < g->npanels ? q0 + g->pps : g->npanels;                        \
    int64_t q, r, kc = g->kc, ldc = g->ldc;                                                                    \
    T alpha = g->alpha, beta = g->beta_cur;                                                                    \
    T tile[MR * NR];                                                                                           \
    if (g->nsplit == 1) nn__##S##gemm_packa_chunk(vctx, ib); /* this chunk is the only user of its A block */  \
    for (q = q0; q < q1; q++) {                                                                                \
      int64_t j = q * NR;                                                                                      \
      int nr = (int)(g->nc - j < NR ? g->nc - j : NR);                                                         \
      const T *bq = g->bp + j * kc;                                                                            \
      for (r = r0; r < r1; r += MR) {                                                                          \
        int mr = (int)(r1 - r < MR ? r1 - r : MR);                                                             \
        const T *ar = g->ap + r * kc;                                                                          \
        T *cp = g->C + (g->ic + r) * ldc + g->jc + j;                                                          \
        if (mr == MR && nr == NR) {                                                                            \
          g->ukr(kc, alpha, ar, bq, beta, cp, ldc);                                                            \
        } else {                                                                                               \
          int i, jj;                                                                                           \
          g->ukr(kc, alpha, ar, bq, (T)0, tile, NR);                                                           \
          for (i = 0; i < mr; i++)                                                                             \
            for (jj = 0; jj < nr; jj++)                                                                        \
              cp[i * ldc + jj] = beta == 0 ? tile[i * NR + jj] : tile[i * NR + jj] + beta * cp[i * ldc + jj];  \
        }                                                                                                      \
      }                                                                                                        \
    }                                                                                                          \
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
  /* The GEMM. Arguments are trusted (checked by the caller). Returns 0, or -1 if a buffer allocation failed. */ \
  NN__PRIVATE int nn__##S##gemm_kernel(int ta, int tb, int64_t M, int64_t N, int64_t K, T alpha, const T *A,   \
                                       int64_t lda, const T *B, int64_t ldb, T beta, T *C, int64_t ldc) {      \
    nn__##S##gemm_job g;                                                                                       \
    double work = (double)M * (double)N * (double)K;                                                           \
    int64_t kcmax, ncmax, mbig, boff;                                                                          \
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
    g.ukr = nn__##S##gemm_pick_ukr();                                                                          \
    kcmax = K < KC ? K : KC;                                                                                   \
    ncmax = ((N < NC ? N : NC) + NR - 1) / NR * NR;                                                            \
    mbig = M < (int64_t)NN__GEMM_MBIG_BLOCKS * MC ? M : (int64_t)NN__GEMM_MBIG_BLOCKS * MC;                    \
    mbig = (mbig + MR - 1) / MR * MR;                                                                          \
    /* one buffer: the packed B panel, then the packed A block at a 64-byte boundary */                        \
    boff = (kcmax * ncmax + 15) / 16 * 16;                                                                     \
    g.bp = (T *)nn__gemm_buf_get((size_t)(boff + kcmax * mbig) * sizeof(T), &cached);                          \
    if (!g.bp) return -1;                                                                                      \
    g.ap = g.bp + boff;                                                                                        \
    for (g.jc = 0; g.jc < N; g.jc += NC) {                                                                     \
      g.nc = N - g.jc < NC ? N - g.jc : NC;                                                                    \
      g.npanels = (g.nc + NR - 1) / NR;                                                                        \
      for (g.pc = 0; g.pc < K; g.pc += KC) {                                                                   \
        int64_t npack = (g.npanels + NN__GEMM_PACKB_PANELS - 1) / NN__GEMM_PACKB_PANELS;                       \
        g.kc = K - g.pc < KC ? K - g.pc : KC;                                                                  \
        g.beta_cur = g.pc == 0 ? beta : (T)1;                                                                  \
        if (M >= (int64_t)NN__GEMM_CHUNKS * MC) { /* packing B is a small part of the work: skip a fork-join */  \
          int64_t c;                                                                                           \
          for (c = 0; c < npack; c++) nn__##S##gemm_packb_chunk(&g, c);                                        \
        } else {                                                                                               \
          nn__parallel_for(npack, nn__##S##gemm_packb_chunk, &g);                                              \
        }                                                                                                      \
        for (g.ic = 0; g.ic < M; g.ic += mbig) {                                                               \
          int64_t nmb;                                                                                         \
          g.mcur = M - g.ic < mbig ? M - g.ic : mbig;                                                          \
          nmb = (g.mcur + MC - 1) / MC;                                                                        \
          g.mcb = ((g.mcur + nmb - 1) / nmb + MR - 1) / MR * MR; /* equal blocks balance the threads */        \
          nmb = (g.mcur + g.mcb - 1) / g.mcb;                                                                  \
          g.nsplit = 1;                                                                                        \
          if (nmb < NN__GEMM_CHUNKS) {                                                                         \
            g.nsplit = (NN__GEMM_CHUNKS + nmb - 1) / nmb;                                                      \
            if (g.nsplit > g.npanels / NN__GEMM_MIN_PANELS) g.nsplit = g.npanels / NN__GEMM_MIN_PANELS;        \
            if (g.nsplit < 1) g.nsplit = 1;                                                                    \
          }                                                                                                    \
          g.pps = (g.npanels + g.nsplit - 1) / g.nsplit;                                                       \
          g.nsplit = (g.npanels + g.pps - 1) / g.pps;                                                          \
          /* A blocks shared by several chunks are packed first; otherwise each chunk packs its own */         \
          if (g.nsplit > 1) nn__parallel_for(nmb, nn__##S##gemm_packa_chunk, &g);                              \
          nn__parallel_for(nmb * g.nsplit, nn__##S##gemm_compute_chunk, &g);                                   \
        }                                                                                                      \
      }                                                                                                        \
    }                                                                                                          \
    nn__gemm_buf_put(g.bp, cached);                                                                            \
    return 0;                                                                                                  \
  }

NN__GEMM_DEFINE(s, float, NN__SGEMM_MR, NN__SGEMM_NR, NN__SGEMM_MC, NN__SGEMM_KC, NN__SGEMM_NC)
NN__GEMM_DEFINE(d, double, NN__DGEMM_MR, NN__DGEMM_NR, NN__DGEMM_MC, NN__DGEMM_KC, NN__DGEMM_NC)

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
