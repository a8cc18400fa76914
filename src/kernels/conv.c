/* kernels/conv.c: the loops behind convolution and pooling (NCHW, float and double).

   A convolution runs as im2col + GEMM: nn__im2col_* copies the input patches of a block of output rows into a
   (C*kh*kw) x (rows*Wo) matrix (row (c*kh + i)*kw + j holds x[c, oh*sh - pt + i*dh, ow*sw - pl + j*dw], zero in the
   padding, the order of torch.nn.functional.unfold); nn__col2im_* is its adjoint (adds each column entry back into
   the input position it came from). The pooling kernels work on one (H, W) plane at a time. Padding may be
   asymmetric (pt/pl at the start, pb/pr at the end), which is how padding "same" with an even kernel is done.
   These kernels know nothing about tensors, scopes or errors. */

typedef struct nn__conv_geom {
  int64_t N, C, H, W;     /* input batch, channels, height, width */
  int64_t Co, G, Cg, Mg;  /* output channels, groups, input and output channels per group */
  int64_t kh, kw;         /* kernel */
  int64_t sh, sw, dh, dw; /* stride, dilation */
  int64_t pt, pl, pb, pr; /* zero padding: top, left, bottom, right */
  int64_t Ho, Wo;         /* output height, width */
} nn__conv_geom;

/* Output columns ow with 0 <= ow*s + off < W form the range [*lo, *hi) within [0, Wo). */
NN__PRIVATE void nn__conv_valid_range(int64_t off, int64_t s, int64_t W, int64_t Wo, int64_t *lo, int64_t *hi) {
  int64_t a = off >= 0 ? 0 : (-off + s - 1) / s, b;
  b = W - 1 - off < 0 ? 0 : (W - 1 - off) / s + 1;
  if (a > Wo) a = Wo;
  if (b > Wo) b = Wo;
  if (b < a) b = a;
  *lo = a;
  *hi = b;
}

#define NN__CONV_KERNELS_DEFINE(S, T)                                                                          \
  /* Patches of output rows [oh0, oh1) of one image's C channels (x: C x H x W, contiguous) into dst:         \
     (C*kh*kw) rows of (oh1-oh0)*Wo entries, rows ldd apart. */                                               \
  NN__PRIVATE void nn__im2col_##S(const nn__conv_geom *g, const T *x, int64_t C, int64_t oh0, int64_t oh1,    \
                                  T *dst, int64_t ldd) {                                                       \
    int64_t c, i, j, oh, ow, H = g->H, W = g->W, Wo = g->Wo, sw = g->sw;                                      \
    for (c = 0; c < C; c++) {                                                                                  \
      for (i = 0; i < g->kh; i++) {                                                                            \
        for (j = 0; j < g->kw; j++) {                                                                          \
          T *row = dst + ((c * g->kh + i) * g->kw + j) * ldd;                                                  \
          int64_t off = j * g->dw - g->pl, lo, hi;                                                             \
          nn__conv_valid_range(off, sw, W, Wo, &lo, &hi);                                                      \
          for (oh = oh0; oh < oh1; oh++, row += Wo) {                                                          \
            int64_t ih = oh * g->sh - g->pt + i * g->dh;                                                       \
            const T *xr;                                                                                       \
            if (ih < 0 || ih >= H) {                                                                           \
              for (ow = 0; ow < Wo; ow++) row[ow] = 0;                                                         \
              continue;                                                                                        \
            }                                                                                                  \
            xr = x + (c * H + ih) * W;                                                                         \
            for (ow = 0; ow < lo; ow++) row[ow] = 0;                                                           \
            if (sw == 1) {                                                                                     \
              const T *xs = xr + off + lo;                                                                     \
              T *rs = row + lo;                                                                                \
              int64_t n = hi - lo, q;                                                                          \
              for (q = 0; q < n; q++) rs[q] = xs[q];                                                           \
            } else {                                                                                           \
              for (ow = lo; ow < hi; ow++) row[ow] = xr[ow * sw + off];                                        \
            }                                                                                                  \
            for (ow = hi; ow < Wo; ow++) row[ow] = 0;                                                          \
          }                                                                                                    \
        }                                                                                                      \
      }                                                                                                        \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
  /* The adjoint of nn__im2col: x[c, ih, iw] += src[row, col] for every entry that is not padding. */          \
  NN__PRIVATE void nn__col2im_##S(const nn__conv_geom *g, const T *src, int64_t lds, int64_t C, int64_t oh0,   \
                                  int64_t oh1, T *x) {                                                         \
    int64_t c, i, j, oh, ow, H = g->H, W = g->W, Wo = g->Wo, sw = g->sw;                                      \
    for (c = 0; c < C; c++) {                                                                                  \
      for (i = 0; i < g->kh; i++) {                                                                            \
        for (j = 0; j < g->kw; j++) {                                                                          \
          const T *row = src + ((c * g->kh + i) * g->kw + j) * lds;                                            \
          int64_t off = j * g->dw - g->pl, lo, hi;                                                             \
          nn__conv_valid_range(off, sw, W, Wo, &lo, &hi);                                                      \
          for (oh = oh0; oh < oh1; oh++, row += Wo) {                                                          \
            int64_t ih = oh * g->sh - g->pt + i * g->dh;                                                       \
            T *xr;                                                                                             \
            if (ih < 0 || ih >= H) continue;                                                                   \
            xr = x + (c * H + ih) * W;                                                                         \
            if (sw == 1) {                                                                                     \
              T *xs = xr + off + lo;                                                                           \
              const T *rs = row + lo;                                                                          \
              int64_t n = hi - lo, q;                                                                          \
              for (q = 0; q < n; q++) xs[q] += rs[q];                                                          \
            } else {                                                                                           \
              for (ow = lo; ow < hi; ow++) xr[ow * sw + off] += row[ow];                                       \
            }                                                                                                  \
          }                                                                                                    \
        }                                                                                                      \
      }                                                                                                        \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
  /* Max pooling of one H x W plane into Ho x Wo. Padding never wins (it is -inf); NaN wins and propagates     \
     (the last NaN of a window gives the index, as PyTorch's CPU kernel); a tie keeps the first position.      \
     idx (may be NULL) gets the flat index ih*W + iw of each maximum, or -1 for a window that covers no input  \
     element (possible only with dilation; the value is then -inf). */                                         \
  NN__PRIVATE void nn__maxpool_plane_##S(const nn__conv_geom *g, const T *x, T *y, int64_t *idx) {             \
    int64_t oh, ow, i, j, H = g->H, W = g->W;                                                                  \
    for (oh = 0; oh < g->Ho; oh++) {                                                                           \
      int64_t h0 = oh * g->sh - g->pt;                                                                         \
      for (ow = 0; ow < g->Wo; ow++) {                                                                         \
        int64_t w0 = ow * g->sw - g->pl, bi = -1;                                                              \
        T best = -(T)INFINITY;                                                                                 \
        for (i = 0; i < g->kh; i++) {                                                                          \
          int64_t ih = h0 + i * g->dh;                                                                         \
          const T *xr;                                                                                         \
          if (ih < 0 || ih >= H) continue;                                                                     \
          xr = x + ih * W;                                                                                     \
          for (j = 0; j < g->kw; j++) {                                                                        \
            int64_t iw = w0 + j * g->dw;                                                                       \
            T v;                                                                                               \
            if (iw < 0 || iw >= W) continue;                                                                   \
            v = xr[iw];                                                                                        \
            if (bi < 0) bi = ih * W + iw;                                                                      \
            if (v > best || v != v) {                                                                          \
              best = v;                                                                                        \
              bi = ih * W + iw;                                                                                \
            }                                                                                                  \
          }                                                                                                    \
        }                                                                                                      \
        y[oh * g->Wo + ow] = best;                                                                             \
        if (idx) idx[oh * g->Wo + ow] = bi;                                                                    \
      }                                                                                                        \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
  /* Average pooling of one plane, padding counted as zeros (count_include_pad): sum / (kh*kw). */             \
  NN__PRIVATE void nn__avgpool_plane_##S(const nn__conv_geom *g, const T *x, T *y) {                           \
    int64_t oh, ow, i, j, H = g->H, W = g->W;                                                                  \
    T div = (T)(g->kh * g->kw);                                                                                \
    for (oh = 0; oh < g->Ho; oh++) {                                                                           \
      int64_t h0 = oh * g->sh - g->pt;                                                                         \
      for (ow = 0; ow < g->Wo; ow++) {                                                                         \
        int64_t w0 = ow * g->sw - g->pl;                                                                       \
        T s = 0;                                                                                               \
        for (i = 0; i < g->kh; i++) {                                                                          \
          int64_t ih = h0 + i;                                                                                 \
          if (ih < 0 || ih >= H) continue;                                                                     \
          for (j = 0; j < g->kw; j++) {                                                                        \
            int64_t iw = w0 + j;                                                                               \
            if (iw >= 0 && iw < W) s += x[ih * W + iw];                                                        \
          }                                                                                                    \
        }                                                                                                      \
        y[oh * g->Wo + ow] = s / div;                                                                          \
      }                                                                                                        \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
  /* Gradient of nn__avgpool_plane: dx (zeroed by the caller) += dy / (kh*kw) over each window. */             \
  NN__PRIVATE void nn__avgpool_back_plane_##S(const nn__conv_geom *g, const T *dy, T *dx) {                    \
    int64_t oh, ow, i, j, H = g->H, W = g->W;                                                                  \
    T div = (T)(g->kh * g->kw);                                                                                \
    for (oh = 0; oh < g->Ho; oh++) {                                                                           \
      int64_t h0 = oh * g->sh - g->pt;                                                                         \
      for (ow = 0; ow < g->Wo; ow++) {                                                                         \
        int64_t w0 = ow * g->sw - g->pl;                                                                       \
        T v = dy[oh * g->Wo + ow] / div;                                                                       \
        for (i = 0; i < g->kh; i++) {                                                                          \
          int64_t ih = h0 + i;                                                                                 \
          if (ih < 0 || ih >= H) continue;                                                                     \
          for (j = 0; j < g->kw; j++) {                                                                        \
            int64_t iw = w0 + j;                                                                               \
            if (iw >= 0 && iw < W) dx[ih * W + iw] += v;                                                       \
          }                                                                                                    \
        }                                                                                                      \
      }                                                                                                        \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
  /* Gradient of max pooling for one plane: dx (zeroed by the caller, hw elements) += dy[i] at idx[i]. Index   \
     -1 (a window with no input element) is skipped. Returns -1, or the position of the first index outside    \
     [0, hw) (nothing is written for it). */                                                                   \
  NN__PRIVATE int64_t nn__maxpool_back_plane_##S(int64_t n, const T *dy, const int64_t *idx, int64_t hw, T *dx) { \
    int64_t i;                                                                                                 \
    for (i = 0; i < n; i++) {                                                                                  \
      int64_t k = idx[i];                                                                                      \
      if (k >= 0 && k < hw) dx[k] += dy[i];                                                                    \
      else if (k != -1) return i;                                                                              \
    }                                                                                                          \
    return -1;                                                                                                 \
  }

NN__CONV_KERNELS_DEFINE(s, float)
NN__CONV_KERNELS_DEFINE(d, double)
