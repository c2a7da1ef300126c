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

#ifndef XDP_BPFFS_H
#define XDP_BPFFS_H 1

/* The BPF filesystem, where each xdp datapath pins its program and maps
 * under a directory of its own that only root can read. */

#define XDP_BPFFS_DEFAULT "/sys/fs/bpf"

int xdp_bpffs_check(const char *root, char **errorp);
int xdp_bpffs_dp_dir_create(const char *root, const char *dp_name,
                            char **dirp, int *lock_fdp, char **errorp);
void xdp_bpffs_dp_dir_set_owner(const char *dir);
void xdp_bpffs_dp_dir_remove(const char *dir);

#endif /* xdp-bpffs.h */
