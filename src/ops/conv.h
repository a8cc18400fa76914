/* ops/conv.h: (being written) */
