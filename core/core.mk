# core/: libhull and the static hull binary, by layer (core/README.md).
#
#   core/lib/   the runtime library: container start, mounts, cgroups, security
#   core/oci/   the OCI runtime interface as library calls (config.json, state, lifecycle)
#   core/cli/   hull's command line: the only code in core/ that prints and exits
#
# Every .c in core/lib and core/oci goes into libhull.a, every .c in
# core/cli into the hull binary: a new file needs no edit here.
HULL_LIB_SRCS := $(wildcard core/lib/*.c core/oci/*.c)
HULL_CLI_SRCS := $(wildcard core/cli/*.c)
HULL_GEN_SRCS := $(BUILD)/gen/seccomp_bpf.c
HULL_LIB      := $(BUILD)/lib/libhull.a
# What a user of libhull (the CLI, the harness, bench, tests) puts on its
# command line to find libhull's headers.
HULL_INCLUDES := -Icore/lib -Icore/oci
# Debian's libseccomp, libcap, json-c (config.json), libnl-route-3
# (rtnetlink for --network; Debian ships no static libmnl) and nettle
# (SHA-256 for the seccomp cache's keys), linked statically into hull.
HULL_LDLIBS   := -lseccomp -lcap -ljson-c -lnl-route-3 -lnl-3 -lnettle -lpthread
HULL_NL_CFLAGS := -I/usr/include/libnl3
CORE_CFLAGS_EXTRA ?=

all: $(BIN)/hull

$(OBJ)/core/%.o: CFLAGS += $(HULL_INCLUDES)
$(OBJ)/core/cli/%.o: CFLAGS += -Icore/cli
$(OBJ)/core/lib/net_link.o: CFLAGS += $(HULL_NL_CFLAGS)

# Only main.o carries the version and the C library's name (`hull
# --version`); the stamp changes when the commit does, so a new commit
# rebuilds one object (works in git worktrees too).
HULL_VERSION_STAMP := $(BUILD)/version.stamp
$(HULL_VERSION_STAMP): FORCE
	@mkdir -p $(dir $@)
	@echo '$(VERSION) $(COMMIT)' | cmp -s - $@ || echo '$(VERSION) $(COMMIT)' > $@
.PHONY: FORCE
$(OBJ)/core/cli/main.o: CFLAGS += $(VERSION_FLAGS) -DHULL_LIBC_NAME='"$(GLIBC_NAME)"'
$(OBJ)/core/cli/main.o: $(HULL_VERSION_STAMP)

# The default seccomp filter, compiled once here instead of at every start.
SECCOMP_GEN_OBJS := $(OBJ)/core/lib/gen/gen_seccomp_bpf.o $(OBJ)/core/lib/seccomp_filter.o \
                    $(OBJ)/core/lib/seccomp_cache.o $(OBJ)/core/lib/util.o \
                    $(OBJ)/core/lib/error.o $(OBJ)/core/lib/fileio.o
$(BUILD)/gen/gen_seccomp_bpf: $(SECCOMP_GEN_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) -lseccomp -lnettle
$(BUILD)/gen/seccomp_bpf.c: $(BUILD)/gen/gen_seccomp_bpf
	$< > $@.tmp && mv $@.tmp $@
$(OBJ)/gen/seccomp_bpf.o: $(BUILD)/gen/seccomp_bpf.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(HULL_LIB): $(HULL_LIB_SRCS:%.c=$(OBJ)/%.o) $(OBJ)/gen/seccomp_bpf.o
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

# libhull once more with musl, for the hull binary and hull-floor only
# (core/musl/musl.mk); everything else that links libhull (the harness,
# the tests, bench's microbenchmarks, the seccomp generator) uses the glibc
# one.
include core/musl/musl.mk
HULL_LIB_MUSL := $(BUILD)/lib/libhull-musl.a
$(MUSL_OBJ)/core/%.o: MUSL_CFLAGS += $(HULL_INCLUDES)
$(MUSL_OBJ)/core/cli/%.o: MUSL_CFLAGS += -Icore/cli
$(MUSL_OBJ)/core/lib/net_link.o: MUSL_CFLAGS += -isystem $(MUSL_DEPS)/include/libnl3
$(MUSL_OBJ)/core/cli/main.o: MUSL_CFLAGS += $(VERSION_FLAGS) -DHULL_LIBC_NAME='"musl $(MUSL_VERSION)"'
$(MUSL_OBJ)/core/cli/main.o: $(HULL_VERSION_STAMP)
$(MUSL_OBJ)/gen/seccomp_bpf.o: $(BUILD)/gen/seccomp_bpf.c $(MUSL_INC)/.stamp
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(MUSL_CFLAGS) -c -o $@ $<
$(HULL_LIB_MUSL): $(HULL_LIB_SRCS:%.c=$(MUSL_OBJ)/%.o) $(MUSL_OBJ)/gen/seccomp_bpf.o
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

include core/pool-run/pool-run.mk

# Which libc hull and hull-floor link, how it was chosen (default, chosen,
# instrumented) and the musl libraries: a change relinks them;
# tests/e2e/test_libc.py reads it.
HULL_LIBC_LINE  := $(HULL_LIBC) $(HULL_LIBC_HOW) $(or $(MUSL_DEPS),-)
$(HULL_LIBC_STAMP): FORCE
	@mkdir -p $(dir $@)
	@echo '$(HULL_LIBC_LINE)' | cmp -s - $@ || echo '$(HULL_LIBC_LINE)' > $@

all: hull-libc-note

# Static: the dynamic loader alone costs ~0.5 ms per container start.
# The musl hull's layout (core/README.md, "What an exec of hull costs"):
# -z noseparate-code puts the ELF headers, code and read-only data in one
# mapping, so the kernel's fault-around fills more of them per fault and
# exec maps fewer segments; -z norelro drops the page alignment RELRO
# imposes on the data (a static musl program never write-protects it: no
# mprotect at startup). 5 page faults fewer per hull run.
HULL_MUSL_LDFLAGS := -Wl,-z,noseparate-code -Wl,-z,norelro
# The linker lays code out in the order it takes archive members: libcap
# and musl's libc, which every start runs, right after hull's own code,
# the libraries only some starts use (libseccomp for a custom profile,
# json-c for OCI, libnl for --network, nettle for the seccomp cache) after
# them. Fewer 64 KiB windows of code are faulted in, by hull and again by
# a clone that is a fork (fork copies no page-table entries of a file
# mapping): 3.3 faults fewer in the child of --spawn fork, limits, create.
HULL_MUSL_HOT_LIBS := -lcap -lc
# A run's first allocations come from a static arena, not musl's
# allocator, whose set-up (brk, two mappings, three pages touched nowhere
# else) costs ~50-90 us before the clone on a VM (core/lib/arena.c).
HULL_MALLOC_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free
ifeq ($(HULL_LIBC),musl)
# libnl's constructors run before its first socket instead of at every
# exec (core/musl/nl_deferred.c): hull links copies of libnl's archives
# whose .init_array and .fini_array are renamed, with nl_socket_alloc
# wrapped. A libnl with a constructor the rename would miss (one with a
# priority, .init_array.N, or an old .ctors) fails the build.
HULL_NL_DEFERRED := $(BUILD)/lib/nl-deferred
HULL_NL_DEFERRED_LIBS := $(HULL_NL_DEFERRED)/libnl-3.a $(HULL_NL_DEFERRED)/libnl-route-3.a
$(HULL_NL_DEFERRED)/%.a: $(MUSL_DEPS)/lib/%.a
	@mkdir -p $(dir $@)
	objcopy --rename-section .init_array=hull_nl_ctors \
	        --rename-section .fini_array=hull_nl_dtors $< $@.tmp
	@if readelf -SW $@.tmp | grep -qE '[.](init|fini)_array|[.]ctors|[.]dtors'; then \
	  echo "$<: constructors the rename misses (core/musl/nl_deferred.c)"; \
	  rm -f $@.tmp; exit 1; fi
	mv $@.tmp $@
$(BIN)/hull: $(HULL_CLI_SRCS:%.c=$(MUSL_OBJ)/%.o) $(MUSL_OBJ)/core/musl/nl_deferred.o \
             $(HULL_LIB_MUSL) $(HULL_NL_DEFERRED_LIBS) $(HULL_LIBC_STAMP) core/core.mk
	@mkdir -p $(dir $@)
	$(MUSL_CC) -L$(HULL_NL_DEFERRED) $(MUSL_LDFLAGS) $(HULL_MUSL_LDFLAGS) \
	  -Wl,--wrap=nl_socket_alloc $(HULL_MALLOC_WRAP) -o $@ $(filter %.o,$^) $(HULL_LIB_MUSL) \
	  $(HULL_MUSL_HOT_LIBS) $(HULL_LDLIBS)
else
$(BIN)/hull: $(HULL_CLI_SRCS:%.c=$(OBJ)/%.o) $(HULL_LIB) $(HULL_LIBC_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $(filter %.o %.a,$^) $(LDFLAGS) $(HULL_LDLIBS)
endif
