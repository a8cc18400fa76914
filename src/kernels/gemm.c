/* kernels/gemm.c (being written) */
