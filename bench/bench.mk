# bench/: the kernel-floor program, the microbenchmarks and `make bench`.
#
#   make bench                     default suite (<= 3 minutes on 2 cores)
#   make bench BENCH_QUICK=1       ~20 s smoke run (the e2e tests use it)
#   make bench BENCH_N=500         measured starts per runtime
#   make bench BENCH_RUNTIMES=hull,floor,crun
#   make bench REPORTS=/tmp/r      where latest.json, latest.md and plots go

CXX            ?= g++
CXXFLAGS_BENCH := -O2 -g -std=c++17 -Wall -Wextra -Werror $(HULL_INCLUDES) -Ibench
REPORTS        ?= reports
BENCH_N        ?=
BENCH_QUICK    ?=
BENCH_RUNTIMES ?= all
BENCH_CPU      ?=

$(OBJ)/bench/%.o: CFLAGS += $(HULL_INCLUDES) -Iharness

all: $(BIN)/hull-floor $(BIN)/hull-micro

# Static and with hull's C library (core/musl/musl.mk), so both pay the
# same exec price: a glibc floor beside a musl hull would carry ~1.3 ms of
# libc startup that hull no longer pays.
$(MUSL_OBJ)/bench/%.o: MUSL_CFLAGS += $(HULL_INCLUDES) -Iharness
ifeq ($(HULL_LIBC),musl)
$(BIN)/hull-floor: $(MUSL_OBJ)/bench/floor.o $(HULL_LIB_MUSL) $(HULL_LIBC_STAMP)
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(MUSL_LDFLAGS) -o $@ $(filter %.o %.a,$^)
else
$(BIN)/hull-floor: $(OBJ)/bench/floor.o $(HULL_LIB) $(HULL_LIBC_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $(filter %.o %.a,$^) $(LDFLAGS)
endif

$(OBJ)/bench/micro.o: bench/micro.cc bench/micro_ops.h
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS_BENCH) -c -o $@ $<

$(BIN)/hull-micro: $(OBJ)/bench/micro.o $(OBJ)/bench/micro_ops.o $(HULL_LIB)
	@mkdir -p $(dir $@)
	$(CXX) -o $@ $^ -lbenchmark -lpthread $(LDFLAGS)

.PHONY: bench
bench: deps
	$(MAKE) all rootfs
	BUILD=$(BUILD) REPORTS=$(REPORTS) BENCH_N=$(BENCH_N) BENCH_QUICK=$(BENCH_QUICK) \
	BENCH_RUNTIMES=$(BENCH_RUNTIMES) BENCH_CPU=$(BENCH_CPU) COMMIT=$(COMMIT) \
	PYTHON=$(PYTHON) ci/run-bases.sh bench/run.sh
