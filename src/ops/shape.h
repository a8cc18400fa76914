/* ops/shape.h: (being written) */
