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
  int64_t a, b;
  if (s == 1) { /* no divisions in the common case */
    a = off >= 0 ? 0 : -off;
    b = W - off < 0 ? 0 : W - off;
  } else {
    a = off >= 0 ? 0 : (-off + s - 1) / s;
    b = W - 1 - off < 0 ? 0 : (W - 1 - off) / s + 1;
  }
  if (a > Wo) a = Wo;
  if (b > Wo) b = Wo;
  if (b < a) b = a;
  *lo = a;
  *hi = b;
}


#define NN__POOL_BLK 128 /* outputs of a max-pooling row done together */
#define NN__POOL_KMAX 16 /* kernel columns whose valid output ranges are computed once per plane */

#define NN__CONV_KERNELS_DEFINE(S, T, UT)                                                                          \
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
     element (possible only with dilation; the value is then -inf). Each output row is done in blocks of       \
     NN__POOL_BLK outputs with the window taps outermost: the inner loop over outputs has no bounds checks,    \
     no loop-carried dependency, and updates the running maxima with bitwise selects (random data would       \
     mispredict a branch on every other element). */                                                          \
  NN__PRIVATE void nn__maxpool_plane_##S(const nn__conv_geom *g, const T *x, T *y, int64_t *idx) {             \
    UT best[NN__POOL_BLK];                                                                                     \
    int64_t bi[NN__POOL_BLK], jr[2 * NN__POOL_KMAX], oh, b0, i, j, W = g->W, Wo = g->Wo, sw = g->sw;           \
    T ninf = -(T)INFINITY;                                                                                     \
    UT ninf_bits;                                                                                              \
    memcpy(&ninf_bits, &ninf, sizeof ninf_bits);                                                               \
    for (j = 0; j < g->kw && j < NN__POOL_KMAX; j++)                                                           \
      nn__conv_valid_range(j * g->dw - g->pl, sw, W, Wo, jr + 2 * j, jr + 2 * j + 1);                          \
    for (oh = 0; oh < g->Ho; oh++) {                                                                           \
      int64_t h0 = oh * g->sh - g->pt, i0, i1;                                                                 \
      nn__conv_valid_range(h0, g->dh, g->H, g->kh, &i0, &i1);                                                  \
      for (b0 = 0; b0 < Wo; b0 += NN__POOL_BLK) {                                                              \
        int64_t b1 = b0 + NN__POOL_BLK < Wo ? b0 + NN__POOL_BLK : Wo, o;                                       \
        for (o = 0; o < b1 - b0; o++) {                                                                        \
          best[o] = ninf_bits;                                                                                 \
          bi[o] = -1;                                                                                          \
        }                                                                                                      \
        for (i = i0; i < i1; i++) {                                                                            \
          int64_t r = (h0 + i * g->dh) * W;                                                                    \
          const T *xr = x + r;                                                                                 \
          for (j = 0; j < g->kw; j++) {                                                                        \
            int64_t off = j * g->dw - g->pl, lo, hi;                                                           \
            if (j < NN__POOL_KMAX) {                                                                           \
              lo = jr[2 * j];                                                                                  \
              hi = jr[2 * j + 1];                                                                              \
            } else {                                                                                           \
              nn__conv_valid_range(off, sw, W, Wo, &lo, &hi);                                                  \
            }                                                                                                  \
            if (lo < b0) lo = b0;                                                                              \
            if (hi > b1) hi = b1;                                                                              \
            for (o = lo; o < hi; o++) {                                                                        \
              int64_t k = o * sw + off, m;                                                                     \
              T v = xr[k], cur;                                                                                \
              UT vb, um;                                                                                       \
              memcpy(&cur, &best[o - b0], sizeof cur);                                                         \
              m = -(int64_t)((v > cur) | (v != v) | (bi[o - b0] < 0));                                         \
              um = (UT)m;                                                                                      \
              memcpy(&vb, &v, sizeof vb);                                                                      \
              best[o - b0] = (vb & um) | (best[o - b0] & ~um);                                                 \
              bi[o - b0] = ((r + k) & m) | (bi[o - b0] & ~m);                                                  \
            }                                                                                                  \
          }                                                                                                    \
        }                                                                                                      \
        memcpy(y + oh * Wo + b0, best, (size_t)(b1 - b0) * sizeof(T));                                         \
        if (idx) memcpy(idx + oh * Wo + b0, bi, (size_t)(b1 - b0) * sizeof(int64_t));                          \
      }                                                                                                        \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
  /* Average pooling of one plane, padding counted as zeros (count_include_pad): sum / (kh*kw). */             \
  NN__PRIVATE void nn__avgpool_plane_##S(const nn__conv_geom *g, const T *x, T *y) {                           \
    int64_t oh, ow, i, j, W = g->W;                                                                            \
    T div = (T)(g->kh * g->kw);                                                                                \
    for (oh = 0; oh < g->Ho; oh++) {                                                                           \
      int64_t h0 = oh * g->sh - g->pt, i0, i1;                                                                 \
      nn__conv_valid_range(h0, 1, g->H, g->kh, &i0, &i1);                                                      \
      for (ow = 0; ow < g->Wo; ow++) {                                                                         \
        int64_t w0 = ow * g->sw - g->pl, j0, j1;                                                               \
        T s = 0;                                                                                               \
        nn__conv_valid_range(w0, 1, W, g->kw, &j0, &j1);                                                       \
        for (i = i0; i < i1; i++) {                                                                            \
          const T *xr = x + (h0 + i) * W;                                                                      \
          for (j = j0; j < j1; j++) s += xr[w0 + j];                                                                \
        }                                                                                                      \
        y[oh * g->Wo + ow] = s / div;                                                                          \
      }                                                                                                        \
    }                                                                                                          \
  }                                                                                                            \
                                                                                                               \
  /* Gradient of nn__avgpool_plane: dx (zeroed by the caller) += dy / (kh*kw) over each window. */             \
  NN__PRIVATE void nn__avgpool_back_plane_##S(const nn__conv_geom *g, const T *dy, T *dx) {                    \
    int64_t oh, ow, i, j, W = g->W;                                                                            \
    T div = (T)(g->kh * g->kw);                                                                                \
    for (oh = 0; oh < g->Ho; oh++) {                                                                           \
      int64_t h0 = oh * g->sh - g->pt, i0, i1;                                                                 \
      nn__conv_valid_range(h0, 1, g->H, g->kh, &i0, &i1);                                                      \
      for (ow = 0; ow < g->Wo; ow++) {                                                                         \
        int64_t w0 = ow * g->sw - g->pl, j0, j1;                                                               \
        T v = dy[oh * g->Wo + ow] / div;                                                                       \
        nn__conv_valid_range(w0, 1, W, g->kw, &j0, &j1);                                                       \
        for (i = i0; i < i1; i++) {                                                                            \
          T *xr = dx + (h0 + i) * W;                                                                           \
          for (j = j0; j < j1; j++) xr[w0 + j] += v;                                                                \
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

NN__CONV_KERNELS_DEFINE(s, float, uint32_t)
NN__CONV_KERNELS_DEFINE(d, double, uint64_t)
