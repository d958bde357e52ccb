/* base64.c — bytes as base64 text (base64.h). */
#include "common/base64.h"

void cli_base64_write(FILE *out, const unsigned char *bytes, size_t n) {
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char group[4];
    for (size_t i = 0; i < n; i += 3) {
        unsigned long v = (unsigned long)bytes[i] << 16;
        if (i + 1 < n) v |= (unsigned long)bytes[i + 1] << 8;
        if (i + 2 < n) v |= bytes[i + 2];
        group[0] = digits[(v >> 18) & 63];
        group[1] = digits[(v >> 12) & 63];
        group[2] = i + 1 < n ? digits[(v >> 6) & 63] : '=';
        group[3] = i + 2 < n ? digits[v & 63] : '=';
        fwrite(group, 1, 4, out);
    }
}
