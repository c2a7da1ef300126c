noinst_LTLIBRARIES += lib/libovsxdp.la
lib_libovsxdp_la_SOURCES = \
	lib/dpif-xdp.c \
	lib/dpif-xdp.h \
	lib/dpif-xdp-unixctl.c \
	lib/netdev-offload-xdp.c \
	lib/netdev-offload-xdp.h \
	lib/netdev-xdp.c \
	lib/netdev-xdp.h \
	lib/netdev-xdp-police.c \
	lib/netdev-xdp-private.h \
	lib/netdev-xdp-qos.c \
	lib/netdev-xdp-qos-private.h \
	lib/netdev-xdp-qos-state.c \
	lib/netdev-xdp-setup.c \
	lib/netdev-xdp-shaper.c \
	lib/ovs-xdp.c \
	lib/ovs-xdp.h \
	lib/pifo.c \
	lib/pifo.h \
	lib/pifo-sched.c \
	lib/pifo-sched.h \
	lib/xdp-bpffs.c \
	lib/xdp-bpffs.h \
	lib/xdp-conntrack.c \
	lib/xdp-conntrack.h \
	lib/xdp-flow.c \
	lib/xdp-flow.h \
	lib/xdp-flow-table.c \
	lib/xdp-flow-table.h \
	lib/xdp-flow-table-check.c \
	lib/xdp-flow-table-private.h \
	lib/xdp-flow-table-rank.c \
	lib/xdp-flow-table-stats.c \
	lib/xdp-map.c \
	lib/xdp-map.h \
	lib/xdp-meta.c \
	lib/xdp-meta.h \
	lib/xdp-odp-actions.c \
	lib/xdp-odp-actions.h \
	lib/xdp-policer.c \
	lib/xdp-policer.h \
	lib/xdp-prog.c \
	lib/xdp-prog.h \
	lib/xdp-prog-ports.c \
	lib/xdp-prog-private.h \
	lib/xdp-umem.c \
	lib/xdp-umem.h \
	lib/xdp-veth.c \
	lib/xdp-veth.h \
	lib/xdp-xsk.c \
	lib/xdp-xsk.h
lib_libovsxdp_la_LIBADD = $(LIBBPF_LIBS) $(LIBXDP_LIBS)
# The XDP program's skeleton must exist before lib/xdp-prog.c compiles.
lib/xdp-prog.lo lib/xdp-prog-ports.lo: datapath-xdp/ovs-xdp.skel.h
