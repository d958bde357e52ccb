"""_progress.py — Keras' progress output for fit (tf.keras 2.11's Progbar, as `verbose` sets it):

- verbose=1 on a terminal: "Epoch 3/10" then a live bar, redrawn at most every 50 ms,
  `12/25 [=============>................] - ETA: 1s - loss: 0.4123 - accuracy: 0.8512`, ending as
  `25/25 [==============================] - 2s 61ms/step - loss: ... - val_accuracy: ...`;
- verbose=2, or verbose=1 when the stream is not a terminal (a log file, a notebook pipe, as the
  CLI does): one line per epoch, `25/25 - 2s - loss: ... - val_accuracy: ... - 1532ms/epoch -
  61ms/step`;
- verbose=0: nothing (fit adds no Progress).
Metrics are the running epoch means the library reports after each batch (Keras' too)."""
import sys
import time

from .callbacks import Callback

BAR_WIDTH = 30
REDRAW_SECONDS = 0.05


def _metrics(logs):
    return "".join(f" - {k}: {v:.4f}" for k, v in logs.items())


def _eta(seconds):
    """Keras' ETA: h:mm:ss above an hour, m:ss above a minute, else whole seconds."""
    s = int(seconds)
    if s > 3600:
        return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
    if s > 60:
        return f"{s // 60}:{s % 60:02d}"
    return f"{s}s"


def _per_step(seconds, steps):
    """Keras' time per step: s, ms or us, whichever reads best."""
    t = seconds / max(steps, 1)
    if t >= 1:
        return f"{t:.0f}s/step"
    if t >= 1e-3:
        return f"{t * 1e3:.0f}ms/step"
    return f"{t * 1e6:.0f}us/step"


def bar(done, steps):
    """`[=====>......]` for `done` of `steps` batches, BAR_WIDTH characters inside."""
    filled = int(BAR_WIDTH * done / steps) if steps else BAR_WIDTH
    if done >= steps:
        return "[" + "=" * BAR_WIDTH + "]"
    inner = "=" * max(filled - 1, 0) + ">" if filled > 0 else ""
    return "[" + inner + "." * (BAR_WIDTH - len(inner)) + "]"


class Progress(Callback):
    def __init__(self, verbose, epochs, steps, stream=None):
        super().__init__()
        self.stream = stream or sys.stdout
        self.live = verbose == 1 and getattr(self.stream, "isatty", lambda: False)()
        self.epochs, self.steps = epochs, steps
        self.width = 0  # the live line's length, to blank what a shorter line leaves

    def _write(self, text, end=""):
        self.stream.write(text + end)
        self.stream.flush()

    def _draw(self, line):
        pad = " " * max(self.width - len(line), 0)
        self.width = len(line)
        self._write("\r" + line + pad)

    def on_epoch_begin(self, epoch, logs=None):
        self.start, self.last_draw, self.width = time.monotonic(), 0.0, 0
        self._write(f"Epoch {epoch + 1}/{self.epochs}\n")

    def on_train_batch_end(self, batch, logs=None):
        now = time.monotonic()
        done = batch + 1
        if not self.live or done >= self.steps or now - self.last_draw < REDRAW_SECONDS:
            return
        self.last_draw = now
        eta = (now - self.start) / done * (self.steps - done)
        self._draw(f"{done}/{self.steps} {bar(done, self.steps)} - ETA: {_eta(eta)}"
                   f"{_metrics(logs or {})}")

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.monotonic() - self.start
        n = self.steps
        if self.live:
            self._draw(f"{n}/{n} {bar(n, n)} - {seconds:.0f}s {_per_step(seconds, n)}"
                       f"{_metrics(logs or {})}")
            self._write("\n")
        else:
            self._write(f"{n}/{n} - {seconds:.0f}s{_metrics(logs or {})} - "
                        f"{seconds * 1e3:.0f}ms/epoch - {_per_step(seconds, n)}\n")
