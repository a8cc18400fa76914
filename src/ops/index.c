/* ops/index.c: (being written) */
