/* report_log.c — an epoch log back into dn_epoch_metrics (report_log.h). */
#include "report/report_log.h"

#include "common/cli_error.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { LOG_LINE_MAX = 4096 };

/* A number of the object, NaN when it is null or absent; -1 when it is something else. */
static int number(const cJSON *o, const char *key, double *out) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = NAN;
    if (item == NULL || cJSON_IsNull(item)) return 0;
    if (!cJSON_IsNumber(item)) return -1;
    *out = item->valuedouble;
    return 0;
}

/* The three regression metrics `prefix`mae, `prefix`rmse, `prefix`r2 of the object: 0, or -1
 * when one is something other than a number or null. *seen becomes 1 when any is a number. */
static int regression_numbers(const cJSON *o, const char *prefix, cli_regression_metrics *m,
                              int *seen) {
    static const char *const names[3] = {"mae", "rmse", "r2"};
    double *fields[3] = {&m->mae, &m->rmse, &m->r2};
    for (size_t k = 0; k < 3; ++k) {
        char key[16];
        snprintf(key, sizeof key, "%s%s", prefix, names[k]);
        if (number(o, key, fields[k]) != 0) return -1;
        *seen |= !isnan(*fields[k]);
    }
    return 0;
}

/* One parsed epoch line. */
typedef struct log_epoch {
    dn_epoch_metrics m;
    cli_regression_metrics train, val;
} log_epoch;

/* One line into e: 0, or 1 for a line about no epoch (train's final {"test_loss":…} line),
 * or -1 with the reason in `why` when it is not an epoch of this log. seen[0] and seen[1] become
 * 1 when the line holds a training or a validation regression metric. */
static int parse_line(const char *line, size_t expected_epoch, log_epoch *e, int seen[2],
                      const char **why) {
    dn_epoch_metrics *m = &e->m;
    cJSON *o = cJSON_Parse(line);
    double epoch = NAN;
    int bad = o == NULL || !cJSON_IsObject(o);
    *why = "not a JSON object";
    if (!bad && cJSON_GetObjectItemCaseSensitive(o, "epoch") == NULL) {
        cJSON_Delete(o);
        return 1;
    }
    if (!bad && (number(o, "epoch", &epoch) != 0 || epoch != (double)expected_epoch)) {
        bad = 1;
        *why = "\"epoch\" does not count 1, 2, ... (one line per epoch, in order)";
    }
    if (!bad && (number(o, "loss", &m->loss) != 0 || number(o, "accuracy", &m->accuracy) != 0 ||
                 number(o, "val_loss", &m->val_loss) != 0 ||
                 number(o, "val_accuracy", &m->val_accuracy) != 0 ||
                 number(o, "seconds", &m->seconds) != 0 || isnan(m->loss))) {
        bad = 1;
        *why = "\"loss\" must be a number; accuracy, val_loss, val_accuracy and seconds numbers "
               "or null";
    }
    if (!bad && (regression_numbers(o, "", &e->train, &seen[0]) != 0 ||
                 regression_numbers(o, "val_", &e->val, &seen[1]) != 0)) {
        bad = 1;
        *why = "mae, rmse, r2, val_mae, val_rmse and val_r2 must be numbers or null";
    }
    cJSON_Delete(o);
    if (bad) return -1;
    m->epoch = expected_epoch;
    m->has_validation = !isnan(m->val_loss);
    if (isnan(m->seconds)) m->seconds = 0.0;
    return 0;
}

/* Every line of `in` into *lines [*count] (allocated); prints and returns -1 on error. */
static int read_lines(FILE *in, const char *path, log_epoch **lines, size_t *count, int seen[2]) {
    char line[LOG_LINE_MAX];
    size_t capacity = 0, line_no = 0;
    while (fgets(line, sizeof line, in) != NULL) {
        ++line_no;
        if (strspn(line, " \t\r\n") == strlen(line)) continue; /* blank lines, a final newline */
        if (*count == capacity) {
            capacity = capacity ? 2 * capacity : 64;
            log_epoch *grown = realloc(*lines, capacity * sizeof *grown);
            if (grown == NULL) return cli_error(-1, "out of memory reading %s", path);
            *lines = grown;
        }
        const char *why = NULL;
        memset(&(*lines)[*count], 0, sizeof **lines);
        int parsed = parse_line(line, *count + 1, &(*lines)[*count], seen, &why);
        if (parsed < 0)
            return cli_error(-1, "%s:%zu: %s (expected the JSON lines of `dropnet train --log`)",
                             path, line_no, why);
        if (parsed == 0) ++*count;
    }
    if (ferror(in)) return cli_error(-1, "cannot read log file %s", path);
    if (*count == 0)
        return cli_error(-1, "%s holds no epoch: a report needs at least one trained epoch", path);
    return 0;
}

/* The parsed lines into the log's arrays (a regression array only where `seen`). */
static int split_lines(const log_epoch *lines, size_t n, const int seen[2], cli_report_log *log) {
    log->history = malloc(n * sizeof *log->history);
    log->train = seen[0] ? malloc(n * sizeof *log->train) : NULL;
    log->val = seen[1] ? malloc(n * sizeof *log->val) : NULL;
    if (log->history == NULL || (seen[0] && log->train == NULL) || (seen[1] && log->val == NULL))
        return -1;
    for (size_t i = 0; i < n; ++i) {
        log->history[i] = lines[i].m;
        if (log->train) log->train[i] = lines[i].train;
        if (log->val) log->val[i] = lines[i].val;
    }
    log->epochs = n;
    return 0;
}

int cli_report_read_log(const char *path, cli_report_log *log) {
    *log = (cli_report_log){0};
    FILE *in = fopen(path, "r");
    if (in == NULL) return cli_error(-1, "cannot read log file %s: %s", path, strerror(errno));
    log_epoch *lines = NULL;
    size_t count = 0;
    int seen[2] = {0, 0};
    int code = read_lines(in, path, &lines, &count, seen);
    fclose(in);
    if (code == 0 && split_lines(lines, count, seen, log) != 0)
        code = cli_error(-1, "out of memory reading %s", path);
    free(lines);
    if (code != 0) cli_report_log_free(log);
    return code;
}

void cli_report_log_free(cli_report_log *log) {
    free(log->history);
    free(log->train);
    free(log->val);
    *log = (cli_report_log){0};
}
