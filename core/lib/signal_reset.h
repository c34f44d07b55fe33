/* signal_reset.h — the signal state a container's command starts with.
 *
 * Every disposition SIG_DFL and an empty mask. execve resets handlers
 * itself, but SIG_IGN and the mask survive it: a caller that ignores SIGINT
 * (`cmd &`, nohup, some CI runners) or blocks it would otherwise hand that
 * on to the command, which could not even trap it, and hull's forwarding
 * would reach nothing. */
#ifndef HULL_SIGNAL_RESET_H
#define HULL_SIGNAL_RESET_H

/* Every ignored signal back to SIG_DFL. One query per signal: the child
 * does it while it waits for the parent's go (the parent writes the id
 * maps and cgroups meanwhile), with the signals still blocked. */
void hull_signals_default(void);

/* The empty mask, just before execve. */
void hull_signals_unblock_all(void);

#endif
