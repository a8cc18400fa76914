/* io/inflate.c: DEFLATE decompression. */
