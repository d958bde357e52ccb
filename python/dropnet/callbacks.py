"""callbacks.py — Keras callbacks: the base class, History, EarlyStopping, ModelCheckpoint,
LearningRateScheduler and CSVLogger. Epoch numbers given to callbacks are 0-based, as in Keras."""
import csv
import math



class Callback:
    def __init__(self):
        self.model = None

    def set_model(self, model):
        self.model = model

    def on_train_begin(self, logs=None): pass
    def on_train_end(self, logs=None): pass
    def on_epoch_begin(self, epoch, logs=None): pass
    def on_epoch_end(self, epoch, logs=None): pass
    def on_train_batch_end(self, batch, logs=None): pass


class History(Callback):
    """model.fit's return value: .history maps each metric to its per-epoch list, .epoch the
    0-based epoch numbers, .params {"verbose", "epochs", "steps"} (batches per epoch), as Keras."""

    def __init__(self):
        super().__init__()
        self.history, self.epoch, self.params = {}, [], {}

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)


def _better(monitor, mode):
    if mode == "auto":
        mode = "max" if "acc" in monitor else "min"
    return (lambda a, b: a > b) if mode == "max" else (lambda a, b: a < b)


class EarlyStopping(Callback):
    """Stops after `patience` epochs without an improvement of more than min_delta in `monitor`;
    restore_best_weights (False, as Keras) puts back the best epoch's weights."""

    def __init__(self, monitor="val_loss", min_delta=0.0, patience=0, mode="auto",
                 restore_best_weights=False):
        super().__init__()
        self.monitor, self.min_delta, self.patience = monitor, abs(min_delta), patience
        self.mode, self.restore_best_weights = mode, restore_best_weights
        self.stopped_epoch = 0

    def on_train_begin(self, logs=None):
        self.wait, self.best, self.best_weights, self.stopped_epoch = 0, None, None, 0
        better = _better(self.monitor, self.mode)
        sign = 1 if better(1, 0) else -1
        self._improved = lambda v, best: best is None or better(v - sign * self.min_delta, best)

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is None or math.isnan(value):
            raise ValueError(f"EarlyStopping monitors {self.monitor!r}, which this fit does not "
                             f"report (it has {', '.join(sorted(logs or {}))})")
        if self._improved(value, self.best):
            self.best, self.wait = value, 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                self.model.set_weights(self.best_weights)


class ModelCheckpoint(Callback):
    """Saves the model (a safetensors file, as model.save) after each epoch; `filepath` may use
    {epoch} (1-based, as Keras) and log names, e.g. "m-{epoch:02d}-{val_loss:.2f}.safetensors"."""

    def __init__(self, filepath, monitor="val_loss", save_best_only=False, mode="auto"):
        super().__init__()
        self.filepath, self.monitor, self.save_best_only = str(filepath), monitor, save_best_only
        self._better, self.best = _better(monitor, mode), None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.save_best_only:
            value = logs.get(self.monitor)
            if value is None or (self.best is not None and not self._better(value, self.best)):
                return
            self.best = value
        self.model.save(self.filepath.format(epoch=epoch + 1, **logs))


class LearningRateScheduler(Callback):
    """schedule(epoch, lr) -> new lr, called before each epoch (epoch 0-based, as Keras)."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        lr = float(self.schedule(epoch, self.model.learning_rate))
        self.model.learning_rate = lr
        if self.verbose:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")


class CSVLogger(Callback):
    """One CSV row per epoch: epoch (0-based) then the logs in sorted order, as Keras writes."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename, self.separator, self.append = str(filename), separator, append
        self._file = self._writer = None

    def on_train_begin(self, logs=None):
        self._file = open(self.filename, "a" if self.append else "w", newline="")
        self._writer = None

    def on_epoch_end(self, epoch, logs=None):
        keys = sorted(logs or {})
        if self._writer is None:
            self._writer = csv.writer(self._file, delimiter=self.separator)
            if not self.append or self._file.tell() == 0:
                self._writer.writerow(["epoch"] + keys)
        self._writer.writerow([epoch] + [logs[k] for k in keys])
        self._file.flush()

    def on_train_end(self, logs=None):
        if self._file:
            self._file.close()
            self._file = None


class LambdaCallback(Callback):
    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_batch_end=None):
        super().__init__()
        if on_epoch_begin: self.on_epoch_begin = on_epoch_begin
        if on_epoch_end: self.on_epoch_end = on_epoch_end
        if on_train_batch_end: self.on_train_batch_end = on_train_batch_end


__all__ = ["Callback", "History", "EarlyStopping", "ModelCheckpoint", "LearningRateScheduler",
           "CSVLogger", "LambdaCallback"]
