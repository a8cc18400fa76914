/* nn/optim.h: optimizers, gradient clipping and learning-rate schedules (torch.optim semantics).

   An optimizer updates an array of parameter tensors it borrows (the caller or the layers own them, and keep them
   alive while the optimizer is used) from their gradients nn_grad(p): the same formulas, defaults and order of
   floating-point operations as PyTorch 1.13's single-tensor (foreach=False) implementations, so that the same
   parameters and gradients give the same trajectory. Parameters without a gradient are skipped, as in PyTorch.
   State (moments, momentum buffers, accumulators) is allocated the first time it is needed and freed by
   nn_optimizer_free; after that a step allocates nothing and records nothing in autograd.

   Description structs: a field left 0 means PyTorch's default, so `nn_adam_desc d = {0};` is torch.optim.Adam's
   defaults. Where the default is not 0 and a real zero is wanted (AdamW's weight_decay, a beta, ...), write NN_ZERO. */

/* An explicit zero for a description field whose 0 means "PyTorch's default" (it is -0.0). */
#define NN_ZERO (-0.0)

typedef enum nn_optimizer_kind {
  NN_OPTIM_SGD = 0,
  NN_OPTIM_ADAM,
  NN_OPTIM_ADAMW,
  NN_OPTIM_RMSPROP,
  NN_OPTIM_ADAGRAD
} nn_optimizer_kind;

/* torch.optim.SGD: lr has no default in PyTorch and is required here too. */
typedef struct nn_sgd_desc {
  double lr;
  double momentum;     /* default 0 */
  double dampening;    /* default 0 */
  double weight_decay; /* default 0 (L2 penalty added to the gradient) */
  int nesterov;        /* needs momentum > 0 and dampening 0 */
  int maximize;
} nn_sgd_desc;

/* torch.optim.Adam and torch.optim.AdamW. */
typedef struct nn_adam_desc {
  double lr;           /* default 1e-3 */
  double beta1, beta2; /* defaults 0.9, 0.999 */
  double eps;          /* default 1e-8 */
  double weight_decay; /* Adam: default 0, added to the gradient; AdamW: default 1e-2, decoupled (p *= 1 - lr wd) */
  int amsgrad;
  int maximize;
} nn_adam_desc;

/* torch.optim.RMSprop. */
typedef struct nn_rmsprop_desc {
  double lr;           /* default 1e-2 */
  double alpha;        /* default 0.99 */
  double eps;          /* default 1e-8 */
  double weight_decay; /* default 0 */
  double momentum;     /* default 0 */
  int centered;
  int maximize;
} nn_rmsprop_desc;

/* torch.optim.Adagrad. */
typedef struct nn_adagrad_desc {
  double lr;                        /* default 1e-2 */
  double lr_decay;                  /* default 0 */
  double weight_decay;              /* default 0 */
  double initial_accumulator_value; /* default 0 */
  double eps;                       /* default 1e-10 */
  int maximize;
} nn_adagrad_desc;

typedef struct nn_optimizer nn_optimizer;

/* Optimizers over params[0..nparams) (float32/float64, contiguous; borrowed). desc NULL: all defaults. */
/* torch.optim.SGD(params, lr, momentum, dampening, weight_decay, nesterov, maximize). */
NNDEF nn_optimizer *nn_optimizer_sgd(nn_tensor *const *params, int nparams, const nn_sgd_desc *desc);
/* torch.optim.Adam(params, lr, betas, eps, weight_decay, amsgrad, maximize). */
NNDEF nn_optimizer *nn_optimizer_adam(nn_tensor *const *params, int nparams, const nn_adam_desc *desc);
/* torch.optim.AdamW: Adam with decoupled weight decay (default 1e-2). */
NNDEF nn_optimizer *nn_optimizer_adamw(nn_tensor *const *params, int nparams, const nn_adam_desc *desc);
/* torch.optim.RMSprop(params, lr, alpha, eps, weight_decay, momentum, centered, maximize). */
NNDEF nn_optimizer *nn_optimizer_rmsprop(nn_tensor *const *params, int nparams, const nn_rmsprop_desc *desc);
/* torch.optim.Adagrad(params, lr, lr_decay, weight_decay, initial_accumulator_value, eps, maximize). */
NNDEF nn_optimizer *nn_optimizer_adagrad(nn_tensor *const *params, int nparams, const nn_adagrad_desc *desc);
/* Frees the optimizer and its state (not the parameters). NULL is ignored. */
NNDEF void nn_optimizer_free(nn_optimizer *o);

/* One update of every parameter that has a gradient (optimizer.step()). */
NNDEF nn_status nn_optimizer_step(nn_optimizer *o);
/* Drops the parameters' gradients (optimizer.zero_grad(set_to_none=True)). */
NNDEF void nn_optimizer_zero_grad(nn_optimizer *o);
/* The learning rate (param_groups[0]['lr']); schedulers set it. */
NNDEF nn_status nn_optimizer_set_lr(nn_optimizer *o, double lr);
NNDEF double nn_optimizer_get_lr(const nn_optimizer *o);
NNDEF nn_optimizer_kind nn_optimizer_get_kind(const nn_optimizer *o);
NNDEF int nn_optimizer_num_params(const nn_optimizer *o);
/* Parameter i (borrowed), NULL when out of range. */
NNDEF nn_tensor *nn_optimizer_param(const nn_optimizer *o, int i);

/* State, for saving and restoring a training run (optimizer.state_dict()). The state tensors are numbered
   parameter by parameter: tensor i belongs to parameter i / (num_state / num_params). nn_optimizer_state returns
   tensor i (borrowed; allocated and initialized as the first step would, so that it can be filled before any
   step) and sets *name, if name is not NULL, to "<param>.<key>" (valid while the optimizer lives) with PyTorch's
   key: SGD "momentum_buffer" (with momentum); Adam/AdamW "exp_avg", "exp_avg_sq", "max_exp_avg_sq" (amsgrad);
   RMSprop "square_avg", "momentum_buffer" (momentum), "grad_avg" (centered); Adagrad "sum". */
NNDEF int nn_optimizer_num_state(const nn_optimizer *o);
NNDEF nn_tensor *nn_optimizer_state(nn_optimizer *o, int i, const char **name);
/* Steps taken by parameter param (PyTorch's state['step']: steps in which it had a gradient); param -1: the
   number of nn_optimizer_step calls. -1 on error. */
NNDEF int64_t nn_optimizer_get_step_count(const nn_optimizer *o, int param);
/* Sets the step count of one parameter, or of all and the call count with param -1 (restoring a run). For SGD with
   momentum, a parameter with step count 0 starts its momentum buffer from its gradient, as PyTorch does. */
NNDEF nn_status nn_optimizer_set_step_count(nn_optimizer *o, int param, int64_t step);

/* --- gradient clipping (torch.nn.utils) --- */
/* Scales the gradients of params so that their joint norm of order norm_type (2, 1, INFINITY, any p) is at most
   max_norm: every gradient is multiplied by min(1, max_norm / (total + 1e-6)) (clip_grad_norm_). Parameters without
   a gradient are skipped. Returns the total norm before clipping (0 when no gradient); with error_if_nonfinite and a
   NaN or infinite total, changes nothing and fails. NaN with an error on failure. */
NNDEF double nn_clip_grad_norm(nn_tensor *const *params, int nparams, double max_norm, double norm_type,
                               int error_if_nonfinite);
/* Clamps every gradient element to [-clip_value, clip_value] (clip_grad_value_); clip_value >= 0. */
NNDEF nn_status nn_clip_grad_value(nn_tensor *const *params, int nparams, double clip_value);

/* --- learning-rate schedules (torch.optim.lr_scheduler) --- */
typedef enum nn_lr_schedule_kind {
  NN_LR_STEP = 0,    /* StepLR: lr = base gamma^(epoch / step_size) */
  NN_LR_MULTISTEP,   /* MultiStepLR: lr = base gamma^(number of milestones <= epoch) */
  NN_LR_EXPONENTIAL, /* ExponentialLR: lr = base gamma^epoch */
  NN_LR_COSINE,      /* CosineAnnealingLR: eta_min + (base - eta_min) (1 + cos(pi epoch / T_max)) / 2 */
  NN_LR_LINEAR,      /* LinearLR: base (start_factor + (end_factor - start_factor) min(epoch, total_iters) /
                        total_iters) */
  NN_LR_WARMUP_COSINE /* linear warm-up for total_iters epochs, then cosine annealing from the base lr: PyTorch's
                         SequentialLR([LinearLR(start_factor, 1.0, total_iters), CosineAnnealingLR(T_max, eta_min)],
                         milestones=[total_iters]) */
} nn_lr_schedule_kind;

typedef struct nn_lr_schedule_desc {
  nn_lr_schedule_kind kind;
  double gamma;               /* STEP, MULTISTEP: default 0.1; EXPONENTIAL: required */
  int64_t step_size;          /* STEP: required */
  const int64_t *milestones;  /* MULTISTEP: epochs at which lr is multiplied by gamma (copied; a repeated */
  int nmilestones;            /* milestone multiplies again, as PyTorch's Counter does) */
  int64_t T_max;              /* COSINE, WARMUP_COSINE (the cosine part): required */
  double eta_min;             /* COSINE, WARMUP_COSINE: default 0 */
  double start_factor;        /* LINEAR, WARMUP_COSINE: default 1/3, in (0, 1] */
  double end_factor;          /* LINEAR: default 1.0, in [0, 1] */
  int64_t total_iters;        /* LINEAR: default 5; WARMUP_COSINE: the warm-up length, required */
} nn_lr_schedule_desc;

typedef struct nn_lr_scheduler nn_lr_scheduler;

/* A scheduler for opt (borrowed) whose base lr is opt's lr now; sets opt's lr to the value of epoch 0, as
   PyTorch's constructor does. */
NNDEF nn_lr_scheduler *nn_lr_scheduler_create(nn_optimizer *opt, const nn_lr_schedule_desc *desc);
/* Advances one epoch (or step) and sets the optimizer's lr (scheduler.step()), with PyTorch's recursive form
   applied to the optimizer's current lr. */
NNDEF nn_status nn_lr_scheduler_step(nn_lr_scheduler *s);
/* The lr the scheduler set last (get_last_lr()). NaN for NULL. */
NNDEF double nn_lr_scheduler_get_lr(const nn_lr_scheduler *s);
/* The current epoch (last_epoch): 0 after creation. -1 for NULL. */
NNDEF int64_t nn_lr_scheduler_get_epoch(const nn_lr_scheduler *s);
/* Jumps to an epoch (resuming a run) and sets the optimizer's lr to the closed form of that epoch. */
NNDEF nn_status nn_lr_scheduler_set_epoch(nn_lr_scheduler *s, int64_t epoch);
NNDEF void nn_lr_scheduler_free(nn_lr_scheduler *s);
/* The closed form of a schedule: the lr of epoch for a base lr (no objects). NaN with an error for a bad desc. */
NNDEF double nn_lr_schedule_value(const nn_lr_schedule_desc *desc, double base_lr, int64_t epoch);
