/* ops/sort.h: (being written) */
