/* autograd/grad_conv.c: backward formulas of convolution and pooling, through the gradient functions of ops/conv.c
   (input and weight gradients of the convolutions, pooling backward through the argmax indices, col2im as the adjoint
   of im2col and the reverse). */
#ifndef NN_NO_CONV

/* The caller's parameters go to n->i[0..7] (raw, so that 0 keeps meaning the default). */
NN__PRIVATE void nn__ag_conv_params_put(nn__node *n, const nn_conv_params *p) {
  int k;
  if (!p) return; /* n->i is zeroed: all defaults */
  for (k = 0; k < 2; k++) {
    n->i[k] = p->stride[k];
    n->i[2 + k] = p->padding[k];
    n->i[4 + k] = p->dilation[k];
  }
  n->i[6] = p->groups;
  n->i[7] = p->same;
}

NN__PRIVATE void nn__ag_conv_params_get(const nn__node *n, nn_conv_params *p) {
  int k;
  for (k = 0; k < 2; k++) {
    p->stride[k] = (int)n->i[k];
    p->padding[k] = (int)n->i[2 + k];
    p->dilation[k] = (int)n->i[4 + k];
  }
  p->groups = (int)n->i[6];
  p->same = (int)n->i[7];
}

/* The gradients of a convolution node from g, the gradient of its output; or, with pidx, from g the gradient of the
   2x2 pooling of its output and pidx that pooling's argmax (x then needs no gradient). n->i[8]: 1-D; saved[0]: x
   (when w needs a gradient), saved[1]: w (when x needs one). */
NN__PRIVATE nn_status nn__conv_grads(nn__node *n, const nn_tensor *g, const nn_tensor *pidx, nn_tensor **gin) {
  nn_conv_params p;
  int is1d = (int)n->i[8], need_b = n->nin > 2 && n->in[2].node != NULL;
  nn_tensor *db = NULL;
  nn__ag_conv_params_get(n, &p);
  if (n->in[0].node) {
    gin[0] = nn__conv_backward_input(n->name, is1d, g, n->saved[1], n->in[0].shape, &p);
    if (!gin[0]) return nn_last_status();
  }
  if (n->in[1].node) {
    gin[1] = nn__conv_backward_weight_ex(n->name, is1d, g, pidx, n->saved[0], n->in[1].shape, &p,
                                         need_b ? &db : NULL);
    if (!gin[1]) return nn_last_status();
  } else if (need_b) { /* bias only: dy summed over the batch and spatial axes */
    int axes[3] = {0, 2, 3};
    db = nn_reduce(NN_REDUCE_SUM, g, axes, is1d ? 2 : 3, 0, 0);
  }
  if (need_b) {
    if (!db) return nn_last_status();
    gin[2] = db;
  }
  return NN_OK;
}

NN__PRIVATE nn_status nn__conv_grad_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  return nn__conv_grads(n, g, NULL, gin);
}

/* A node for a convolution of x, w, b (b may be NULL) with backward function fn: the parameters in n->i[0..8], x
   and w saved as the gradients need them. NULL with an error. */
NN__PRIVATE nn__node *nn__ag_conv_node(const char *name, nn__backward_fn fn, int is1d, const nn_tensor *x,
                                       const nn_tensor *w, const nn_tensor *b, const nn_conv_params *p) {
  const nn_tensor *in[3];
  nn__node *n;
  in[0] = x;
  in[1] = w;
  in[2] = b;
  n = nn__ag_node(name, fn, b ? 3 : 2, in);
  if (n) {
    nn__ag_conv_params_put(n, p);
    n->i[8] = is1d;
    if ((n->in[1].node && nn__ag_save(n, 0, x) != NN_OK) || (n->in[0].node && nn__ag_save(n, 1, w) != NN_OK)) {
      nn__node_decref(n);
      n = NULL;
    }
  }
  return n;
}

NN__PRIVATE nn_tensor *nn__grad_conv(nn_tensor *res, int is1d, const nn_tensor *x, const nn_tensor *w,
                                     const nn_tensor *b, const nn_conv_params *p) {
  return nn__ag_attach(nn__ag_conv_node(is1d ? "nn_conv1d" : "nn_conv2d", nn__conv_grad_backward, is1d, x, w, b, p),
                       res);
}

/* n->i[9..12]: the convolution's output shape; saved[2]: argmax. When only w and b need gradients, each image's dy
   is rebuilt from the pooled gradient where the kernel reads it; otherwise dy is built whole first. */
NN__PRIVATE nn_status nn__conv_pool22_grad_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  int64_t zs[4];
  nn_tensor *dz;
  nn_status st;
  zs[0] = n->i[9], zs[1] = n->i[10], zs[2] = n->i[11], zs[3] = n->i[12];
  if (!n->in[0].node && n->in[1].node) {
    nn_conv_params p;
    nn__ag_conv_params_get(n, &p);
    if (nn__conv_pool22_wgrad_ok(g, n->saved[0], n->in[1].shape, &p)) return nn__conv_grads(n, g, n->saved[2], gin);
  }
  dz = nn__max_pool_backward(n->name, 0, g, n->saved[2], zs);
  if (!dz) return nn_last_status();
  st = nn__conv_grads(n, dz, NULL, gin);
  nn_free(dz);
  return st;
}

NN__PRIVATE nn_tensor *nn__grad_conv_pool22(nn_tensor *res, const nn_tensor *x, const nn_tensor *w, const nn_tensor *b,
                                            const nn_conv_params *p, const nn_tensor *argmax, const int64_t *zs) {
  nn__node *n = nn__ag_conv_node("nn_conv2d+max_pool2d", nn__conv_pool22_grad_backward, 0, x, w, b, p);
  int k;
  if (n) {
    for (k = 0; k < 4; k++) n->i[9 + k] = zs[k];
    if (nn__ag_save(n, 2, argmax) != NN_OK) {
      nn__node_decref(n);
      n = NULL;
    }
  }
  return nn__ag_attach(n, res);
}

/* ---- pooling ---- */

NN__PRIVATE nn_status nn__max_pool_grad_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  gin[0] = nn__max_pool_backward(n->name, (int)n->i[8], g, n->saved[0], n->in[0].shape);
  return gin[0] ? NN_OK : nn_last_status();
}

NN__PRIVATE nn_tensor *nn__grad_max_pool(nn_tensor *res, int is1d, const nn_tensor *x, const nn_tensor *argmax) {
  nn__node *n = nn__ag_node(is1d ? "nn_max_pool1d" : "nn_max_pool2d", nn__max_pool_grad_backward, 1, &x);
  if (n) {
    n->i[8] = is1d;
    if (nn__ag_save(n, 0, argmax) != NN_OK) {
      nn__node_decref(n);
      n = NULL;
    }
  }
  return nn__ag_attach(n, res);
}

/* n->i[9], n->i[10]: the window (kh, kw). */
NN__PRIVATE nn_status nn__avg_pool_grad_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  nn_conv_params p;
  nn__ag_conv_params_get(n, &p);
  gin[0] = nn__avg_pool_backward(n->name, (int)n->i[8], g, n->in[0].shape, (int)n->i[9], (int)n->i[10], &p);
  return gin[0] ? NN_OK : nn_last_status();
}

NN__PRIVATE nn_tensor *nn__grad_avg_pool(nn_tensor *res, int is1d, const nn_tensor *x, int kh, int kw,
                                         const nn_conv_params *p) {
  nn__node *n = nn__ag_node(is1d ? "nn_avg_pool1d" : "nn_avg_pool2d", nn__avg_pool_grad_backward, 1, &x);
  if (n) {
    nn__ag_conv_params_put(n, p);
    n->i[8] = is1d;
    n->i[9] = kh;
    n->i[10] = kw;
  }
  return nn__ag_attach(n, res);
}

/* ---- im2col / col2im ---- */

/* n->i[8]: 1 for col2im; the gradient of each is the other applied to g. */
NN__PRIVATE nn_status nn__cols_grad_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  nn_conv_params p;
  nn__ag_conv_params_get(n, &p);
  if (n->i[8]) gin[0] = nn_im2col(g, (int)n->i[9], (int)n->i[10], &p);
  else gin[0] = nn_col2im(g, n->in[0].shape, (int)n->i[9], (int)n->i[10], &p);
  return gin[0] ? NN_OK : nn_last_status();
}

NN__PRIVATE nn_tensor *nn__grad_cols(nn_tensor *res, int is_col2im, const nn_tensor *x, int kh, int kw,
                                     const nn_conv_params *p) {
  nn__node *n = nn__ag_node(is_col2im ? "nn_col2im" : "nn_im2col", nn__cols_grad_backward, 1, &x);
  if (n) {
    nn__ag_conv_params_put(n, p);
    n->i[8] = is_col2im;
    n->i[9] = kh;
    n->i[10] = kw;
  }
  return nn__ag_attach(n, res);
}

#endif /* NN_NO_CONV */
