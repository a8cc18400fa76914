/* base/random.h: random numbers with explicit state (there is no global generator).

   The generator is xoshiro256** (Blackman and Vigna) seeded through splitmix64. Every function takes the state
   explicitly, draws sequentially and never uses threads, so a seed gives the same numbers on every platform and
   for any thread count (normal draws use log/sqrt from the C library, exact to its rounding). Streams are not
   NumPy's: np.random uses other generators, so only the distributions match, not the values.
   A NULL rng is reported as an NN_ERR_NULL error, never a crash. */

typedef struct nn_rng {
  uint64_t s[4];   /* xoshiro256** state */
  int has_spare;   /* a second normal draw is waiting in spare */
  double spare;
} nn_rng;

/* Seeds r: the four state words are successive splitmix64 outputs of seed (any seed, 0 included, is fine). */
NNDEF void nn_rng_seed(nn_rng *r, uint64_t seed);
/* The next 64 random bits (xoshiro256**). */
NNDEF uint64_t nn_rng_next(nn_rng *r);
/* Uniform double in [0, 1) with 53 random bits. NaN on error. */
NNDEF double nn_rng_uniform(nn_rng *r);
/* Standard normal draw (Marsaglia's polar method; draws come in pairs, the second is kept in r->spare). */
NNDEF double nn_rng_normal(nn_rng *r);
/* Uniform integer in [lo, hi), unbiased (Lemire's multiply-and-reject); lo >= hi is an error and returns lo. */
NNDEF int64_t nn_rng_int(nn_rng *r, int64_t lo, int64_t hi);

/* U[0,1) samples (np.random.random): float32 uses 24 random bits, float64 53, so 1.0 never appears. */
NNDEF nn_tensor *nn_rand(nn_rng *r, const int64_t *shape, int ndim, nn_dtype dtype);
/* U[lo,hi) samples (np.random.uniform), float32 or float64; hi < lo or a non-finite bound is an error. */
NNDEF nn_tensor *nn_uniform(nn_rng *r, double lo, double hi, const int64_t *shape, int ndim, nn_dtype dtype);
/* Standard normal samples (np.random.standard_normal), float32 or float64. */
NNDEF nn_tensor *nn_randn(nn_rng *r, const int64_t *shape, int ndim, nn_dtype dtype);
/* Normal samples mean + std * z (np.random.normal); std < 0 is an error. */
NNDEF nn_tensor *nn_normal(nn_rng *r, double mean, double std, const int64_t *shape, int ndim, nn_dtype dtype);
/* Integers uniform in [lo, hi) (np.random.randint) of an integer dtype or bool; lo >= hi, or bounds outside the
   dtype's range ("high is out of bounds for uint8"), are errors. */
NNDEF nn_tensor *nn_randint(nn_rng *r, int64_t lo, int64_t hi, const int64_t *shape, int ndim, nn_dtype dtype);
/* int64 tensor holding 0..n-1 shuffled (Fisher-Yates; np.random.permutation(n)). n < 0 is an error. */
NNDEF nn_tensor *nn_permutation(nn_rng *r, int64_t n);
/* Shuffles x in place along axis 0 (np.random.shuffle): sub-arrays x[i] are permuted; views are fine. */
NNDEF nn_status nn_shuffle(nn_rng *r, nn_tensor *x);
/* int64 sample of k values from 0..n-1 (np.random.choice(n, k, replace)): without replacement the values are
   distinct and in random order, and k > n is an error. */
NNDEF nn_tensor *nn_choice(nn_rng *r, int64_t n, int64_t k, int replace);
