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
  GS_TOPK, GS_NCASES
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
    default: return NULL;
  }
}

static const char *const gs_names[GS_NCASES] = {
    "reshape", "reshape_copy", "permute", "transposes", "slice", "slice_neg", "select", "squeeze", "broadcast",
    "diagonal", "ravel_view", "view_chain", "two_consumers", "concat", "concat_all", "stack", "split", "tile",
    "tile_short", "repeat", "repeat_each", "pad", "flip", "roll", "take", "take_all", "take_along", "gather",
    "masked_select", "scatter", "scatter_scalar", "scatter_add", "index_add", "sort", "topk"};

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

static void tests_grad_shape(void) { RUN(test_grad_shape_gradcheck); }
