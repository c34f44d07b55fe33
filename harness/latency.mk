# harness/latency*, report*, stats*: `hull-harness latency` lives in
# libharness (harness.mk links it); this fragment only records the build in
# the reports' context.
LAT_BUILD_FLAGS := $(strip $(subst ",,$(subst ',,$(filter-out -M% -D% -W% -I%,$(CFLAGS)))))
$(OBJ)/harness/report.o: CFLAGS += -DHULL_BUILD_FLAGS='"$(LAT_BUILD_FLAGS)"' \
                                    -DHULL_REPORT_VERSION='"$(VERSION)"'

# main.c declares the subcommands weak, and a weak reference does not pull
# a member out of libharness.a: ask the linker for latency.o explicitly.
$(BIN)/hull-harness: LDFLAGS += -Wl,--undefined=hull_harness_latency
