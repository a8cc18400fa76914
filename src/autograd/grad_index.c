/* autograd/grad_index.c: backward formulas of the indexing ops. */
