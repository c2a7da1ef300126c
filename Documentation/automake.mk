# Documentation, reStructuredText as in Open vSwitch.
EXTRA_DIST += \
	Documentation/howto/ovn.rst \
	Documentation/howto/qos.rst \
	Documentation/intro/install.rst \
	Documentation/topics/afxdp-port.rst \
	Documentation/topics/conntrack-offload.rst \
	Documentation/topics/design.rst \
	Documentation/topics/qos.rst \
	Documentation/topics/testing.rst \
	Documentation/topics/xdp-flow-table.rst

# The benchmarks, and the full run of utilities/ovs-xdp-compare.sh.
EXTRA_DIST += \
	Documentation/topics/benchmarks.rst \
	Documentation/topics/benchmarks/compare/results.csv \
	Documentation/topics/benchmarks/compare/results.md \
	Documentation/topics/benchmarks/compare/bpf_maps_kb.png \
	Documentation/topics/benchmarks/compare/cpu_softirq.png \
	Documentation/topics/benchmarks/compare/cpu_vswitchd.png \
	Documentation/topics/benchmarks/compare/first_rtt_ms.png \
	Documentation/topics/benchmarks/compare/gbps.png \
	Documentation/topics/benchmarks/compare/loss.png \
	Documentation/topics/benchmarks/compare/megaflows.png \
	Documentation/topics/benchmarks/compare/mpps.png \
	Documentation/topics/benchmarks/compare/rss_kb.png \
	Documentation/topics/benchmarks/compare/setup_rate.png \
	Documentation/topics/benchmarks/compare/tcp_gbps.png
