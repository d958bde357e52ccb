"""The scikit-learn estimators: scikit-learn's own check_estimator suite, and Pipeline /
GridSearchCV / cross_val_score on iris and diabetes against scikit-learn's MLP as reference."""
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_iris
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_estimator

from dropnet.sklearn import MLPClassifier, MLPRegressor

# Every check of scikit-learn 1.2's check_estimator passes; a check that starts failing is a
# regression. None is skipped (docs/PYTHON.md records the run).
@pytest.mark.parametrize("estimator", [MLPClassifier(max_iter=100, random_state=0),
                                       MLPRegressor(max_iter=200, random_state=0)],
                         ids=["MLPClassifier", "MLPRegressor"])
def test_check_estimator(estimator):
    failed = []
    for est, check in check_estimator(estimator, generate_only=True):
        name = getattr(check, "func", check).__name__
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                check(est)
        except Exception as exc:  # collect all, report together
            failed.append(f"{name}: {type(exc).__name__}: {str(exc)[:200]}")
    assert failed == []


def test_iris_pipeline_matches_sklearn_mlp():
    x, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]  # string labels
    ours = make_pipeline(StandardScaler(), MLPClassifier((32,), max_iter=1000, random_state=0))
    ref = make_pipeline(StandardScaler(), SkMLPClassifier((32,), max_iter=1000, random_state=0))
    a = cross_val_score(ours, x, names, cv=5)
    b = cross_val_score(ref, x, names, cv=5)
    assert a.mean() >= 0.93 and a.mean() >= b.mean() - 0.03, (a, b)
    fitted = ours.fit(x, names)
    assert set(fitted.predict(x)) <= set(names)
    np.testing.assert_allclose(fitted.predict_proba(x).sum(1), 1, atol=1e-5)


def test_grid_search_and_regressor():
    x, y = load_diabetes(return_X_y=True)
    grid = GridSearchCV(make_pipeline(StandardScaler(), MLPRegressor(max_iter=300, random_state=0,
                                                                     learning_rate_init=0.01)),
                        {"mlpregressor__dropout": [0.0, 0.2]}, cv=3)
    grid.fit(x, (y - y.mean()) / y.std())
    assert grid.best_score_ > 0.35  # R²; a linear model reaches about 0.48 here
    params = grid.best_estimator_.get_params()
    assert params["mlpregressor__dropout"] in (0.0, 0.2)
