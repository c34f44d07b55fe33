/* signal_reset.h — the signal state a container's command starts with. */
#ifndef HULL_SIGNAL_RESET_H
#define HULL_SIGNAL_RESET_H

/* Just before execve: every disposition back to SIG_DFL and an empty mask.
 * Handlers are reset by execve itself, but SIG_IGN and the mask survive
 * it: a caller that ignores SIGINT (`cmd &`, nohup, some CI runners) or
 * blocks it would otherwise hand that on to the command, which could not
 * even trap it, and hull's forwarding would reach nothing. */
void hull_signals_reset(void);

#endif
