# tests/unit/: one cmocka program per tests/unit/test_<module>.c, linked
# against libhull and the harness library. A test that replaces system calls
# sets WRAP_test_<module> := -Wl,--wrap=<symbol> in its own fragment.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_LDLIBS := -lcmocka -ljson-c -lm $(HULL_LDLIBS)

$(BUILD)/tests/%: $(OBJ)/tests/unit/%.o $(HARNESS_LIB) $(HULL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(HARNESS_LIB) $(HULL_LIB) $(WRAP_$*) $(UNIT_LDLIBS) $(LDFLAGS)

$(OBJ)/tests/unit/%.o: CFLAGS += -Icore -Iharness

unit: $(UNIT_BINS)
	@fail=0; for t in $(UNIT_BINS); do \
	  echo "== $$t"; $$t || fail=1; \
	done; exit $$fail
