/* kernels/simd.c: the vector kernels behind nn__vec (kernels/vec_table.c), chosen for this CPU at run time.

   Every kernel is written once, in kernels/simd_f32.inc and kernels/simd_f64.inc, against a small set of macros
   (vector types, loads/stores, arithmetic, compares, masks). This file defines those macros once per instruction set
   and includes the templates after each definition:
     gen     128-bit GCC vector extensions: SSE2 on x86-64, NEON on arm64 (always available, no flags)
     avx2    AVX2 + FMA, 256-bit, through __attribute__((target)) so a plain `cc -O2` build still gets it
     avx512  AVX-512 F/DQ/BW/VL, 512-bit with mask registers
   nn__simd_install picks the widest one the CPU and the OS (CPUID + XGETBV) support.

   What is covered: float32 add/sub/mul/div/maximum/minimum and the six comparisons (vector-vector, vector-scalar,
   scalar-vector), pow with a scalar exponent 2, 0.5, 1, -1; neg, abs, sign, square, relu, sqrt, rsqrt, reciprocal,
   round/floor/ceil/trunc (AVX2 and up), exp, expm1, log, tanh, sigmoid; a + alpha*b, alpha*x + beta, acc += x, sum,
   NaN-propagating max/min, softmax and log_softmax of a row, the backward of relu/tanh/sigmoid/exp from their
   output, one Adam step over a parameter array. float64: the same arithmetic, neg, abs, square, sqrt,
   reciprocal, relu, exp, log, tanh, sigmoid, sum.

   Rules the kernels keep: an element's result never depends on where it sits in the array (tails run through the
   same vector code on a partial vector), so any split into chunks gives identical results; arithmetic, sqrt,
   maximum/minimum, comparisons, neg, abs, rounding ... are bit-identical to the scalar rows; the math functions
   are within a few ulp of the exact result (float32 over every input: exp 0.99, log 0.83, expm1 1.5, tanh and
   sigmoid 2.5 ulp; float64: exp and log 1, tanh and sigmoid 2.5 ulp; tests/test_simd.c measures it) with the same
   special values (inf, NaN, -0, denormals) as the C library. Large outputs are written with non-temporal stores. */

#if NN__SIMD

#if NN__ARM64
#include <arm_neon.h>
#endif

/* Non-temporal (streaming) stores skip the read-for-ownership of the destination and write around the caches: about
   1.2-2x the write bandwidth for arrays far beyond the last-level cache, but the next op then finds the output in
   DRAM instead of L2/L3 (2-3x slower to consume for outputs of 64K-1M floats). Kernels see only their chunk of at
   most 65536 elements (NN__GRAIN in core/iter.c), so by default a call of at least nn__simd_nt_min elements streams.
   When the iterator publishes the size of the whole operation as NN__ITER_SIZE_HINT (an lvalue holding the element
   count, set before the chunks run), outputs stream only when that total reaches nn__simd_nt_total elements
   (sized from the last-level cache at install time), from calls of at least nn__simd_nt_min elements. */
#if defined(NN__ITER_SIZE_HINT)
static int64_t nn__simd_nt_min = 1024;
#else
static int64_t nn__simd_nt_min = 32768;
#endif
NN__PRIVATE int64_t nn__simd_nt_total = (int64_t)8 << 20;
#if defined(NN__ITER_SIZE_HINT)
#define NN__NT_WANTED(n) ((n) >= nn__simd_nt_min && (int64_t)(NN__ITER_SIZE_HINT) >= nn__simd_nt_total)
#else
#define NN__NT_WANTED(n) ((n) >= nn__simd_nt_min)
#endif

#define NN__KCAT2(a, b) nn__s_##a##_##b
#define NN__KCAT(a, b) NN__KCAT2(a, b)
/* NN__K(name): the name of a template function for the instruction set being instantiated. */
#define NN__K(name) NN__KCAT(name, NN__ISA)

#if defined(__clang__) || defined(__GNUC__)
#define NN__ALWAYS_INLINE static inline __attribute__((always_inline, unused))
#else
#define NN__ALWAYS_INLINE static inline
#endif

/* ---- loop skeletons shared by every instruction set (expanded inside the template functions) ----
   NN__F32_MAP(o, n, NT, OP): o[nn_i .. nn_i + nn_m) = OP for consecutive pieces of nn_m <= W elements (nn_m < W
   only for the tail and, when streaming, for the head up to the first aligned address). OP is an expression that
   loads its inputs with NN__K(ldm)(p + nn_i, nn_m) (a full or partial vector, zero-filled). When NT is nonzero and
   NN__NT_WANTED(n), full vectors are written with non-temporal stores. NN__F32_MAP has separate loops for full
   vectors (fastest, for cheap ops); NN__F32_MAP1 expands OP once (for the long math functions, to keep the
   library quick to compile). */
#define NN__F32_MAP(o, n, NT, OP)                                                                        \
  do {                                                                                                   \
    int64_t nn_i = 0, nn_m;                                                                              \
    NN__VF nn_v;                                                                                         \
    if (NN__HAS_NT && (NT) && NN__NT_WANTED(n) && ((uintptr_t)(o) & 3) == 0) {                           \
      nn_m = (int64_t)(((NN__VBYTES - ((uintptr_t)(o) & (NN__VBYTES - 1))) & (NN__VBYTES - 1)) / 4);    \
      if (nn_m) {                                                                                        \
        nn_v = (OP);                                                                                     \
        VSTOREN((o), nn_v, nn_m);                                                                        \
        nn_i = nn_m;                                                                                     \
      }                                                                                                  \
      for (nn_m = NN__W; nn_i + NN__W <= (n); nn_i += NN__W) {                                           \
        nn_v = (OP);                                                                                     \
        VSTREAM((o) + nn_i, nn_v);                                                                       \
      }                                                                                                  \
      VSFENCE();                                                                                         \
    } else {                                                                                             \
      for (nn_m = NN__W; nn_i + NN__W <= (n); nn_i += NN__W) {                                           \
        nn_v = (OP);                                                                                     \
        VSTORE((o) + nn_i, nn_v);                                                                        \
      }                                                                                                  \
    }                                                                                                    \
    if (nn_i < (n)) {                                                                                    \
      nn_m = (n) - nn_i;                                                                                 \
      nn_v = (OP);                                                                                       \
      VSTOREN((o) + nn_i, nn_v, nn_m);                                                                   \
    }                                                                                                    \
  } while (0)
#define NN__F64_MAP(o, n, NT, OP)                                                                        \
  do {                                                                                                   \
    int64_t nn_i = 0, nn_m;                                                                              \
    NN__VD nn_v;                                                                                         \
    if (NN__HAS_NT && (NT) && NN__NT_WANTED(n) && ((uintptr_t)(o) & 7) == 0) {                           \
      nn_m = (int64_t)(((NN__VBYTES - ((uintptr_t)(o) & (NN__VBYTES - 1))) & (NN__VBYTES - 1)) / 8);    \
      if (nn_m) {                                                                                        \
        nn_v = (OP);                                                                                     \
        VDSTOREN((o), nn_v, nn_m);                                                                       \
        nn_i = nn_m;                                                                                     \
      }                                                                                                  \
      for (nn_m = NN__WD; nn_i + NN__WD <= (n); nn_i += NN__WD) {                                        \
        nn_v = (OP);                                                                                     \
        VDSTREAM((o) + nn_i, nn_v);                                                                      \
      }                                                                                                  \
      VSFENCE();                                                                                         \
    } else {                                                                                             \
      for (nn_m = NN__WD; nn_i + NN__WD <= (n); nn_i += NN__WD) {                                        \
        nn_v = (OP);                                                                                     \
        VDSTORE((o) + nn_i, nn_v);                                                                       \
      }                                                                                                  \
    }                                                                                                    \
    if (nn_i < (n)) {                                                                                    \
      nn_m = (n) - nn_i;                                                                                 \
      nn_v = (OP);                                                                                       \
      VDSTOREN((o) + nn_i, nn_v, nn_m);                                                                  \
    }                                                                                                    \
  } while (0)

#define NN__F32_MAP1(o, n, NT, OP)                                                                        \
  do {                                                                                                   \
    int64_t nn_i = 0, nn_m = NN__W;                                                                      \
    int nn_nt = NN__HAS_NT && (NT) && NN__NT_WANTED(n) && ((uintptr_t)(o) & 3) == 0;                     \
    if (nn_nt) {                                                                                         \
      nn_m = (int64_t)(((NN__VBYTES - ((uintptr_t)(o) & (NN__VBYTES - 1))) & (NN__VBYTES - 1)) / 4);    \
      if (nn_m == 0) nn_m = NN__W;                                                                       \
    }                                                                                                    \
    while (nn_i < (n)) {                                                                                 \
      NN__VF nn_v;                                                                                       \
      if (nn_m > (n) - nn_i) nn_m = (n) - nn_i;                                                          \
      nn_v = (OP);                                                                                       \
      NN__K(stm)((o) + nn_i, nn_v, nn_m, nn_nt);                                                         \
      nn_i += nn_m;                                                                                      \
      nn_m = NN__W;                                                                                      \
    }                                                                                                    \
    if (nn_nt) VSFENCE();                                                                                \
  } while (0)

/* The single-copy form for float64 vectors (loads with NN__K(ldmd)). */
#define NN__F64_MAP1(o, n, NT, OP)                                                                        \
  do {                                                                                                   \
    int64_t nn_i = 0, nn_m = NN__WD;                                                                     \
    int nn_nt = NN__HAS_NT && (NT) && NN__NT_WANTED(n) && ((uintptr_t)(o) & 7) == 0;                     \
    if (nn_nt) {                                                                                         \
      nn_m = (int64_t)(((NN__VBYTES - ((uintptr_t)(o) & (NN__VBYTES - 1))) & (NN__VBYTES - 1)) / 8);    \
      if (nn_m == 0) nn_m = NN__WD;                                                                      \
    }                                                                                                    \
    while (nn_i < (n)) {                                                                                 \
      NN__VD nn_v;                                                                                       \
      if (nn_m > (n) - nn_i) nn_m = (n) - nn_i;                                                          \
      nn_v = (OP);                                                                                       \
      NN__K(stmd)((o) + nn_i, nn_v, nn_m, nn_nt);                                                        \
      nn_i += nn_m;                                                                                      \
      nn_m = NN__WD;                                                                                     \
    }                                                                                                    \
    if (nn_nt) VSFENCE();                                                                                \
  } while (0)

/* Binary kernels o = FN(a, b) for the three layouts (both contiguous; b one element; a one element): one body
   (not inlined, so its vector code exists once) and three entry points. */
#define NN__F32_BIN(NAME, FN)                                                                             \
  NN__PRIVATE NN__TGT __attribute__((noinline)) void NN__K(NAME##_any)(int64_t n, float *o, const float *a, \
                                                                       const float *b, int mode) {        \
    const NN__VF sa = VSET1(a[0]), sb = VSET1(b[0]);                                                      \
    const int va = mode != NN__SV, vb = mode != NN__VS;                                                   \
    NN__F32_MAP(o, n, 1, FN(va ? NN__K(ldm)(a + nn_i, nn_m) : sa, vb ? NN__K(ldm)(b + nn_i, nn_m) : sb)); \
  }                                                                                                       \
  NN__F32_ENTRY(NAME, vv, float, NN__VV)                                                                  \
  NN__F32_ENTRY(NAME, vs, float, NN__VS)                                                                  \
  NN__F32_ENTRY(NAME, sv, float, NN__SV)
#define NN__F32_ENTRY(NAME, SFX, OT, MODE)                                                                \
  NN__PRIVATE NN__TGT void NN__K(NAME##_##SFX)(int64_t n, void *po, const void *pa, const void *pb) {      \
    if (n > 0) NN__K(NAME##_any)(n, (OT *)po, (const float *)pa, (const float *)pb, MODE);                \
  }

#define NN__F64_BIN(NAME, FN)                                                                             \
  NN__PRIVATE NN__TGT __attribute__((noinline)) void NN__K(NAME##_any)(int64_t n, double *o, const double *a, \
                                                                       const double *b, int mode) {       \
    const NN__VD sa = VDSET1(a[0]), sb = VDSET1(b[0]);                                                    \
    const int va = mode != NN__SV, vb = mode != NN__VS;                                                   \
    NN__F64_MAP1(o, n, 1, FN(va ? NN__K(ldmd)(a + nn_i, nn_m) : sa, vb ? NN__K(ldmd)(b + nn_i, nn_m) : sb)); \
  }                                                                                                       \
  NN__F64_ENTRY(NAME, vv, NN__VV)                                                                         \
  NN__F64_ENTRY(NAME, vs, NN__VS)                                                                         \
  NN__F64_ENTRY(NAME, sv, NN__SV)
#define NN__F64_ENTRY(NAME, SFX, MODE)                                                                    \
  NN__PRIVATE NN__TGT void NN__K(NAME##_##SFX)(int64_t n, void *po, const void *pa, const void *pb) {      \
    if (n > 0) NN__K(NAME##_any)(n, (double *)po, (const double *)pa, (const double *)pb, MODE);          \
  }

/* Unary kernels o = FN(x); MAPK is NN__F32_MAP for cheap FN, NN__F32_MAP1 for long ones. */
#define NN__F32_UN(NAME, FN, MAPK)                                                            \
  NN__PRIVATE NN__TGT void NN__K(NAME)(int64_t n, void *po, const void *px) {                 \
    float *o = (float *)po;                                                                   \
    const float *x = (const float *)px;                                                       \
    MAPK(o, n, 1, FN(NN__K(ldm)(x + nn_i, nn_m)));                                            \
  }
/* Unary kernels of one family: one body NAME(n, o, x, k) (not inlined, so its vector code exists once) computing
   FN(x, k & 15), never streamed when k has NN__NOSTREAM; entry points NAME2 = body with a fixed k. */
#define NN__NOSTREAM 16
#define NN__F32_UNK(NAME, FN)                                                                                 \
  NN__PRIVATE NN__TGT __attribute__((noinline)) void NN__K(NAME)(int64_t n, float *o, const float *x, int k) { \
    NN__F32_MAP1(o, n, !(k & NN__NOSTREAM), FN(NN__K(ldm)(x + nn_i, nn_m), k & 15));                            \
  }
#define NN__F32_UNE(NAME, BODY, K)                                                         \
  NN__PRIVATE NN__TGT void NN__K(NAME)(int64_t n, void *po, const void *px) {              \
    if (n > 0) NN__K(BODY)(n, (float *)po, (const float *)px, K);                          \
  }
#define NN__F64_UN(NAME, FN, MAPK)                                                            \
  NN__PRIVATE NN__TGT void NN__K(NAME)(int64_t n, void *po, const void *px) {                 \
    double *o = (double *)po;                                                                 \
    const double *x = (const double *)px;                                                     \
    MAPK(o, n, 1, FN(NN__K(ldmd)(x + nn_i, nn_m)));                                           \
  }

#if NN__SIMD_BASE
/* ================================================================================================================ */
/* gen: 128-bit GCC/clang vector extensions (SSE2 on x86-64, NEON on arm64)                                          */
/* ================================================================================================================ */

typedef float nn__g4f __attribute__((vector_size(16)));
typedef int32_t nn__g4i __attribute__((vector_size(16)));
typedef uint32_t nn__g4u __attribute__((vector_size(16)));
typedef double nn__g2d __attribute__((vector_size(16)));
typedef int64_t nn__g2l __attribute__((vector_size(16)));
typedef uint64_t nn__g2u __attribute__((vector_size(16)));

NN__ALWAYS_INLINE nn__g4f nn__g4f_load(const float *p) {
  nn__g4f v;
  memcpy(&v, p, sizeof v);
  return v;
}
NN__ALWAYS_INLINE void nn__g4f_store(float *p, nn__g4f v) { memcpy(p, &v, sizeof v); }
NN__ALWAYS_INLINE nn__g4f nn__g4f_set1(float s) {
  nn__g4f v = {s, s, s, s};
  return v;
}
NN__ALWAYS_INLINE nn__g4i nn__g4i_set1(int32_t s) {
  nn__g4i v = {s, s, s, s};
  return v;
}
NN__ALWAYS_INLINE nn__g4f nn__g4f_loadn(const float *p, int64_t n, nn__g4f fill) {
  float b[4];
  memcpy(b, &fill, sizeof b);
  memcpy(b, p, (size_t)n * sizeof(float));
  return nn__g4f_load(b);
}
NN__ALWAYS_INLINE void nn__g4f_storen(float *p, nn__g4f v, int64_t n) {
  float b[4];
  nn__g4f_store(b, v);
  memcpy(p, b, (size_t)n * sizeof(float));
}
NN__ALWAYS_INLINE nn__g4f nn__g4f_sel(nn__g4i m, nn__g4f a, nn__g4f b) {
  return (nn__g4f)(((nn__g4i)a & m) | ((nn__g4i)b & ~m));
}
NN__ALWAYS_INLINE int nn__g4i_any(nn__g4i m) { return (m[0] | m[1] | m[2] | m[3]) != 0; }
NN__ALWAYS_INLINE int nn__g4i_all(nn__g4i m) { return (m[0] & m[1] & m[2] & m[3]) != 0; }
NN__ALWAYS_INLINE nn__g4f nn__g4f_sqrt(nn__g4f a) {
#if NN__X86
  return (nn__g4f)_mm_sqrt_ps((__m128)a);
#else
  return (nn__g4f)vsqrtq_f32((float32x4_t)a);
#endif
}
NN__ALWAYS_INLINE nn__g4f nn__g4f_cvt(nn__g4i a) {
#if NN__X86
  return (nn__g4f)_mm_cvtepi32_ps((__m128i)a);
#else
  return (nn__g4f)vcvtq_f32_s32((int32x4_t)a);
#endif
}
NN__ALWAYS_INLINE float nn__g4f_hsum(nn__g4f v) { return (v[0] + v[2]) + (v[1] + v[3]); }
/* Stores the first n (<= 4) lanes of a compare mask as bytes 0/1. */
NN__ALWAYS_INLINE void nn__g4i_storeb(uint8_t *p, nn__g4i m, int64_t n) {
  int64_t k;
  for (k = 0; k < n; k++) p[k] = (uint8_t)(m[k] & 1);
}

NN__ALWAYS_INLINE nn__g2d nn__g2d_load(const double *p) {
  nn__g2d v;
  memcpy(&v, p, sizeof v);
  return v;
}
NN__ALWAYS_INLINE void nn__g2d_store(double *p, nn__g2d v) { memcpy(p, &v, sizeof v); }
NN__ALWAYS_INLINE nn__g2d nn__g2d_set1(double s) {
  nn__g2d v = {s, s};
  return v;
}
NN__ALWAYS_INLINE nn__g2l nn__g2l_set1(int64_t s) {
  nn__g2l v = {s, s};
  return v;
}
NN__ALWAYS_INLINE nn__g2d nn__g2d_loadn(const double *p, int64_t n, nn__g2d fill) {
  double b[2];
  memcpy(b, &fill, sizeof b);
  memcpy(b, p, (size_t)n * sizeof(double));
  return nn__g2d_load(b);
}
NN__ALWAYS_INLINE void nn__g2d_storen(double *p, nn__g2d v, int64_t n) {
  double b[2];
  nn__g2d_store(b, v);
  memcpy(p, b, (size_t)n * sizeof(double));
}
NN__ALWAYS_INLINE nn__g2d nn__g2d_sel(nn__g2l m, nn__g2d a, nn__g2d b) {
  return (nn__g2d)(((nn__g2l)a & m) | ((nn__g2l)b & ~m));
}
NN__ALWAYS_INLINE nn__g2d nn__g2d_sqrt(nn__g2d a) {
#if NN__X86
  return (nn__g2d)_mm_sqrt_pd((__m128d)a);
#else
  return (nn__g2d)vsqrtq_f64((float64x2_t)a);
#endif
}

#define NN__ISA gen
#define NN__TGT
#define NN__W 4
#define NN__VBYTES 16
#define NN__HAS_NT 0
#define NN__HAS_ROUND 0
#define NN__HAS_FMA 0 /* VFMA is a*b+c: two roundings where the compiler does not contract it */
#define NN__VF nn__g4f
#define NN__VI nn__g4i
#define NN__VM nn__g4i
#define VLOAD(p) nn__g4f_load(p)
#define VSTORE(p, v) nn__g4f_store((p), (v))
#define VSTREAM(p, v) nn__g4f_store((p), (v))
#define VSFENCE() ((void)0)
#define VLOADN(p, n, fill) nn__g4f_loadn((p), (n), (fill))
#define VSTOREN(p, v, n) nn__g4f_storen((p), (v), (n))
#define VSET1(s) nn__g4f_set1(s)
#define VZERO() nn__g4f_set1(0.0f)
#define VADD(a, b) ((a) + (b))
#define VSUB(a, b) ((a) - (b))
#define VMUL(a, b) ((a) * (b))
#define VDIV(a, b) ((a) / (b))
#define VFMA(a, b, c) ((a) * (b) + (c))
#define VFNMA(a, b, c) ((c) - (a) * (b))
#define VMAXX(a, b) nn__g4f_sel((nn__g4i)((a) > (b)), (a), (b))
#define VMINX(a, b) nn__g4f_sel((nn__g4i)((a) < (b)), (a), (b))
#define VSQRT(a) nn__g4f_sqrt(a)
#define VAND(a, b) ((nn__g4f)((nn__g4i)(a) & (nn__g4i)(b)))
#define VOR(a, b) ((nn__g4f)((nn__g4i)(a) | (nn__g4i)(b)))
#define VXOR(a, b) ((nn__g4f)((nn__g4i)(a) ^ (nn__g4i)(b)))
#define VANDNOT(a, b) ((nn__g4f)(~(nn__g4i)(a) & (nn__g4i)(b)))
#define VLT(a, b) ((nn__g4i)((a) < (b)))
#define VLE(a, b) ((nn__g4i)((a) <= (b)))
#define VGT(a, b) ((nn__g4i)((a) > (b)))
#define VGE(a, b) ((nn__g4i)((a) >= (b)))
#define VEQ(a, b) ((nn__g4i)((a) == (b)))
#define VNEQ(a, b) ((nn__g4i)((a) != (b)))
#define VUNORD(a, b) ((nn__g4i)((a) != (a)) | (nn__g4i)((b) != (b)))
#define VSEL(m, a, b) nn__g4f_sel((m), (a), (b))
#define MAND(a, b) ((a) & (b))
#define MOR(a, b) ((a) | (b))
#define MNOT(a) (~(a))
#define MZERO() nn__g4i_set1(0)
#define MANY(m) nn__g4i_any(m)
#define MALL(m) nn__g4i_all(m)
#define VI_F(v) ((nn__g4i)(v))
#define VF_I(v) ((nn__g4f)(v))
#define VIADD(a, b) ((a) + (b))
#define VISUB(a, b) ((a) - (b))
#define VISLL(a, k) ((a) << (k))
#define VISRA(a, k) ((a) >> (k))
#define VISRL(a, k) ((nn__g4i)((nn__g4u)(a) >> (k)))
#define VISET1(s) nn__g4i_set1(s)
#define VIAND(a, b) ((a) & (b))
#define VIOR(a, b) ((a) | (b))
#define VCVTI(a) nn__g4f_cvt(a)
#define VHSUM(v) nn__g4f_hsum(v)
#define VSTOREB(p, m, n) nn__g4i_storeb((p), (m), (n))
/* float64 */
#define NN__WD 2
#define NN__VD nn__g2d
#define NN__VDM nn__g2l
#define VDLOAD(p) nn__g2d_load(p)
#define VDSTORE(p, v) nn__g2d_store((p), (v))
#define VDSTREAM(p, v) nn__g2d_store((p), (v))
#define VDLOADN(p, n, fill) nn__g2d_loadn((p), (n), (fill))
#define VDSTOREN(p, v, n) nn__g2d_storen((p), (v), (n))
#define VDSET1(s) nn__g2d_set1(s)
#define VDADD(a, b) ((a) + (b))
#define VDSUB(a, b) ((a) - (b))
#define VDMUL(a, b) ((a) * (b))
#define VDDIV(a, b) ((a) / (b))
#define VDFMA(a, b, c) ((a) * (b) + (c))
#define VDSQRT(a) nn__g2d_sqrt(a)
#define VDAND(a, b) ((nn__g2d)((nn__g2l)(a) & (nn__g2l)(b)))
#define VDXOR(a, b) ((nn__g2d)((nn__g2l)(a) ^ (nn__g2l)(b)))
#define VDANDNOT(a, b) ((nn__g2d)(~(nn__g2l)(a) & (nn__g2l)(b)))
#define VDGT(a, b) ((nn__g2l)((a) > (b)))
#define VDLT(a, b) ((nn__g2l)((a) < (b)))
#define VDEQ(a, b) ((nn__g2l)((a) == (b)))
#define VDUNORD(a, b) ((nn__g2l)((a) != (a)) | (nn__g2l)((b) != (b)))
#define VDSEL(m, a, b) nn__g2d_sel((m), (a), (b))
#define VDMAXX(a, b) nn__g2d_sel((nn__g2l)((a) > (b)), (a), (b))
#define VDMINX(a, b) nn__g2d_sel((nn__g2l)((a) < (b)), (a), (b))
#define MDOR(a, b) ((a) | (b))
#define VDHSUM(v) ((v)[0] + (v)[1])
#define NN__VDI nn__g2l
#define VDI_D(v) ((nn__g2l)(v))
#define VD_DI(v) ((nn__g2d)(v))
#define VDIADD(a, b) ((a) + (b))
#define VDISUB(a, b) ((a) - (b))
#define VDISLL(a, k) ((a) << (k))
#define VDISRL(a, k) ((nn__g2l)((nn__g2u)(a) >> (k)))
#define VDIAND(a, b) ((a) & (b))
#define VDIOR(a, b) ((a) | (b))
#define VDISET1(s) nn__g2l_set1(s)
#define VDFNMA(a, b, c) ((c) - (a) * (b))
#define VDGE(a, b) ((nn__g2l)((a) >= (b)))
#define VDLE(a, b) ((nn__g2l)((a) <= (b)))
#define MDAND(a, b) ((a) & (b))
#define MDALL(m) (((m)[0] & (m)[1]) != 0)
#include "simd_f32.inc"
#include "simd_f64.inc"
#include "simd_undef.inc"

#endif /* NN__SIMD_BASE */

#if NN__X86
/* ================================================================================================================ */
/* avx2: AVX2 + FMA, 256-bit                                                                                         */
/* ================================================================================================================ */

#define NN__TGT2 __attribute__((target("avx2,fma")))

NN__TGT2 NN__ALWAYS_INLINE __m256i nn__avx2_tailmask(int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
NN__TGT2 NN__ALWAYS_INLINE __m256 nn__avx2_loadn(const float *p, int64_t n, __m256 fill) {
  __m256i m = nn__avx2_tailmask(n);
  return _mm256_blendv_ps(fill, _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
}
NN__TGT2 NN__ALWAYS_INLINE void nn__avx2_storen(float *p, __m256 v, int64_t n) {
  _mm256_maskstore_ps(p, nn__avx2_tailmask(n), v);
}
NN__TGT2 NN__ALWAYS_INLINE __m256i nn__avx2_tailmask_d(int64_t n) {
  return _mm256_cmpgt_epi64(_mm256_set1_epi64x((long long)n), _mm256_setr_epi64x(0, 1, 2, 3));
}
NN__TGT2 NN__ALWAYS_INLINE __m256d nn__avx2_loadn_d(const double *p, int64_t n, __m256d fill) {
  __m256i m = nn__avx2_tailmask_d(n);
  return _mm256_blendv_pd(fill, _mm256_maskload_pd(p, m), _mm256_castsi256_pd(m));
}
NN__TGT2 NN__ALWAYS_INLINE void nn__avx2_storen_d(double *p, __m256d v, int64_t n) {
  _mm256_maskstore_pd(p, nn__avx2_tailmask_d(n), v);
}
NN__TGT2 NN__ALWAYS_INLINE void nn__avx2_storeb(uint8_t *p, __m256 m, int64_t n) {
  __m256i mi = _mm256_castps_si256(m);
  __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(mi), _mm256_extracti128_si256(mi, 1));
  __m128i b = _mm_and_si128(_mm_packs_epi16(w, w), _mm_set1_epi8(1));
  if (n == 8) {
    _mm_storel_epi64((__m128i *)(void *)p, b);
  } else {
    uint8_t t[16];
    _mm_storeu_si128((__m128i *)(void *)t, b);
    memcpy(p, t, (size_t)n);
  }
}
NN__TGT2 NN__ALWAYS_INLINE float nn__avx2_hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}
NN__TGT2 NN__ALWAYS_INLINE double nn__avx2_hsum_d(__m256d v) {
  __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  s = _mm_add_sd(s, _mm_unpackhi_pd(s, s));
  return _mm_cvtsd_f64(s);
}

#define NN__ISA avx2
#define NN__TGT NN__TGT2
#define NN__W 8
#define NN__VBYTES 32
#define NN__HAS_NT 1
#define NN__HAS_ROUND 1
#define NN__HAS_FMA 1
#define NN__VF __m256
#define NN__VI __m256i
#define NN__VM __m256
#define VLOAD(p) _mm256_loadu_ps(p)
#define VSTORE(p, v) _mm256_storeu_ps((p), (v))
#define VSTREAM(p, v) _mm256_stream_ps((p), (v))
#define VSFENCE() _mm_sfence()
#define VLOADN(p, n, fill) nn__avx2_loadn((p), (n), (fill))
#define VSTOREN(p, v, n) nn__avx2_storen((p), (v), (n))
#define VSET1(s) _mm256_set1_ps(s)
#define VZERO() _mm256_setzero_ps()
#define VADD(a, b) _mm256_add_ps((a), (b))
#define VSUB(a, b) _mm256_sub_ps((a), (b))
#define VMUL(a, b) _mm256_mul_ps((a), (b))
#define VDIV(a, b) _mm256_div_ps((a), (b))
#define VFMA(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define VFNMA(a, b, c) _mm256_fnmadd_ps((a), (b), (c))
#define VMAXX(a, b) _mm256_max_ps((a), (b))
#define VMINX(a, b) _mm256_min_ps((a), (b))
#define VSQRT(a) _mm256_sqrt_ps(a)
#define VAND(a, b) _mm256_and_ps((a), (b))
#define VOR(a, b) _mm256_or_ps((a), (b))
#define VXOR(a, b) _mm256_xor_ps((a), (b))
#define VANDNOT(a, b) _mm256_andnot_ps((a), (b))
#define VLT(a, b) _mm256_cmp_ps((a), (b), _CMP_LT_OQ)
#define VLE(a, b) _mm256_cmp_ps((a), (b), _CMP_LE_OQ)
#define VGT(a, b) _mm256_cmp_ps((a), (b), _CMP_GT_OQ)
#define VGE(a, b) _mm256_cmp_ps((a), (b), _CMP_GE_OQ)
#define VEQ(a, b) _mm256_cmp_ps((a), (b), _CMP_EQ_OQ)
#define VNEQ(a, b) _mm256_cmp_ps((a), (b), _CMP_NEQ_UQ)
#define VUNORD(a, b) _mm256_cmp_ps((a), (b), _CMP_UNORD_Q)
#define VSEL(m, a, b) _mm256_blendv_ps((b), (a), (m))
#define MAND(a, b) _mm256_and_ps((a), (b))
#define MOR(a, b) _mm256_or_ps((a), (b))
#define MNOT(a) _mm256_xor_ps((a), _mm256_castsi256_ps(_mm256_set1_epi32(-1)))
#define MZERO() _mm256_setzero_ps()
#define MANY(m) (_mm256_movemask_ps(m) != 0)
#define MALL(m) (_mm256_movemask_ps(m) == 0xff)
#define VI_F(v) _mm256_castps_si256(v)
#define VF_I(v) _mm256_castsi256_ps(v)
#define VIADD(a, b) _mm256_add_epi32((a), (b))
#define VISUB(a, b) _mm256_sub_epi32((a), (b))
#define VISLL(a, k) _mm256_slli_epi32((a), (k))
#define VISRA(a, k) _mm256_srai_epi32((a), (k))
#define VISRL(a, k) _mm256_srli_epi32((a), (k))
#define VISET1(s) _mm256_set1_epi32(s)
#define VIAND(a, b) _mm256_and_si256((a), (b))
#define VIOR(a, b) _mm256_or_si256((a), (b))
#define VCVTI(a) _mm256_cvtepi32_ps(a)
#define VHSUM(v) nn__avx2_hsum(v)
#define VSTOREB(p, m, n) nn__avx2_storeb((p), (m), (n))
#define VROUND(v, mode) _mm256_round_ps((v), (mode) | _MM_FROUND_NO_EXC)
#define NN__WD 4
#define NN__VD __m256d
#define NN__VDM __m256d
#define VDLOAD(p) _mm256_loadu_pd(p)
#define VDSTORE(p, v) _mm256_storeu_pd((p), (v))
#define VDSTREAM(p, v) _mm256_stream_pd((p), (v))
#define VDLOADN(p, n, fill) nn__avx2_loadn_d((p), (n), (fill))
#define VDSTOREN(p, v, n) nn__avx2_storen_d((p), (v), (n))
#define VDSET1(s) _mm256_set1_pd(s)
#define VDADD(a, b) _mm256_add_pd((a), (b))
#define VDSUB(a, b) _mm256_sub_pd((a), (b))
#define VDMUL(a, b) _mm256_mul_pd((a), (b))
#define VDDIV(a, b) _mm256_div_pd((a), (b))
#define VDFMA(a, b, c) _mm256_fmadd_pd((a), (b), (c))
#define VDSQRT(a) _mm256_sqrt_pd(a)
#define VDAND(a, b) _mm256_and_pd((a), (b))
#define VDXOR(a, b) _mm256_xor_pd((a), (b))
#define VDANDNOT(a, b) _mm256_andnot_pd((a), (b))
#define VDGT(a, b) _mm256_cmp_pd((a), (b), _CMP_GT_OQ)
#define VDLT(a, b) _mm256_cmp_pd((a), (b), _CMP_LT_OQ)
#define VDEQ(a, b) _mm256_cmp_pd((a), (b), _CMP_EQ_OQ)
#define VDUNORD(a, b) _mm256_cmp_pd((a), (b), _CMP_UNORD_Q)
#define VDSEL(m, a, b) _mm256_blendv_pd((b), (a), (m))
#define VDMAXX(a, b) _mm256_max_pd((a), (b))
#define VDMINX(a, b) _mm256_min_pd((a), (b))
#define MDOR(a, b) _mm256_or_pd((a), (b))
#define VDHSUM(v) nn__avx2_hsum_d(v)
#define NN__VDI __m256i
#define VDI_D(v) _mm256_castpd_si256(v)
#define VD_DI(v) _mm256_castsi256_pd(v)
#define VDIADD(a, b) _mm256_add_epi64((a), (b))
#define VDISUB(a, b) _mm256_sub_epi64((a), (b))
#define VDISLL(a, k) _mm256_slli_epi64((a), (k))
#define VDISRL(a, k) _mm256_srli_epi64((a), (k))
#define VDIAND(a, b) _mm256_and_si256((a), (b))
#define VDIOR(a, b) _mm256_or_si256((a), (b))
#define VDISET1(s) _mm256_set1_epi64x(s)
#define VDFNMA(a, b, c) _mm256_fnmadd_pd((a), (b), (c))
#define VDGE(a, b) _mm256_cmp_pd((a), (b), _CMP_GE_OQ)
#define VDLE(a, b) _mm256_cmp_pd((a), (b), _CMP_LE_OQ)
#define MDAND(a, b) _mm256_and_pd((a), (b))
#define MDALL(m) (_mm256_movemask_pd(m) == 0xf)
#include "simd_f32.inc"
#include "simd_f64.inc"
#include "simd_undef.inc"

/* ================================================================================================================ */
/* avx512: AVX-512 F/DQ/BW/VL, 512-bit, mask registers for compares and tails                                        */
/* ================================================================================================================ */

#define NN__TGT5 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))

/* g++ 12 warns inside its own AVX-512 intrinsics (the `__m512 __Y = __Y;` of _mm512_undefined_ps, GCC bug 105593). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

NN__TGT5 NN__ALWAYS_INLINE float nn__avx512_hsum(__m512 v) {
  __m256 s = _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
  __m128 t = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
  t = _mm_add_ps(t, _mm_movehl_ps(t, t));
  t = _mm_add_ss(t, _mm_shuffle_ps(t, t, 1));
  return _mm_cvtss_f32(t);
}
NN__TGT5 NN__ALWAYS_INLINE double nn__avx512_hsum_d(__m512d v) {
  __m256d s = _mm256_add_pd(_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd(v, 1));
  __m128d t = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd(s, 1));
  t = _mm_add_sd(t, _mm_unpackhi_pd(t, t));
  return _mm_cvtsd_f64(t);
}

#define NN__ISA avx512
#define NN__TGT NN__TGT5
#define NN__W 16
#define NN__VBYTES 64
#define NN__HAS_NT 1
#define NN__HAS_ROUND 1
#define NN__HAS_FMA 1
#define NN__VF __m512
#define NN__VI __m512i
#define NN__VM __mmask16
#define VLOAD(p) _mm512_loadu_ps(p)
#define VSTORE(p, v) _mm512_storeu_ps((p), (v))
#define VSTREAM(p, v) _mm512_stream_ps((p), (v))
#define VSFENCE() _mm_sfence()
#define VLOADN(p, n, fill) _mm512_mask_loadu_ps((fill), (__mmask16)((1u << (n)) - 1u), (p))
#define VSTOREN(p, v, n) _mm512_mask_storeu_ps((p), (__mmask16)((1u << (n)) - 1u), (v))
#define VSET1(s) _mm512_set1_ps(s)
#define VZERO() _mm512_setzero_ps()
#define VADD(a, b) _mm512_add_ps((a), (b))
#define VSUB(a, b) _mm512_sub_ps((a), (b))
#define VMUL(a, b) _mm512_mul_ps((a), (b))
#define VDIV(a, b) _mm512_div_ps((a), (b))
#define VFMA(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define VFNMA(a, b, c) _mm512_fnmadd_ps((a), (b), (c))
#define VMAXX(a, b) _mm512_max_ps((a), (b))
#define VMINX(a, b) _mm512_min_ps((a), (b))
#define VSQRT(a) _mm512_sqrt_ps(a)
#define VAND(a, b) _mm512_and_ps((a), (b))
#define VOR(a, b) _mm512_or_ps((a), (b))
#define VXOR(a, b) _mm512_xor_ps((a), (b))
#define VANDNOT(a, b) _mm512_andnot_ps((a), (b))
#define VLT(a, b) _mm512_cmp_ps_mask((a), (b), _CMP_LT_OQ)
#define VLE(a, b) _mm512_cmp_ps_mask((a), (b), _CMP_LE_OQ)
#define VGT(a, b) _mm512_cmp_ps_mask((a), (b), _CMP_GT_OQ)
#define VGE(a, b) _mm512_cmp_ps_mask((a), (b), _CMP_GE_OQ)
#define VEQ(a, b) _mm512_cmp_ps_mask((a), (b), _CMP_EQ_OQ)
#define VNEQ(a, b) _mm512_cmp_ps_mask((a), (b), _CMP_NEQ_UQ)
#define VUNORD(a, b) _mm512_cmp_ps_mask((a), (b), _CMP_UNORD_Q)
#define VSEL(m, a, b) _mm512_mask_blend_ps((m), (b), (a))
#define MAND(a, b) ((__mmask16)((a) & (b)))
#define MOR(a, b) ((__mmask16)((a) | (b)))
#define MNOT(a) ((__mmask16)~(a))
#define MZERO() ((__mmask16)0)
#define MANY(m) ((m) != 0)
#define MALL(m) ((m) == 0xffff)
#define VI_F(v) _mm512_castps_si512(v)
#define VF_I(v) _mm512_castsi512_ps(v)
#define VIADD(a, b) _mm512_add_epi32((a), (b))
#define VISUB(a, b) _mm512_sub_epi32((a), (b))
#define VISLL(a, k) _mm512_slli_epi32((a), (k))
#define VISRA(a, k) _mm512_srai_epi32((a), (k))
#define VISRL(a, k) _mm512_srli_epi32((a), (k))
#define VISET1(s) _mm512_set1_epi32(s)
#define VIAND(a, b) _mm512_and_si512((a), (b))
#define VIOR(a, b) _mm512_or_si512((a), (b))
#define VCVTI(a) _mm512_cvtepi32_ps(a)
#define VHSUM(v) nn__avx512_hsum(v)
#define VSTOREB(p, m, n) _mm_mask_storeu_epi8((p), (__mmask16)((1u << (n)) - 1u), _mm_maskz_set1_epi8((m), 1))
#define VROUND(v, mode) _mm512_roundscale_ps((v), (mode) | _MM_FROUND_NO_EXC)
#define NN__WD 8
#define NN__VD __m512d
#define NN__VDM __mmask8
#define VDLOAD(p) _mm512_loadu_pd(p)
#define VDSTORE(p, v) _mm512_storeu_pd((p), (v))
#define VDSTREAM(p, v) _mm512_stream_pd((p), (v))
#define VDLOADN(p, n, fill) _mm512_mask_loadu_pd((fill), (__mmask8)((1u << (n)) - 1u), (p))
#define VDSTOREN(p, v, n) _mm512_mask_storeu_pd((p), (__mmask8)((1u << (n)) - 1u), (v))
#define VDSET1(s) _mm512_set1_pd(s)
#define VDADD(a, b) _mm512_add_pd((a), (b))
#define VDSUB(a, b) _mm512_sub_pd((a), (b))
#define VDMUL(a, b) _mm512_mul_pd((a), (b))
#define VDDIV(a, b) _mm512_div_pd((a), (b))
#define VDFMA(a, b, c) _mm512_fmadd_pd((a), (b), (c))
#define VDSQRT(a) _mm512_sqrt_pd(a)
#define VDAND(a, b) _mm512_and_pd((a), (b))
#define VDXOR(a, b) _mm512_xor_pd((a), (b))
#define VDANDNOT(a, b) _mm512_andnot_pd((a), (b))
#define VDGT(a, b) _mm512_cmp_pd_mask((a), (b), _CMP_GT_OQ)
#define VDLT(a, b) _mm512_cmp_pd_mask((a), (b), _CMP_LT_OQ)
#define VDEQ(a, b) _mm512_cmp_pd_mask((a), (b), _CMP_EQ_OQ)
#define VDUNORD(a, b) _mm512_cmp_pd_mask((a), (b), _CMP_UNORD_Q)
#define VDSEL(m, a, b) _mm512_mask_blend_pd((m), (b), (a))
#define VDMAXX(a, b) _mm512_max_pd((a), (b))
#define VDMINX(a, b) _mm512_min_pd((a), (b))
#define MDOR(a, b) ((__mmask8)((a) | (b)))
#define VDHSUM(v) nn__avx512_hsum_d(v)
#define NN__VDI __m512i
#define VDI_D(v) _mm512_castpd_si512(v)
#define VD_DI(v) _mm512_castsi512_pd(v)
#define VDIADD(a, b) _mm512_add_epi64((a), (b))
#define VDISUB(a, b) _mm512_sub_epi64((a), (b))
#define VDISLL(a, k) _mm512_slli_epi64((a), (k))
#define VDISRL(a, k) _mm512_srli_epi64((a), (k))
#define VDIAND(a, b) _mm512_and_si512((a), (b))
#define VDIOR(a, b) _mm512_or_si512((a), (b))
#define VDISET1(s) _mm512_set1_epi64(s)
#define VDFNMA(a, b, c) _mm512_fnmadd_pd((a), (b), (c))
#define VDGE(a, b) _mm512_cmp_pd_mask((a), (b), _CMP_GE_OQ)
#define VDLE(a, b) _mm512_cmp_pd_mask((a), (b), _CMP_LE_OQ)
#define MDAND(a, b) ((__mmask8)((a) & (b)))
#define MDALL(m) ((m) == 0xff)
#include "simd_f32.inc"
#include "simd_f64.inc"
#include "simd_undef.inc"
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/* ---- CPU detection ---- */

NN__PRIVATE void nn__cpuid(unsigned leaf, unsigned sub, unsigned r[4]) {
  unsigned a, b, c, d;
  __asm__ __volatile__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf), "c"(sub));
  r[0] = a;
  r[1] = b;
  r[2] = c;
  r[3] = d;
}

/* 0: SSE2 only, 1: AVX2 + FMA, 2: AVX-512 F/DQ/BW/VL; each also needs the OS to save the wider registers. */
NN__PRIVATE int nn__x86_level(void) {
  unsigned r[4], max_leaf, b7, xlo, xhi;
  int avx_os, zmm_os;
  nn__cpuid(0, 0, r);
  max_leaf = r[0];
  if (max_leaf < 7) return 0;
  nn__cpuid(1, 0, r);
  if (!(r[2] & (1u << 27)) || !(r[2] & (1u << 28)) || !(r[2] & (1u << 12))) return 0; /* OSXSAVE, AVX, FMA */
  __asm__ __volatile__("xgetbv" : "=a"(xlo), "=d"(xhi) : "c"(0));
  (void)xhi;
  avx_os = (xlo & 0x6u) == 0x6u;    /* XMM and YMM state */
  zmm_os = (xlo & 0xe6u) == 0xe6u;  /* plus opmask, ZMM_Hi256, Hi16_ZMM */
  if (!avx_os) return 0;
  nn__cpuid(7, 0, r);
  b7 = r[1];
  if (!(b7 & (1u << 5))) return 0; /* AVX2 */
  if (zmm_os && (b7 & (1u << 16)) && (b7 & (1u << 17)) && (b7 & (1u << 30)) && (b7 & (1u << 31))) return 2;
  return 1;
}
/* Bytes of the largest cache one core sees (0 if unknown): the deterministic cache parameters of AMD's leaf
   0x8000001D or Intel's leaf 4 (one cache instance, not the package total). */
NN__PRIVATE int64_t nn__llc_bytes(void) {
  unsigned r[4], i, k, leaves[2], max_ext, max_std;
  int64_t best = 0;
  nn__cpuid(0, 0, r);
  max_std = r[0];
  nn__cpuid(0x80000000u, 0, r);
  max_ext = r[0];
  leaves[0] = max_ext >= 0x8000001Du ? 0x8000001Du : 0;
  leaves[1] = max_std >= 4 ? 4u : 0;
  for (k = 0; k < 2 && best == 0; k++) {
    if (!leaves[k]) continue;
    for (i = 0; i < 8; i++) {
      int64_t size;
      nn__cpuid(leaves[k], i, r);
      if ((r[0] & 31) == 0) break;
      size = (int64_t)(((r[1] >> 22) & 1023) + 1) * (((r[1] >> 12) & 1023) + 1) * ((r[1] & 4095) + 1) * ((int64_t)r[2] + 1);
      if (size > best) best = size;
    }
  }
  return best;
}
#endif /* NN__X86 */

/* Installs the kernels of one instruction set level into t (0 gen, 1 avx2, 2 avx512). Used by tests to check every
   level this machine can run; returns the level actually installed (never above what the CPU supports). */
NN__PRIVATE int nn__simd_install_level(nn__vec_table *t, int level) {
  int have = 0;
#if NN__X86
  have = nn__x86_level();
#endif
  if (level > have) level = have;
#if NN__SIMD_BASE
  nn__s_install_f32_gen(t);
  nn__s_install_f64_gen(t);
#endif
#if NN__ARM64
  t->isa = "neon";
#endif
#if NN__X86
  t->isa = NN__SIMD_BASE ? "sse2" : "scalar";
  if (level >= 1) {
    nn__s_install_f32_avx2(t);
    nn__s_install_f64_avx2(t);
    t->isa = "avx2";
  }
  if (level >= 2) {
    nn__s_install_f32_avx512(t);
    nn__s_install_f64_avx512(t);
    t->isa = "avx512";
  }
#endif
  return level;
}

NN__PRIVATE int nn__simd_install(nn__vec_table *t) {
#if NN__X86
  {
    int64_t llc = nn__llc_bytes();
    if (llc >= ((int64_t)1 << 20)) nn__simd_nt_total = llc / 4; /* outputs of a cache's worth of floats stream */
  }
#endif
  nn__simd_install_level(t, 2);
  return 1;
}

#endif /* NN__SIMD */
