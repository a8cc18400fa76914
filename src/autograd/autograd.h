/* autograd/autograd.h: reverse-mode automatic differentiation (define-by-run, like PyTorch's autograd).

   Mark the leaves you want gradients for with nn_requires_grad(w, 1). While grad mode is on (the default), every
   differentiable op whose inputs require gradients records a node that remembers what its backward pass needs, and
   its result requires gradients too. nn_backward(loss, NULL) walks the recorded graph from a scalar loss and adds
   d loss / d leaf into each leaf's gradient (nn_grad(w)), accumulating across calls until nn_zero_grad(w).

   Memory: a node belongs to the tensors it produced. Freeing those tensors (nn_free, or nn_scope_end for a scope
   that owns them) frees the graph, so a training step inside nn_scope_begin/nn_scope_end leaves nothing behind.
   A leaf owns its gradient: nn_grad(w) is borrowed, valid until nn_zero_grad(w) or nn_free(w).
   By default nn_backward frees what the graph saved for the backward pass; a second backward through the same graph
   is an error unless the first one passed retain_graph = 1.

   The _out forms of the ops (nn_binary_out, nn_matmul_out, ...) never record: they are for inference, optimizers
   and code inside nn_no_grad_begin/nn_no_grad_end. A graph belongs to the thread that built it. */

/* Marks a leaf as needing gradients (on = 1) or not. Only float32/float64 tensors can require gradients; a tensor
   produced by a recorded op is not a leaf (use nn_detach to get one). */
NNDEF nn_status nn_requires_grad(nn_tensor *t, int on);
/* 1 when gradients flow to or through t (a marked leaf or the result of a recorded op). */
NNDEF int nn_requires_grad_get(const nn_tensor *t);
/* 1 for a leaf: a tensor that no recorded op produced. */
NNDEF int nn_is_leaf(const nn_tensor *t);
/* Back-propagates from t. grad is d(something)/dt with t's shape, or NULL when t has one element (then 1).
   Adds the gradients into the leaves' .grad and frees the graph's saved tensors. */
NNDEF nn_status nn_backward(nn_tensor *t, const nn_tensor *grad);
/* nn_backward with retain_graph = 1 keeping the graph usable for another backward. */
NNDEF nn_status nn_backward_ex(nn_tensor *t, const nn_tensor *grad, int retain_graph);
/* The accumulated gradient of a leaf (borrowed: owned by t), or NULL when none has been computed. */
NNDEF nn_tensor *nn_grad(const nn_tensor *t);
/* Drops the gradient of t (PyTorch's zero_grad(set_to_none=True)); the next backward starts from zero. */
NNDEF void nn_zero_grad(nn_tensor *t);
/* Turns recording on or off for this thread (torch.set_grad_enabled); returns the previous setting. */
NNDEF int nn_set_grad_enabled(int enabled);
/* 1 when ops record on this thread. */
NNDEF int nn_is_grad_enabled(void);
/* A no-grad region (torch.no_grad()): ops between begin and end record nothing. Regions nest. */
NNDEF void nn_no_grad_begin(void);
NNDEF void nn_no_grad_end(void);
/* A view of t's data that is a leaf without gradient history (tensor.detach()). */
NNDEF nn_tensor *nn_detach(const nn_tensor *t);

/* Gradient check (torch.autograd.gradcheck): f maps the n inputs to a tensor; the check compares the gradients
   that nn_backward computes for sum(f(inputs) * w), with w a fixed random tensor, against central finite differences
   with step eps, per element: |analytic - numeric| <= atol + rtol |numeric|. Inputs should be float64 leaves
   requiring gradients. Returns NN_OK, or NN_ERR_VALUE with a message naming the input, the element and both values. */
typedef nn_tensor *(*nn_grad_fn)(nn_tensor *const *inputs, int n, void *ctx);
NNDEF nn_status nn_gradcheck(nn_grad_fn f, void *ctx, nn_tensor *const *inputs, int n, double eps, double atol,
                             double rtol);

/* Custom differentiable ops. backward receives the gradient of the output and fills grads[i] with a new tensor for
   each input i that needs one (broadcast shapes are summed back and dtypes converted for you), or leaves it NULL.
   saved[] are the tensors given to nn_custom_op (the op keeps them alive), ctx is passed through untouched. */
typedef nn_status (*nn_backward_fn)(const nn_tensor *grad_out, nn_tensor *const *saved, int nsaved, void *ctx,
                                    nn_tensor **grads, int ninputs);
/* Records output as computed from inputs by a user's op: output (already computed, e.g. under nn_no_grad_begin)
   gets a node whose backward is fn. Returns output, or NULL on error (output is then freed). Does nothing when
   grad mode is off or no input requires gradients. */
NNDEF nn_tensor *nn_custom_op(const char *name, nn_tensor *output, nn_tensor *const *inputs, int ninputs,
                              nn_tensor *const *saved, int nsaved, nn_backward_fn fn, void *ctx);
