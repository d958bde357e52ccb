"""_progress.py — Keras-style progress: a live bar on a terminal with verbose=1, else one line per
epoch (verbose 2, or verbose 1 when stdout is not a terminal, as the CLI does)."""
import sys
import time

from .callbacks import Callback


def _metrics(logs):
    return " - ".join(f"{k}: {v:.4f}" for k, v in logs.items())


class Progress(Callback):
    def __init__(self, verbose, epochs, stream=None):
        super().__init__()
        self.stream = stream or sys.stdout
        self.live = verbose == 1 and getattr(self.stream, "isatty", lambda: False)()
        self.epochs = epochs

    def on_epoch_begin(self, epoch, logs=None):
        self.start, self.last_draw = time.monotonic(), 0.0
        self.stream.write(f"Epoch {epoch + 1}/{self.epochs}\n")

    def on_train_batch_end(self, batch, logs=None):
        now = time.monotonic()
        if not self.live or now - self.last_draw < 0.1:
            return
        self.last_draw = now
        self.stream.write(f"\r{batch + 1} [{'=' * min(30, batch // 4 + 1):<30}] - {_metrics(logs)}")
        self.stream.flush()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.monotonic() - self.start
        self.stream.write(("\r" if self.live else "") + f"{seconds:.0f}s - {_metrics(logs)}\n")
        self.stream.flush()
