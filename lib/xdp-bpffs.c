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
#include <linux/magic.h>
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

/* Creates the directory of datapath 'dp_name' under '<root>/ovs-xdp/', with
 * mode 0700 so that only root can reach its pinned maps.  Stores its path in
 * '*dirp' (the caller frees it). */
int
xdp_bpffs_dp_dir_create(const char *root, const char *dp_name, char **dirp,
                        char **errorp)
{
    char *parent;
    int error;

    *dirp = NULL;
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
    return 0;
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
