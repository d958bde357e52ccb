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

/* One line into m: 0, or 1 for a line about no epoch (train's final {"test_loss":…} line),
 * or -1 with the reason in `why` when it is not an epoch of this log. */
static int parse_line(const char *line, size_t expected_epoch, dn_epoch_metrics *m,
                      const char **why) {
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
    cJSON_Delete(o);
    if (bad) return -1;
    m->epoch = expected_epoch;
    m->has_validation = !isnan(m->val_loss);
    if (isnan(m->seconds)) m->seconds = 0.0;
    return 0;
}

int cli_report_read_log(const char *path, dn_epoch_metrics **history, size_t *epochs) {
    *history = NULL;
    *epochs = 0;
    FILE *in = fopen(path, "r");
    if (in == NULL) return cli_error(-1, "cannot read log file %s: %s", path, strerror(errno));
    char line[LOG_LINE_MAX];
    size_t count = 0, capacity = 0, line_no = 0;
    dn_epoch_metrics *h = NULL;
    int code = 0;
    while (code == 0 && fgets(line, sizeof line, in) != NULL) {
        ++line_no;
        if (strspn(line, " \t\r\n") == strlen(line)) continue; /* blank lines, a final newline */
        if (count == capacity) {
            capacity = capacity ? 2 * capacity : 64;
            dn_epoch_metrics *grown = realloc(h, capacity * sizeof *grown);
            if (grown == NULL) {
                code = cli_error(-1, "out of memory reading %s", path);
                break;
            }
            h = grown;
        }
        const char *why = NULL;
        memset(&h[count], 0, sizeof h[count]);
        int parsed = parse_line(line, count + 1, &h[count], &why);
        if (parsed < 0)
            code = cli_error(-1, "%s:%zu: %s (expected the JSON lines of `dropnet train --log`)",
                             path, line_no, why);
        else if (parsed == 0)
            ++count;
    }
    if (code == 0 && ferror(in)) code = cli_error(-1, "cannot read log file %s", path);
    if (code == 0 && count == 0)
        code = cli_error(-1, "%s holds no epoch: a report needs at least one trained epoch", path);
    fclose(in);
    if (code != 0) {
        free(h);
        return -1;
    }
    *history = h;
    *epochs = count;
    return 0;
}
