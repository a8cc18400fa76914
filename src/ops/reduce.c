/* ops/reduce.c: (being written) */
