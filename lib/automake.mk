noinst_LTLIBRARIES += lib/libovsxdp.la
lib_libovsxdp_la_SOURCES = \
	lib/dpif-xdp.c \
	lib/dpif-xdp.h \
	lib/ovs-xdp.c \
	lib/ovs-xdp.h \
	lib/xdp-bpffs.c \
	lib/xdp-bpffs.h \
	lib/xdp-flow.c \
	lib/xdp-flow.h
lib_libovsxdp_la_LIBADD = $(LIBBPF_LIBS) $(LIBXDP_LIBS)
