/* core/print.h: (being written) */
