/* nn/losses.h: loss functions (torch.nn.functional semantics: same formulas, defaults and reductions).

   Every loss takes float32 or float64 inputs and returns a tensor of the input's dtype: a 0-d tensor for
   NN_REDUCTION_MEAN / NN_REDUCTION_SUM, the per-element (or per-sample) losses for NN_REDUCTION_NONE. All are
   differentiable through autograd w.r.t. the input and, where PyTorch allows it, the target; class weights,
   element weights and pos_weight get no gradient. Targets, weights and pos_weight must have the input's dtype
   (integer class labels excepted). Cross-entropy from logits, nll_loss, binary cross-entropy with logits and the
   pointwise losses are fused ops with their own backward: one pass forward, one pass backward. */

typedef enum nn_reduction {
  NN_REDUCTION_MEAN = 0, /* the default: mean over elements (weighted mean for class-weighted losses) */
  NN_REDUCTION_SUM,
  NN_REDUCTION_NONE,
  NN_REDUCTION_BATCHMEAN /* nn_kl_div only: sum divided by the batch size (input's first dimension) */
} nn_reduction;

/* PyTorch's default ignore_index for nn_cross_entropy_ex and nn_nll_loss: no real class has it. */
#define NN_IGNORE_INDEX (-100)

/* --- pointwise losses: input and target of the same shape --- */
/* Mean squared error (x - y)^2: F.mse_loss(input, target, reduction). */
NNDEF nn_tensor *nn_mse_loss(const nn_tensor *input, const nn_tensor *target, nn_reduction reduction);
/* Mean absolute error |x - y|: F.l1_loss(input, target, reduction). */
NNDEF nn_tensor *nn_l1_loss(const nn_tensor *input, const nn_tensor *target, nn_reduction reduction);
/* 0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta), d = x - y: F.huber_loss (delta > 0, PyTorch's 1.0). */
NNDEF nn_tensor *nn_huber_loss(const nn_tensor *input, const nn_tensor *target, nn_reduction reduction,
                               double delta);
/* 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta: F.smooth_l1_loss (beta >= 0, PyTorch's 1.0; 0 is L1). */
NNDEF nn_tensor *nn_smooth_l1_loss(const nn_tensor *input, const nn_tensor *target, nn_reduction reduction,
                                   double beta);
/* -w (y log x + (1 - y) log(1 - x)) on probabilities x in [0, 1], logs clamped at -100: F.binary_cross_entropy.
   weight (NULL for none) broadcasts to the input's shape. */
NNDEF nn_tensor *nn_binary_cross_entropy(const nn_tensor *input, const nn_tensor *target, const nn_tensor *weight,
                                         nn_reduction reduction);
/* Binary cross-entropy on logits in the stable form (1 - y) x + (1 + (pw - 1) y) log(1 + e^-x):
   F.binary_cross_entropy_with_logits. weight and pos_weight (NULL for none) broadcast to the input's shape
   (pos_weight usually has one entry per class, the last dimension). */
NNDEF nn_tensor *nn_binary_cross_entropy_with_logits(const nn_tensor *input, const nn_tensor *target,
                                                     const nn_tensor *weight, const nn_tensor *pos_weight,
                                                     nn_reduction reduction);
/* Kullback-Leibler divergence with log-probabilities as input: y (log y - x), or e^y (y - x) when log_target:
   F.kl_div(input, target, reduction, log_target). NN_REDUCTION_BATCHMEAN divides the sum by input.shape[0]
   (the mathematically correct KL); NN_REDUCTION_MEAN divides by the number of elements, as PyTorch does. */
NNDEF nn_tensor *nn_kl_div(const nn_tensor *input, const nn_tensor *target, nn_reduction reduction,
                           int log_target);

/* --- classification losses: input (C), (N, C) or (N, C, d1, ...), classes along axis 1 (axis 0 for 1-D) --- */
/* Cross-entropy from logits with integer class labels of shape (), (N) or (N, d1, ...): F.cross_entropy with no
   weight, ignore_index -100 and no label smoothing. labels must be int32, int64 or uint8 in [0, C). */
NNDEF nn_tensor *nn_cross_entropy(const nn_tensor *input, const nn_tensor *labels, nn_reduction reduction);
/* F.cross_entropy(input, labels, weight, ignore_index=, reduction=, label_smoothing=): weight (C) or NULL; positions
   whose label equals ignore_index contribute nothing; the weighted mean divides by the sum of the weights of the
   labels not ignored (NaN when there are none, as in PyTorch). label_smoothing in [0, 1]. */
NNDEF nn_tensor *nn_cross_entropy_ex(const nn_tensor *input, const nn_tensor *labels, const nn_tensor *weight,
                                     int64_t ignore_index, double label_smoothing, nn_reduction reduction);
/* Cross-entropy from logits with probability (or one-hot) targets of the input's shape: F.cross_entropy with a
   float target, and Keras categorical_crossentropy(from_logits=True, label_smoothing): -sum_c w_c t'_c
   log_softmax(x)_c with t' = (1 - label_smoothing) t + label_smoothing / C; the mean divides by the number of
   samples (N d1 ...). weight (C) or NULL. Differentiable w.r.t. the target too. */
NNDEF nn_tensor *nn_cross_entropy_probs(const nn_tensor *input, const nn_tensor *target, const nn_tensor *weight,
                                        double label_smoothing, nn_reduction reduction);
/* Negative log-likelihood on log-probabilities: -w_y x_y, F.nll_loss(input, labels, weight, ignore_index=,
   reduction=); same shapes, labels and weighted mean as nn_cross_entropy_ex. */
NNDEF nn_tensor *nn_nll_loss(const nn_tensor *input, const nn_tensor *labels, const nn_tensor *weight,
                             int64_t ignore_index, nn_reduction reduction);
