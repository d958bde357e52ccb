/* fuzz_csv.c — libFuzzer harness for the CSV loader (src/data/csv*.c, read_text.c, source.c).
 *
 * Input: one option byte, then the file's bytes. The option byte picks what a user can pick on
 * the command line: bit 0 unlabeled, bits 1-2 the label column (none, "0", "1", or the name
 * "label"), bit 3 max_rows 2, bit 4 gzip-compress the bytes before writing (a valid stream, so
 * the gzip path reaches the parser; raw bytes still exercise zlib on corrupt gzip headers),
 * bit 5 raw_columns (categories and missing cells, then dn_dataset_prepare with the impute
 * strategy of bits 6-7, fitted on the file itself, and the prepared dataset checked, its size
 * against dn_dataset_prepared_bytes').
 * The file goes through dn_dataset_open, the public entry point, exactly as the CLI calls it. */
#include "fuzz_dataset_check.h"
#include "fuzz_file.h"

#include "dropnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char path[256];
    if (path[0] == '\0') dn_fuzz_path(path, sizeof path, "data.csv");
    if (size < 1) return 0;
    static const char *const labels[] = {NULL, "0", "1", "label"};
    uint8_t flags = data[0];
    dn_dataset_options opts = {0};
    opts.unlabeled = flags & 1;
    opts.label_column = labels[(flags >> 1) & 3];
    opts.max_rows = flags & 8 ? 2 : 0;
    if (!dn_fuzz_write(path, data + 1, size - 1, flags & 16)) return 0;
    dn_dataset *d = NULL;
    dn_error err;
    opts.raw_columns = (flags >> 5) & 1;
    dn_status st = dn_dataset_open(&d, path, &opts, &err);
    if (st == DN_OK && opts.raw_columns) {
        dn_dataset *prepared = NULL;
        size_t bytes = 0;
        dn_status sized = dn_dataset_prepared_bytes(d, d, (dn_impute)(flags >> 6), &bytes, &err);
        st = dn_dataset_prepare(d, d, (dn_impute)(flags >> 6), &prepared, &err);
        DN_FUZZ_ASSERT(st != DN_OK || !dn_dataset_needs_preparing(prepared));
        /* the size said beforehand is the size made (a --max-memory check relies on it) */
        DN_FUZZ_ASSERT(st != DN_OK || (sized == DN_OK && bytes == dn_dataset_bytes(prepared)));
        dn_dataset_free(d);
        d = prepared;
        if (st != DN_OK) {
            DN_FUZZ_ASSERT(d == NULL);
            return 0;
        }
    }
    if (st == DN_OK) {
        dn_fuzz_check_dataset(d, opts.max_rows, opts.unlabeled);
        dn_dataset_free(d);
    } else {
        DN_FUZZ_ASSERT(d == NULL);
        /* Every failure says what it is about: the file (or, for a label column given with
         * unlabeled data, still the file) is named in the message. */
        DN_FUZZ_ASSERT(st == DN_ERR_MEMORY || strstr(err.message, path) != NULL);
    }
    return 0;
}
