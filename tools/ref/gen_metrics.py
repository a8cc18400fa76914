"""Reference values for nn/metrics.c from scikit-learn: accuracy, top-k accuracy, confusion matrix, precision /
recall / F1 with every averaging. Writes tests/ref/metrics_ref.h. Run with /usr/bin/python3 (python3-sklearn)."""
import os
import numpy as np
import sklearn
from sklearn import metrics as skm
from common import c_array, header

rng = np.random.default_rng(7)
N, C = 200, 5
labels = rng.integers(0, C, N)
scores = rng.standard_normal((N, C)).astype(np.float32)
scores[np.arange(N), labels] += 0.8  # better than chance
pred = scores.argmax(1)
binl = rng.integers(0, 2, N)
prob = rng.random(N).astype(np.float32)

out = [header(os.path.basename(__file__)).replace("NumPy", "scikit-learn %s, NumPy" % sklearn.__version__)]
out.append("#define MR_N %d\n#define MR_C %d\n" % (N, C))
out.append(c_array("mr_labels", labels))
out.append(c_array("mr_scores", scores))
out.append(c_array("mr_binl", binl))
out.append(c_array("mr_prob", prob))
vals = [skm.accuracy_score(labels, pred), skm.accuracy_score(binl, prob > 0.5)]
vals += [skm.top_k_accuracy_score(labels, scores, k=k, labels=range(C)) for k in (1, 2, 3)]
out.append(c_array("mr_acc", vals))
out.append(c_array("mr_cm", skm.confusion_matrix(labels, pred, labels=range(C))))
prf = []
for avg in ("macro", "micro", "weighted"):
    prf += [skm.precision_score(labels, pred, average=avg, zero_division=0),
            skm.recall_score(labels, pred, average=avg, zero_division=0),
            skm.f1_score(labels, pred, average=avg, zero_division=0)]
bp = (prob > 0.5).astype(int)
prf += [skm.precision_score(binl, bp), skm.recall_score(binl, bp), skm.f1_score(binl, bp)]
out.append(c_array("mr_prf", prf))
path = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "ref", "metrics_ref.h")
open(path, "w").write("\n".join(out))
