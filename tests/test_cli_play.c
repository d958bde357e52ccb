/* test_cli_play.c — `dropnet play`: the table embedded in the page's data slot exactly as
 * hand-written JSON (class names escaped, --standardize's values computed by hand), and the
 * refusals: an --out that is an input, a page without the slot, data without two classes.
 * The page here is a small stand-in holding only the slot, so these run without emscripten;
 * the real page is tested in Chromium by `make test-web` (tests/web/). */
#include "test.h"

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
                           "\"x\":[0.5,-1,2,3],\"y\":[0,1]}</script>B</html>\n") == 0, "page: %s", page);
    /* standardised: x column mean 1.25, std 0.75; y column mean 1, std 2 */
    snprintf(args, sizeof args, "--data %s --out %s --page %s --standardize", d.file[1], d.file[2],
             d.file[0]);
    CHECK(play(args) == 0);
    read_text(d.file[2], page, sizeof page);
    CHECK_MSG(strstr(page, "\"x\":[-1,-1,1,1]") != NULL, "page: %s", page);
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
