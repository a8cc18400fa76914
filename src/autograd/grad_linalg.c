/* autograd/grad_linalg.c: backward formulas of matmul and its relatives (dot, inner, outer, trace) and of
   nn_linear.

   Every gradient is a GEMM on the saved operands read in place with flipped transpose flags (for C = A B:
   dA = G B^T, dB = A^T G), written straight into the gradient tensor. Where broadcasting reused an operand's matrix
   across batch entries, the products of those entries are accumulated into the same gradient matrix (beta = 1
   after the first), so nothing larger than the gradients is allocated; only an output gradient the GEMM cannot read
   (a broadcast one, say) or an operand with gapped strides is first made contiguous. */

/* One operand of a batched product: matrix of batch index idx at data + sum_d idx[d] bst[d] (elements), read by
   the GEMM as op(X) with trans and ld. */
typedef struct nn__ag_mmop {
  const char *data;
  int trans;
  int64_t ld;
  int64_t bst[NN_MAX_DIMS];
} nn__ag_mmop;

/* C (M x N, row stride ldc) = sum over the batch entries that map to it of op(A) op(B). The batch shape is bshape;
   C varies along the axes where cbst != 0 (its own axes) and sums over the others. */
typedef struct nn__ag_bmm {
  nn_dtype dt;
  int64_t M, N, K;
  int nbd;
  int64_t bshape[NN_MAX_DIMS];
  nn__ag_mmop a, b;
  char *c;
  int64_t ldc, cbst[NN_MAX_DIMS];
  int nown, nred, own[NN_MAX_DIMS], red[NN_MAX_DIMS];
  int64_t nC, nR, per;
  int fold; /* the summed entries are stacked along K in both operands: one GEMM with K * nR */
  int64_t failed;
} nn__ag_bmm;

/* Fills idx[d] for the axes list ax[0..nax) from the flat index i (row-major over those axes). */
NN__PRIVATE void nn__ag_bmm_index(const nn__ag_bmm *j, const int *ax, int nax, int64_t i, int64_t *idx) {
  int k;
  for (k = nax - 1; k >= 0; k--) {
    int64_t n = j->bshape[ax[k]];
    idx[ax[k]] = i % n;
    i /= n;
  }
}

NN__PRIVATE int nn__ag_bmm_one(const nn__ag_bmm *j, int64_t ci) {
  int64_t idx[NN_MAX_DIMS], oc = 0, ri;
  size_t es = nn_dtype_size(j->dt);
  int d, rc = 0;
  char *c;
  for (d = 0; d < j->nbd; d++) idx[d] = 0;
  nn__ag_bmm_index(j, j->own, j->nown, ci, idx);
  for (d = 0; d < j->nbd; d++) oc += idx[d] * j->cbst[d];
  c = j->c + oc * (int64_t)es;
  if (j->nR == 0) { /* an empty broadcast axis: zero gradient */
    if (j->dt == NN_FLOAT32)
      return nn__sgemm_kernel(0, 0, j->M, j->N, 0, 1.0f, NULL, 1, NULL, 1, 0.0f, (float *)c, j->ldc);
    return nn__dgemm_kernel(0, 0, j->M, j->N, 0, 1.0, NULL, 1, NULL, 1, 0.0, (double *)c, j->ldc);
  }
  if (j->fold) {
    int64_t oa = 0, ob = 0;
    for (d = 0; d < j->nbd; d++) {
      oa += idx[d] * j->a.bst[d];
      ob += idx[d] * j->b.bst[d];
    }
    if (j->dt == NN_FLOAT32)
      return nn__sgemm_kernel(j->a.trans, j->b.trans, j->M, j->N, j->K * j->nR, 1.0f, (const float *)j->a.data + oa,
                              j->a.ld, (const float *)j->b.data + ob, j->b.ld, 0.0f, (float *)c, j->ldc);
    return nn__dgemm_kernel(j->a.trans, j->b.trans, j->M, j->N, j->K * j->nR, 1.0, (const double *)j->a.data + oa,
                            j->a.ld, (const double *)j->b.data + ob, j->b.ld, 0.0, (double *)c, j->ldc);
  }
  for (ri = 0; ri < j->nR && rc == 0; ri++) {
    int64_t oa = 0, ob = 0;
    nn__ag_bmm_index(j, j->red, j->nred, ri, idx);
    for (d = 0; d < j->nbd; d++) {
      oa += idx[d] * j->a.bst[d];
      ob += idx[d] * j->b.bst[d];
    }
    if (j->dt == NN_FLOAT32)
      rc = nn__sgemm_kernel(j->a.trans, j->b.trans, j->M, j->N, j->K, 1.0f, (const float *)j->a.data + oa, j->a.ld,
                            (const float *)j->b.data + ob, j->b.ld, ri ? 1.0f : 0.0f, (float *)c, j->ldc);
    else
      rc = nn__dgemm_kernel(j->a.trans, j->b.trans, j->M, j->N, j->K, 1.0, (const double *)j->a.data + oa, j->a.ld,
                            (const double *)j->b.data + ob, j->b.ld, ri ? 1.0 : 0.0, (double *)c, j->ldc);
  }
  return rc;
}

NN__PRIVATE void nn__ag_bmm_chunk(void *vctx, int64_t c) {
  nn__ag_bmm *j = (nn__ag_bmm *)vctx;
  int64_t ci, e = (c + 1) * j->per < j->nC ? (c + 1) * j->per : j->nC;
  for (ci = c * j->per; ci < e; ci++)
    if (nn__ag_bmm_one(j, ci) != 0) {
#if defined(NN_NO_THREADS)
      j->failed = 1;
#else
      nn__fetch_add(&j->failed, 1);
#endif
      return;
    }
}

/* Runs the job (fields up to cbst set); small products run in parallel over C's matrices, large ones one after the
   other with a parallel GEMM each. Chunks depend only on the sizes. */
NN__PRIVATE nn_status nn__ag_bmm_run(const char *name, nn__ag_bmm *j) {
  int d;
  double work;
  j->nown = j->nred = 0;
  j->nC = j->nR = 1;
  j->failed = 0;
  for (d = 0; d < j->nbd; d++) {
    if (j->cbst[d] == 0 && j->bshape[d] != 1) {
      j->red[j->nred++] = d;
      j->nR *= j->bshape[d];
    } else {
      j->own[j->nown++] = d;
      j->nC *= j->bshape[d];
    }
  }
  if (j->nC == 0 || j->M == 0 || j->N == 0) return NN_OK;
  /* op(A)'s columns and op(B)'s rows are K-long runs at stride ld; when the summed entries follow each other at
     K * ld in both (a batched left operand against a shared right one, say), they form one longer product */
  j->fold = j->nred > 0 && j->nR > 0 && j->a.trans && !j->b.trans;
  {
    int64_t ea = j->K * j->a.ld, eb = j->K * j->b.ld;
    for (d = j->nred - 1; d >= 0 && j->fold; d--) {
      int ax = j->red[d];
      if (j->a.bst[ax] != ea || j->b.bst[ax] != eb) j->fold = 0;
      ea *= j->bshape[ax];
      eb *= j->bshape[ax];
    }
  }
  work = (double)j->M * (double)j->N * (double)j->K * (double)(j->nR > 0 ? j->nR : 1);
  if (j->nC > 1 && (double)j->M * (double)j->N * (double)j->K < NN__MM_BATCH_PAR) {
    j->per = (int64_t)(NN__MM_GRAIN / (work > 1 ? work : 1));
    if (j->per < 1) j->per = 1;
    nn__parallel_for((j->nC + j->per - 1) / j->per, nn__ag_bmm_chunk, j);
  } else {
    j->per = j->nC;
    nn__ag_bmm_chunk(j, 0);
  }
  if (j->failed)
    return nn__fail(NN_ERR_OOM, "nn_backward: %s: cannot allocate the GEMM packing buffers", name);
  return NN_OK;
}

/* t as a GEMM operand (which: 0 = left, 1 = right, as in nn__mm_geom), in dtype dt: t itself or, when its dtype
   differs or the GEMM cannot read its matrices in place, a contiguous copy in *tmp. NULL on failure. */
NN__PRIVATE const nn_tensor *nn__ag_mm_operand(const nn_tensor *t, int which, int nbd, const int64_t *bshape,
                                               nn_dtype dt, nn__mm_operand *o, nn_tensor **tmp) {
  *tmp = NULL;
  if (t->dtype == dt) {
    nn__mm_geom(o, t, which, nbd, bshape);
    if (nn__mm_layout(o)) return t;
  }
  *tmp = nn__new("nn_backward", dt, t->shape, t->ndim);
  if (!*tmp) return NULL;
  nn__assign(*tmp, t);
  nn__mm_geom(o, *tmp, which, nbd, bshape);
  nn__mm_layout(o);
  return *tmp;
}

/* op(X)^T of an operand: the same storage with the transpose flag flipped. */
NN__PRIVATE void nn__ag_mmop_set(nn__ag_mmop *d, const nn__mm_operand *o, int transpose, int nbd) {
  int k;
  d->data = o->data;
  d->trans = transpose ? !o->trans : o->trans;
  d->ld = o->ld;
  for (k = 0; k < nbd; k++) d->bst[k] = o->bst[k];
}

/* A contiguous output gradient (row-major, ld columns per row) as the operand of batch strides gst. */
NN__PRIVATE void nn__ag_mmop_g(nn__ag_mmop *d, const nn_tensor *g, int transpose, int64_t ld, int nbd,
                               const int64_t *gst) {
  int k;
  d->data = (const char *)g->data;
  d->trans = transpose;
  d->ld = ld > 1 ? ld : 1;
  for (k = 0; k < nbd; k++) d->bst[k] = gst[k];
}

/* Batch strides of a contiguous gradient dx of x's shape along the batch axes of a product (0 where x was
   broadcast). */
NN__PRIVATE void nn__ag_cbst(const nn_tensor *dx, int nbd, const int64_t *bshape, int64_t *cbst) {
  int xb = dx->ndim >= 2 ? dx->ndim - 2 : 0, off = nbd - xb, d;
  for (d = 0; d < nbd; d++)
    cbst[d] = (d < off || (dx->shape[d - off] == 1 && bshape[d] != 1)) ? 0 : dx->strides[d - off];
}

/* ---- matmul ---- */

NN__PRIVATE nn_status nn__matmul_backward(nn__node *n, const nn_tensor *gout, nn_tensor **gin) {
  const nn_tensor *a0 = n->saved[0], *b0 = n->saved[1], *a, *b, *g;
  nn_tensor *ta = NULL, *tb = NULL, *tg = NULL, *da = NULL, *db = NULL;
  nn_dtype dt = (nn_dtype)n->i[0];
  int64_t bshape[NN_MAX_DIMS], gst[NN_MAX_DIMS], M, N, K, s;
  int na, nb, nbd, d;
  nn__mm_operand oa, ob;
  nn__ag_bmm j;
  nn_status st = NN_OK;
  M = a0->ndim == 1 ? 1 : a0->shape[a0->ndim - 2];
  K = a0->shape[a0->ndim - 1];
  N = b0->ndim == 1 ? 1 : b0->shape[b0->ndim - 1];
  na = a0->ndim > 2 ? a0->ndim - 2 : 0;
  nb = b0->ndim > 2 ? b0->ndim - 2 : 0;
  nbd = na > nb ? na : nb;
  for (d = 0; d < nbd; d++) {
    int64_t sa = d < nbd - na ? 1 : a0->shape[d - (nbd - na)], sb = d < nbd - nb ? 1 : b0->shape[d - (nbd - nb)];
    bshape[d] = sa == 1 ? sb : sa;
  }
  for (s = M * N, d = nbd - 1; d >= 0; d--) { /* g is contiguous (batch..., M, N) */
    gst[d] = s;
    s *= bshape[d];
  }
  a = nn__ag_mm_operand(a0, 0, nbd, bshape, dt, &oa, &ta);
  b = a ? nn__ag_mm_operand(b0, 1, nbd, bshape, dt, &ob, &tb) : NULL;
  g = b ? nn__ag_dense(gout, dt, &tg) : NULL;
  if (!g) {
    st = nn_last_status();
    goto done;
  }
  memset(&j, 0, sizeof j);
  j.dt = dt;
  j.nbd = nbd;
  for (d = 0; d < nbd; d++) j.bshape[d] = bshape[d];
  if (n->in[0].node) { /* da (M x K) = g (M x N) b^T */
    da = nn__new(n->name, dt, a0->shape, a0->ndim);
    if (!da) goto fail;
    j.M = M;
    j.N = K;
    j.K = N;
    nn__ag_mmop_g(&j.a, g, 0, N, nbd, gst);
    nn__ag_mmop_set(&j.b, &ob, 1, nbd);
    j.c = (char *)da->data;
    j.ldc = K > 1 ? K : 1;
    nn__ag_cbst(da, nbd, bshape, j.cbst);
    if (nn__ag_bmm_run(n->name, &j) != NN_OK) goto fail;
  }
  if (n->in[1].node) { /* db (K x N) = a^T (K x M) g */
    db = nn__new(n->name, dt, b0->shape, b0->ndim);
    if (!db) goto fail;
    j.M = K;
    j.N = N;
    j.K = M;
    nn__ag_mmop_set(&j.a, &oa, 1, nbd);
    nn__ag_mmop_g(&j.b, g, 0, N, nbd, gst);
    j.c = (char *)db->data;
    j.ldc = N > 1 ? N : 1;
    nn__ag_cbst(db, nbd, bshape, j.cbst);
    if (nn__ag_bmm_run(n->name, &j) != NN_OK) goto fail;
  }
  gin[0] = da;
  gin[1] = db;
  goto done;
fail:
  st = nn_last_status();
  nn_free(da);
  nn_free(db);
done:
  nn_free(ta);
  nn_free(tb);
  nn_free(tg);
  return st;
}

/* Saves both operands; n->i[0] is the result dtype. Integer and bool products are not differentiable. */
NN__PRIVATE nn_tensor *nn__ag_record2(const char *name, nn__backward_fn fn, nn_tensor *res, const nn_tensor *a,
                                      const nn_tensor *b) {
  const nn_tensor *in[2];
  nn__node *n;
  if (!nn__is_float(res->dtype)) return res;
  in[0] = a;
  in[1] = b;
  n = nn__ag_node(name, fn, 2, in);
  if (n) {
    n->i[0] = (int64_t)res->dtype;
    if (nn__ag_save(n, 0, a) != NN_OK || nn__ag_save(n, 1, b) != NN_OK) {
      nn__node_decref(n);
      n = NULL;
    }
  }
  return nn__ag_attach(n, res);
}

NN__PRIVATE nn_tensor *nn__grad_matmul(const char *name, nn_tensor *res, const nn_tensor *a, const nn_tensor *b) {
  return nn__ag_record2(name, nn__matmul_backward, res, a, b);
}

/* ---- dot with b of 3+ dimensions, inner, outer: products of 2-D reshapes ---- */

/* x reshaped to (rows, cols) as a GEMM operand in dtype dt (a view when possible, else a copy in *tmp). */
NN__PRIVATE const nn_tensor *nn__ag_mat2(const nn_tensor *x, int64_t rows, int64_t cols, int which, nn_dtype dt,
                                         nn__mm_operand *o, nn_tensor **tmp) {
  int64_t s2[2];
  nn_tensor *v, *t2 = NULL;
  const nn_tensor *r;
  s2[0] = rows;
  s2[1] = cols;
  *tmp = NULL;
  v = nn_reshape(x, s2, 2);
  if (!v) return NULL;
  r = nn__ag_mm_operand(v, which, 0, NULL, dt, o, &t2);
  if (!r) {
    nn_free(v);
    return NULL;
  }
  if (t2) { /* a copy: the view is no longer needed */
    nn_free(v);
    *tmp = t2;
  } else {
    *tmp = v; /* keep the view alive while o points into it */
  }
  return r;
}

/* dot(a, b) = sum_k a[i..., k] b[j..., k, n]: per batch entry j of b, res[:, j, :] = a2 (Ar x K) @ b_j (K x N),
   res seen as (Ar, J, N). da2 = sum_j g_j b_j^T; db_j = a2^T g_j, g_j read in place with row stride J N. */
NN__PRIVATE nn_status nn__dot_nd_backward(nn__node *n, const nn_tensor *gout, nn_tensor **gin) {
  const nn_tensor *a0 = n->saved[0], *b0 = n->saved[1], *a2, *b, *g;
  nn_tensor *ta = NULL, *tb = NULL, *tg = NULL, *da = NULL, *db = NULL;
  nn_dtype dt = (nn_dtype)n->i[0];
  int64_t bshape[NN_MAX_DIMS], gst[NN_MAX_DIMS], K, N, Ar = 1, J = 1, s;
  int nbd = b0->ndim - 2, d;
  nn__mm_operand oa, ob;
  nn__ag_bmm j;
  nn_status st = NN_OK;
  K = a0->shape[a0->ndim - 1];
  N = b0->shape[b0->ndim - 1];
  for (d = 0; d + 1 < a0->ndim; d++) Ar *= a0->shape[d];
  for (d = 0; d < nbd; d++) {
    bshape[d] = b0->shape[d];
    J *= bshape[d];
  }
  for (s = N, d = nbd - 1; d >= 0; d--) {
    gst[d] = s;
    s *= bshape[d];
  }
  a2 = nn__ag_mat2(a0, Ar, K, 0, dt, &oa, &ta);
  b = a2 ? nn__ag_mm_operand(b0, 1, nbd, bshape, dt, &ob, &tb) : NULL;
  g = b ? nn__ag_dense(gout, dt, &tg) : NULL;
  if (!g) {
    st = nn_last_status();
    goto done;
  }
  for (d = 0; d < nbd; d++) oa.bst[d] = 0; /* a2 is shared by every j */
  memset(&j, 0, sizeof j);
  j.dt = dt;
  j.nbd = nbd;
  for (d = 0; d < nbd; d++) j.bshape[d] = bshape[d];
  if (n->in[0].node) { /* da2 (Ar x K) = sum_j g_j (Ar x N) b_j^T */
    da = nn__new(n->name, dt, a0->shape, a0->ndim);
    if (!da) goto fail;
    j.M = Ar;
    j.N = K;
    j.K = N;
    nn__ag_mmop_g(&j.a, g, 0, J * N, nbd, gst);
    nn__ag_mmop_set(&j.b, &ob, 1, nbd);
    j.c = (char *)da->data;
    j.ldc = K > 1 ? K : 1;
    for (d = 0; d < nbd; d++) j.cbst[d] = 0;
    if (nn__ag_bmm_run(n->name, &j) != NN_OK) goto fail;
  }
  if (n->in[1].node) { /* db_j (K x N) = a2^T g_j */
    db = nn__new(n->name, dt, b0->shape, b0->ndim);
    if (!db) goto fail;
    j.M = K;
    j.N = N;
    j.K = Ar;
    nn__ag_mmop_set(&j.a, &oa, 1, nbd);
    nn__ag_mmop_g(&j.b, g, 0, J * N, nbd, gst);
    j.c = (char *)db->data;
    j.ldc = N > 1 ? N : 1;
    for (d = 0; d < nbd; d++) j.cbst[d] = db->strides[d];
    if (nn__ag_bmm_run(n->name, &j) != NN_OK) goto fail;
  }
  gin[0] = da;
  gin[1] = db;
  goto done;
fail:
  st = nn_last_status();
  nn_free(da);
  nn_free(db);
done:
  nn_free(ta);
  nn_free(tb);
  nn_free(tg);
  return st;
}

NN__PRIVATE nn_tensor *nn__grad_dot_nd(nn_tensor *res, const nn_tensor *a, const nn_tensor *b) {
  return nn__ag_record2("nn_dot", nn__dot_nd_backward, res, a, b);
}

/* Unbatched products of 2-D reshapes. inner: res (Ar x Br) = a2 (Ar x K) b2^T, so da2 = g b2 and db2 = g^T a2.
   outer: res (A x B) = a (A x 1) b^T (1 x B), so da = g b and db = g^T a (matrix-vector products). */
NN__PRIVATE nn_status nn__inner_outer_backward(nn__node *n, const nn_tensor *gout, nn_tensor **gin) {
  const nn_tensor *a0 = n->saved[0], *b0 = n->saved[1], *a2, *b2, *g;
  nn_tensor *ta = NULL, *tb = NULL, *tg = NULL, *da = NULL, *db = NULL;
  nn_dtype dt = (nn_dtype)n->i[0];
  int outer = (int)n->i[1], d;
  int64_t K, Ar = 1, Br = 1;
  nn__mm_operand oa, ob;
  nn__ag_bmm j;
  nn_status st = NN_OK;
  if (outer) {
    K = 1;
    Ar = a0->size;
    Br = b0->size;
  } else {
    K = a0->shape[a0->ndim - 1];
    for (d = 0; d + 1 < a0->ndim; d++) Ar *= a0->shape[d];
    for (d = 0; d + 1 < b0->ndim; d++) Br *= b0->shape[d];
  }
  /* both as (rows, K) matrices: the right-hand operand of each product below */
  a2 = nn__ag_mat2(a0, Ar, K, 1, dt, &oa, &ta);
  b2 = a2 ? nn__ag_mat2(b0, Br, K, 1, dt, &ob, &tb) : NULL;
  g = b2 ? nn__ag_dense(gout, dt, &tg) : NULL;
  if (!g) {
    st = nn_last_status();
    goto done;
  }
  memset(&j, 0, sizeof j);
  j.dt = dt;
  if (n->in[0].node) { /* da2 (Ar x K) = g (Ar x Br) b2 (Br x K) */
    da = nn__new(n->name, dt, a0->shape, a0->ndim);
    if (!da) goto fail;
    j.M = Ar;
    j.N = K;
    j.K = Br;
    nn__ag_mmop_g(&j.a, g, 0, Br, 0, NULL);
    nn__ag_mmop_set(&j.b, &ob, 0, 0);
    j.c = (char *)da->data;
    j.ldc = K > 1 ? K : 1;
    if (nn__ag_bmm_run(n->name, &j) != NN_OK) goto fail;
  }
  if (n->in[1].node) { /* db2 (Br x K) = g^T (Br x Ar) a2 (Ar x K) */
    db = nn__new(n->name, dt, b0->shape, b0->ndim);
    if (!db) goto fail;
    j.M = Br;
    j.N = K;
    j.K = Ar;
    nn__ag_mmop_g(&j.a, g, 1, Br, 0, NULL);
    nn__ag_mmop_set(&j.b, &oa, 0, 0);
    j.c = (char *)db->data;
    j.ldc = K > 1 ? K : 1;
    if (nn__ag_bmm_run(n->name, &j) != NN_OK) goto fail;
  }
  gin[0] = da;
  gin[1] = db;
  goto done;
fail:
  st = nn_last_status();
  nn_free(da);
  nn_free(db);
done:
  nn_free(ta);
  nn_free(tb);
  nn_free(tg);
  return st;
}

NN__PRIVATE nn_tensor *nn__grad_inner(nn_tensor *res, const nn_tensor *a, const nn_tensor *b) {
  res = nn__ag_record2("nn_inner", nn__inner_outer_backward, res, a, b);
  if (res && res->grad_node) ((nn__node *)res->grad_node)->i[1] = 0;
  return res;
}

NN__PRIVATE nn_tensor *nn__grad_outer(nn_tensor *res, const nn_tensor *a, const nn_tensor *b) {
  res = nn__ag_record2("nn_outer", nn__inner_outer_backward, res, a, b);
  if (res && res->grad_node) ((nn__node *)res->grad_node)->i[1] = 1;
  return res;
}

/* ---- trace: g on the main diagonal ---- */

NN__PRIVATE nn_status nn__trace_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  const nn__edge *e = &n->in[0];
  nn_dtype dt = g->dtype;
  nn_tensor *da = nn_zeros(e->shape, 2, dt);
  int64_t i, m = e->shape[0] < e->shape[1] ? e->shape[0] : e->shape[1];
  double v;
  if (!da) return nn_last_status();
  v = nn_get_flat(g, 0);
  for (i = 0; i < m; i++) {
    if (dt == NN_FLOAT32) ((float *)da->data)[i * (e->shape[1] + 1)] = (float)v;
    else ((double *)da->data)[i * (e->shape[1] + 1)] = v;
  }
  gin[0] = da;
  return NN_OK;
}

NN__PRIVATE nn_tensor *nn__grad_trace(nn_tensor *res, const nn_tensor *a) {
  if (!nn__is_float(res->dtype)) return res;
  return nn__ag_attach(nn__ag_node("nn_trace", nn__trace_backward, 1, &a), res);
}

/* ---- linear: y = x w^T + b ---- */

/* saved[0]: x as the forward pass read it (x or its contiguous copy), saved[1]: w. dx = g w, dw = g^T x (one GEMM
   over all rows), db = g summed over rows. */
NN__PRIVATE nn_status nn__linear_backward(nn__node *n, const nn_tensor *gout, nn_tensor **gin) {
  const nn_tensor *xm = n->saved[0], *w = n->saved[1], *g, *wm;
  nn_tensor *tg = NULL, *tw = NULL, *xc = NULL, *dx = NULL, *dw = NULL, *db = NULL, *g2 = NULL;
  nn_dtype dt = w->dtype;
  int64_t O = w->shape[0], IN = w->shape[1], R, rs, ldx = 1, ldw = 1, s2[2];
  int tx = 0, tw_ = 0, axis0 = 0;
  nn_status st = NN_OK;
  g = nn__ag_dense(gout, dt, &tg);
  if (!g) return nn_last_status();
  if (n->in[0].node) { /* dx (R x in) = g (R x out) w (out x in) */
    wm = w;
    if (!nn__lin_wop(w, 1, &tw_, &ldw)) {
      tw = nn_copy(w);
      if (!tw) goto fail;
      wm = tw;
      tw_ = 0;
      ldw = IN > 1 ? IN : 1;
    }
    dx = nn__new(n->name, dt, n->in[0].shape, n->in[0].ndim);
    if (!dx) goto fail;
    R = dx->size / (IN > 0 ? IN : 1);
    if (IN == 0) R = 0;
    if (R > 0 && IN > 0 && nn__lin_gemm(dt, 0, tw_, R, IN, O, g->data, O > 1 ? O : 1, wm->data, ldw, 0.0, dx->data,
                                        IN) != NN_OK)
      goto fail;
  }
  if (n->in[1].node) { /* dw (out x in) = g^T (out x R) x (R x in) */
    const nn_tensor *xv = xm;
    if (!nn__lin_rows(xm, &R, &rs) || !nn__lin_xop(xm, R, rs, &tx, &ldx)) { /* not after the forward's copy */
      xc = nn_copy(xm);
      if (!xc) goto fail;
      xv = xc;
      tx = 0;
      ldx = IN > 1 ? IN : 1;
    }
    dw = nn__new(n->name, dt, w->shape, 2);
    if (!dw) goto fail;
    if (O > 0 && IN > 0 &&
        nn__lin_gemm(dt, 1, tx, O, IN, R, g->data, O > 1 ? O : 1, xv->data, ldx, 0.0, dw->data, IN) != NN_OK)
      goto fail;
  }
  if (n->nin > 2 && n->in[2].node) { /* db = column sums of g (R x out) */
    s2[1] = O;
    s2[0] = O > 0 ? g->size / O : 0;
    g2 = nn_reshape(g, s2, 2);
    if (!g2) goto fail;
    db = nn_reduce(NN_REDUCE_SUM, g2, &axis0, 1, 0, 0);
    if (!db) goto fail;
  }
  gin[0] = dx;
  gin[1] = dw;
  if (n->nin > 2) gin[2] = db;
  goto done;
fail:
  st = nn_last_status();
  nn_free(dx);
  nn_free(dw);
  nn_free(db);
done:
  nn_free(tg);
  nn_free(tw);
  nn_free(xc);
  nn_free(g2);
  return st;
}

NN__PRIVATE nn_tensor *nn__grad_linear(nn_tensor *res, const nn_tensor *x, const nn_tensor *xm, const nn_tensor *w,
                                       const nn_tensor *b) {
  const nn_tensor *in[3];
  nn__node *n;
  int ok;
  in[0] = x;
  in[1] = w;
  in[2] = b;
  n = nn__ag_node("nn_linear", nn__linear_backward, b ? 3 : 2, in);
  if (n) { /* x is needed for dw only, w for dx only */
    ok = (!n->in[1].node || nn__ag_save(n, 0, xm) == NN_OK) && nn__ag_save(n, 1, w) == NN_OK;
    if (!ok) {
      nn__node_decref(n);
      n = NULL;
    }
  }
  return nn__ag_attach(n, res);
}
