# The XDP program: compiled with clang for the BPF target and embedded in
# ovs-vswitchd as a bpftool skeleton, so nothing is loaded from a path at
# run time.

XDP_BPF_HDRS = \
	datapath-xdp/xdp-abi.h \
	datapath-xdp/xdp-actions.h \
	datapath-xdp/xdp-classify.h \
	datapath-xdp/xdp-conntrack.h \
	datapath-xdp/xdp-ct-abi.h \
	datapath-xdp/xdp-flow-abi.h \
	datapath-xdp/xdp-parse.h \
	datapath-xdp/xdp-police.h \
	datapath-xdp/xdp-police-abi.h

EXTRA_DIST += \
	datapath-xdp/ovs-xdp.bpf.c \
	$(XDP_BPF_HDRS)

BPF_CFLAGS = -g -O2 -target bpf -Wall -Werror \
	-I$(top_srcdir)/datapath-xdp $(BPF_ARCH_INCLUDES) $(LIBBPF_CFLAGS)

datapath-xdp/ovs-xdp.bpf.o: datapath-xdp/ovs-xdp.bpf.c $(XDP_BPF_HDRS)
	$(AM_V_GEN)$(MKDIR_P) datapath-xdp && \
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

datapath-xdp/ovs-xdp.skel.h: datapath-xdp/ovs-xdp.bpf.o
	$(AM_V_GEN)$(BPFTOOL) gen skeleton $< name ovs_xdp > $@.tmp && \
	mv $@.tmp $@

BUILT_SOURCES += datapath-xdp/ovs-xdp.skel.h
CLEANFILES += datapath-xdp/ovs-xdp.bpf.o datapath-xdp/ovs-xdp.skel.h

# The programs of the live-frames packet rate benchmark (generator, sink,
# bare-redirect baseline), embedded in utilities/ovs-xdp-pktgen.
EXTRA_DIST += datapath-xdp/xdp-pktgen.bpf.c

datapath-xdp/xdp-pktgen.bpf.o: datapath-xdp/xdp-pktgen.bpf.c
	$(AM_V_GEN)$(MKDIR_P) datapath-xdp && \
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

datapath-xdp/xdp-pktgen.skel.h: datapath-xdp/xdp-pktgen.bpf.o
	$(AM_V_GEN)$(BPFTOOL) gen skeleton $< name ovs_xdp_pktgen > $@.tmp && \
	mv $@.tmp $@

BUILT_SOURCES += datapath-xdp/xdp-pktgen.skel.h
CLEANFILES += datapath-xdp/xdp-pktgen.bpf.o datapath-xdp/xdp-pktgen.skel.h
