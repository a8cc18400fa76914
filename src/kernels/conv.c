/* kernels/conv.c: (being written) */
