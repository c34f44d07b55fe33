# core/: libhull (every core/*.c but the CLI) and the static hull binary.
HULL_LIB_SRCS := $(filter-out core/cli.c,$(wildcard core/*.c))
HULL_LIB      := $(BUILD)/lib/libhull.a
# Debian's libseccomp and libcap, linked statically into hull.
HULL_LDLIBS   := -lseccomp -lcap
CORE_CFLAGS_EXTRA ?=

all: $(BIN)/hull

$(OBJ)/core/cli.o: CFLAGS += $(VERSION_FLAGS)
$(OBJ)/core/cli.o: .git/HEAD $(wildcard .git/refs/heads/main)

$(HULL_LIB): $(HULL_LIB_SRCS:%.c=$(OBJ)/%.o)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

# Static: the dynamic loader alone costs ~0.5 ms per container start.
$(BIN)/hull: $(OBJ)/core/cli.o $(HULL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $^ $(LDFLAGS) $(HULL_LDLIBS)
