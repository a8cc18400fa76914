/* core/print.c: (being written) */
