/* signal_reset.h — the signal state a container's command starts with.
 *
 * Every disposition SIG_DFL and an empty mask. execve resets handlers
 * itself, but SIG_IGN and the mask survive it: a caller that ignores SIGINT
 * (`cmd &`, nohup, some CI runners) or blocks it would otherwise hand that
 * on to the command, which could not even trap it, and hull's forwarding
 * would reach nothing. */
#ifndef HULL_SIGNAL_RESET_H
#define HULL_SIGNAL_RESET_H

#include <stdint.h>

/* Every ignored signal back to SIG_DFL. One query per signal: the child
 * does it while it waits for the parent's go (the parent writes the id
 * maps and cgroups meanwhile), with the signals still blocked. */
void hull_signals_default(void);

/* The same in two halves, for a child that does not wait for go before
 * its setup: the parent, which has the child's dispositions as of the
 * clone, asks (bit sig - 1 set for each ignored signal), and sends the
 * answer with go; the child resets those. */
uint64_t hull_signals_ignored(void);
void hull_signals_default_these(uint64_t ignored);

/* The empty mask, just before execve. */
void hull_signals_unblock_all(void);

#endif
