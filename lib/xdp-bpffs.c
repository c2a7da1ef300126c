/*
 * Copyright (c) 2026 The ovs-xdp authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at:
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

#include <config.h>

#include "xdp-bpffs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "openvswitch/vlog.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(xdp_bpffs);

/* Checks that 'root' is a mounted BPF filesystem.  On failure returns a
 * positive errno value and, in '*errorp', a message that says what to do;
 * the caller frees it. */
int
xdp_bpffs_check(const char *root, char **errorp)
{
    struct statfs st;

    *errorp = NULL;
    if (statfs(root, &st)) {
        int error = errno;

        *errorp = xasprintf("cannot access BPF filesystem %s (%s): mount "
                            "it with \"mount -t bpf bpf %s\" or set "
                            "other_config:xdp-bpffs", root,
                            ovs_strerror(error), root);
        return error;
    }
    if (st.f_type != BPF_FS_MAGIC) {
        *errorp = xasprintf("%s is not a BPF filesystem: mount it with "
                            "\"mount -t bpf bpf %s\" or set "
                            "other_config:xdp-bpffs", root, root);
        return ENOTSUP;
    }
    return 0;
}

/* Reads the pid that the owner of datapath directory 'dir' wrote there, or
 * 0 if there is none. */
static long
xdp_bpffs_read_owner(const char *dir)
{
    char *path = xasprintf("%s/owner", dir);
    char buf[32];
    ssize_t n = readlink(path, buf, sizeof buf - 1);

    free(path);
    if (n <= 0) {
        return 0;
    }
    buf[n] = '\0';
    return strtol(buf, NULL, 10);
}

/* Creates the directory of datapath 'dp_name' under '<root>/ovs-xdp/', with
 * mode 0700 so that only root can reach its pinned maps.  Stores its path in
 * '*dirp' (the caller frees it).
 *
 * Two ovs-vswitchd processes that see the same BPF filesystem (no mount
 * namespace of their own, or the same other_config:xdp-bpffs) would name
 * the same directory.  The directory is owned through an exclusive flock()
 * on it, held on '*lock_fdp' for as long as the datapath lives (the caller
 * closes it after removing the directory); the kernel drops it when the
 * process dies, so what a crashed owner left is taken over, while a live
 * owner makes this fail with EBUSY and a message naming its pid. */
int
xdp_bpffs_dp_dir_create(const char *root, const char *dp_name, char **dirp,
                        int *lock_fdp, char **errorp)
{
    char *parent;
    int error;
    int fd;

    *dirp = NULL;
    *lock_fdp = -1;
    error = xdp_bpffs_check(root, errorp);
    if (error) {
        return error;
    }

    parent = xasprintf("%s/ovs-xdp", root);
    if (mkdir(parent, 0700) && errno != EEXIST) {
        error = errno;
        *errorp = xasprintf("cannot create %s (%s)", parent,
                            ovs_strerror(error));
        free(parent);
        return error;
    }

    *dirp = xasprintf("%s/%s", parent, dp_name);
    free(parent);
    if (mkdir(*dirp, 0700) && errno != EEXIST) {
        error = errno;
        *errorp = xasprintf("cannot create %s (%s)", *dirp,
                            ovs_strerror(error));
        free(*dirp);
        *dirp = NULL;
        return error;
    }

    fd = open(*dirp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        error = errno;
        *errorp = xasprintf("cannot open %s (%s)", *dirp,
                            ovs_strerror(error));
        free(*dirp);
        *dirp = NULL;
        return error;
    }
    if (flock(fd, LOCK_EX | LOCK_NB)) {
        error = errno;
        if (error == EWOULDBLOCK) {
            long owner = xdp_bpffs_read_owner(*dirp);

            error = EBUSY;
            *errorp = xasprintf("%s belongs to another running ovs-vswitchd"
                                " (pid %ld): give each instance a BPF "
                                "filesystem of its own (a private mount "
                                "namespace, or other_config:xdp-bpffs)",
                                *dirp, owner);
        } else {
            *errorp = xasprintf("cannot lock %s (%s)", *dirp,
                                ovs_strerror(error));
        }
        close(fd);
        free(*dirp);
        *dirp = NULL;
        return error;
    }
    *lock_fdp = fd;
    return 0;
}

/* Records this process as the owner of datapath directory 'dir', for the
 * message that another instance gets (a symbolic link named "owner" whose
 * target is the pid).  Call it after clearing what a previous owner left. */
void
xdp_bpffs_dp_dir_set_owner(const char *dir)
{
    char *path = xasprintf("%s/owner", dir);
    char pid[32];

    snprintf(pid, sizeof pid, "%ld", (long) getpid());
    unlink(path);
    if (symlink(pid, path)) {
        VLOG_DBG("%s: cannot record the owner (%s)", path,
                 ovs_strerror(errno));
    }
    free(path);
}

/* Removes the datapath directory 'dir' and, once no datapath is left, the
 * shared 'ovs-xdp' directory above it.  Pinned objects must be unpinned
 * first. */
void
xdp_bpffs_dp_dir_remove(const char *dir)
{
    char *parent;

    if (rmdir(dir) && errno != ENOENT) {
        VLOG_WARN("%s: cannot remove (%s)", dir, ovs_strerror(errno));
        return;
    }
    parent = xstrdup(dir);
    char *slash = strrchr(parent, '/');
    if (slash) {
        *slash = '\0';
        /* Fails harmlessly while another datapath still has its directory. */
        rmdir(parent);
    }
    free(parent);
}
