/* commands.h — the subcommands of hull-harness. Each lives in its own file
 * (isolate.c, matrix.c, latency.c, gate_cmd.c) and returns the process exit status. */
#ifndef HULL_HARNESS_COMMANDS_H
#define HULL_HARNESS_COMMANDS_H

int hull_harness_isolate(int argc, char **argv);
int hull_harness_matrix(int argc, char **argv);
int hull_harness_latency(int argc, char **argv);
int hull_harness_gate(int argc, char **argv);

#endif
