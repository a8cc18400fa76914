/* ops/index.h: (being written) */
