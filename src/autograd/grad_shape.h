/* autograd/grad_shape.h (private): recorders of the view, shape and indexing ops (autograd/grad_shape.c,
   autograd/grad_index.c), declared here so the ops above them in the manifest can call them. */
