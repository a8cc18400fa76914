/* base/threads.h: the library's thread pool.

   One pool per process, started on first use, sized by default to the machine's cores (or the NN_NUM_THREADS
   environment variable). Work is split into fixed chunks whose boundaries do not depend on the thread count, so
   results are bit-for-bit identical for any nn_set_num_threads value. Build with NN_NO_THREADS to leave it out. */

/* Sets the number of threads the library uses (1 = run on the calling thread only). n < 1 restores the default. */
NNDEF void nn_set_num_threads(int n);
/* The number of threads the library uses. */
NNDEF int nn_get_num_threads(void);
