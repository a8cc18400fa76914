#!/usr/bin/env python3
"""Writes tests/ref/sort_ref.h: inputs and NumPy 1.24 results for nn_sort, nn_argsort, nn_topk, nn_unique and
nn_searchsorted. Run with /usr/bin/python3 (numpy 1.24). Deterministic.

Ascending results are NumPy's own (np.sort / np.argsort with kind='stable', np.unique, np.searchsorted).
Descending order and topk follow torch.sort(descending=True, stable=True) / torch.topk: NaN counts as the largest
value and equal elements keep their original order; they are computed here with Python's stable sorted() and
checked against NumPy where the two must agree."""
import math
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "ref", "sort_ref.h")

DTYPES = ["float32", "float64", "int32", "int64", "uint8", "bool"]
NN_DT = {"float32": "NN_FLOAT32", "float64": "NN_FLOAT64", "int32": "NN_INT32", "int64": "NN_INT64",
         "uint8": "NN_UINT8", "bool": "NN_BOOL"}
CTYPE = {"float32": "float", "float64": "double", "int32": "int32_t", "int64": "int64_t", "uint8": "uint8_t",
         "bool": "uint8_t"}
SFX = {"float32": "f32", "float64": "f64", "int32": "i32", "int64": "i64", "uint8": "u8", "bool": "b"}
ALL = -1000  # NN_ALL_AXES
R, C = 5, 9


def cval(v, dt):
    if dt in ("float32", "float64"):
        f = float(v)
        suf = "f" if dt == "float32" else ""
        if math.isnan(f):
            return "NAN"
        if math.isinf(f):
            return "INFINITY" if f > 0 else "-INFINITY"
        if f == 0 and math.copysign(1, f) < 0:
            return "-0.0" + suf
        s = repr(f)
        if "e" not in s and "." not in s:
            s += ".0"
        return s + suf
    if dt == "int64":
        i = int(v)
        if i == -2**63:
            return "(-9223372036854775807LL - 1)"
        return "%dLL" % i
    return str(int(v))


def make_input(dt, rng):
    n = R * C
    if dt in ("float32", "float64"):
        pool = [-2.5, -1.0, -0.0, 0.0, 0.5, 1.0, 1.0, 3.25, 1e30, -1e-30, np.inf, -np.inf, np.nan, np.nan]
        a = np.array([pool[i] for i in rng.integers(0, len(pool), n)], dtype=dt)
    elif dt == "int32":
        pool = [-3, -1, 0, 0, 1, 2, 2, 3, 2**31 - 1, -2**31]
        a = np.array([pool[i] for i in rng.integers(0, len(pool), n)], dtype=dt)
    elif dt == "int64":
        pool = [-3, -1, 0, 0, 1, 2, 2, 3, 2**62 + 1, 2**62, 2**63 - 1, -2**63]
        a = np.array([pool[i] for i in rng.integers(0, len(pool), n)], dtype=dt)
    elif dt == "uint8":
        pool = [0, 1, 1, 7, 128, 200, 255]
        a = np.array([pool[i] for i in rng.integers(0, len(pool), n)], dtype=dt)
    else:
        a = rng.integers(0, 2, n).astype(bool)
    return a.reshape(R, C)


def views(a):
    # Must match make_view() in tests/test_sort.c.
    return [a, a.T, a[::-1, ::2], a[1]]


def desc_key(v):
    if isinstance(v, (float, np.floating)):
        return (0, 0.0) if math.isnan(v) else (1, -float(v))
    return (1, -int(v))


def argsort_1d(row, desc):
    if not desc:
        return np.argsort(row, kind="stable")
    return np.array(sorted(range(len(row)), key=lambda i: desc_key(row[i])), dtype=np.int64)


def argsort_axis(x, axis, desc):
    if axis == ALL:
        return argsort_1d(x.ravel(), desc)
    xm = np.moveaxis(x, axis, -1)
    out = np.empty(xm.shape, dtype=np.int64)
    for idx in np.ndindex(*xm.shape[:-1]):
        out[idx] = argsort_1d(xm[idx], desc)
    res = np.moveaxis(out, -1, axis)
    if not desc:
        assert np.array_equal(res, np.argsort(x, axis=axis, kind="stable"))
    return res


def take(x, idx, axis):
    if axis == ALL:
        return x.ravel()[idx]
    return np.take_along_axis(x, idx, axis=axis)


class Emitter:
    def __init__(self):
        self.vals = {dt: [] for dt in DTYPES}
        self.idx = []
        self.lines = []

    def add_vals(self, dt, arr):
        off = len(self.vals[dt])
        self.vals[dt].extend(cval(v, dt) for v in np.asarray(arr).ravel())
        return off

    def add_idx(self, arr):
        off = len(self.idx)
        self.idx.extend(int(v) for v in np.asarray(arr).ravel())
        return off


def main():
    rng = np.random.default_rng(20240601)
    em = Emitter()
    inputs = {}
    cases = []  # (dtype, view, axis, desc, op, k, voff, ioff, n)
    for dt in DTYPES:
        a = make_input(dt, rng)
        inputs[dt] = a
        for vi, x in enumerate(views(a)):
            axes = [0, 1, -1, ALL] if x.ndim == 2 else [0, -1, ALL]
            for axis in axes:
                for desc in (0, 1):
                    idx = argsort_axis(x, axis, desc)
                    vals = take(x, idx, axis)
                    if not desc:
                        ref = np.sort(x, axis=None if axis == ALL else axis, kind="stable")
                        assert np.array_equal(ref, vals, equal_nan=dt.startswith("float"))
                    n = idx.size
                    cases.append((dt, vi, axis, desc, 0, 0, em.add_vals(dt, vals), -1, n))
                    cases.append((dt, vi, axis, desc, 1, 0, -1, em.add_idx(idx), n))
                    ax = -1 if axis == ALL else axis
                    length = x.size if axis == ALL else x.shape[ax]
                    for k in sorted({0, 1, 3, length}):
                        if k > length:
                            continue
                        if axis == ALL:
                            ki = idx[:k]
                        else:
                            ki = np.take(idx, np.arange(k), axis=ax)
                        kv = take(x, ki, axis)
                        cases.append((dt, vi, axis, desc, 2, k, em.add_vals(dt, kv), em.add_idx(ki), ki.size))

    # unique: every input, its transposed view, and a small hand-made array
    ucases = []  # (dtype, which, uoff, nu, coff, ioff, n)
    extra = {
        "float32": np.array([np.nan, 1, np.nan, 0.0, -0.0, 1, -np.inf], dtype=np.float32),
        "float64": np.array([np.nan, 1, np.nan, 0.0, -0.0, 1, -np.inf]),
        "int32": np.array([5, -5, 5, 0], dtype=np.int32),
        "int64": np.array([2**62 + 1, 2**62, 2**62 + 1, -2**63], dtype=np.int64),
        "uint8": np.array([255, 0, 255, 3], dtype=np.uint8),
        "bool": np.array([True, False, True]),
    }
    extra_off = {}
    for dt in DTYPES:
        extra_off[dt] = em.add_vals(dt, extra[dt])
        for which, x in enumerate([inputs[dt], inputs[dt].T, extra[dt]]):
            # return_index makes NumPy use its stable sort, so -0.0/0.0 groups keep their first occurrence (as
            # nn_unique does); without it NumPy's choice of zero depends on its unstable quicksort
            u, _, inv, cnt = np.unique(x, return_index=True, return_inverse=True, return_counts=True)
            ucases.append((dt, which, em.add_vals(dt, u), u.size, em.add_idx(cnt), em.add_idx(inv), x.size))

    # searchsorted
    scases = []  # (sorted dtype, values dtype, right, soff, ns, voff, nv, ooff)
    ss_sorted = {
        "float32": np.array([-np.inf, -1, 0, 0, 0.5, 2, 2, 2, np.inf, np.nan, np.nan], dtype=np.float32),
        "float64": np.array([-np.inf, -1, 0, 0, 0.5, 2, 2, 2, np.inf, np.nan, np.nan]),
        "int32": np.array([-2**31, -1, 0, 0, 3, 3, 7], dtype=np.int32),
        "int64": np.array([-2**63, -1, 0, 0, 3, 3, 2**62, 2**62 + 1], dtype=np.int64),
        "uint8": np.array([0, 0, 5, 5, 200, 255], dtype=np.uint8),
        "bool": np.array([False, False, True, True, True]),
    }
    ss_values = {
        "float32": np.array([np.nan, -np.inf, -2, -1, 0, 0.25, 2, 3, np.inf, -0.0], dtype=np.float32),
        "float64": np.array([np.nan, -np.inf, -2, -1, 0, 0.25, 2, 3, np.inf, -0.0]),
        "int32": np.array([-2**31, -5, -1, 0, 1, 3, 7, 8, 2**31 - 1, 3], dtype=np.int32),
        "int64": np.array([-2**63, -5, -1, 0, 1, 3, 2**62, 2**62 + 1, 2**63 - 1, 2**62 + 2], dtype=np.int64),
        "uint8": np.array([0, 1, 4, 5, 6, 199, 200, 201, 255, 5], dtype=np.uint8),
        "bool": np.array([False, True, True, False, True, False, False, True, True, True]),
    }
    pairs = [(dt, dt) for dt in DTYPES] + [("int32", "float64"), ("uint8", "int64"), ("float32", "int32"),
                                           ("bool", "uint8"), ("int64", "float32")]
    ss_off = {}
    for dt in DTYPES:
        ss_off[dt] = (em.add_vals(dt, ss_sorted[dt]), em.add_vals(dt, ss_values[dt]))
    for sdt, vdt in pairs:
        s = ss_sorted[sdt]
        v = ss_values[vdt].reshape(2, 5)
        for right in (0, 1):
            res = np.searchsorted(s, v, side="right" if right else "left")
            scases.append((sdt, vdt, right, em.add_idx(res)))

    w = []
    w.append("/* tests/ref/sort_ref.h: generated by tools/ref/gen_sort.py with numpy %s. Do not edit. */" % np.__version__)
    w.append("#define SREF_R %d" % R)
    w.append("#define SREF_C %d" % C)
    w.append("#define SREF_ALL %d" % ALL)
    for dt in DTYPES:
        w.append("static const %s sref_in_%s[%d] = {%s};" % (CTYPE[dt], SFX[dt], R * C,
                                                          ", ".join(cval(v, dt) for v in inputs[dt].ravel())))
    for dt in DTYPES:
        vals = em.vals[dt] or ["0"]
        w.append("static const %s sref_v_%s[%d] = {" % (CTYPE[dt], SFX[dt], len(vals)))
        for i in range(0, len(vals), 16):
            w.append("  " + ", ".join(vals[i:i + 16]) + ",")
        w.append("};")
    w.append("static const int64_t sref_idx[%d] = {" % len(em.idx))
    for i in range(0, len(em.idx), 24):
        w.append("  " + ", ".join(str(v) for v in em.idx[i:i + 24]) + ",")
    w.append("};")
    w.append("/* op: 0 sort, 1 argsort, 2 topk (desc = largest); voff/ioff index sref_v_<dtype>/sref_idx; n outputs */")
    w.append("typedef struct sref_case { nn_dtype dt; int view, axis, desc, op; int64_t k, voff, ioff, n; } sref_case;")
    w.append("static const sref_case sref_cases[%d] = {" % len(cases))
    for c in cases:
        w.append("  {%s, %d, %d, %d, %d, %d, %d, %d, %d}," % ((NN_DT[c[0]],) + tuple(c[1:])))
    w.append("};")
    w.append("/* unique: which 0 = input, 1 = its transpose, 2 = the extra array; u at voff (nu values), counts and")
    w.append("   inverse at coff/ioff in sref_idx; n = input size */")
    w.append("typedef struct sref_ucase { nn_dtype dt; int which; int64_t uoff, nu, coff, ioff, n; } sref_ucase;")
    w.append("static const sref_ucase sref_ucases[%d] = {" % len(ucases))
    for c in ucases:
        w.append("  {%s, %d, %d, %d, %d, %d, %d}," % ((NN_DT[c[0]],) + tuple(c[1:])))
    w.append("};")
    w.append("/* where the extra unique arrays start in sref_v_<dtype> and how long they are */")
    w.append("static const int64_t sref_extra_off[6] = {%s};" % ", ".join(str(extra_off[dt]) for dt in DTYPES))
    w.append("static const int64_t sref_extra_n[6] = {%s};" % ", ".join(str(extra[dt].size) for dt in DTYPES))
    w.append("/* searchsorted: sorted array and values of each dtype (in sref_v_<dtype>), then the cases */")
    w.append("static const int64_t sref_ss_soff[6] = {%s};" % ", ".join(str(ss_off[dt][0]) for dt in DTYPES))
    w.append("static const int64_t sref_ss_ns[6] = {%s};" % ", ".join(str(ss_sorted[dt].size) for dt in DTYPES))
    w.append("static const int64_t sref_ss_voff[6] = {%s};" % ", ".join(str(ss_off[dt][1]) for dt in DTYPES))
    w.append("typedef struct sref_scase { nn_dtype sdt, vdt; int right; int64_t ooff; } sref_scase;")
    w.append("static const sref_scase sref_scases[%d] = {" % len(scases))
    for c in scases:
        w.append("  {%s, %s, %d, %d}," % (NN_DT[c[0]], NN_DT[c[1]], c[2], c[3]))
    w.append("};")
    text = "\n".join(w) + "\n"
    with open(OUT, "w") as f:
        f.write(text)
    print("wrote %s (%d bytes, %d sort cases, %d unique cases, %d searchsorted cases)" %
          (OUT, len(text), len(cases), len(ucases), len(scases)), file=sys.stderr)


if __name__ == "__main__":
    main()
