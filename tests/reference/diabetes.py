"""scikit-learn's diabetes data (bundled, 442 rows) as train/test CSV files, and the R² of
scikit-learn's MLPRegressor on the same split: the reference for tests/test_regression.c.

Usage: diabetes.py DIR  -> writes DIR/train.csv, DIR/test.csv; prints "mlp_r2 <value>".
The split is train_test_split(test_size=0.2, random_state=0); the MLP sees standardised
features (StandardScaler) and a standardised target (TransformedTargetRegressor), one hidden
layer of 64 relu units, adam, early_stopping=True (without it, 2000 iterations overfit this small
set to R² -0.02), max_iter 2000, random_state 0."""
import sys

import numpy as np
import pandas as pd
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

out = sys.argv[1]
data = load_diabetes(as_frame=True)
frame = data.frame  # ten features and "target"
train, test = train_test_split(frame, test_size=0.2, random_state=0)
train.to_csv(f"{out}/train.csv", index=False)
test.to_csv(f"{out}/test.csv", index=False)
features = [c for c in frame.columns if c != "target"]
mlp = TransformedTargetRegressor(
    regressor=make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(64,), max_iter=2000,
                                                            early_stopping=True, random_state=0)),
    transformer=StandardScaler())
mlp.fit(train[features].to_numpy(), train["target"].to_numpy())
r2 = r2_score(test["target"].to_numpy(), mlp.predict(test[features].to_numpy()))
print(f"mlp_r2 {r2:.6f}")
