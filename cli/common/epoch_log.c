/* epoch_log.c — JSON lines for --log. */
#include "common/epoch_log.h"

#include <math.h>

static void number(FILE *out, const char *key, double v) {
    if (isfinite(v)) fprintf(out, ",\"%s\":%.9g", key, v);
    else fprintf(out, ",\"%s\":null", key);
}

void cli_epoch_log_write(FILE *out, const dn_epoch_metrics *m) {
    fprintf(out, "{\"epoch\":%zu", m->epoch);
    number(out, "loss", m->loss);
    number(out, "accuracy", m->accuracy);
    number(out, "val_loss", m->val_loss);
    number(out, "val_accuracy", m->val_accuracy);
    number(out, "seconds", m->seconds);
    fputs("}\n", out);
    fflush(out);
}
