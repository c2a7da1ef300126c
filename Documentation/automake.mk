# Documentation, reStructuredText as in Open vSwitch.

EXTRA_DIST += Documentation/topics/xdp-flow-table.rst
