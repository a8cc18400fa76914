/* nn/lr_schedule.c: learning-rate schedules (torch.optim.lr_scheduler). A scheduler's step applies PyTorch's
   recursive ("chainable") form to the optimizer's current lr, exactly as PyTorch computes it, so the sequence of
   lrs is PyTorch's to the last bit; jumping to an epoch uses the closed form, as PyTorch's step(epoch) does. */

#define NN__LR_PI 3.141592653589793 /* math.pi */

struct nn_lr_scheduler {
  nn_optimizer *opt;
  nn_lr_schedule_desc d; /* defaults resolved; milestones points at ms */
  int64_t *ms;           /* milestones, sorted */
  double base;           /* initial_lr */
  double last;           /* get_last_lr() */
  int64_t epoch;         /* last_epoch */
};

/* Resolves the defaults of desc into *r and checks it. */
NN__PRIVATE nn_status nn__lr_resolve(const char *name, const nn_lr_schedule_desc *desc, nn_lr_schedule_desc *r) {
  if (!desc) return nn__fail_null(name, "desc");
  *r = *desc;
  switch (desc->kind) {
    case NN_LR_STEP:
      r->gamma = nn__opt_field(desc->gamma, 0.1);
      if (desc->step_size <= 0)
        return nn__fail(NN_ERR_VALUE, "%s: StepLR needs step_size > 0, got %lld", name, (long long)desc->step_size);
      break;
    case NN_LR_MULTISTEP:
      r->gamma = nn__opt_field(desc->gamma, 0.1);
      if (desc->nmilestones < 0 || (desc->nmilestones > 0 && !desc->milestones))
        return nn__fail(NN_ERR_ARG, "%s: MultiStepLR needs nmilestones >= 0 milestones", name);
      break;
    case NN_LR_EXPONENTIAL:
      if (desc->gamma == 0 && nn__opt_field(desc->gamma, -1.0) < 0)
        return nn__fail(NN_ERR_VALUE, "%s: ExponentialLR needs gamma (it has no default)", name);
      r->gamma = nn__opt_field(desc->gamma, 0.0);
      break;
    case NN_LR_COSINE:
    case NN_LR_WARMUP_COSINE:
      if (desc->T_max <= 0)
        return nn__fail(NN_ERR_VALUE, "%s: cosine annealing needs T_max > 0, got %lld", name, (long long)desc->T_max);
      r->eta_min = nn__opt_field(desc->eta_min, 0.0);
      if (desc->kind == NN_LR_COSINE) break;
      if (desc->total_iters <= 0)
        return nn__fail(NN_ERR_VALUE, "%s: the warm-up of NN_LR_WARMUP_COSINE needs total_iters > 0, got %lld", name,
                        (long long)desc->total_iters);
      r->end_factor = 1.0;
      r->start_factor = nn__opt_field(desc->start_factor, 1.0 / 3.0);
      if (!(r->start_factor > 0 && r->start_factor <= 1))
        return nn__fail(NN_ERR_VALUE, "%s: start_factor must be in (0, 1], got %g", name, r->start_factor);
      break;
    case NN_LR_LINEAR:
      r->start_factor = nn__opt_field(desc->start_factor, 1.0 / 3.0);
      r->end_factor = nn__opt_field(desc->end_factor, 1.0);
      r->total_iters = desc->total_iters == 0 ? 5 : desc->total_iters;
      if (!(r->start_factor > 0 && r->start_factor <= 1))
        return nn__fail(NN_ERR_VALUE, "%s: start_factor must be in (0, 1], got %g", name, r->start_factor);
      if (!(r->end_factor >= 0 && r->end_factor <= 1))
        return nn__fail(NN_ERR_VALUE, "%s: end_factor must be in [0, 1], got %g", name, r->end_factor);
      if (r->total_iters < 0)
        return nn__fail(NN_ERR_VALUE, "%s: total_iters must be positive, got %lld", name, (long long)r->total_iters);
      break;
    default: return nn__fail(NN_ERR_ARG, "%s: unknown schedule kind %d", name, (int)desc->kind);
  }
  return NN_OK;
}

NN__PRIVATE double nn__lr_cosine_closed(const nn_lr_schedule_desc *d, double base, int64_t t) {
  return d->eta_min + (base - d->eta_min) * (1 + cos(NN__LR_PI * (double)t / (double)d->T_max)) / 2;
}

NN__PRIVATE double nn__lr_linear_closed(double sf, double ef, int64_t total, double base, int64_t t) {
  return base * (sf + (ef - sf) * (double)(t < total ? t : total) / (double)total);
}

/* PyTorch's _get_closed_form_lr; milestones sorted. */
NN__PRIVATE double nn__lr_closed(const nn_lr_schedule_desc *d, const int64_t *ms, double base, int64_t t) {
  switch (d->kind) {
    case NN_LR_STEP: return base * pow(d->gamma, (double)(t / d->step_size));
    case NN_LR_MULTISTEP: {
      int k = 0; /* bisect_right */
      while (k < d->nmilestones && ms[k] <= t) k++;
      return base * pow(d->gamma, (double)k);
    }
    case NN_LR_EXPONENTIAL: return base * pow(d->gamma, (double)t);
    case NN_LR_COSINE: return nn__lr_cosine_closed(d, base, t);
    case NN_LR_LINEAR: return nn__lr_linear_closed(d->start_factor, d->end_factor, d->total_iters, base, t);
    default: /* warm-up cosine */
      if (t < d->total_iters) return nn__lr_linear_closed(d->start_factor, 1.0, d->total_iters, base, t);
      return nn__lr_cosine_closed(d, base, t - d->total_iters);
  }
}

/* CosineAnnealingLR.get_lr() at epoch t > 0 from the current lr. */
NN__PRIVATE double nn__lr_cosine_chain(const nn_lr_schedule_desc *d, double base, double lr, int64_t t) {
  double T = (double)d->T_max;
  if ((t - 1 - d->T_max) % (2 * d->T_max) == 0) return lr + (base - d->eta_min) * (1 - cos(NN__LR_PI / T)) / 2;
  return (1 + cos(NN__LR_PI * (double)t / T)) / (1 + cos(NN__LR_PI * (double)(t - 1) / T)) * (lr - d->eta_min) +
         d->eta_min;
}

/* LinearLR.get_lr() at epoch t from the current lr. */
NN__PRIVATE double nn__lr_linear_chain(double sf, double ef, int64_t total, double lr, int64_t t) {
  if (t == 0) return lr * sf;
  if (t > total) return lr;
  return lr * (1. + (ef - sf) / ((double)total * sf + (double)(t - 1) * (ef - sf)));
}

/* The recursive form at epoch t (the scheduler's last_epoch after the step) from the current lr. */
NN__PRIVATE double nn__lr_chain(const nn_lr_scheduler *s, double lr, int64_t t) {
  const nn_lr_schedule_desc *d = &s->d;
  int k, c = 0;
  switch (d->kind) {
    case NN_LR_STEP: return (t == 0 || t % d->step_size != 0) ? lr : lr * d->gamma;
    case NN_LR_MULTISTEP:
      for (k = 0; k < d->nmilestones; k++) c += s->ms[k] == t;
      return c == 0 ? lr : lr * pow(d->gamma, (double)c);
    case NN_LR_EXPONENTIAL: return t == 0 ? lr : lr * d->gamma;
    case NN_LR_COSINE: return t == 0 ? lr : nn__lr_cosine_chain(d, s->base, lr, t);
    case NN_LR_LINEAR: return nn__lr_linear_chain(d->start_factor, d->end_factor, d->total_iters, lr, t);
    default: /* SequentialLR: LinearLR until the milestone, where CosineAnnealingLR restarts with step(0) */
      if (t < d->total_iters) return nn__lr_linear_chain(d->start_factor, 1.0, d->total_iters, lr, t);
      if (t == d->total_iters) return nn__lr_cosine_closed(d, s->base, 0);
      return nn__lr_cosine_chain(d, s->base, lr, t - d->total_iters);
  }
}

NN__PRIVATE int nn__lr_cmp(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : (x > y);
}

NNDEF nn_lr_scheduler *nn_lr_scheduler_create(nn_optimizer *opt, const nn_lr_schedule_desc *desc) {
  const char *name = "nn_lr_scheduler_create";
  nn_lr_scheduler *s;
  nn_lr_schedule_desc r;
  int k;
  if (!opt) {
    nn__fail_null(name, "opt");
    return NULL;
  }
  if (nn__lr_resolve(name, desc, &r) != NN_OK) return NULL;
  s = (nn_lr_scheduler *)NN_MALLOC(sizeof(nn_lr_scheduler));
  if (!s) goto oom;
  memset(s, 0, sizeof *s);
  if (r.kind == NN_LR_MULTISTEP && r.nmilestones > 0) {
    s->ms = (int64_t *)NN_MALLOC(sizeof(int64_t) * (size_t)r.nmilestones);
    if (!s->ms) goto oom;
    for (k = 0; k < r.nmilestones; k++) s->ms[k] = r.milestones[k];
    qsort(s->ms, (size_t)r.nmilestones, sizeof(int64_t), nn__lr_cmp);
  }
  r.milestones = s->ms;
  s->d = r;
  s->opt = opt;
  s->base = nn_optimizer_get_lr(opt);
  s->epoch = 0;
  s->last = nn__lr_chain(s, s->base, 0); /* the constructor's initial step */
  opt->lr = s->last;
  return s;
oom:
  if (s) NN_FREE(s->ms);
  NN_FREE(s);
  nn__fail(NN_ERR_OOM, "%s: out of memory", name);
  return NULL;
}

NNDEF nn_status nn_lr_scheduler_step(nn_lr_scheduler *s) {
  if (!s) return nn__fail_null("nn_lr_scheduler_step", "s");
  s->epoch++;
  s->last = nn__lr_chain(s, s->opt->lr, s->epoch);
  s->opt->lr = s->last;
  return NN_OK;
}

NNDEF nn_status nn_lr_scheduler_set_epoch(nn_lr_scheduler *s, int64_t epoch) {
  if (!s) return nn__fail_null("nn_lr_scheduler_set_epoch", "s");
  if (epoch < 0)
    return nn__fail(NN_ERR_VALUE, "nn_lr_scheduler_set_epoch: epoch %lld is negative", (long long)epoch);
  s->epoch = epoch;
  s->last = nn__lr_closed(&s->d, s->ms, s->base, epoch);
  s->opt->lr = s->last;
  return NN_OK;
}

NNDEF double nn_lr_scheduler_get_lr(const nn_lr_scheduler *s) { return s ? s->last : NAN; }
NNDEF int64_t nn_lr_scheduler_get_epoch(const nn_lr_scheduler *s) { return s ? s->epoch : -1; }

NNDEF void nn_lr_scheduler_free(nn_lr_scheduler *s) {
  if (!s) return;
  NN_FREE(s->ms);
  NN_FREE(s);
}

NNDEF double nn_lr_schedule_value(const nn_lr_schedule_desc *desc, double base_lr, int64_t epoch) {
  const char *name = "nn_lr_schedule_value";
  nn_lr_schedule_desc r;
  int64_t small[32], *ms = small;
  double v;
  int k;
  if (nn__lr_resolve(name, desc, &r) != NN_OK) return NAN;
  if (epoch < 0) {
    nn__fail(NN_ERR_VALUE, "%s: epoch %lld is negative", name, (long long)epoch);
    return NAN;
  }
  if (r.kind == NN_LR_MULTISTEP && r.nmilestones > 0) {
    if (r.nmilestones > 32 && !(ms = (int64_t *)nn__xalloc(name, sizeof(int64_t) * (size_t)r.nmilestones))) return NAN;
    for (k = 0; k < r.nmilestones; k++) ms[k] = r.milestones[k];
    qsort(ms, (size_t)r.nmilestones, sizeof(int64_t), nn__lr_cmp);
  }
  v = nn__lr_closed(&r, ms, base_lr, epoch);
  if (ms != small) nn__dealloc(ms);
  return v;
}
