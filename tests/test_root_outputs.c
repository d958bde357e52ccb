/* test_root_outputs.c — issue 12's root-only cases, through the binary: device nodes as --out
 * (the kernel's /dev/null and /dev/full, and a character device made with mknod in a scratch
 * directory), a read-only mount and a full tmpfs. The output policy (docs/RELIABILITY.md): a
 * character device is written in place, never renamed over, and its write errors are reported;
 * an output whose directory cannot be written is refused before any work; a failed write leaves
 * the old file and no temporary file.
 *
 * mknod and mount need root (CI runs as root). Without it the tests are reported skipped, which
 * is not a pass: DROPNET_TEST_NO_SKIP=1 turns the skip into a failure. */
#define _DEFAULT_SOURCE /* mknod, makedev */
#include "test.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static char output[1 << 16];
static char dir[64];
#define cli(...) dn_test_cli_in(dir, output, sizeof output, __VA_ARGS__)

/* A scratch directory holding d.csv (40 rows, 2 features, 2 classes) and a trained m.safetensors. */
static int scratch(void) {
    FILE *f = dn_test_scratch_file(dir, "root", "d.csv");
    if (f == NULL) return 0;
    fputs("x1,x2,y\n", f);
    for (int r = 0; r < 40; ++r) fprintf(f, "%d,%d,%d\n", r % 2, r % 3, r % 2);
    if (!CHECK(fclose(f) == 0)) return 0;
    return CHECK(cli("train --train d.csv --model dense:2:softmax --epochs 1 --out m.safetensors") == 0);
}

static void in_dir(char *path, size_t size, const char *name) {
    snprintf(path, size, "%s/%s", dir, name);
}

static int is_char_device(const char *path, unsigned major_no, unsigned minor_no) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == major_no &&
           minor(st.st_rdev) == minor_no;
}

/* Names in `sub` (under dir) containing ".tmp." (a temporary file left behind). */
static int temp_files_in(const char *sub) {
    char path[160];
    in_dir(path, sizeof path, sub);
    DIR *d = opendir(path);
    if (d == NULL) return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) n += strstr(e->d_name, ".tmp.") != NULL;
    closedir(d);
    return n;
}

static long file_size(const char *name) { return dn_test_size_in(dir, name); }

TEST(root_device_nodes_as_out_are_written_in_place) {
    if (geteuid() != 0) SKIP("needs root (mknod of a character device); CI runs as root");
    if (!is_char_device("/dev/null", 1, 3) || !is_char_device("/dev/full", 1, 7))
        SKIP("/dev/null and /dev/full are not the kernel's devices 1:3 and 1:7 here");
    if (!scratch()) return;
    /* The kernel's null device: every output accepted, the node left as it is. */
    CHECK(cli("train --train d.csv --model dense:2:softmax --epochs 1 --out /dev/null") == 0);
    CHECK(cli("predict --model m.safetensors --data d.csv --out /dev/null") == 0);
    CHECK(cli("export --model m.safetensors --out /dev/null") == 0);
    CHECK(is_char_device("/dev/null", 1, 3));
    /* The full device: ENOSPC named, exit 1, the node not renamed over. */
    CHECK(cli("train --train d.csv --model dense:2:softmax --epochs 1 --out /dev/full") == 1);
    CHECK_MSG(strstr(output, "/dev/full") != NULL &&
              strstr(output, "No space left on device") != NULL, "got: %s", output);
    CHECK(cli("predict --model m.safetensors --data d.csv --out /dev/full") == 1);
    CHECK_MSG(strstr(output, "/dev/full") != NULL &&
              strstr(output, "No space left on device") != NULL, "got: %s", output);
    CHECK(is_char_device("/dev/full", 1, 7));
    /* Character devices other than those two, made here: written in place as well (a rename
     * would replace the node with a regular file), their write errors reported. */
    char sink[160], full[160];
    in_dir(sink, sizeof sink, "sink");
    in_dir(full, sizeof full, "full");
    if (!CHECK(mknod(sink, S_IFCHR | 0666, makedev(1, 3)) == 0) ||
        !CHECK(mknod(full, S_IFCHR | 0666, makedev(1, 7)) == 0))
        return;
    CHECK(cli("train --train d.csv --model dense:2:softmax --epochs 1 --out sink") == 0);
    CHECK(cli("predict --model m.safetensors --data d.csv --out sink") == 0);
    CHECK(is_char_device(sink, 1, 3));
    CHECK(cli("predict --model m.safetensors --data d.csv --out full") == 1);
    CHECK_MSG(strstr(output, "full") != NULL && strstr(output, "No space left on device") != NULL,
              "got: %s", output);
    CHECK(is_char_device(full, 1, 7));
    CHECK(temp_files_in(".") == 0);
    CHECK(dn_test_remove_dir(dir));
}

TEST(root_read_only_and_full_mounts_as_out) {
    if (geteuid() != 0) SKIP("needs root (mount of a tmpfs); CI runs as root");
    if (!scratch()) return;
    char mnt[160];
    in_dir(mnt, sizeof mnt, "mnt");
    if (!CHECK(mkdir(mnt, 0755) == 0)) return;
    /* 48 KiB: the trained m.safetensors (about 1 KiB) fits, an 8192-unit model (160 KiB) does not. */
    if (mount("tmpfs", mnt, "tmpfs", 0, "size=48k") != 0) {
        CHECK(dn_test_remove_dir(dir));
        SKIP("root, but mount(tmpfs) is not permitted here (a container without CAP_SYS_ADMIN)");
    }
    CHECK(cli("train --train d.csv --model dense:2:softmax --epochs 1 --out mnt/m.safetensors") == 0);
    long before = file_size("mnt/m.safetensors");
    CHECK(before > 0);
    /* Full: the save fails naming the reason, the old file stays whole, no temporary file. */
    CHECK(cli("train --train d.csv --model dense:8192:relu,dense:2:softmax --epochs 1 "
              "--out mnt/m.safetensors") == 1);
    CHECK_MSG(strstr(output, "mnt/m.safetensors") != NULL &&
              strstr(output, "No space left on device") != NULL, "got: %s", output);
    CHECK(file_size("mnt/m.safetensors") == before);
    CHECK(cli("summary --model mnt/m.safetensors") == 0);
    CHECK(temp_files_in("mnt") == 0);
    /* Read-only: refused up front (exit 2, as every output found unwritable before any work),
     * nothing trained. */
    CHECK(mount(NULL, mnt, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0);
    CHECK_MSG(cli("train --train d.csv --model dense:2:softmax --epochs 1 --out mnt/n.safetensors") == 2, "got: %s", output);
    CHECK_MSG(strstr(output, "mnt/n.safetensors") != NULL &&
              strstr(output, "Read-only file system") != NULL && strstr(output, "Epoch") == NULL,
              "got: %s", output);
    CHECK(cli("predict --model mnt/m.safetensors --data d.csv --out mnt/p.csv") == 2);
    CHECK_MSG(strstr(output, "mnt/p.csv") != NULL && strstr(output, "Read-only file system") != NULL,
              "got: %s", output);
    /* Reading from it still works. */
    CHECK(cli("predict --model mnt/m.safetensors --data d.csv --out p.csv") == 0);
    CHECK(umount(mnt) == 0);
    CHECK(dn_test_remove_dir(dir));
}
