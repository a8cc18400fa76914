/* base/random.h: (being written) */
