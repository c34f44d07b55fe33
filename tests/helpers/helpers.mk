# tests/helpers/: static test tools installed into the default rootfs.
all: $(BIN)/hull-attempt
ROOTFS_EXTRA += $(BIN)/hull-attempt

$(BIN)/hull-attempt: $(OBJ)/tests/helpers/attempt.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $^ $(LDFLAGS)

all: $(BIN)/hull-tenant
ROOTFS_EXTRA += $(BIN)/hull-tenant

$(BIN)/hull-tenant: $(OBJ)/tests/helpers/tenant.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $^ $(LDFLAGS) -lrt

# hull-net: TCP serve/connect/send/recv for the network e2e tests.
all: $(BIN)/hull-net
ROOTFS_EXTRA += $(BIN)/hull-net

$(BIN)/hull-net: $(OBJ)/tests/helpers/net.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $^ $(LDFLAGS)
