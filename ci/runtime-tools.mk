# ci/runtime-tools.mk: the OCI runtime-tools validation suite against hull,
# beside crun and runc (ci/README.md; core/README.md, "OCI runtime-tools
# validation"). Not part of CI: it fetches Debian's runtime-tools source
# package and takes minutes.
#
#   make runtime-tools                          all test files, hull + crun + runc
#   make runtime-tools RT_TESTS="create state"  some of them
#   make runtime-tools RT_RUNTIMES=hull         hull only

RT_TESTS    ?=
RT_RUNTIMES ?= hull crun runc
RT_TIMEOUT  ?= 60

.PHONY: runtime-tools

runtime-tools: all
	HULL=$(BIN)/hull RUNTIMES="$(RT_RUNTIMES)" RT_BUILD=$(BUILD)/runtime-tools \
	  RT_TIMEOUT=$(RT_TIMEOUT) ci/runtime-tools.sh $(RT_TESTS)
