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

#ifndef XDP_PROG_H
#define XDP_PROG_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xdp-abi.h"

/* The XDP program of one datapath: loaded once from the embedded skeleton,
 * its maps pinned under '<bpffs>/ovs-xdp/<datapath>/', attached to every
 * afxdp port of the datapath, and shared by them. */
struct xdp_prog;
struct xdp_flow_table;
struct ovs_xdp;

/* The datapath type whose afxdp ports run the program. */
#define XDP_DATAPATH_TYPE "xdp"

void xdp_prog_configure(const char *bpffs_root, uint32_t max_flows,
                        uint32_t max_masks);

struct xdp_prog *xdp_prog_ref(const char *dp_name, char **errorp);
void xdp_prog_unref(struct xdp_prog *);
struct xdp_prog *xdp_prog_find(const char *dp_name);
bool xdp_prog_any_loaded(void);
char *xdp_prog_dp_name_for_type(const char *dpif_type);
bool xdp_prog_tx_port_ok(const struct xdp_prog *, uint32_t ifindex);
void xdp_prog_set_sizes(struct ovs_xdp *, uint32_t n_flows, uint32_t n_masks);
struct xdp_flow_table_maps;
void xdp_prog_get_flow_maps(const struct ovs_xdp *,
                            struct xdp_flow_table_maps *);

struct xdp_policer_maps;
void xdp_prog_get_police_maps(struct ovs_xdp *, struct xdp_policer_maps *);

struct xdp_flow_table *xdp_prog_flow_table(const struct xdp_prog *);
struct xdp_policers *xdp_prog_policers(const struct xdp_prog *);
const char *xdp_prog_dp_name(const struct xdp_prog *);
void xdp_prog_rerank_all(void);
void xdp_prog_set_vlan_limit(int vlan_limit);
int xdp_prog_set_tx_port(struct xdp_prog *, int ifindex, bool deliverable);

uint32_t xdp_prog_id(const struct xdp_prog *);
uint64_t xdp_prog_meta_cookie(const struct xdp_prog *);
const char *xdp_prog_pin_dir(const struct xdp_prog *);
void xdp_prog_get_counters(const struct xdp_prog *,
                           uint64_t counters[XDP_ABI_N_COUNTERS]);

int xdp_prog_check_foreign(int ifindex, const char *devname,
                           uint32_t *stale_id, uint32_t *stale_flags,
                           char **errorp);
void xdp_prog_remove_stale(int ifindex, const char *devname);
int xdp_prog_attach(struct xdp_prog *, int ifindex, const char *devname,
                    uint32_t xdp_flags, char **errorp);
void xdp_prog_detach(struct xdp_prog *, int ifindex, const char *devname,
                     uint32_t xdp_flags);

int xdp_prog_slot_alloc(struct xdp_prog *);
void xdp_prog_slot_free(struct xdp_prog *, int slot);
int xdp_prog_skel_set_port(const struct ovs_xdp *, uint32_t ifindex,
                           const struct xdp_abi_port *);
int xdp_prog_set_port(struct xdp_prog *, int ifindex,
                      const struct xdp_abi_port *);
void xdp_prog_del_port(struct xdp_prog *, int ifindex);
int xdp_prog_set_xsk(struct xdp_prog *, int slot, int queue, int xsk_fd);
void xdp_prog_del_xsk(struct xdp_prog *, int slot, int queue);

struct xdp_check;
void xdp_prog_check(struct xdp_prog *, struct xdp_check *);
struct xdp_prog **xdp_prog_find_all(size_t *n);

void xdp_prog_cleanup_all(void);

struct xdp_ct_maps;
bool xdp_prog_ct_maps(const struct xdp_prog *, struct xdp_ct_maps *);
void xdp_prog_set_ct_sizes(struct ovs_xdp *, uint32_t n_conns);

#endif /* xdp-prog.h */
