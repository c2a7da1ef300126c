# Set-up, demo, test, benchmark and comparison scripts.
EXTRA_DIST += \
	utilities/ovs-xdp-bench-idle.sh \
	utilities/ovs-xdp-bench.sh \
	utilities/ovs-xdp-build.sh \
	utilities/ovs-xdp-check.sh \
	utilities/ovs-xdp-demo.sh \
	utilities/ovs-xdp-sandbox.sh \
	utilities/ovs-xdp-upstream-afxdp.sh
