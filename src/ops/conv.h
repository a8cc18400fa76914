/* ops/conv.h: convolutions, their gradients, im2col/col2im and pooling (torch.nn.functional semantics).

   Layout is PyTorch's: 2-D ops take x (N, C, H, W) and 1-D ops x (N, C, L); only these batched shapes are accepted.
   Inputs are float32 or float64 (all tensor arguments of one call share the dtype), of any strides; results are new
   contiguous tensors of that dtype. Convolutions run as im2col + GEMM, split over images (and blocks of output rows)
   in chunks that depend only on the sizes, so results are bit-identical for any number of threads.

   Parameters come in an nn_conv_params; a NULL pointer or zero fields mean the defaults. For 1-D ops only element
   [0] of stride, padding and dilation is used. Negative values are errors. */

typedef struct nn_conv_params {
  int stride[2];   /* (h, w). Convolution, im2col: 0 means 1. Pooling: 0 means the kernel size (PyTorch's default) */
  int padding[2];  /* symmetric zero padding (pooling: at most half the kernel size; max pooling pads with -inf) */
  int dilation[2]; /* 0 means 1 (average pooling accepts only 1) */
  int groups;      /* convolutions only: 0 means 1; must divide both channel counts. im2col/pooling: must be 0 or 1 */
  int same;        /* nonzero: padding="same" (output size = input size; stride must be 1 and padding 0). The total
                      padding dilation*(k-1) is split with the extra element at the end (bottom/right), as PyTorch.
                      Convolutions and im2col/col2im only */
} nn_conv_params;

/* F.conv2d(x, w, b, stride, padding, dilation, groups): x (N, C_in, H, W), w (C_out, C_in/groups, kH, kW), b (C_out,)
   or NULL -> (N, C_out, H_out, W_out), H_out = (H + 2*pad - dil*(kH-1) - 1) / stride + 1 (floor). */
NNDEF nn_tensor *nn_conv2d(const nn_tensor *x, const nn_tensor *w, const nn_tensor *b, const nn_conv_params *p);
/* Gradient of nn_conv2d with respect to x: dy has the forward output's shape, x_shape is x's (N, C_in, H, W) (4
   values, which also settle the sizes a strided convolution leaves ambiguous) -> dL/dx of shape x_shape. */
NNDEF nn_tensor *nn_conv2d_backward_input(const nn_tensor *dy, const nn_tensor *w, const int64_t *x_shape,
                                          const nn_conv_params *p);
/* Gradient of nn_conv2d with respect to the weight: dy and x as in the forward call, w_shape the weight's 4 sizes ->
   dL/dw of shape w_shape. If db != NULL, *db gets dL/db = dy summed over N, H, W (shape (C_out,)), or NULL on error. */
NNDEF nn_tensor *nn_conv2d_backward_weight(const nn_tensor *dy, const nn_tensor *x, const int64_t *w_shape,
                                           const nn_conv_params *p, nn_tensor **db);
/* F.conv1d(x, w, b, stride, padding, dilation, groups): x (N, C_in, L), w (C_out, C_in/groups, k), b (C_out,) or NULL
   -> (N, C_out, L_out). */
NNDEF nn_tensor *nn_conv1d(const nn_tensor *x, const nn_tensor *w, const nn_tensor *b, const nn_conv_params *p);
/* Gradient of nn_conv1d with respect to x; x_shape is x's (N, C_in, L) (3 values). */
NNDEF nn_tensor *nn_conv1d_backward_input(const nn_tensor *dy, const nn_tensor *w, const int64_t *x_shape,
                                          const nn_conv_params *p);
/* Gradient of nn_conv1d with respect to the weight (w_shape: 3 values) and, if db != NULL, the bias (into *db). */
NNDEF nn_tensor *nn_conv1d_backward_weight(const nn_tensor *dy, const nn_tensor *x, const int64_t *w_shape,
                                           const nn_conv_params *p, nn_tensor **db);

/* F.unfold(x, (kh, kw), dilation, padding, stride): x (N, C, H, W) -> (N, C*kh*kw, L), L = H_out*W_out; row
   (c*kh + i)*kw + j holds the input element under kernel tap (i, j) of channel c for each output position. */
NNDEF nn_tensor *nn_im2col(const nn_tensor *x, int kh, int kw, const nn_conv_params *p);
/* F.fold(cols, (H, W), (kh, kw), dilation, padding, stride): cols (N, C*kh*kw, L) -> x_shape (N, C, H, W) (4
   values), each entry added into the input position it was taken from (overlaps sum): the adjoint of nn_im2col. */
NNDEF nn_tensor *nn_col2im(const nn_tensor *cols, const int64_t *x_shape, int kh, int kw, const nn_conv_params *p);

/* F.max_pool2d(x, (kh, kw), stride, padding, dilation, return_indices=True): x (N, C, H, W) -> (N, C, H_out, W_out).
   Zero stride means stride = kernel size. NaN propagates. If argmax != NULL, *argmax gets an int64 tensor of the
   output's shape with the flat index h*W + w of each maximum within its (n, c) plane (-1 for a window that covers
   only padding, which dilation can cause), or NULL on error. */
NNDEF nn_tensor *nn_max_pool2d(const nn_tensor *x, int kh, int kw, const nn_conv_params *p, nn_tensor **argmax);
/* Gradient of nn_max_pool2d: dy and argmax (int64) of the output's shape, x_shape the input's 4 sizes -> dL/dx, each
   dy element added at its argmax position (-1 entries are skipped, other out-of-range indices are an error). */
NNDEF nn_tensor *nn_max_pool2d_backward(const nn_tensor *dy, const nn_tensor *argmax, const int64_t *x_shape);
/* F.avg_pool2d(x, (kh, kw), stride, padding) with count_include_pad=True, ceil_mode=False: every window sum is
   divided by kh*kw (padding counts as zeros). Zero stride means stride = kernel size. */
NNDEF nn_tensor *nn_avg_pool2d(const nn_tensor *x, int kh, int kw, const nn_conv_params *p);
/* Gradient of nn_avg_pool2d: dy of the output's shape, x_shape the input's 4 sizes -> dL/dx. */
NNDEF nn_tensor *nn_avg_pool2d_backward(const nn_tensor *dy, const int64_t *x_shape, int kh, int kw,
                                        const nn_conv_params *p);
/* F.max_pool1d(x, k, stride, padding, dilation, return_indices=True): x (N, C, L) -> (N, C, L_out); *argmax (if
   argmax != NULL) gets the int64 index within L of each maximum. Zero stride means stride = k. */
NNDEF nn_tensor *nn_max_pool1d(const nn_tensor *x, int k, const nn_conv_params *p, nn_tensor **argmax);
/* Gradient of nn_max_pool1d: dy and argmax of the output's shape, x_shape the input's 3 sizes -> dL/dx. */
NNDEF nn_tensor *nn_max_pool1d_backward(const nn_tensor *dy, const nn_tensor *argmax, const int64_t *x_shape);
/* F.avg_pool1d(x, k, stride, padding) with count_include_pad=True: x (N, C, L) -> (N, C, L_out). */
NNDEF nn_tensor *nn_avg_pool1d(const nn_tensor *x, int k, const nn_conv_params *p);
/* Gradient of nn_avg_pool1d: dy of the output's shape, x_shape the input's 3 sizes -> dL/dx. */
NNDEF nn_tensor *nn_avg_pool1d_backward(const nn_tensor *dy, const int64_t *x_shape, int k, const nn_conv_params *p);
