"""Checks `dropnet eval --json` against scikit-learn on the same predictions.

Usage: eval_report.py DATA.csv PREDICTIONS.csv EVAL.json [LABEL]
DATA.csv holds the true values in column LABEL ("label" by default), PREDICTIONS.csv is what
`dropnet predict` wrote for it (predicted,p_<class>... for a classifier; predicted for a
regression model), EVAL.json is one line of `dropnet eval --json`. Classifiers: per-class
precision/recall/F1/support and the macro/weighted averages against
precision_recall_fscore_support(zero_division=0), accuracy against accuracy_score, ROC AUC
against roc_auc_score (two classes: the positive class is the second in label order). Regression:
MAE, RMSE, R² against mean_absolute_error, mean_squared_error and r2_score. Prints "ok N" with
the number of values compared, or the first mismatch and exits 1."""
import json
import sys

import numpy as np
import pandas as pd
from sklearn.metrics import (accuracy_score, mean_absolute_error, mean_squared_error,
                             precision_recall_fscore_support, r2_score, roc_auc_score)

data_path, pred_path, eval_path = sys.argv[1:4]
label = sys.argv[4] if len(sys.argv) > 4 else "label"
truth = pd.read_csv(data_path)[label]
pred = pd.read_csv(pred_path)
report = json.loads(open(eval_path).read())
checked = 0


def same(name, got, want, tol=1e-6):
    global checked
    if got is None or abs(got - want) > tol:
        print(f"{name}: dropnet {got}, scikit-learn {want}")
        sys.exit(1)
    checked += 1


if report["task"] == "regression":
    y = pred["predicted"].to_numpy(dtype=float)
    t = truth.to_numpy(dtype=float)
    # predictions are printed with 9 significant digits: compare to that precision
    same("mae", report["mae"], mean_absolute_error(t, y), 1e-5 * max(1.0, abs(t).max()))
    same("rmse", report["rmse"], np.sqrt(mean_squared_error(t, y)), 1e-5 * max(1.0, abs(t).max()))
    same("r2", report["r2"], r2_score(t, y), 1e-5)
else:
    names = [c["name"] for c in report["classes"]]
    t = truth.astype(str).to_numpy()
    y = pred["predicted"].astype(str).to_numpy()
    same("accuracy", report["accuracy"], accuracy_score(t, y))
    p, r, f, s = precision_recall_fscore_support(t, y, labels=names, zero_division=0)
    for i, c in enumerate(report["classes"]):
        same(f"precision {c['name']}", c["precision"], p[i])
        same(f"recall {c['name']}", c["recall"], r[i])
        same(f"f1 {c['name']}", c["f1"], f[i])
        same(f"support {c['name']}", c["support"], s[i])
    for avg in ("macro", "weighted"):
        p, r, f, _ = precision_recall_fscore_support(t, y, labels=names, average=avg,
                                                     zero_division=0)
        same(f"{avg} precision", report[f"{avg}_avg"]["precision"], p)
        same(f"{avg} recall", report[f"{avg}_avg"]["recall"], r)
        same(f"{avg} f1", report[f"{avg}_avg"]["f1"], f)
    if len(names) == 2:
        positive = pred[f"p_{names[1]}"].to_numpy(dtype=float)
        # probabilities are printed with 6 significant digits: ties may differ in the last one
        same("roc_auc", report["roc_auc"], roc_auc_score(t == names[1], positive), 2e-3)
print(f"ok {checked}")
