# core/musl/: building programs with musl instead of glibc (core/README.md,
# "Two C libraries").
#
#   make                      hull (and hull-floor) with musl when its
#                             libraries are built (ci/musl-deps.sh), else glibc
#   make HULL_LIBC=glibc      hull with glibc, as the sanitizer and coverage
#                             builds do (musl has no ASan runtime)
#   make HULL_LIBC=musl       musl or an error
#
# Why: glibc's startup runs dozens of cpuid instructions; where KVM traps
# cpuid (this build VM: ~38 us each) every exec of a static glibc program
# pays ~1.3 ms before main, musl's startup none. hull is exec'd once per
# `hull run` and once per create, start and delete under an engine.
#
# The musl objects go to $(MUSL_OBJ), compiled with $(MUSL_CC) and their own
# flags (not $(CFLAGS): instrumentation is for the glibc build). Every musl
# translation unit includes core/musl/compat.h first (the glibc functions
# musl 1.2.3 lacks, as raw system calls). musl-gcc searches musl's headers
# only: the kernel's (linux/, asm/, asm-generic/) come from the host's
# through a directory of links, $(MUSL_INC). Users: hull (core/core.mk),
# hull-floor (bench/bench.mk), hull-pool-run (core/pool-run/pool-run.mk).
MUSL_CC  ?= musl-gcc
MUSL_OBJ := $(BUILD)/obj-musl
MUSL_INC := $(BUILD)/musl-include
MUSL_ASM_DIR := $(firstword $(wildcard /usr/include/$(shell uname -m)-linux-gnu/asm /usr/include/asm))
MUSL_CC_FOUND := $(if $(shell command -v $(MUSL_CC) 2>/dev/null),yes)

# How hull's libc is chosen, saved in $(HULL_LIBC_STAMP) as "LIBC HOW
# PREFIX" (core/core.mk writes it; tests/e2e/test_libc.py reads it): HOW is
# default, chosen (HULL_LIBC= given) or instrumented (make sanitize, make
# coverage: glibc, musl has no sanitizer runtime). A build dir keeps a libc
# chosen on purpose: a later plain make there (the bench and install tests
# run one in the sanitizer's and coverage's build dirs) must not relink
# their glibc hull with musl.
HULL_LIBC_STAMP := $(BUILD)/libc.stamp
MUSL_INSTRUMENTED := $(SANITIZE)$(findstring --coverage,$(EXTRA_CFLAGS) $(LDFLAGS))
ifneq ($(HULL_LIBC),)
HULL_LIBC_HOW := chosen
else
HULL_LIBC_SAVED := $(shell cat $(HULL_LIBC_STAMP) 2>/dev/null)
ifneq ($(filter chosen instrumented,$(word 2,$(HULL_LIBC_SAVED))),)
HULL_LIBC := $(word 1,$(HULL_LIBC_SAVED))
HULL_LIBC_HOW := $(word 2,$(HULL_LIBC_SAVED))
else ifneq ($(MUSL_INSTRUMENTED),)
HULL_LIBC := glibc
HULL_LIBC_HOW := instrumented
else
HULL_LIBC_HOW := default
endif
endif

# The prefix of the musl builds of libseccomp, libcap, json-c, libnl and
# nettle, outside the checkout (ci/musl-deps.sh builds it when missing).
# Asked for unless hull is glibc or the goals build nothing.
MUSL_NO_BUILD_GOALS := clean format format-check deps
MUSL_WANTED := $(if $(filter-out glibc,$(HULL_LIBC)),yes)
ifeq ($(HULL_LIBC),)
MUSL_WANTED := $(if $(filter-out $(MUSL_NO_BUILD_GOALS),$(or $(MAKECMDGOALS),all)),yes)
endif
MUSL_DEPS :=
ifeq ($(MUSL_WANTED)$(MUSL_CC_FOUND),yesyes)
MUSL_DEPS := $(shell ci/musl-deps.sh --auto)
endif
MUSL_VERSION := $(if $(MUSL_DEPS),$(shell cat $(MUSL_DEPS)/musl-version))

HULL_LIBC ?= $(if $(MUSL_DEPS),musl,glibc)
# "musl 1.2.3" or "glibc 2.36": hull --version, the reports' context.
HULL_LIBC_NAME = $(if $(filter musl,$(HULL_LIBC)),musl $(MUSL_VERSION),$(GLIBC_NAME))
GLIBC_NAME = $(or $(shell getconf GNU_LIBC_VERSION 2>/dev/null),glibc)
ifeq ($(filter $(HULL_LIBC),glibc musl),)
$(error HULL_LIBC must be glibc or musl, not '$(HULL_LIBC)')
endif
ifeq ($(HULL_LIBC)$(MUSL_DEPS),musl)
$(error HULL_LIBC=musl: the musl libraries are not built (run ci/musl-deps.sh or make deps))
endif

# EXTRA_CFLAGS (test switches such as -DHULL_TEST_DELAY_US) reach the musl
# objects when hull is musl; an instrumented build's do not.
MUSL_CFLAGS := -O2 -g -std=gnu11 $(WARNFLAGS) -D_GNU_SOURCE -MMD -MP \
               -include core/musl/compat.h -isystem core/musl/include -isystem $(MUSL_INC) \
               $(if $(MUSL_DEPS),-isystem $(MUSL_DEPS)/include) \
               $(if $(filter musl,$(HULL_LIBC)),$(EXTRA_CFLAGS))
MUSL_LDFLAGS := -static $(if $(MUSL_DEPS),-L$(MUSL_DEPS)/lib)

$(MUSL_INC)/.stamp:
	@mkdir -p $(dir $@)
	ln -sfn /usr/include/linux $(MUSL_INC)/linux
	ln -sfn /usr/include/asm-generic $(MUSL_INC)/asm-generic
	ln -sfn $(MUSL_ASM_DIR) $(MUSL_INC)/asm
	@touch $@

$(MUSL_OBJ)/%.o: %.c $(MUSL_INC)/.stamp
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(MUSL_CFLAGS) -c -o $@ $<

# A fallback to glibc is said once per make that links hull.
.PHONY: hull-libc-note
hull-libc-note:
	@if [ "$(HULL_LIBC) $(HULL_LIBC_HOW)" = "glibc default" ]; then \
	  echo "note: hull linked with glibc: the musl builds of its libraries are missing (make deps builds them; make HULL_LIBC=glibc chooses glibc without this note)"; fi
