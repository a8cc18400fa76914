/* autograd/grad_math.h (private): recorders of the scans and softmax (autograd/grad_reduce.c), the matrix products
   and nn_linear (autograd/grad_linalg.c), convolution and pooling (autograd/grad_conv.c), declared here so the ops
   above them in the manifest can call them. Each takes over res and returns it with its node attached (or frees it
   and returns NULL on failure), like the recorders in node.h. */

/* cumsum / cumprod: axis as the caller gave it (negative, or NN_ALL_AXES for the flattened array). */
NN__PRIVATE nn_tensor *nn__grad_cum(nn_tensor *res, const nn_tensor *x, int axis, int isprod);
/* softmax / log_softmax: axis normalized, or NN_ALL_AXES. */
NN__PRIVATE nn_tensor *nn__grad_softmax(nn_tensor *res, const nn_tensor *x, int axis, int logsm);

/* np.matmul semantics (also nn_dot when b has at most 2 dimensions); name labels the node. */
NN__PRIVATE nn_tensor *nn__grad_matmul(const char *name, nn_tensor *res, const nn_tensor *a, const nn_tensor *b);
/* nn_dot with b of 3 or more dimensions. */
NN__PRIVATE nn_tensor *nn__grad_dot_nd(nn_tensor *res, const nn_tensor *a, const nn_tensor *b);
NN__PRIVATE nn_tensor *nn__grad_inner(nn_tensor *res, const nn_tensor *a, const nn_tensor *b);
NN__PRIVATE nn_tensor *nn__grad_outer(nn_tensor *res, const nn_tensor *a, const nn_tensor *b);
NN__PRIVATE nn_tensor *nn__grad_trace(nn_tensor *res, const nn_tensor *a);
/* nn_linear: xm is the (R, in) matrix the forward pass read (x itself or its contiguous copy), b may be NULL. */
NN__PRIVATE nn_tensor *nn__grad_linear(nn_tensor *res, const nn_tensor *x, const nn_tensor *xm, const nn_tensor *w,
                                       const nn_tensor *b);

#ifndef NN_NO_CONV
/* Convolutions: x, w, b (b may be NULL) and the caller's parameters (p may be NULL). */
NN__PRIVATE nn_tensor *nn__grad_conv(nn_tensor *res, int is1d, const nn_tensor *x, const nn_tensor *w,
                                     const nn_tensor *b, const nn_conv_params *p);
/* Convolution + 2x2 max pooling (nn__conv2d_pool22): the pooling's backward through argmax to the convolution's
   output of shape zs, then the convolution's. */
NN__PRIVATE nn_tensor *nn__grad_conv_pool22(nn_tensor *res, const nn_tensor *x, const nn_tensor *w, const nn_tensor *b,
                                            const nn_conv_params *p, const nn_tensor *argmax, const int64_t *zs);
/* Max pooling through the argmax indices the forward pass produced (the node keeps them). */
NN__PRIVATE nn_tensor *nn__grad_max_pool(nn_tensor *res, int is1d, const nn_tensor *x, const nn_tensor *argmax);
NN__PRIVATE nn_tensor *nn__grad_avg_pool(nn_tensor *res, int is1d, const nn_tensor *x, int kh, int kw,
                                         const nn_conv_params *p);
/* im2col (is_col2im = 0, x the image) and col2im (is_col2im = 1, x the columns): each one's adjoint is the other. */
NN__PRIVATE nn_tensor *nn__grad_cols(nn_tensor *res, int is_col2im, const nn_tensor *x, int kh, int kw,
                                     const nn_conv_params *p);
#endif
