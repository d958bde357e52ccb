/* test_messages.c — error messages: control bytes escaped, long paths cut in the middle so the
 * cause survives (issue 12, findings 8 and 11). */
#include "test.h"

#include "dropnet.h"
#include "core/error.h"

#include <string.h>

TEST(messages_escape_control_bytes) {
    dn_error err;
    dni_fail(&err, DN_ERR_FORMAT, "bad name \"%s\"", "a\x1b]0;pwned\x07\nb\x7f");
    CHECK_MSG(strcmp(err.message, "bad name \"a\\x1b]0;pwned\\x07\\x0ab\\x7f\"") == 0, "got %s",
              err.message);
}

TEST(messages_cut_long_paths_in_the_middle_keeping_the_cause) {
    static char path[4200];
    memset(path, 'p', sizeof path - 1);
    memcpy(path, "/start", 6);
    memcpy(path + sizeof path - 5, "end", 4); /* ".../ppp...end" */
    dn_error err;
    dni_fail(&err, DN_ERR_IO, "cannot rename \"%s\" to \"%s\": %s", path, path,
            "No space left on device");
    size_t n = strlen(err.message);
    CHECK_MSG(n < DN_ERROR_MESSAGE_SIZE && n > DN_ERROR_MESSAGE_SIZE - 40, "length %zu", n);
    CHECK(strncmp(err.message, "cannot rename \"/start", 21) == 0);
    const char *tail = "end\": No space left on device";
    CHECK_MSG(n > strlen(tail) && strcmp(err.message + n - strlen(tail), tail) == 0, "got %s",
              err.message);
    CHECK(strstr(err.message, "...") != NULL && strstr(err.message, " to \"/start") != NULL);

    /* A cut never splits a UTF-8 character: "é" is 2 bytes. */
    static char wide[3000];
    for (size_t i = 0; i + 2 < sizeof wide; i += 2) memcpy(wide + i, "\xC3\xA9", 2);
    dni_fail(&err, DN_ERR_IO, "cannot open %s: %s", wide, "Permission denied");
    const unsigned char *u = (const unsigned char *)err.message;
    const char *dots = strstr(err.message, "...");
    CHECK(dots != NULL && strstr(err.message, ": Permission denied") != NULL);
    if (dots) {
        size_t at = (size_t)(dots - err.message);
        CHECK(u[at - 1] == 0xA9 && u[at + 3] == 0xC3);
    }
}

TEST(messages_may_quote_the_previous_message) {
    dn_error err;
    dni_fail(&err, DN_ERR_IO, "inner cause");
    dni_fail(&err, DN_ERR_IO, "outer: %s", err.message);
    CHECK(strcmp(err.message, "outer: inner cause") == 0);
    CHECK(strcmp(dn_status_name(DN_ERR_CANCELLED), "cancelled") == 0);
}
