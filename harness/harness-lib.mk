# libharness.a: included after every fragment so HARNESS_MAINS is complete.
HARNESS_LIB_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(filter-out $(HARNESS_MAINS),$(wildcard harness/*.c)))

$(HARNESS_LIB): $(HARNESS_LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^
