# Documentation, reStructuredText as in Open vSwitch.
EXTRA_DIST += \
	Documentation/howto/ovn.rst \
	Documentation/howto/qos.rst \
	Documentation/intro/install.rst \
	Documentation/topics/afxdp-port.rst \
	Documentation/topics/design.rst \
	Documentation/topics/qos.rst \
	Documentation/topics/testing.rst \
	Documentation/topics/xdp-flow-table.rst
