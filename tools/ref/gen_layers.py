#!/usr/bin/env python3
"""Reference data for tests/test_layers.c from PyTorch: for each layer and option combination, the fixed
parameters (loaded by name into the nn.h layer), a fixed input, a fixed upstream gradient, and PyTorch's output,
input gradient and parameter gradients (and BatchNorm's running statistics after the forward). Inputs and
parameters are float32 values; PyTorch computes in float64 from them. Run with /usr/bin/python3 (python3-torch).
Writes tests/ref/layers_ref.h.

Layer settings are encoded per kind in ia[] / da[] (see the header's comment), decoded by the C test."""
import os
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "ref", "layers_ref.h")
torch.set_default_dtype(torch.float64)
warnings.filterwarnings("ignore")  # padding="same" with an even kernel warns that it copies the input

ACT = ["none", "relu", "leaky_relu", "elu", "gelu", "silu", "sigmoid", "tanh", "softmax", "log_softmax"]
arrays = []
cases = []
rng = np.random.RandomState(1234)


def fmt(v, exact):
    v = float(v)
    if np.isnan(v):
        return "NAN"
    if np.isinf(v):
        return "INFINITY" if v > 0 else "-INFINITY"
    s = ("%.9g" if exact else "%.8g") % v
    return s if ("." in s or "e" in s or "n" in s) else s + ".0"


def arr(values, exact=False):
    """A C array of the values; returns an ly_arr initializer."""
    if values is None:
        return "{0, {0}, NULL}"
    a = values.detach().cpu().numpy() if torch.is_tensor(values) else np.asarray(values)
    a = np.asarray(a, dtype=np.float64)
    name = "ly_a%d" % len(arrays)
    vals = [fmt(v, exact) for v in a.ravel()] or ["0.0"]
    lines = ["  " + ",".join(vals[i:i + 10]) + "," for i in range(0, len(vals), 10)]
    arrays.append("static const double %s[] = {\n%s\n};\n" % (name, "\n".join(lines)))
    shape = list(a.shape)
    return "{%d, {%s}, %s}" % (len(shape), ", ".join(str(s) for s in shape) or "0", name)


def f32(shape, lo=-1.0, hi=1.0):
    """A float64 tensor of float32-representable uniform values."""
    return torch.tensor(rng.uniform(lo, hi, size=shape).astype(np.float32).astype(np.float64))


def set_params(module, scale=1.0):
    """Fixed float32-representable parameters (in place), returned as name -> tensor."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            p.copy_(f32(tuple(p.shape)) * scale)
    return dict(module.named_parameters())


def act_fn(a):
    return {"none": lambda x: x, "relu": F.relu, "leaky_relu": lambda x: F.leaky_relu(x, 0.01),
            "elu": lambda x: F.elu(x, 1.0), "gelu": F.gelu, "silu": F.silu, "sigmoid": torch.sigmoid,
            "tanh": torch.tanh, "softmax": lambda x: F.softmax(x, -1),
            "log_softmax": lambda x: F.log_softmax(x, -1)}[a]


def add_case(name, kind, ia, da, inputs, outputs, douts, module=None, buffers_before=None, training=1, grad_inputs=None,
             aux=()):
    """inputs: tensors (leaves requiring grad, or integer tensors); outputs: tensors from them; douts: upstream
    gradients (None for outputs without one)."""
    loss = None
    for o, d in zip(outputs, douts):
        if d is not None:
            t = (o * d).sum()
            loss = t if loss is None else loss + t
    if loss is not None:
        loss.backward()
    ins = [arr(x, exact=True) for x in inputs]
    dins = [arr(x.grad if (x.is_floating_point() and x.grad is not None) else None) for x in inputs]
    outs = [arr(o) for o in outputs]
    dos = [arr(d, exact=True) if d is not None else arr(None) for d in douts]
    params = []
    if module is not None:
        for pname, p in module.named_parameters():
            params.append('{"%s", %s, %s}' % (pname, arr(p, exact=True), arr(p.grad)))
    bufs = []
    if buffers_before is not None:
        for bname, b in module.named_buffers():
            bufs.append('{"%s", %s, %s}' % (bname, arr(buffers_before[bname], exact=True), arr(b)))
    auxs = [arr(a, exact=True) for a in aux]
    pad = lambda lst, n: lst + ["{0, {0}, NULL}"] * (n - len(lst))
    pname = "NULL"
    if params:
        pname = "ly_p%d" % len(cases)
        arrays.append("static const ly_named %s[] = {\n  %s\n};\n" % (pname, ",\n  ".join(params)))
    bname = "NULL"
    if bufs:
        bname = "ly_b%d" % len(cases)
        arrays.append("static const ly_named %s[] = {\n  %s\n};\n" % (bname, ",\n  ".join(bufs)))
    ia = list(ia) + [0] * (16 - len(ia))
    da = list(da) + [0.0] * (4 - len(da))
    cases.append('  {"%s", "%s", {%s}, {%s}, %d,\n   %d, {%s}, {%s},\n   %d, {%s}, {%s},\n   {%s},\n   %d, %s, %d, %s}' % (
        name, kind, ", ".join(str(v) for v in ia), ", ".join(repr(float(v)) for v in da), training,
        len(inputs), ", ".join(pad(ins, 3)), ", ".join(pad(dins, 3)),
        len(outputs), ", ".join(pad(outs, 3)), ", ".join(pad(dos, 3)),
        ", ".join(pad(auxs, 2)),
        len(params), pname, len(bufs), bname))


def leaf(shape, lo=-1.0, hi=1.0):
    return f32(shape, lo, hi).requires_grad_(True)


# ---- Dense ----
def dense_case(name, xs, units, act="none", bias=True):
    m = nn.Linear(xs[-1], units, bias=bias)
    set_params(m)
    x = leaf(xs)
    y = act_fn(act)(m(x))
    add_case(name, "dense", [units, ACT.index(act), 0 if bias else 1], [], [x], [y], [f32(tuple(y.shape))], m)


dense_case("dense", (4, 5), 3)
dense_case("dense_relu", (4, 5), 6, "relu")
dense_case("dense_nobias_tanh", (3, 7), 4, "tanh", bias=False)
dense_case("dense_3d_gelu", (2, 3, 5), 4, "gelu")
for a in ["leaky_relu", "elu", "silu", "sigmoid", "softmax", "log_softmax"]:
    dense_case("dense_" + a, (3, 4), 5, a)


# ---- convolutions ----
def conv_case(name, is1d, xs, filters, k, stride=(0, 0), padding=(0, 0), dilation=(0, 0), groups=0, same=0, bias=True,
              act="none"):
    st = tuple(s if s else 1 for s in stride)
    dl = tuple(d if d else 1 for d in dilation)
    g = groups if groups else 1
    if is1d:
        m = nn.Conv1d(xs[1], filters, k[0], stride=st[0], padding="same" if same else padding[0], dilation=dl[0],
                      groups=g, bias=bias)
    else:
        m = nn.Conv2d(xs[1], filters, tuple(k), stride=st, padding="same" if same else tuple(padding), dilation=dl,
                      groups=g, bias=bias)
    set_params(m)
    x = leaf(xs)
    y = act_fn(act)(m(x))
    add_case(name, "conv1d" if is1d else "conv2d",
             [filters, k[0], k[1], stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1], groups,
              same, 0 if bias else 1, ACT.index(act)], [], [x], [y], [f32(tuple(y.shape))], m)


conv_case("conv1d", 1, (2, 3, 9), 4, (3, 1))
conv_case("conv1d_s2_p1_d2_relu", 1, (2, 2, 10), 3, (3, 1), stride=(2, 0), padding=(1, 0), dilation=(2, 0),
          act="relu")
conv_case("conv1d_groups_same_even_nobias", 1, (2, 4, 8), 6, (4, 1), groups=2, same=1, bias=False)
conv_case("conv2d", 0, (2, 3, 6, 5), 4, (3, 3))
conv_case("conv2d_s21_p12_tanh", 0, (2, 2, 7, 6), 3, (3, 2), stride=(2, 1), padding=(1, 1), act="tanh")
conv_case("conv2d_dil2_same", 0, (1, 2, 7, 6), 3, (3, 3), dilation=(2, 2), same=1)
conv_case("conv2d_depthwise_nobias", 0, (2, 3, 5, 6), 6, (3, 3), padding=(1, 1), groups=3, bias=False)
conv_case("conv2d_same_even", 0, (2, 2, 5, 6), 2, (2, 4), same=1, act="silu")


# ---- pooling ----
def pool_case(name, kind, xs, k, stride=(0, 0), padding=(0, 0), dilation=(0, 0)):
    x = leaf(xs)
    st = [s if s else kk for s, kk in zip(stride, k)]
    dl = [d if d else 1 for d in dilation]
    if kind == "maxpool1d":
        y = F.max_pool1d(x, k[0], st[0], padding[0], dl[0])
    elif kind == "avgpool1d":
        y = F.avg_pool1d(x, k[0], st[0], padding[0])
    elif kind == "maxpool2d":
        y = F.max_pool2d(x, tuple(k), tuple(st), tuple(padding), tuple(dl))
    else:
        y = F.avg_pool2d(x, tuple(k), tuple(st), tuple(padding))
    add_case(name, kind, [k[0], k[1], stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1]], [],
             [x], [y], [f32(tuple(y.shape))])


pool_case("maxpool1d", "maxpool1d", (2, 3, 9), (2, 1))
pool_case("maxpool1d_k3_s2_p1_d2", "maxpool1d", (2, 2, 11), (3, 1), stride=(2, 0), padding=(1, 0), dilation=(2, 0))
pool_case("avgpool1d_k3_s1_p1", "avgpool1d", (2, 3, 7), (3, 1), stride=(1, 0), padding=(1, 0))
pool_case("maxpool2d", "maxpool2d", (2, 3, 6, 6), (2, 2))
pool_case("maxpool2d_k3_s2_p1", "maxpool2d", (1, 2, 7, 7), (3, 3), stride=(2, 2), padding=(1, 1))
pool_case("avgpool2d", "avgpool2d", (2, 3, 6, 6), (2, 2))
pool_case("avgpool2d_k32_s21_p10", "avgpool2d", (1, 2, 7, 6), (3, 2), stride=(2, 1), padding=(1, 0))

for nm, xs in [("gap1d", (2, 3, 5)), ("gap2d", (2, 3, 4, 5))]:
    x = leaf(xs)
    y = x.mean(dim=tuple(range(2, len(xs))))
    add_case(nm, nm, [], [], [x], [y], [f32(tuple(y.shape))])


# ---- normalization ----
def bn_case(name, kind, xs, training, affine=True, track=True, eps=0.0, momentum=0.0):
    C = xs[1]
    cls = nn.BatchNorm1d if kind == "bn1d" else nn.BatchNorm2d
    m = cls(C, eps=eps if eps else 1e-5, momentum=momentum if momentum else 0.1, affine=affine,
            track_running_stats=track)
    if affine:
        set_params(m)
    before = {}
    if track:
        with torch.no_grad():
            m.running_mean.copy_(f32((C,), -0.5, 0.5))
            m.running_var.copy_(f32((C,), 0.5, 1.5))
            m.num_batches_tracked.fill_(3)
        before = {k: v.clone() for k, v in m.named_buffers()}
    m.train(bool(training))
    x = leaf(xs, -2, 2)
    y = m(x)
    add_case(name, kind, [0 if affine else 1, 0 if track else 1], [eps, momentum], [x], [y], [f32(tuple(y.shape))], m,
             buffers_before=before if track else None, training=training)


bn_case("bn1d_train_2d", "bn1d", (6, 4), 1)
bn_case("bn1d_train_3d", "bn1d", (3, 4, 5), 1, momentum=0.3)
bn_case("bn1d_eval", "bn1d", (3, 4, 5), 0)
bn_case("bn2d_train", "bn2d", (2, 3, 4, 5), 1)
bn_case("bn2d_eval_eps", "bn2d", (2, 3, 4, 5), 0, eps=1e-3)
bn_case("bn2d_train_noaffine", "bn2d", (3, 2, 3, 3), 1, affine=False)
bn_case("bn2d_nostats_eval", "bn2d", (2, 3, 3, 4), 0, track=False)


def ln_case(name, xs, nd, affine=True, eps=0.0):
    m = nn.LayerNorm(xs[len(xs) - nd:], eps=eps if eps else 1e-5, elementwise_affine=affine)
    if affine:
        set_params(m)
    x = leaf(xs, -2, 2)
    y = m(x)
    add_case(name, "layernorm", [nd, 0 if affine else 1], [eps], [x], [y], [f32(tuple(y.shape))], m)


ln_case("layernorm", (4, 6), 1)
ln_case("layernorm_2axes", (2, 3, 4, 5), 2)
ln_case("layernorm_noaffine_eps", (3, 2, 7), 1, affine=False, eps=1e-2)

# ---- embedding, shape layers, activations, dropout ----
m = nn.Embedding(7, 3)
set_params(m)
idx = torch.tensor(rng.randint(0, 7, size=(2, 5)))
idx[0, 0] = idx[1, 3]  # a repeated index accumulates
y = m(idx)
add_case("embedding", "embedding", [7, 3], [], [idx], [y], [f32(tuple(y.shape))], m)

x = leaf((2, 3, 4, 2))
y = torch.flatten(x, 1)
add_case("flatten", "flatten", [], [], [x], [y], [f32(tuple(y.shape))])
x = leaf((2, 12))
y = x.reshape(2, 3, -1)
add_case("reshape", "reshape", [2, 3, -1], [], [x], [y], [f32(tuple(y.shape))])
for i, a in enumerate(ACT):
    x = leaf((3, 5), -3, 3)
    y = act_fn(a)(x)
    add_case("activation_" + a, "activation", [i], [], [x], [y], [f32(tuple(y.shape))])
x = leaf((3, 4))
add_case("dropout_eval", "dropout", [], [0.5], [x], [x * 1.0], [f32((3, 4))], training=0)


# ---- recurrent ----
def rnn_case(name, kind, T, N, I, H, return_sequences=1, batch_first=0, bias=True, relu=0, h0=False, c0=False,
             want_hn=0, want_cn=0):
    if kind == "rnn":
        m = nn.RNN(I, H, nonlinearity="relu" if relu else "tanh", bias=bias, batch_first=bool(batch_first))
    elif kind == "lstm":
        m = nn.LSTM(I, H, bias=bias, batch_first=bool(batch_first))
    else:
        m = nn.GRU(I, H, bias=bias, batch_first=bool(batch_first))
    set_params(m)
    x = leaf((N, T, I) if batch_first else (T, N, I))
    inputs = [x]
    hx = None
    if h0:
        hh = leaf((1, N, H))
        inputs.append(hh)
        if kind == "lstm":
            cc = leaf((1, N, H))
            inputs.append(cc)
            hx = (hh, cc)
        else:
            hx = hh
    out, st = m(x, hx)
    hn, cn = (st if kind == "lstm" else (st, None))
    y = out if return_sequences else hn[0]
    outputs = [y]
    if want_hn:
        outputs.append(hn)
    if want_cn:
        outputs.append(cn)
    douts = [f32(tuple(o.shape)) for o in outputs]
    add_case(name, kind, [H, return_sequences, batch_first, 0 if bias else 1, relu, want_hn, want_cn], [], inputs,
             outputs, douts, m)


rnn_case("rnn_tanh_seq", "rnn", 5, 3, 4, 6)
rnn_case("rnn_relu_last_nobias", "rnn", 4, 2, 3, 5, return_sequences=0, relu=1, bias=False)
rnn_case("rnn_bf_h0_hn", "rnn", 4, 3, 2, 4, batch_first=1, h0=True, want_hn=1)
rnn_case("lstm_seq", "lstm", 5, 3, 4, 6)
rnn_case("lstm_last", "lstm", 4, 2, 3, 5, return_sequences=0)
rnn_case("lstm_h0c0_states", "lstm", 4, 3, 3, 4, h0=True, want_hn=1, want_cn=1)
rnn_case("lstm_bf_nobias_states", "lstm", 3, 2, 4, 3, batch_first=1, bias=False, want_hn=1, want_cn=1)
rnn_case("gru_seq", "gru", 5, 3, 4, 6)
rnn_case("gru_last_h0", "gru", 4, 2, 3, 5, return_sequences=0, h0=True)
rnn_case("gru_bf_nobias_hn", "gru", 3, 3, 2, 4, batch_first=1, bias=False, want_hn=1)


# ---- attention ----
def mha_case(name, E, heads, L, S, N, batch_first=0, causal=0, bias=True, mask=0, kpm=0, cross=0, weights=0):
    m = nn.MultiheadAttention(E, heads, bias=bias, batch_first=bool(batch_first))
    set_params(m)
    shp = lambda n: (N, n, E) if batch_first else (n, N, E)
    q = leaf(shp(L))
    if cross:
        k = leaf(shp(S))
        v = leaf(shp(S))
        inputs = [q, k, v]
    else:
        S = L
        k = v = q
        inputs = [q]
    aux = []
    am = None
    if mask == 1:
        mb = torch.tensor(rng.uniform(size=(L, S)) < 0.3)
        mb[:, 0] = False  # every query keeps a key
        aux.append(mb.double())
        am = mb
    elif mask == 2:
        mf = f32((L, S), -2, 1)
        aux.append(mf)
        am = mf
    else:
        aux.append(None)
    if causal:
        cm = torch.triu(torch.ones(L, S, dtype=torch.bool), 1)
        if am is None:
            am = cm
        elif am.dtype == torch.bool:
            am = am | cm
        else:
            am = am.masked_fill(cm, float("-inf"))
    kp = None
    if kpm:
        kp = torch.zeros(N, S, dtype=torch.bool)
        kp[0, S - 1] = True
        kp[N - 1, 1] = True
        aux.append(kp.double())
    y, w = m(q, k, v, key_padding_mask=kp, need_weights=True, attn_mask=am)
    outputs = [y] + ([w] if weights else [])
    douts = [f32(tuple(y.shape))] + ([None] if weights else [])
    add_case(name, "mha", [heads, batch_first, causal, 0 if bias else 1, mask, kpm, cross, weights], [], inputs,
             outputs, douts, m, aux=[a for a in aux if a is not None] if len([a for a in aux if a is not None]) else ())


mha_case("mha_self", 8, 2, 5, 5, 3)
mha_case("mha_self_bf_causal", 8, 4, 4, 4, 2, batch_first=1, causal=1)
mha_case("mha_cross_masks_weights", 6, 3, 3, 5, 2, bias=True, mask=1, kpm=1, cross=1, weights=1)
mha_case("mha_cross_float_mask_nobias", 4, 2, 4, 3, 2, bias=False, mask=2, cross=1, batch_first=1)

with open(OUT, "w") as f:
    f.write("/* tests/ref/layers_ref.h: generated by tools/ref/gen_layers.py with PyTorch %s (float64 from float32 "
            "inputs). Do not edit. */\n\n" % torch.__version__)
    f.write("""typedef struct ly_arr {
  int ndim;
  int64_t shape[6];
  const double *v; /* NULL: absent */
} ly_arr;

typedef struct ly_named {
  const char *name;
  ly_arr value; /* parameters: the value to load; buffers: the value before the forward */
  ly_arr grad;  /* parameters: the expected gradient; buffers: the expected value after the forward */
} ly_named;

/* Settings per kind:
   dense: ia = units, activation, no_bias
   conv1d/conv2d: ia = filters, kh, kw, stride h/w, padding h/w, dilation h/w, groups, same, no_bias, activation
   maxpool1d/2d, avgpool1d/2d: ia = kh, kw, stride h/w, padding h/w, dilation h/w
   bn1d/bn2d: ia = no_affine, no_running_stats; da = eps, momentum (0: defaults)
   layernorm: ia = normalized_ndim, no_affine; da = eps
   embedding: ia = num_embeddings, embedding_dim (the input holds the indices)
   reshape: ia = ndim, target shape; activation: ia = activation; dropout: da = p
   rnn/lstm/gru: ia = units, return_sequences, batch_first, no_bias, relu, want h_n, want c_n; inputs x [, h0 [, c0]];
     outputs y [, h_n] [, c_n]
   mha: ia = heads, batch_first, causal, no_bias, attn mask (0 none, 1 bool, 2 float), key padding mask, cross
     (separate key/value inputs), need weights (second output); aux = attn_mask (bool as 0/1), key_padding_mask */
typedef struct ly_case {
  const char *name, *kind;
  int ia[16];
  double da[4];
  int training;
  int nin;
  ly_arr in[3], din[3]; /* inputs and their expected gradients */
  int nout;
  ly_arr out[3], dout[3]; /* expected outputs and the upstream gradients (v NULL: none) */
  ly_arr aux[2];
  int nparams;
  const ly_named *params;
  int nbuffers;
  const ly_named *buffers;
} ly_case;

""")
    f.write("\n".join(arrays))
    f.write("\nstatic const ly_case ly_cases[] = {\n%s\n};\n" % ",\n".join(cases))
print("wrote", OUT, os.path.getsize(OUT), "bytes,", len(cases), "cases")
