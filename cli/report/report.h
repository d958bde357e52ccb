/* report.h — `--report FILE.html`: one self-contained page (inline SVG and CSS, nothing fetched)
 * showing a run: pipeline diagram, loss and accuracy curves, a dropout mask, prediction traces,
 * confusion matrix, weight histograms, and the settings that reproduce it.
 *
 * A command fills a cli_report from what it already has (the history, the model, the held-out
 * rows), lets cli_report_observe watch fit for the first batch's masks, and calls
 * cli_report_write (report_page.h), which writes the page atomically. The report never changes the run. */
#ifndef CLI_REPORT_H
#define CLI_REPORT_H

#include "common/regression.h"
#include "dropnet.h"

#include <stddef.h>
#include <stdint.h>

enum { CLI_REPORT_MAX_MASKS = 8, CLI_REPORT_MAX_SETTINGS = 40, CLI_REPORT_EXAMPLES = 3 };

/* One dropout layer's keep mask in the first training batch. */
typedef struct cli_report_mask {
    size_t layer;      /* index of the dropout layer in the model */
    float rate;        /* its configured rate */
    size_t rows, cols; /* the batch's rows × the layer's width */
    size_t dropped;
    uint8_t *keep;     /* [rows×cols], 1 kept, 0 dropped; owned */
} cli_report_mask;

typedef struct cli_report_setting {
    char key[48];
    char value[1024];
} cli_report_setting;

/* compare: accuracy on the training rows at inference and on the held-out rows, per epoch. */
typedef struct cli_report_gap {
    double train, held_out;
} cli_report_gap;

typedef struct cli_report {
    const char *command;        /* "demo", "train", "compare" */
    char command_line[2048];    /* as typed, quoted for a POSIX shell */
    char data_text[512];        /* the data and its split, one line */
    /* The trained model (compare: the run with dropout) and the rows whose predictions the report
     * traces and counts in the confusion matrix. The model is borrowed. */
    dn_model *model;
    const dn_dataset *examples;
    dn_dataset *owned_examples; /* freed by cli_report_free (a slice made for the report) */
    char examples_name[32];     /* "validation", "test" or "training" */
    size_t examples_first;      /* the number of examples' row 0 in the data it came from */
    /* Per-epoch metrics [epochs]; compare also gives the run without dropout and the gap. */
    size_t epochs;
    const dn_epoch_metrics *history;
    const dn_epoch_metrics *baseline;          /* NULL unless compare */
    const cli_report_gap *gap, *baseline_gap;   /* NULL unless compare */
    const char *held_out_name;                 /* compare: "validation" or "test" */
    /* A regression run (train): the target's scale (examples hold standardised targets) and
     * the validation rows' metrics per epoch [epochs] (NaN where none); NULL for a classifier. */
    const cli_target_scale *target;
    int targets_scaled;         /* 1: examples hold standardised targets (train's own sets) */
    const cli_regression_metrics *val_history;
    /* The training rows' metrics per epoch, where the log has them (dropnet report of a log with
     * "mae", "rmse", "r2"; train computes none: its training loss is on the standardised
     * target); NULL when none. */
    const cli_regression_metrics *train_reg_history;
    /* The first training batch's dropout masks (cli_report_capture). */
    cli_report_mask masks[CLI_REPORT_MAX_MASKS];
    size_t mask_count;
    int captured;
    const char *mask_note; /* when set, the mask section says this instead (no run was watched) */
    /* What reproduces the run, in order of insertion. */
    cli_report_setting settings[CLI_REPORT_MAX_SETTINGS];
    size_t setting_count;
    /* cli_report_observe: the model fit is training, and an observer to call after this one. */
    const dn_model *watched;
    dn_callback next;
    void *next_user;
} cli_report;

/* Empty report for `command`; argv [argc] are the words after the command name. */
void cli_report_init(cli_report *r, const char *command, int argc, char **argv);

/* Releases the masks and the owned example rows (not the model). */
void cli_report_free(cli_report *r);

/* Appends a reproduction setting (ignored beyond CLI_REPORT_MAX_SETTINGS). */
void cli_report_set(cli_report *r, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* At the first DN_EVENT_BATCH_END: copies every dropout layer's mask; later calls do nothing. */
void cli_report_capture(cli_report *r, const dn_model *model, const dn_event *event);

/* A dn_callback (user = the cli_report): captures from r->watched, then calls r->next. */
int cli_report_observe(const dn_event *event, void *user);

/* Refuses (prints, returns -1) a report path whose directory does not exist or is not writable,
 * before a long run; else 0. */
int cli_report_check_path(const char *path, const char *command);

#endif
