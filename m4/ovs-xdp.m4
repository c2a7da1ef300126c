# Copyright (c) 2026 The ovs-xdp authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at:
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

dnl OVS_XDP_CHECK_OVS
dnl
dnl Finds the Open vSwitch source and build trees that ovs-xdp builds
dnl against, as OVN does.  Both default to ./ovs, where
dnl utilities/ovs-xdp-build-ovs.sh unpacks and builds Debian's
dnl openvswitch-source.
AC_DEFUN([OVS_XDP_CHECK_OVS], [
  AC_ARG_WITH([ovs-source],
    [AS_HELP_STRING([--with-ovs-source=DIR],
                    [Open vSwitch source tree (default: ./ovs)])],
    [OVS_SRCDIR=$withval], [OVS_SRCDIR=`cd $srcdir && pwd`/ovs])
  AC_ARG_WITH([ovs-build],
    [AS_HELP_STRING([--with-ovs-build=DIR],
                    [Open vSwitch build tree (default: the source tree)])],
    [OVS_BUILDDIR=$withval], [OVS_BUILDDIR=$OVS_SRCDIR])

  AC_MSG_CHECKING([for the Open vSwitch source tree])
  test -d "$OVS_SRCDIR" && OVS_SRCDIR=`cd "$OVS_SRCDIR" && pwd`
  if test ! -f "$OVS_SRCDIR/lib/dpif-provider.h"; then
    AC_MSG_ERROR([$OVS_SRCDIR is not an Open vSwitch source tree; run utilities/ovs-xdp-build-ovs.sh or give --with-ovs-source])
  fi
  AC_MSG_RESULT([$OVS_SRCDIR])

  AC_MSG_CHECKING([for the Open vSwitch build tree])
  test -d "$OVS_BUILDDIR" && OVS_BUILDDIR=`cd "$OVS_BUILDDIR" && pwd`
  for f in config.h lib/libopenvswitch.la ofproto/libofproto.la \
           vswitchd/bridge.o vswitchd/ovs-vswitchd.o tests/ovstest.o; do
    if test ! -f "$OVS_BUILDDIR/$f"; then
      AC_MSG_ERROR([$OVS_BUILDDIR/$f is missing: build Open vSwitch first (utilities/ovs-xdp-build-ovs.sh) or give --with-ovs-build])
    fi
  done
  AC_MSG_RESULT([$OVS_BUILDDIR])

  AC_MSG_CHECKING([the Open vSwitch version])
  OVS_VERSION=`sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$OVS_BUILDDIR/config.h"`
  AC_MSG_RESULT([$OVS_VERSION])
  case $OVS_VERSION in
    3.[[1-6]].*) ;;
    *) AC_MSG_ERROR([ovs-xdp builds on Open vSwitch 3.1 to 3.6, not $OVS_VERSION]) ;;
  esac

  AC_MSG_CHECKING([whether Open vSwitch was built with AF_XDP])
  if grep -q '^#define HAVE_AF_XDP 1' "$OVS_BUILDDIR/config.h"; then
    AC_MSG_RESULT([yes])
  else
    AC_MSG_RESULT([no])
    AC_MSG_ERROR([Open vSwitch must be configured with --enable-afxdp (its umem pool and AF_XDP packet buffers are used)])
  fi

  AC_SUBST([OVS_SRCDIR])
  AC_SUBST([OVS_BUILDDIR])
  AC_SUBST([OVS_VERSION])
])

dnl OVS_XDP_CHECK_BPF
dnl
dnl Checks for what the XDP side needs: clang for -target bpf, bpftool to
dnl embed the object as a skeleton, libbpf and libxdp.
AC_DEFUN([OVS_XDP_CHECK_BPF], [
  AC_ARG_VAR([CLANG], [clang used to compile the BPF program])
  AC_ARG_VAR([BPFTOOL], [bpftool used to generate the BPF skeleton])
  AC_PATH_PROGS([CLANG], [clang clang-16 clang-15 clang-14], [no])
  if test "$CLANG" = no; then
    AC_MSG_ERROR([clang is required to compile the XDP program (apt-get install clang)])
  fi
  AC_PATH_PROG([BPFTOOL], [bpftool], [no], [$PATH:/usr/sbin:/sbin])
  if test "$BPFTOOL" = no; then
    AC_MSG_ERROR([bpftool is required to embed the XDP program (apt-get install bpftool)])
  fi
  PKG_CHECK_MODULES([LIBBPF], [libbpf >= 0.7], [],
    [AC_MSG_ERROR([libbpf is required (apt-get install libbpf-dev)])])
  PKG_CHECK_MODULES([LIBXDP], [libxdp >= 1.2], [],
    [AC_MSG_ERROR([libxdp is required (apt-get install libxdp-dev)])])

  dnl Multiarch include directory for <asm/types.h> under -target bpf.
  BPF_ARCH_INCLUDES=
  multiarch=`$CC -print-multiarch 2>/dev/null`
  if test -n "$multiarch" && test -d "/usr/include/$multiarch"; then
    BPF_ARCH_INCLUDES="-I/usr/include/$multiarch"
  fi
  AC_SUBST([BPF_ARCH_INCLUDES])
])

dnl OVS_XDP_ENABLE_WERROR
AC_DEFUN([OVS_XDP_ENABLE_WERROR], [
  AC_ARG_ENABLE([Werror],
    [AS_HELP_STRING([--enable-Werror], [Treat compiler warnings as errors])],
    [], [enable_Werror=no])
  if test "$enable_Werror" = yes; then
    WERROR=-Werror
  else
    WERROR=
  fi
  AC_SUBST([WERROR])
])
