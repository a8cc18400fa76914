/* tests/test_grad_shape.c: gradients of the views, shape, index and sort ops, each checked against central finite
   differences in float64 (nn_gradcheck), fed contiguous, transposed and reversed leaves, through chains of views;
   plus PyTorch's conventions finite differences cannot decide (ties in sort), graph lifetime, bad input, leaks. */

/* A float64 leaf requiring grad with values lo + (hi - lo) * u, u from a fixed sequence. kind 0: contiguous;
   1: a transposed view (its base has the reversed shape); 2: a view with every axis reversed (negative strides). */
static nn_tensor *gs_leaf(const int64_t *shape, int ndim, int kind, unsigned seed) {
  int64_t bshape[NN_MAX_DIMS];
  nn_tensor *b, *t;
  int64_t i;
  int d;
  unsigned s = seed * 2654435761u + 12345u;
  for (d = 0; d < ndim; d++) bshape[d] = kind == 1 ? shape[ndim - 1 - d] : shape[d];
  b = nn_empty(bshape, ndim, NN_FLOAT64);
  t = kind == 1 ? nn_transpose(b) : kind == 2 ? nn_flip(b, NN_ALL_AXES) : b;
  if (t != b) nn_free(b);
  for (i = 0; i < t->size; i++) {
    s = s * 1103515245u + 12345u;
    nn_set_flat(t, i, -1.0 + 2.0 * ((s >> 8) & 0xFFFF) / 65536.0);
  }
  nn_requires_grad(t, 1);
  return t;
}

static nn_tensor *gs_i64(const int64_t *v, const int64_t *shape, int ndim) {
  return nn_from_data(v, shape, ndim, NN_INT64);
}

/* ---- the cases: each builds its output from the leaves ---- */

enum {
  GS_RESHAPE, GS_RESHAPE_COPY, GS_PERMUTE, GS_TRANSPOSES, GS_SLICE, GS_SLICE_NEG, GS_SELECT, GS_SQUEEZE,
  GS_BROADCAST, GS_DIAGONAL, GS_RAVEL_VIEW, GS_VIEW_CHAIN, GS_TWO_CONSUMERS, GS_CONCAT, GS_CONCAT_ALL, GS_STACK,
  GS_SPLIT, GS_TILE, GS_TILE_SHORT, GS_REPEAT, GS_REPEAT_EACH, GS_PAD, GS_FLIP, GS_ROLL, GS_TAKE, GS_TAKE_ALL,
  GS_TAKE_ALONG, GS_GATHER, GS_MASKED_SELECT, GS_SCATTER, GS_SCATTER_SCALAR, GS_SCATTER_ADD, GS_INDEX_ADD, GS_SORT,
  GS_TOPK, GS_SCALAR, GS_NCASES
};

typedef struct gs_case {
  int op;
  int kind; /* leaf kind (gs_leaf) of every input */
  int nin;
  int ndim[3];
  int64_t shape[3][4];
} gs_case;

/* The sum of x * c over several pieces, as one 1-D output (distinct weights, so swapped pieces would show). */
static nn_tensor *gs_join(nn_tensor **parts, int n) {
  nn_tensor *flat[8];
  int i;
  for (i = 0; i < n; i++) flat[i] = nn_mul_scalar(nn_ravel(parts[i]), 1.0 + i);
  return nn_concatenate(flat, n, 0);
}

static nn_tensor *gs_f(nn_tensor *const *in, int nin, void *ctx) {
  const gs_case *c = (const gs_case *)ctx;
  nn_tensor *x = in[0], *y = nin > 1 ? in[1] : NULL, *z = nin > 2 ? in[2] : NULL, *p[8];
  (void)z;
  switch (c->op) {
    case GS_RESHAPE: { /* (3,4) -> (2,-1,3) -> (12,) */
      int64_t s1[3] = {2, -1, 3}, s2[1] = {12};
      return nn_reshape(nn_reshape(x, s1, 3), s2, 1);
    }
    case GS_RESHAPE_COPY: { /* a transposed (3,4) cannot be reshaped by strides: the copy path */
      int64_t s1[2] = {2, 6};
      return nn_reshape(nn_transpose(x), s1, 2);
    }
    case GS_PERMUTE: { /* (2,3,4) */
      int ax[3] = {-1, 0, 1};
      return nn_permute(x, ax, 3);
    }
    case GS_TRANSPOSES: /* (2,3,4) */
      return nn_moveaxis(nn_swapaxes(nn_transpose(x), -1, 0), 0, -1);
    case GS_SLICE: /* (5,4): x[1::2], x[:, -3:-1], x[-100:100:3] */
      p[0] = nn_slice(x, -2, 1, NN_NONE, 2);
      p[1] = nn_slice(x, 1, -3, -1, 1);
      p[2] = nn_slice(x, 0, -100, 100, 3);
      p[3] = nn_slice(x, 0, 3, 3, 1); /* empty */
      return gs_join(p, 4);
    case GS_SLICE_NEG: /* (5,4): x[:, ::-1], x[3:0:-2], x[::-3, -1::-2] */
      p[0] = nn_slice(x, 1, NN_NONE, NN_NONE, -1);
      p[1] = nn_slice(x, 0, 3, 0, -2);
      p[2] = nn_slice(nn_slice(x, 0, NN_NONE, NN_NONE, -3), -1, -1, NN_NONE, -2);
      return gs_join(p, 3);
    case GS_SELECT: /* (3,4,2) */
      p[0] = nn_select(x, -1, -2);
      p[1] = nn_select(x, 1, 3);
      p[2] = nn_select(nn_select(x, 0, -1), 0, 1);
      return gs_join(p, 3);
    case GS_SQUEEZE: { /* (3,1,4) */
      nn_tensor *a = nn_unsqueeze(nn_squeeze(x, 1), -1); /* (3,4,1) */
      p[0] = nn_squeeze(nn_unsqueeze(a, 0), NN_ALL_AXES);
      p[1] = nn_unsqueeze(x, -4);
      return gs_join(p, 2);
    }
    case GS_BROADCAST: { /* (3,1) -> (2,3,4); the same element is used 8 times */
      int64_t s[3] = {2, 3, 4};
      return nn_broadcast_to(x, s, 3);
    }
    case GS_DIAGONAL: /* (3,4,5) */
      p[0] = nn_diagonal(x, 1, 0, 2);
      p[1] = nn_diagonal(x, -1, -1, -3);
      p[2] = nn_diagonal(x, 0, -2, -1);
      p[3] = nn_diagonal(x, 7, 0, 1); /* empty */
      return gs_join(p, 4);
    case GS_RAVEL_VIEW: /* (3,4) */
      p[0] = nn_ravel(nn_transpose(x));
      p[1] = nn_view(nn_view(x));
      return gs_join(p, 2);
    case GS_VIEW_CHAIN: { /* slice of transpose of reshape of a (4,6) leaf; then a select of it */
      int64_t s[3] = {2, 3, 4};
      nn_tensor *a = nn_slice(nn_transpose(nn_reshape(x, s, 3)), 1, NN_NONE, NN_NONE, -2); /* (4,2,2) */
      p[0] = nn_mul(a, a);
      p[1] = nn_select(nn_slice(a, 0, 1, NN_NONE, 2), 2, -1);
      return gs_join(p, 2);
    }
    case GS_TWO_CONSUMERS: { /* a view of a view used by two different ops, and once more as is */
      nn_tensor *v = nn_slice(nn_transpose(x), 0, 1, 4, 1); /* (3,3) of a (3,4) */
      p[0] = nn_exp(nn_transpose(v));
      p[1] = nn_mul(nn_select(v, 1, 0), nn_select(v, 0, 2));
      p[2] = v;
      return gs_join(p, 3);
    }
    case GS_CONCAT: /* (2,3), (2,1), (2,4) along -1; the first input twice */
      p[0] = x;
      p[1] = y;
      p[2] = z;
      p[3] = nn_mul(x, x);
      return nn_concatenate(p, 4, -1);
    case GS_CONCAT_ALL: /* (2,3), (4,), (1,2,2) flattened */
      p[0] = x;
      p[1] = y;
      p[2] = z;
      return nn_concatenate(p, 3, NN_ALL_AXES);
    case GS_STACK: /* three (2,3) */
      p[0] = x;
      p[1] = y;
      p[2] = x;
      p[3] = nn_stack(p, 3, -1);
      p[4] = z;
      p[5] = y;
      p[7] = nn_stack(p + 4, 2, 0);
      p[4] = p[7];
      return gs_join(p + 3, 2);
    case GS_SPLIT: { /* (4,6); outputs put back in another order, with different weights */
      nn_tensor *a[3], *b[3], *s[4];
      int64_t at[3] = {-2, 1, 5};
      if (nn_split(x, 3, -1, a) != NN_OK || nn_array_split(x, 3, 0, b) != NN_OK || nn_split_at(x, at, 3, 1, s) != NN_OK)
        return NULL;
      p[0] = a[2];
      p[1] = a[0];
      p[2] = b[1];
      p[3] = b[2];
      p[4] = s[3];
      p[5] = s[0];
      p[6] = s[1]; /* empty: x[:, 4:1] */
      return gs_join(p, 7);
    }
    case GS_TILE: { /* (2,3) tiled (2,1,3) */
      int64_t r[3] = {2, 1, 3};
      return nn_tile(x, r, 3);
    }
    case GS_TILE_SHORT: { /* (2,1,3) tiled (2,) and (3,2) */
      int64_t r1[1] = {2}, r2[2] = {3, 2};
      p[0] = nn_tile(x, r1, 1);
      p[1] = nn_tile(x, r2, 2);
      return gs_join(p, 2);
    }
    case GS_REPEAT: /* (3,4) */
      p[0] = nn_repeat(x, 3, -1);
      p[1] = nn_repeat(x, 2, NN_ALL_AXES);
      p[2] = nn_repeat(x, 0, 0);
      return gs_join(p, 3);
    case GS_REPEAT_EACH: { /* (3,4) */
      int64_t r1[4] = {2, 0, 1, 3}, r2[1] = {2}, r3[12] = {1, 0, 2, 3, 1, 1, 0, 0, 4, 1, 2, 1};
      p[0] = nn_repeat_each(x, r1, 4, -1);
      p[1] = nn_repeat_each(x, r2, 1, 0);
      p[2] = nn_repeat_each(x, r3, 12, NN_ALL_AXES);
      return gs_join(p, 3);
    }
    case GS_PAD: { /* (3,4) and a (1,3) input: every mode, pads wider than the axis */
      int64_t w1[4] = {1, 2, 0, 3}, w2[4] = {5, 4, 7, 2}, w3[4] = {2, 3, 1, 1};
      int m;
      for (m = 0; m < 5; m++) p[m] = nn_pad(x, m == 0 ? w1 : w2, (nn_pad_mode)m, 0.5);
      p[5] = nn_pad(y, w3, NN_PAD_REFLECT, 0); /* a length-1 axis reflects like edge */
      p[6] = nn_pad(y, w3, NN_PAD_SYMMETRIC, 0);
      return gs_join(p, 7);
    }
    case GS_FLIP: /* (2,3,4) */
      p[0] = nn_flip(x, -1);
      p[1] = nn_flip(x, NN_ALL_AXES);
      p[2] = nn_mul(nn_flip(nn_flip(x, 1), 0), x);
      return gs_join(p, 3);
    case GS_ROLL: /* (3,4) */
      p[0] = nn_roll(x, 1, -1);
      p[1] = nn_roll(x, -5, 0);
      p[2] = nn_roll(x, 7, NN_ALL_AXES);
      p[3] = nn_roll(x, INT64_MIN, 1);
      p[4] = nn_roll(x, 8, 1);
      return gs_join(p, 5);
    case GS_TAKE: { /* (3,5) with repeated and negative indices, 2-D index, along both axes */
      int64_t iv[6] = {4, -1, 0, 2, 4, 4}, is[2] = {2, 3}, jv[4] = {2, 0, -3, 2}, js[1] = {4};
      p[0] = nn_take(x, gs_i64(iv, is, 2), 1);
      p[1] = nn_take(x, gs_i64(jv, js, 1), -2);
      return gs_join(p, 2);
    }
    case GS_TAKE_ALL: { /* (3,5) flattened; int32 indices; take_along_axis with NN_ALL_AXES */
      int32_t iv[5] = {14, -1, 3, 3, 0};
      int64_t is[1] = {5}, jv[3] = {7, 7, 7};
      p[0] = nn_take(x, nn_from_data(iv, is, 1, NN_INT32), NN_ALL_AXES);
      is[0] = 3;
      p[1] = nn_take_along_axis(x, gs_i64(jv, is, 1), NN_ALL_AXES);
      return gs_join(p, 2);
    }
    case GS_TAKE_ALONG: { /* (3,4): indices (3,5) along -1 with repeats; (1,4) along 0; x (3,1) broadcast */
      int64_t iv[15] = {0, 3, 3, -1, 1, 2, 2, 2, 0, 1, 1, 0, 3, 3, 3}, is[2] = {3, 5};
      int64_t jv[4] = {2, 2, 0, -1}, js[2] = {1, 4}, kv[6] = {0, 0, 0, 0, 0, 0}, ks[2] = {2, 3};
      p[0] = nn_take_along_axis(x, gs_i64(iv, is, 2), -1);
      p[1] = nn_take_along_axis(x, gs_i64(jv, js, 2), 0);
      p[2] = nn_take_along_axis(y, gs_i64(kv, ks, 2), 1); /* y (1,1) against (2,3) indices */
      return gs_join(p, 3);
    }
    case GS_GATHER: { /* (3,4); index (2,3) smaller than x, repeats */
      int64_t iv[6] = {3, 3, 0, 1, 1, -1}, is[2] = {2, 3}, jv[6] = {2, 0, 2, 2, 2, 1};
      p[0] = nn_gather(x, 1, gs_i64(iv, is, 2));
      p[1] = nn_gather(x, -2, gs_i64(jv, is, 2));
      return gs_join(p, 2);
    }
    case GS_MASKED_SELECT: { /* x (3,4) with a (3,4) mask; x (3,1) against a (2,3,4) mask */
      uint8_t mv[12] = {1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1}, m2[24];
      int64_t ms[2] = {3, 4}, m2s[3] = {2, 3, 4};
      int k;
      for (k = 0; k < 24; k++) m2[k] = (uint8_t)((k * 7 + 3) % 5 < 3);
      p[0] = nn_masked_select(x, nn_from_data(mv, ms, 2, NN_BOOL));
      p[1] = nn_masked_select(y, nn_from_data(m2, m2s, 3, NN_BOOL));
      return gs_join(p, 2);
    }
    case GS_SCATTER: { /* x (3,4), src (3,5) larger than index (2,3); unique positions per row */
      int64_t iv[6] = {3, 0, -3, 2, 1, 0}, is[2] = {2, 3};
      return nn_scatter(x, -1, gs_i64(iv, is, 2), y);
    }
    case GS_SCATTER_SCALAR: { /* a 0-d src written at three places */
      int64_t iv[3] = {2, 0, 1}, is[2] = {1, 3};
      return nn_scatter(x, 0, gs_i64(iv, is, 2), y);
    }
    case GS_SCATTER_ADD: { /* x (3,4), src (4,4), index (4,3) with duplicates along axis 0 */
      int64_t iv[12] = {0, 1, 2, 0, 1, 2, 2, 1, 0, 0, 0, -1}, is[2] = {4, 3};
      p[0] = nn_scatter_add(x, 0, gs_i64(iv, is, 2), y);
      p[1] = nn_scatter_add(x, 0, gs_i64(iv, is, 2), nn_slice(y, 0, NN_NONE, NN_NONE, -1));
      return gs_join(p, 2);
    }
    case GS_INDEX_ADD: { /* x (3,4); src (3,5) on axis 1 with duplicates; a 0-d index with src (1,4) */
      int64_t iv[5] = {1, 3, 1, -1, 0}, is[1] = {5}, jv[1] = {2};
      nn_tensor *src2 = nn_slice(z, 0, 0, 1, 1);
      p[0] = nn_index_add(x, -1, gs_i64(iv, is, 1), y);
      p[1] = nn_index_add(x, 0, gs_i64(jv, is, 0), src2);
      return gs_join(p, 2);
    }
    case GS_SORT: /* (3,5) */
      p[0] = nn_sort(x, -1, 0);
      p[1] = nn_sort(x, 0, 1);
      p[2] = nn_sort(x, NN_ALL_AXES, 0);
      return gs_join(p, 3);
    case GS_TOPK: { /* (4,5) */
      nn_tensor *idx = NULL;
      if (nn_topk(x, 2, -1, 1, &p[0], NULL) != NN_OK || nn_topk(x, 3, 0, 0, &p[1], &idx) != NN_OK ||
          nn_topk(x, 4, NN_ALL_AXES, 1, &p[2], NULL) != NN_OK || nn_topk(x, 0, 1, 1, &p[3], NULL) != NN_OK)
        return NULL;
      return gs_join(p, 4);
    }
    case GS_SCALAR: { /* a 0-d leaf through the ops that accept one */
      int64_t r[3] = {4, 2, 3}, s11[2] = {1, 1}, iv[3] = {0, 0, -1}, is[1] = {3};
      p[0] = nn_pad(x, NULL, NN_PAD_EDGE, 0);
      p[1] = nn_tile(x, r + 1, 2);
      p[2] = nn_repeat(nn_roll(x, 5, NN_ALL_AXES), 3, NN_ALL_AXES);
      p[3] = nn_broadcast_to(nn_unsqueeze(nn_reshape(x, s11, 2), 0), r, 3);
      p[4] = x;
      p[5] = nn_flip(nn_view(x), NN_ALL_AXES);
      p[6] = nn_concatenate(p + 4, 2, NN_ALL_AXES);
      p[7] = nn_stack(p + 4, 2, 0);
      p[4] = nn_take(x, gs_i64(iv, is, 1), NN_ALL_AXES);
      p[5] = nn_sort(x, NN_ALL_AXES, 1);
      return gs_join(p, 8);
    }
    default: return NULL;
  }
}

static const char *const gs_names[GS_NCASES] = {
    "reshape", "reshape_copy", "permute", "transposes", "slice", "slice_neg", "select", "squeeze", "broadcast",
    "diagonal", "ravel_view", "view_chain", "two_consumers", "concat", "concat_all", "stack", "split", "tile",
    "tile_short", "repeat", "repeat_each", "pad", "flip", "roll", "take", "take_all", "take_along", "gather",
    "masked_select", "scatter", "scatter_scalar", "scatter_add", "index_add", "sort", "topk", "scalar"};

static void gs_run(const gs_case *c) {
  nn_tensor *in[3];
  nn_status st;
  int i;
  for (i = 0; i < c->nin; i++) in[i] = gs_leaf(c->shape[i], c->ndim[i], c->kind, (unsigned)(17 * c->op + 3 * i + c->kind));
  st = nn_gradcheck(gs_f, (void *)c, in, c->nin, 1e-6, 1e-8, 1e-6);
  nt_checks++;
  if (st != NN_OK) NT_FAIL("%s (leaf kind %d): %s", gs_names[c->op], c->kind, nn_error());
  for (i = 0; i < c->nin; i++) nn_free(in[i]);
}

static void test_grad_shape_gradcheck(void) {
  static const gs_case cases[] = {
      {GS_RESHAPE, 0, 1, {2}, {{3, 4}}},
      {GS_RESHAPE_COPY, 0, 1, {2}, {{3, 4}}},
      {GS_PERMUTE, 0, 1, {3}, {{2, 3, 4}}},
      {GS_TRANSPOSES, 0, 1, {3}, {{2, 3, 4}}},
      {GS_SLICE, 0, 1, {2}, {{5, 4}}},
      {GS_SLICE_NEG, 0, 1, {2}, {{5, 4}}},
      {GS_SELECT, 0, 1, {3}, {{3, 4, 2}}},
      {GS_SQUEEZE, 0, 1, {3}, {{3, 1, 4}}},
      {GS_BROADCAST, 0, 1, {2}, {{3, 1}}},
      {GS_DIAGONAL, 0, 1, {3}, {{3, 4, 5}}},
      {GS_RAVEL_VIEW, 0, 1, {2}, {{3, 4}}},
      {GS_VIEW_CHAIN, 0, 1, {2}, {{4, 6}}},
      {GS_TWO_CONSUMERS, 0, 1, {2}, {{3, 4}}},
      {GS_CONCAT, 0, 3, {2, 2, 2}, {{2, 3}, {2, 1}, {2, 4}}},
      {GS_CONCAT_ALL, 0, 3, {2, 1, 3}, {{2, 3}, {4}, {1, 2, 2}}},
      {GS_STACK, 0, 3, {2, 2, 2}, {{2, 3}, {2, 3}, {2, 3}}},
      {GS_SPLIT, 0, 1, {2}, {{4, 6}}},
      {GS_TILE, 0, 1, {2}, {{2, 3}}},
      {GS_TILE_SHORT, 0, 1, {3}, {{2, 1, 3}}},
      {GS_REPEAT, 0, 1, {2}, {{3, 4}}},
      {GS_REPEAT_EACH, 0, 1, {2}, {{3, 4}}},
      {GS_PAD, 0, 2, {2, 2}, {{3, 4}, {1, 3}}},
      {GS_FLIP, 0, 1, {3}, {{2, 3, 4}}},
      {GS_ROLL, 0, 1, {2}, {{3, 4}}},
      {GS_TAKE, 0, 1, {2}, {{3, 5}}},
      {GS_TAKE_ALL, 0, 1, {2}, {{3, 5}}},
      {GS_TAKE_ALONG, 0, 2, {2, 2}, {{3, 4}, {1, 1}}},
      {GS_GATHER, 0, 1, {2}, {{3, 4}}},
      {GS_MASKED_SELECT, 0, 2, {2, 2}, {{3, 4}, {3, 1}}},
      {GS_SCATTER, 0, 2, {2, 2}, {{3, 4}, {3, 5}}},
      {GS_SCATTER_SCALAR, 0, 2, {2, 0}, {{3, 4}, {0}}},
      {GS_SCATTER_ADD, 0, 2, {2, 2}, {{3, 4}, {4, 4}}},
      {GS_INDEX_ADD, 0, 3, {2, 2, 2}, {{3, 4}, {3, 5}, {2, 4}}},
      {GS_SORT, 0, 1, {2}, {{3, 5}}},
      {GS_TOPK, 0, 1, {2}, {{4, 5}}},
      {GS_SCALAR, 0, 1, {0}, {{0}}},
  };
  size_t k;
  int kind;
  /* every case with contiguous leaves, then transposed leaves, then reversed (negative-stride) leaves */
  for (kind = 0; kind < 3; kind++)
    for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
      gs_case c = cases[k];
      c.kind = kind;
      gs_run(&c);
    }
}

/* ---- larger inputs: the gradient of a gather-like f is its transpose, which index_add computes independently:
   running f on x = arange(size) tells which source element every output element came from (pad's constant is
   set to size, an extra slot), and index_add sums the output gradient w into those sources. Sizes large enough
   for the backward kernel to split rows and columns over threads; float32 leaves use its float32 loops. ---- */

static nn_tensor *gs_big_f(const nn_tensor *x, int which, double cval) {
  int64_t i;
  switch (which) {
    case 0: { /* take along axis 1 of (4,150,700), 200 indices with repeats */
      int64_t iv[200], is[1] = {200};
      for (i = 0; i < 200; i++) iv[i] = (i * 7) % 150 - (i % 3 == 0 ? 150 : 0);
      return nn_take(x, gs_i64(iv, is, 1), 1);
    }
    case 1: { /* reflect pad of (300,20), wider than the axis */
      int64_t w[4] = {3, 40, 25, 2};
      return nn_pad(x, w, NN_PAD_REFLECT, cval);
    }
    case 2: { /* constant pad of (300,20) */
      int64_t w[4] = {1, 2, 3, 4};
      return nn_pad(x, w, NN_PAD_CONSTANT, cval);
    }
    case 3: { /* tile of (30,7,5) */
      int64_t r[3] = {2, 1, 40};
      return nn_tile(x, r, 3);
    }
    case 4: { /* repeat_each along axis 0 of (200,50) */
      int64_t r[200];
      for (i = 0; i < 200; i++) r[i] = i % 4;
      return nn_repeat_each(x, r, 200, 0);
    }
    case 5: { /* gather along 0 of (60,500) with a (80,400) index */
      int64_t *iv = (int64_t *)malloc(sizeof(int64_t) * 32000), is[2] = {80, 400};
      nn_tensor *t;
      for (i = 0; i < 32000; i++) iv[i] = (i * 13) % 60;
      t = nn_gather(x, 0, gs_i64(iv, is, 2));
      free(iv);
      return t;
    }
    case 6: { /* masked_select of (200,300) */
      uint8_t *mv = (uint8_t *)malloc(60000);
      int64_t ms[2] = {200, 300};
      nn_tensor *t;
      for (i = 0; i < 60000; i++) mv[i] = (uint8_t)((i * 31) % 7 < 4);
      t = nn_masked_select(x, nn_from_data(mv, ms, 2, NN_BOOL));
      free(mv);
      return t;
    }
    case 7: /* roll and flip of (100,70) */
      return nn_flip(nn_roll(x, 33, 0), -1);
    default: { /* wrap pad along axis 0 of a transposed (40,2000): long rows in the kernel */
      int64_t w[4] = {50, 70, 0, 0};
      return nn_pad(nn_transpose(x), w, NN_PAD_WRAP, cval);
    }
  }
}

static void gs_check_adjoint(int which, const int64_t *shape, int ndim, nn_dtype dt) {
  nn_tensor *x, *y, *w, *a, *ya, *ix, *ref, *g;
  int64_t i, n, bad = -1;
  nn_scope_begin();
  x = nn_empty(shape, ndim, dt);
  for (i = 0; i < x->size; i++) nn_set_flat(x, i, (double)((i * 7) % 11) - 5.0);
  nn_requires_grad(x, 1);
  n = x->size;
  y = gs_big_f(x, which, 0.0);
  CHECK(y && y->requires_grad);
  if (!y) goto done;
  w = nn_empty(y->shape, y->ndim, dt); /* small multiples of 1/8: every sum is exact in any order */
  for (i = 0; i < w->size; i++) nn_set_flat(w, i, (double)((i * 37) % 17 - 8) / 8.0);
  CHECK(nn_backward(y, w) == NN_OK);
  g = nn_grad(x);
  nn_no_grad_begin();
  a = nn_reshape(nn_arange(0, (double)n, 1, NN_FLOAT64), shape, ndim);
  ya = gs_big_f(a, which, (double)n);
  ix = nn_astype(nn_ravel(ya), NN_INT64);
  n = x->size + 1;
  ref = nn_index_add(nn_zeros(&n, 1, dt), 0, ix, nn_ravel(w));
  nn_no_grad_end();
  CHECK(g && ref && g->dtype == dt);
  if (!g || !ref) goto done;
  for (i = 0; i < x->size && bad < 0; i++)
    if (nn_get_flat(g, i) != nn_get_flat(ref, i)) bad = i;
  if (bad >= 0)
    NT_FAIL("big case %d (%s): gradient element %lld = %g, expected %g", which, nn_dtype_name(dt), (long long)bad,
            nn_get_flat(g, bad), nn_get_flat(ref, bad));
  CHECK(bad < 0);
done:
  nn_zero_grad(x);
  nn_scope_end();
}

static void test_grad_shape_large(void) {
  static const int64_t shapes[9][3] = {{4, 150, 700}, {300, 20}, {300, 20}, {30, 7, 5}, {200, 50},
                                       {60, 500},     {200, 300}, {100, 70}, {2000, 40}};
  static const int ndims[9] = {3, 2, 2, 3, 2, 2, 2, 2, 2};
  int k;
  for (k = 0; k < 9; k++) gs_check_adjoint(k, shapes[k], ndims[k], k % 2 ? NN_FLOAT64 : NN_FLOAT32);
}

/* ---- ties: the gradient follows the indices the sort chose ---- */

static void test_grad_shape_ties(void) {
  double xv[5] = {1, 3, 3, 2, 3}, wv[5] = {1, 2, 3, 4, 5};
  /* torch 1.13: x.sort(descending=d)[0] @ w, backward; x.grad (ascending, then descending, stable or not) */
  static const double asc[5] = {1, 3, 4, 2, 5}, desc[5] = {5, 1, 2, 4, 3};
  int64_t n = 5, k;
  int d;
  for (d = 0; d < 2; d++) {
    nn_tensor *x = nn_from_data(xv, &n, 1, NN_FLOAT64), *w = nn_from_data(wv, &n, 1, NN_FLOAT64), *y;
    nn_requires_grad(x, 1);
    y = nn_sort(x, 0, d);
    CHECK(y && y->requires_grad);
    CHECK(nn_backward(y, w) == NN_OK);
    CHECK_TENSOR(nn_grad(x), d ? desc : asc, 5, 0);
    /* argsort of the same ties agrees with where the gradient went */
    CHECK_NEAR(nn_get_flat(nn_argsort(x, 0, d), 1), d ? 2 : 3, 0);
  }
  /* topk: each value's gradient goes to the element its index names (nn_topk keeps tied elements in their
     original order; PyTorch's CPU kernel may name another of the tied elements, e.g. 2 for k = 1 here) */
  for (k = 1; k <= 5; k++) {
    nn_tensor *x = nn_from_data(xv, &n, 1, NN_FLOAT64), *v = NULL, *ix = NULL, *w;
    int64_t j;
    nn_requires_grad(x, 1);
    CHECK(nn_topk(x, k, -1, 1, &v, &ix) == NN_OK);
    CHECK(v && v->requires_grad && !ix->requires_grad);
    w = nn_add_scalar(nn_arange(0, (double)k, 1, NN_FLOAT64), 1.0);
    CHECK(nn_backward(v, w) == NN_OK);
    for (j = 0; j < 5; j++) {
      double expect = 0;
      int64_t q;
      for (q = 0; q < k; q++)
        if ((int64_t)nn_get_flat(ix, q) == j) expect = (double)(q + 1);
      CHECK_NEAR(nn_get_flat(nn_grad(x), j), expect, 0);
    }
    if (k == 2) CHECK(nn_get_flat(ix, 0) == 1 && nn_get_flat(ix, 1) == 2);
  }
}

/* ---- what records and what does not ---- */

static void test_grad_shape_recording(void) {
  int64_t s34[2] = {3, 4}, s12[1] = {12};
  nn_tensor *x = gs_leaf(s34, 2, 0, 1), *v, *parts[3], *ints;
  nn_tensor *vals = NULL, *idx = NULL, *cnt = NULL, *inv = NULL;
  /* views of a tensor requiring grad require grad and are not leaves; they still share its storage */
  v = nn_view(x);
  CHECK(v->requires_grad && !nn_is_leaf(v) && v->data == x->data);
  v = nn_slice(nn_transpose(x), 0, NN_NONE, NN_NONE, -1);
  CHECK(v->requires_grad && v->storage == x->storage);
  CHECK(nn_flip(x, 0)->requires_grad && nn_reshape(x, s12, 1)->requires_grad && nn_diagonal(x, 0, 0, 1)->requires_grad);
  CHECK(nn_split(x, 2, 1, parts) == NN_OK && parts[0]->requires_grad && parts[1]->requires_grad);
  CHECK(!nn_is_leaf(parts[0]) && parts[0]->grad_node != parts[1]->grad_node);
  /* under no_grad nothing records */
  nn_no_grad_begin();
  CHECK(!nn_transpose(x)->requires_grad && !nn_pad(x, NULL, NN_PAD_EDGE, 0));
  CHECK(!nn_tile(x, s12, 1)->requires_grad && !nn_sort(x, -1, 0)->requires_grad);
  nn_no_grad_end();
  nn_clear_error();
  /* integer results are not differentiable */
  CHECK(!nn_argsort(x, -1, 0)->requires_grad);
  CHECK(!nn_argwhere(x)->requires_grad && !nn_count_nonzero(x)->requires_grad);
  CHECK(nn_topk(x, 2, 0, 1, &vals, &idx) == NN_OK && vals->requires_grad && !idx->requires_grad);
  CHECK(nn_unique(x, &cnt, &inv) && !cnt->requires_grad && !inv->requires_grad);
  CHECK(!nn_searchsorted(nn_ravel(nn_sort(x, NN_ALL_AXES, 0)), x, 0)->requires_grad);
  ints = nn_astype(nn_arange(0, 3, 1, NN_INT64), NN_INT64);
  CHECK(!nn_one_hot(ints, 4, NN_FLOAT32)->requires_grad);
  /* only topk's values record: indices alone need no graph */
  CHECK(nn_topk(x, 1, 1, 0, NULL, &idx) == NN_OK && !idx->requires_grad);
  /* an int input to concatenate gets no gradient, the float one does */
  parts[0] = x;
  parts[1] = nn_astype(nn_reshape(nn_arange(0, 12, 1, NN_INT32), s34, 2), NN_INT32);
  v = nn_concatenate(parts, 2, 0);
  CHECK(v && v->dtype == NN_FLOAT64 && v->requires_grad);
  CHECK(nn_backward(nn_sum(v, NN_ALL_AXES, 0), NULL) == NN_OK);
  CHECK(nn_grad(x) && nn_sum_all(nn_grad(x)) == 12.0);
  nn_zero_grad(x);
  nn_free(x);
}

/* ---- graph lifetime ---- */

static void test_grad_shape_lifetime(void) {
  int64_t s34[2] = {3, 4}, s64[2] = {6, 4}, i, j;
  nn_tensor *x = gs_leaf(s34, 2, 0, 2), *t, *s, *y, *loss, *parts[3], *f;
  /* intermediate views freed before backward: the nodes keep what backward needs */
  t = nn_transpose(x);
  s = nn_slice(t, 0, 1, 3, 1); /* columns 1 and 2 of x */
  y = nn_mul(s, s);
  nn_free(t);
  nn_free(s);
  loss = nn_sum(y, NN_ALL_AXES, 0);
  nn_free(y);
  CHECK(nn_backward(loss, NULL) == NN_OK);
  for (i = 0; i < 3; i++)
    for (j = 0; j < 4; j++) {
      int64_t ix[2];
      ix[0] = i;
      ix[1] = j;
      CHECK_NEAR(nn_get(nn_grad(x), ix), j == 1 || j == 2 ? 2.0 * nn_get(x, ix) : 0.0, 1e-15);
    }
  nn_zero_grad(x);
  /* one split output used, the others freed: the gradient reaches only its slice */
  {
    nn_tensor *b = gs_leaf(s64, 2, 0, 3);
    CHECK(nn_array_split(b, 3, 0, parts) == NN_OK);
    nn_free(parts[0]);
    nn_free(parts[2]);
    CHECK(nn_backward(nn_sum(parts[1], NN_ALL_AXES, 0), NULL) == NN_OK);
    for (i = 0; i < 24; i++) CHECK_NEAR(nn_get_flat(nn_grad(b), i), i >= 8 && i < 16 ? 1.0 : 0.0, 0);
    nn_free(b);
  }
  /* retain_graph through views and a gather: a second backward adds the same gradient again */
  {
    int64_t iv[3] = {1, 1, -1}, is[1] = {3};
    y = nn_take(nn_flip(nn_transpose(x), 0), gs_i64(iv, is, 1), 1);
    loss = nn_sum(nn_square(y), NN_ALL_AXES, 0);
    CHECK(nn_backward_ex(loss, NULL, 1) == NN_OK);
    f = nn_copy(nn_grad(x));
    CHECK(nn_backward(loss, NULL) == NN_OK);
    for (i = 0; i < 12; i++) CHECK_NEAR(nn_get_flat(nn_grad(x), i), 2.0 * nn_get_flat(f, i), 1e-15);
    CHECK_ERR(nn_backward(loss, NULL) != NN_OK, NN_ERR_ARG);
    nn_zero_grad(x);
  }
  /* float32 leaves through a float64 concatenation get float32 gradients */
  {
    nn_tensor *a = nn_ones(s34, 2, NN_FLOAT32);
    nn_requires_grad(a, 1);
    parts[0] = nn_slice(a, 1, NN_NONE, NN_NONE, -1);
    parts[1] = nn_mul_scalar(x, 2.0);
    t = nn_concatenate(parts, 2, -1);
    CHECK(t && t->dtype == NN_FLOAT64);
    CHECK(nn_backward(nn_sum(nn_mul(t, t), NN_ALL_AXES, 0), NULL) == NN_OK);
    CHECK(nn_grad(a) && nn_grad(a)->dtype == NN_FLOAT32 && nn_get_flat(nn_grad(a), 5) == 2.0f);
    CHECK_NEAR(nn_get_flat(nn_grad(x), 7), 8.0 * nn_get_flat(x, 7), 1e-15);
    nn_free(a);
    nn_zero_grad(x);
  }
  /* freeing the leaf before backward: nothing crashes */
  {
    nn_tensor *b = gs_leaf(s34, 2, 1, 4);
    loss = nn_sum(nn_pad(nn_select(b, 0, 1), s34, NN_PAD_REFLECT, 0), NN_ALL_AXES, 0);
    nn_free(b);
    CHECK(nn_backward(loss, NULL) == NN_OK);
  }
  nn_free(x);
}

/* ---- bad input still fails cleanly when gradients are wanted ---- */

static void test_grad_shape_errors(void) {
  int64_t s34[2] = {3, 4}, bad[2] = {5, 3}, negpad[4] = {1, -1, 0, 0}, iv[2] = {0, 4}, is[1] = {2}, s2[1] = {2};
  nn_tensor *x = gs_leaf(s34, 2, 0, 5), *parts[4], *v = NULL, *ix = NULL, *fidx;
  long live = nn_live_tensors();
  CHECK_ERR(nn_reshape(x, bad, 2) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_slice(x, 0, 0, 2, 0) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_select(x, 1, 4) == NULL, NN_ERR_INDEX);
  CHECK_ERR(nn_permute(x, NULL, 2) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_squeeze(x, 0) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_broadcast_to(x, bad, 2) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_diagonal(x, 0, 1, -1) == NULL, NN_ERR_AXIS);
  CHECK_ERR(nn_flip(x, 2) == NULL, NN_ERR_AXIS);
  CHECK_ERR(nn_roll(x, 1, -3) == NULL, NN_ERR_AXIS);
  CHECK_ERR(nn_pad(x, negpad, NN_PAD_CONSTANT, 0) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_tile(x, negpad, 4) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_repeat(x, -1, 0) == NULL, NN_ERR_VALUE);
  CHECK_ERR(nn_split(x, 3, 1, parts) != NN_OK, NN_ERR_VALUE);
  parts[0] = x;
  parts[1] = nn_transpose(x);
  CHECK_ERR(nn_concatenate(parts, 2, 0) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_stack(parts, 2, 0) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_take(x, gs_i64(iv, is, 1), 1) == NULL, NN_ERR_INDEX);
  CHECK_ERR(nn_gather(x, 0, gs_i64(iv, is, 1)) == NULL, NN_ERR_SHAPE);
  fidx = nn_zeros(s2, 1, NN_FLOAT64);
  CHECK_ERR(nn_take_along_axis(x, fidx, 0) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_scatter_add(x, 0, fidx, x) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_index_add(x, 1, gs_i64(iv, is, 1), x) == NULL, NN_ERR_SHAPE);
  CHECK_ERR(nn_masked_select(x, x) == NULL, NN_ERR_DTYPE);
  CHECK_ERR(nn_sort(x, 2, 0) == NULL, NN_ERR_AXIS);
  CHECK_ERR(nn_sort(NULL, 0, 0) == NULL, NN_ERR_NULL);
  CHECK_ERR(nn_topk(x, 5, 1, 1, &v, &ix) != NN_OK, NN_ERR_INDEX);
  CHECK(v == NULL && ix == NULL);
  /* in-place writes are not recorded: refused on a tensor gradients flow through, fine under no_grad */
  {
    int64_t s21[2] = {2, 1};
    long before = nn_live_tensors();
    nn_tensor *m = nn_greater(x, nn_scalar(0.0, NN_FLOAT64)), *t = nn_mul_scalar(x, 1.0), *iz = gs_i64(iv, s21, 2);
    nn_tensor *r = nn_ravel(t);
    live += nn_live_tensors() - before;
    CHECK_ERR(nn_masked_fill(x, m, 0.0) != NN_OK, NN_ERR_ARG);
    CHECK_ERR(nn_masked_fill(t, m, 0.0) != NN_OK, NN_ERR_ARG);
    CHECK_ERR(nn_put(r, iz, t) != NN_OK, NN_ERR_ARG);
    CHECK_ERR(nn_put_along_axis(t, iz, t, 0) != NN_OK, NN_ERR_ARG);
    nn_no_grad_begin();
    CHECK(nn_masked_fill(t, m, 0.0) == NN_OK);
    nn_no_grad_end();
  }
  /* backward through a view with a gradient of the wrong shape */
  CHECK_ERR(nn_backward(nn_transpose(x), nn_ones(s34, 2, NN_FLOAT64)) != NN_OK, NN_ERR_SHAPE);
  /* the failed calls left nothing behind besides what this test made (the index and mask tensors) */
  CHECK(nn_live_tensors() - live == 7);
  nn_free(x);
}

/* ---- no growth over many steps of forward + backward through all kinds of ops ---- */

static void test_grad_shape_memory(void) {
  int64_t s34[2] = {3, 4}, pw[4] = {1, 2, 2, 1}, reps[2] = {2, 1}, iv[4] = {2, 0, 2, -1}, is[1] = {4}, rep[3] = {1, 2, 0};
  nn_tensor *w = gs_leaf(s34, 2, 0, 9), *u = gs_leaf(s34, 2, 1, 10);
  long live0 = nn_live_tensors();
  int it;
  for (it = 0; it < 300; it++) {
    nn_tensor *p[8], *sp[2], *loss, *v = NULL, *ix;
    nn_scope_begin();
    ix = gs_i64(iv, is, 1);
    nn_split(u, 2, 1, sp);
    p[0] = nn_pad(nn_transpose(w), pw, (nn_pad_mode)(it % 5), 0.5);
    p[1] = nn_tile(nn_slice(w, 0, NN_NONE, NN_NONE, -1), reps, 2);
    p[2] = nn_take(nn_mul(w, u), ix, 1);
    p[3] = nn_sort(nn_diagonal(w, 1, 0, 1), 0, it & 1);
    nn_topk(nn_roll(u, it, NN_ALL_AXES), 2, -1, 1, &v, NULL);
    p[4] = v;
    p[5] = nn_repeat_each(nn_flip(sp[1], 0), rep, 3, 0);
    p[6] = nn_index_add(w, 1, ix, nn_take(u, ix, 1));
    p[7] = nn_stack(sp, 2, -1);
    loss = nn_sum(nn_square(gs_join(p, 8)), NN_ALL_AXES, 0);
    if (it == 0) CHECK(loss && loss->requires_grad);
    nn_backward(loss, NULL);
    nn_zero_grad(w);
    nn_zero_grad(u);
    nn_scope_end();
  }
  CHECK(nn_live_tensors() == live0);
  nn_free(w);
  nn_free(u);
}

static void tests_grad_shape(void) {
  RUN(test_grad_shape_gradcheck);
  RUN(test_grad_shape_large);
  RUN(test_grad_shape_ties);
  RUN(test_grad_shape_recording);
  RUN(test_grad_shape_lifetime);
  RUN(test_grad_shape_errors);
  RUN(test_grad_shape_memory);
}
