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
                 core/lib/util.c core/lib/fileio.c core/pool-run/clock.c
$(MUSL_OBJ)/core/pool-run/%.o: MUSL_CFLAGS += -Icore/lib

ifneq ($(MUSL_CC_FOUND),)
all: $(BIN)/hull-pool-run
else
all: pool-run-skipped
.PHONY: pool-run-skipped
pool-run-skipped:
	@echo "note: $(MUSL_CC) not found (Debian: musl-tools): hull-pool-run not built, hull-pool uses hull"
endif

# The client lives for one request and its exec is on the request path:
# every page it touches first is a page fault (~10 us on a VM whose faults
# are dear). Measured with `perf stat -e page-faults` on one request
# (POOL.md, "The client's page faults"): 12 faults with the default layout,
# 3-5 with these. noseparate-code puts the ELF headers, code and rodata in
# one mapping, so the kernel's fault-around maps them with the first fault
# (three mappings faulted one by one before); norelro packs .init_array and
# the GOT into the data page (RELRO gave them a page of their own); the
# clock by system call (clock.c) leaves the vDSO's three pages untouched.
POOL_RUN_LDFLAGS := -static -Wl,-z,noseparate-code -Wl,-z,norelro \
                    -Wl,--wrap=clock_gettime

$(BIN)/hull-pool-run: $(POOL_RUN_SRCS:%.c=$(MUSL_OBJ)/%.o) core/pool-run/pool-run.mk
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(POOL_RUN_LDFLAGS) -o $@ $(filter %.o,$^)
