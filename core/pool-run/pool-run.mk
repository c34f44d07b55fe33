# hull-pool-run: `hull run --pool` as a small static musl binary
# (core/pool-run/main.c, core/lib/POOL.md "The musl client").
#
# glibc's static startup runs dozens of cpuid instructions; where KVM traps
# cpuid (this build VM: ~38 us each) that is ~1.3 ms per exec of hull, the
# largest item of a warm pool start. musl's startup has none. The request
# path is core/lib/pool_run.c, compiled a second time with musl-gcc, with
# the few libc-only files it needs: it needs none of the libraries hull
# links, so it is built whenever musl-gcc exists (Debian: musl-tools), and
# skipped with a note otherwise. Compiled by the musl rules of
# core/musl/musl.mk: the sanitizer and coverage builds leave it
# uninstrumented (musl has no ASan runtime).
POOL_RUN_SRCS := core/pool-run/main.c core/lib/pool_run.c core/lib/pool_proto.c \
                 core/lib/error.c core/lib/trace.c core/lib/supervise.c \
                 core/lib/util.c core/lib/fileio.c
$(MUSL_OBJ)/core/pool-run/%.o: MUSL_CFLAGS += -Icore/lib

ifneq ($(MUSL_CC_FOUND),)
all: $(BIN)/hull-pool-run
else
all: pool-run-skipped
.PHONY: pool-run-skipped
pool-run-skipped:
	@echo "note: $(MUSL_CC) not found (Debian: musl-tools): hull-pool-run not built, hull-pool uses hull"
endif

$(BIN)/hull-pool-run: $(POOL_RUN_SRCS:%.c=$(MUSL_OBJ)/%.o)
	@mkdir -p $(dir $@)
	$(MUSL_CC) -static -o $@ $^
