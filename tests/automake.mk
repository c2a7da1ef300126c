# Unit tests (make check) and system tests (make check-afxdp), in OVS's
# autotest style.  The macros and OVS's system-traffic.at are read from the
# OVS source tree, unchanged.

EXTRA_DIST += \
	$(TESTSUITE_AT) \
	$(SYSTEM_XDP_TESTSUITE_AT) \
	tests/system-xdp-gro-testsuite.at \
	tests/atlocal.in \
	tests/compare-quick.csv \
	tests/xdp-corpus.py \
	tests/xdp-ct.py \
	tests/xdp-frames.py \
	tests/xdp-rate.py \
	tests/xdp-udp-stream.py
DISTCLEANFILES += tests/atconfig tests/atlocal

TESTSUITE_AT = \
	tests/testsuite.at \
	tests/dpif-xdp.at \
	tests/xdp-macros.at \
	tests/xdp-prog.at \
	tests/xdp-parse.at \
	tests/xdp-lookup.at \
	tests/xdp-rewrite.at \
	tests/xdp-meta.at \
	tests/xdp-flow.at \
	tests/xdp-flow-table.at \
	tests/xdp-actions.at \
	tests/xdp-offload.at \
	tests/xdp-conntrack.at \
	tests/xdp-ct.at \
	tests/pifo.at \
	tests/xdp-policer.at \
	tests/compare-report.at

SYSTEM_XDP_TESTSUITE_AT = \
	tests/system-xdp-testsuite.at \
	tests/system-xdp-macros.at \
	tests/system-xdp.at \
	tests/system-xdp-churn.at \
	tests/system-xdp-difftest.at \
	tests/system-xdp-qos.at \
	tests/system-xdp-conntrack.at \
	tests/system-xdp-ovn.at

TESTSUITE = $(srcdir)/tests/testsuite
SYSTEM_XDP_TESTSUITE = $(srcdir)/tests/system-xdp-testsuite
SYSTEM_XDP_GRO_TESTSUITE = $(srcdir)/tests/system-xdp-gro-testsuite
CLEANFILES += $(TESTSUITE) $(SYSTEM_XDP_TESTSUITE) \
	$(SYSTEM_XDP_GRO_TESTSUITE) tests/package.m4

# Our ovs-vswitchd comes first; every other tool is OVS's.  OVS's own
# vswitchd directory is deliberately absent.
AUTOTEST_PATH = $(abs_top_builddir)/vswitchd:$(abs_top_builddir)/tests:$(abs_top_builddir)/utilities:$(OVS_BUILDDIR)/utilities:$(OVS_BUILDDIR)/ovsdb:$(OVS_BUILDDIR)/tests

AUTOTEST = $(AUTOM4TE) --language=autotest
AUTOM4TE = autom4te

tests/package.m4: $(top_srcdir)/configure.ac
	$(AM_V_GEN):;{ \
	  echo '# Signature of the current package.' && \
	  echo 'm4_define([AT_PACKAGE_NAME],      [$(PACKAGE_NAME)])' && \
	  echo 'm4_define([AT_PACKAGE_TARNAME],   [$(PACKAGE_TARNAME)])' && \
	  echo 'm4_define([AT_PACKAGE_VERSION],   [$(PACKAGE_VERSION)])' && \
	  echo 'm4_define([AT_PACKAGE_STRING],    [$(PACKAGE_STRING)])' && \
	  echo 'm4_define([AT_PACKAGE_BUGREPORT], [$(PACKAGE_BUGREPORT)])'; \
	} >$@.tmp && mv $@.tmp $@

$(TESTSUITE): tests/package.m4 $(TESTSUITE_AT)
	$(AM_V_GEN)$(AUTOTEST) -I '$(srcdir)' -I tests -I '$(OVS_SRCDIR)' \
	  -o $@.tmp $@.at && mv $@.tmp $@

$(SYSTEM_XDP_TESTSUITE): tests/package.m4 $(SYSTEM_XDP_TESTSUITE_AT)
	$(AM_V_GEN)$(AUTOTEST) -I '$(srcdir)' -I tests -I '$(OVS_SRCDIR)' \
	  -o $@.tmp $@.at && mv $@.tmp $@

$(SYSTEM_XDP_GRO_TESTSUITE): tests/package.m4 \
		tests/system-xdp-gro-testsuite.at tests/system-xdp-macros.at
	$(AM_V_GEN)$(AUTOTEST) -I '$(srcdir)' -I tests -I '$(OVS_SRCDIR)' \
	  -o $@.tmp $@.at && mv $@.tmp $@

noinst_PROGRAMS += tests/ovstest-xdp
tests_ovstest_xdp_SOURCES = \
	tests/test-dpif-xdp.c \
	tests/test-pifo.c \
	tests/test-pifo.h \
	tests/test-pifo-sched.c \
	tests/test-xdp-actions.c \
	tests/test-xdp-conntrack.c \
	tests/test-xdp-ct.c \
	tests/test-xdp-flow.c \
	tests/test-xdp-flow-table.c \
	tests/test-xdp-lookup.c \
	tests/test-xdp-meta.c \
	tests/test-xdp-offload.c \
	tests/test-xdp-parse.c \
	tests/test-xdp-policer.c \
	tests/test-xdp-prog.c \
	tests/test-xdp-rewrite.c \
	tests/xdp-test-harness.c \
	tests/xdp-test-harness.h \
	tests/xdp-test-packet.c \
	tests/xdp-test-packet.h \
	tests/xdp-test-random-actions.c \
	tests/xdp-test-random-actions.h \
	tests/xdp-test-random-packet.c \
	tests/xdp-test-random-packet.h
tests_ovstest_xdp_CPPFLAGS = $(AM_CPPFLAGS) -I$(OVS_SRCDIR)/tests
tests_ovstest_xdp_LDADD = \
	$(OVS_BUILDDIR)/tests/ovstest.$(OBJEXT) \
	lib/libovsxdp.la \
	$(OVS_LIBS)

check-local: $(TESTSUITE) tests/atconfig tests/atlocal
	$(SHELL) '$(TESTSUITE)' -C tests AUTOTEST_PATH='$(AUTOTEST_PATH)' \
	  $(TESTSUITEFLAGS)

# System tests share names (namespaces, veths), so they run one at a time.
# OVS's system-traffic.at runs twice: with GRO off in the namespaces, as
# OVS's tests leave it (flows that output to a namespace are partial), and
# with GRO on (they run fully in XDP).  check-afxdp-gro runs the second
# only.  RECHECK=yes runs the tests that failed once more, as OVS's
# check-system-userspace does: some of OVS's tests race packets against
# flow table changes (see Documentation/topics/testing.rst).  Each run is
# announced by a "check-afxdp: run|recheck SUITE" line, which
# utilities/ovs-xdp-check.sh reads to sum up the results.
SYSTEM_XDP_RUN = \
	run() { \
	  echo "check-afxdp: run $$1"; \
	  $(SHELL) "$$1" -C tests AUTOTEST_PATH='$(AUTOTEST_PATH)' \
	    $(TESTSUITEFLAGS) -j1 && return 0; \
	  test X'$(RECHECK)' = Xyes || return 1; \
	  echo "check-afxdp: recheck $$1"; \
	  $(SHELL) "$$1" -C tests AUTOTEST_PATH='$(AUTOTEST_PATH)' --recheck; \
	}

check-afxdp: all $(SYSTEM_XDP_TESTSUITE) $(SYSTEM_XDP_GRO_TESTSUITE) \
		tests/atconfig tests/atlocal
	@$(SYSTEM_XDP_RUN); status=0; \
	run '$(SYSTEM_XDP_TESTSUITE)' || status=1; \
	run '$(SYSTEM_XDP_GRO_TESTSUITE)' || status=1; \
	exit $$status

check-afxdp-gro: all $(SYSTEM_XDP_GRO_TESTSUITE) tests/atconfig tests/atlocal
	@$(SYSTEM_XDP_RUN); run '$(SYSTEM_XDP_GRO_TESTSUITE)'

clean-local:
	test ! -f '$(TESTSUITE)' || $(SHELL) '$(TESTSUITE)' -C tests --clean
	test ! -f '$(SYSTEM_XDP_GRO_TESTSUITE)' || \
	  $(SHELL) '$(SYSTEM_XDP_GRO_TESTSUITE)' -C tests --clean
	test ! -f '$(SYSTEM_XDP_TESTSUITE)' || \
	  $(SHELL) '$(SYSTEM_XDP_TESTSUITE)' -C tests --clean

.PHONY: check-afxdp check-afxdp-gro

# OVS's own afxdp testsuite, for comparison: utilities/ovs-xdp-upstream-
# afxdp.sh.
EXTRA_DIST += \
	tests/upstream/afxdp-noise.at \
	tests/upstream/system-afxdp-cmp.at
