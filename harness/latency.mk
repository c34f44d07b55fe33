# harness/latency*, report*, stats*: `hull-harness latency` lives in
# libharness (harness.mk links it); this fragment only records the build in
# the reports' context.
LAT_BUILD_FLAGS := $(strip $(subst ",,$(subst ',,$(filter-out -M% -D% -W% -I%,$(CFLAGS)))))
$(OBJ)/harness/report.o: CFLAGS += -DHH_BUILD_FLAGS='"$(LAT_BUILD_FLAGS)"' \
                                    -DHH_REPORT_VERSION='"$(VERSION)"' \
                                    -DHH_HULL_LIBC='"$(HULL_LIBC_NAME)"'
# The C library hull links (core/musl/musl.mk): a change rebuilds report.o.
$(OBJ)/harness/report.o: $(HULL_LIBC_STAMP)

