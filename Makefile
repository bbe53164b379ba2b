# Builds libanneal.so with SwiftPM and installs it with its header and a pkg-config file.
#
#   make                                   swift build -c release (scratch path $(SCRATCH))
#   make install PREFIX=/usr/local         installs include/anneal.h, lib/libanneal.so, lib/pkgconfig/anneal.pc
#   make uninstall PREFIX=/usr/local
#
# Then: cc prog.c $(pkg-config --cflags --libs anneal)   (with PKG_CONFIG_PATH=$(PREFIX)/lib/pkgconfig
# when PREFIX is not a system prefix). The release libanneal.so carries the Swift runtime inside
# (`-static-stdlib`, set for the `anneal` product in Package.swift): it needs only the system's C and C++
# runtime and loads on a machine without the Swift toolchain. CONFIGURATION=debug installs a library that
# needs the toolchain's shared runtime.

PREFIX        ?= /usr/local
CONFIGURATION ?= release
SCRATCH       ?= .build
SWIFT         ?= swift
INSTALL       ?= install
VERSION       := $(shell sed -n 's/^\#define ANNEAL_VERSION_STRING "\(.*\)"/\1/p' include/anneal.h)
LIBRARY       := $(SCRATCH)/$(CONFIGURATION)/libanneal.so

all: $(LIBRARY)

$(LIBRARY): Package.swift include/anneal.h include/module.modulemap $(wildcard Sources/*/*.swift Sources/*/*/*.swift Sources/*/*/*/*.swift)
	$(SWIFT) build -c $(CONFIGURATION) --scratch-path $(SCRATCH) --product anneal

anneal.pc: anneal.pc.in include/anneal.h
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' anneal.pc.in > anneal.pc

install: $(LIBRARY) anneal.pc
	$(INSTALL) -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	$(INSTALL) -m 644 include/anneal.h $(DESTDIR)$(PREFIX)/include/anneal.h
	$(INSTALL) -m 755 $(LIBRARY) $(DESTDIR)$(PREFIX)/lib/libanneal.so
	$(INSTALL) -m 644 anneal.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/anneal.pc
	rm -f anneal.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/include/anneal.h $(DESTDIR)$(PREFIX)/lib/libanneal.so \
	      $(DESTDIR)$(PREFIX)/lib/pkgconfig/anneal.pc

.PHONY: all install uninstall
