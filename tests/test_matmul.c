/* tests/test_matmul.c: GEMM against a naive double-precision product, and nn_matmul / nn_dot / nn_outer / nn_inner /
   nn_trace against NumPy results (tests/ref/matmul_ref.h, written by tools/ref/gen_matmul.py). */
#include "ref/matmul_ref.h"

/* ---- helpers ---- */

static uint64_t mm_rng_state = 88172645463325252ull;
static double mm_rand(void) { /* uniform in [-1, 1) */
  mm_rng_state ^= mm_rng_state << 13;
  mm_rng_state ^= mm_rng_state >> 7;
  mm_rng_state ^= mm_rng_state << 17;
  return (double)(mm_rng_state >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

/* Builds the operand of a reference case: the stored array, then the view the generator describes. */
static nn_tensor *mm_make_operand(int dt, int ndim, const int64_t *shape, const double *vals, int view, int rows) {
  nn_tensor *s = nn_from_data(vals, shape, ndim, NN_FLOAT64), *t, *v = NULL;
  if (!s) return NULL;
  t = nn_astype(s, (nn_dtype)dt);
  nn_free(s);
  if (!t) return NULL;
  switch (view) {
    case 0: return t;
    case 1: v = nn_transpose(t); break;
    case 2: v = nn_slice(t, -1, NN_NONE, NN_NONE, -1); break;
    case 3: v = nn_slice(t, 0, NN_NONE, NN_NONE, 2); break;
    case 4: v = nn_swapaxes(t, -1, -2); break;
    case 5: {
      int64_t bs[NN_MAX_DIMS];
      int i;
      bs[0] = rows;
      for (i = 1; i < ndim; i++) bs[i] = shape[i];
      v = nn_broadcast_to(t, bs, ndim);
      break;
    }
    default: break;
  }
  nn_free(t);
  return v;
}

static double mm_tol(int dt) { return dt == NN_FLOAT32 ? 2e-5 : dt == NN_FLOAT64 ? 1e-12 : 0; }

static void test_matmul_numpy_refs(void) {
  int k;
  for (k = 0; k < MM_REF_NCASES; k++) {
    const mm_ref_case *c = &mm_ref_cases[k];
    nn_tensor *a, *b = NULL, *r = NULL;
    nn_scope_begin();
    a = mm_make_operand(c->dta, c->ndima, c->shapea, c->a, c->va, c->rows);
    if (c->dtb >= 0) b = mm_make_operand(c->dtb, c->ndimb, c->shapeb, c->b, c->vb, c->rows);
    if (!a || (c->dtb >= 0 && !b)) {
      NT_FAIL("%s: cannot build operands: %s", c->name, nn_error());
      nn_scope_end();
      continue;
    }
    switch (c->op) {
      case 0: r = nn_matmul(a, b); break;
      case 1: r = nn_dot(a, b); break;
      case 2: r = nn_outer(a, b); break;
      case 3: r = nn_inner(a, b); break;
      default: r = nn_trace(a); break;
    }
    nt_checks++;
    if (!r) {
      NT_FAIL("%s: failed: %s", c->name, nn_error());
    } else if ((int)r->dtype != c->dtr) {
      NT_FAIL("%s: dtype %s, expected %s", c->name, nn_dtype_name(r->dtype), nn_dtype_name((nn_dtype)c->dtr));
    } else if (!nt_shape_is(r, c->shaper, c->ndimr)) {
      char s1[128];
      NT_FAIL("%s: shape %s", c->name, nn_shape_str(r, s1, sizeof s1));
    } else if (!nt_tensor_near(r, c->r, c->sizer, mm_tol(c->dtr))) {
      NT_FAIL("%s: values differ", c->name);
    }
    /* matmul also through nn_matmul_out, into the result dtype and into float64 */
    if (c->op == 0 && r) {
      nn_tensor *o1 = nn_empty(c->shaper, c->ndimr, (nn_dtype)c->dtr), *o2 = nn_full(c->shaper, c->ndimr, NAN, NN_FLOAT64);
      CHECK(nn_matmul_out(o1, a, b) == NN_OK);
      CHECK(nn_matmul_out(o2, a, b) == NN_OK);
      CHECK_TENSOR(o1, c->r, c->sizer, mm_tol(c->dtr));
      if (c->dtr != NN_BOOL) CHECK_TENSOR(o2, c->r, c->sizer, c->dtr == NN_FLOAT32 ? 2e-5 : 1e-12);
    }
    nn_scope_end();
  }
}

/* C = alpha op(A) op(B) + beta C0 in double, plus a bound on the rounding error of a float computation. */
static void mm_naive(int ta, int tb, int64_t M, int64_t N, int64_t K, double alpha, const double *A, int64_t lda,
                     const double *B, int64_t ldb, double beta, const double *C0, int64_t ldc, double *R, double *E) {
  int64_t i, j, p;
  for (i = 0; i < M; i++)
    for (j = 0; j < N; j++) {
      double s = 0, m = 0, c0 = beta == 0 ? 0 : C0[i * ldc + j];
      for (p = 0; p < K; p++) {
        double x = ta ? A[p * lda + i] : A[i * lda + p], y = tb ? B[j * ldb + p] : B[p * ldb + j];
        s += x * y;
        m += fabs(x * y);
      }
      R[i * N + j] = alpha * s + beta * c0;
      E[i * N + j] = fabs(alpha) * m * (double)(K + 2) + fabs(beta * c0) * 2;
    }
}

/* The instruction set the GEMM tests run on (nn__gemm_set_isa), named in failure messages. */
static int mm_isa = -1;

static int64_t mm_max1(int64_t x) { return x > 1 ? x : 1; }

/* Runs nn_sgemm and nn_dgemm on one configuration and compares with the naive product. */
static void mm_check_gemm(int ta, int tb, int64_t M, int64_t N, int64_t K, double alpha, double beta, int64_t pad,
                          int nan_c) {
  int64_t lda = mm_max1(ta ? M : K) + pad, ldb = mm_max1(tb ? K : N) + pad, ldc = mm_max1(N) + pad;
  int64_t arows = ta ? K : M, brows = tb ? N : K;
  size_t na = (size_t)(arows * lda + 1), nb = (size_t)(brows * ldb + 1), nc = (size_t)(M * ldc + 1);
  double *Ad = (double *)malloc(na * sizeof(double)), *Bd = (double *)malloc(nb * sizeof(double));
  double *Cd = (double *)malloc(nc * sizeof(double)), *C0 = (double *)malloc(nc * sizeof(double));
  double *R = (double *)malloc((size_t)(M * N + 1) * sizeof(double)), *E = (double *)malloc((size_t)(M * N + 1) * sizeof(double));
  float *As = (float *)malloc(na * sizeof(float)), *Bs = (float *)malloc(nb * sizeof(float)), *Cs = (float *)malloc(nc * sizeof(float));
  size_t i;
  int64_t r, c;
  int bad_s = 0, bad_d = 0, pad_ok = 1;
  nt_checks++;
  if (!Ad || !Bd || !Cd || !C0 || !R || !E || !As || !Bs || !Cs) {
    NT_FAIL("malloc failed");
    goto done;
  }
  for (i = 0; i < na; i++) As[i] = (float)mm_rand();
  for (i = 0; i < nb; i++) Bs[i] = (float)mm_rand();
  for (i = 0; i < nc; i++) Cs[i] = nan_c ? NAN : (float)mm_rand();
  for (i = 0; i < na; i++) Ad[i] = As[i];
  for (i = 0; i < nb; i++) Bd[i] = Bs[i];
  for (i = 0; i < nc; i++) C0[i] = Cd[i] = Cs[i];
  mm_naive(ta, tb, M, N, K, alpha, Ad, lda, Bd, ldb, beta, C0, ldc, R, E);
  if (nn_sgemm(ta, tb, M, N, K, (float)alpha, As, lda, Bs, ldb, (float)beta, Cs, ldc) != NN_OK) {
    NT_FAIL("nn_sgemm failed: %s", nn_error());
    goto done;
  }
  if (nn_dgemm(ta, tb, M, N, K, alpha, Ad, lda, Bd, ldb, beta, Cd, ldc) != NN_OK) {
    NT_FAIL("nn_dgemm failed: %s", nn_error());
    goto done;
  }
  for (r = 0; r < M; r++)
    for (c = 0; c < ldc; c++) {
      double want, e;
      if (c >= N) { /* padding columns of C are untouched */
        int same_s = (Cs[r * ldc + c] == (float)C0[r * ldc + c]) || (Cs[r * ldc + c] != Cs[r * ldc + c]);
        int same_d = (Cd[r * ldc + c] == C0[r * ldc + c]) || (Cd[r * ldc + c] != Cd[r * ldc + c]);
        if (!same_s || !same_d) pad_ok = 0;
        continue;
      }
      want = R[r * N + c];
      e = E[r * N + c];
      if (!(fabs(Cs[r * ldc + c] - want) <= e * 6e-8 + 1e-30)) {
        if (!bad_s)
          NT_FAIL("isa %d sgemm ta=%d tb=%d M=%lld N=%lld K=%lld alpha=%g beta=%g pad=%lld: C[%lld,%lld] = %.9g, want "
                  "%.9g", mm_isa, ta, tb, (long long)M, (long long)N, (long long)K, alpha, beta, (long long)pad,
                  (long long)r, (long long)c, (double)Cs[r * ldc + c], want);
        bad_s = 1;
      }
      if (!(fabs(Cd[r * ldc + c] - want) <= e * 2.3e-16 + 1e-300)) {
        if (!bad_d)
          NT_FAIL("isa %d dgemm ta=%d tb=%d M=%lld N=%lld K=%lld alpha=%g beta=%g pad=%lld: C[%lld,%lld] = %.17g, "
                  "want %.17g", mm_isa, ta, tb, (long long)M, (long long)N, (long long)K, alpha, beta, (long long)pad,
                  (long long)r, (long long)c, Cd[r * ldc + c], want);
        bad_d = 1;
      }
    }
  if (!pad_ok) NT_FAIL("gemm wrote into the padding of C (M=%lld N=%lld pad=%lld)", (long long)M, (long long)N, (long long)pad);
done:
  free(Ad);
  free(Bd);
  free(Cd);
  free(C0);
  free(R);
  free(E);
  free(As);
  free(Bs);
  free(Cs);
}

static void test_gemm_shapes(void) {
  /* M, N, K: ones, primes, non-multiples of MR (6) and of every NR (8, 16, 32, 64); direct loops, B read in place
     (up to 96 rows, untransposed B) and packed, several K slices (K > 512, unequal split), several column groups
     per chunk (N > 16 NR), several row blocks (M >= 512 with few columns) */
  static const int64_t shapes[][3] = {
      {1, 1, 1},     {1, 7, 3},     {5, 1, 9},      {3, 4, 1},     {2, 3, 5},     {7, 13, 11},   {31, 33, 35},
      {6, 16, 40},   {37, 17, 53},  {13, 97, 29},   {150, 7, 70},  {1, 300, 129}, {257, 1, 130}, {61, 67, 263},
      {145, 35, 41}, {73, 131, 300}, {12, 40, 600}, {200, 19, 23}, {9, 7, 13},    {8, 11, 9},    {12, 12, 12},
      {96, 130, 17}, {97, 129, 18}, {64, 64, 64},   {6, 64, 1},    {5, 65, 2},    {11, 200, 1100}, {7, 1100, 20},
      {600, 20, 10}, {530, 3, 77},  {43, 8, 31},    {19, 192, 5},  {2, 2, 513}};
  int s, t;
  for (s = 0; s < (int)(sizeof shapes / sizeof shapes[0]); s++)
    for (t = 0; t < 4; t++) mm_check_gemm(t >> 1, t & 1, shapes[s][0], shapes[s][1], shapes[s][2], 1.0, 0.0, 0, 0);
}

/* Random shapes (sizes 1 to 150, and one dimension up to 700 now and then), random transposes, padded leading
   dimensions, alpha and beta (beta = 0 over NaN in C). */
static void test_gemm_random(void) {
  int k;
  for (k = 0; k < 60; k++) {
    int64_t M = 1 + (int64_t)((mm_rand() + 1) * 75), N = 1 + (int64_t)((mm_rand() + 1) * 75);
    int64_t K = 1 + (int64_t)((mm_rand() + 1) * 75), pad = (int64_t)((mm_rand() + 1) * 3);
    int ta = mm_rand() > 0, tb = mm_rand() > 0, which = (int)((mm_rand() + 1) * 4);
    double alpha = mm_rand() > -0.5 ? 1.0 : mm_rand() * 2, beta = mm_rand() > 0 ? 0.0 : mm_rand();
    if (k % 10 == 9) { /* now and then one long dimension */
      if (which == 0) M = 300 + (int64_t)((mm_rand() + 1) * 200);
      else if (which == 1) N = 300 + (int64_t)((mm_rand() + 1) * 200);
      else K = 500 + (int64_t)((mm_rand() + 1) * 100);
    }
    mm_check_gemm(ta, tb, M, N, K, alpha, beta, pad, beta == 0);
  }
}

static void test_gemm_alpha_beta_ld(void) {
  int t;
  for (t = 0; t < 4; t++) {
    int ta = t >> 1, tb = t & 1;
    mm_check_gemm(ta, tb, 23, 41, 37, 1.0, 1.0, 3, 0);      /* accumulate, padded leading dimensions */
    mm_check_gemm(ta, tb, 50, 45, 300, -0.5, 2.0, 5, 0);    /* blocked path, two K slices, beta applied once */
    mm_check_gemm(ta, tb, 50, 45, 300, 1.5, 0.0, 1, 1);     /* beta 0: NaN in C must not propagate */
    mm_check_gemm(ta, tb, 9, 10, 11, 2.0, 0.0, 2, 1);       /* same on the direct path */
    mm_check_gemm(ta, tb, 1, 40, 33, 1.0, 0.0, 0, 1);       /* vector-matrix */
    mm_check_gemm(ta, tb, 40, 1, 33, 1.0, -1.0, 4, 0);      /* matrix-vector */
    mm_check_gemm(ta, tb, 1, 2100, 301, 1.0, 0.5, 0, 0);    /* parallel vector-matrix */
    mm_check_gemm(ta, tb, 2100, 1, 301, 1.0, 0.0, 3, 1);    /* parallel matrix-vector */
    mm_check_gemm(ta, tb, 17, 19, 0, 1.0, 0.5, 0, 0);       /* K = 0: C = beta C */
    mm_check_gemm(ta, tb, 17, 19, 0, 1.0, 0.0, 0, 1);       /* K = 0, beta = 0: zeros even over NaN */
    mm_check_gemm(ta, tb, 33, 34, 35, 0.0, 0.25, 0, 0);     /* alpha = 0 */
    mm_check_gemm(ta, tb, 0, 5, 7, 1.0, 0.0, 0, 0);         /* empty */
    mm_check_gemm(ta, tb, 5, 0, 7, 1.0, 0.0, 0, 0);
  }
  /* A B^T with 32 to 96 rows (a multiple of 16) and N >= 4M: computed as (B A^T)^T, merged with alpha and beta */
  mm_check_gemm(0, 1, 64, 300, 70, -0.5, 2.0, 3, 0);
  mm_check_gemm(0, 1, 32, 600, 530, 1.5, 0.0, 1, 1); /* two K slices, beta 0 over NaN */
  mm_check_gemm(0, 1, 96, 389, 20, 1.0, 0.5, 0, 0);
  mm_check_gemm(0, 1, 48, 197, 33, 1.0, 0.0, 2, 1);
  /* several B panels (N > NC) and several packed-A super-blocks (M > 16 MC) */
  mm_check_gemm(0, 0, 7, 4100, 20, 1.0, 0.0, 0, 0);
  mm_check_gemm(1, 1, 7, 4100, 20, 1.0, 1.0, 0, 0);
  mm_check_gemm(0, 1, 2400, 20, 10, 1.0, 0.0, 0, 0);
  mm_check_gemm(1, 0, 2400, 20, 10, 1.0, 0.5, 0, 0);
}

/* alpha = 0 must not read A or B (NaN there does not propagate). */
static void test_gemm_alpha_zero_nan(void) {
  float A[12], B[12], C[9];
  double Ad[12], Bd[12], Cd[9];
  int i;
  for (i = 0; i < 12; i++) {
    A[i] = B[i] = NAN;
    Ad[i] = Bd[i] = NAN;
  }
  for (i = 0; i < 9; i++) {
    C[i] = (float)i;
    Cd[i] = i;
  }
  CHECK(nn_sgemm(0, 0, 3, 3, 4, 0.0f, A, 4, B, 3, 2.0f, C, 3) == NN_OK);
  CHECK(nn_dgemm(1, 1, 3, 3, 4, 0.0, Ad, 3, Bd, 4, 0.0, Cd, 3) == NN_OK);
  for (i = 0; i < 9; i++) {
    CHECK(C[i] == 2.0f * (float)i);
    CHECK(Cd[i] == 0);
  }
  /* NULL pointers are fine when the sizes make them unused */
  CHECK(nn_sgemm(0, 0, 0, 0, 5, 1.0f, NULL, 5, NULL, 1, 0.0f, NULL, 1) == NN_OK);
  CHECK(nn_dgemm(0, 0, 3, 3, 0, 1.0, NULL, 1, NULL, 3, 0.0, Cd, 3) == NN_OK);
  for (i = 0; i < 9; i++) CHECK(Cd[i] == 0);
}

/* Inf in an input gives Inf (not NaN) where NumPy gives Inf: padding never multiplies real data by zero. */
static void test_gemm_inf(void) {
  int t, k;
  for (t = 0; t < 4; t++) {
    int ta = t >> 1, tb = t & 1;
    /* shapes: vector-matrix (rows loop), matrix-vector (dot or columns loop), small, blocked */
    static const int64_t shapes[][3] = {{1, 9, 5}, {9, 1, 5}, {5, 6, 7}, {40, 37, 45}};
    for (k = 0; k < 4; k++) {
      int64_t M = shapes[k][0], N = shapes[k][1], K = shapes[k][2], i, j;
      int64_t lda = ta ? M : K, ldb = tb ? K : N;
      float *A = (float *)malloc((size_t)(M * K) * sizeof(float)), *B = (float *)malloc((size_t)(K * N) * sizeof(float));
      float *C = (float *)malloc((size_t)(M * N) * sizeof(float));
      int ok = 1;
      for (i = 0; i < M * K; i++) A[i] = 0.5f;
      for (i = 0; i < K * N; i++) B[i] = 0.25f;
      /* op(B) row K-1 (the last, a K % 4 tail row) is +Inf */
      for (j = 0; j < N; j++) B[tb ? j * ldb + (K - 1) : (K - 1) * ldb + j] = INFINITY;
      CHECK(nn_sgemm(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C, N) == NN_OK);
      for (i = 0; i < M * N; i++) ok &= C[i] == INFINITY;
      CHECK(ok);
      free(A);
      free(B);
      free(C);
    }
  }
}

/* Every micro-kernel this CPU can run (portable, AVX2+FMA, AVX-512, every tile width) on single tiles: op(A)
   row-major and transposed (rsa/csa), B packed (row stride NR) or in place (a longer row stride), every row count mr
   (rows from mr on are never read from A), beta 0 over NaN and beta != 0, columns past the tile untouched. */
static void test_gemm_ukr_variants(void) {
  enum { KC = 37, LDA = 41, LDC = 70 };
  static float a[6 * LDA * 2], b[KC * 69], c[6 * LDC], c0[6 * LDC];
  static double ad[6 * LDA * 2], bd[KC * 37], cd[6 * LDC], cd0[6 * LDC];
  int isa, mx = nn__gemm_isa_max(), i, j, p, pass, lay, mr, kc, v;
  for (i = 0; i < 6 * LDA * 2; i++) ad[i] = a[i] = (float)mm_rand();
  for (i = 0; i < KC * 69; i++) b[i] = (float)mm_rand();
  for (i = 0; i < KC * 37; i++) bd[i] = mm_rand();
  for (i = 0; i < 6 * LDC; i++) cd0[i] = c0[i] = (float)mm_rand();
  for (isa = 0; isa <= mx; isa++) {
    nn__sgemm_cfg sc;
    nn__dgemm_cfg dc;
    nn__sgemm_get_cfg(isa, &sc);
    nn__dgemm_get_cfg(isa, &dc);
    for (v = 1; v <= 4; v++)
    for (lay = 0; lay < 4; lay++)
      for (pass = 0; pass < 2; pass++)
        for (mr = 1; mr <= 6; mr++)
          for (kc = KC - 1; kc <= KC; kc++) { /* even and odd depths (the k loop is unrolled by two) */
            /* lay 0: a[i*LDA + p] (row-major A), lay 1: a[p*7 + i] (transposed, leading dimension 7); rows at or
               past mr hold NaN, which must not reach rows below mr */
            int64_t rsa = lay & 1 ? 1 : LDA, csa = lay & 1 ? 7 : 1;
            int64_t sld = lay & 2 ? sc.nr + 5 : sc.nr, dld = lay & 2 ? dc.nr + 5 : dc.nr; /* B row strides */
            int sw = v * sc.w < sc.nr ? v * sc.w : sc.nr, dw = v * dc.w < dc.nr ? v * dc.w : dc.nr; /* tile widths */
            float sab[2], *as = a;
            double dab[2], *adp = ad;
            static float an[6 * LDA * 2];
            static double adn[6 * LDA * 2];
            int bad_s = 0, bad_d = 0;
            for (i = 0; i < 6 * LDA * 2; i++) {
              adn[i] = an[i] = a[i];
              for (j = mr; j < 6; j++)
                if ((lay & 1 ? i % 7 == j : i / LDA == j)) adn[i] = an[i] = NAN;
            }
            as = an;
            adp = adn;
            sab[0] = 1.5f;
            dab[0] = 1.5;
            sab[1] = pass ? 0.5f : 0.0f;
            dab[1] = pass ? 0.5 : 0.0;
            for (i = 0; i < 6 * LDC; i++) {
              c[i] = pass ? c0[i] : NAN;
              cd[i] = pass ? cd0[i] : NAN;
            }
            sc.ukr[v - 1](kc, as, rsa, csa, b, sld, c, LDC, mr, sab, lay & 1 ? 0 : LDA);
            dc.ukr[v - 1](kc, adp, rsa, csa, bd, dld, cd, LDC, mr, dab, lay & 1 ? 0 : LDA);
            nt_checks++;
            for (i = 0; i < mr; i++)
              for (j = 0; j < LDC; j++) {
                double s = 0, m = 0, sd = 0;
                double cs = c[i * LDC + j], cdd = cd[i * LDC + j];
                for (p = 0; p < kc; p++) {
                  double x = a[i * rsa + p * csa];
                  if (j < sw) {
                    s += x * b[p * sld + j];
                    m += fabs(x * b[p * sld + j]);
                  }
                  if (j < dw) sd += ad[i * rsa + p * csa] * bd[p * dld + j];
                }
                if (j < sw) {
                  if (!(fabs(cs - (1.5 * s + sab[1] * c0[i * LDC + j])) <= 1e-6 * (m + 1))) bad_s++;
                } else if (!(pass ? cs == c0[i * LDC + j] : cs != cs)) {
                  bad_s++; /* past the tile: untouched */
                }
                if (j < dw) {
                  if (!(fabs(cdd - (1.5 * sd + dab[1] * cd0[i * LDC + j])) <= 1e-13)) bad_d++;
                } else if (!(pass ? cdd == cd0[i * LDC + j] : cdd != cdd)) {
                  bad_d++;
                }
              }
            if (bad_s || bad_d)
              NT_FAIL("isa %d width %d layout %d beta %g mr %d kc %d: %d float and %d double elements wrong", isa, v,
                      lay, (double)sab[1], mr, kc, bad_s, bad_d);
          }
  }
}

static void test_gemm_bad_args(void) {
  float A[16], B[16], C[16];
  double Ad[16], Bd[16], Cd[16];
  memset(A, 0, sizeof A);
  memset(B, 0, sizeof B);
  memset(Ad, 0, sizeof Ad);
  memset(Bd, 0, sizeof Bd);
  CHECK_ERR(nn_sgemm(0, 0, -1, 2, 2, 1.0f, A, 2, B, 2, 0.0f, C, 2) != NN_OK, NN_ERR_ARG);
  CHECK_ERR(nn_sgemm(0, 0, 2, -2, 2, 1.0f, A, 2, B, 2, 0.0f, C, 2) != NN_OK, NN_ERR_ARG);
  CHECK_ERR(nn_dgemm(0, 0, 2, 2, -3, 1.0, Ad, 2, Bd, 2, 0.0, Cd, 2) != NN_OK, NN_ERR_ARG);
  CHECK(strstr(nn_error(), "nn_dgemm") != NULL && strstr(nn_error(), "K=-3") != NULL);
  CHECK_ERR(nn_sgemm(0, 0, 2, 3, 4, 1.0f, A, 3, B, 3, 0.0f, C, 3) != NN_OK, NN_ERR_ARG); /* lda < K */
  CHECK(strstr(nn_error(), "lda=3") != NULL);
  CHECK_ERR(nn_sgemm(1, 0, 2, 3, 4, 1.0f, A, 1, B, 3, 0.0f, C, 3) != NN_OK, NN_ERR_ARG); /* lda < M */
  CHECK_ERR(nn_sgemm(0, 0, 2, 3, 4, 1.0f, A, 4, B, 2, 0.0f, C, 3) != NN_OK, NN_ERR_ARG); /* ldb < N */
  CHECK_ERR(nn_sgemm(0, 1, 2, 3, 4, 1.0f, A, 4, B, 3, 0.0f, C, 3) != NN_OK, NN_ERR_ARG); /* ldb < K */
  CHECK_ERR(nn_dgemm(0, 0, 2, 3, 4, 1.0, Ad, 4, Bd, 3, 0.0, Cd, 2) != NN_OK, NN_ERR_ARG); /* ldc < N */
  CHECK_ERR(nn_dgemm(0, 0, 2, 3, 4, 1.0, Ad, 0, Bd, 3, 0.0, Cd, 3) != NN_OK, NN_ERR_ARG);
  CHECK_ERR(nn_sgemm(0, 0, 2, 3, 4, 1.0f, NULL, 4, B, 3, 0.0f, C, 3) != NN_OK, NN_ERR_ARG);
  CHECK_ERR(nn_sgemm(0, 0, 2, 3, 4, 1.0f, A, 4, NULL, 3, 0.0f, C, 3) != NN_OK, NN_ERR_ARG);
  CHECK_ERR(nn_dgemm(0, 0, 2, 3, 4, 1.0, Ad, 4, Bd, 3, 0.0, NULL, 3) != NN_OK, NN_ERR_ARG);
  CHECK(strstr(nn_error(), "C is NULL") != NULL);
}

/* Results must be bit-identical for 1 and 2 threads on every path that splits work. */
static void test_gemm_thread_determinism(void) {
  static const int64_t shapes[][3] = {{300, 200, 300}, {130, 500, 270}, {2000, 1, 600}, {1, 3000, 400},
                                      {40, 900, 30},   {500, 40, 40},   {64, 784, 256}, {1100, 70, 600},
                                      {90, 1100, 530}, {32, 700, 100}};
  int s, t;
  for (s = 0; s < (int)(sizeof shapes / sizeof shapes[0]); s++)
    for (t = 0; t < 4; t++) {
      int ta = t >> 1, tb = t & 1;
      int64_t M = shapes[s][0], N = shapes[s][1], K = shapes[s][2], lda = ta ? M : K, ldb = tb ? K : N, i;
      float *A = (float *)malloc((size_t)(M * K) * sizeof(float)), *B = (float *)malloc((size_t)(K * N) * sizeof(float));
      float *C1 = (float *)malloc((size_t)(M * N) * sizeof(float)), *C2 = (float *)malloc((size_t)(M * N) * sizeof(float));
      double *Ad = (double *)malloc((size_t)(M * K) * sizeof(double)), *Bd = (double *)malloc((size_t)(K * N) * sizeof(double));
      double *D1 = (double *)malloc((size_t)(M * N) * sizeof(double)), *D2 = (double *)malloc((size_t)(M * N) * sizeof(double));
      if (A && B && C1 && C2 && Ad && Bd && D1 && D2) {
        for (i = 0; i < M * K; i++) Ad[i] = A[i] = (float)mm_rand();
        for (i = 0; i < K * N; i++) Bd[i] = B[i] = (float)mm_rand();
        for (i = 0; i < M * N; i++) D1[i] = D2[i] = C1[i] = C2[i] = (float)mm_rand();
        nn_set_num_threads(1);
        CHECK(nn_sgemm(ta, tb, M, N, K, 0.75f, A, lda, B, ldb, 0.5f, C1, N) == NN_OK);
        CHECK(nn_dgemm(ta, tb, M, N, K, 0.75, Ad, lda, Bd, ldb, 0.5, D1, N) == NN_OK);
        nn_set_num_threads(2);
        CHECK(nn_sgemm(ta, tb, M, N, K, 0.75f, A, lda, B, ldb, 0.5f, C2, N) == NN_OK);
        CHECK(nn_dgemm(ta, tb, M, N, K, 0.75, Ad, lda, Bd, ldb, 0.5, D2, N) == NN_OK);
        nn_set_num_threads(0);
        CHECK(memcmp(C1, C2, (size_t)(M * N) * sizeof(float)) == 0);
        CHECK(memcmp(D1, D2, (size_t)(M * N) * sizeof(double)) == 0);
      } else {
        NT_FAIL("malloc failed");
      }
      free(A);
      free(B);
      free(C1);
      free(C2);
      free(Ad);
      free(Bd);
      free(D1);
      free(D2);
    }
  nn_set_num_threads(0);
}

/* Batched nn_matmul (parallel over the batch, or over the GEMM) and integer products: same bits for 1 and 2 threads. */
static void test_matmul_thread_determinism(void) {
  int64_t sa[3] = {600, 20, 24}, sb[3] = {600, 24, 16}, sc[2] = {200, 150}, sd[2] = {150, 170};
  nn_tensor *a = nn_empty(sa, 3, NN_FLOAT32), *b = nn_empty(sb, 3, NN_FLOAT32);
  nn_tensor *c = nn_empty(sc, 2, NN_FLOAT64), *d = nn_empty(sd, 2, NN_FLOAT64);
  nn_tensor *ia, *ib, *r1, *r2, *q1, *q2, *i1, *i2;
  int64_t k;
  for (k = 0; k < a->size; k++) nn_set_flat(a, k, mm_rand());
  for (k = 0; k < b->size; k++) nn_set_flat(b, k, mm_rand());
  for (k = 0; k < c->size; k++) nn_set_flat(c, k, mm_rand());
  for (k = 0; k < d->size; k++) nn_set_flat(d, k, mm_rand());
  ia = nn_astype(c, NN_INT32);
  ib = nn_astype(d, NN_INT32);
  nn_set_num_threads(1);
  r1 = nn_matmul(a, b);
  q1 = nn_matmul(c, d);
  i1 = nn_matmul(ia, ib);
  nn_set_num_threads(2);
  r2 = nn_matmul(a, b);
  q2 = nn_matmul(c, d);
  i2 = nn_matmul(ia, ib);
  nn_set_num_threads(0);
  CHECK(r1 && r2 && q1 && q2 && i1 && i2);
  if (r1 && r2) CHECK(memcmp(r1->data, r2->data, (size_t)r1->size * sizeof(float)) == 0);
  if (q1 && q2) CHECK(memcmp(q1->data, q2->data, (size_t)q1->size * sizeof(double)) == 0);
  if (i1 && i2) CHECK(memcmp(i1->data, i2->data, (size_t)i1->size * sizeof(int32_t)) == 0);
  /* and the batched result agrees with per-matrix products */
  if (r1) {
    nn_tensor *a7 = nn_select(a, 0, 7), *b7 = nn_select(b, 0, 7), *m7 = nn_matmul(a7, b7), *r7 = nn_select(r1, 0, 7);
    int64_t i;
    CHECK(m7 && r7);
    for (i = 0; m7 && r7 && i < m7->size; i++) CHECK(nn_get_flat(m7, i) == nn_get_flat(r7, i));
  }
}

/* Integer products wrap modulo 2^64 like NumPy's int64 (no undefined behaviour: run under UBSan). */
static void test_matmul_int64_wrap(void) {
  int64_t av[4] = {INT64_MAX, 3, -5, INT64_MIN}, bv[4] = {INT64_MAX, 2, 7, INT64_MAX}, s2[2] = {2, 2};
  nn_tensor *a = nn_from_data(av, s2, 2, NN_INT64), *b = nn_from_data(bv, s2, 2, NN_INT64), *r = nn_matmul(a, b);
  int i, j;
  CHECK(r && r->dtype == NN_INT64);
  for (i = 0; r && i < 2; i++)
    for (j = 0; j < 2; j++) {
      uint64_t want = (uint64_t)av[i * 2] * (uint64_t)bv[j] + (uint64_t)av[i * 2 + 1] * (uint64_t)bv[2 + j];
      CHECK(((const uint64_t *)r->data)[i * 2 + j] == want);
    }
}

/* out may share memory with an input: the product is computed before out is written. */
static void test_matmul_out_alias(void) {
  double v[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, want[9];
  int64_t s[2] = {3, 3};
  nn_tensor *a = nn_from_data(v, s, 2, NN_FLOAT64), *b = nn_from_data(v, s, 2, NN_FLOAT64);
  int i, j, k;
  for (i = 0; i < 3; i++)
    for (j = 0; j < 3; j++) {
      want[i * 3 + j] = 0;
      for (k = 0; k < 3; k++) want[i * 3 + j] += v[i * 3 + k] * v[k * 3 + j];
    }
  CHECK(nn_matmul_out(a, a, b) == NN_OK);
  CHECK_TENSOR(a, want, 9, 0);
  /* a non-contiguous out (transposed view): out = (a0 b)^T would need a copy; values land through the view */
  {
    nn_tensor *x = nn_from_data(v, s, 2, NN_FLOAT64), *o = nn_zeros(s, 2, NN_FLOAT64), *ot = nn_transpose(o);
    CHECK(nn_matmul_out(ot, x, b) == NN_OK);
    for (i = 0; i < 3; i++)
      for (j = 0; j < 3; j++) {
        int64_t idx[2];
        idx[0] = j;
        idx[1] = i;
        CHECK(nn_get(o, idx) == want[i * 3 + j]);
      }
  }
}

static void test_matmul_errors(void) {
  int64_t s34[2] = {3, 4}, s35[2] = {3, 5}, s234[3] = {2, 3, 4}, s345[3] = {3, 4, 5}, s4[1] = {4}, s3[1] = {3};
  nn_tensor *a = nn_ones(s34, 2, NN_FLOAT32), *b = nn_ones(s35, 2, NN_FLOAT32), *z = nn_scalar(2, NN_FLOAT32);
  nn_tensor *a3 = nn_ones(s234, 3, NN_FLOAT32), *b3 = nn_ones(s345, 3, NN_FLOAT32);
  nn_tensor *v4 = nn_ones(s4, 1, NN_FLOAT32), *v3 = nn_ones(s3, 1, NN_FLOAT32), *o;
  CHECK_ERR(nn_matmul(NULL, b) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_matmul(a, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_matmul(z, a) == NULL, NN_ERR_SHAPE);
  CHECK(strstr(nn_error(), "Input operand 0 does not have enough dimensions") != NULL);
  CHECK_ERR(nn_matmul(a, z) == NULL, NN_ERR_SHAPE);
  CHECK(strstr(nn_error(), "Input operand 1") != NULL);
  CHECK_ERR(nn_matmul(a, b) == NULL, NN_ERR_SHAPE);
  CHECK(strstr(nn_error(), "mismatch in its core dimension 0") != NULL && strstr(nn_error(), "(3,4)") != NULL &&
        strstr(nn_error(), "(3,5)") != NULL && strstr(nn_error(), "size 3 is different from 4") != NULL);
  CHECK_ERR(nn_matmul(v4, a) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_matmul(a, v3) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_matmul(a3, b3) == NULL, NN_ERR_SHAPE); /* batch 2 vs 3 */
  CHECK(strstr(nn_error(), "cannot be broadcast") != NULL);
  o = nn_empty(s35, 2, NN_FLOAT32);
  CHECK_ERR(nn_matmul_out(NULL, a, v4) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_matmul_out(o, a, v4) != NN_OK, NN_ERR_SHAPE); /* result is (3,) */
  CHECK_ERR(nn_matmul_out(o, a, NULL) != NN_OK, NN_ERR_NULL);
  /* dot, inner, outer, trace */
  CHECK_ERR(nn_dot(a, b) == NULL, NN_ERR_SHAPE);
  CHECK(strstr(nn_error(), "not aligned: 4 (dim 1) != 3 (dim 0)") != NULL);
  CHECK_ERR(nn_dot(a3, a3) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_dot(NULL, a) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_inner(a, b) == NULL, NN_ERR_SHAPE);
  CHECK(strstr(nn_error(), "not aligned: 4 (dim 1) != 5 (dim 1)") != NULL);
  CHECK_ERR(nn_inner(a, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_outer(NULL, a) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_outer(a, NULL) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_trace(v4) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_trace(a3) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_trace(z) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_trace(NULL) == NULL, NN_ERR_NULL);
}

/* Larger nn_matmul on views against a naive product: transposed operands are read in place, others copied. */
static void test_matmul_views_large(void) {
  int64_t s1[2] = {70, 90}, s2[2] = {80, 70};
  nn_tensor *x = nn_empty(s1, 2, NN_FLOAT32), *y = nn_empty(s2, 2, NN_FLOAT64);
  nn_tensor *xt, *yr, *r;
  int64_t i, j, p;
  for (i = 0; i < x->size; i++) nn_set_flat(x, i, mm_rand());
  for (i = 0; i < y->size; i++) nn_set_flat(y, i, mm_rand());
  xt = nn_transpose(x);                           /* (90,70) float32, column-major */
  yr = nn_slice(nn_transpose(y), 1, NN_NONE, NN_NONE, -1); /* (70,80) float64, both strides non-unit/negative */
  r = nn_matmul(xt, yr);                          /* float64 (90,80) */
  CHECK(r && r->dtype == NN_FLOAT64 && r->shape[0] == 90 && r->shape[1] == 80);
  for (i = 0; r && i < 90; i += 7)
    for (j = 0; j < 80; j += 3) {
      double s = 0;
      int64_t ix[2];
      for (p = 0; p < 70; p++) {
        int64_t ia[2], ib[2];
        ia[0] = i;
        ia[1] = p;
        ib[0] = p;
        ib[1] = j;
        s += nn_get(xt, ia) * nn_get(yr, ib);
      }
      ix[0] = i;
      ix[1] = j;
      CHECK_NEAR(nn_get(r, ix), s, 1e-12);
    }
}

/* The GEMM tests on one instruction set: 0 portable C, 1 AVX2+FMA, 2 AVX-512 (skipped where the CPU lacks it). */
static void mm_gemm_suite(int isa) {
  if (nn__gemm_set_isa(isa) != isa) {
    nn__gemm_set_isa(-1);
    return;
  }
  mm_isa = isa;
  test_gemm_shapes();
  test_gemm_random();
  test_gemm_alpha_beta_ld();
  test_gemm_inf();
  test_gemm_thread_determinism();
  mm_isa = -1;
  nn__gemm_set_isa(-1);
}
static void test_gemm_isa_c(void) { mm_gemm_suite(0); }
static void test_gemm_isa_avx2(void) { mm_gemm_suite(1); }
static void test_gemm_isa_avx512(void) { mm_gemm_suite(2); }

void tests_matmul(void) {
  RUN(test_matmul_numpy_refs);
  RUN(test_gemm_isa_c);
  RUN(test_gemm_isa_avx2);
  RUN(test_gemm_isa_avx512);
  RUN(test_gemm_alpha_zero_nan);
  RUN(test_gemm_ukr_variants);
  RUN(test_gemm_bad_args);
  RUN(test_matmul_thread_determinism);
  RUN(test_matmul_int64_wrap);
  RUN(test_matmul_out_alias);
  RUN(test_matmul_errors);
  RUN(test_matmul_views_large);
}
