/* fuzz_idx.c — libFuzzer harness for the IDX loader (src/data/idx.c), plain and gzip.
 *
 * Input: one option byte, two bytes giving where the image file ends, then both files' bytes
 * (images first, labels after the split). Option bits: 0 gzip the images, 1 gzip the labels,
 * 2 max_rows 3. Gzip here means a valid stream of the fuzzed bytes, so the header checks, the
 * 1032:1 deflate bound and truncation are reached through zlib; raw bytes that merely look like
 * gzip cover corrupt streams. The pair is opened as "IMAGES+LABELS" with dn_dataset_open. */
#include "fuzz_dataset_check.h"
#include "fuzz_file.h"

#include "dropnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char images[256], labels[256], spec[600];
    if (images[0] == '\0') {
        dn_fuzz_path(images, sizeof images, "images.idx");
        dn_fuzz_path(labels, sizeof labels, "labels.idx");
        snprintf(spec, sizeof spec, "%s+%s", images, labels);
    }
    if (size < 3) return 0;
    uint8_t flags = data[0];
    size_t split = (size_t)data[1] << 8 | data[2];
    data += 3;
    size -= 3;
    if (split > size) split = size;
    if (!dn_fuzz_write(images, data, split, flags & 1) ||
        !dn_fuzz_write(labels, data + split, size - split, flags & 2))
        return 0;
    dn_dataset_options opts = {0};
    opts.max_rows = flags & 4 ? 3 : 0;
    dn_dataset *d = NULL;
    dn_error err;
    dn_status st = dn_dataset_open(&d, spec, &opts, &err);
    if (st == DN_OK) {
        dn_fuzz_check_dataset(d, opts.max_rows, 0);
        DN_FUZZ_ASSERT(dn_dataset_classes(d) <= 256);
        dn_dataset_free(d);
    } else {
        DN_FUZZ_ASSERT(d == NULL);
        DN_FUZZ_ASSERT(st == DN_ERR_MEMORY || strstr(err.message, images) != NULL ||
                       strstr(err.message, labels) != NULL);
    }
    return 0;
}
