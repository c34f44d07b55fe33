// micro.cc — hull-micro: Google Benchmark over the C steps of micro_ops.c.
//
//   hull-micro --rootfs DIR [--iterations N] [--benchmark_* options]
//
// Each iteration forks (untimed) and reports the step's own time as manual
// time, so iterations are fixed (default 200): with manual time Google
// Benchmark would otherwise keep forking until the *step* time added up to
// its minimum, far too many forks for a microsecond step.
#include <benchmark/benchmark.h>

#include <sched.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "micro_ops.h"
}

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static std::string g_rootfs;

static void run_op(benchmark::State &state, hull_micro_op op, uint64_t arg)
{
	char why[256];
	for (auto _ : state) {
		int64_t ns = hull_micro_run(op, arg, g_rootfs.c_str(), why, sizeof(why));
		if (ns < 0) {
			state.SkipWithError(why);
			break;
		}
		state.SetIterationTime(static_cast<double>(ns) / 1e9);
	}
}

int main(int argc, char **argv)
{
	int iterations = 200;
	std::vector<char *> rest;
	rest.push_back(argv[0]);
	for (int i = 1; i < argc; i++) {
		if (std::strcmp(argv[i], "--rootfs") == 0 && i + 1 < argc)
			g_rootfs = argv[++i];
		else if (std::strcmp(argv[i], "--iterations") == 0 && i + 1 < argc)
			iterations = std::atoi(argv[++i]);
		else
			rest.push_back(argv[i]);
	}
	if (g_rootfs.empty() || iterations < 1) {
		std::fprintf(stderr, "usage: hull-micro --rootfs DIR [--iterations N] "
				     "[--benchmark_* options]\n");
		return 2;
	}

	static const struct {
		const char *name;
		uint64_t flag;
	} ns[] = {
		{ "mnt", CLONE_NEWNS },	       { "uts", CLONE_NEWUTS },	  { "pid", CLONE_NEWPID },
		{ "ipc", CLONE_NEWIPC },       { "net", CLONE_NEWNET },	  { "user", CLONE_NEWUSER },
		{ "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
	};
	const uint64_t dflt =
		CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET;
	std::vector<benchmark::internal::Benchmark *> all;
	for (const auto &n : ns)
		all.push_back(benchmark::RegisterBenchmark(
			(std::string("unshare/") + n.name).c_str(),
			[](benchmark::State &s, uint64_t f) { run_op(s, HULL_MICRO_UNSHARE, f); },
			n.flag));
	all.push_back(benchmark::RegisterBenchmark(
		"unshare/mnt,uts,pid,ipc,net",
		[](benchmark::State &s, uint64_t f) { run_op(s, HULL_MICRO_UNSHARE, f); }, dflt));
	all.push_back(benchmark::RegisterBenchmark(
		"clone3/none",
		[](benchmark::State &s, uint64_t f) { run_op(s, HULL_MICRO_CLONE3, f); },
		uint64_t(0)));
	all.push_back(benchmark::RegisterBenchmark(
		"clone3/mnt,uts,pid,ipc,net",
		[](benchmark::State &s, uint64_t f) { run_op(s, HULL_MICRO_CLONE3, f); }, dflt));
	all.push_back(benchmark::RegisterBenchmark(
		"pivot_root", [](benchmark::State &s) { run_op(s, HULL_MICRO_PIVOT_ROOT, 0); }));
	all.push_back(benchmark::RegisterBenchmark(
		"mount_proc", [](benchmark::State &s) { run_op(s, HULL_MICRO_MOUNT_PROC, 0); }));
	all.push_back(benchmark::RegisterBenchmark(
		"sethostname", [](benchmark::State &s) { run_op(s, HULL_MICRO_SETHOSTNAME, 0); }));
	static const struct {
		const char *name;
		hull_micro_op op;
	} machine[] = {
		{ "machine/page_fault (per page)", HULL_MICRO_PAGE_FAULT },
		{ "machine/syscall (getppid)", HULL_MICRO_SYSCALL },
		{ "machine/fork+exit+wait", HULL_MICRO_FORK },
		{ "machine/vfork+exit+wait", HULL_MICRO_VFORK },
	};
	for (const auto &m : machine)
		all.push_back(benchmark::RegisterBenchmark(
			m.name, [](benchmark::State &s, hull_micro_op op) { run_op(s, op, 0); },
			m.op));
	for (auto *b : all)
		b->UseManualTime()->Iterations(iterations)->Unit(benchmark::kMicrosecond);

	int rargc = static_cast<int>(rest.size());
	benchmark::Initialize(&rargc, rest.data());
	if (benchmark::ReportUnrecognizedArguments(rargc, rest.data()))
		return 2;
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}
