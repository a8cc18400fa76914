/* ops/elementwise.h: elementwise math with NumPy broadcasting and dtype promotion.

   Every op has a form that returns a new tensor and an _out form that writes into an existing tensor (no
   allocation when dtypes already match: what a game loop wants). The out tensor must have the broadcast shape;
   its dtype may differ from the result dtype (the result is converted, like NumPy's casting='unsafe').

   Result dtypes follow NumPy 1.x: int32 + float32 -> float64; a 0-d tensor (nn_scalar) combined with an array
   does not widen the array's dtype unless it is of a higher kind (float32 array + float64 scalar -> float32;
   int32 array + 2.5 -> float64). Division of integers is true division (float64). Math functions of integers
   return float64 (uint8 and bool: float32, where NumPy would use float16). */

typedef enum nn_binop {
  NN_OP_ADD = 0,
  NN_OP_SUB,
  NN_OP_MUL,
  NN_OP_DIV,          /* true division */
  NN_OP_FLOOR_DIVIDE, /* Python's //, rounds toward -inf */
  NN_OP_MOD,          /* Python's %, result has the sign of the divisor */
  NN_OP_POW,
  NN_OP_MAXIMUM, /* NaN-propagating */
  NN_OP_MINIMUM,
  NN_OP_ATAN2,
  NN_OP_EQ, /* comparisons return bool */
  NN_OP_NE,
  NN_OP_LT,
  NN_OP_LE,
  NN_OP_GT,
  NN_OP_GE,
  NN_OP_LOGICAL_AND, /* logical ops return bool; nonzero is true */
  NN_OP_LOGICAL_OR,
  NN_OP_LOGICAL_XOR,
  NN_BINOP_COUNT
} nn_binop;

typedef enum nn_unop {
  NN_OP_NEG = 0,
  NN_OP_ABS,
  NN_OP_SIGN,
  NN_OP_SQUARE,
  NN_OP_RELU,
  NN_OP_ROUND, /* half to even, like np.round */
  NN_OP_FLOOR,
  NN_OP_CEIL,
  NN_OP_TRUNC,
  NN_OP_EXP, /* from here on: float functions */
  NN_OP_EXP2,
  NN_OP_EXPM1,
  NN_OP_LOG,
  NN_OP_LOG2,
  NN_OP_LOG10,
  NN_OP_LOG1P,
  NN_OP_SQRT,
  NN_OP_RSQRT,
  NN_OP_RECIPROCAL,
  NN_OP_SIN,
  NN_OP_COS,
  NN_OP_TAN,
  NN_OP_ASIN,
  NN_OP_ACOS,
  NN_OP_ATAN,
  NN_OP_SINH,
  NN_OP_COSH,
  NN_OP_TANH,
  NN_OP_SIGMOID,
  NN_OP_ERF,
  NN_OP_GELU,        /* x Phi(x) = 0.5 x (1 + erf(x / sqrt 2)): torch.nn.functional.gelu */
  NN_OP_GELU_TANH,   /* 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))): gelu(approximate='tanh') */
  NN_OP_SILU,        /* x sigmoid(x): torch.nn.functional.silu */
  NN_OP_SOFTPLUS,    /* log(1 + e^x), x for x > 20: torch.nn.functional.softplus (beta 1, threshold 20) */
  NN_OP_LOG_SIGMOID, /* log(sigmoid(x)) = -softplus(-x): torch.nn.functional.logsigmoid */
  NN_OP_ISNAN,       /* from here on: results are bool */
  NN_OP_ISINF,
  NN_OP_ISFINITE,
  NN_OP_LOGICAL_NOT,
  NN_UNOP_COUNT
} nn_unop;

/* Generic forms. */
NNDEF nn_tensor *nn_binary(nn_binop op, const nn_tensor *a, const nn_tensor *b);
NNDEF nn_status nn_binary_out(nn_binop op, nn_tensor *out, const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_unary(nn_unop op, const nn_tensor *x);
NNDEF nn_status nn_unary_out(nn_unop op, nn_tensor *out, const nn_tensor *x);
/* Name of an op for messages, e.g. "add", "exp". */
NNDEF const char *nn_binop_name(nn_binop op);
NNDEF const char *nn_unop_name(nn_unop op);
/* The dtype op(a, b) produces, or NN_DTYPE_COUNT (with an error) if the combination is not supported. */
NNDEF nn_dtype nn_binary_result_type(nn_binop op, const nn_tensor *a, const nn_tensor *b);

/* Arithmetic. */
NNDEF nn_tensor *nn_add(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_sub(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_mul(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_div(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_floor_divide(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_mod(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_pow(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_maximum(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_minimum(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_atan2(const nn_tensor *a, const nn_tensor *b);
/* With a Python-like scalar on the right (weak typing: float32 tensor + 2.5 stays float32). */
NNDEF nn_tensor *nn_add_scalar(const nn_tensor *a, double s);
NNDEF nn_tensor *nn_sub_scalar(const nn_tensor *a, double s);
NNDEF nn_tensor *nn_mul_scalar(const nn_tensor *a, double s);
NNDEF nn_tensor *nn_div_scalar(const nn_tensor *a, double s);
NNDEF nn_tensor *nn_pow_scalar(const nn_tensor *a, double s);
/* a + alpha * b in one pass (torch.add with alpha); the _out form with out == a is an in-place axpy. */
NNDEF nn_tensor *nn_add_scaled(const nn_tensor *a, const nn_tensor *b, double alpha);
NNDEF nn_status nn_add_scaled_out(nn_tensor *out, const nn_tensor *a, const nn_tensor *b, double alpha);
/* out = alpha * x + beta, elementwise, in one pass. */
NNDEF nn_status nn_affine_out(nn_tensor *out, const nn_tensor *x, double alpha, double beta);

/* Comparisons and logic (bool results). */
NNDEF nn_tensor *nn_equal(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_not_equal(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_less(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_less_equal(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_greater(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_greater_equal(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_logical_and(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_logical_or(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_logical_xor(const nn_tensor *a, const nn_tensor *b);
NNDEF nn_tensor *nn_logical_not(const nn_tensor *x);
NNDEF nn_tensor *nn_isnan(const nn_tensor *x);
NNDEF nn_tensor *nn_isinf(const nn_tensor *x);
NNDEF nn_tensor *nn_isfinite(const nn_tensor *x);

/* Unary math. */
NNDEF nn_tensor *nn_neg(const nn_tensor *x);
NNDEF nn_tensor *nn_abs(const nn_tensor *x);
NNDEF nn_tensor *nn_sign(const nn_tensor *x);
NNDEF nn_tensor *nn_square(const nn_tensor *x);
NNDEF nn_tensor *nn_relu(const nn_tensor *x);
NNDEF nn_tensor *nn_round(const nn_tensor *x);
NNDEF nn_tensor *nn_floor(const nn_tensor *x);
NNDEF nn_tensor *nn_ceil(const nn_tensor *x);
NNDEF nn_tensor *nn_trunc(const nn_tensor *x);
NNDEF nn_tensor *nn_exp(const nn_tensor *x);
NNDEF nn_tensor *nn_exp2(const nn_tensor *x);
NNDEF nn_tensor *nn_expm1(const nn_tensor *x);
NNDEF nn_tensor *nn_log(const nn_tensor *x);
NNDEF nn_tensor *nn_log2(const nn_tensor *x);
NNDEF nn_tensor *nn_log10(const nn_tensor *x);
NNDEF nn_tensor *nn_log1p(const nn_tensor *x);
NNDEF nn_tensor *nn_sqrt(const nn_tensor *x);
NNDEF nn_tensor *nn_rsqrt(const nn_tensor *x);
NNDEF nn_tensor *nn_reciprocal(const nn_tensor *x);
NNDEF nn_tensor *nn_sin(const nn_tensor *x);
NNDEF nn_tensor *nn_cos(const nn_tensor *x);
NNDEF nn_tensor *nn_tan(const nn_tensor *x);
NNDEF nn_tensor *nn_asin(const nn_tensor *x);
NNDEF nn_tensor *nn_acos(const nn_tensor *x);
NNDEF nn_tensor *nn_atan(const nn_tensor *x);
NNDEF nn_tensor *nn_sinh(const nn_tensor *x);
NNDEF nn_tensor *nn_cosh(const nn_tensor *x);
NNDEF nn_tensor *nn_tanh(const nn_tensor *x);
NNDEF nn_tensor *nn_sigmoid(const nn_tensor *x);
NNDEF nn_tensor *nn_erf(const nn_tensor *x);

/* Activations (float results; integers convert like the math functions). Computed in stable forms, accurate where
   torch's float formulas cancel (x << 0); at -inf gelu, gelu_tanh and silu give NaN like torch. */
/* gelu(x) = x Phi(x) = 0.5 x (1 + erf(x / sqrt 2)): torch.nn.functional.gelu(x). */
NNDEF nn_tensor *nn_gelu(const nn_tensor *x);
/* 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))): torch.nn.functional.gelu(x, approximate='tanh'). */
NNDEF nn_tensor *nn_gelu_tanh(const nn_tensor *x);
/* x sigmoid(x) (swish): torch.nn.functional.silu(x). */
NNDEF nn_tensor *nn_silu(const nn_tensor *x);
/* log(1 + e^x), and x where x > 20: torch.nn.functional.softplus(x) (beta = 1, threshold = 20). */
NNDEF nn_tensor *nn_softplus(const nn_tensor *x);
/* log(sigmoid(x)) = min(x, 0) - log1p(e^-|x|): torch.nn.functional.logsigmoid(x). */
NNDEF nn_tensor *nn_log_sigmoid(const nn_tensor *x);

/* Selection. */
/* cond ? a : b elementwise, all three broadcast together (np.where); result dtype = promote(a, b). */
NNDEF nn_tensor *nn_where(const nn_tensor *cond, const nn_tensor *a, const nn_tensor *b);
/* min(max(x, lo), hi) (np.clip); NaN stays NaN. Pass -INFINITY/INFINITY to leave a side open. */
NNDEF nn_tensor *nn_clip(const nn_tensor *x, double lo, double hi);
NNDEF nn_status nn_clip_out(nn_tensor *out, const nn_tensor *x, double lo, double hi);
