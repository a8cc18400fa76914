/* kernels/reduce_scalar.c (being written) */
