/* nn/layer_kernels.c: typed loops of the fused layer ops (the template nn/layer_kernels.inc for float and double),
   a dtype-dispatching GEMM, and the "part" node that exposes pieces of one fused result as differentiable views. */

#define NN__LK_CAT2(a, b) a##b
#define NN__LK_CAT(a, b) NN__LK_CAT2(a, b)

#define NN__LK_R float
#define NN__LK_DT NN_FLOAT32
#define NN__LK(name) NN__LK_CAT(name, _f32)
#define NN__LK_EXP expf
#define NN__LK_TANH tanhf
#include "layer_kernels.inc"
#undef NN__LK_R
#undef NN__LK_DT
#undef NN__LK
#undef NN__LK_EXP
#undef NN__LK_TANH

#define NN__LK_R double
#define NN__LK_DT NN_FLOAT64
#define NN__LK(name) NN__LK_CAT(name, _f64)
#define NN__LK_EXP exp
#define NN__LK_TANH tanh
#include "layer_kernels.inc"
#undef NN__LK_R
#undef NN__LK_DT
#undef NN__LK
#undef NN__LK_EXP
#undef NN__LK_TANH

/* C = alpha op(A) op(B) + beta C for float32 or float64 data (row-major, as nn_sgemm). */
NN__PRIVATE nn_status nn__lk_gemm(nn_dtype dt, int ta, int tb, int64_t M, int64_t N, int64_t K, double alpha,
                                  const void *A, int64_t lda, const void *B, int64_t ldb, double beta, void *C,
                                  int64_t ldc) {
  if (M == 0 || N == 0) return NN_OK;
  if (dt == NN_FLOAT32)
    return nn_sgemm(ta, tb, M, N, K, (float)alpha, (const float *)A, lda, (const float *)B, ldb, (float)beta,
                    (float *)C, ldc);
  return nn_dgemm(ta, tb, M, N, K, alpha, (const double *)A, lda, (const double *)B, ldb, beta, (double *)C, ldc);
}

/* Fixed row chunks for the per-row loops: about 16K elements each, so the split depends only on the sizes. */
NN__PRIVATE int64_t nn__lk_rows_per_chunk(int64_t row_len) {
  int64_t r = row_len > 0 ? 16384 / row_len : 16384;
  return r < 1 ? 1 : r;
}

/* A contiguous tensor with x's values in dtype dt: x itself as a new header when it already is one. */
NN__PRIVATE nn_tensor *nn__lk_contig(const nn_tensor *x, nn_dtype dt) {
  if (x->dtype != dt) return nn_astype(x, dt);
  return nn_contiguous(x);
}

/* ---- part: a differentiable view of a piece of a fused op's result ---- */

/* n->i: [0] ndim, [1..ndim] shape, [1+ndim..2 ndim] strides, [1+2 ndim] offset in elements. */
NN__PRIVATE nn_status nn__part_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  const nn__edge *e = &n->in[0];
  int nd = (int)n->i[0], k;
  int64_t shape[NN_MAX_DIMS], strides[NN_MAX_DIMS];
  nn_tensor *z, *v;
  nn_status st;
  for (k = 0; k < nd; k++) {
    shape[k] = n->i[1 + k];
    strides[k] = n->i[1 + nd + k];
  }
  z = nn_zeros(e->shape, e->ndim, g->dtype);
  if (!z) return nn_last_status();
  v = nn__view(n->name, z, shape, strides, nd, (char *)z->data + n->i[1 + 2 * nd] * (int64_t)nn_dtype_size(z->dtype));
  if (!v) {
    nn_free(z);
    return nn_last_status();
  }
  st = nn_assign(v, g);
  nn_free(v);
  if (st != NN_OK) {
    nn_free(z);
    return st;
  }
  gin[0] = z;
  return NN_OK;
}

/* A view of the contiguous tensor z (shape, strides in elements, offset in elements) whose gradient flows back into
   z. The result belongs to the current scope. */
NN__PRIVATE nn_tensor *nn__part(const char *op, const nn_tensor *z, const int64_t *shape, const int64_t *strides,
                                int nd, int64_t offset) {
  nn_tensor *v = nn__view(op, z, shape, strides, nd, (char *)z->data + offset * (int64_t)nn_dtype_size(z->dtype));
  nn__node *n;
  int k;
  if (!v || !nn__ag_wanted1(z)) return v;
  n = nn__ag_node(op, nn__part_backward, 1, &z);
  if (n) {
    n->i[0] = nd;
    for (k = 0; k < nd; k++) {
      n->i[1 + k] = shape[k];
      n->i[1 + nd + k] = strides[k];
    }
    n->i[1 + 2 * nd] = offset;
  }
  return nn__ag_attach(n, v);
}

/* A new header over x's data that passes gradients through unchanged. */
NN__PRIVATE nn_tensor *nn__ag_identity(const char *op, const nn_tensor *x) {
  nn_tensor *v = nn__view(op, x, x->shape, x->strides, x->ndim, x->data);
  if (v && nn__ag_wanted1(x)) v = nn__grad_copy(v, x);
  return v;
}
