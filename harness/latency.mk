# harness/latency*, report*, stats*: `hull-harness latency` lives in
# libharness (harness.mk links it); this fragment only records the build in
# the reports' context.
LAT_BUILD_FLAGS := $(strip $(subst ",,$(subst ',,$(filter-out -M% -D% -W% -I%,$(CFLAGS)))))
$(OBJ)/harness/report.o: CFLAGS += -DHH_BUILD_FLAGS='"$(LAT_BUILD_FLAGS)"' \
                                    -DHH_REPORT_VERSION='"$(VERSION)"'

