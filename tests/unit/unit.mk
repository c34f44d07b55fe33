# tests/unit/: one cmocka program per test_<module>.c, split by the layer
# it tests:
#   tests/unit/core/test_*.c     libhull only       -> $(BUILD)/tests/core/
#   tests/unit/harness/test_*.c  libharness+libhull -> $(BUILD)/tests/harness/
UNIT_CORE_SRCS    := $(wildcard tests/unit/core/test_*.c)
UNIT_HARNESS_SRCS := $(wildcard tests/unit/harness/test_*.c)
UNIT_CORE_BINS    := $(UNIT_CORE_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_HARNESS_BINS := $(UNIT_HARNESS_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_BINS         := $(UNIT_CORE_BINS) $(UNIT_HARNESS_BINS)
UNIT_LDLIBS       := -lcmocka -ljson-c -lm $(HULL_LDLIBS)

# A test that replaces system calls sets WRAP_<test> := -Wl,--wrap=<symbol>;
# test_cgroup's fake cgroup2 tree fills new directories as the kernel does.
WRAP_test_cgroup := -Wl,--wrap=mkdir
WRAP_test_cgroup_v1_io := -Wl,--wrap=mkdir
WRAP_test_oci_labels := -Wl,--wrap=hull_lsm_enabled
# test_arena links with the musl hull's allocator wrappers (core/core.mk).
WRAP_test_arena := $(HULL_MALLOC_WRAP)

$(BUILD)/tests/core/%: $(OBJ)/tests/unit/core/%.o $(HULL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(HULL_LIB) $(WRAP_$(notdir $*)) $(UNIT_LDLIBS) $(LDFLAGS)

$(BUILD)/tests/harness/%: $(OBJ)/tests/unit/harness/%.o $(HARNESS_LIB) $(HULL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(HARNESS_LIB) $(HULL_LIB) $(UNIT_LDLIBS) $(LDFLAGS)

$(OBJ)/tests/unit/core/%.o: CFLAGS += $(HULL_INCLUDES)
$(OBJ)/tests/unit/harness/%.o: CFLAGS += $(HULL_INCLUDES) -Iharness

unit: $(UNIT_BINS)
	@fail=0; for t in $(UNIT_BINS); do \
	  echo "== $$t"; $$t || fail=1; \
	done; exit $$fail
