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
