/* test_cli_play.c — `dropnet play`: the table embedded in the page's data slot exactly as
 * hand-written JSON (class names escaped; the values as base64 float32 bytes, a palette and one
 * byte a value, encoded by Python's base64 and struct; --standardize's mean and std computed by
 * hand), a table of more than 256 distinct values embedded as float32 and decoded here, and the
 * refusals: an --out that is an input, a page without the slot, data without two classes.
 * The page here is a small stand-in holding only the slot, so these run without emscripten;
 * the real page is tested in Chromium by `make test-web` (tests/web/). */
#include "test.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char output[1 << 14];

typedef struct play_dir {
    char path[64];
    char file[4][128]; /* page, data, out, one-class data */
} play_dir;

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static size_t read_text(const char *path, char *buf, size_t size) {
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, size - 1, f) : 0;
    if (f) fclose(f);
    buf[n] = '\0';
    return n;
}

static int make_dir(play_dir *d) {
    snprintf(d->path, sizeof d->path, "/tmp/dropnet-play-XXXXXX");
    if (mkdtemp(d->path) == NULL) return -1;
    const char *names[4] = {"page.html", "t.csv", "out.html", "one.csv"};
    char dir[sizeof d->path]; /* a copy: snprintf's source must not be inside its destination */
    memcpy(dir, d->path, sizeof dir);
    for (int i = 0; i < 4; ++i) snprintf(d->file[i], sizeof d->file[i], "%s/%s", dir, names[i]);
    write_text(d->file[0], "<html>A<script id=\"pg-data\" type=\"application/json\">null</script>B</html>\n");
    write_text(d->file[1], "x,y,label\n0.5,-1,cat\n2,3,dog</script>\n");
    write_text(d->file[3], "x,y,label\n1,2,a\n3,4,a\n");
    return 0;
}

static void remove_dir(const play_dir *d) {
    for (int i = 0; i < 4; ++i) unlink(d->file[i]);
    rmdir(d->path);
}

static int play(const char *args) {
    char command[1024];
    snprintf(command, sizeof command, "%s play %s", dn_test_cli_path(), args);
    return dn_test_run(command, output, sizeof output);
}

TEST(play_embeds_the_table_in_the_slot) {
    play_dir d;
    CHECK(make_dir(&d) == 0);
    char args[640], page[4096];
    snprintf(args, sizeof args, "--data %s --out %s --page %s", d.file[1], d.file[2], d.file[0]);
    CHECK(play(args) == 0);
    read_text(d.file[2], page, sizeof page);
    /* '<' as \u003c: a class name cannot close the page's script */
    CHECK_MSG(strcmp(page, "<html>A<script id=\"pg-data\" type=\"application/json\">{\"name\":\"t.csv\","
                           "\"features\":2,\"classes\":2,\"classNames\":[\"cat\",\"dog\\u003c/script>\"],"
                           "\"x\":{\"palette\":\"AAAAPwAAAEAAAEBAAACAvw==\",\"index\":\"AAMBAg==\"},"
                           "\"y\":[0,1]}</script>B</html>\n") == 0, "page: %s", page);
    /* (palette: 0.5, 2, 3, −1 by bit pattern; index 0 3 1 2.) Standardised: the values as
     * they are, with the x column's mean 1.25 and std 0.75, the y column's 1 and 2, which the
     * page applies */
    snprintf(args, sizeof args, "--data %s --out %s --page %s --standardize", d.file[1], d.file[2],
             d.file[0]);
    CHECK(play(args) == 0);
    read_text(d.file[2], page, sizeof page);
    CHECK_MSG(strstr(page, "\"index\":\"AAMBAg==\"},\"standardize\":{\"mean\":\"AACgPwAAgD8=\","
                           "\"std\":\"AABAPwAAAEA=\"},\"y\":[0,1]}") != NULL, "page: %s", page);
    remove_dir(&d);
}

/* Base64 text up to its closing quote into bytes (test-only decoder); returns the byte count. */
static size_t base64_decode(const char *text, unsigned char *out, size_t size) {
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = 0;
    unsigned long acc = 0;
    int bits = 0;
    for (const char *c = text; *c && *c != '"' && *c != '='; ++c) {
        const char *d = strchr(digits, *c);
        if (d == NULL) return 0;
        acc = (acc << 6) | (unsigned long)(d - digits);
        bits += 6;
        if (bits >= 8 && n < size) {
            bits -= 8;
            out[n++] = (unsigned char)(acc >> bits);
        }
    }
    return n;
}

TEST(play_embeds_many_distinct_values_as_float32) {
    play_dir d;
    CHECK(make_dir(&d) == 0);
    /* 200 rows (i/8, −i − 0.1): 400 distinct values, more than a palette holds */
    static char csv[1 << 13];
    size_t len = (size_t)snprintf(csv, sizeof csv, "x,y,label\n");
    for (int i = 0; i < 200; ++i)
        len += (size_t)snprintf(csv + len, sizeof csv - len, "%g,%.1f,%s\n", i / 8.0, -i - 0.1,
                                i % 2 ? "a" : "b");
    write_text(d.file[1], csv);
    char args[640];
    static char page[1 << 14];
    snprintf(args, sizeof args, "--data %s --out %s --page %s", d.file[1], d.file[2], d.file[0]);
    CHECK(play(args) == 0);
    read_text(d.file[2], page, sizeof page);
    const char *x = strstr(page, "\"x\":{\"float32\":\"");
    CHECK_MSG(x != NULL && strstr(page, "palette") == NULL, "page: %.300s", page);
    unsigned char bytes[1700];
    size_t n = x ? base64_decode(x + strlen("\"x\":{\"float32\":\""), bytes, sizeof bytes) : 0;
    CHECK_MSG(n == 400 * 4, "%zu bytes decoded", n);
    int same = 1;
    for (size_t i = 0; i < n / 4; ++i) {
        uint32_t b = (uint32_t)bytes[4 * i] | (uint32_t)bytes[4 * i + 1] << 8 |
                     (uint32_t)bytes[4 * i + 2] << 16 | (uint32_t)bytes[4 * i + 3] << 24;
        char text[32]; /* the CSV's text, read as the CSV reader does (strtod, then to float) */
        snprintf(text, sizeof text, i % 2 ? "%.1f" : "%g", i % 2 ? -(double)(i / 2) - 0.1 : (double)(i / 2) / 8.0);
        float v, want = (float)strtod(text, NULL);
        memcpy(&v, &b, sizeof v);
        if (memcmp(&v, &want, sizeof v) != 0) same = 0;
    }
    CHECK(same);
    remove_dir(&d);
}

TEST(play_refuses_to_overwrite_an_input_or_use_a_wrong_page) {
    play_dir d;
    CHECK(make_dir(&d) == 0);
    char args[640], before[256], after[256];
    read_text(d.file[1], before, sizeof before);
    snprintf(args, sizeof args, "--data %s --out %s --page %s", d.file[1], d.file[1], d.file[0]);
    CHECK(play(args) == 1);
    CHECK(strstr(output, "is an input") != NULL);
    read_text(d.file[1], after, sizeof after);
    CHECK(strcmp(before, after) == 0);
    /* a page without the empty slot (here: one already holding a table) */
    snprintf(args, sizeof args, "--data %s --out %s --page %s", d.file[1], d.file[2], d.file[0]);
    CHECK(play(args) == 0);
    snprintf(args, sizeof args, "--data %s --out %s/x.html --page %s", d.file[1], d.path, d.file[2]);
    CHECK(play(args) == 1);
    CHECK_MSG(strstr(output, "is not an empty playground page") != NULL, "%s", output);
    /* one class: nothing to classify */
    snprintf(args, sizeof args, "--data %s --out %s --page %s", d.file[3], d.file[2], d.file[0]);
    CHECK(play(args) == 1);
    CHECK_MSG(strstr(output, "at least 2 classes") != NULL, "%s", output);
    /* no --out */
    CHECK(play("") == 2);
    /* a missing page names the fix */
    snprintf(args, sizeof args, "--out %s --page %s/none.html", d.file[2], d.path);
    CHECK(play(args) == 1);
    CHECK(strstr(output, "make web") != NULL);
    remove_dir(&d);
}
