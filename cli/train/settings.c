/* settings.c — the options `train` and `compare` share, their checks, and the settings that
 * produce a model's weights (recorded in its metadata, compared on resume). */
#include "train/settings.h"

#include "common/cli_error.h"
#include "common/precision.h"
#include "common/metadata_json.h"
#include "common/table_options.h"
#include "parallel/parallel.h"
#include "train/controls.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cli_train_settings_defaults(cli_train_settings *s) {
    *s = (cli_train_settings){0};
    s->optimizer = "adam";
    s->loss = "auto";
    s->task = "auto";
    s->epochs = 1;
    s->batch = 32;
    s->seed = 42;
    s->learning_rate = -1.0f; /* the optimizer's own default */
    s->lr_decay = 1.0f;
    s->monitor = "val_loss";
    s->patience = SIZE_MAX;
    s->threads = SIZE_MAX;    /* not given: DROPNET_THREADS decides (see cli_train_check) */
    s->checkpoint_every = 1;
    s->checkpoint_keep = 3;
}

/* Options only `train` has: compare saves no model and writes no checkpoints. */
static int train_only(const char *name) {
    static const char *const names[] = {"out", "checkpoint", "checkpoint-every", "checkpoint-keep",
                                        "resume", "allow-data-change", "json", "store"};
    for (size_t i = 0; i < CLI_COUNT(names); ++i)
        if (strcmp(name, names[i]) == 0) return 1;
    return 0;
}

size_t cli_train_option_table(cli_train_settings *s, cli_option *t, int with_out) {
    const cli_option all[] = {
        {"train", CLI_OPT_STRING, &s->train, "DATA", "training data (see docs/DATA.md)"},
        {"test", CLI_OPT_STRING, &s->test, "DATA", "test data, evaluated after training"},
        {"model", CLI_OPT_STRING, &s->model, "SPEC", "layers, e.g. \"dropout:0.2,dense:10:relu,dense:3:softmax\"; without an output layer the data's head is added"},
        {"out", CLI_OPT_STRING, &s->out, "FILE", "where to save the trained model (safetensors)"},
        {"epochs", CLI_OPT_SIZE, &s->epochs, "N", with_out ? "training epochs (1; 0 saves the initial model)"
                                                         : "training epochs of each run, > 0 (1)"},
        {"batch", CLI_OPT_SIZE, &s->batch, "N", "batch size (32)"},
        {"optimizer", CLI_OPT_STRING, &s->optimizer, "NAME", "sgd or adam (adam)"},
        {"lr", CLI_OPT_FLOAT, &s->learning_rate, "X", "learning rate (sgd 0.01, adam 0.001)"},
        {"lr-decay", CLI_OPT_FLOAT, &s->lr_decay, "F", "multiply the learning rate by F in (0, 1] after every epoch (1)"},
        {"lr-schedule", CLI_OPT_STRING, &s->lr_schedule, "SPEC", "exp:F, step:N:F, cosine or cosine:M (per epoch; constant)"},
        {"momentum-ramp", CLI_OPT_STRING, &s->momentum_ramp, "A:B:N", "SGD momentum from A to B over the first N epochs"},
        {"early-stopping", CLI_OPT_SIZE, &s->patience, "N", "stop after N epochs without improvement; keep the best weights"},
        {"monitor", CLI_OPT_STRING, &s->monitor, "NAME", "val_loss or val_accuracy, for --early-stopping (val_loss)"},
        {"momentum", CLI_OPT_FLOAT, &s->momentum, "X", "SGD momentum in [0, 1) (0)"},
        {"nesterov", CLI_OPT_FLAG, &s->nesterov, NULL, "Nesterov momentum (SGD)"},
        {"loss", CLI_OPT_STRING, &s->loss, "NAME", "auto, categorical, binary, mse or mae (auto: mse for regression, else from the output activation)"},
        {"task", CLI_OPT_STRING, &s->task, "NAME", "classification, regression or auto (auto: regression when the label column is continuous; docs/DATA.md)"},
        {"json", CLI_OPT_STRING, &s->json, "FILE", "write the final train/validation/test metrics and the settings as JSON to FILE (- = standard output)"},
        {"seed", CLI_OPT_U64, &s->seed, "N", "seed for init, shuffling and dropout masks (42)"},
        {"val-split", CLI_OPT_DOUBLE, &s->val_split, "F", "fraction in [0, 1) held out for validation: the file's last rows (Keras), 1000 x 0.2 = 200 (0)"},
        {"val-shuffle", CLI_OPT_FLAG, &s->val_shuffle, NULL, "hold out a seeded random choice of rows (--val-split, --test-split)"},
        {"stratify", CLI_OPT_FLAG, &s->stratify, NULL, "hold out rows class by class, keeping each class's share (seeded)"},
        {"test-split", CLI_OPT_DOUBLE, &s->test_split, "F", "fraction in [0, 1) of --train held out as the test set (0)"},
        {"val-data", CLI_OPT_STRING, &s->val_data, "DATA", "validate on DATA after every epoch (Keras validation_data)"},
        {"no-shuffle", CLI_OPT_FLAG, &s->no_shuffle, NULL, "keep the row order every epoch"},
        {"init", CLI_OPT_STRING, &s->init, "FILE", "start from a saved model's weights"},
        {"log", CLI_OPT_STRING, &s->log, "FILE", "write one JSON object per epoch to FILE"},
        {"label", CLI_OPT_STRING, &s->label, "COL", "CSV label column, name or 0-based index (last)"},
        {"delimiter", CLI_OPT_STRING, &s->delimiter, "C", "CSV cell delimiter: , ; | tab or auto (auto: from lines 1-2)"},
        {"header", CLI_OPT_STRING, &s->header, "WHEN", "CSV line 1 is a header: yes, no or auto (auto; docs/DATA.md)"},
        {"features", CLI_OPT_STRING, &s->features, "COLS", "CSV feature columns: names, 0-based indexes, ranges N-M (all but the label)"},
        {"ignore", CLI_OPT_STRING, &s->ignore, "COLS", "CSV columns left out (names, indexes, ranges N-M)"},
        {"impute", CLI_OPT_STRING, &s->impute, "HOW", "fill missing CSV cells (empty, NA, NaN, ?, ...) with the training rows' mean, median or most_frequent (none: an error)"},
        {"standardize", CLI_OPT_FLAG, &s->standardize, NULL, "scale features by the training rows' mean and std"},
        {"max-rows", CLI_OPT_SIZE, &s->max_rows, "N", "use only the first N rows of each data set"},
        {"report", CLI_OPT_STRING, &s->report, "FILE", "write an HTML report of the run (docs/REPORT.md)"},
        {"trace", CLI_OPT_FLAG, &s->trace, NULL, "print the loss chart and the epoch table after training"},
        {"max-norm", CLI_OPT_FLOAT, &s->max_norm, "C", "after each update rescale every unit's incoming weights to norm <= C (0 = off)"},
        {"l2", CLI_OPT_FLOAT, &s->l2, "X", "L2 weight decay: the loss gains X * sum of squared kernel weights (0)"},
        {"precision", CLI_OPT_STRING, &s->precision_text, "P", CLI_PRECISION_HELP},
        {"store", CLI_OPT_STRING, &s->store_text, "P", CLI_STORE_HELP "; checkpoints stay fp32 (fp32)"},
        {"threads", CLI_OPT_SIZE, &s->threads, "N", "threads (0 = all cores; default $DROPNET_THREADS or 0); results do not depend on it"},
        {"max-memory", CLI_OPT_STRING, &s->max_memory, "SIZE", "refuse data and models that need more than SIZE (e.g. 512M, 2G; K/M/G/T = 1024^n), per MPI rank; an uncompressed IDX file over it stays on disk, read as batches need it"},
        {"checkpoint", CLI_OPT_STRING, &s->checkpoint, "DIR", "write crash-safe checkpoints to DIR (created; must hold none yet)"},
        {"checkpoint-every", CLI_OPT_SIZE, &s->checkpoint_every, "N", "epochs between checkpoints (1); the last epoch always gets one"},
        {"checkpoint-keep", CLI_OPT_SIZE, &s->checkpoint_keep, "N", "newest checkpoints kept (3)"},
        {"resume", CLI_OPT_STRING, &s->resume, "DIR", "continue from DIR's newest valid checkpoint (same settings; --epochs may grow); checkpoints go on into DIR"},
        {"allow-data-change", CLI_OPT_FLAG, &s->allow_data_change, NULL, "--resume even though the data differs from the checkpoint's (rows, features, classes or content)"},
        {"reproducible", CLI_OPT_FLAG, &s->reproducible, NULL, "sum gradients over fixed row blocks exactly: the weights of any number of MPI ranks (always on under MPI; docs/SCALING.md)"},
        {"block-rows", CLI_OPT_SIZE, &s->block_rows, "N", "rows per gradient block of --reproducible, a multiple of 4 (16); at most one rank per block"},
    };
    _Static_assert(CLI_COUNT(all) == CLI_TRAIN_OPTION_COUNT,
                   "CLI_TRAIN_OPTION_COUNT is the size of this table");
    size_t n = 0;
    for (size_t i = 0; i < CLI_COUNT(all); ++i)
        if (with_out || !train_only(all[i].name)) t[n++] = all[i];
    return n;
}

/* "512M", "2G", "1.5G", "4096" (bytes), an optional "B" or "iB" after the unit; > 0. */
static int parse_size(const char *text, size_t *out) {
    char *end;
    double v = strtod(text, &end);
    if (end == text || !(v > 0.0)) return 0;
    static const char units[] = "KMGT";
    const char *unit = *end ? strchr(units, *end) : NULL;
    if (unit != NULL && *end != '\0') {
        for (const char *u = units; u <= unit; ++u) v *= 1024.0;
        end++;
        if (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0) end += strlen(end);
    }
    if (*end != '\0' || v >= 18446744073709549568.0 || v < 1.0) return 0;
    *out = (size_t)v;
    return 1;
}

/* The reproducible mode's settings, and an MPI job's size against the blocks of a batch. */
static int check_parallel(cli_train_settings *s, const char *cmd) {
    if (cli_parallel_built_with_mpi()) s->reproducible = 1; /* any N, and resume on another N */
    if (s->block_rows != 0 && !s->reproducible)
        return cli_error(-1, "%s: --block-rows needs --reproducible", cmd);
    size_t rows = s->block_rows ? s->block_rows : DN_BLOCK_ROWS_DEFAULT;
    if (rows % 4 != 0)
        return cli_error(-1, "%s: --block-rows must be a multiple of 4, got %zu", cmd, rows);
    size_t ranks = cli_parallel_size(), blocks = (s->batch + rows - 1) / rows;
    if (ranks > blocks)
        return cli_error(-1, "%s: %zu MPI ranks but a batch of %zu rows has only %zu blocks of "
                            "%zu rows to share: run at most %zu ranks, or raise --batch or lower "
                            "--block-rows", cmd, ranks, s->batch, blocks, rows, blocks);
    return 0;
}

int cli_train_check(cli_train_settings *s, const char *cmd, int needs_out) {
    dn_dataset_options table = {0};
    if (cli_table_options(cmd, s->delimiter, s->header, &table) != 0) return -1;
    char message[256];
    if (s->threads == SIZE_MAX && cli_env_threads(&s->threads, message, sizeof message) != 0)
        return cli_error(-1, "%s: %s", cmd, message);
    /* Each thread keeps its own workspace (about 1 MiB): 4096 threads took 4.2 GB for a model of
     * 59 parameters. Results do not depend on the count, so nothing is lost by a cap. */
    if (s->threads > CLI_MAX_THREADS)
        return cli_error(-1, "%s: --threads must be at most %d (each thread keeps its own "
                            "workspace; results do not depend on the count)", cmd, CLI_MAX_THREADS);
    /* The history of every epoch is kept in memory (and in checkpoints): 10^12 epochs asked
     * for a 56 TB allocation. */
    if (s->epochs > CLI_MAX_EPOCHS)
        return cli_error(-1, "%s: --epochs must be at most %d", cmd, CLI_MAX_EPOCHS);
    if (s->train == NULL) return cli_error(-1, "%s: --train DATA is required", cmd);
    if (cli_precision_parse(cmd, s->precision_text, &s->precision) != 0) return -1;
    if (cli_precision_parse_option(cmd, "--store", s->store_text, &s->store) != 0) return -1;
    if (s->model == NULL && s->init == NULL)
        return cli_error(-1, "%s: --model SPEC (or --init FILE) is required", cmd);
    if (needs_out && s->out == NULL) return cli_error(-1, "%s: --out FILE is required", cmd);
    if (s->batch == 0) return cli_error(-1, "%s: --batch must be > 0", cmd);
    if (strcmp(s->optimizer, "sgd") != 0 && strcmp(s->optimizer, "adam") != 0)
        return cli_error(-1, "%s: --optimizer must be sgd or adam, got '%s'", cmd, s->optimizer);
    const char *losses[] = {"auto", "categorical", "binary", "mse", "mae"};
    int known = 0;
    for (size_t i = 0; i < 5; ++i) known |= strcmp(s->loss, losses[i]) == 0;
    if (!known)
        return cli_error(-1, "%s: --loss must be auto, categorical, binary, mse or mae, got '%s'",
                         cmd, s->loss);
    if (strcmp(s->task, "auto") != 0 && strcmp(s->task, "classification") != 0 &&
        strcmp(s->task, "regression") != 0)
        return cli_error(-1, "%s: --task must be auto, classification or regression, got '%s'",
                         cmd, s->task);
    if (strcmp(s->task, "regression") == 0 && s->stratify)
        return cli_error(-1, "%s: --stratify keeps class proportions, and a regression target "
                             "has no classes: use --val-shuffle for a random split", cmd);
    if (s->impute != NULL && cli_impute_parse(s->impute) < 0)
        return cli_error(-1, "%s: --impute must be none, mean, median or most_frequent, got '%s'",
                         cmd, s->impute);
    if (!(s->test_split >= 0.0 && s->test_split < 1.0))
        return cli_error(-1, "%s: --test-split must be in [0, 1), got %g", cmd, s->test_split);
    if (s->test_split > 0.0 && s->test != NULL)
        return cli_error(-1, "%s: --test-split and --test both name a test set: give one", cmd);
    if ((s->val_shuffle || s->stratify) && s->val_split == 0.0 && s->test_split == 0.0)
        return cli_error(-1, "%s: --val-shuffle and --stratify choose the rows of --val-split or "
                             "--test-split: give one of them", cmd);
    if (s->val_data != NULL && s->val_split != 0.0)
        return cli_error(-1, "%s: give --val-split or --val-data, not both", cmd);
    if (!(s->val_split >= 0.0 && s->val_split < 1.0))
        return cli_error(-1, "%s: --val-split must be in [0, 1), got %g", cmd, s->val_split);
    if (s->learning_rate != -1.0f && !(s->learning_rate > 0.0f))
        return cli_error(-1, "%s: --lr must be > 0, got %g", cmd, (double)s->learning_rate);
    if (!(s->lr_decay > 0.0f && s->lr_decay <= 1.0f))
        return cli_error(-1, "%s: --lr-decay must be in (0, 1], got %g", cmd, (double)s->lr_decay);
    if (s->lr_schedule != NULL && s->lr_decay != 1.0f)
        return cli_error(-1, "%s: give --lr-schedule or --lr-decay, not both", cmd);
    cli_schedule_spec spec;
    cli_momentum_ramp ramp;
    if (s->lr_schedule != NULL && cli_schedule_parse(s->lr_schedule, &spec, message, sizeof message) != 0)
        return cli_error(-1, "%s: %s", cmd, message);
    if (s->momentum_ramp != NULL &&
        (strcmp(s->optimizer, "sgd") != 0 ||
         cli_momentum_ramp_parse(s->momentum_ramp, &ramp, message, sizeof message) != 0))
        return cli_error(-1, "%s: %s", cmd, strcmp(s->optimizer, "sgd") != 0
                            ? "--momentum-ramp needs --optimizer sgd" : message);
    if (strcmp(s->monitor, "val_loss") != 0 && strcmp(s->monitor, "val_accuracy") != 0)
        return cli_error(-1, "%s: --monitor must be val_loss or val_accuracy, got '%s'", cmd, s->monitor);
    if (s->patience != SIZE_MAX && s->val_split == 0.0 && s->val_data == NULL)
        return cli_error(-1, "%s: --early-stopping needs validation: --val-split F or --val-data DATA", cmd);
    if (!(s->momentum >= 0.0f && s->momentum < 1.0f))
        return cli_error(-1, "%s: --momentum must be in [0, 1), got %g", cmd, (double)s->momentum);
    if (!(s->max_norm >= 0.0f))
        return cli_error(-1, "%s: --max-norm must be >= 0 (0 = off), got %g", cmd, (double)s->max_norm);
    if (!(s->l2 >= 0.0f)) return cli_error(-1, "%s: --l2 must be >= 0, got %g", cmd, (double)s->l2);
    if (s->nesterov && (strcmp(s->optimizer, "sgd") != 0 || s->momentum == 0.0f))
        return cli_error(-1, "%s: --nesterov needs --optimizer sgd and --momentum > 0", cmd);
    if (s->max_memory && !parse_size(s->max_memory, &s->max_bytes))
        return cli_error(-1, "%s: --max-memory expects a size such as 512M, 2G or 1.5G (bytes, "
                            "K, M, G or T = 1024^n, > 0), got '%s'", cmd, s->max_memory);
    if (s->checkpoint_every == 0) return cli_error(-1, "%s: --checkpoint-every must be >= 1", cmd);
    if (s->checkpoint_keep == 0) return cli_error(-1, "%s: --checkpoint-keep must be >= 1", cmd);
    if (s->resume && s->init)
        return cli_error(-1, "%s: give --resume DIR or --init FILE, not both", cmd);
    return check_parallel(s, cmd);
}

/* The optimizer the settings name, with their rate and momentum. */
dn_optimizer_config cli_train_optimizer(const cli_train_settings *s) {
    int adam = strcmp(s->optimizer, "adam") == 0;
    dn_optimizer_config c = dn_optimizer_defaults(adam ? DN_OPTIMIZER_ADAM : DN_OPTIMIZER_SGD);
    if (s->learning_rate > 0.0f) c.learning_rate = s->learning_rate;
    c.momentum = s->momentum;
    c.nesterov = s->nesterov;
    return c;
}


/* The settings that produce a model: everything that changes its weights, and the epochs. */
cJSON *cli_train_settings_json(const cli_train_settings *s) {
    cJSON *o = cJSON_CreateObject();
    if (o == NULL) return NULL;
    cJSON_AddStringToObject(o, "train", s->train);
    if (s->test) cJSON_AddStringToObject(o, "test", s->test);
    if (s->init) cJSON_AddStringToObject(o, "init", s->init);
    cJSON_AddNumberToObject(o, "epochs", (double)s->epochs);
    cJSON_AddNumberToObject(o, "batch", (double)s->batch);
    cJSON_AddStringToObject(o, "optimizer", s->optimizer);
    dn_optimizer_config c = cli_train_optimizer(s);
    cJSON_AddNumberToObject(o, "lr", (double)c.learning_rate);
    if (s->lr_schedule) cJSON_AddStringToObject(o, "lr_schedule", s->lr_schedule);
    if (s->momentum_ramp) cJSON_AddStringToObject(o, "momentum_ramp", s->momentum_ramp);
    if (s->patience != SIZE_MAX) {
        cJSON_AddNumberToObject(o, "early_stopping", (double)s->patience);
        cJSON_AddStringToObject(o, "monitor", s->monitor);
    }
    cJSON_AddNumberToObject(o, "lr_decay", (double)s->lr_decay);
    cJSON_AddNumberToObject(o, "momentum", (double)c.momentum);
    cJSON_AddBoolToObject(o, "nesterov", s->nesterov);
    cJSON_AddNumberToObject(o, "val_split", s->val_split);
    if (s->test_split > 0.0) cJSON_AddNumberToObject(o, "test_split", s->test_split);
    if (s->val_shuffle) cJSON_AddBoolToObject(o, "val_shuffle", 1);
    if (s->stratify) cJSON_AddBoolToObject(o, "stratify", 1);
    cJSON_AddBoolToObject(o, "shuffle", !s->no_shuffle);
    cJSON_AddBoolToObject(o, "standardize", s->standardize);
    if (s->max_norm > 0.0f) cJSON_AddNumberToObject(o, "max_norm", (double)s->max_norm);
    if (s->l2 > 0.0f) cJSON_AddNumberToObject(o, "l2", (double)s->l2);
    if (s->label) cJSON_AddStringToObject(o, "label", s->label);
    if (s->features) cJSON_AddStringToObject(o, "features", s->features);
    if (s->ignore) cJSON_AddStringToObject(o, "ignore", s->ignore);
    if (s->impute) cJSON_AddStringToObject(o, "impute", s->impute);
    if (s->max_rows) cJSON_AddNumberToObject(o, "max_rows", (double)s->max_rows);
    if (s->val_data) cJSON_AddStringToObject(o, "val_data", s->val_data);
    cJSON_AddStringToObject(o, "loss", s->loss);
    /* Recorded only when not the default, so models trained before --precision still resume. */
    if (s->precision != DN_PRECISION_FP32)
        cJSON_AddStringToObject(o, "precision", cli_precision_name(s->precision));
    if (strcmp(s->task, "auto") != 0) cJSON_AddStringToObject(o, "task", s->task);
    if (s->reproducible) { /* the number of ranks is not here: it does not change the weights */
        cJSON_AddBoolToObject(o, "reproducible", 1);
        cJSON_AddNumberToObject(o, "block_rows",
                                (double)(s->block_rows ? s->block_rows : DN_BLOCK_ROWS_DEFAULT));
    }
    char seed[24];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)s->seed); /* exact beyond 2^53 */
    cJSON_AddStringToObject(o, "seed", seed);
    /* A cosine schedule's rates depend on the total: then the epochs may not change on resume. */
    if (s->lr_schedule && strncmp(s->lr_schedule, "cosine", 6) == 0)
        cJSON_AddNumberToObject(o, "cosine_epochs", (double)s->epochs);
    return o;
}

/* Those settings as a JSON object string in the model's metadata ("training"). */
dn_status cli_train_record_settings(dn_model *m, const cli_train_settings *s, dn_error *err) {
    return cli_set_metadata_json(m, "training", cli_train_settings_json(s), err);
}

int cli_train_parse(cli_train_settings *s, const char *name, const char *summary, const char *usage,
                    int with_out, int argc, char **argv, int *exit_code) {
    cli_train_settings_defaults(s);
    cli_option table[CLI_TRAIN_OPTION_COUNT];
    const cli_command cmd = {.name = name, .summary = summary, .usage = usage, .options = table,
                             .option_count = cli_train_option_table(s, table, with_out)};
    if (cli_parse_command(&cmd, argc, argv, exit_code) != 0) return -1;
    if (cli_train_check(s, name, with_out) == 0) return 0;
    *exit_code = 2;
    return -1;
}

void cli_train_inputs(const cli_train_settings *s, cli_named_file inputs[CLI_TRAIN_INPUT_COUNT]) {
    inputs[0] = (cli_named_file){"--train", s->train};
    inputs[1] = (cli_named_file){"--test", s->test};
    inputs[2] = (cli_named_file){"--val-data", s->val_data};
    inputs[3] = (cli_named_file){"--init", s->init};
}
