/* matrix_run.c — the matrix's worker pool: threads take the next cell
 * under the lock, run it with hh_iso_run() against the shared host
 * objects, keep per-runtime wall spans and report progress; a harness
 * error or a signal stops every worker. */
#include "matrix.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int runtime_index(const char *name)
{
	size_t n = hh_runtime_count();
	for (size_t i = 0; i < n && i < 32; i++)
		if (strcmp(hh_runtime_at(i)->name, name) == 0)
			return (int)i;
	return 0;
}

void hh_matrix_print_progress(struct matrix *m, bool final)
{
	double s = (double)(hull_now_ns() - m->t0) / 1e9;
	if (m->tty)
		fprintf(stderr, "\rmatrix: %zu/%zu cells, %.1f s%s", m->done, m->n, s,
			final ? "\n" : "");
	else
		fprintf(stderr, "matrix: %zu/%zu cells, %.1f s\n", m->done, m->n, s);
}

static void *worker(void *arg)
{
	struct matrix *m = arg;

	for (;;) {
		pthread_mutex_lock(&m->lock);
		size_t pos = m->next++;
		bool stop = m->failed || hh_iso_cancelled() || pos >= m->end;
		pthread_mutex_unlock(&m->lock);
		if (stop)
			break;
		size_t i = m->order[pos];

		struct cell_spec *s = &m->specs[i];
		struct hh_iso_cell *c = &m->cells[i];
		const struct hh_runtime_info *rt = hh_runtime_lookup(s->runtime);
		uint64_t t = hull_now_ns();
		if (s->skip) {
			memset(c, 0, sizeof(*c));
			c->runtime = rt->name;
			c->ns = s->ns;
			c->chroot = s->chroot;
			c->pivot = !s->chroot;
			c->exit_code = -1;
			snprintf(c->reason, sizeof(c->reason), "%s", s->skip_why);
			for (int p = 0; p < HH_PROP_COUNT; p++)
				c->props[p].verdict = c->expected[p] = HH_ERROR;
		} else {
			struct hh_launch_config cfg = {
				.runtime = s->runtime,
				.ns_flags = s->ns,
				.chroot = s->chroot,
				.trace_fd = -1,
				.timeout_ms = m->timeout_ms,
				.cancel_fd = m->cancel_fd,
				.pool_size = 1, /* hull-pool: one container per cell */
			};
			struct hull_err err = { 0 };
			if (hh_iso_run(m->host, &cfg, false, false, c, &err) < 0) {
				pthread_mutex_lock(&m->lock);
				if (!m->failed && !hh_iso_cancelled())
					m->err = err;
				m->failed = true;
				pthread_mutex_unlock(&m->lock);
				break;
			}
		}
		uint64_t t_end = hull_now_ns();

		pthread_mutex_lock(&m->lock);
		int r = runtime_index(s->runtime);
		if (!m->rt_first[r] || t < m->rt_first[r])
			m->rt_first[r] = t;
		if (t_end > m->rt_last[r])
			m->rt_last[r] = t_end;
		m->done++;
		if (m->progress && (m->tty ? m->done % 8 == 0 : m->done % (m->n / 10 + 1) == 0))
			hh_matrix_print_progress(m, false);
		pthread_mutex_unlock(&m->lock);
	}
	return NULL;
}

void hh_matrix_run_cells(struct matrix *m, int jobs)
{
	/* Cells whose /proc shows the host's processes (mnt without pid) could
	 * find a way out through a sibling cell's probe at the moment it has
	 * escaped its chroot: they run last, one at a time. */
	m->order = calloc(m->n, sizeof(size_t));
	size_t n_par = 0, n_ser = 0;
	for (size_t i = 0; m->order && i < m->n; i++) {
		uint64_t ns = hh_launch_effective_ns(hh_runtime_lookup(m->specs[i].runtime),
						     m->specs[i].ns);
		if (!((ns & CLONE_NEWNS) && !(ns & CLONE_NEWPID)))
			m->order[n_par++] = i;
	}
	for (size_t i = 0; m->order && i < m->n; i++) {
		uint64_t ns = hh_launch_effective_ns(hh_runtime_lookup(m->specs[i].runtime),
						     m->specs[i].ns);
		if ((ns & CLONE_NEWNS) && !(ns & CLONE_NEWPID))
			m->order[n_par + n_ser++] = i;
	}
	m->t0 = hull_now_ns();
	pthread_t *threads = calloc((size_t)jobs, sizeof(pthread_t));
	if (!m->order || !threads) {
		perror("hull-harness");
		m->failed = true;
	} else {
		int started = 0;
		m->end = n_par;
		for (int i = 0; i < jobs; i++)
			if (pthread_create(&threads[i], NULL, worker, m) == 0)
				started++;
		if (!started)
			worker(m);
		for (int i = 0; i < started; i++)
			pthread_join(threads[i], NULL);
		m->next = n_par;
		m->end = m->n;
		worker(m);
	}
	free(threads);
	free(m->order);
}
