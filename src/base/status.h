/* base/status.h: status codes and the per-thread error message.

   Every function that can fail reports it: functions returning a tensor return NULL, the others return an nn_status.
   In both cases nn_error() gives a message naming the operation and the values involved, for example
   "nn_add: shapes (2,3) and (4,) cannot be broadcast". Nothing in the library aborts or exits on bad input. */

#define NN__STATUS_LIST(X)                                          \
  X(NN_OK, 0, "no error")                                           \
  X(NN_ERR_ARG, -1, "invalid argument")                             \
  X(NN_ERR_NULL, -2, "NULL argument")                               \
  X(NN_ERR_SHAPE, -3, "shape mismatch")                             \
  X(NN_ERR_DTYPE, -4, "unsupported dtype")                          \
  X(NN_ERR_AXIS, -5, "axis out of range")                           \
  X(NN_ERR_INDEX, -6, "index out of range")                         \
  X(NN_ERR_OOM, -7, "out of memory")                                \
  X(NN_ERR_IO, -8, "input/output error")                            \
  X(NN_ERR_FORMAT, -9, "malformed data")                            \
  X(NN_ERR_VALUE, -10, "invalid value")                             \
  X(NN_ERR_UNSUPPORTED, -11, "operation not supported")             \
  X(NN_ERR_DEVICE, -12, "device error")

typedef enum nn_status {
#define NN__STATUS_ENUM(name, value, text) name = value,
  NN__STATUS_LIST(NN__STATUS_ENUM)
#undef NN__STATUS_ENUM
  NN__STATUS_LAST_ = -13
} nn_status;

/* The message of the most recent error on this thread ("" if none since the last nn_clear_error). Do not free. */
NNDEF const char *nn_error(void);
/* The status of the most recent error on this thread (NN_OK if none). */
NNDEF nn_status nn_last_status(void);
/* Forget the last error on this thread. */
NNDEF void nn_clear_error(void);
/* Short text for a status code, e.g. "shape mismatch". Never NULL. */
NNDEF const char *nn_status_string(nn_status s);
/* Library version as "MAJOR.MINOR.PATCH"; compare with NN_VERSION_STRING to detect a header/implementation mismatch. */
NNDEF const char *nn_version(void);
