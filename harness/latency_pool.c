/* latency_pool.c — the pool suite of `hull-harness latency` (issue 16):
 * `hull run --pool` against `hull run` on the same probe,
 *
 *   burst      N starts back to back (default 64) from a full pool of N
 *              slots: every start's latency, and containers/s over the
 *              burst;
 *   sustained  K clients at once (default 1, 4, 16), each starting
 *              containers back to back, from a pool of the default size,
 *              so the refill is inside what is measured: containers/s;
 *   memory     the PSS of an idle slot (its keeper and its container), from
 *              `hull pool status` of the full burst pool.
 *
 * Every sample is one runtime process spawned by the timing thread
 * (hh_launch_run: posix_spawn of build/bin/hull, no wrapper). The rows
 * alternate (hull, pool, hull, pool ...) so that drift hits both alike;
 * before each of hull's turns the pool is waited for (untimed) until it is
 * full again, so hull never shares the CPU with the pool's refill. */
#include "latency_bench.h"
#include "pool.h"
#include "report.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REFILL_TIMEOUT_NS (120ull * 1000000000ull)

static const char *const row_labels[POOL_ROWS] = { "hull", "hull-pool" };

/* How the pool served each sustained level (from `pool status` before and
 * after it): by a ready slot, or queued for one it prepared then. */
static struct {
	bool known;
	long long ready, queued, sent_back;
} level_served[MAX_LEVELS];

static void push(struct hh_samples *s, uint64_t v)
{
	if (hh_samples_push(s, v, NULL) < 0) {
		fputs("hull-harness: out of memory\n", stderr);
		exit(2);
	}
}

static size_t per_client(const struct bench *b, int k)
{
	int n = b->o.pool_per_level ? b->o.pool_per_level : b->o.per_level;
	return (size_t)(n + k - 1) / (size_t)k;
}

size_t hh_lat_pool_work(const struct bench *b)
{
	size_t n = (size_t)b->o.warmup + (size_t)b->o.pool_bursts * (size_t)b->o.pool_burst;
	for (int i = 0; i < b->o.n_pool_levels; i++)
		n += (size_t)b->o.pool_levels[i] * per_client(b, b->o.pool_levels[i]);
	return POOL_ROWS * n;
}

/* The pool's counters of how requests were served. */
static bool pool_served(const char *name, long long *ready, long long *queued, long long *sent_back)
{
	struct hull_err err = { 0 };
	char *text = NULL;
	if (hull_pool_status(name, &text, &err) < 0)
		return false;
	json_object *o = json_tokener_parse(text);
	free(text);
	if (!o)
		return false;
	*ready = hh_json_get_int(o, "served_ready", -1);
	*queued = hh_json_get_int(o, "served_queued", -1);
	*sent_back = hh_json_get_int(o, "sent_back", -1);
	json_object_put(o);
	return *ready >= 0 && *queued >= 0 && *sent_back >= 0;
}

/* The pool's status: ready slots and the PSS of an idle one. */
static int pool_status(const char *name, int *ready, long long *pss_kib, struct hull_err *err)
{
	char *text = NULL;
	int ret = hull_pool_status(name, &text, err);
	if (ret < 0)
		return ret;
	json_object *o = json_tokener_parse(text);
	free(text);
	if (!o)
		return hull_fail(err, 0, "unreadable status of pool '%s'", name);
	*ready = (int)hh_json_get_int(o, "ready", 0);
	if (pss_kib)
		*pss_kib = hh_json_get_int(o, "idle_slot_pss_kib", -1);
	json_object_put(o);
	return 0;
}

int hh_lat_pool_wait_full(const struct hh_launch *l, unsigned size, struct hull_err *err)
{
	uint64_t deadline = hull_now_ns() + REFILL_TIMEOUT_NS;
	const struct timespec pause = { 0, 2000000 };
	int ready = 0;

	for (;;) {
		int ret = pool_status(l->pool, &ready, NULL, err);
		if (ret < 0)
			return ret;
		if (ready >= (int)size)
			return 0;
		if (hull_now_ns() > deadline)
			return hull_fail(err, 0, "pool '%s' did not refill: %d of %u slots ready",
					 l->pool, ready, size);
		nanosleep(&pause, NULL);
	}
}

static int prepare(struct bench *b, struct pool_row *row, unsigned pool_size, struct hh_launch *l)
{
	struct hull_err err = { 0 };
	struct hh_launch_config cfg = {
		.runtime = row->runtime,
		.rootfs = b->o.rootfs,
		.ns_flags = b->o.ns,
		.argv = hh_lat_probe_argv,
		.trace_fd = -1,
		.timeout_ms = b->o.timeout_ms,
		.cancel_fd = -1,
		.pool_size = pool_size,
	};
	if (hh_launch_prepare(&cfg, l, &err) < 0) {
		row->available = false;
		snprintf(row->why, sizeof(row->why), "%.250s", err.msg);
		if (!b->o.quiet)
			fprintf(stderr, "latency: pool suite: skipping %s: %s\n", row->label,
				err.msg);
		return -1;
	}
	return 0;
}

static void note(struct pool_row *row, const char *why)
{
	if (!row->first_error[0])
		snprintf(row->first_error, sizeof(row->first_error), "%s", why);
}

/* One burst of a row, timed from the first spawn to the last reap. */
static void burst(struct bench *b, struct pool_row *row, const struct hh_launch *l, bool record)
{
	char why[256];
	int n = record ? b->o.pool_burst : b->o.warmup;
	uint64_t t0 = hull_now_ns();

	for (int i = 0; i < n; i++) {
		uint64_t entry, round;
		if (hh_lat_sample(l, &entry, &round, why, sizeof(why)) < 0) {
			if (record) {
				row->burst_failures++;
				note(row, why);
			}
		} else if (record) {
			push(&row->entry, entry);
			push(&row->round, round);
		}
		b->done++;
		hh_lat_progress(b, row->label, false);
	}
	if (record)
		row->burst_wall_ns += hull_now_ns() - t0;
}

/* Before a turn: the pool full again (its refill is not the other row's
 * load), or the pool row is given up with the reason. */
static bool pool_settled(struct pool_row *pr, const struct hh_launch *pl, unsigned size)
{
	struct hull_err err = { 0 };
	if (!pr->available)
		return false;
	if (hh_lat_pool_wait_full(pl, size, &err) < 0) {
		pr->available = false;
		snprintf(pr->why, sizeof(pr->why), "%.250s", err.msg);
		return false;
	}
	return true;
}

static void run_bursts(struct bench *b, struct hh_launch *lh, struct hh_launch *lp)
{
	struct pool_suite *ps = &b->pool;
	struct pool_row *hr = &ps->row[POOL_ROW_HULL], *pr = &ps->row[POOL_ROW_POOL];
	struct hull_err err = { 0 };
	int ready = 0;

	if (pr->available) {
		if (pool_status(lp->pool, &ready, &ps->idle_slot_pss_kib, &err) < 0)
			snprintf(ps->mem_error, sizeof(ps->mem_error), "%.250s", err.msg);
		ps->idle_slots = ready;
	}
	for (int round = -1; round < b->o.pool_bursts; round++) {
		pool_settled(pr, lp, ps->burst_size);
		if (hr->available)
			burst(b, hr, lh, round >= 0);
		if (pool_settled(pr, lp, ps->burst_size))
			burst(b, pr, lp, round >= 0);
	}
}

static void run_sustained(struct bench *b, struct hh_launch *lh, struct hh_launch *lp)
{
	struct pool_suite *ps = &b->pool;
	struct pool_row *hr = &ps->row[POOL_ROW_HULL], *pr = &ps->row[POOL_ROW_POOL];

	for (int li = 0; li < b->o.n_pool_levels; li++) {
		int k = b->o.pool_levels[li];
		size_t per = per_client(b, k);
		char what[64];
		snprintf(what, sizeof(what), "%d at once", k);
		pool_settled(pr, lp, ps->sustained_size);
		if (hr->available)
			hh_lat_run_level(lh, k, per, &hr->sustained[li]);
		b->done += (size_t)k * per;
		hh_lat_progress(b, what, false);
		if (pool_settled(pr, lp, ps->sustained_size)) {
			long long r0, q0, s0, r1, q1, s1;
			bool before = pool_served(lp->pool, &r0, &q0, &s0);
			hh_lat_run_level(lp, k, per, &pr->sustained[li]);
			if (before && pool_served(lp->pool, &r1, &q1, &s1) && li < MAX_LEVELS)
				level_served[li] = (typeof(level_served[0])){ true, r1 - r0,
									      q1 - q0, s1 - s0 };
		}
		b->done += (size_t)k * per;
		hh_lat_progress(b, what, false);
		ps->n_levels = (size_t)li + 1;
	}
}

void hh_lat_run_pool(struct bench *b)
{
	struct pool_suite *ps = &b->pool;
	struct hh_launch lh, lp;

	b->suite_now = hh_lat_suite_names[SUITE_POOL];
	ps->idle_slot_pss_kib = -1;
	ps->burst_size = (unsigned)b->o.pool_burst;
	ps->sustained_size = HULL_POOL_DEFAULT_SIZE;
	for (int i = 0; i < POOL_ROWS; i++) {
		ps->row[i].label = row_labels[i];
		ps->row[i].runtime = row_labels[i];
		ps->row[i].available =
			hh_runtime_available(row_labels[i], ps->row[i].why, sizeof(ps->row[i].why));
		if (!hh_lat_wanted(b->o.runtimes, row_labels[i])) {
			ps->row[i].available = false;
			snprintf(ps->row[i].why, sizeof(ps->row[i].why), "not in --runtimes");
		}
	}
	struct pool_row *hr = &ps->row[POOL_ROW_HULL], *pr = &ps->row[POOL_ROW_POOL];
	if (!hr->available || prepare(b, hr, 0, &lh) < 0)
		return; /* nothing to compare the pool with */
	/* A pool that cannot start leaves hull's rows (pr->available false). */
	bool pool = pr->available && prepare(b, pr, ps->burst_size, &lp) == 0;
	run_bursts(b, &lh, pool ? &lp : NULL);
	if (pool)
		hh_launch_release(&lp);
	pool = pr->available && prepare(b, pr, ps->sustained_size, &lp) == 0;
	run_sustained(b, &lh, pool ? &lp : NULL);
	if (pool)
		hh_launch_release(&lp);
	hh_launch_release(&lh);
}

void hh_lat_pool_free(struct bench *b)
{
	for (int i = 0; i < POOL_ROWS; i++) {
		struct pool_row *r = &b->pool.row[i];
		hh_samples_free(&r->entry);
		hh_samples_free(&r->round);
		for (size_t k = 0; k < MAX_LEVELS; k++) {
			hh_samples_free(&r->sustained[k].round);
			hh_samples_free(&r->sustained[k].entry);
		}
	}
}

/* ---- the report ----------------------------------------------------------- */

static double per_s(size_t n, uint64_t ns)
{
	return ns ? (double)n * 1e9 / (double)ns : NAN;
}

static json_object *level_json(const struct level *lv)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "containers", json_object_new_int64((int64_t)lv->containers));
	json_object_object_add(o, "failures", json_object_new_int64((int64_t)lv->failures));
	json_object_object_add(o, "wall_ns", json_object_new_int64((int64_t)lv->wall_ns));
	double r = per_s(lv->containers, lv->wall_ns);
	json_object_object_add(o, "containers_per_s", isfinite(r) ? hh_json_decimal(r, 1) : NULL);
	json_object_object_add(o, "entry", hh_report_series(lv->entry.v, lv->entry.n, 1));
	json_object_object_add(o, "round_trip", hh_report_series(lv->round.v, lv->round.n, 1));
	if (lv->first_error[0])
		json_object_object_add(o, "first_error", json_object_new_string(lv->first_error));
	return o;
}

static json_object *burst_json(const struct pool_row *r)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(r->label));
	json_object_object_add(o, "containers", json_object_new_int64((int64_t)r->entry.n));
	json_object_object_add(o, "failures", json_object_new_int64((int64_t)r->burst_failures));
	json_object_object_add(o, "wall_ns", json_object_new_int64((int64_t)r->burst_wall_ns));
	double rate = per_s(r->entry.n, r->burst_wall_ns);
	json_object_object_add(o, "containers_per_s",
			       isfinite(rate) ? hh_json_decimal(rate, 1) : NULL);
	json_object_object_add(o, "entry", hh_report_series(r->entry.v, r->entry.n, 1));
	json_object_object_add(o, "round_trip", hh_report_series(r->round.v, r->round.n, 1));
	if (r->first_error[0])
		json_object_object_add(o, "first_error", json_object_new_string(r->first_error));
	return o;
}

static double level_rate(const struct pool_row *r, size_t li)
{
	return per_s(r->sustained[li].containers, r->sustained[li].wall_ns);
}

json_object *hh_lat_pool_json(struct bench *b)
{
	struct pool_suite *ps = &b->pool;
	json_object *o = json_object_new_object(), *rows = json_object_new_array();
	json_object *skipped = json_object_new_array();

	for (int i = 0; i < POOL_ROWS; i++) {
		struct pool_row *r = &ps->row[i];
		if (!r->available && r->why[0]) {
			json_object *s = json_object_new_object();
			json_object_object_add(s, "name", json_object_new_string(r->label));
			json_object_object_add(s, "reason", json_object_new_string(r->why));
			json_object_array_add(skipped, s);
		}
		if (r->entry.n)
			json_object_array_add(rows, burst_json(r));
	}
	json_object *burst = json_object_new_object();
	json_object_object_add(burst, "size", json_object_new_int((int)ps->burst_size));
	json_object_object_add(burst, "bursts", json_object_new_int(b->o.pool_bursts));
	json_object_object_add(burst, "pool_size", json_object_new_int((int)ps->burst_size));
	json_object_object_add(burst, "rows", rows);
	json_object_object_add(o, "burst", burst);

	json_object *levels = json_object_new_array();
	for (size_t li = 0; li < ps->n_levels; li++) {
		json_object *l = json_object_new_object();
		json_object_object_add(l, "level", json_object_new_int(b->o.pool_levels[li]));
		for (int i = 0; i < POOL_ROWS; i++)
			if (ps->row[i].sustained[li].level)
				json_object_object_add(l, ps->row[i].label,
						       level_json(&ps->row[i].sustained[li]));
		json_object *q = hh_json_get(l, "hull-pool");
		if (q && level_served[li].known) {
			json_object_object_add(q, "served_ready",
					       json_object_new_int64(level_served[li].ready));
			json_object_object_add(q, "served_queued",
					       json_object_new_int64(level_served[li].queued));
			json_object_object_add(q, "sent_back",
					       json_object_new_int64(level_served[li].sent_back));
		}
		double ratio = level_rate(&ps->row[POOL_ROW_POOL], li) /
			       level_rate(&ps->row[POOL_ROW_HULL], li);
		json_object_object_add(l, "pool_over_hull",
				       isfinite(ratio) ? hh_json_decimal(ratio, 3) : NULL);
		json_object_array_add(levels, l);
	}
	json_object *sus = json_object_new_object();
	json_object_object_add(sus, "pool_size", json_object_new_int((int)ps->sustained_size));
	json_object_object_add(sus, "levels", levels);
	json_object_object_add(o, "sustained", sus);

	json_object *mem = json_object_new_object();
	json_object_object_add(
		mem, "idle_slot_pss_kib",
		ps->idle_slot_pss_kib >= 0 ? json_object_new_int64(ps->idle_slot_pss_kib) : NULL);
	json_object_object_add(mem, "idle_slots", json_object_new_int(ps->idle_slots));
	json_object_object_add(
		mem, "what",
		json_object_new_string("PSS of a ready slot's keeper and container "
				       "(hull pool status); kernel objects such as "
				       "namespaces and the slot's tmpfs not included"));
	if (ps->mem_error[0])
		json_object_object_add(mem, "error", json_object_new_string(ps->mem_error));
	json_object_object_add(o, "memory", mem);
	json_object_object_add(o, "skipped", skipped);
	return o;
}

/* "Sustained throughput not below today's hull": hull's containers/s over
 * the pool's, at most 1, at each level. */
void hh_lat_pool_targets(struct bench *b, json_object *targets)
{
	struct pool_suite *ps = &b->pool;
	for (size_t li = 0; li < ps->n_levels; li++) {
		char name[64];
		snprintf(name, sizeof(name), "hull / hull-pool rate, %d at once",
			 b->o.pool_levels[li]);
		double v = level_rate(&ps->row[POOL_ROW_HULL], li) /
			   level_rate(&ps->row[POOL_ROW_POOL], li);
		json_object *t = json_object_new_object();
		json_object_object_add(t, "name", json_object_new_string(name));
		json_object_object_add(t, "metric", json_object_new_string("containers/s"));
		json_object_object_add(t, "limit", hh_json_decimal(1.0, 2));
		json_object_object_add(t, "value", isfinite(v) ? hh_json_decimal(v, 3) : NULL);
		json_object_object_add(t, "met",
				       isfinite(v) ? json_object_new_boolean(v <= 1.0) : NULL);
		if (!isfinite(v))
			json_object_object_add(t, "note",
					       json_object_new_string("hull or hull-pool sustained "
								      "rate not measured"));
		json_object_array_add(targets, t);
	}
}

/* ---- Markdown ------------------------------------------------------------- */

static void fmt_dur(json_object *series, const char *key, char *buf, size_t len)
{
	json_object *v = hh_json_get(series, key);
	if (!v)
		snprintf(buf, len, "-");
	else
		hh_fmt_duration(json_object_get_double(v), buf, len);
}

static void fmt_rate(json_object *o, char *buf, size_t len)
{
	json_object *v = hh_json_get(o, "containers_per_s");
	snprintf(buf, len, v ? "%.0f" : "-", v ? json_object_get_double(v) : 0);
}

void hh_lat_pool_markdown(json_object *report, FILE *out)
{
	json_object *p = hh_json_get(report, "pool");
	if (!p)
		return;
	json_object *burst = hh_json_get(p, "burst"), *rows = hh_json_get(burst, "rows");
	fputs("## Pool mode (hull run --pool against hull run)\n\n", out);
	fprintf(out,
		"Burst: %lld starts back to back, %lld bursts per row, alternating, from a full "
		"pool of %lld slots (refilled, untimed, before each of hull's bursts).\n\n",
		(long long)hh_json_get_int(burst, "size", 0),
		(long long)hh_json_get_int(burst, "bursts", 0),
		(long long)hh_json_get_int(burst, "pool_size", 0));
	static const char *const head[] = { "runtime",		 "start median", "p90",	  "max",
					    "round trip median", "containers/s", "failed" };
	hh_md_table_head(out, 7, head, "lrrrrrr");
	for (size_t i = 0; rows && i < json_object_array_length(rows); i++) {
		json_object *r = json_object_array_get_idx(rows, i), *e = hh_json_get(r, "entry");
		char med[32], p90[32], mx[32], rt[32], rate[32], f[16];
		fmt_dur(e, "median_ns", med, sizeof(med));
		fmt_dur(e, "p90_ns", p90, sizeof(p90));
		fmt_dur(e, "max_ns", mx, sizeof(mx));
		fmt_dur(hh_json_get(r, "round_trip"), "median_ns", rt, sizeof(rt));
		fmt_rate(r, rate, sizeof(rate));
		snprintf(f, sizeof(f), "%lld", (long long)hh_json_get_int(r, "failures", 0));
		const char *cells[] = {
			hh_json_get_string(r, "name", "?"), med, p90, mx, rt, rate, f
		};
		hh_md_table_row(out, 7, cells);
	}
	json_object *sus = hh_json_get(p, "sustained"), *levels = hh_json_get(sus, "levels");
	fprintf(out,
		"\nSustained rate with refill: K clients at once, each starting containers back "
		"to back; the pool has %lld slots (the default), so its refill is inside the "
		"figure. Queued for a slot: the share of the pool's requests that found no slot "
		"ready and waited for one the pool prepared for them.\n\n",
		(long long)hh_json_get_int(sus, "pool_size", 0));
	static const char *const shead[] = { "at once",
					     "hull containers/s",
					     "hull-pool containers/s",
					     "pool / hull",
					     "hull-pool start median",
					     "queued for a slot",
					     "failed (hull, pool)" };
	hh_md_table_head(out, 7, shead, "rrrrrrr");
	for (size_t i = 0; levels && i < json_object_array_length(levels); i++) {
		json_object *l = json_object_array_get_idx(levels, i);
		json_object *h = hh_json_get(l, "hull"), *q = hh_json_get(l, "hull-pool");
		json_object *ratio = hh_json_get(l, "pool_over_hull");
		char lv[16], hr[32], pr[32], x[32], med[32], f[48], qd[32];
		snprintf(lv, sizeof(lv), "%lld", (long long)hh_json_get_int(l, "level", 0));
		fmt_rate(h, hr, sizeof(hr));
		fmt_rate(q, pr, sizeof(pr));
		snprintf(x, sizeof(x), ratio ? "%.2f×" : "-",
			 ratio ? json_object_get_double(ratio) : 0);
		fmt_dur(hh_json_get(q, "entry"), "median_ns", med, sizeof(med));
		snprintf(f, sizeof(f), "%lld, %lld", (long long)hh_json_get_int(h, "failures", 0),
			 (long long)hh_json_get_int(q, "failures", 0));
		long long ready = hh_json_get_int(q, "served_ready", -1),
			  queued = hh_json_get_int(q, "served_queued", -1);
		if (ready >= 0 && queued >= 0 && ready + queued > 0)
			snprintf(qd, sizeof(qd), "%.0f %%",
				 100.0 * (double)queued / (double)(ready + queued));
		else
			snprintf(qd, sizeof(qd), "-");
		const char *cells[] = { lv, hr, pr, x, med, qd, f };
		hh_md_table_row(out, 7, cells);
	}
	json_object *mem = hh_json_get(p, "memory"), *pss = hh_json_get(mem, "idle_slot_pss_kib");
	if (pss)
		fprintf(out, "\nMemory per idle slot: %lld KiB (%s; %lld slots ready).\n",
			(long long)json_object_get_int64(pss), hh_json_get_string(mem, "what", ""),
			(long long)hh_json_get_int(mem, "idle_slots", 0));
	else
		fprintf(out, "\nMemory per idle slot: not measured%s%s.\n",
			hh_json_get(mem, "error") ? ": " : "",
			hh_json_get_string(mem, "error", ""));
	json_object *sk = hh_json_get(p, "skipped");
	for (size_t i = 0; sk && i < json_object_array_length(sk); i++) {
		json_object *s = json_object_array_get_idx(sk, i);
		fprintf(out, "\nSkipped %s: %s\n", hh_json_get_string(s, "name", "?"),
			hh_json_get_string(s, "reason", "?"));
	}
	fputs("\n", out);
}
