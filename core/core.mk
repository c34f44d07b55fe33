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

# Only main.o carries the version; the stamp changes when the commit does,
# so a new commit rebuilds one object (works in git worktrees too).
HULL_VERSION_STAMP := $(BUILD)/version.stamp
$(HULL_VERSION_STAMP): FORCE
	@mkdir -p $(dir $@)
	@echo '$(VERSION) $(COMMIT)' | cmp -s - $@ || echo '$(VERSION) $(COMMIT)' > $@
.PHONY: FORCE
$(OBJ)/core/cli/main.o: CFLAGS += $(VERSION_FLAGS)
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

include core/pool-run/pool-run.mk

# Static: the dynamic loader alone costs ~0.5 ms per container start.
$(BIN)/hull: $(HULL_CLI_SRCS:%.c=$(OBJ)/%.o) $(HULL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $^ $(LDFLAGS) $(HULL_LDLIBS)
