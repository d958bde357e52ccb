"""sklearn.py — scikit-learn estimators on dropnet: MLPClassifier and MLPRegressor.

Parameter names follow sklearn.neural_network.MLPClassifier where they mean the same thing
(hidden_layer_sizes, activation, solver, alpha = L2, batch_size, learning_rate_init, max_iter
= epochs, shuffle, random_state, momentum, nesterovs_momentum, validation_fraction,
early_stopping, n_iter_no_change), plus dropout (a Dropout layer before every hidden Dense) and
max_norm. Labels may be ints, floats or strings (classes_ keeps them, as scikit-learn does)."""
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from . import callbacks, layers, optimizers
from .models import Sequential


class _MLP(BaseEstimator):
    def __init__(self, hidden_layer_sizes=(100,), activation="relu", solver="adam", alpha=0.0,
                 batch_size="auto", learning_rate_init=0.001, max_iter=200, shuffle=True,
                 random_state=None, momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, n_iter_no_change=10, dropout=0.0, max_norm=0.0,
                 verbose=0):
        self.hidden_layer_sizes, self.activation, self.solver = hidden_layer_sizes, activation, solver
        self.alpha, self.batch_size, self.learning_rate_init = alpha, batch_size, learning_rate_init
        self.max_iter, self.shuffle, self.random_state = max_iter, shuffle, random_state
        self.momentum, self.nesterovs_momentum = momentum, nesterovs_momentum
        self.early_stopping, self.validation_fraction = early_stopping, validation_fraction
        self.n_iter_no_change, self.dropout, self.max_norm = n_iter_no_change, dropout, max_norm
        self.verbose = verbose

    def _network(self, features, outputs, out_activation, loss):
        stack = [layers.Input(shape=(features,))]
        for units in self.hidden_layer_sizes:
            if self.dropout:
                stack.append(layers.Dropout(self.dropout))
            stack.append(layers.Dense(int(units), activation=self.activation))
        stack.append(layers.Dense(outputs, activation=out_activation))
        model = Sequential(stack)
        if self.solver == "adam":
            opt = optimizers.Adam(self.learning_rate_init)
        elif self.solver == "sgd":
            opt = optimizers.SGD(self.learning_rate_init, self.momentum,
                                 self.nesterovs_momentum and self.momentum > 0)
        else:
            raise ValueError(f"solver must be 'adam' or 'sgd', found {self.solver!r}")
        seed = int(check_random_state(self.random_state).randint(0, 2**31 - 1))
        model.compile(optimizer=opt, loss=loss, metrics=["accuracy"] if outputs > 1 or
                      loss != "mean_squared_error" else None, seed=seed, l2=self.alpha,
                      max_norm=self.max_norm)
        return model

    def _train(self, model, X, y, y_name=None):
        batch = min(200, len(X)) if self.batch_size == "auto" else int(self.batch_size)
        cbs, split = [], 0.0
        if self.early_stopping:
            split = self.validation_fraction
            cbs.append(callbacks.EarlyStopping("val_loss", patience=self.n_iter_no_change,
                                               restore_best_weights=True))
        history = model.fit(X, y, batch_size=batch, epochs=int(self.max_iter), verbose=self.verbose,
                            callbacks=cbs, validation_split=split, shuffle=self.shuffle)
        self.loss_curve_ = list(history.history["loss"])
        self.n_iter_ = len(self.loss_curve_)
        self.model_ = model
        self._name_model(y_name)
        return self

    def _name_model(self, y_name=None):
        """The feature names (and the classifier's classes) into the network, as `dropnet train`
        stores a CSV file's columns. Set after training: the network trains on class ids."""
        names = getattr(self, "feature_names_in_", None)
        if names is not None:
            self.model_._record_columns([str(n) for n in names], _Named(y_name))
        classes = getattr(self, "classes_", None)
        if classes is not None and len(classes) == max(2, len(classes)):
            self.model_._set_class_names([str(c) for c in classes])

    def _features(self, X):
        """X checked as scikit-learn does after fit: its feature count and names."""
        check_is_fitted(self, "model_")
        return self._validate_data(X, dtype=np.float32, order="C", reset=False)

    def __getstate__(self):  # the library handle is saved as the model's weights
        state = dict(self.__dict__)
        if "model_" in state:
            state["model_"] = None
            state["_weights"] = self.model_.get_weights()
        return state

    def __setstate__(self, state):
        weights = state.pop("_weights", None)
        self.__dict__.update(state)
        if weights is not None:
            self.model_ = self._rebuild()
            self.model_.set_weights(weights)
            self._name_model(state.get("_y_name"))


class _Named:
    """Stands for y in Sequential._record_columns: only its name (a Series' name) is read."""

    def __init__(self, name):
        self.name = name


class MLPClassifier(ClassifierMixin, _MLP):
    """A dropnet network with a softmax output (sigmoid for two classes is not used: softmax over
    two units gives the same decisions and probabilities for both classes)."""

    def fit(self, X, y):
        self._y_name = getattr(y, "name", None)
        X, y = self._validate_data(X, y, dtype=np.float32, order="C")
        check_classification_targets(y)
        self.classes_, ids = np.unique(y, return_inverse=True)
        outputs = max(2, len(self.classes_))
        model = self._network(X.shape[1], outputs, "softmax", "sparse_categorical_crossentropy")
        return self._train(model, X, ids.astype(np.int32), self._y_name)

    def _rebuild(self):
        return self._network(self.n_features_in_, max(2, len(self.classes_)), "softmax",
                             "sparse_categorical_crossentropy")

    def predict_proba(self, X):
        X = self._features(X)
        p = self.model_.predict(X)
        return p[:, :len(self.classes_)] if len(self.classes_) > 1 else p[:, :1] * 0 + 1

    def predict(self, X):
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class MLPRegressor(RegressorMixin, _MLP):
    """A dropnet network with a linear output trained with mean squared error."""

    def _more_tags(self):
        return {"multioutput": True}

    def fit(self, X, y):
        self._y_name = getattr(y, "name", None)
        X, y = self._validate_data(X, y, dtype=np.float32, order="C", multi_output=True,
                                   y_numeric=True)
        self._y_2d = y.ndim == 2
        y2 = y.reshape(len(y), -1).astype(np.float32)
        model = self._network(X.shape[1], y2.shape[1], "linear", "mse")
        return self._train(model, X, y2, self._y_name)

    def _rebuild(self):
        return self._network(self.n_features_in_, self.model_outputs_, "linear", "mse")

    def _train(self, model, X, y, y_name=None):
        self.model_outputs_ = y.shape[1]
        return super()._train(model, X, y, y_name)

    def predict(self, X):
        X = self._features(X)
        p = self.model_.predict(X).astype(np.float64)  # scikit-learn's regressors give float64
        return p if self._y_2d else p[:, 0]
