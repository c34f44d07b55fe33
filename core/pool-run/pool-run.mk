# hull-pool-run: `hull run --pool` as a small static musl binary
# (core/pool-run/main.c, core/lib/POOL.md "The musl client").
#
# glibc's static startup runs dozens of cpuid instructions; where KVM traps
# cpuid (this build VM: ~38 us each) that is ~1.3 ms per exec of hull, the
# largest item of a warm pool start. musl's startup has none. The request
# path is core/lib/pool_run.c, compiled a second time with musl-gcc, with
# the few libc-only files it needs. Built by `make all` when musl-gcc
# exists (Debian: musl-tools), skipped with a note otherwise. Its own flags,
# not $(CFLAGS): the sanitizer and coverage builds instrument the glibc
# build only (musl has no ASan runtime).
MUSL_CC       ?= musl-gcc
POOL_RUN_SRCS := core/pool-run/main.c core/lib/pool_run.c core/lib/pool_proto.c \
                 core/lib/error.c core/lib/trace.c core/lib/supervise.c \
                 core/lib/util.c core/lib/fileio.c
POOL_RUN_OBJ  := $(BUILD)/obj-musl
# musl-gcc searches musl's headers only; the kernel's (linux/, asm/) come
# from the host's, through a directory of links.
POOL_RUN_INC  := $(BUILD)/musl-include
POOL_RUN_CFLAGS := -O2 -std=gnu11 $(WARNFLAGS) -D_GNU_SOURCE -MMD -MP -Icore/lib \
                   -isystem $(POOL_RUN_INC)
ASM_DIR := $(firstword $(wildcard /usr/include/$(shell uname -m)-linux-gnu/asm /usr/include/asm))

ifneq ($(shell command -v $(MUSL_CC) 2>/dev/null),)
all: $(BIN)/hull-pool-run
else
all: pool-run-skipped
.PHONY: pool-run-skipped
pool-run-skipped:
	@echo "note: $(MUSL_CC) not found (Debian: musl-tools): hull-pool-run not built, hull-pool uses hull"
endif

$(POOL_RUN_INC)/.stamp:
	@mkdir -p $(dir $@)
	ln -sfn /usr/include/linux $(POOL_RUN_INC)/linux
	ln -sfn /usr/include/asm-generic $(POOL_RUN_INC)/asm-generic
	ln -sfn $(ASM_DIR) $(POOL_RUN_INC)/asm
	@touch $@

$(POOL_RUN_OBJ)/%.o: %.c $(POOL_RUN_INC)/.stamp
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(POOL_RUN_CFLAGS) -c -o $@ $<

$(BIN)/hull-pool-run: $(POOL_RUN_SRCS:%.c=$(POOL_RUN_OBJ)/%.o)
	@mkdir -p $(dir $@)
	$(MUSL_CC) -static -o $@ $^
