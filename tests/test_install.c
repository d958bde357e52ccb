/* test_install.c — `make install` / `make uninstall` into a temporary DESTDIR, and the README
 * example built against the installed copy with pkg-config (shared and --static) and run
 * (tests/install/check.sh does the work; this runs it with the suite's build directory). */
#include "test.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The build directory of the CLI under test, relative to the working directory (the repository
 * root), so that `make BUILD=...` finds its targets up to date. */
static void build_dir(char *out, size_t size) {
    char cwd[512];
    snprintf(out, size, "%s", dn_test_cli_path());
    char *slash = strrchr(out, '/');
    if (slash) *slash = '\0';
    size_t n = getcwd(cwd, sizeof cwd) ? strlen(cwd) : 0;
    if (n && strncmp(out, cwd, n) == 0 && out[n] == '/') memmove(out, out + n + 1, strlen(out + n));
}

TEST(install_builds_the_readme_example_with_pkg_config) {
    static char output[1 << 16];
    /* make test passes the sanitiser flags of test-asan, which the example needs to link. */
    const char *extra = getenv("DN_TEST_CFLAGS");
    char build[512], cmd[1024];
    build_dir(build, sizeof build);
    snprintf(cmd, sizeof cmd, "bash tests/install/check.sh '%s' '%s' 2>&1", build, extra ? extra : "");
    int rc = dn_test_run(cmd, output, sizeof output);
    CHECK_MSG(rc == 0 && strstr(output, "install ok"), "install check failed (%d):\n%s", rc, output);
}

/* The README's raw link line for build/libdropnet.a (no pkg-config) links the example, which
 * then runs (issue 13: the line lacked -fopenmp and failed). */
TEST(install_readme_static_link_line_links_and_runs) {
    static char output[1 << 16], readme[1 << 17];
    FILE *f = fopen("README.md", "r");
    size_t n = f ? fread(readme, 1, sizeof readme - 1, f) : 0;
    readme[n] = '\0';
    if (f) fclose(f);
    const char *line = strstr(readme, "\ncc -std=c11 examples/readme_example.c -Iinclude build/libdropnet.a");
    if (!CHECK_MSG(line != NULL, "README.md has no raw link line for build/libdropnet.a")) return;
    const char *end = strchr(line + 1, '\n'), *out = strstr(line, " -o readme_example");
    if (!CHECK(end != NULL && out != NULL && out < end)) return;
    const char *extra = getenv("DN_TEST_CFLAGS");
    char build[512], dir[] = "/tmp/dropnet-link-XXXXXX", cmd[2048];
    build_dir(build, sizeof build);
    if (!CHECK(mkdtemp(dir) != NULL)) return;
    /* the line as written, with this suite's build directory and a scratch output; `cc` is the
     * compiler that built the library when CC says which (CI's clang build needs clang's OpenMP
     * runtime, as the install test does) */
    const char *lib = strstr(line, "build/libdropnet.a");
    snprintf(cmd, sizeof cmd, "${CC:-cc}%.*s%s/libdropnet.a%.*s %s -o %s/readme_example 2>&1 && "
             "%s/readme_example 2>&1", (int)(lib - line - 3), line + 3, build,
             (int)(out - lib - strlen("build/libdropnet.a")), lib + strlen("build/libdropnet.a"),
             extra ? extra : "", dir, dir);
    int rc = dn_test_run(cmd, output, sizeof output);
    CHECK_MSG(rc == 0 && strstr(output, "row 800: p = [") != NULL, "%s\n%s", cmd, output);
    dn_test_remove_dir(dir);
}
