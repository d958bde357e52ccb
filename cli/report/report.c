/* report.c — what the HTML report collects during and after a run. */
#include "report/report.h"

#include "common/cli_error.h"

#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Appends `word` to buf, single-quoted when a shell would otherwise split or expand it. */
static void append_word(char *buf, size_t size, const char *word) {
    size_t used = strlen(buf);
    int plain = word[0] != '\0' && strspn(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                                "0123456789_./:=+,-@%") == strlen(word);
    if (used + 1 < size) buf[used++] = ' ';
    if (!plain && used + 1 < size) buf[used++] = '\'';
    for (const char *c = word; *c && used + 5 < size; ++c) {
        if (*c == '\'' && !plain) {
            memcpy(buf + used, "'\\''", 4); /* close, escaped quote, reopen */
            used += 4;
        } else {
            buf[used++] = *c;
        }
    }
    if (!plain && used + 1 < size) buf[used++] = '\'';
    buf[used < size ? used : size - 1] = '\0';
}

void cli_report_init(cli_report *r, const char *command, int argc, char **argv) {
    memset(r, 0, sizeof *r);
    r->command = command;
    snprintf(r->command_line, sizeof r->command_line, "dropnet %s", command);
    for (int i = 0; i < argc; ++i) append_word(r->command_line, sizeof r->command_line, argv[i]);
    snprintf(r->examples_name, sizeof r->examples_name, "validation");
}

void cli_report_free(cli_report *r) {
    for (size_t i = 0; i < r->mask_count; ++i) free(r->masks[i].keep);
    r->mask_count = 0;
    dn_dataset_free(r->owned_examples);
    r->owned_examples = NULL;
}

void cli_report_set(cli_report *r, const char *key, const char *fmt, ...) {
    if (r->setting_count >= CLI_REPORT_MAX_SETTINGS) return;
    cli_report_setting *s = &r->settings[r->setting_count++];
    snprintf(s->key, sizeof s->key, "%s", key);
    va_list args;
    va_start(args, fmt);
    vsnprintf(s->value, sizeof s->value, fmt, args);
    va_end(args);
}

/* Copies dropout layer `layer`'s mask of the batch just trained; 0 when it cannot. */
static int capture_mask(cli_report_mask *m, const dn_model *model, size_t layer, size_t rows) {
    dn_layer_info info;
    if (dn_model_layer_info(model, layer, &info, NULL) != DN_OK) return 0;
    m->keep = malloc(rows * info.outputs);
    if (m->keep == NULL) return 0;
    if (dn_model_dropout_mask(model, layer, m->keep, &m->dropped, NULL) != DN_OK) {
        free(m->keep);
        m->keep = NULL;
        return 0;
    }
    m->layer = layer;
    m->rate = info.rate;
    m->rows = rows;
    m->cols = info.outputs;
    return 1;
}

void cli_report_capture(cli_report *r, const dn_model *model, const dn_event *ev) {
    if (r->captured || ev->kind != DN_EVENT_BATCH_END || model == NULL) return;
    r->captured = 1;
    for (size_t i = 0; i < dn_model_layer_count(model) && r->mask_count < CLI_REPORT_MAX_MASKS; ++i) {
        dn_layer_info info;
        if (dn_model_layer_info(model, i, &info, NULL) != DN_OK || info.kind != DN_LAYER_DROPOUT)
            continue;
        r->mask_count += (size_t)capture_mask(&r->masks[r->mask_count], model, i, ev->batch_rows);
    }
}

int cli_report_observe(const dn_event *ev, void *user) {
    cli_report *r = user;
    cli_report_capture(r, r->watched, ev);
    return r->next != NULL ? r->next(ev, r->next_user) : 0;
}

int cli_report_check_path(const char *path, const char *command) {
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", path);
    if (access(dirname(copy), W_OK) != 0)
        return cli_error(-1, "%s: cannot write --report %s: its directory does not exist or is "
                            "not writable", command, path);
    return 0;
}
