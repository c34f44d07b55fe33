# bench/: the kernel-floor program, the microbenchmarks and `make bench`.

$(OBJ)/bench/%.o: CFLAGS += -Icore -Iharness

all: $(BIN)/hull-floor

# Static like hull itself, so both pay the same exec price.
$(BIN)/hull-floor: $(OBJ)/bench/floor.o $(HULL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $^ $(LDFLAGS)
