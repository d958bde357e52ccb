/* fuzz_file.h — scratch files for the harnesses (shared by fuzz/fuzz_*.c).
 *
 * The parsers read files by path (gzip detection, stat-based size checks and the dataset spec's
 * "exists on disk" rules are part of what is being tested), so each input is written to a file
 * under /dev/shm (memory, no disk wear) or $TMPDIR, named with the process id so that parallel
 * fuzzing jobs (-jobs=N) do not share files. */
#ifndef DN_FUZZ_FILE_H
#define DN_FUZZ_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

/* Writes "<dir>/dropnet-fuzz-<pid>-<tag>" into `path` [size]. */
static inline void dn_fuzz_path(char *path, size_t size, const char *tag) {
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    snprintf(path, size, "%s/dropnet-fuzz-%ld-%s", dir ? dir : "/tmp", (long)getpid(), tag);
}

/* Replaces `path` with data[0..size), plain or as a gzip stream. Returns 0 on failure (the
 * harness then skips the input: a full /dev/shm is not a finding). */
static inline int dn_fuzz_write(const char *path, const uint8_t *data, size_t size, int gzip) {
    if (gzip) {
        gzFile gz = gzopen(path, "wb");
        if (gz == NULL) return 0;
        int ok = size == 0 || gzwrite(gz, data, (unsigned)size) == (int)size;
        return gzclose(gz) == Z_OK && ok;
    }
    FILE *f = fopen(path, "wb");
    if (f == NULL) return 0;
    int ok = fwrite(data, 1, size, f) == size;
    return fclose(f) == 0 && ok;
}

/* A violated invariant of a successful parse: crash so that libFuzzer records the input. */
#define DN_FUZZ_ASSERT(cond)                                                              \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            abort();                                                                      \
        }                                                                                 \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
