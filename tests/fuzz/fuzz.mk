# tests/fuzz/: libFuzzer targets (clang, ASan + UBSan) for every core parser
# of untrusted text, one tests/fuzz/fuzz_<parser>.c each.
#
#   make fuzz           run every target for FUZZ_SECONDS (default 60) each,
#                       starting from the committed corpus; summary in
#                       $(FUZZ_BUILD)/summary.md and reports/fuzz.md
#   make fuzz-regress   replay the committed corpus (seeds + every crash
#                       ever found) once through each target: seconds, for CI
#   make fuzz-build     only build the targets
#
# The core sources are compiled again with clang into $(FUZZ_BUILD), apart
# from the gcc build: sanitizers and libFuzzer's coverage need their own
# objects.
FUZZ_CC      ?= clang
FUZZ_BUILD   ?= $(BUILD)/fuzz
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 1
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  := -g -O1 -std=gnu11 -D_GNU_SOURCE -MMD -MP $(WARNFLAGS) $(FUZZ_SAN) \
                -fsanitize=fuzzer-no-link $(HULL_INCLUDES) $(HULL_NL_CFLAGS) -Itests/fuzz
FUZZ_SRCS    := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_TARGETS := $(FUZZ_SRCS:tests/fuzz/%.c=%)
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/%)
FUZZ_LIB     := $(FUZZ_BUILD)/libhull-fuzz.a
FUZZ_LIB_OBJS := $(HULL_LIB_SRCS:%.c=$(FUZZ_BUILD)/obj/%.o) $(FUZZ_BUILD)/obj/gen/seccomp_bpf.o

.PHONY: fuzz fuzz-build fuzz-regress

fuzz-build: $(FUZZ_BINS)

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_BUILD)/obj/gen/seccomp_bpf.o: $(BUILD)/gen/seccomp_bpf.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/obj/tests/fuzz/fuzz_%.o $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(HULL_LDLIBS)

fuzz: $(FUZZ_BINS)
	FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh fuzz $(FUZZ_TARGETS)

fuzz-regress: $(FUZZ_BINS)
	FUZZ_BUILD=$(FUZZ_BUILD) tests/fuzz/run.sh regress $(FUZZ_TARGETS)
