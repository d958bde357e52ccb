/*
 * dropnet.h — the whole public API of libdropnet.
 *
 * dropnet builds, trains, evaluates and traces sequential feed-forward networks with dropout.
 * Semantics and defaults follow Keras (tf.keras 2.x) unless a comment says otherwise.
 *
 * Conventions used by every function below:
 *   - Handles (dn_model, dn_dataset) are opaque. The caller owns what a *_create / *_load call
 *     returns and releases it with the matching *_free, which accepts NULL.
 *   - Matrices are row-major float32. "[B×n]" means B rows (examples) of n columns.
 *   - Functions that can fail return dn_status. When `err` is not NULL it receives the status and
 *     a message that names the problem (which argument, file/line/column, expected vs found).
 *     `err` may be NULL. On failure, output arguments are left untouched (or NULL for handles).
 *   - The library never prints, exits or aborts; it has no global state, so distinct handles may
 *     be used from distinct threads. One handle must not be used by two threads at once.
 *
 * Sections, in order: 1. status and errors; 2. datasets; 3. building a model; 4. training;
 * 5. running and inspecting a model; 6. preprocessing, annotations and files.
 */
#ifndef DROPNET_H
#define DROPNET_H

#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(DN_BUILDING_LIBRARY) && defined(__GNUC__)
#define DN_API __attribute__((visibility("default")))
#else
#define DN_API
#endif

#define DN_VERSION_MAJOR 0
#define DN_VERSION_MINOR 1
#define DN_VERSION_PATCH 0
#define DN_VERSION_STRING "0.1.0"

/* ------------------------------------------------------------------------------------------ */
/* 1. Status and errors                                                                       */
/* ------------------------------------------------------------------------------------------ */

typedef enum dn_status {
    DN_OK = 0,
    DN_ERR_ARGUMENT, /* a value out of range or a NULL pointer where one is required */
    DN_ERR_MEMORY,   /* an allocation failed, or a size computation would overflow */
    DN_ERR_IO,       /* a file could not be opened, read or written */
    DN_ERR_FORMAT,   /* malformed input: file contents or a specification string */
    DN_ERR_SHAPE,    /* sizes that do not fit together (features, classes, layer widths) */
    DN_ERR_NUMERIC,  /* a NaN or infinity appeared in the loss or the parameters */
    DN_ERR_STATE,    /* a call made in the wrong order, e.g. fit before compile */
    DN_ERR_STOPPED,  /* a callback asked training to stop (not a failure of the library) */
    DN_ERR_CANCELLED /* dn_fit_config.cancel was set: training stopped between two batches */
} dn_status;

#define DN_ERROR_MESSAGE_SIZE 512

/* Filled by failing calls. `message` is NUL-terminated and never empty on failure. */
typedef struct dn_error {
    dn_status status;
    char message[DN_ERROR_MESSAGE_SIZE];
} dn_error;

/* A short constant name for a status, e.g. "argument error". Never NULL. */
DN_API const char *dn_status_name(dn_status status);

/* The library's version, DN_VERSION_STRING of the build that produced the library. */
DN_API const char *dn_version(void);

/* ------------------------------------------------------------------------------------------ */
/* 2. Datasets: creating, loading, querying                                                   */
/* ------------------------------------------------------------------------------------------ */

/* Rows of features with either integer class labels or float targets. */
typedef struct dn_dataset dn_dataset;

/*
 * Copies `x` [rows×features] and integer `labels` [rows] into a new dataset for classification.
 * Every label must be in [0, classes). Errors: DN_ERR_ARGUMENT for NULL pointers, zero sizes or a
 * label out of range (the message gives the row and the value), DN_ERR_NUMERIC for a non-finite
 * feature, DN_ERR_MEMORY.
 */
DN_API dn_status dn_dataset_create_classification(dn_dataset **out, size_t rows, size_t features,
                                                  const float *x, const int32_t *labels,
                                                  size_t classes, dn_error *err);

/* Copies `x` [rows×features] and float `y` [rows×targets] (for MSE or binary cross-entropy). */
DN_API dn_status dn_dataset_create_targets(dn_dataset **out, size_t rows, size_t features,
                                           const float *x, size_t targets, const float *y,
                                           dn_error *err);

/*
 * The seed page's data: `rows` examples of `features` values in `classes` classes. Each class has
 * a random centre; an example is its class centre plus unit Gaussian noise, so the classes overlap
 * (learnable but noisy: a linear classifier reaches about 90 %). Deterministic for a seed.
 */
DN_API dn_status dn_dataset_create_synthetic(dn_dataset **out, size_t rows, size_t features,
                                             size_t classes, uint64_t seed, dn_error *err);

/* Releases a dataset; NULL is ignored. */
DN_API void dn_dataset_free(dn_dataset *data);

/* Queries; each returns 0 for a NULL dataset. */
/* Number of examples. */
DN_API size_t dn_dataset_rows(const dn_dataset *data);

/* Bytes the dataset's storage takes in memory (features, labels, targets); 0 for NULL. A dataset
 * kept on disk (dn_dataset_on_disk) counts its labels and row map, not its features. */
DN_API size_t dn_dataset_bytes(const dn_dataset *data);
/* 1 when the features stay in their file and each batch reads its rows from it, 0 otherwise (and
 * for NULL). dn_dataset_open does this for an uncompressed IDX image file whose rows do not fit
 * under options->max_bytes (a gzip file is refused: it cannot be read at a row). Slices and
 * takes of such a dataset read from the same file; a read that fails later (the file truncated
 * or removed meanwhile) makes fit, evaluate, predict or dn_dataset_get_row return DN_ERR_IO
 * naming the file and row. */
DN_API int dn_dataset_on_disk(const dn_dataset *data);
/* Features per example. */
DN_API size_t dn_dataset_features(const dn_dataset *data);
/* Number of classes for a classification dataset, 0 for a targets dataset. */
DN_API size_t dn_dataset_classes(const dn_dataset *data);
/* Width of the float targets, 0 for a classification dataset. */
DN_API size_t dn_dataset_targets(const dn_dataset *data);

/* Copies row `row` into `x_out` [features]. DN_ERR_ARGUMENT when row is out of range. */
DN_API dn_status dn_dataset_get_row(const dn_dataset *data, size_t row, float *x_out,
                                    dn_error *err);
/* The class label of `row` (classification), or -1 for a targets dataset / bad row. */
DN_API int32_t dn_dataset_label(const dn_dataset *data, size_t row);

/*
 * Copies rows [begin, end) into a new dataset. Used for Keras' validation_split, which takes the
 * validation rows from the end of the data, before any shuffling.
 */
DN_API dn_status dn_dataset_slice(const dn_dataset *data, size_t begin, size_t end,
                                  dn_dataset **out, dn_error *err);

/* How dn_dataset_open reads a source. A zeroed struct (or a NULL pointer) means the defaults. */
typedef struct dn_dataset_options {
    /* CSV only: the label column, as a 0-based index written in decimal ("0"; digits only are
     * always an index) or a name that line 1 holds ("label"; line 1 is then the header). NULL
     * (default): the last column. Setting it for an IDX source is DN_ERR_ARGUMENT. */
    const char *label_column;
    /* Load only the first max_rows rows (after the header); 0 (default) loads every row. The
     * class count then comes from those rows only. */
    size_t max_rows;
    /* CSV only: 1 = the file has no label column; every column is a feature and the dataset has
     * no labels (for prediction). label_column must then be NULL. Default 0. */
    int unlabeled;
    /* A memory cap in bytes for the dataset (0, default: none). The loader computes what the
     * dataset will take (rows × features × 4 bytes for CSV, 1 byte per pixel for IDX, plus the
     * labels, and for CSV the file's text while it is parsed) before allocating it, and refuses
     * with DN_ERR_MEMORY naming the file, the size needed and the cap — except an uncompressed
     * IDX image file, whose pixels then stay in the file and are read as batches need them
     * (dn_dataset_on_disk; only the labels must fit). */
    size_t max_bytes;
    /* CSV only (docs/DATA.md "Columns by name"): the feature columns to read, by header name, in
     * this order (a model's remembered columns); NULL (default): every column but the label.
     * Other columns are skipped and listed by dn_dataset_ignored_name. A file whose line 1 does
     * not hold every name and has no text cell is headerless and matched by position. */
    const char *const *feature_columns;
    size_t feature_column_count;
    /* CSV only: a column kept as text per row (dn_dataset_row_id), never a feature; a name, or a
     * 0-based index in digits. NULL (default): none. */
    const char *id_column;
    /* CSV only: 1 = a label_column that the data does not hold makes it unlabeled instead of an
     * error (a named label absent from the header; for a headerless file read with
     * feature_columns, one column fewer than features + 1). Default 0. */
    int label_optional;
    /* CSV with feature_columns only: 1 = match them by position even when line 1 is a header
     * (a model trained on a headerless file, whose names x0, x1, ... no file holds). */
    int match_by_position;
    /* ---- Column control (issue 13 step 3; docs/DATA.md "Delimiters, headers, column
     * choice") ---- */
    /* CSV only: the cell delimiter, ',' ';' '\t' or '|'; 0 (default) detects it from lines 1-2. */
    char delimiter;
    /* CSV only: DN_HEADER_AUTO (0, default: the rules of docs/DATA.md), DN_HEADER_YES (line 1
     * is a header) or DN_HEADER_NO (line 1 is data; columns are then named by index only). */
    int header;
    /* CSV only, not with feature_columns: the columns to use as features (select_columns; in
     * the order given) or to leave out (ignore_columns), as a comma-separated list of header
     * names, 0-based indexes and inclusive index ranges ("sepal_length,3,5-9"); NULL: none.
     * At most one of the two. A name line 1 does not hold, an index beyond the file and the
     * label or id column among the features are DN_ERR_FORMAT errors naming the column. */
    const char *select_columns;
    const char *ignore_columns;
    /* ---- end of Column control ---- */
    /* CSV only (issue 13, regression; docs/DATA.md "Regression"): what the label column holds.
     * DN_TASK_CLASSIFICATION (0, default): class labels, as above. DN_TASK_REGRESSION: one
     * finite number per row, kept as a float target (dn_dataset_targets() = 1, no classes); a
     * cell that is not a number is DN_ERR_FORMAT naming it. DN_TASK_AUTO: regression when every
     * cell is a number and some value is not an integer, or when the column holds more than 20
     * distinct integers that are more than 1/20 of the rows; classification otherwise. */
    int task;
    /* ---- Missing values and categories (docs/DATA.md "Missing values and categories") ---- */
    /* CSV only, for dn_dataset_prepare: 1 = a feature column holding text is read as categories
     * and a missing cell (docs/DATA.md's set: empty, NA, NaN, nan, ?, N/A, null, ...) as missing
     * instead of an error. Such a dataset (dn_dataset_needs_preparing) is refused by fit,
     * evaluate and predict until dn_dataset_prepare has encoded and imputed it. Default 0. */
    int raw_columns;
    /* CSV only, with feature_columns: the JSON of a prepared dataset (dn_dataset_preprocessing,
     * which a model stores): its columns are read as it says (categories as text, numbers with
     * missing cells) and encoded and imputed as it says while loading. NULL (default): none. */
    const char *preprocessing;
    /* With preprocessing: 1 = a category it does not know is a DN_ERR_FORMAT error naming the
     * line, column and value; 0 (default): that row's columns for it are all 0 and the rows are
     * counted in dn_dataset_warning. */
    int strict_categories;
    /* ---- end of Missing values and categories ---- */
} dn_dataset_options;

/* dn_dataset_options.task */
enum { DN_TASK_CLASSIFICATION = 0, DN_TASK_REGRESSION = 1, DN_TASK_AUTO = 2 };

/* dn_dataset_options.header */
enum { DN_HEADER_AUTO = 0, DN_HEADER_YES = 1, DN_HEADER_NO = 2 };

/*
 * Loads a classification dataset named by `spec` (docs/DATA.md has examples). Forms:
 *   PATH                a CSV file, plain or gzip-compressed (any name, e.g. data.csv.gz);
 *   IMAGES+LABELS       an IDX pair (MNIST format, plain or gzip): IMAGES has magic 0x00000803
 *                       (rows×h×w) or 0x00000802 (rows×features), LABELS 0x00000801 (rows);
 *   DIR:train, DIR:test a directory holding the four standard files train-images-idx3-ubyte,
 *                       train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte
 *                       (each with or without .gz);
 *   fashion-mnist:train, fashion-mnist:test
 *                       the same for /usr/share/datasets/fashion-mnist (Debian's
 *                       dataset-fashion-mnist package).
 * A spec that names an existing file is always that file, even if it contains ':' or '+'.
 *
 * The CSV rules (quoting, header detection, numbers, labels and class names) and the IDX rules
 * are in docs/DATA.md, sections "CSV" and "IDX"; its section "Errors" lists the messages.
 *
 * Errors (the message names the file; for CSV also "path:line:column:", both 1-based):
 *   DN_ERR_ARGUMENT NULL out/spec, an empty spec, a label_column for an IDX source;
 *   DN_ERR_IO       a file that cannot be opened or read, a spec that names no file;
 *   DN_ERR_FORMAT   a malformed spec or file (docs/DATA.md lists each case);
 *   DN_ERR_SHAPE    IDX images and labels with different counts;
 *   DN_ERR_MEMORY   exhausted memory, or more than options->max_bytes.
 */
DN_API dn_status dn_dataset_open(dn_dataset **out, const char *spec,
                                 const dn_dataset_options *options, dn_error *err);

/* ---- Tables: the columns a CSV file held (issue 13; docs/DATA.md "Columns by name") ----
 * Strings are owned by the dataset and valid while it lives; dn_dataset_slice copies them.
 * Every query returns NULL / 0 for a NULL dataset and for data that has no such names (IDX,
 * synthetic, created from arrays). */

/* The name of feature `index`: its header cell, or "x0", "x1", ... for a headerless CSV file. */
DN_API const char *dn_dataset_feature_name(const dn_dataset *data, size_t index);
/* The label column's header cell; for a headerless file its 0-based column index as text
 * ("4"); NULL when the data has no label column. */
DN_API const char *dn_dataset_label_name(const dn_dataset *data);
/* 1 when the CSV file's line 1 was read as a header, else 0. */
DN_API int dn_dataset_has_header(const dn_dataset *data);
/* The id column's cell of `row` (dn_dataset_options.id_column), or NULL. */
DN_API const char *dn_dataset_row_id(const dn_dataset *data, size_t row);
/* The header cells of the columns that were neither features, label nor id (feature_columns
 * given): how many, and the name of one ("" for an empty cell). */
DN_API size_t dn_dataset_ignored_count(const dn_dataset *data);
DN_API const char *dn_dataset_ignored_name(const dn_dataset *data, size_t index);
/*
 * Copies rows[0..count) (any order, repeats allowed) into a new dataset with the same classes,
 * names and columns: a shuffled or stratified split. DN_ERR_ARGUMENT for NULL pointers, count 0
 * or a row out of range; DN_ERR_MEMORY.
 */
DN_API dn_status dn_dataset_take(const dn_dataset *data, const size_t *rows, size_t count,
                                 dn_dataset **out, dn_error *err);
/* The float targets [rows×targets] (row-major), owned by the dataset and valid while it lives;
 * NULL for a classification dataset (or NULL data). */
DN_API const float *dn_dataset_target_values(const dn_dataset *data);
/*
 * Standardises the targets in place, t ← (t − mean[j]) / std[j] for target column j, with
 * `mean` and `std` [targets] (e.g. the training rows' statistics; regression then fits the
 * standardised values and a caller undoes it on the outputs: y·std + mean). Every mean must be
 * finite and every std finite and > 0. Errors: DN_ERR_ARGUMENT for NULL pointers, a bad mean or
 * std (index and value named) or a dataset without targets. The result stays finite for finite
 * inputs that fit a float.
 */
DN_API dn_status dn_dataset_scale_targets(dn_dataset *data, const float *mean, const float *std,
                                          dn_error *err);
/* The delimiter a CSV file was read with (detected or given); 0 for other data. */
DN_API char dn_dataset_delimiter(const dn_dataset *data);
/* 1 when column 0 was read as pandas' unnamed index column (an empty header cell over the
 * values 0, 1, ..., rows - 1) and left out of the features; else 0. */
DN_API int dn_dataset_index_column_dropped(const dn_dataset *data);
/* ---- end of Tables ---- */

/* ---- Missing values and categories (docs/DATA.md "Missing values and categories") ---- */
/* How dn_dataset_prepare fills a missing cell: not at all (a missing cell is an error naming its
 * line and column), or as scikit-learn's SimpleImputer does with that strategy. Categorical
 * columns are always filled with their most frequent category (mean and median need numbers). */
typedef enum dn_impute {
    DN_IMPUTE_NONE = 0,
    DN_IMPUTE_MEAN,
    DN_IMPUTE_MEDIAN,
    DN_IMPUTE_MOST_FREQUENT
} dn_impute;

/* 1 when `data` was read with raw_columns and holds a categorical column or a missing cell, so
 * that it must go through dn_dataset_prepare before use; 0 otherwise (and for NULL). */
DN_API int dn_dataset_needs_preparing(const dn_dataset *data);

/*
 * Encodes and imputes `data` (read with raw_columns) into a new dataset *out: each categorical
 * column becomes one 0/1 column per category of the `fit` rows (sorted by strcmp, as
 * scikit-learn's OneHotEncoder orders categories_; named "column=value"), numeric columns stay,
 * and missing cells are filled with the statistic of the `fit` rows (`impute`: the mean, the
 * median or the most frequent value; a categorical column's most frequent category). `fit` is
 * the training rows read the same way (it may be `data`); a category of `data` that `fit` lacks
 * is encoded as all zeros and counted in dn_dataset_warning. Labels, ids and class names are
 * copied; dn_dataset_preprocessing(*out) gives what was done as JSON. A dataset that needs
 * nothing (no category, no missing cell, DN_IMPUTE_NONE) is copied with no preprocessing.
 * Errors: DN_ERR_ARGUMENT for NULL pointers, data and fit with other columns, or data not read
 * with raw_columns while impute is set; DN_ERR_FORMAT for a missing cell without imputation
 * ("path:line:column: ... give --impute ..."), a column with no value in the fit rows, a column
 * of text in one and of numbers in the other; DN_ERR_MEMORY.
 */
DN_API dn_status dn_dataset_prepare(const dn_dataset *data, const dn_dataset *fit,
                                    dn_impute impute, dn_dataset **out, dn_error *err);

/* The bytes (as dn_dataset_bytes counts them) of the dataset dn_dataset_prepare(data, fit,
 * impute, ...) would make, computed before anything of that size is allocated: rows × the
 * prepared width (one input per numeric column, one per category of the `fit` rows for a
 * categorical column) × 4, plus the labels or targets. A one-hot column of many categories can
 * make it far larger than `data`; a caller with a memory limit checks this first (dropnet train
 * --max-memory). While it works, dn_dataset_prepare also holds a copy of `data`
 * (dn_dataset_bytes(data)) next to `data` itself. Writes *bytes (0 on error). Errors: as
 * dn_dataset_prepare's argument and column checks (DN_ERR_ARGUMENT, DN_ERR_FORMAT);
 * DN_ERR_MEMORY. A column's fill values are not computed (a column with no value in the fit
 * rows is refused by dn_dataset_prepare alone).
 */
DN_API dn_status dn_dataset_prepared_bytes(const dn_dataset *data, const dn_dataset *fit,
                                           dn_impute impute, size_t *bytes, dn_error *err);

/* The JSON of the preparation `data` went through ({"impute":"mean","columns":[{"name":"age",
 * "fill":31.5},{"name":"color","categories":["blue","red"],"fill":"red"}]}), owned by the
 * dataset; NULL when none (and for NULL). Pass it as dn_dataset_options.preprocessing to read
 * new data the same way. */
DN_API const char *dn_dataset_preprocessing(const dn_dataset *data);

/* A line about what preparing met, e.g. unknown categories ("2 rows hold a category the
 * training rows did not: color 2 (\"purple\"); encoded as all zeros"), owned by the dataset;
 * NULL when nothing (and for NULL). */
DN_API const char *dn_dataset_warning(const dn_dataset *data);
/* ---- end of Missing values and categories ---- */

/* The name of class `class_index`: a CSV label as written for names and booleans, the decimal
 * text for integer labels ("-1", "3"); NULL when the dataset has no class names (IDX,
 * synthetic, arrays) or the index is out of range. Valid while the dataset lives;
 * dn_dataset_slice copies the names. */
DN_API const char *dn_dataset_class_name(const dn_dataset *data, size_t class_index);

/*
 * Per-feature mean and population standard deviation (divisor rows) over all rows, accumulated
 * in double precision from the values a batch would see (u8 pixels already scaled), written to
 * `mean` [features] and `std` [features]. A constant column (variance exactly 0, or a std below
 * the float range) reports std = 1, as scikit-learn's StandardScaler does, so (x − mean) / std is
 * always defined and maps the column to 0; any other column reports its sqrt(variance), however
 * small (Keras' Normalization layer instead clamps the std to at least 1e-7). Errors:
 * DN_ERR_ARGUMENT for NULL pointers, DN_ERR_MEMORY.
 */
DN_API dn_status dn_dataset_feature_stats(const dn_dataset *data, float *mean, float *std,
                                          dn_error *err);

/*
 * Renumbers the class labels of `data` so that class i means names[i] (the model's class names,
 * count = its output size): CSV string labels are numbered per file in sorted order, so a test
 * file missing a class would otherwise shift every id. Afterwards the data has `count` classes
 * and those names. No-op for float targets. Data without names (IDX) is matched by the decimal
 * text of its labels. names NULL (a model trained on IDX data): CSV integer labels go back to
 * their values as class ids (negative ones are refused), named ones are refused.
 * DN_ERR_SHAPE: a label the names do not contain (quoted in the message), named classes against
 * integer ones. On failure the labels are unchanged.
 */
DN_API dn_status dn_dataset_align_classes(dn_dataset *data, const char *const *names,
                                          size_t count, dn_error *err);

/* ------------------------------------------------------------------------------------------ */
/* 3. Building a model: layers, initialisers, losses, optimizers, compile                     */
/* The dropout family (noise layers, DropConnect, constraints) is documented in docs/DROPOUT_FAMILY.md */
/* ------------------------------------------------------------------------------------------ */

typedef struct dn_model dn_model;

/* Whether a call runs the network as in training (stochastic layers active) or at inference. */
typedef enum dn_mode { DN_MODE_INFERENCE = 0, DN_MODE_TRAINING = 1 } dn_mode;

/* A new empty model taking `input_size` features. DN_ERR_ARGUMENT if input_size is 0. */
DN_API dn_status dn_model_create(dn_model **out, size_t input_size, dn_error *err);

/* Releases a model and everything it owns; NULL is ignored. */
DN_API void dn_model_free(dn_model *model);

/*
 * Activations, applied element-wise to z = x·W + b (softmax row-wise):
 *   linear   y = z
 *   relu     y = max(0, z)                 (derivative taken as 0 at z = 0, as TensorFlow does)
 *   sigmoid  y = 1 / (1 + e^-z)
 *   tanh     y = tanh(z)
 *   softmax  y_j = e^(z_j - m) / Σ_k e^(z_k - m),  m = max_k z_k  (stable for any finite z)
 *   selu     y = λ·z (z > 0), λ·α·(e^z − 1) (z ≤ 0); λ = 1.0507009873554805,
 *            α = 1.6732632423543772 (Klambauer et al. 2017; Keras' constants)
 *   elu      y = z (z > 0), e^z − 1 (z ≤ 0)          (Keras' default α = 1)
 *   gelu     y = z·Φ(z) = ½·z·(1 + erf(z/√2))       (the exact form, Keras approximate=False)
 *   leaky_relu y = z (z > 0), 0.3·z (z ≤ 0)           (Keras 2's negative slope 0.3; PyTorch
 *            uses 0.01); the derivative at 0 is taken as 0.3, as TensorFlow does
 */
typedef enum dn_activation {
    DN_ACT_LINEAR = 0,
    DN_ACT_RELU,
    DN_ACT_SIGMOID,
    DN_ACT_TANH,
    DN_ACT_SOFTMAX,
    DN_ACT_SELU,
    DN_ACT_ELU,
    DN_ACT_GELU,
    DN_ACT_LEAKY_RELU
} dn_activation;

/* "linear", "relu", "sigmoid", "tanh", "softmax", "selu", "elu", "gelu", "leaky_relu". Never NULL
 * ("?" for an unknown value). */
DN_API const char *dn_activation_name(dn_activation activation);

/* Parses one of the names above (exact, lower case). DN_ERR_FORMAT names the unknown word. */
DN_API dn_status dn_activation_parse(const char *name, dn_activation *out, dn_error *err);

typedef enum dn_layer_kind {
    DN_LAYER_DENSE = 0, /* fully connected: y = act(x·W + b), W [in×out] (Keras layout), b [out] */
    DN_LAYER_DROPOUT,   /* inverted dropout, see dn_model_add_dropout */
    DN_LAYER_ALPHA_DROPOUT,    /* dropout for SELU networks, see dn_model_add_alpha_dropout */
    DN_LAYER_GAUSSIAN_DROPOUT, /* multiplicative N(1, rate/(1−rate)) noise */
    DN_LAYER_GAUSSIAN_NOISE    /* additive N(0, stddev²) noise */
} dn_layer_kind;

/*
 * Kernel initialisers of a dense layer (biases always start at 0). fan_in = the layer's inputs,
 * fan_out = its units.
 *   glorot_uniform  U(−l, l), l = √(6 / (fan_in + fan_out))                 (Keras' default)
 *   he_normal       truncated normal, σ = √(2 / fan_in) / 0.87962566103423978
 *   lecun_normal    truncated normal, σ = √(1 / fan_in) / 0.87962566103423978
 * "Truncated" as in Keras: a draw n ~ N(0, 1) with |n| > 2 is redrawn, then w = σ·n (the divisor
 * is the standard deviation of N(0, 1) truncated to [−2, 2], so Var w = 2/fan_in resp. 1/fan_in).
 * Draw k of kernel element e of layer i is dn_rng_normal-style Box-Muller on Philox
 * (seed; counter = e/2, INIT << 16 | i, k): independent of threads.
 */
typedef enum dn_initializer {
    DN_INIT_DEFAULT = 0,    /* lecun_normal for a selu layer, glorot_uniform otherwise */
    DN_INIT_GLOROT_UNIFORM,
    DN_INIT_HE_NORMAL,
    DN_INIT_LECUN_NORMAL
} dn_initializer;

/* "default", "glorot_uniform", "he_normal", "lecun_normal"; "?" for an unknown value. */
DN_API const char *dn_initializer_name(dn_initializer init);

/* Parses one of the names above except "default". DN_ERR_FORMAT names the unknown word. */
DN_API dn_status dn_initializer_parse(const char *name, dn_initializer *out, dn_error *err);

/* Options of a dense layer beyond its units and activation. A zeroed struct is the default. */
typedef struct dn_dense_options {
    dn_initializer initializer; /* DN_INIT_DEFAULT: by activation, see above */
    /*
     * DropConnect rate in [0, 1) (Wan et al. 2013); 0 (default) turns it off. In
     * DN_MODE_TRAINING each kernel weight is dropped independently with probability `rate`, one
     * mask per forward pass (per training step, shared by every row of the batch), survivors
     * scaled by 1/(1 − rate):  y = act(x·W' + b),  W' = M⊙W/(1 − rate); the bias is not dropped.
     * Weight (e = row-major kernel index) is dropped ⇔ Philox word (seed; counter = e/4,
     * DROPCONNECT << 16 | layer, step), word e%4, < round(rate·2^32). Backward: dW = (xᵀ·dz)⊙M/
     * (1 − rate), d_in = dz·W'ᵀ. Inference rule: y = act(x·W + b), the mean network (E[W'] = W);
     * Wan et al.'s Gaussian moment-matching sampling at inference is not implemented.
     */
    float dropconnect;
} dn_dense_options;

/*
 * Appends Dense(units, activation): y = activation(x·W + b), W [in×units], b [units], where `in`
 * is the previous layer's width. `options` (NULL or a zeroed struct: the defaults) chooses the
 * kernel initialiser and DropConnect (dn_dense_options); by default W ~ glorot_uniform, i.e.
 * U(−l, l) with l = √(6 / (in + units)) (lecun_normal for selu), b = 0 (Keras defaults); the
 * weights are drawn at compile. The model keeps no pointer to `options`.
 * Errors: DN_ERR_ARGUMENT for a NULL model, units == 0, an unknown activation or initialiser, a
 * DropConnect rate not in [0, 1) (NaN included); DN_ERR_STATE for a model already compiled;
 * DN_ERR_MEMORY.
 */
DN_API dn_status dn_model_add_dense(dn_model *model, size_t units, dn_activation activation,
                                    const dn_dense_options *options, dn_error *err);

/* The options of dense layer `layer`, the initialiser resolved (never DN_INIT_DEFAULT).
 * DN_ERR_ARGUMENT when the layer does not exist or is not dense. */
DN_API dn_status dn_model_dense_options(const dn_model *model, size_t layer,
                                        dn_dense_options *out, dn_error *err);

/*
 * Appends Dropout(rate), inverted dropout as in Keras and PyTorch. In DN_MODE_TRAINING every
 * element is dropped independently with probability `rate`:
 *     y = 0 (dropped)  or  y = x / (1 − rate) (kept, probability 1 − rate)
 * so E[y] = x; the backward pass applies the same mask and scale (dx = dy·keep/(1 − rate)).
 * In DN_MODE_INFERENCE y = x. The keep decision for element e of a batch at training step s is
 * Philox word u (see dn_philox4x32_10) with "dropped" ⇔ u < round(rate·2^32).
 * Errors: rate not in [0, 1) (NaN included), a model already compiled.
 */
DN_API dn_status dn_model_add_dropout(dn_model *model, float rate, dn_error *err);

/*
 * Appends AlphaDropout(rate) (Klambauer et al. 2017; Keras AlphaDropout), for SELU networks.
 * In DN_MODE_TRAINING each element is dropped with probability `rate` by the same rule and
 * Philox stream as dn_model_add_dropout (purpose DROPOUT, this layer's index), then
 *     y = a·x + b (kept),   y = a·α' + b (dropped),
 *     α' = −λα = −1.7580993408473766,  a = ((1 − rate)(1 + rate·α'²))^−½,  b = −a·α'·rate,
 * which keeps mean 0 and variance 1 of SELU-normalised inputs. Backward: dx = keep ? a·dy : 0.
 * In DN_MODE_INFERENCE y = x. dn_layer_info.rate is the rate. dn_model_dropout_mask works on it.
 * Errors: rate not in [0, 1) (NaN included), a model already compiled.
 */
DN_API dn_status dn_model_add_alpha_dropout(dn_model *model, float rate, dn_error *err);

/*
 * Appends GaussianDropout(rate) (Srivastava et al. 2014; Keras GaussianDropout): in
 * DN_MODE_TRAINING y = x·m with m = 1 + σ·n, σ = √(rate/(1 − rate)), n ~ N(0, 1), so E[y] = x
 * and Var m = rate/(1 − rate); dx = dy·m. Inference: y = x. n for element e at step s is the
 * Box-Muller normal (cos branch) of Philox (seed; counter = e/2, NOISE << 16 | layer, s), words
 * 2(e%2) and 2(e%2)+1. dn_layer_info.rate is the rate. Errors: rate not in [0, 1), compiled.
 */
DN_API dn_status dn_model_add_gaussian_dropout(dn_model *model, float rate, dn_error *err);

/*
 * Appends GaussianNoise(stddev) (Keras GaussianNoise): in DN_MODE_TRAINING y = x + stddev·n
 * with n drawn as for gaussian dropout; dx = dy. Inference: y = x. dn_layer_info.rate holds the
 * stddev. Errors: stddev negative or not finite, a model already compiled.
 */
DN_API dn_status dn_model_add_gaussian_noise(dn_model *model, float stddev, dn_error *err);

/*
 * Losses. All are averaged over the batch (Keras "sum_over_batch_size").
 *   DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY  integer labels t ∈ [0, classes):
 *       L = logsumexp(z) - z_t, computed from the last layer's pre-activation z (fused with its
 *       softmax, which is numerically stable for |z| up to float range). Needs a final dense layer
 *       with softmax (probabilities are the output) or linear activation (logits are the output,
 *       as Keras from_logits=True). Unlike Keras, probabilities are never clipped to [1e-7, 1).
 *   DN_LOSS_MEAN_SQUARED_ERROR  float targets [B×out]:  L = mean_j (y_j - t_j)^2 per row.
 *   DN_LOSS_BINARY_CROSSENTROPY float targets in [0,1] [B×out]: L = mean_j of
 *       max(z,0) - z·t + log(1 + e^-|z|), fused with the final sigmoid (or on logits when the
 *       final activation is linear).
 *   DN_LOSS_MEAN_ABSOLUTE_ERROR float targets [B×out]:  L = mean_j |y_j - t_j| per row (Keras
 *       "mae", PyTorch L1Loss); dL/dy = sign(y - t) / (B·out), with sign(0) = 0 as TensorFlow.
 */
typedef enum dn_loss {
    DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY = 0,
    DN_LOSS_MEAN_SQUARED_ERROR,
    DN_LOSS_BINARY_CROSSENTROPY,
    DN_LOSS_MEAN_ABSOLUTE_ERROR
} dn_loss;

typedef enum dn_optimizer_kind { DN_OPTIMIZER_SGD = 0, DN_OPTIMIZER_ADAM } dn_optimizer_kind;

/*
 * Optimizer settings. Update rules for parameter w with gradient g at step t = 1, 2, ...:
 *   SGD (Keras SGD; PyTorch gives the same trajectory for a constant learning rate):
 *       momentum = 0:   w ← w − lr·g
 *       otherwise:      v ← momentum·v − lr·g;  w ← w + v                      (v starts at 0)
 *       Nesterov:       v ← momentum·v − lr·g;  w ← w + momentum·v − lr·g
 *   Adam (Keras Adam):
 *       m ← β1·m + (1−β1)·g;   v ← β2·v + (1−β2)·g²                           (m, v start at 0)
 *       α ← lr·√(1−β2^t) / (1−β1^t);   w ← w − α·m / (√v + ε)
 */
typedef struct dn_optimizer_config {
    dn_optimizer_kind kind;
    float learning_rate; /* SGD default 0.01, Adam default 0.001; must be > 0 */
    float momentum;      /* SGD only, in [0, 1); default 0 */
    int nesterov;        /* SGD only, needs momentum > 0; default 0 */
    float beta1;         /* Adam only, in [0, 1); default 0.9 */
    float beta2;         /* Adam only, in [0, 1); default 0.999 */
    float epsilon;       /* Adam only, > 0; default 1e-7 */
} dn_optimizer_config;

/* The Keras defaults for an optimizer kind (see the field comments above). */
DN_API dn_optimizer_config dn_optimizer_defaults(dn_optimizer_kind kind);

/*
 * Weight penalties and constraints applied by dn_model_fit, to dense kernels only (biases are
 * neither decayed nor constrained, as Keras' kernel_regularizer / kernel_constraint).
 *   l2        ≥ 0: Keras' L2(l2): the loss gains l2·Σ W², so each step adds 2·l2·W to the
 *             kernel gradient before the optimizer update. The reported losses (fit, evaluate)
 *             are the data loss only, without the penalty (Keras adds it to the training loss).
 *   max_norm  ≥ 0 (0 = off): after every update each unit's incoming weight vector (column j of
 *             the kernel [in×out]) with norm ‖W[:,j]‖₂ > max_norm is rescaled to norm max_norm
 *             (Srivastava et al. 2014 use 3–4). Unlike Keras' MaxNorm, columns already within the
 *             bound are left exactly as they are (Keras multiplies them by n/(n + 1e-7)).
 */
typedef struct dn_regularization {
    float l2;
    float max_norm;
} dn_regularization;

/* Sets the penalties above (saved with the model). DN_ERR_ARGUMENT for NULL pointers or a
 * negative or non-finite value. Allowed before or after compile. */
DN_API dn_status dn_model_set_regularization(dn_model *model, const dn_regularization *reg,
                                             dn_error *err);

/* The model's penalties ({0, 0} for NULL or when none are set). */
DN_API dn_regularization dn_model_regularization(const dn_model *model);

/*
 * Fixes the architecture: checks that the last layer is dense and suits `loss` (see dn_loss),
 * allocates one contiguous parameter slab and one gradient slab, the optimizer state and the
 * activation buffers, and initialises the weights from `seed`. `optimizer` NULL means Adam with
 * Keras defaults. The same seed also drives shuffling and every dropout mask.
 */
DN_API dn_status dn_model_compile(dn_model *model, dn_loss loss,
                                  const dn_optimizer_config *optimizer, uint64_t seed,
                                  dn_error *err);

/*
 * Builds an uncompiled model taking `input_size` features from a spec string: layers separated
 * by commas, each `dense:UNITS[:ACTIVATION]` (activation default linear, as Keras) or
 * `dropout:RATE`, e.g. "dropout:0.2,dense:1024:relu,dropout:0.5,dense:1024:relu,dropout:0.5,
 * dense:10:softmax" (one string). Spaces and tabs around a field are ignored. Errors:
 * DN_ERR_FORMAT naming the 1-based column of the offending field and quoting it, e.g.
 *     model spec column 13: unknown layer type "dens" (expected dense or dropout)
 * for an empty spec or layer, a missing or extra field, units that are not an integer > 0, a rate
 * outside [0, 1) or an unknown activation; DN_ERR_ARGUMENT for NULL pointers or input_size 0.
 * The caller owns *out (dn_model_free); it is set only on success.
 */
DN_API dn_status dn_model_from_spec(dn_model **out, size_t input_size, const char *spec,
                                    dn_error *err);

/*
 * Writes the model's canonical spec into `buf` (`size` bytes, NUL-terminated when size > 0):
 * every dense layer with its activation spelled out, every rate in the shortest decimal form that
 * parses back to the same float (at most 9 significant digits, "%.9g"), so
 * dn_model_from_spec(dn_model_spec(m)) rebuilds the same layers. Returns the full length without
 * the NUL, as snprintf does (a result ≥ size means `buf` was too small); 0 for a NULL model or a
 * model without layers.
 */
DN_API size_t dn_model_spec(const dn_model *model, char *buf, size_t size);

/*
 * Threads (OpenMP) used by every pass of the model: `threads` > 0 asks for that many, 0 (the
 * default) for all cores. Results never depend on it: each output element is computed by the
 * same arithmetic whatever the partition, and masks are addressed by element, so training is
 * bit-identical for 1, 2 or N threads. Errors: threads < 0, DN_ERR_MEMORY when the resized
 * workspace cannot be allocated (the model then has no buffers until the next successful call).
 */
DN_API dn_status dn_model_set_threads(dn_model *model, int threads, dn_error *err);
DN_API int dn_model_threads(const dn_model *model);

/* The arithmetic of the dense layers' matrix products. */
typedef enum dn_precision {
    DN_PRECISION_FP32 = 0, /* fp32 operands and sums (the default) */
    /* Both operands of every product rounded to bfloat16 (round to nearest even), products summed
     * in fp32 — PyTorch's CPU autocast to bfloat16. Weights stay fp32 (the master copy the
     * optimizer updates), and so do bias, activations, dropout, loss, softmax and the optimizer.
     * Runs on VDPBF16PS where the CPU has AVX512_BF16, else in a portable emulation of that
     * instruction that gives the same bits, so bf16 results are the same on every CPU, and (as
     * in fp32) for any thread count. Predictions differ from fp32 by bf16's 8-bit precision
     * (relative ≤ 2^-9 per operand): tests/test_precision.c holds a model trained in fp32 to
     * probabilities within 0.02 of its fp32 ones and the same class for ≥ 97 % of rows; on
     * Fashion-MNIST bf16 training lands within 0.3 accuracy points of fp32 (bench/RESULTS.md). */
    DN_PRECISION_BF16 = 1
} dn_precision;

/*
 * Sets the precision of every later pass — training, evaluation and prediction — of `model`
 * (a model starts in DN_PRECISION_FP32). Neither the weights nor anything else stored change;
 * checkpoints record it and resuming restores it. Errors: DN_ERR_ARGUMENT for a NULL model or a
 * value that is not a dn_precision.
 */
DN_API dn_status dn_model_set_precision(dn_model *model, dn_precision precision, dn_error *err);
/* The model's precision; DN_PRECISION_FP32 for NULL. */
DN_API dn_precision dn_model_precision(const dn_model *model);

/* What a model takes in memory, in bytes (dn_model_memory_estimate,
 * dn_model_fit_memory_estimate). */
typedef struct dn_memory_estimate {
    size_t parameters; /* weights, gradients and the optimizer's two slabs: 4 × 4 bytes each */
    size_t snapshot;   /* fit's copy of the last good model: 3 × 4 bytes per parameter */
    size_t buffers;    /* activations, masks, input gradients and GEMM space for `rows` rows */
    size_t total;      /* the sum of all four parts (SIZE_MAX when it does not fit in size_t) */
    size_t blocks;     /* fit's reproducible mode (dn_model_fit_memory_estimate): per block of the
                          busiest worker a float gradient per parameter and a double loss, the
                          int64 sums of parameters + 2 values, and, when that worker runs more
                          than one block a step, the weights packed for its passes. 0 otherwise */
} dn_memory_estimate;

/*
 * What `model` will take to train or run batches of `rows` rows, computed from its layers
 * (before or after compile, nothing allocated). Counts exactly the buffers dropnet allocates;
 * the dataset, the allocator's own overhead and the program are not included. Errors:
 * DN_ERR_ARGUMENT for NULL or rows 0, DN_ERR_STATE for a model without layers.
 */
DN_API dn_status dn_model_memory_estimate(const dn_model *model, size_t rows,
                                          dn_memory_estimate *out, dn_error *err);

/* DN_OK when that estimate is at most max_bytes; else DN_ERR_MEMORY with a message giving the
 * total, its three parts and the limit (e.g. before dn_model_compile, to refuse up front). */
DN_API dn_status dn_model_check_memory(const dn_model *model, size_t rows, size_t max_bytes,
                                       dn_error *err);

/* ------------------------------------------------------------------------------------------ */
/* 4. Training                                                                                */
/* ------------------------------------------------------------------------------------------ */

typedef struct dn_fit_config {
    size_t epochs;           /* default 1 */
    size_t batch_size;       /* default 32; the last batch of an epoch may be smaller */
    int shuffle;             /* default 1: a new seeded permutation of the rows every epoch */
    double validation_split; /* default 0: fraction in [0, 1) held out from the END of the data
                                before shuffling, as Keras' validation_split */
    const dn_dataset *validation_data; /* default NULL; when set, used instead of the split */
    size_t initial_epoch;    /* default 0: epochs already done (Keras' initial_epoch); fit then
                                trains epochs initial_epoch+1 .. epochs, numbering events and
                                history from there, e.g. after dn_model_load_checkpoint with
                                dn_model_epochs_done(). Must be <= epochs. */
    /* default NULL. Cancellation hook (issue 12): when set, fit reads *cancel before every batch
     * and, once it is non-zero, returns DN_ERR_CANCELLED without starting another batch. A signal
     * handler may set it (sig_atomic_t), as may another thread or a Python KeyboardInterrupt.
     * The model is then consistent and can be saved: it holds every finished batch's update
     * (dn_model_epochs_done counts complete epochs only, so resuming from it repeats the partial
     * epoch; the last end-of-epoch checkpoint resumes bit-identically). */
    const volatile sig_atomic_t *cancel;
    int reproducible;        /* default 0. 1: each batch runs as blocks of block_rows rows whose
                                gradients are summed exactly (int64 fixed point), so the weights
                                are bit-identical for any number of workers sharing the batch
                                (section 10, docs/SCALING.md); they differ in the last bits from
                                reproducible = 0, which runs each batch as one block */
    size_t block_rows;       /* default 0 = DN_BLOCK_ROWS_DEFAULT; a multiple of 4. Only in the
                                reproducible mode; the weights depend on it, not on the workers */
    const struct dn_reducer *reducer; /* default NULL: this process alone. Data-parallel training:
                                every worker calls fit with the same model, data and config and
                                its own reducer (section 10); needs reproducible = 1 */
} dn_fit_config;

/* epochs 1, batch_size 32, shuffle on, no validation, initial_epoch 0, not reproducible. */
DN_API dn_fit_config dn_fit_defaults(void);

/*
 * What dn_model_fit of `model` with `config` (NULL: dn_fit_defaults()) will take on one of
 * `workers` workers sharing each batch (section 10; 0: config->reducer's workers, or 1 without a
 * reducer), computed from its layers before or after compile, nothing allocated: `buffers` for
 * the rows one pass holds (a batch of config->batch_size rows; in the reproducible mode one block
 * of block_rows, as fit runs the blocks one after another) and `blocks` for the reproducible
 * mode's gradient blocks on the busiest worker, counted from the same constants fit allocates
 * them by. A training set smaller than a batch makes fit hold less; the dataset, fit's row order
 * (a size_t per training row) and validation losses (a double per validation row) are not
 * included. Results are those of this machine: the packed weights' padding follows the GEMM
 * kernel its CPU runs in the model's current precision. Errors: as dn_model_memory_estimate,
 * and DN_ERR_ARGUMENT for a batch size of 0, a reducer of 0 workers, more than one worker
 * without config->reproducible, block rows not a multiple of 4, or more workers than a batch has
 * blocks (the checks dn_model_fit makes).
 */
DN_API dn_status dn_model_fit_memory_estimate(const dn_model *model, const dn_fit_config *config,
                                              size_t workers, dn_memory_estimate *out,
                                              dn_error *err);

/* What one epoch measured. Training figures are the batch-size-weighted means over the epoch's
 * batches with dropout active (as Keras reports them); validation runs at inference. */
typedef struct dn_epoch_metrics {
    size_t epoch;          /* 1-based */
    double loss;
    double accuracy;       /* NaN when the loss has no accuracy (mean squared error) */
    int has_validation;
    double val_loss;       /* NaN without validation */
    double val_accuracy;   /* NaN without validation */
    double seconds;        /* wall-clock time of the epoch, validation included */
} dn_epoch_metrics;

typedef enum dn_event_kind {
    DN_EVENT_EPOCH_BEGIN = 0,
    DN_EVENT_BATCH_END,
    DN_EVENT_EPOCH_END
} dn_event_kind;

/* Passed to a dn_callback. Pointers are valid only during the call. */
typedef struct dn_event {
    dn_event_kind kind;
    size_t epoch, epochs;     /* 1-based epoch, total epochs */
    size_t batch, batches;    /* 1-based batch within the epoch (BATCH_END), batches per epoch */
    size_t batch_rows;        /* rows in the batch just trained (BATCH_END) */
    const size_t *batch_index;/* dataset rows of that batch, in order (BATCH_END) */
    double loss, accuracy;    /* running epoch means so far (BATCH_END) */
    const dn_epoch_metrics *metrics; /* EPOCH_END only */
} dn_event;

/*
 * Observer of training. Return 0 to continue, non-zero to stop training after this event
 * (fit then returns DN_ERR_STOPPED). During DN_EVENT_BATCH_END the model's activations
 * (dn_model_activation, dn_model_dropout_mask) are those of the batch just trained.
 */
typedef int (*dn_callback)(const dn_event *event, void *user);

/*
 * Trains a compiled model on `data` for config->epochs epochs (NULL config: dn_fit_defaults()).
 * Each step: gather a batch, forward in DN_MODE_TRAINING, loss, backward into the gradient slab,
 * one optimizer update. Nothing is allocated inside the loop. `history` (may be NULL) has
 * config->epochs entries; epoch e fills history[e − 1] (after a resume, entries before
 * initial_epoch are left as they are); `callback` may be NULL. Errors: DN_ERR_STATE before compile,
 * DN_ERR_SHAPE for a feature count or class count that does not match the model (e.g. 5 classes
 * for a 3-unit output), DN_ERR_NUMERIC when the loss becomes NaN or infinite, DN_ERR_STOPPED,
 * DN_ERR_CANCELLED (config->cancel set; the message gives the epoch and batch reached).
 */
DN_API dn_status dn_model_fit(dn_model *model, const dn_dataset *data,
                              const dn_fit_config *config, dn_callback callback, void *user,
                              dn_epoch_metrics *history, dn_error *err);

/*
 * The optimizer's learning rate, changeable between steps (e.g. from a dn_callback at
 * DN_EVENT_EPOCH_BEGIN, which is how schedules are built, as Keras' LearningRateScheduler does).
 * Errors: DN_ERR_STATE before compile, DN_ERR_ARGUMENT for a rate that is not finite and > 0.
 */
DN_API dn_status dn_model_set_learning_rate(dn_model *model, float learning_rate, dn_error *err);
/*
 * SGD's momentum, changeable between steps (a momentum ramp, as in Srivastava et al. 2014). The
 * velocity is kept. Errors: DN_ERR_STATE before compile or for Adam, DN_ERR_ARGUMENT outside
 * [0, 1), or 0 with Nesterov momentum.
 */
DN_API dn_status dn_model_set_momentum(dn_model *model, float momentum, dn_error *err);

/* The current learning rate (0 before compile). */
DN_API float dn_model_learning_rate(const dn_model *model);

/* Number of training steps (batches) taken so far; the step number keys dropout masks. */
DN_API uint64_t dn_model_step(const dn_model *model);

/* Number of epochs completed by dn_model_fit so far (across calls and saved with the model); it
 * keys the next epoch's shuffle. */
DN_API uint64_t dn_model_epochs_done(const dn_model *model);

/* ------------------------------------------------------------------------------------------ */
/* 5. Running and inspecting a model                                                          */
/* ------------------------------------------------------------------------------------------ */

/* Mean loss and accuracy over `data` at inference (accuracy NaN for MSE and MAE). Same shape
 * errors. */
DN_API dn_status dn_model_evaluate(dn_model *model, const dn_dataset *data, double *loss,
                                   double *accuracy, dn_error *err);

/*
 * Runs `x` [rows×inputs] through the network at inference (after the model's standardisation, if
 * any) and writes the last layer's output [rows×outputs] (probabilities for softmax) to `out`.
 * Rows are processed in chunks of the model's batch capacity, so any `rows` works.
 */
DN_API dn_status dn_model_predict(dn_model *model, const float *x, size_t rows, float *out,
                                  dn_error *err);

/*
 * Packs every dense layer's kernel once for inference (the panel layout of the GEMM kernel that
 * runs now for the model's precision, kept beside the weights: as much memory again as the
 * kernels), so that inference passes no longer repack the weights at each call (in fp32, 1 to 16
 * rows need no packing: a small-batch kernel reads the weights in place, prepared or not; in
 * bf16 every pass gains, one row most). Outputs are bitwise those of the unpacked path in the
 * same precision, whatever the thread count. The packing serves the precision it was made in:
 * after dn_model_set_precision to the other one, predictions run unpacked (same outputs) until
 * this is called again. The packed copy is dropped at
 * every change of the weights the library sees (a training step, dn_model_copy_weights, and
 * every call of dn_model_params, since its pointer is writable): after writing through a
 * pointer obtained before this call, call dn_model_params again (or this function) before
 * predicting, or the packed copy would be used. Nothing to pack for fp32 in a
 * `make BLAS=openblas` build (DN_OK).
 * Errors: DN_ERR_ARGUMENT for NULL, DN_ERR_STATE before compile, DN_ERR_MEMORY (the model then
 * predicts unpacked).
 */
DN_API dn_status dn_model_prepare_inference(dn_model *model, dn_error *err);

/* 1 when inference runs on packed weights now (prepared, unchanged since, and the GEMM kernel
 * that runs is the one they were packed for), else 0 (also for NULL). */
DN_API int dn_model_inference_prepared(const dn_model *model);

/*
 * Runs every row of `data` through the network at inference (standardisation applied, if the
 * model has one) and writes the outputs [rows×outputs] to `out`. DN_ERR_SHAPE when the data's
 * feature count differs from the model's input size.
 */
DN_API dn_status dn_model_predict_dataset(dn_model *model, const dn_dataset *data, float *out,
                                          dn_error *err);

/* The class a row of outputs y [cols] predicts: the arg-max, or for a single sigmoid unit 1 when
 * y[0] > 0.5, else 0 (Keras' threshold). 0 for a NULL y or cols 0. */
DN_API size_t dn_predicted_class(const float *y, size_t cols);

/*
 * Confusion counts at inference: matrix[t·C + p] = examples of true class t predicted as class p,
 * where C is the output size (2 for a single sigmoid unit); `matrix` holds C·C entries. The data
 * must have class labels and at most C classes (DN_ERR_SHAPE otherwise).
 */
DN_API dn_status dn_model_confusion_matrix(dn_model *model, const dn_dataset *data,
                                           uint64_t *matrix, dn_error *err);

/*
 * Monte Carlo dropout (Gal & Ghahramani 2016): runs `x` [rows×inputs] (standardised as in
 * dn_model_predict) through the network `samples` (T ≥ 1) times in DN_MODE_TRAINING, so every
 * stochastic layer (dropout, alpha/gaussian dropout, gaussian noise, DropConnect) draws, and
 * writes per row, with p_t the output of pass t [outputs]:
 *   mean [rows×outputs]  p̄ = (1/T)·Σ_t p_t
 *   std  [rows×outputs]  √((1/T)·Σ_t (p_t − p̄)²)   (population standard deviation)
 *   entropy [rows]       H[p̄], the predictive entropy in nats
 *   mutual_information [rows]  H[p̄] − (1/T)·Σ_t H[p_t]  (≥ 0 up to rounding; the BALD score)
 * H[p] = −Σ_j p_j·ln p_j (0·ln 0 = 0) for a softmax output; for a sigmoid output each column is
 * a Bernoulli probability and H sums −p ln p − (1−p) ln(1−p) over the columns. The linear logits
 * of a cross-entropy model are first turned into probabilities (softmax for categorical, sigmoid
 * for binary cross-entropy). Any other output (e.g. a linear or relu output trained with mean
 * squared error) is summarised as it is, and entropy and mutual_information are NaN. Any of the
 * four output arrays may be NULL.
 * Rows run in blocks of 32 (whatever the batch capacity); pass t over block c uses the masks of
 * step 2^63 + c·2^20 + t, which training never reaches, so the result depends only on the model
 * (weights, seed) and x — not on threads, capacity or earlier calls — and the same seed gives
 * the same output. The T passes over a block reuse the model's buffers; nothing is allocated
 * per pass. Errors: DN_ERR_ARGUMENT for NULL model/x, samples 0 or above 2^20, DN_ERR_STATE
 * before compile, DN_ERR_MEMORY.
 */
DN_API dn_status dn_model_predict_mc(dn_model *model, const float *x, size_t rows, size_t samples,
                                     float *mean, float *std, float *entropy,
                                     float *mutual_information, dn_error *err);

/* dn_model_predict_mc over every row of `data`. DN_ERR_SHAPE when the data's feature count
 * differs from the model's input size. */
DN_API dn_status dn_model_predict_mc_dataset(dn_model *model, const dn_dataset *data,
                                             size_t samples, float *mean, float *std,
                                             float *entropy, float *mutual_information,
                                             dn_error *err);

/*
 * One forward pass of `rows` (at most the batch capacity: the largest of 32, every fit's batch
 * size so far (capped by its training rows) and, for evaluate/predict calls over many rows, up to
 * 256) in the given mode, keeping every layer's output
 * for inspection with dn_model_activation. The model's standardisation, if any, is applied to the
 * copy of `x`. In DN_MODE_TRAINING dropout masks are those of training step `step`. `out`
 * [rows×outputs] may be NULL.
 */
DN_API dn_status dn_model_forward(dn_model *model, const float *x, size_t rows, dn_mode mode,
                                  uint64_t step, float *out, dn_error *err);

/*
 * The activations kept from the last forward pass: index 0 is the network's input batch, index
 * i ≥ 1 the output of layer i−1. Writes the shape to rows/cols (either may be NULL). Returns
 * NULL when index > layer count or nothing has run yet. Valid until the next call on the model.
 */
DN_API const float *dn_model_activation(const dn_model *model, size_t index, size_t *rows,
                                        size_t *cols);

/*
 * The keep mask of dropout layer `layer` from the last training-mode forward pass, as bytes
 * (1 kept, 0 dropped) into `keep` [rows×cols of that layer's output]. Returns the number of
 * dropped elements through `dropped` (may be NULL). DN_ERR_ARGUMENT when the layer is not a
 * dropout layer, DN_ERR_STATE when no training-mode pass has run since the last inference pass.
 */
DN_API dn_status dn_model_dropout_mask(const dn_model *model, size_t layer, uint8_t *keep,
                                       size_t *dropped, dn_error *err);

/* Queries; each returns 0 (or the first enum value) for a NULL model. */
/* Features the model takes, as given to dn_model_create. */
DN_API size_t dn_model_input_size(const dn_model *model);
/* Width of the last layer (0 for a model with no layers). */
DN_API size_t dn_model_output_size(const dn_model *model);
/* Number of layers added so far (dropout layers count). */
DN_API size_t dn_model_layer_count(const dn_model *model);
/* Total number of trainable parameters (all kernels and biases); 0 before compile. */
DN_API size_t dn_model_param_count(const dn_model *model);
/* The loss and the seed given to dn_model_compile. */
DN_API dn_loss dn_model_loss(const dn_model *model);
DN_API uint64_t dn_model_seed(const dn_model *model);

/* What one layer is, as reported by dn_model_layer_info. */
typedef struct dn_layer_info {
    dn_layer_kind kind;
    const char *name;         /* Keras-style unique name: "dense", "dense_1", "dropout", ... */
    size_t inputs, outputs;   /* widths of the layer's input and output rows */
    dn_activation activation; /* dense only */
    float rate;               /* dropout kinds (alpha, gaussian too); the stddev of gaussian
                                 noise */
    size_t param_count;       /* inputs·outputs + outputs for dense, 0 for dropout */
    size_t param_offset;      /* where the kernel starts in the parameter slab; bias follows */
} dn_layer_info;

/* Describes layer `index` (0-based). The name stays valid while the model lives. */
DN_API dn_status dn_model_layer_info(const dn_model *model, size_t index, dn_layer_info *out,
                                     dn_error *err);

/*
 * The parameter slab [param_count]: for each dense layer in order, its kernel [in×out] row-major
 * then its bias [out]. NULL before compile. Writable: a caller may load or edit weights; each
 * call drops the packed copy of dn_model_prepare_inference (so, after that call, fetch the
 * pointer again before writing through it).
 */
DN_API float *dn_model_params(dn_model *model);
/* The gradient slab, same layout, holding the gradients of the last training step. */
DN_API const float *dn_model_grads(const dn_model *model);

/*
 * One Philox4x32-10 block (Salmon et al., SC'11): 10 rounds of the bijection keyed by `key`,
 * applied to the 128-bit `counter`, written to `out`. Every random draw in dropnet (weight
 * initialisation, shuffling, dropout masks) is one of these blocks with
 *   key     = (seed low 32 bits, seed high 32 bits)
 *   counter = (element / 4, stream, step low 32 bits, step high 32 bits)
 * where `stream` = purpose << 16 | layer index, so a draw depends only on (seed, purpose, layer,
 * step, element) — never on thread count, batch partition or call order. Does nothing when a
 * pointer is NULL.
 */
DN_API void dn_philox4x32_10(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]);

/* ------------------------------------------------------------------------------------------ */
/* 6. Preprocessing, annotations and files                                                    */
/* ------------------------------------------------------------------------------------------ */

/*
 * Standardisation stored in the model (and in its file): x ← (x − mean) / std per feature.
 * `mean` and `std` are [input_size] and are copied; every mean must be finite and every std > 0
 * and finite (DN_ERR_ARGUMENT names the first bad index and value). mean = std = NULL removes it;
 * exactly one NULL is DN_ERR_ARGUMENT. On failure the previous setting is kept.
 */
DN_API dn_status dn_model_set_standardization(dn_model *model, const float *mean,
                                              const float *std, dn_error *err);

/* Returns 1 and points *mean, *std (either may be NULL) at the model's arrays [input_size] when a
 * standardisation is set, else 0 (pointers untouched). Valid until the next set or free. */
DN_API int dn_model_get_standardization(const dn_model *model, const float **mean,
                                        const float **std);

/*
 * Names the output classes: `names` [count] (each valid UTF-8, not NULL) are copied. `count` must
 * equal the output size of the model's layers, or be 2 for one sigmoid unit (classes 0 and 1)
 * (DN_ERR_SHAPE otherwise, DN_ERR_STATE with no layers). names = NULL with count 0 removes them. On failure the previous names are kept.
 */
DN_API dn_status dn_model_set_class_names(dn_model *model, const char *const *names, size_t count,
                                          dn_error *err);

/* The name of class `index`, or NULL when no names are set or index is out of range. Valid until
 * the next dn_model_set_class_names or free. */
DN_API const char *dn_model_class_name(const dn_model *model, size_t index);

/*
 * A small string map saved with the model (e.g. the CLI's training settings). Sets `key` to a copy
 * of `value`, replacing an existing value; value = NULL removes the key. Key and value must be
 * valid UTF-8 and the key non-empty. Keys beginning with "dropnet." are reserved for the file
 * format (see docs/FORMAT.md) and refused with DN_ERR_ARGUMENT.
 */
DN_API dn_status dn_model_set_metadata(dn_model *model, const char *key, const char *value,
                                       dn_error *err);

/* The value of `key`, or NULL when absent. Valid until the key is set again or the model freed. */
DN_API const char *dn_model_get_metadata(const dn_model *model, const char *key);

/* Number of metadata entries, and the key of entry `index` in insertion order (NULL when out of
 * range), for listing them. */
DN_API size_t dn_model_metadata_count(const dn_model *model);
DN_API const char *dn_model_metadata_key(const dn_model *model, size_t index);

/*
 * Saves a compiled model as a safetensors file (format in docs/FORMAT.md): one little-endian F32
 * tensor per kernel and bias, named "layers.<i>.kernel" [in, out] and "layers.<i>.bias" [out]
 * with <i> the layer's index (dropout layers count), and the architecture, loss, optimizer
 * settings, seed, step, class names, standardisation and metadata as "__metadata__" strings.
 * Optimizer moments are not saved. Atomic: the data goes to "<path>.tmp.XXXXXX" in the same
 * directory, is flushed and fsync'ed, then renamed over `path` (and the directory fsync'ed); on
 * any failure the temporary file is removed and `path` is left untouched. Errors: DN_ERR_STATE
 * before compile or when the class names no longer match the output size, DN_ERR_IO naming the
 * path and the system's reason.
 */
DN_API dn_status dn_model_save(const dn_model *model, const char *path, dn_error *err);

/*
 * dn_model_save with the dense kernels stored in `weights`: DN_PRECISION_FP32 (F32, exactly
 * dn_model_save) or DN_PRECISION_BF16 (dtype BF16, each weight rounded to bfloat16 as the bf16
 * products round it: nearest even, denormals to zero; the kernels take half the bytes). Biases,
 * standardisation and every other value stay F32. A BF16 file is for deployment: dn_model_load
 * widens its kernels exactly to the fp32 master weights and sets the loaded model's precision
 * to DN_PRECISION_BF16, so its predictions equal those of the saved model run in bf16 precision,
 * bit for bit (the stored weights are the values its products used). Training the loaded model
 * further starts from those rounded weights (as PyTorch's load_state_dict of bf16 tensors into an
 * fp32 model). Checkpoints (dn_model_save_checkpoint) are always F32, and a checkpoint with BF16
 * kernels is refused. Errors: those of dn_model_save, and DN_ERR_ARGUMENT for another `weights`.
 */
DN_API dn_status dn_model_save_as(const dn_model *model, const char *path, dn_precision weights,
                                  dn_error *err);

/*
 * Loads a model saved by dn_model_save (or any safetensors file following docs/FORMAT.md): the
 * model is rebuilt from the stored spec and compiled with the stored loss, optimizer and seed,
 * then its step, class names, standardisation, metadata and weights are restored. Everything is
 * validated before it is used; DN_ERR_FORMAT names the file and the problem (header length,
 * byte offsets, JSON errors, a tensor's dtype or shape expected vs found, missing, unknown or
 * overlapping tensors, bytes belonging to no tensor, bad metadata), DN_ERR_NUMERIC a non-finite
 * weight, DN_ERR_IO a file that cannot be read. The caller owns *out, set only on success.
 */
DN_API dn_status dn_model_load(dn_model **out, const char *path, dn_error *err);

/*
 * What dn_model_load or dn_model_load_checkpoint of the file at `path` will allocate, in bytes,
 * decided from its safetensors header before any tensor data is read (to refuse a model that
 * does not fit a memory cap without loading it): the header, counted twice (read, then parsed
 * and partly copied), 16 bytes per parameter (weights, gradients and the optimizer's two slabs:
 * a compiled model holds all four whatever the file stores) and 4 bytes per float of a
 * checkpoint's caller part. Bytes that belong to no tensor count for nothing. Sets *bytes
 * (SIZE_MAX when the sum overflows) on success. Errors: DN_ERR_ARGUMENT for NULL, and the
 * container's errors of dn_model_load (DN_ERR_FORMAT, DN_ERR_IO naming the path); the dropnet
 * metadata is not checked here, so a file measured may still be refused by dn_model_load.
 */
DN_API dn_status dn_model_file_memory(const char *path, size_t *bytes, dn_error *err);

/*
 * Checkpoints: a model file plus everything dn_model_fit needs to continue exactly where it
 * stopped. The optimizer state (tensors "optimizer.m" and "optimizer.v", [parameters] each: SGD
 * velocity / Adam moments) joins the weights; the step counter and epochs done are already in
 * every model file, and with the seed they fix every dropout mask and the next epoch's shuffle
 * (both are addressed by counter, so there is no generator state to save). A caller may add its
 * own state: a text (e.g. JSON, metadata "dropnet.checkpoint_state") and an array of floats
 * (tensor "checkpoint.values"), e.g. early stopping's counters and best weights.
 *
 * Every file dn_model_save or dn_model_save_checkpoint writes carries "dropnet.checksum", a
 * CRC-32 over the tensor data and the metadata (docs/FORMAT.md); loading verifies it when present
 * and requires it in a checkpoint (DN_ERR_FORMAT "checksum mismatch" for a damaged file). Writing is atomic as for dn_model_save:
 * a crash leaves the old file or the new one, never a mixture.
 */
typedef struct dn_checkpoint_extra {
    const char *text;    /* the caller's state as UTF-8 text, or NULL */
    const float *values; /* [count] finite floats, or NULL (count must then be 0) */
    size_t count;
} dn_checkpoint_extra;

/* Saves `model` with its optimizer state and `extra` (may be NULL) to `path`. Errors as
 * dn_model_save, and DN_ERR_ARGUMENT for values == NULL with count > 0. */
DN_API dn_status dn_model_save_checkpoint(const dn_model *model, const char *path,
                                          const dn_checkpoint_extra *extra, dn_error *err);

/* The caller's part of a loaded checkpoint; text and values are NULL when the file has none.
 * Owned by the caller: release with dn_checkpoint_state_free. */
typedef struct dn_checkpoint_state {
    char *text;
    float *values; /* [count] */
    size_t count;
} dn_checkpoint_state;

/*
 * Loads a checkpoint (or a plain model file, whose optimizer state then starts at zero) as
 * dn_model_load does, restoring the optimizer state too, and fills *state with the caller's part.
 * dn_model_load also restores the optimizer state of a checkpoint (and ignores the caller's part).
 * Errors as dn_model_load; on failure *out and *state hold nothing.
 */
DN_API dn_status dn_model_load_checkpoint(dn_model **out, const char *path,
                                          dn_checkpoint_state *state, dn_error *err);

/* Frees what dn_model_load_checkpoint put in *state and zeroes it; NULL is fine. */
DN_API void dn_checkpoint_state_free(dn_checkpoint_state *state);

/*
 * Copies the weights of `src` into `dst` (both compiled), e.g. to start training from a saved
 * model: the dense layers must match in number and in input and output widths (DN_ERR_SHAPE names
 * the first that does not); dropout layers and activations may differ. Also copies src's
 * standardisation and class names when dst has none. dst's step and optimizer state are kept.
 */
DN_API dn_status dn_model_copy_weights(dn_model *dst, const dn_model *src, dn_error *err);

/* Produces the whole content of a file on `file`; returns DN_OK or a failure recorded in err. */
typedef dn_status (*dn_write_fn)(FILE *file, void *context, dn_error *err);

/*
 * Writes `path` with the content `write` produces, under the output policy (docs/RELIABILITY.md):
 *   - a regular file (new or existing) is replaced atomically: a reader (or a crash) sees either
 *     the old file or the complete new one. The content goes to "<file>.tmp.XXXXXX" in the same
 *     directory, is flushed and fsync'ed, renamed over the file, and the directory is fsync'ed.
 *     New files get 0666 & ~umask; a replaced file keeps its mode, and its owner where the
 *     process may set it. A read-only existing file is refused (DN_ERR_IO), not replaced;
 *   - a symlink is followed (hop by hop, dangling ones too) and its final target written as above,
 *     in the target's directory; the link itself stays;
 *   - a character device or FIFO (/dev/null, a terminal, a named pipe) is opened and written in
 *     place, never renamed over; /dev/stdout, /dev/stderr, /dev/fd/N and /proc/self/fd/N write to
 *     the process's descriptor (a duplicate of it, closed after).
 * A directory, block device or socket is refused. On any failure (including `write` returning an
 * error) the temporary file is removed and the target is not touched. While the temporary file
 * exists, dn_remove_temp_files can remove it from a signal handler. DN_ERR_IO names the path and
 * the system's reason (strerror); DN_ERR_ARGUMENT for a NULL or empty path or a NULL `write`.
 */
DN_API dn_status dn_write_file_atomic(const char *path, dn_write_fn write, void *context,
                                      dn_error *err);

/* ------------------------------------------------------------------------------------------ */
/* 7. Outputs and signals: checking outputs up front, temporary files on a signal             */
/* ------------------------------------------------------------------------------------------ */

/*
 * Checks, before any work, that each of outputs[0..output_count) can be written under the output
 * policy (dn_write_file_atomic) without destroying an input: the path is at most 4095 bytes with
 * a file name of at most 255; symlinks resolve (no loop); the target is not a directory, block
 * device or socket; a new file's directory exists and is writable; an existing regular file is
 * writable; and the output is not the same file (device and inode, after resolving; "-" is
 * standard input) as any of inputs[0..input_count). The same name given as two outputs is refused
 * unless it is a device or descriptor. NULL entries in either list are skipped. Inputs that do not
 * exist are skipped (their readers report them). Pass as inputs every file the command still
 * reads after it starts writing; a model read completely before (train --init m --out m) is
 * legitimately replaced and is not one of them. Errors: DN_ERR_ARGUMENT (same file, too long),
 * DN_ERR_IO (directory missing or not writable, read-only file), DN_ERR_MEMORY.
 */
DN_API dn_status dn_check_outputs(const char *const *outputs, size_t output_count,
                                  const char *const *inputs, size_t input_count, dn_error *err);

/* Removes every temporary file dn_write_file_atomic is writing right now. Async-signal-safe: meant
 * for an application's own SIGINT/SIGTERM handler (call it before _exit). */
DN_API void dn_remove_temp_files(void);

/* Installs, for each catchable signal whose default action ends the process (SIGHUP, SIGINT,
 * SIGQUIT, SIGTERM, SIGPIPE, SIGALRM, SIGUSR1, SIGUSR2, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF) and
 * that is still at its default disposition, a handler that calls dn_remove_temp_files and then
 * dies of the same signal. Signals the application ignores or handles are left alone, so install
 * your own handlers first. Returns how many handlers were installed. */
DN_API int dn_install_temp_cleanup(void);

/* ------------------------------------------------------------------------------------------ */
/* 8. Bindings: datasets over the caller's memory (python/, docs/PYTHON.md)                    */
/* ------------------------------------------------------------------------------------------ */

/*
 * A dataset whose features are the caller's array `x` [rows×features] (row-major float32),
 * used in place: nothing is copied, so a binding can train on a numpy array without doubling
 * its memory. `x` must stay alive and must not be freed until dn_dataset_free(*out); the library
 * only reads it, and a change the caller makes is seen by the next batch that gathers that row
 * (the features are checked for NaN/Inf here, once). Labels and targets are copied: give
 * `labels` [rows] in [0, classes) with classes > 0 (classification), or `y` [rows×targets] with
 * targets > 0 (float targets), or neither (features only, for prediction). dn_dataset_slice of
 * such a dataset makes an owning copy. Errors: DN_ERR_ARGUMENT for NULL out/x, zero sizes,
 * labels and targets both or inconsistently given, a label out of range (row and value named);
 * DN_ERR_NUMERIC for a non-finite feature or target (row and column named); DN_ERR_MEMORY.
 */
DN_API dn_status dn_dataset_borrow(dn_dataset **out, size_t rows, size_t features, const float *x,
                                   const int32_t *labels, size_t classes, size_t targets,
                                   const float *y, dn_error *err);

/* ------------------------------------------------------------------------------------------ */
/* 9. ONNX export and import (src/onnx/, docs/FORMAT.md "ONNX")                               */
/* ------------------------------------------------------------------------------------------ */

/* Options of dn_model_export_onnx. A zeroed struct is the default. */
typedef struct dn_onnx_export_options {
    int opset;      /* ONNX opset of the default domain, 11 to 17; 0: 17 */
    int mc_dropout; /* 1: the training-mode graph, every dropout layer a Dropout node with
                       training_mode true and a seed (opset >= 12), for MC dropout in a runtime */
} dn_onnx_export_options;

/*
 * Writes a compiled model as an ONNX file (protobuf ModelProto) at `path`, atomically (as
 * dn_model_save). The graph takes "input" float [batch, input_size] (batch symbolic) and gives
 * "output" float [batch, output_size], the values dn_model_predict returns: the stored
 * standardisation as Sub and Div, one Gemm per dense layer (W [in×out], bias [out]) followed by its
 * activation (relu, sigmoid, tanh, softmax on the last axis, selu, elu, leaky_relu 0.3 as the ONNX
 * ops; gelu as Div, Erf, Add, Mul, Mul). Dropout-family layers are the identity at inference and
 * are left out; with options->mc_dropout each dropout layer becomes a training-mode Dropout whose
 * mask is an extra graph output "layers.<i>.mask" (other noise layers and DropConnect are then
 * refused with DN_ERR_ARGUMENT). Metadata: dropnet.version, dropnet.spec, dropnet.loss,
 * dropnet.seed, dropnet.class_names (JSON array) and the model's own entries.
 * `options` may be NULL (defaults). Errors: DN_ERR_STATE before compile, DN_ERR_ARGUMENT for an
 * opset out of range, DN_ERR_IO naming the path, DN_ERR_MEMORY.
 */
DN_API dn_status dn_model_export_onnx(const dn_model *model, const char *path,
                                      const dn_onnx_export_options *options, dn_error *err);

/*
 * Reads an ONNX file of an MLP, as torch.onnx.export (opset 11-17) and dn_model_export_onnx write
 * them, into a compiled model (*out, owned by the caller, set only on success). The graph must be
 * one chain from its one float input [batch, features] (or [batch, ...] through Flatten/Reshape
 * at the input) to its first output: optional Sub/Div standardisation at the input; per dense
 * layer Gemm (transB, alpha, beta folded into the weights; transA 0) or MatMul + Add; then Relu,
 * Sigmoid, Tanh, Softmax (last axis), Selu, Elu (alpha 1), LeakyRelu (alpha 0.3) or gelu's
 * Div/Erf/Add/Mul/Mul; Dropout (ratio as attribute or input) becomes a dropout layer; Identity and
 * Constant nodes; initializers as raw data or typed float fields. A dropnet.spec property that
 * matches the graph restores the layers an inference export left out, and dropnet.loss,
 * dropnet.seed, dropnet.class_names and other properties are restored. The loss otherwise follows
 * the last activation (softmax: categorical, sigmoid: binary cross-entropy, else MSE), compiled
 * with Adam defaults and seed 42. Errors: DN_ERR_FORMAT naming the file, the node, its op type and
 * what is supported (also for truncated files, external data, element types other than float32,
 * dims out of range or disagreeing with the data, cycles, graphs of more than 4096 nodes);
 * DN_ERR_SHAPE for weights that do not chain; DN_ERR_NUMERIC non-finite weights; DN_ERR_IO.
 */
DN_API dn_status dn_model_import_onnx(dn_model **out, const char *path, dn_error *err);

/* ------------------------------------------------------------------------------------------ */
/* 10. Data-parallel training: the gradient-reduce hook (docs/SCALING.md)                     */
/* ------------------------------------------------------------------------------------------ */

/*
 * The library does not depend on any message-passing library: a caller that runs W workers
 * (processes, each with its own copy of the model and the data) gives each one's fit a reducer
 * whose functions combine arrays across the workers. The CLI's MPI glue (cli/parallel/) is one;
 * NCCL, Gloo or sockets plug in the same way.
 *
 * fit (reproducible = 1) splits each batch of B rows into K = ceil(B / block_rows) blocks;
 * worker r runs blocks [K·r/W, K·(r+1)/W), each as its own forward and backward pass with the
 * dropout masks of its rows' places in the whole batch. Per step it then calls max_double once
 * (3 values: the largest |gradient| and |block loss|, and a non-finite flag) to agree on a
 * power-of-two scale, converts each block's gradient to int64 at that scale (no sum of K blocks
 * can overflow: docs/SCALING.md proves it) and calls sum_int64 once on param_count + 2 values.
 * Integer sums are exact in any order, so every worker applies the same update and the weights
 * do not depend on W or on how the reducer orders its additions. Validation (and
 * dn_model_evaluate_reduced) sums its per-row losses the same way — max_double on 2 values, then
 * sum_int64 on 3 (the loss and the integer correct and unit counts) — so the metrics are the
 * same bits for any W and for one process (dn_model_evaluate sums exactly too).
 *
 * A function returns DN_OK, or a status with err filled (fit then returns it); it must not return
 * before every worker has taken part, or must end the job (the CLI's glue aborts on a timeout).
 */
typedef struct dn_reducer {
    size_t rank;    /* this worker, 0 .. workers − 1 */
    size_t workers; /* how many workers share each batch, ≥ 1 */
    /* values[i] ← Σ over workers of values[i], i < count. Integer: exact in any order. */
    dn_status (*sum_int64)(int64_t *values, size_t count, void *user, dn_error *err);
    /* values[i] ← max over workers of values[i] (values are ≥ 0 and finite). */
    dn_status (*max_double)(double *values, size_t count, void *user, dn_error *err);
    /* values[i] ← Σ over workers, added in an order fixed for a given W (e.g. rank order). Not
     * called by the library since evaluation sums exactly (sum_int64); may be NULL. */
    dn_status (*sum_double)(double *values, size_t count, void *user, dn_error *err);
    void *user;     /* passed to each function */
} dn_reducer;

/* Rows per gradient block when dn_fit_config.block_rows is 0. */
#define DN_BLOCK_ROWS_DEFAULT 16

/*
 * dn_model_evaluate shared by `reducer->workers` workers: this one evaluates rows
 * [n·rank/W, n·(rank+1)/W) of `data` and the sums are combined exactly (max_double, then
 * sum_int64: section 10 above), so every worker gets the loss and accuracy over all n rows, the
 * same bits as dn_model_evaluate in one process. A NULL reducer is dn_model_evaluate. Errors
 * as dn_model_evaluate, DN_ERR_ARGUMENT for a reducer without functions or rank ≥ workers, and
 * what the reducer returns.
 */
DN_API dn_status dn_model_evaluate_reduced(dn_model *model, const dn_dataset *data,
                                           const dn_reducer *reducer, double *loss,
                                           double *accuracy, dn_error *err);

#ifdef __cplusplus
}
#endif

#endif /* DROPNET_H */
