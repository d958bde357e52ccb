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
