# core/: libhull (every core/*.c but the CLI) and the static hull binary.
HULL_LIB_SRCS := $(filter-out core/cli.c,$(wildcard core/*.c))
HULL_GEN_SRCS := $(BUILD)/gen/seccomp_bpf.c
HULL_LIB      := $(BUILD)/lib/libhull.a
# Debian's libseccomp, libcap and json-c (config.json), linked statically
# into hull.
HULL_LDLIBS   := -lseccomp -lcap -ljson-c
CORE_CFLAGS_EXTRA ?=

all: $(BIN)/hull

$(OBJ)/core/cli.o: CFLAGS += $(VERSION_FLAGS)
$(OBJ)/core/cli.o: .git/HEAD $(wildcard .git/refs/heads/main)

# The default seccomp filter, compiled once here instead of at every start.
SECCOMP_GEN_OBJS := $(OBJ)/core/gen/gen_seccomp_bpf.o $(OBJ)/core/seccomp_build.o \
                    $(OBJ)/core/error.o $(OBJ)/core/fileio.o
$(BUILD)/gen/gen_seccomp_bpf: $(SECCOMP_GEN_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) -lseccomp
$(BUILD)/gen/seccomp_bpf.c: $(BUILD)/gen/gen_seccomp_bpf
	$< > $@.tmp && mv $@.tmp $@
$(OBJ)/core/gen/%.o: CFLAGS += -Icore
$(OBJ)/gen/seccomp_bpf.o: $(BUILD)/gen/seccomp_bpf.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(HULL_LIB): $(HULL_LIB_SRCS:%.c=$(OBJ)/%.o) $(OBJ)/gen/seccomp_bpf.o
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

# Static: the dynamic loader alone costs ~0.5 ms per container start.
$(BIN)/hull: $(OBJ)/core/cli.o $(HULL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $^ $(LDFLAGS) $(HULL_LDLIBS)
