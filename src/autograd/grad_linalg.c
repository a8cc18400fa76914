/* autograd/grad_linalg.c: backward formulas of matmul and its relatives. */
