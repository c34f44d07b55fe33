# hull — one entry point for building, testing and measuring.
#
#   make            build build/bin/hull (and everything the fragments add)
#   make test       install missing Debian packages, build, run unit + e2e tests
#   make run        interactive /bin/sh in a container on the default rootfs
#   make rootfs     build the default rootfs into build/rootfs
#   make deps       install missing Debian packages (apt-get, as root)
#   make install    hull, hull-harness (hull-pool-run if built) and man pages into $(DESTDIR)$(PREFIX)
#   make clean      remove build/
#
# Each part of the project adds its own targets in a *.mk fragment next to
# its sources (core/core.mk, harness/harness.mk, bench/bench.mk, ...).

CC      ?= gcc
BUILD   ?= build
PREFIX  ?= /usr/local
MANDIR  ?= $(PREFIX)/share/man
PYTHON  ?= /usr/bin/python3
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
COMMIT  := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

WARNFLAGS := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wno-missing-field-initializers
CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 $(WARNFLAGS) -D_GNU_SOURCE -MMD -MP $(EXTRA_CFLAGS)
# Only the CLI carries the version, so a new commit rebuilds one object.
VERSION_FLAGS := -DHULL_VERSION='"$(VERSION)"' -DHULL_COMMIT='"$(COMMIT)"'
LDFLAGS   ?=

BIN := $(BUILD)/bin
OBJ := $(BUILD)/obj

.SECONDARY:
.PHONY: all test unit e2e run rootfs deps install clean
all:

$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

include core/core.mk
include harness/harness.mk
include $(filter-out harness/harness.mk harness/harness-lib.mk,$(wildcard harness/*.mk bench/*.mk ci/*.mk tests/*/*.mk vm/*.mk))

include rootfs/rootfs.mk
include harness/harness-lib.mk

deps:
	@ci/deps.sh

test: deps
	$(MAKE) all rootfs
	$(MAKE) unit
	$(MAKE) e2e

e2e: all rootfs
	HULL_BUILD=$(BUILD) $(PYTHON) -m pytest -q tests/e2e

run: all rootfs
	$(BIN)/hull run $(BUILD)/rootfs /bin/sh

# Binaries and man pages; DESTDIR for staging (packages, tests).
install: all
	install -D -m 0755 $(BIN)/hull $(DESTDIR)$(PREFIX)/bin/hull
	install -D -m 0755 $(BIN)/hull-harness $(DESTDIR)$(PREFIX)/bin/hull-harness
	if [ -x $(BIN)/hull-pool-run ]; then install -D -m 0755 $(BIN)/hull-pool-run $(DESTDIR)$(PREFIX)/bin/hull-pool-run; fi
	install -D -m 0644 core/cli/hull.1 $(DESTDIR)$(MANDIR)/man1/hull.1
	install -D -m 0644 harness/hull-harness.1 $(DESTDIR)$(MANDIR)/man1/hull-harness.1

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# One .clang-format for all C; CI runs format-check.
C_SOURCES = $(shell git ls-files '*.c' '*.h' '*.cc' 2>/dev/null)
.PHONY: format format-check
format:
	clang-format -i $(C_SOURCES)
format-check:
	@bad=$$(for f in $(C_SOURCES); do clang-format "$$f" | cmp -s - "$$f" || echo "$$f"; done); \
	if [ -n "$$bad" ]; then echo "format-check: not formatted (run make format):"; echo "$$bad"; exit 1; fi
