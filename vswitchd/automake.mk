# Upstream's ovs-vswitchd objects, linked with ovs-xdp's providers.
# --wrap lets vswitchd/ovs-xdp-vswitchd.c register them in upstream's main().
sbin_PROGRAMS += vswitchd/ovs-vswitchd
vswitchd_ovs_vswitchd_SOURCES = vswitchd/ovs-xdp-vswitchd.c
vswitchd_ovs_vswitchd_LDADD = \
	$(OVS_BUILDDIR)/vswitchd/bridge.$(OBJEXT) \
	$(OVS_BUILDDIR)/vswitchd/ovs-vswitchd.$(OBJEXT) \
	$(OVS_BUILDDIR)/vswitchd/system-stats.$(OBJEXT) \
	lib/libovsxdp.la \
	$(OVS_LIBS)
vswitchd_ovs_vswitchd_LDFLAGS = \
	-Wl,--wrap=bridge_init -Wl,--wrap=ovs_print_version
