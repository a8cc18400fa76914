/* ops/matmul.c: argument checks, shapes and dtype rules for the matrix products; the arithmetic is in
   kernels/gemm.c. */

/* ---- BLAS-style entry points ---- */

NN__PRIVATE nn_status nn__gemm_check(const char *op, int ta, int tb, int64_t M, int64_t N, int64_t K, const void *A,
                                     int64_t lda, const void *B, int64_t ldb, const void *C, int64_t ldc) {
  int64_t acols = ta ? M : K, bcols = tb ? K : N;
  int64_t amin = acols > 1 ? acols : 1, bmin = bcols > 1 ? bcols : 1, cmin = N > 1 ? N : 1;
  if (M < 0 || N < 0 || K < 0)
    return nn__fail(NN_ERR_ARG, "%s: sizes must be non-negative, got M=%lld, N=%lld, K=%lld", op, (long long)M,
                    (long long)N, (long long)K);
  if (lda < amin)
    return nn__fail(NN_ERR_ARG, "%s: lda=%lld is too small: it must be >= max(1, %s) = %lld (trans_a=%d, M=%lld, K=%lld)",
                    op, (long long)lda, ta ? "M" : "K", (long long)amin, ta ? 1 : 0, (long long)M, (long long)K);
  if (ldb < bmin)
    return nn__fail(NN_ERR_ARG, "%s: ldb=%lld is too small: it must be >= max(1, %s) = %lld (trans_b=%d, K=%lld, N=%lld)",
                    op, (long long)ldb, tb ? "K" : "N", (long long)bmin, tb ? 1 : 0, (long long)K, (long long)N);
  if (ldc < cmin)
    return nn__fail(NN_ERR_ARG, "%s: ldc=%lld is too small: it must be >= max(1, N) = %lld", op, (long long)ldc,
                    (long long)cmin);
  if (!A && M > 0 && K > 0)
    return nn__fail(NN_ERR_ARG, "%s: A is NULL but op(A) has %lld x %lld elements", op, (long long)M, (long long)K);
  if (!B && K > 0 && N > 0)
    return nn__fail(NN_ERR_ARG, "%s: B is NULL but op(B) has %lld x %lld elements", op, (long long)K, (long long)N);
  if (!C && M > 0 && N > 0)
    return nn__fail(NN_ERR_ARG, "%s: C is NULL but C has %lld x %lld elements", op, (long long)M, (long long)N);
  return NN_OK;
}

NNDEF nn_status nn_sgemm(int trans_a, int trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                         int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc) {
  if (nn__gemm_check("nn_sgemm", trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc) != NN_OK) return nn_last_status();
  if (nn__sgemm_kernel(trans_a != 0, trans_b != 0, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc) != 0)
    return nn__fail(NN_ERR_OOM, "nn_sgemm: cannot allocate the packing buffers (M=%lld, N=%lld, K=%lld)", (long long)M,
                    (long long)N, (long long)K);
  return NN_OK;
}

NNDEF nn_status nn_dgemm(int trans_a, int trans_b, int64_t M, int64_t N, int64_t K, double alpha, const double *A,
                         int64_t lda, const double *B, int64_t ldb, double beta, double *C, int64_t ldc) {
  if (nn__gemm_check("nn_dgemm", trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc) != NN_OK) return nn_last_status();
  if (nn__dgemm_kernel(trans_a != 0, trans_b != 0, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc) != 0)
    return nn__fail(NN_ERR_OOM, "nn_dgemm: cannot allocate the packing buffers (M=%lld, N=%lld, K=%lld)", (long long)M,
                    (long long)N, (long long)K);
  return NN_OK;
}

/* ---- np.matmul ---- */

/* Batched products of per-matrix work below this many multiply-adds run in parallel over the batch. */
#define NN__MM_BATCH_PAR (1 << 21)
/* Multiply-adds per parallel chunk of the batch loop and of the integer loops. */
#define NN__MM_GRAIN (1 << 20)

/* One operand seen as a stack of matrices. */
typedef struct nn__mm_operand {
  const char *data;
  int64_t rows, cols, rs, cs;   /* the core matrix and its element strides */
  int64_t bst[NN_MAX_DIMS];     /* element strides along the result's batch axes (0 where broadcast) */
  int trans;                    /* GEMM layout (float dtypes) */
  int64_t ld;
} nn__mm_operand;

typedef struct nn__mm_job {
  nn_dtype dt;
  int64_t M, N, K, nbatch, per; /* per: batch matrices (or row blocks) per chunk */
  int nbd;
  int64_t bshape[NN_MAX_DIMS];
  nn__mm_operand a, b;
  char *c; /* contiguous result */
  int64_t rows_per, nrowblk; /* integer loops: rows per chunk, row blocks per matrix */
  int64_t failed;
} nn__mm_job;

/* Core geometry of x as operand `which` (0: a, 1: b) of matmul, with 1-D promotion. */
NN__PRIVATE void nn__mm_geom(nn__mm_operand *o, const nn_tensor *x, int which, int nbd, const int64_t *bshape) {
  int nd = x->ndim, xb = nd >= 2 ? nd - 2 : 0, off = nbd - xb, d;
  o->data = (const char *)x->data;
  if (nd == 1 && which == 0) {
    o->rows = 1;
    o->cols = x->shape[0];
    o->rs = 0;
    o->cs = x->strides[0];
  } else if (nd == 1) {
    o->rows = x->shape[0];
    o->cols = 1;
    o->rs = x->strides[0];
    o->cs = 0;
  } else {
    o->rows = x->shape[nd - 2];
    o->cols = x->shape[nd - 1];
    o->rs = x->strides[nd - 2];
    o->cs = x->strides[nd - 1];
  }
  for (d = 0; d < nbd; d++)
    o->bst[d] = (d < off || (x->shape[d - off] == 1 && bshape[d] != 1)) ? 0 : x->strides[d - off];
}

/* The GEMM layout of an operand's matrices: 1 (with trans and ld set) if they can be read in place, 0 if the
   operand needs a contiguous copy. Rows and columns of length 1 ignore their stride. */
NN__PRIVATE int nn__mm_layout(nn__mm_operand *o) {
  int64_t r1 = o->rows > 1 ? o->rows : 1, c1 = o->cols > 1 ? o->cols : 1;
  if (o->rows == 0 || o->cols == 0) {
    o->trans = 0;
    o->ld = c1;
    return 1;
  }
  if ((o->cols == 1 || o->cs == 1) && (o->rows == 1 || o->rs >= c1)) {
    o->trans = 0;
    o->ld = o->rows == 1 ? c1 : o->rs;
    return 1;
  }
  if ((o->rows == 1 || o->rs == 1) && (o->cols == 1 || o->cs >= r1)) {
    o->trans = 1;
    o->ld = o->cols == 1 ? r1 : o->cs;
    return 1;
  }
  return 0;
}

/* Element offsets of batch matrix bi in a and b. */
NN__PRIVATE void nn__mm_offsets(const nn__mm_job *j, int64_t bi, int64_t *oa, int64_t *ob) {
  int d;
  *oa = 0;
  *ob = 0;
  for (d = j->nbd - 1; d >= 0; d--) {
    int64_t n = j->bshape[d], k = bi % n;
    bi /= n;
    *oa += k * j->a.bst[d];
    *ob += k * j->b.bst[d];
  }
}

/* Float product of batch matrix bi; returns the kernel's status. */
NN__PRIVATE int nn__mm_float_one(const nn__mm_job *j, int64_t bi) {
  int64_t oa, ob, ldc = j->N > 1 ? j->N : 1;
  nn__mm_offsets(j, bi, &oa, &ob);
  if (j->dt == NN_FLOAT32)
    return nn__sgemm_kernel(j->a.trans, j->b.trans, j->M, j->N, j->K, 1.0f, (const float *)j->a.data + oa, j->a.ld,
                            (const float *)j->b.data + ob, j->b.ld, 0.0f, (float *)j->c + bi * j->M * j->N, ldc);
  return nn__dgemm_kernel(j->a.trans, j->b.trans, j->M, j->N, j->K, 1.0, (const double *)j->a.data + oa, j->a.ld,
                          (const double *)j->b.data + ob, j->b.ld, 0.0, (double *)j->c + bi * j->M * j->N, ldc);
}

NN__PRIVATE void nn__mm_float_chunk(void *vctx, int64_t c) {
  nn__mm_job *j = (nn__mm_job *)vctx;
  int64_t bi, b1 = (c + 1) * j->per < j->nbatch ? (c + 1) * j->per : j->nbatch;
  for (bi = c * j->per; bi < b1; bi++)
    if (nn__mm_float_one(j, bi) != 0) {
#if defined(NN_NO_THREADS)
      j->failed = 1;
#else
      nn__fetch_add(&j->failed, 1);
#endif
      return;
    }
}

/* Integer products: chunk c is row block c % nrowblk of batch matrix c / nrowblk. */
NN__PRIVATE void nn__mm_int_chunk(void *vctx, int64_t c) {
  const nn__mm_job *j = (const nn__mm_job *)vctx;
  int64_t bi = c / j->nrowblk, i0 = (c % j->nrowblk) * j->rows_per, i1 = i0 + j->rows_per, oa, ob;
  size_t es = nn_dtype_size(j->dt);
  const char *pa, *pb;
  char *pc = j->c + (size_t)(bi * j->M * j->N) * es;
  if (i1 > j->M) i1 = j->M;
  nn__mm_offsets(j, bi, &oa, &ob);
  pa = j->a.data + oa * (int64_t)es;
  pb = j->b.data + ob * (int64_t)es;
  switch (j->dt) {
    case NN_INT32:
      nn__igemm_i32(i0, i1, j->N, j->K, (const int32_t *)pa, j->a.rs, j->a.cs, (const int32_t *)pb, j->b.rs, j->b.cs,
                    (int32_t *)pc, j->N);
      break;
    case NN_INT64:
      nn__igemm_i64(i0, i1, j->N, j->K, (const int64_t *)pa, j->a.rs, j->a.cs, (const int64_t *)pb, j->b.rs, j->b.cs,
                    (int64_t *)pc, j->N);
      break;
    case NN_UINT8:
      nn__igemm_u8(i0, i1, j->N, j->K, (const uint8_t *)pa, j->a.rs, j->a.cs, (const uint8_t *)pb, j->b.rs, j->b.cs,
                   (uint8_t *)pc, j->N);
      break;
    default:
      nn__igemm_b(i0, i1, j->N, j->K, (const uint8_t *)pa, j->a.rs, j->a.cs, (const uint8_t *)pb, j->b.rs, j->b.cs,
                  (uint8_t *)pc, j->N);
      break;
  }
}

/* Checks an out tensor for a product: on the CPU, with exactly the result's shape. */
NN__PRIVATE nn_status nn__mm_check_out(const char *name, const nn_tensor *out, const int64_t *shape, int ndim) {
  char s1[160], s2[160];
  int i, same = out->ndim == ndim;
  if (nn__check_cpu(name, out, "out") != NN_OK) return nn_last_status();
  for (i = 0; same && i < ndim; i++) same = out->shape[i] == shape[i];
  if (!same)
    return nn__fail(NN_ERR_SHAPE, "%s: output shape %s does not match the result shape %s", name,
                    nn_shape_str(out, s1, sizeof s1), nn__fmt_shape(s2, sizeof s2, shape, ndim));
  return NN_OK;
}

/* The body of nn_matmul / nn_matmul_out (out may be NULL) and of the products built on it. */
NN__PRIVATE nn_tensor *nn__matmul(const char *name, nn_tensor *out, const nn_tensor *a, const nn_tensor *b) {
  int64_t bshape[NN_MAX_DIMS], oshape[NN_MAX_DIMS], M, N, K, Kb;
  int nbd, na, nb, ond = 0, d;
  nn_dtype cdt;
  nn_tensor *ca = NULL, *cb = NULL, *tmp = NULL, *res = NULL;
  const nn_tensor *xa = a, *xb = b;
  nn__mm_job job;
  char s1[160], s2[160];
  if (nn__check_cpu(name, a, "a") != NN_OK || nn__check_cpu(name, b, "b") != NN_OK) return NULL;
  if (a->ndim == 0 || b->ndim == 0) {
    nn__fail(NN_ERR_SHAPE,
             "%s: Input operand %d does not have enough dimensions (has 0, gufunc core with signature "
             "(n?,k),(k,m?)->(n?,m?) requires 1)",
             name, a->ndim == 0 ? 0 : 1);
    return NULL;
  }
  M = a->ndim == 1 ? 1 : a->shape[a->ndim - 2];
  K = a->shape[a->ndim - 1];
  Kb = b->ndim == 1 ? b->shape[0] : b->shape[b->ndim - 2];
  N = b->ndim == 1 ? 1 : b->shape[b->ndim - 1];
  if (K != Kb) {
    nn__fail(NN_ERR_SHAPE,
             "%s: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature (n?,k),(k,m?)->(n?,m?) "
             "(size %lld is different from %lld): shapes %s and %s",
             name, (long long)Kb, (long long)K, nn_shape_str(a, s1, sizeof s1), nn_shape_str(b, s2, sizeof s2));
    return NULL;
  }
  na = a->ndim > 2 ? a->ndim - 2 : 0;
  nb = b->ndim > 2 ? b->ndim - 2 : 0;
  nbd = na > nb ? na : nb;
  for (d = 0; d < nbd; d++) {
    int64_t da = d < nbd - na ? 1 : a->shape[d - (nbd - na)];
    int64_t db = d < nbd - nb ? 1 : b->shape[d - (nbd - nb)];
    if (da != db && da != 1 && db != 1) {
      nn__fail(NN_ERR_SHAPE,
               "%s: the batch dimensions of shapes %s and %s cannot be broadcast together (%lld and %lld in batch "
               "axis %d)",
               name, nn_shape_str(a, s1, sizeof s1), nn_shape_str(b, s2, sizeof s2), (long long)da, (long long)db, d);
      return NULL;
    }
    bshape[d] = da == 1 ? db : da;
    oshape[ond++] = bshape[d];
  }
  if (a->ndim > 1) oshape[ond++] = M;
  if (b->ndim > 1) oshape[ond++] = N;
  cdt = nn_promote_types(a->dtype, b->dtype);
  if (cdt == NN_DTYPE_COUNT) {
    nn__fail(NN_ERR_DTYPE, "%s: invalid dtypes %d and %d", name, (int)a->dtype, (int)b->dtype);
    return NULL;
  }
  if (out && nn__mm_check_out(name, out, oshape, ond) != NN_OK) return NULL;
  if (a->dtype != cdt) {
    ca = nn_astype(a, cdt);
    if (!ca) goto done;
    xa = ca;
  }
  if (b->dtype != cdt) {
    cb = nn_astype(b, cdt);
    if (!cb) goto done;
    xb = cb;
  }
  memset(&job, 0, sizeof job);
  job.dt = cdt;
  job.M = M;
  job.N = N;
  job.K = K;
  job.nbd = nbd;
  job.nbatch = 1;
  for (d = 0; d < nbd; d++) {
    job.bshape[d] = bshape[d];
    job.nbatch *= bshape[d];
  }
  nn__mm_geom(&job.a, xa, 0, nbd, bshape);
  nn__mm_geom(&job.b, xb, 1, nbd, bshape);
  if (nn__is_float(cdt)) {
    /* matrices the GEMM cannot read in place (negative, zero or gapped inner strides) are copied */
    if (!nn__mm_layout(&job.a)) {
      nn_tensor *t = nn_copy(xa);
      if (!t) goto done;
      nn_free(ca);
      ca = t;
      xa = t;
      nn__mm_geom(&job.a, xa, 0, nbd, bshape);
      nn__mm_layout(&job.a);
    }
    if (!nn__mm_layout(&job.b)) {
      nn_tensor *t = nn_copy(xb);
      if (!t) goto done;
      nn_free(cb);
      cb = t;
      xb = t;
      nn__mm_geom(&job.b, xb, 1, nbd, bshape);
      nn__mm_layout(&job.b);
    }
  }
  /* write straight into out when it is contiguous, of the right dtype, and not sharing memory with an input */
  if (!(out && out->dtype == cdt && nn_is_contiguous(out) && out->storage != a->storage &&
        out->storage != b->storage)) {
    tmp = nn__new(name, cdt, oshape, ond);
    if (!tmp) goto done;
  }
  job.c = (char *)(tmp ? tmp->data : out->data);
  if (job.nbatch > 0 && M > 0 && N > 0) {
    double work = (double)M * (double)N * (double)K;
    if (nn__is_float(cdt)) {
      if (job.nbatch > 1 && work < NN__MM_BATCH_PAR) {
        job.per = (int64_t)(NN__MM_GRAIN / (work > 1 ? work : 1));
        if (job.per < 1) job.per = 1;
        nn__parallel_for((job.nbatch + job.per - 1) / job.per, nn__mm_float_chunk, &job);
      } else {
        job.per = job.nbatch;
        nn__mm_float_chunk(&job, 0);
      }
      if (job.failed) {
        nn__fail(NN_ERR_OOM, "%s: cannot allocate the packing buffers for a %lld x %lld x %lld product", name,
                 (long long)M, (long long)K, (long long)N);
        goto done;
      }
    } else {
      double row = (double)N * (double)(K > 1 ? K : 1);
      job.rows_per = (int64_t)(NN__MM_GRAIN / row);
      if (job.rows_per < 1) job.rows_per = 1;
      if (job.rows_per > M) job.rows_per = M;
      job.nrowblk = (M + job.rows_per - 1) / job.rows_per;
      nn__parallel_for(job.nbatch * job.nrowblk, nn__mm_int_chunk, &job);
    }
  }
  if (out && tmp) {
    nn__assign(out, tmp);
    nn_free(tmp);
    tmp = NULL;
  }
  res = out ? out : tmp;
  tmp = NULL;
done:
  nn_free(tmp);
  nn_free(ca);
  nn_free(cb);
  return res;
}

NNDEF nn_tensor *nn_matmul(const nn_tensor *a, const nn_tensor *b) {
  nn_tensor *r;
  if (!nn__ag_wanted2(a, b)) return nn__matmul("nn_matmul", NULL, a, b);
  nn_no_grad_begin(); /* the dtype casts and layout copies inside are not part of the graph */
  r = nn__matmul("nn_matmul", NULL, a, b);
  nn_no_grad_end();
  return r ? nn__grad_matmul("nn_matmul", r, a, b) : NULL;
}

NNDEF nn_status nn_matmul_out(nn_tensor *out, const nn_tensor *a, const nn_tensor *b) {
  if (!out) return nn__fail_null("nn_matmul_out", "out");
  return nn__matmul("nn_matmul_out", out, a, b) ? NN_OK : nn_last_status();
}

/* ---- np.dot, np.inner, np.outer ---- */

/* Product of the first n entries of shape. */
NN__PRIVATE int64_t nn__mm_prod(const int64_t *shape, int n) {
  int64_t p = 1;
  int i;
  for (i = 0; i < n; i++) p *= shape[i];
  return p;
}

NN__PRIVATE nn_tensor *nn__dot(const nn_tensor *a, const nn_tensor *b) {
  int64_t K, Kb, s2[2], oshape[NN_MAX_DIMS];
  int kb_axis, ond = 0, d, axes[NN_MAX_DIMS];
  nn_tensor *a2 = NULL, *bp = NULL, *b2 = NULL, *r = NULL, *res = NULL;
  char x1[160], x2[160];
  if (nn__check_cpu("nn_dot", a, "a") != NN_OK || nn__check_cpu("nn_dot", b, "b") != NN_OK) return NULL;
  if (a->ndim == 0 || b->ndim == 0) return nn_mul(a, b);
  K = a->shape[a->ndim - 1];
  kb_axis = b->ndim == 1 ? 0 : b->ndim - 2;
  Kb = b->shape[kb_axis];
  if (K != Kb) {
    nn__fail(NN_ERR_SHAPE, "nn_dot: shapes %s and %s not aligned: %lld (dim %d) != %lld (dim %d)",
             nn_shape_str(a, x1, sizeof x1), nn_shape_str(b, x2, sizeof x2), (long long)K, a->ndim - 1, (long long)Kb,
             kb_axis);
    return NULL;
  }
  if (b->ndim <= 2) return nn__matmul("nn_dot", NULL, a, b); /* same result as matmul for these shapes */
  if (a->ndim - 1 + b->ndim - 1 > NN_MAX_DIMS) {
    nn__fail(NN_ERR_SHAPE, "nn_dot: the result of shapes %s and %s would have %d dimensions, more than NN_MAX_DIMS=%d",
             nn_shape_str(a, x1, sizeof x1), nn_shape_str(b, x2, sizeof x2), a->ndim + b->ndim - 2, NN_MAX_DIMS);
    return NULL;
  }
  /* a -> (A, K); b (J..., K, N) -> (K, J..., N) -> (K, J*N); result (A, J*N) -> a.shape[:-1] + J + (N,) */
  s2[0] = nn__mm_prod(a->shape, a->ndim - 1);
  s2[1] = K;
  a2 = nn_reshape(a, s2, 2);
  if (!a2) goto done;
  axes[0] = b->ndim - 2;
  for (d = 0; d < b->ndim - 2; d++) axes[d + 1] = d;
  axes[b->ndim - 1] = b->ndim - 1;
  bp = nn_permute(b, axes, b->ndim);
  if (!bp) goto done;
  s2[0] = K;
  s2[1] = nn__mm_prod(b->shape, b->ndim - 2) * b->shape[b->ndim - 1];
  b2 = nn_reshape(bp, s2, 2);
  if (!b2) goto done;
  r = nn__matmul("nn_dot", NULL, a2, b2);
  if (!r) goto done;
  for (d = 0; d < a->ndim - 1; d++) oshape[ond++] = a->shape[d];
  for (d = 0; d < b->ndim - 2; d++) oshape[ond++] = b->shape[d];
  oshape[ond++] = b->shape[b->ndim - 1];
  res = nn_reshape(r, oshape, ond);
done:
  nn_free(a2);
  nn_free(bp);
  nn_free(b2);
  nn_free(r);
  return res;
}

/* Records nn_dot, computed without recording: a product by a 0-d operand as nn_mul, b of at most 2 dimensions as
   nn_matmul, the rest by its own formula. */
NNDEF nn_tensor *nn_dot(const nn_tensor *a, const nn_tensor *b) {
  nn_tensor *r;
  if (!nn__ag_wanted2(a, b)) return nn__dot(a, b);
  nn_no_grad_begin();
  r = nn__dot(a, b);
  nn_no_grad_end();
  if (!r) return NULL;
  if (a->ndim == 0 || b->ndim == 0) return nn__grad_binary(NN_OP_MUL, r, a, b);
  if (b->ndim <= 2) return nn__grad_matmul("nn_dot", r, a, b);
  return nn__grad_dot_nd(r, a, b);
}

NN__PRIVATE nn_tensor *nn__inner(const nn_tensor *a, const nn_tensor *b) {
  int64_t K, sa[2], sb[2], oshape[NN_MAX_DIMS];
  int ond = 0, d;
  nn_tensor *a2 = NULL, *b2 = NULL, *bt = NULL, *r = NULL, *res = NULL;
  char x1[160], x2[160];
  if (nn__check_cpu("nn_inner", a, "a") != NN_OK || nn__check_cpu("nn_inner", b, "b") != NN_OK) return NULL;
  if (a->ndim == 0 || b->ndim == 0) return nn_mul(a, b);
  K = a->shape[a->ndim - 1];
  if (K != b->shape[b->ndim - 1]) {
    nn__fail(NN_ERR_SHAPE, "nn_inner: shapes %s and %s not aligned: %lld (dim %d) != %lld (dim %d)",
             nn_shape_str(a, x1, sizeof x1), nn_shape_str(b, x2, sizeof x2), (long long)K, a->ndim - 1,
             (long long)b->shape[b->ndim - 1], b->ndim - 1);
    return NULL;
  }
  if (a->ndim - 1 + b->ndim - 1 > NN_MAX_DIMS) {
    nn__fail(NN_ERR_SHAPE, "nn_inner: the result of shapes %s and %s would have %d dimensions, more than NN_MAX_DIMS=%d",
             nn_shape_str(a, x1, sizeof x1), nn_shape_str(b, x2, sizeof x2), a->ndim + b->ndim - 2, NN_MAX_DIMS);
    return NULL;
  }
  /* (A, K) @ (B, K)^T -> (A, B); the transpose is a view the GEMM reads in place */
  sa[0] = nn__mm_prod(a->shape, a->ndim - 1);
  sa[1] = K;
  sb[0] = nn__mm_prod(b->shape, b->ndim - 1);
  sb[1] = K;
  a2 = nn_reshape(a, sa, 2);
  if (!a2) goto done;
  b2 = nn_reshape(b, sb, 2);
  if (!b2) goto done;
  bt = nn_transpose(b2);
  if (!bt) goto done;
  r = nn__matmul("nn_inner", NULL, a2, bt);
  if (!r) goto done;
  for (d = 0; d < a->ndim - 1; d++) oshape[ond++] = a->shape[d];
  for (d = 0; d < b->ndim - 1; d++) oshape[ond++] = b->shape[d];
  res = nn_reshape(r, oshape, ond);
done:
  nn_free(a2);
  nn_free(b2);
  nn_free(bt);
  nn_free(r);
  return res;
}

NNDEF nn_tensor *nn_inner(const nn_tensor *a, const nn_tensor *b) {
  nn_tensor *r;
  if (!nn__ag_wanted2(a, b)) return nn__inner(a, b);
  nn_no_grad_begin();
  r = nn__inner(a, b);
  nn_no_grad_end();
  if (!r) return NULL;
  if (a->ndim == 0 || b->ndim == 0) return nn__grad_binary(NN_OP_MUL, r, a, b);
  return nn__grad_inner(r, a, b);
}

NN__PRIVATE nn_tensor *nn__outer(const nn_tensor *a, const nn_tensor *b) {
  int64_t sa[2], sb[2];
  nn_tensor *a2 = NULL, *b2 = NULL, *res = NULL;
  if (nn__check_cpu("nn_outer", a, "a") != NN_OK || nn__check_cpu("nn_outer", b, "b") != NN_OK) return NULL;
  sa[0] = a->size;
  sa[1] = 1;
  sb[0] = 1;
  sb[1] = b->size;
  a2 = nn_reshape(a, sa, 2);
  b2 = a2 ? nn_reshape(b, sb, 2) : NULL;
  if (a2 && b2) res = nn_mul(a2, b2);
  nn_free(a2);
  nn_free(b2);
  return res;
}

NNDEF nn_tensor *nn_outer(const nn_tensor *a, const nn_tensor *b) {
  nn_tensor *r;
  if (!nn__ag_wanted2(a, b)) return nn__outer(a, b);
  nn_no_grad_begin();
  r = nn__outer(a, b);
  nn_no_grad_end();
  return r ? nn__grad_outer(r, a, b) : NULL;
}

/* ---- np.trace ---- */

NNDEF nn_tensor *nn_trace(const nn_tensor *a) {
  int64_t n, i, st;
  nn_tensor *r;
  char s1[160];
  if (nn__check_cpu("nn_trace", a, "a") != NN_OK) return NULL;
  if (a->ndim != 2) {
    nn__fail(NN_ERR_SHAPE, "nn_trace: expected a 2-D array, got a %d-D array of shape %s", a->ndim,
             nn_shape_str(a, s1, sizeof s1));
    return NULL;
  }
  n = a->shape[0] < a->shape[1] ? a->shape[0] : a->shape[1];
  st = a->strides[0] + a->strides[1];
  r = nn__new("nn_trace", nn__is_float(a->dtype) ? a->dtype : NN_INT64, NULL, 0);
  if (!r) return NULL;
  if (nn__is_float(a->dtype)) {
    double s = 0;
    if (a->dtype == NN_FLOAT32)
      for (i = 0; i < n; i++) s += (double)((const float *)a->data)[i * st];
    else
      for (i = 0; i < n; i++) s += ((const double *)a->data)[i * st];
    nn__store(a->dtype, r->data, s);
  } else {
    uint64_t s = 0;
    switch (a->dtype) {
      case NN_INT32:
        for (i = 0; i < n; i++) s += (uint64_t)(int64_t)((const int32_t *)a->data)[i * st];
        break;
      case NN_INT64:
        for (i = 0; i < n; i++) s += (uint64_t)((const int64_t *)a->data)[i * st];
        break;
      case NN_UINT8:
        for (i = 0; i < n; i++) s += ((const uint8_t *)a->data)[i * st];
        break;
      default:
        for (i = 0; i < n; i++) s += ((const uint8_t *)a->data)[i * st] != 0;
        break;
    }
    memcpy(r->data, &s, sizeof s);
  }
  if (nn__ag_wanted1(a)) r = nn__grad_trace(r, a);
  return r;
}

/* ---- torch.nn.functional.linear ---- */

/* x (..., in) as an R x in matrix without copying: 1 with *R and *rs (the row stride) when the leading axes merge
   into one (axes of length 1 ignored), else 0. */
NN__PRIVATE int nn__lin_rows(const nn_tensor *x, int64_t *R, int64_t *rs) {
  int d, seen = 0;
  int64_t r = 1, next = 0;
  *rs = x->shape[x->ndim - 1];
  for (d = 0; d + 1 < x->ndim; d++) r *= x->shape[d];
  *R = r;
  for (d = x->ndim - 2; d >= 0; d--) {
    if (x->shape[d] == 1) continue;
    if (!seen) {
      *rs = x->strides[d];
      seen = 1;
    } else if (x->strides[d] != next) {
      return 0;
    }
    next = x->strides[d] * x->shape[d];
  }
  return 1;
}

/* The GEMM reading of x (R x in) as op(A): trans and ld, or 0 when it needs a copy. */
NN__PRIVATE int nn__lin_xop(const nn_tensor *x, int64_t R, int64_t rs, int *trans, int64_t *ld) {
  nn__mm_operand o;
  memset(&o, 0, sizeof o);
  o.rows = R;
  o.cols = x->shape[x->ndim - 1];
  o.rs = rs;
  o.cs = x->strides[x->ndim - 1];
  if (!nn__mm_layout(&o)) return 0;
  *trans = o.trans;
  *ld = o.ld;
  return 1;
}

/* The GEMM reading of w (out, in) as op(B) = w^T (in x out) when transposed is 0 (forward), or of w itself (out x
   in) when it is 1 (input gradient): trans and ld, or 0 when it needs a copy. */
NN__PRIVATE int nn__lin_wop(const nn_tensor *w, int transposed, int *trans, int64_t *ld) {
  nn__mm_operand o;
  memset(&o, 0, sizeof o);
  o.rows = w->shape[transposed ? 0 : 1];
  o.cols = w->shape[transposed ? 1 : 0];
  o.rs = w->strides[transposed ? 0 : 1];
  o.cs = w->strides[transposed ? 1 : 0];
  if (!nn__mm_layout(&o)) return 0;
  *trans = o.trans;
  *ld = o.ld;
  return 1;
}

/* Rows [c * per, ...) of y (R x O) set to the bias (already in row 0). */
typedef struct nn__lin_fill {
  char *y;
  int64_t R, rowbytes, per;
} nn__lin_fill;

NN__PRIVATE void nn__lin_fill_chunk(void *vctx, int64_t c) {
  const nn__lin_fill *f = (const nn__lin_fill *)vctx;
  int64_t i = c * f->per, e = i + f->per;
  if (e > f->R) e = f->R;
  if (i == 0) i = 1;
  for (; i < e; i++) memcpy(f->y + i * f->rowbytes, f->y, (size_t)f->rowbytes);
}

NN__PRIVATE nn_status nn__lin_gemm(nn_dtype dt, int ta, int tb, int64_t M, int64_t N, int64_t K, const void *A,
                                   int64_t lda, const void *B, int64_t ldb, double beta, void *C, int64_t ldc) {
  if (dt == NN_FLOAT32)
    return nn_sgemm(ta, tb, M, N, K, 1.0f, (const float *)A, lda, (const float *)B, ldb, (float)beta, (float *)C, ldc);
  return nn_dgemm(ta, tb, M, N, K, 1.0, (const double *)A, lda, (const double *)B, ldb, beta, (double *)C, ldc);
}

NNDEF nn_tensor *nn_linear(const nn_tensor *x, const nn_tensor *w, const nn_tensor *b) {
  const char *name = "nn_linear";
  int64_t oshape[NN_MAX_DIMS], R, rs, IN, O, ldx = 1, ldw = 1;
  int d, tx = 0, tw = 0;
  nn_tensor *xc = NULL, *wc = NULL, *y = NULL;
  const nn_tensor *xm = x, *wm = w;
  char s1[160], s2[160];
  if (nn__check_cpu(name, x, "x") != NN_OK || nn__check_cpu(name, w, "w") != NN_OK) return NULL;
  if (b && nn__check_cpu(name, b, "b") != NN_OK) return NULL;
  if (!nn__is_float(x->dtype) || w->dtype != x->dtype || (b && b->dtype != x->dtype)) {
    nn__fail(NN_ERR_DTYPE, "%s: x, w and b must all be float32 or all float64, got x %s, w %s, b %s", name,
             nn_dtype_name(x->dtype), nn_dtype_name(w->dtype), b ? nn_dtype_name(b->dtype) : "NULL");
    return NULL;
  }
  if (x->ndim < 1 || w->ndim != 2 || w->shape[1] != x->shape[x->ndim - 1]) {
    nn__fail(NN_ERR_SHAPE, "%s: x of shape %s and w of shape %s cannot be multiplied (expected x (..., in), w (out, in))",
             name, nn_shape_str(x, s1, sizeof s1), nn_shape_str(w, s2, sizeof s2));
    return NULL;
  }
  O = w->shape[0];
  IN = w->shape[1];
  if (b && (b->ndim != 1 || b->shape[0] != O)) {
    nn__fail(NN_ERR_SHAPE, "%s: expected b of shape (%lld,) for w of shape %s, got b of shape %s", name, (long long)O,
             nn_shape_str(w, s1, sizeof s1), nn_shape_str(b, s2, sizeof s2));
    return NULL;
  }
  for (d = 0; d + 1 < x->ndim; d++) oshape[d] = x->shape[d];
  oshape[x->ndim - 1] = O;
  if (!nn__lin_rows(x, &R, &rs) || !nn__lin_xop(x, R, rs, &tx, &ldx)) { /* gapped or broadcast rows: one copy */
    xc = nn__new(name, x->dtype, x->shape, x->ndim);
    if (!xc) return NULL;
    nn__assign(xc, x);
    xm = xc;
    tx = 0;
    ldx = IN > 1 ? IN : 1;
  }
  if (!nn__lin_wop(w, 0, &tw, &ldw)) {
    wc = nn__new(name, w->dtype, w->shape, 2);
    if (!wc) goto fail;
    nn__assign(wc, w);
    wm = wc;
    tw = 1;
    ldw = IN > 1 ? IN : 1;
  }
  y = nn__new(name, x->dtype, oshape, x->ndim);
  if (!y) goto fail;
  if (R > 0 && O > 0) {
    if (b) { /* bias rows first; the GEMM then accumulates onto them (beta = 1) */
      nn__lin_fill f;
      int64_t j;
      if (x->dtype == NN_FLOAT32)
        for (j = 0; j < O; j++) ((float *)y->data)[j] = ((const float *)b->data)[j * b->strides[0]];
      else
        for (j = 0; j < O; j++) ((double *)y->data)[j] = ((const double *)b->data)[j * b->strides[0]];
      f.y = (char *)y->data;
      f.R = R;
      f.rowbytes = O * (int64_t)nn_dtype_size(x->dtype);
      f.per = ((int64_t)1 << 18) / f.rowbytes;
      if (f.per < 1) f.per = 1;
      nn__parallel_for((R + f.per - 1) / f.per, nn__lin_fill_chunk, &f);
    }
    if (nn__lin_gemm(x->dtype, tx, tw, R, O, IN, xm->data, ldx, wm->data, ldw, b ? 1.0 : 0.0, y->data, O) != NN_OK)
      goto fail;
  }
  nn_free(wc);
  if (nn__ag_wanted3(x, w, b)) y = nn__grad_linear(y, x, xm, w, b);
  nn_free(xc);
  return y;
fail:
  nn_free(xc);
  nn_free(wc);
  nn_free(y);
  return NULL;
}
