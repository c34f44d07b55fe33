/* commands.h — the subcommands of hull-harness. Each lives in its own file
 * (isolate.c, matrix.c, latency.c, gate_cmd.c) and returns the process exit status. */
#ifndef HH_COMMANDS_H
#define HH_COMMANDS_H

int hh_cmd_isolate(int argc, char **argv);
int hh_cmd_matrix(int argc, char **argv);
int hh_cmd_latency(int argc, char **argv);
int hh_cmd_gate(int argc, char **argv);
int hh_cmd_network(int argc, char **argv);

#endif
