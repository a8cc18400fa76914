/* io/io.h: reading and writing data files. */
