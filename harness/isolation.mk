# harness/isolation.mk: the probe and the seed (static programs of their own),
# and the isolation verifier + matrix, which live in libharness.
#
#   $(BIN)/hull-probe   runs inside containers; copied into the rootfs's /bin
#   $(BIN)/hull-seed    the tutorial's container path, holes kept
#
# The probe's sources live in harness/probe/: libharness takes only
# harness/*.c, so they are linked into hull-probe and nothing else.
HARNESS_MAINS += harness/seed.c
PROBE_OBJS    := $(patsubst %.c,$(OBJ)/%.o,$(wildcard harness/probe/*.c))
ROOTFS_EXTRA  += $(BIN)/hull-probe

all: $(BIN)/hull-probe $(BIN)/hull-seed

# Static: they run in any rootfs, and the probe's start is part of the
# latency being measured.
$(BIN)/hull-probe: $(PROBE_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $^ $(LDFLAGS)

$(BIN)/hull-seed: $(OBJ)/harness/seed.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $^ $(LDFLAGS)

# The harness runs containers (pthreads for the matrix workers).
HARNESS_LDLIBS += -lpthread

