"""optimizers.py — Keras' SGD and Adam with Keras' defaults, as library optimizer configs."""
from . import _lib


class SGD:
    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False):
        self.learning_rate, self.momentum, self.nesterov = learning_rate, momentum, nesterov

    def _config(self):
        c = _lib.lib.dn_optimizer_defaults(_lib.OPTIMIZER_SGD)
        c.learning_rate, c.momentum, c.nesterov = self.learning_rate, self.momentum, int(self.nesterov)
        return c


class Adam:
    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        self.learning_rate, self.beta_1, self.beta_2, self.epsilon = (learning_rate, beta_1,
                                                                      beta_2, epsilon)

    def _config(self):
        c = _lib.lib.dn_optimizer_defaults(_lib.OPTIMIZER_ADAM)
        c.learning_rate, c.beta1, c.beta2, c.epsilon = (self.learning_rate, self.beta_1,
                                                        self.beta_2, self.epsilon)
        return c


def get(optimizer):
    """"adam" / "sgd" (Keras defaults) or an SGD/Adam instance."""
    if isinstance(optimizer, str):
        table = {"adam": Adam, "sgd": SGD}
        if optimizer.lower() not in table:
            raise ValueError(f"unknown optimizer {optimizer!r} (expected 'adam', 'sgd', "
                             "dropnet.optimizers.Adam(...) or dropnet.optimizers.SGD(...))")
        return table[optimizer.lower()]()
    if not isinstance(optimizer, (SGD, Adam)):
        raise TypeError(f"optimizer must be a name or an SGD/Adam instance, found {optimizer!r}")
    return optimizer
