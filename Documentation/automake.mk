EXTRA_DIST += \
	Documentation/intro/install.rst \
	Documentation/topics/afxdp-port.rst \
	Documentation/topics/design.rst \
	Documentation/topics/testing.rst
