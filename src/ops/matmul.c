/* ops/matmul.c: (being written) */
