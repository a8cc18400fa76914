/* ops/matmul.h: (being written) */
