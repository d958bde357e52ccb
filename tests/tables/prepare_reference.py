"""The scikit-learn reference for dropnet's missing values and categories (tests/test_table_prepare.c).

usage: prepare_reference.py TRAIN.csv KEPT STRATEGY MODEL.safetensors NEW.csv EXPECTED.csv

Reads TRAIN.csv as pandas does by default (its na_values, plus "?"), keeps its first KEPT rows
(the rows dropnet trains on: a --val-split holds out the file's last rows), and fits per feature
column (every column but the last, the label): numbers -> SimpleImputer(strategy=STRATEGY);
text -> SimpleImputer(strategy="most_frequent") then OneHotEncoder(handle_unknown="ignore").
Checks the fill values and categories the model MODEL stored ("preprocessing" metadata) against
the fitted statistics_ and categories_, then writes NEW.csv (columns in any order, extra columns
ignored) transformed by the same fitted steps to EXPECTED.csv (one row per line, %.9g). Exits 1
naming the first difference."""
import json
import struct
import sys

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder


def model_preprocessing(path):
    with open(path, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
    meta = header["__metadata__"]
    for key, value in meta.items():
        if key.endswith("preprocessing"):
            return json.loads(value)
    sys.exit(f"{path}: no preprocessing metadata (keys {sorted(meta)})")


def main():
    train_path, kept, strategy, model_path, new_path, out_path = sys.argv[1:7]
    train = pd.read_csv(train_path, na_values=["?"]).iloc[: int(kept)]
    new = pd.read_csv(new_path, na_values=["?"])
    prep = model_preprocessing(model_path)
    columns = [c["name"] for c in prep["columns"]]
    if columns != list(train.columns[:-1]):
        sys.exit(f"model columns {columns} != file columns {list(train.columns[:-1])}")
    blocks = []
    for stored in prep["columns"]:
        name = stored["name"]
        if train[name].dtype == object:
            imputer = SimpleImputer(strategy="most_frequent").fit(train[[name]])
            encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
            encoder.fit(imputer.transform(train[[name]]))
            if list(encoder.categories_[0]) != stored.get("categories"):
                sys.exit(f"{name}: categories {stored.get('categories')} != sklearn's "
                         f"{list(encoder.categories_[0])}")
            if stored.get("fill") != imputer.statistics_[0]:
                sys.exit(f"{name}: fill {stored.get('fill')!r} != {imputer.statistics_[0]!r}")
            blocks.append(encoder.transform(imputer.transform(new[[name]].astype(object))))
        else:
            imputer = SimpleImputer(strategy=strategy).fit(train[[name]])
            want = float(imputer.statistics_[0])
            # dropnet reads cells as float32 and sums in double: 1e-6 relative is the budget
            if abs(stored.get("fill", float("nan")) - want) > 1e-6 * max(1.0, abs(want)):
                sys.exit(f"{name}: fill {stored.get('fill')} != SimpleImputer({strategy}) {want}")
            blocks.append(imputer.transform(new[[name]]))
    matrix = np.hstack(blocks)
    with open(out_path, "w") as f:
        for row in matrix:
            f.write(",".join("%.9g" % v for v in row) + "\n")
    print("ok", strategy, matrix.shape)


main()
