/* ops/conv.c: (being written) */
