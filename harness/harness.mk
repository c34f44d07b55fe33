# harness/: libharness (every harness/*.c that is not a program's main) and
# the hull-harness binary. A fragment that adds a program with its own main
# in harness/ appends its source to HARNESS_MAINS.
HARNESS_MAINS    += harness/main.c
HARNESS_LIB      := $(BUILD)/lib/libharness.a
HARNESS_LDLIBS   := -ljson-c -lm $(HULL_LDLIBS)

$(OBJ)/harness/%.o: CFLAGS += $(HULL_INCLUDES) -Iharness

all: $(BIN)/hull-harness

# The libharness.a rule is in harness/harness-lib.mk, included last, once
# every fragment has added to HARNESS_MAINS.

$(BIN)/hull-harness: $(OBJ)/harness/main.o $(HARNESS_LIB) $(HULL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(HARNESS_LDLIBS) $(LDFLAGS)
