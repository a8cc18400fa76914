/* tests/test_optim.c: optimizers, gradient clipping and learning-rate schedules against PyTorch
   (tests/ref/optim_ref.h, from tools/ref/gen_optim.py): 20-step trajectories compared parameter by parameter after
   every step, clip_grad_norm_ results, 30 epochs of every schedule; state save/restore, allocation, bad input. */

#include "ref/optim_ref.h"

/* The three parameters of the reference trajectories, in dtype dt, each taken out of scopes. */
static void op_make_params(nn_tensor **p, const float *init, nn_dtype dt) {
  int i, k = 0;
  for (i = 0; i < 3; i++) {
    int64_t j;
    p[i] = nn_empty(op_shapes[i], op_ndims[i], dt);
    for (j = 0; j < p[i]->size; j++) nn_set_flat(p[i], j, (double)init[k++]);
    nn_keep(p[i]);
    nn_requires_grad(p[i], 1);
  }
}

static void op_free_params(nn_tensor **p, int n) {
  int i;
  for (i = 0; i < n; i++) nn_free(p[i]);
}

/* Sets the gradients of the step: g = a p - b (computed by the library's elementwise ops in the parameter's dtype,
   as PyTorch computes it), through autograd: backward of p * 1 with that gradient. P2 gets none on odd steps. */
static void op_set_grads(nn_tensor **p, int step) {
  int i, k = 0;
  nn_scope_begin();
  for (i = 0; i < 3; i++) {
    nn_tensor *a = nn_empty(p[i]->shape, p[i]->ndim, p[i]->dtype), *b = nn_empty_like(a), *g, *y;
    int64_t j;
    for (j = 0; j < a->size; j++, k++) {
      nn_set_flat(a, j, (double)op_a[k]);
      nn_set_flat(b, j, (double)op_b[k]);
    }
    if (i == 2 && step % 2 == 1) continue;
    nn_no_grad_begin();
    g = nn_sub(nn_mul(a, p[i]), b);
    nn_no_grad_end();
    y = nn_mul_scalar(p[i], 1.0);
    CHECK(nn_backward(y, g) == NN_OK);
  }
  nn_scope_end();
}

static nn_optimizer *op_create(const op_case *c, nn_tensor **p, int n) {
  switch (c->kind) {
    case NN_OPTIM_SGD: {
      nn_sgd_desc d;
      memset(&d, 0, sizeof d);
      d.lr = c->v[0];
      d.momentum = c->v[1];
      d.dampening = c->v[2];
      d.weight_decay = c->v[3];
      d.nesterov = c->nesterov;
      d.maximize = c->maximize;
      return nn_optimizer_sgd(p, n, &d);
    }
    case NN_OPTIM_ADAM:
    case NN_OPTIM_ADAMW: {
      nn_adam_desc d;
      memset(&d, 0, sizeof d);
      d.lr = c->v[0];
      d.weight_decay = c->v[3];
      d.beta1 = c->v[4];
      d.beta2 = c->v[5];
      d.eps = c->v[6];
      d.amsgrad = c->amsgrad;
      d.maximize = c->maximize;
      return c->kind == NN_OPTIM_ADAM ? nn_optimizer_adam(p, n, &d) : nn_optimizer_adamw(p, n, &d);
    }
    case NN_OPTIM_RMSPROP: {
      nn_rmsprop_desc d;
      memset(&d, 0, sizeof d);
      d.lr = c->v[0];
      d.momentum = c->v[1];
      d.weight_decay = c->v[3];
      d.eps = c->v[6];
      d.alpha = c->v[7];
      d.centered = c->centered;
      d.maximize = c->maximize;
      return nn_optimizer_rmsprop(p, n, &d);
    }
    default: {
      nn_adagrad_desc d;
      memset(&d, 0, sizeof d);
      d.lr = c->v[0];
      d.weight_decay = c->v[3];
      d.eps = c->v[6];
      d.lr_decay = c->v[8];
      d.initial_accumulator_value = c->v[9];
      d.maximize = c->maximize;
      return nn_optimizer_adagrad(p, n, &d);
    }
  }
}

/* 1 when the parameters match row `step` of the trajectory (relative tolerance, floor 0.1 x the largest). */
static int op_match(const char *name, nn_tensor **p, const void *traj, int f32, int step, double tol) {
  double got[OP_NP], scale = 0;
  int i, k = 0;
  for (i = 0; i < 3; i++) {
    int64_t j;
    for (j = 0; j < p[i]->size; j++) got[k++] = nn_get_flat(p[i], j);
  }
  for (k = 0; k < OP_NP; k++) {
    double e = f32 ? (double)((const float *)traj)[step * OP_NP + k] : ((const double *)traj)[step * OP_NP + k];
    if (fabs(e) > scale) scale = fabs(e);
  }
  for (k = 0; k < OP_NP; k++) {
    double e = f32 ? (double)((const float *)traj)[step * OP_NP + k] : ((const double *)traj)[step * OP_NP + k];
    if (!(fabs(got[k] - e) <= tol * (fabs(e) + 0.1 * scale))) {
      NT_FAIL("%s: step %d, value %d = %.10g, expected %.10g", name, step + 1, k, got[k], e);
      return 0;
    }
  }
  return 1;
}

static void test_optim_vs_torch(void) {
  size_t c;
  for (c = 0; c < sizeof op_cases / sizeof op_cases[0]; c++) {
    const op_case *oc = &op_cases[c];
    nn_tensor *p[3];
    nn_optimizer *o;
    int f32 = oc->dtype == 0, step;
    op_make_params(p, op_init, f32 ? NN_FLOAT32 : NN_FLOAT64);
    o = op_create(oc, p, 3);
    CHECK(o != NULL);
    if (!o) {
      NT_FAIL("%s: %s", oc->name, nn_error());
      op_free_params(p, 3);
      continue;
    }
    for (step = 0; step < OP_STEPS; step++) {
      op_set_grads(p, step);
      CHECK(nn_optimizer_step(o) == NN_OK);
      nt_checks++;
      if (!op_match(oc->name, p, oc->traj, f32, step, f32 ? 1e-5 : 1e-10)) break;
      nn_optimizer_zero_grad(o);
    }
    CHECK(nn_optimizer_get_step_count(o, 0) == OP_STEPS);
    CHECK(nn_optimizer_get_step_count(o, 2) == OP_STEPS / 2); /* P2 had no gradient on odd steps */
    CHECK(nn_optimizer_get_step_count(o, -1) == OP_STEPS);
    nn_optimizer_free(o);
    op_free_params(p, 3);
  }
}

/* Saving the state after 10 steps and loading it into a new optimizer over copies of the parameters continues the
   same trajectory, bit for bit. */
static void test_optim_state_restore(void) {
  size_t c;
  for (c = 0; c < sizeof op_cases / sizeof op_cases[0]; c++) {
    const op_case *oc = &op_cases[c];
    nn_tensor *p[3], *q[3];
    nn_optimizer *o, *o2;
    float mid[OP_NP];
    int step, i, k = 0, ns;
    nn_dtype dt = oc->dtype ? NN_FLOAT64 : NN_FLOAT32;
    op_make_params(p, op_init, dt);
    o = op_create(oc, p, 3);
    for (step = 0; step < 10; step++) {
      op_set_grads(p, step);
      nn_optimizer_step(o);
      nn_optimizer_zero_grad(o);
    }
    for (i = 0; i < 3; i++) {
      int64_t j;
      for (j = 0; j < p[i]->size; j++) mid[k++] = (float)nn_get_flat(p[i], j);
    }
    op_make_params(q, mid, dt);
    for (i = 0; i < 3; i++) nn_assign(q[i], p[i]); /* exact values (mid is only float) */
    o2 = op_create(oc, q, 3);
    ns = nn_optimizer_num_state(o);
    CHECK(ns == nn_optimizer_num_state(o2) && ns % 3 == 0);
    for (i = 0; i < ns; i++) {
      const char *n1 = NULL, *n2 = NULL;
      nn_tensor *s1 = nn_optimizer_state(o, i, &n1), *s2 = nn_optimizer_state(o2, i, &n2);
      CHECK(s1 && s2 && n1 && n2 && strcmp(n1, n2) == 0);
      if (s1 && s2) nn_assign(s2, s1);
    }
    for (i = 0; i < 3; i++) nn_optimizer_set_step_count(o2, i, nn_optimizer_get_step_count(o, i));
    for (step = 10; step < OP_STEPS; step++) {
      op_set_grads(p, step);
      op_set_grads(q, step);
      nn_optimizer_step(o);
      nn_optimizer_step(o2);
      nn_optimizer_zero_grad(o);
      nn_optimizer_zero_grad(o2);
    }
    for (i = 0; i < 3; i++) {
      int64_t j;
      for (j = 0; j < p[i]->size; j++) {
        nt_checks++;
        if (nn_get_flat(p[i], j) != nn_get_flat(q[i], j)) {
          NT_FAIL("%s: restored run differs at parameter %d element %lld", oc->name, i, (long long)j);
          break;
        }
      }
    }
    nn_optimizer_free(o);
    nn_optimizer_free(o2);
    op_free_params(p, 3);
    op_free_params(q, 3);
  }
}

static void test_optim_state_names(void) {
  nn_tensor *p[3];
  nn_adam_desc ad;
  nn_rmsprop_desc rd;
  nn_optimizer *o;
  const char *name = NULL;
  op_make_params(p, op_init, NN_FLOAT32);
  memset(&ad, 0, sizeof ad);
  ad.amsgrad = 1;
  o = nn_optimizer_adam(p, 3, &ad);
  CHECK(nn_optimizer_num_state(o) == 9);
  CHECK(nn_optimizer_state(o, 5, &name) != NULL && strcmp(name, "1.max_exp_avg_sq") == 0);
  CHECK(nn_optimizer_state(o, 0, &name) != NULL && strcmp(name, "0.exp_avg") == 0);
  CHECK(nn_optimizer_get_kind(o) == NN_OPTIM_ADAM && nn_optimizer_num_params(o) == 3);
  CHECK(nn_optimizer_param(o, 1) == p[1] && nn_optimizer_param(o, 3) == NULL);
  CHECK(nn_optimizer_get_lr(o) == 1e-3);
  CHECK(nn_optimizer_set_lr(o, 0.5) == NN_OK && nn_optimizer_get_lr(o) == 0.5);
  nn_optimizer_free(o);
  memset(&rd, 0, sizeof rd);
  rd.centered = 1;
  rd.momentum = 0.5;
  o = nn_optimizer_rmsprop(p, 3, &rd);
  CHECK(nn_optimizer_num_state(o) == 9);
  CHECK(nn_optimizer_state(o, 7, &name) != NULL && strcmp(name, "2.momentum_buffer") == 0);
  CHECK(nn_optimizer_state(o, 8, &name) != NULL && strcmp(name, "2.grad_avg") == 0);
  nn_optimizer_free(o);
  o = nn_optimizer_adagrad(p, 3, NULL);
  CHECK(nn_optimizer_num_state(o) == 3 && nn_optimizer_get_lr(o) == 1e-2);
  CHECK(nn_optimizer_state(o, 2, &name) != NULL && strcmp(name, "2.sum") == 0);
  nn_optimizer_free(o);
  op_free_params(p, 3);
}

/* NN_ZERO: AdamW with a real zero weight decay is Adam; default fields equal PyTorch's defaults. */
static void test_optim_zero_field(void) {
  nn_tensor *p[3], *q[3];
  nn_adam_desc d;
  nn_optimizer *a, *w;
  int step, i;
  op_make_params(p, op_init, NN_FLOAT64);
  op_make_params(q, op_init, NN_FLOAT64);
  memset(&d, 0, sizeof d);
  d.lr = 0.05;
  a = nn_optimizer_adam(p, 3, &d);
  d.weight_decay = NN_ZERO;
  w = nn_optimizer_adamw(q, 3, &d);
  for (step = 0; step < 5; step++) {
    op_set_grads(p, step);
    op_set_grads(q, step);
    nn_optimizer_step(a);
    nn_optimizer_step(w);
    nn_optimizer_zero_grad(a);
    nn_optimizer_zero_grad(w);
  }
  for (i = 0; i < 3; i++) CHECK(nn_get_flat(p[i], 0) == nn_get_flat(q[i], 0));
  nn_optimizer_free(a);
  nn_optimizer_free(w);
  op_free_params(p, 3);
  op_free_params(q, 3);
}

/* After the first step, a step allocates no tensor and leaves nothing in the caller's scope; large parameters are
   updated in chunks (threads) exactly as small ones. */
static void test_optim_alloc_and_chunks(void) {
  int64_t big = 150001, small = 7, j;
  nn_tensor *p[2];
  nn_sgd_desc d;
  nn_optimizer *o;
  int step;
  p[0] = nn_empty(&big, 1, NN_FLOAT32);
  p[1] = nn_empty(&small, 1, NN_FLOAT32);
  for (j = 0; j < big; j++) nn_set_flat(p[0], j, 0.25 * (double)(j % 7) - 0.5);
  for (j = 0; j < small; j++) nn_set_flat(p[1], j, 0.25 * (double)j - 0.5);
  nn_keep(p[0]);
  nn_keep(p[1]);
  nn_requires_grad(p[0], 1);
  nn_requires_grad(p[1], 1);
  memset(&d, 0, sizeof d);
  d.lr = 0.1;
  d.momentum = 0.9;
  d.nesterov = 1;
  d.weight_decay = 0.01;
  o = nn_optimizer_sgd(p, 2, &d);
  for (step = 0; step < 4; step++) {
    long live, scoped;
    int i;
    nn_scope_begin();
    for (i = 0; i < 2; i++) {
      nn_tensor *y = nn_mul(p[i], p[i]); /* grad 2p */
      nn_tensor *s = nn_sum(y, NN_ALL_AXES, 0);
      nn_backward(s, NULL);
    }
    live = nn_live_tensors();
    scoped = nn_scope_count();
    CHECK(nn_optimizer_step(o) == NN_OK);
    if (step > 0) CHECK(nn_live_tensors() == live);
    CHECK(nn_scope_count() == scoped);
    nn_scope_end();
    nn_optimizer_zero_grad(o);
  }
  for (j = 0; j < big; j += 997) {
    nt_checks++;
    if (nn_get_flat(p[0], j) != nn_get_flat(p[1], j % 7)) {
      NT_FAIL("element %lld differs from the small parameter", (long long)j);
      break;
    }
  }
  nn_optimizer_free(o);
  op_free_params(p, 2);
}

static void test_optim_clip_vs_torch(void) {
  size_t c;
  for (c = 0; c < sizeof op_clip_cases / sizeof op_clip_cases[0]; c++) {
    const op_clip_case *cc = &op_clip_cases[c];
    nn_tensor *p[3];
    int f32 = cc->dtype == 0, i, k = 0;
    double tol = f32 ? 1e-5 : 1e-10, total;
    op_make_params(p, op_init, f32 ? NN_FLOAT32 : NN_FLOAT64);
    nn_scope_begin();
    for (i = 0; i < 3; i++) { /* gradients op_grads through autograd: backward of p * 1 */
      nn_tensor *g = nn_empty(p[i]->shape, p[i]->ndim, p[i]->dtype);
      int64_t j;
      for (j = 0; j < g->size; j++) nn_set_flat(g, j, (double)op_grads[k++]);
      if (i == 1 && cc->p1_no_grad) continue;
      nn_backward(nn_mul_scalar(p[i], 1.0), g);
    }
    nn_scope_end();
    total = nn_clip_grad_norm(p, 3, cc->max_norm, cc->norm_type, 1);
    CHECK_NEAR(total, cc->total, tol);
    for (i = 0, k = 0; i < 3; i++) {
      int64_t j;
      for (j = 0; j < p[i]->size; j++, k++) {
        double e = f32 ? (double)((const float *)cc->grads)[k] : ((const double *)cc->grads)[k];
        double got = nn_grad(p[i]) ? nn_get_flat(nn_grad(p[i]), j) : 0.0;
        CHECK_NEAR(got, e, tol);
      }
    }
    op_free_params(p, 3);
  }
  {
    /* clip_grad_value, no gradients at all, and a non-finite norm */
    int64_t n = 4;
    double gv[4] = {-3, 0.5, 2, -0.1};
    nn_tensor *x = nn_zeros(&n, 1, NN_FLOAT64), *g = nn_from_data(gv, &n, 1, NN_FLOAT64);
    nn_requires_grad(x, 1);
    CHECK(nn_clip_grad_norm(&x, 1, 1.0, 2.0, 1) == 0.0);
    nn_backward(nn_mul_scalar(x, 1.0), g);
    CHECK(nn_clip_grad_value(&x, 1, 1.0) == NN_OK);
    CHECK(nn_get_flat(nn_grad(x), 0) == -1.0 && nn_get_flat(nn_grad(x), 1) == 0.5 && nn_get_flat(nn_grad(x), 2) == 1.0);
    nn_set_flat(nn_grad(x), 3, INFINITY);
    CHECK_ERR(nn_clip_grad_norm(&x, 1, 1.0, 2.0, 1) != nn_clip_grad_norm(&x, 1, 1.0, 2.0, 1), NN_ERR_VALUE);
    CHECK(nn_get_flat(nn_grad(x), 0) == -1.0); /* unchanged */
    CHECK(isinf(nn_clip_grad_norm(&x, 1, 1.0, 2.0, 0)));
  }
}

static void op_sched_desc(const op_sched_case *sc, nn_lr_schedule_desc *d) {
  memset(d, 0, sizeof *d);
  d->kind = (nn_lr_schedule_kind)sc->kind;
  d->gamma = sc->gamma;
  d->step_size = sc->step_size;
  d->milestones = sc->milestones;
  d->nmilestones = sc->nmilestones;
  d->T_max = sc->T_max;
  d->eta_min = sc->eta_min;
  d->start_factor = sc->start_factor;
  d->end_factor = sc->end_factor;
  d->total_iters = sc->total_iters;
}

static void test_optim_schedules_vs_torch(void) {
  size_t c;
  int64_t one = 1;
  nn_tensor *w = nn_zeros(&one, 1, NN_FLOAT32);
  for (c = 0; c < sizeof op_sched_cases / sizeof op_sched_cases[0]; c++) {
    const op_sched_case *sc = &op_sched_cases[c];
    nn_lr_schedule_desc d;
    nn_sgd_desc sd;
    nn_optimizer *o;
    nn_lr_scheduler *s;
    int e;
    memset(&sd, 0, sizeof sd);
    sd.lr = 0.1;
    o = nn_optimizer_sgd(&w, 1, &sd);
    op_sched_desc(sc, &d);
    s = nn_lr_scheduler_create(o, &d);
    CHECK(s != NULL);
    if (!s) {
      NT_FAIL("%s: %s", sc->name, nn_error());
      nn_optimizer_free(o);
      continue;
    }
    for (e = 0; e <= 30; e++) {
      double closed = nn_lr_schedule_value(&d, 0.1, e);
      nt_checks++;
      if (!(fabs(nn_optimizer_get_lr(o) - sc->lrs[e]) <= 1e-15 * fabs(sc->lrs[e]) + 1e-18) ||
          nn_lr_scheduler_get_lr(s) != nn_optimizer_get_lr(o) || nn_lr_scheduler_get_epoch(s) != e)
        NT_FAIL("%s: epoch %d: lr %.17g, expected %.17g", sc->name, e, nn_optimizer_get_lr(o), sc->lrs[e]);
      nt_checks++;
      if (!(fabs(closed - sc->lrs[e]) <= 1e-12 * fabs(sc->lrs[e]) + 1e-15))
        NT_FAIL("%s: epoch %d: closed form %.17g, expected %.17g", sc->name, e, closed, sc->lrs[e]);
      nn_lr_scheduler_step(s);
    }
    CHECK(nn_lr_scheduler_set_epoch(s, 17) == NN_OK);
    CHECK_NEAR(nn_optimizer_get_lr(o), sc->lrs[17], 1e-12);
    CHECK(nn_lr_scheduler_step(s) == NN_OK);
    CHECK_NEAR(nn_optimizer_get_lr(o), sc->lrs[18], 1e-12);
    nn_lr_scheduler_free(s);
    nn_optimizer_free(o);
  }
}

static void test_optim_errors(void) {
  int64_t s3[1] = {3}, s22[2] = {2, 2};
  nn_tensor *p = nn_zeros(s3, 1, NN_FLOAT32), *pi = nn_zeros(s3, 1, NN_INT32), *m = nn_zeros(s22, 2, NN_FLOAT32);
  nn_tensor *mt = nn_transpose(m), *nul = NULL, *ps[2];
  nn_sgd_desc sd;
  nn_adam_desc ad;
  nn_rmsprop_desc rd;
  nn_adagrad_desc gd;
  nn_lr_schedule_desc ld;
  nn_optimizer *o;
  int64_t ms[2] = {3, 1};
  memset(&sd, 0, sizeof sd);
  memset(&ad, 0, sizeof ad);
  memset(&rd, 0, sizeof rd);
  memset(&gd, 0, sizeof gd);
  CHECK_ERR(!nn_optimizer_sgd(&p, 1, &sd), NN_ERR_ARG); /* lr is required */
  CHECK_ERR(!nn_optimizer_sgd(&p, 1, NULL), NN_ERR_ARG);
  sd.lr = 0.1;
  CHECK_ERR(!nn_optimizer_sgd(NULL, 1, &sd), NN_ERR_NULL);
  CHECK_ERR(!nn_optimizer_sgd(&p, 0, &sd), NN_ERR_ARG);
  CHECK_ERR(!nn_optimizer_sgd(&nul, 1, &sd), NN_ERR_NULL);
  CHECK_ERR(!nn_optimizer_sgd(&pi, 1, &sd), NN_ERR_DTYPE);
  if (mt && !nn_is_contiguous(mt)) CHECK_ERR(!nn_optimizer_sgd(&mt, 1, &sd), NN_ERR_ARG);
  sd.nesterov = 1;
  CHECK_ERR(!nn_optimizer_sgd(&p, 1, &sd), NN_ERR_VALUE);
  sd.momentum = 0.9;
  sd.dampening = 0.1;
  CHECK_ERR(!nn_optimizer_sgd(&p, 1, &sd), NN_ERR_VALUE);
  sd.nesterov = 0;
  sd.lr = -1;
  CHECK_ERR(!nn_optimizer_sgd(&p, 1, &sd), NN_ERR_VALUE);
  sd.lr = 0.1;
  sd.weight_decay = -0.5;
  CHECK_ERR(!nn_optimizer_sgd(&p, 1, &sd), NN_ERR_VALUE);
  sd.weight_decay = 0;
  sd.momentum = -0.5;
  CHECK_ERR(!nn_optimizer_sgd(&p, 1, &sd), NN_ERR_VALUE);
  ad.beta1 = 1.0;
  CHECK_ERR(!nn_optimizer_adam(&p, 1, &ad), NN_ERR_VALUE);
  ad.beta1 = 0;
  ad.beta2 = -0.1;
  CHECK_ERR(!nn_optimizer_adamw(&p, 1, &ad), NN_ERR_VALUE);
  ad.beta2 = 0;
  ad.eps = -1;
  CHECK_ERR(!nn_optimizer_adam(&p, 1, &ad), NN_ERR_VALUE);
  ad.eps = 0;
  ad.lr = NAN;
  CHECK_ERR(!nn_optimizer_adam(&p, 1, &ad), NN_ERR_VALUE);
  CHECK_ERR(!nn_optimizer_adam(NULL, 2, NULL), NN_ERR_NULL);
  CHECK_ERR(!nn_optimizer_adamw(&pi, 1, NULL), NN_ERR_DTYPE);
  rd.alpha = -1;
  CHECK_ERR(!nn_optimizer_rmsprop(&p, 1, &rd), NN_ERR_VALUE);
  rd.alpha = 0;
  rd.momentum = -1;
  CHECK_ERR(!nn_optimizer_rmsprop(&p, 1, &rd), NN_ERR_VALUE);
  CHECK_ERR(!nn_optimizer_rmsprop(&p, -1, NULL), NN_ERR_ARG);
  gd.lr_decay = -1;
  CHECK_ERR(!nn_optimizer_adagrad(&p, 1, &gd), NN_ERR_VALUE);
  gd.lr_decay = 0;
  gd.initial_accumulator_value = -1;
  CHECK_ERR(!nn_optimizer_adagrad(&p, 1, &gd), NN_ERR_VALUE);
  CHECK_ERR(!nn_optimizer_adagrad(&nul, 1, NULL), NN_ERR_NULL);
  CHECK_ERR(nn_optimizer_step(NULL) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_optimizer_set_lr(NULL, 0.1) != NN_OK, NN_ERR_NULL);
  nn_optimizer_zero_grad(NULL);
  nn_optimizer_free(NULL);
  CHECK(nn_optimizer_num_state(NULL) == 0 && nn_optimizer_num_params(NULL) == 0);
  CHECK(nn_optimizer_param(NULL, 0) == NULL && nn_optimizer_get_lr(NULL) != nn_optimizer_get_lr(NULL));
  CHECK_ERR(!nn_optimizer_state(NULL, 0, NULL), NN_ERR_NULL);
  CHECK_ERR(nn_optimizer_get_step_count(NULL, 0) == -1, NN_ERR_NULL);
  CHECK_ERR(nn_optimizer_set_step_count(NULL, 0, 1) != NN_OK, NN_ERR_NULL);
  ps[0] = p;
  ps[1] = m;
  o = nn_optimizer_adam(ps, 2, NULL);
  CHECK(o != NULL);
  CHECK(nn_optimizer_step(o) == NN_OK); /* no gradients: nothing to do */
  CHECK(nn_optimizer_get_step_count(o, 0) == 0 && nn_optimizer_get_step_count(o, -1) == 1);
  CHECK_ERR(!nn_optimizer_state(o, 4, NULL), NN_ERR_INDEX);
  CHECK_ERR(!nn_optimizer_state(o, -1, NULL), NN_ERR_INDEX);
  CHECK_ERR(nn_optimizer_get_step_count(o, 2) == -1, NN_ERR_INDEX);
  CHECK_ERR(nn_optimizer_set_step_count(o, 5, 1) != NN_OK, NN_ERR_INDEX);
  CHECK_ERR(nn_optimizer_set_step_count(o, 0, -1) != NN_OK, NN_ERR_VALUE);
  CHECK_ERR(nn_optimizer_set_lr(o, -0.1) != NN_OK, NN_ERR_VALUE);
  CHECK(nn_optimizer_set_step_count(o, -1, 7) == NN_OK && nn_optimizer_get_step_count(o, 1) == 7);
  /* clipping */
  CHECK_ERR(nn_clip_grad_norm(NULL, 1, 1.0, 2.0, 0) != 0.0, NN_ERR_NULL);
  CHECK_ERR(nn_clip_grad_norm(&nul, 1, 1.0, 2.0, 0) != 0.0, NN_ERR_NULL);
  CHECK_ERR(nn_clip_grad_norm(ps, -1, 1.0, 2.0, 0) != 0.0, NN_ERR_ARG);
  CHECK_ERR(nn_clip_grad_norm(ps, 2, 1.0, NAN, 0) != 0.0, NN_ERR_VALUE);
  CHECK_ERR(nn_clip_grad_value(NULL, 1, 1.0) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_clip_grad_value(ps, 2, -1.0) != NN_OK, NN_ERR_VALUE);
  CHECK_ERR(nn_clip_grad_value(&nul, 1, 1.0) != NN_OK, NN_ERR_NULL);
  /* schedules */
  memset(&ld, 0, sizeof ld);
  CHECK_ERR(!nn_lr_scheduler_create(o, &ld), NN_ERR_VALUE); /* StepLR without step_size */
  CHECK_ERR(!nn_lr_scheduler_create(NULL, &ld), NN_ERR_NULL);
  CHECK_ERR(!nn_lr_scheduler_create(o, NULL), NN_ERR_NULL);
  ld.kind = NN_LR_EXPONENTIAL;
  CHECK_ERR(!nn_lr_scheduler_create(o, &ld), NN_ERR_VALUE);
  ld.kind = NN_LR_COSINE;
  CHECK_ERR(!nn_lr_scheduler_create(o, &ld), NN_ERR_VALUE);
  ld.kind = NN_LR_WARMUP_COSINE;
  ld.T_max = 10;
  CHECK_ERR(!nn_lr_scheduler_create(o, &ld), NN_ERR_VALUE); /* no warm-up length */
  ld.kind = NN_LR_LINEAR;
  ld.start_factor = 1.5;
  CHECK_ERR(!nn_lr_scheduler_create(o, &ld), NN_ERR_VALUE);
  ld.start_factor = NN_ZERO;
  CHECK_ERR(!nn_lr_scheduler_create(o, &ld), NN_ERR_VALUE);
  ld.start_factor = 0;
  ld.end_factor = 2;
  CHECK_ERR(!nn_lr_scheduler_create(o, &ld), NN_ERR_VALUE);
  ld.kind = NN_LR_MULTISTEP;
  ld.nmilestones = 2;
  CHECK_ERR(!nn_lr_scheduler_create(o, &ld), NN_ERR_ARG);
  ld.milestones = ms;
  CHECK(nn_lr_scheduler_create(NULL, &ld) == NULL);
  ld.kind = (nn_lr_schedule_kind)42;
  CHECK_ERR(!nn_lr_scheduler_create(o, &ld), NN_ERR_ARG);
  CHECK_ERR(nn_lr_schedule_value(NULL, 0.1, 1) != nn_lr_schedule_value(NULL, 0.1, 1), NN_ERR_NULL);
  ld.kind = NN_LR_MULTISTEP;
  CHECK_ERR(nn_lr_schedule_value(&ld, 0.1, -1) != nn_lr_schedule_value(&ld, 0.1, -1), NN_ERR_VALUE);
  CHECK(nn_lr_schedule_value(&ld, 0.1, 1) == 0.1 * 0.1 && nn_lr_schedule_value(&ld, 0.1, 3) == 0.1 * pow(0.1, 2));
  {
    nn_lr_scheduler *s = nn_lr_scheduler_create(o, &ld);
    CHECK(s != NULL);
    CHECK_ERR(nn_lr_scheduler_set_epoch(s, -2) != NN_OK, NN_ERR_VALUE);
    nn_lr_scheduler_free(s);
  }
  CHECK_ERR(nn_lr_scheduler_step(NULL) != NN_OK, NN_ERR_NULL);
  CHECK_ERR(nn_lr_scheduler_set_epoch(NULL, 1) != NN_OK, NN_ERR_NULL);
  CHECK(nn_lr_scheduler_get_epoch(NULL) == -1 && nn_lr_scheduler_get_lr(NULL) != nn_lr_scheduler_get_lr(NULL));
  nn_lr_scheduler_free(NULL);
  nn_optimizer_free(o);
}

static void tests_optim(void) {
  RUN(test_optim_vs_torch);
  RUN(test_optim_state_restore);
  RUN(test_optim_state_names);
  RUN(test_optim_zero_field);
  RUN(test_optim_alloc_and_chunks);
  RUN(test_optim_clip_vs_torch);
  RUN(test_optim_schedules_vs_torch);
  RUN(test_optim_errors);
}
