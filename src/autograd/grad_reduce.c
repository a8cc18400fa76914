/* autograd/grad_reduce.c: backward formulas of the reductions (PyTorch's derivatives). */

/* g with the reduced axes of the input put back as length-1 axes, so that it broadcasts against the input. */
NN__PRIVATE nn_tensor *nn__ag_unreduce(const nn__node *n, const nn_tensor *g) {
  int64_t shape[NN_MAX_DIMS];
  const nn__edge *e = &n->in[0];
  int i;
  for (i = 0; i < e->ndim; i++) shape[i] = n->i[1 + i] ? 1 : e->shape[i];
  return nn_reshape(g, shape, e->ndim);
}

NN__PRIVATE nn_status nn__reduce_backward(nn__node *n, const nn_tensor *g, nn_tensor **gin) {
  const nn__edge *e = &n->in[0];
  nn_tensor *gk = nn__ag_unreduce(n, g), *t = NULL;
  if (!gk) return nn_last_status();
  switch ((int)n->i[0]) {
    case NN_REDUCE_SUM: gin[0] = nn_broadcast_to(gk, e->shape, e->ndim); break;
    case NN_REDUCE_MEAN:
      t = nn_div_scalar(gk, n->d[0]);
      if (t) gin[0] = nn_broadcast_to(t, e->shape, e->ndim);
      break;
    default:
      nn_free(gk);
      return nn__fail(NN_ERR_UNSUPPORTED, "nn_backward: the gradient of reduction %d is not implemented", (int)n->i[0]);
  }
  nn_free(gk);
  nn_free(t);
  return gin[0] ? NN_OK : nn_last_status();
}

NN__PRIVATE nn_tensor *nn__grad_reduce(int op, nn_tensor *res, const nn_tensor *x, const int *red, int ddof) {
  nn__node *n;
  int i;
  double count = 1;
  (void)ddof;
  if (!nn__is_float(res->dtype) || !nn__is_float(x->dtype)) return res;
  static const char *const names[NN_REDUCE_COUNT] = {"sum", "mean", "prod", "min", "max",
                                                     "any", "all", "logsumexp", "var", "std"};
  n = nn__ag_node(names[op], nn__reduce_backward, 1, &x);
  if (!n) return nn__ag_attach(NULL, res);
  n->i[0] = op;
  for (i = 0; i < x->ndim; i++) {
    n->i[1 + i] = red[i] != 0;
    if (red[i]) count *= (double)x->shape[i];
  }
  n->d[0] = count;
  return nn__ag_attach(n, res);
}
