/* format_bytes.c — binary units, one decimal, as `ls -h` and free(1) print them. */
#include "core/format_bytes.h"

#include <stdio.h>

void dni_format_bytes(char text[DN_BYTES_TEXT_SIZE], size_t bytes) {
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes < 1024) {
        snprintf(text, DN_BYTES_TEXT_SIZE, "%zu B", bytes);
        return;
    }
    double v = (double)bytes / 1024.0;
    size_t u = 0;
    while (v >= 1024.0 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1024.0;
        u++;
    }
    snprintf(text, DN_BYTES_TEXT_SIZE, "%.1f %s", v, units[u]);
}
