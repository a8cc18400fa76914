/* base/random.c: (being written) */
