# Set-up, benchmark and traffic scripts.

EXTRA_DIST += utilities/ovs-xdp-bench.sh
