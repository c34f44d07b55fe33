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

# Static: they run in any rootfs. The probe's start is part of every
# runtime's measured start (spawn -> the probe's main), so it is built with
# hull's C library (core/musl/musl.mk): with glibc, ~1.3 ms of cpuid probing
# before main on this VM (cpuid traps) would sit in every sample, the
# same for every runtime, and hide what the runtimes themselves cost.
ifeq ($(HULL_LIBC),musl)
$(BIN)/hull-probe: $(PROBE_OBJS:$(OBJ)/%=$(MUSL_OBJ)/%) $(HULL_LIBC_STAMP)
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(MUSL_LDFLAGS) -o $@ $(filter %.o,$^)
else
$(BIN)/hull-probe: $(PROBE_OBJS) $(HULL_LIBC_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $(filter %.o,$^) $(LDFLAGS)
endif

$(BIN)/hull-seed: $(OBJ)/harness/seed.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $^ $(LDFLAGS)

# The harness runs containers (pthreads for the matrix workers).
HARNESS_LDLIBS += -lpthread

