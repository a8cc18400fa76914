/* ops/sort.c: (being written) */
