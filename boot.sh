#! /bin/sh
# Generates configure and Makefile.in from configure.ac and Makefile.am.
set -e
autoreconf --install --force
