/* ops/reduce.h: (being written) */
