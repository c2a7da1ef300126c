# Set-up, demo, test, benchmark and comparison scripts.
EXTRA_DIST += \
	utilities/ovs-xdp-bench-burst.sh \
	utilities/ovs-xdp-bench-idle.sh \
	utilities/ovs-xdp-bench-lib.sh \
	utilities/ovs-xdp-bench-qos.sh \
	utilities/ovs-xdp-bench.sh \
	utilities/ovs-xdp-build.sh \
	utilities/ovs-xdp-check.sh \
	utilities/ovs-xdp-compare-report.py \
	utilities/ovs-xdp-compare.sh \
	utilities/ovs-xdp-demo.sh \
	utilities/ovs-xdp-ovn-demo.sh \
	utilities/ovs-xdp-ovn-lib.sh \
	utilities/ovs-xdp-sandbox.sh \
	utilities/ovs-xdp-upstream-afxdp.sh

# Live-frames packet generator of utilities/ovs-xdp-bench-live.sh (and
# of ovs-xdp-bench-qos.sh).
noinst_PROGRAMS += utilities/ovs-xdp-pktgen
utilities_ovs_xdp_pktgen_SOURCES = utilities/ovs-xdp-pktgen.c
utilities_ovs_xdp_pktgen_LDADD = \
	$(OVS_BUILDDIR)/lib/libopenvswitch.la \
	$(LIBBPF_LIBS)
# Built before the tool even when it is made alone.
utilities/ovs-xdp-pktgen.$(OBJEXT): datapath-xdp/xdp-pktgen.skel.h
EXTRA_DIST += utilities/ovs-xdp-bench-live.sh

# BPF_PROG_RUN benchmark of the XDP program, run by
# utilities/ovs-xdp-bench.sh; it loads the program with the tests' harness.
noinst_PROGRAMS += utilities/ovs-xdp-bench-prog
utilities_ovs_xdp_bench_prog_SOURCES = \
	utilities/ovs-xdp-bench-prog.c \
	tests/xdp-test-harness.c \
	tests/xdp-test-harness.h \
	tests/xdp-test-packet.c \
	tests/xdp-test-packet.h
utilities_ovs_xdp_bench_prog_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
utilities_ovs_xdp_bench_prog_LDADD = \
	lib/libovsxdp.la \
	$(OVS_LIBS)

# PIFO benchmark: lib/pifo.c next to OVS's lib/heap.c.
noinst_PROGRAMS += utilities/ovs-xdp-pifo
utilities_ovs_xdp_pifo_SOURCES = utilities/ovs-xdp-pifo.c
utilities_ovs_xdp_pifo_LDADD = \
	lib/libovsxdp.la \
	$(OVS_BUILDDIR)/lib/libopenvswitch.la

# Loads every BPF program into the running kernel and runs packets through
# it; utilities/ovs-xdp-kernel-check.sh runs it, statically linked, in a
# virtual machine under Debian 12's kernel 6.1 ("make check-kernel").
noinst_PROGRAMS += utilities/ovs-xdp-kernel-check
utilities_ovs_xdp_kernel_check_SOURCES = utilities/ovs-xdp-kernel-check.c
utilities_ovs_xdp_kernel_check_LDFLAGS = -all-static
utilities_ovs_xdp_kernel_check_LDADD = -lbpf -lelf -lz
EXTRA_DIST += utilities/ovs-xdp-kernel-check.sh

check-kernel: utilities/ovs-xdp-kernel-check datapath-xdp/ovs-xdp.bpf.o \
		datapath-xdp/xdp-pktgen.bpf.o
	$(SHELL) '$(srcdir)/utilities/ovs-xdp-kernel-check.sh' \
	  utilities/ovs-xdp-kernel-check datapath-xdp/ovs-xdp.bpf.o \
	  datapath-xdp/xdp-pktgen.bpf.o
.PHONY: check-kernel

# ovs-xdp beside upstream OVS afxdp, the Linux bridge and a bare redirect
# (Documentation/topics/benchmarks.rst).  Root; not a test.  E.g.
#   flock -o /tmp/ovs-xdp-systest.lock make bench BENCHFLAGS=--quick
bench: all
	OVS_BUILDDIR='$(OVS_BUILDDIR)' \
	  $(SHELL) '$(srcdir)/utilities/ovs-xdp-compare.sh' $(BENCHFLAGS)
.PHONY: bench
