/* ops/matmul.h: matrix products (BLAS-style GEMM, np.matmul, np.dot, np.outer, np.inner, np.trace).

   float32 and float64 products run on a packed, blocked, multi-threaded GEMM; results are bit-identical for any
   number of threads. Integer products wrap on overflow as NumPy's do. */

/* BLAS-style GEMM, row-major: C = alpha * op(A) op(B) + beta * C, op(X) = X or X^T (trans nonzero).
   op(A) is M x K, op(B) is K x N, C is M x N. lda/ldb/ldc are row strides in elements: lda >= max(1, columns of A
   as stored) (K if !trans_a else M), ldb >= max(1, N if !trans_b else K), ldc >= max(1, N). beta == 0 means C is not
   read (NaN in C does not propagate); alpha == 0 or K == 0 means A and B are not read. Errors (negative sizes,
   leading dimension too small, NULL with nonzero size) return NN_ERR_ARG with a message; NN_ERR_OOM if the packing
   buffers cannot be allocated. */
NNDEF nn_status nn_sgemm(int trans_a, int trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                         int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc);
/* nn_sgemm for float64. */
NNDEF nn_status nn_dgemm(int trans_a, int trans_b, int64_t M, int64_t N, int64_t K, double alpha, const double *A,
                         int64_t lda, const double *B, int64_t ldb, double beta, double *C, int64_t ldc);

/* np.matmul(a, b): 1-D a is a row (k,) -> (1,k) and 1-D b a column, the added axis removed from the result;
   N-d operands are stacks of matrices in the last two axes with NumPy-broadcast batch axes; the result dtype is
   nn_promote_types(a, b) (bool @ bool is bool: any(a and b)). 0-d operands are an error. Any strides work:
   transposed views are used in place, other layouts copied. */
NNDEF nn_tensor *nn_matmul(const nn_tensor *a, const nn_tensor *b);
/* np.matmul(a, b, out=out): out must have the result's shape; its dtype may differ (values are converted). */
NNDEF nn_status nn_matmul_out(nn_tensor *out, const nn_tensor *a, const nn_tensor *b);
/* np.dot(a, b): 0-d operand -> a * b; 1-D . 1-D -> 0-d inner product; otherwise sums over the last axis of a and
   the second-to-last axis of b (the last of b if b is 1-D): result shape a.shape[:-1] + b.shape[:-2] + b.shape[-1:]. */
NNDEF nn_tensor *nn_dot(const nn_tensor *a, const nn_tensor *b);
/* np.outer(a, b): both flattened; result[i, j] = a[i] * b[j], shape (a.size, b.size). */
NNDEF nn_tensor *nn_outer(const nn_tensor *a, const nn_tensor *b);
/* np.inner(a, b): 0-d operand -> a * b; otherwise sums over the last axes: shape a.shape[:-1] + b.shape[:-1]. */
NNDEF nn_tensor *nn_inner(const nn_tensor *a, const nn_tensor *b);
/* np.trace(a) of a 2-D array: sum of the main diagonal as a 0-d tensor. float32/float64 keep their dtype (summed in
   double); integer and bool inputs give int64 (NumPy gives uint64 for uint8). */
NNDEF nn_tensor *nn_trace(const nn_tensor *a);
/* torch.nn.functional.linear(x, w, b): x (..., in), w (out, in), b (out,) or NULL -> (..., out) = x w^T + b, one
   GEMM over all rows of x (x is read in place when its leading axes can be merged into rows, as for any contiguous
   x) with the bias added in the same pass. float32 or float64; all arguments share the dtype. */
NNDEF nn_tensor *nn_linear(const nn_tensor *x, const nn_tensor *w, const nn_tensor *b);
