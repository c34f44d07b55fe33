# tests/sanitize/: the whole project built with AddressSanitizer and
# UndefinedBehaviorSanitizer, and the unit + e2e tests run against it.
#
#   make sanitize                 build into $(SAN_BUILD), run unit + e2e
#   make sanitize SAN_E2E='-k "not bench"'   extra pytest arguments
#   make sanitize SAN_CC=clang    another compiler (default: $(CC))
#
# SANITIZE=1 (set by `make sanitize` for its own sub-make) adds the flags to
# every C object and link. Two kinds of programs are treated apart:
#  - the ones copied into the container rootfs (hull-probe, hull-attempt,
#    hull-tenant, hull-net)
#    stay static and unsanitized: the busybox rootfs has no dynamic loader
#    or sanitizer runtime; they are test tools, not the runtime under test;
#  - the host programs whose recipes link -static (hull, hull-seed,
#    hull-floor) are linked dynamically through tests/sanitize/cc-dynamic,
#    as ASan has no static runtime. Everything else links dynamically anyway.
SAN_BUILD ?= $(BUILD)/sanitize
SAN_CC    ?= $(CC)
# Latency verdicts mean nothing for a sanitized (2-3x slower) hull: the gate
# test that injects a delay and expects a clear regression is left out.
SAN_E2E   ?= -k 'not injected_delay'
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# Every finding is fatal and visible: halt at the first error, print the
# stack, leak check at exit (exit status 23), nothing suppressed.
SAN_ENV   := ASAN_OPTIONS=abort_on_error=0:halt_on_error=1:detect_leaks=1:exitcode=99:strict_string_checks=1 \
             UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=99 \
             LSAN_OPTIONS=exitcode=99

.PHONY: sanitize sanitize-build

ifeq ($(SANITIZE),1)
SAN_ON   = $(SAN_FLAGS)
CFLAGS  += $(SAN_ON)
LDFLAGS += $(SAN_ON)
$(BIN)/hull-probe $(BIN)/hull-attempt $(BIN)/hull-tenant $(BIN)/hull-net: SAN_ON :=
# override: CC may come from the command line (SAN_CC).
$(BIN)/hull $(BIN)/hull-seed $(BIN)/hull-floor: override CC := tests/sanitize/cc-dynamic $(CC)
endif

# hull and hull-floor link glibc here (HULL_LIBC=glibc): musl has no
# sanitizer runtime. make test covers the musl build (core/musl/musl.mk).
sanitize-build:
	$(SAN_ENV) $(MAKE) BUILD=$(SAN_BUILD) CC=$(SAN_CC) SANITIZE=1 HULL_LIBC=glibc all rootfs

sanitize: sanitize-build
	$(SAN_ENV) $(MAKE) BUILD=$(SAN_BUILD) CC=$(SAN_CC) SANITIZE=1 HULL_LIBC=glibc unit
	$(SAN_ENV) HULL_BUILD=$(SAN_BUILD) $(PYTHON) -m pytest -q tests/e2e $(SAN_E2E)
