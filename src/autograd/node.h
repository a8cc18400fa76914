/* autograd/node.h (private): the graph node and the calls an op makes to record itself.

   Included before the ops so that they can record; the engine (autograd/engine.c) and the backward formulas
   (autograd/grad_*.c) come after them in the manifest. How an op records (see grad_elementwise.c for examples):

       res = ...compute the result as usual...;
       if (res && nn__ag_wanted2(a, b)) res = nn__grad_record_xxx(res, a, b, ...);   (frees res on failure)

   where the recording function does
       nn__node *n = nn__ag_node("nn_mul", backward_fn, 2, inputs);   (NULL + error on failure)
       nn__ag_save(n, 0, a); ...; n->i[0] = axis; ...
       return nn__ag_attach(n, res);

   Backward functions run with grad mode off inside a scope of the engine. They get the gradient of the output
   (gout, the output's shape) and set gin[i] to a new tensor for each input i whose edge is live (n->in[i].node !=
   NULL); the engine sums broadcast dimensions back to the input's shape and converts to its dtype. They return
   NN_OK or an error status (with a message). */

typedef struct nn__node nn__node;
typedef nn_status (*nn__backward_fn)(nn__node *n, const nn_tensor *gout, nn_tensor **gin);

#define NN__AG_SAVED 6

typedef struct nn__edge {
  nn__node *node; /* the node that produced input i (an accumulate node for a leaf); NULL: no gradient needed */
  nn_dtype dtype; /* input i's dtype and shape, to fit its gradient */
  int ndim;
  int64_t shape[NN_MAX_DIMS];
} nn__edge;

struct nn__node {
  const char *name; /* the recording op, for messages */
  nn__backward_fn backward;
  long refs; /* the tensors it produced + the nodes that consume it */
  int nin;
  nn__edge *in;
  nn_tensor *saved[NN__AG_SAVED]; /* private headers (in no scope) sharing the saved tensors' storage */
  double d[4];                    /* op parameters */
  int64_t i[2 * NN_MAX_DIMS + 4];
  void *extra; /* op-specific data freed with free_extra (NN_FREE when NULL) */
  void (*free_extra)(void *);
  nn_tensor *leaf; /* accumulate nodes only: the leaf whose .grad they fill (cleared when the leaf is freed) */
  int is_leaf;
  int released; /* backward ran without retain_graph: saved tensors are gone */
  /* engine state during one backward */
  nn_tensor *gacc;
  unsigned long mark;
  nn__node *link; /* free list / work stack */
};

static NN_THREAD_LOCAL int nn__no_grad_depth = 0; /* grad mode is on when 0 */

NN__PRIVATE int nn__ag_wanted1(const nn_tensor *a) { return nn__no_grad_depth == 0 && a && a->requires_grad; }
NN__PRIVATE int nn__ag_wanted2(const nn_tensor *a, const nn_tensor *b) {
  return nn__no_grad_depth == 0 && ((a && a->requires_grad) || (b && b->requires_grad));
}
NN__PRIVATE int nn__ag_wanted3(const nn_tensor *a, const nn_tensor *b, const nn_tensor *c) {
  return nn__no_grad_depth == 0 && ((a && a->requires_grad) || (b && b->requires_grad) || (c && c->requires_grad));
}

NN__PRIVATE nn__node *nn__ag_node(const char *name, nn__backward_fn fn, int nin, const nn_tensor *const *inputs);
NN__PRIVATE nn_status nn__ag_save(nn__node *n, int slot, const nn_tensor *t);
NN__PRIVATE nn_tensor *nn__ag_attach(nn__node *n, nn_tensor *out);
NN__PRIVATE void nn__node_decref(nn__node *n);
/* Called by nn_free for a tensor with a grad_node. */
NN__PRIVATE void nn__ag_tensor_freed(nn_tensor *t);
/* The recorders of the elementwise ops (autograd/grad_elementwise.c). */
NN__PRIVATE nn_tensor *nn__grad_binary(nn_binop op, nn_tensor *res, const nn_tensor *a, const nn_tensor *b);
NN__PRIVATE nn_tensor *nn__grad_unary(nn_unop op, nn_tensor *res, const nn_tensor *x);
NN__PRIVATE nn_tensor *nn__grad_add_scaled(nn_tensor *res, const nn_tensor *a, const nn_tensor *b, double alpha);
NN__PRIVATE nn_tensor *nn__grad_where(nn_tensor *res, const nn_tensor *cond, const nn_tensor *a, const nn_tensor *b);
NN__PRIVATE nn_tensor *nn__grad_clip(nn_tensor *res, const nn_tensor *x, double lo, double hi);
NN__PRIVATE nn_tensor *nn__grad_copy(nn_tensor *res, const nn_tensor *x);
/* The recorder of the reductions (autograd/grad_reduce.c); red[i] != 0 marks the reduced axes of x. */
NN__PRIVATE nn_tensor *nn__grad_reduce(int op, nn_tensor *res, const nn_tensor *x, const int *red, int ddof);
