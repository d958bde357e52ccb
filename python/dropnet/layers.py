"""layers.py — the Keras layer names dropnet implements; each is a description the Sequential model
turns into library calls (models.Sequential._build)."""
from . import _lib


class Layer:
    kind = None

    def __init__(self, input_shape=None, name=None):
        self.input_shape = tuple(input_shape) if input_shape is not None else None
        self.name = name

    def __repr__(self):
        return f"{type(self).__name__}({self._args()})"

    def _args(self):
        return ""


class Input(Layer):
    """Input(shape=(features,)): fixes the number of features; not a layer of the network."""

    def __init__(self, shape, name=None):
        shape = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
        if len(shape) != 1 or int(shape[0]) <= 0:
            raise ValueError(f"Input shape must be (features,) with features > 0, found {shape}")
        super().__init__(input_shape=shape, name=name)

    def _args(self):
        return f"shape={self.input_shape}"


class Dense(Layer):
    """Dense(units, activation=None, kernel_initializer="glorot_uniform", dropconnect=0.0)."""
    kind = "Dense"

    def __init__(self, units, activation=None, kernel_initializer="glorot_uniform", dropconnect=0.0,
                 input_shape=None, name=None):
        super().__init__(input_shape, name)
        if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
            raise ValueError(f"Dense units must be a positive integer, found {units!r}")
        activation = "linear" if activation is None else activation
        if activation not in _lib.ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r} (expected one of "
                             f"{', '.join(_lib.ACTIVATIONS)})")
        if kernel_initializer not in _lib.INITIALIZERS:
            raise ValueError(f"unknown kernel_initializer {kernel_initializer!r} (expected one of "
                             f"{', '.join(_lib.INITIALIZERS[1:])})")
        self.units, self.activation = units, activation
        self.kernel_initializer, self.dropconnect = kernel_initializer, float(dropconnect)

    def _args(self):
        return f"{self.units}, activation={self.activation!r}"


class _Rate(Layer):
    def __init__(self, rate, input_shape=None, name=None, seed=None):
        super().__init__(input_shape, name)
        self.rate = float(rate)  # range checked by the library, with its message

    def _args(self):
        return repr(self.rate)


class Dropout(_Rate):
    """Inverted dropout (Keras Dropout); identity at inference."""
    kind = "Dropout"


class AlphaDropout(_Rate):
    kind = "AlphaDropout"


class GaussianDropout(_Rate):
    kind = "GaussianDropout"


class GaussianNoise(Layer):
    kind = "GaussianNoise"

    def __init__(self, stddev, input_shape=None, name=None, seed=None):
        super().__init__(input_shape, name)
        self.stddev = float(stddev)

    def _args(self):
        return repr(self.stddev)
