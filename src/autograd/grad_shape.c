/* autograd/grad_shape.c: backward formulas of the views and shape ops. */
