/* report.c — context, statistics and tables for benchmark reports; see
 * report.h. */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif
/* Set by harness/latency.mk; a hand-built object says so. */
#ifndef HH_BUILD_FLAGS
#define HH_BUILD_FLAGS "unknown"
#endif
#ifndef HH_REPORT_VERSION
#define HH_REPORT_VERSION "unknown"
#endif

static int fs_type_is(const char *path, long magic)
{
	struct statfs sfs;
	return statfs(path, &sfs) == 0 && (long)sfs.f_type == magic;
}

const char *hh_report_cgroup_layout(void)
{
	if (fs_type_is("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC))
		return "v2";
	if (!fs_type_is("/sys/fs/cgroup", TMPFS_MAGIC))
		return "none";
	if (fs_type_is("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC))
		return "hybrid";
	return "v1";
}

static void cpu_model(char *buf, size_t len)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "re");

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (strncmp(line, "model name", 10) != 0 || !colon)
			continue;
		colon += 1 + strspn(colon + 1, " \t");
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(buf, len, "%s", colon);
		break;
	}
	fclose(f);
}

static void add_str(json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, json_object_new_string(val ? val : "unknown"));
}

json_object *hh_report_context(const char *commit)
{
	json_object *ctx = json_object_new_object();
	struct utsname u;
	char buf[256];

	if (!ctx)
		return NULL;
	if (uname(&u) == 0) {
		add_str(ctx, "host", u.nodename);
		add_str(ctx, "kernel", u.release);
		add_str(ctx, "kernel_version", u.version);
		add_str(ctx, "arch", u.machine);
	}
	json_object_object_add(ctx, "cpus", json_object_new_int64(sysconf(_SC_NPROCESSORS_ONLN)));
	cpu_model(buf, sizeof(buf));
	add_str(ctx, "cpu_model", buf);
	add_str(ctx, "cgroup_layout", hh_report_cgroup_layout());
	add_str(ctx, "commit", commit && *commit ? commit : "unknown");
	add_str(ctx, "version", HH_REPORT_VERSION);
	add_str(ctx, "build_flags", HH_BUILD_FLAGS);
#ifdef __OPTIMIZE__
	add_str(ctx, "build_type", "optimized");
#else
	add_str(ctx, "build_type", "debug");
#endif
	add_str(ctx, "compiler", "gcc " __VERSION__);
	add_str(ctx, "hull_libc", HH_HULL_LIBC); /* musl or glibc (core/musl/musl.mk) */

	time_t now = time(NULL);
	struct tm tm;
	if (gmtime_r(&now, &tm) && strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		add_str(ctx, "date", buf);
	return ctx;
}

static json_object *ns_int(double ns)
{
	return json_object_new_int64((int64_t)llround(ns));
}

json_object *hh_json_decimal(double v, int decimals)
{
	char s[64];
	if (!isfinite(v))
		return NULL; /* JSON has no NaN: the member becomes null */
	snprintf(s, sizeof(s), "%.*f", decimals, v);
	return json_object_new_double_s(v, s);
}

json_object *hh_report_stats(const struct hh_stats *st)
{
	json_object *o = json_object_new_object(), *ci, *out;

	if (!o)
		return NULL;
	json_object_object_add(o, "n", json_object_new_int64((int64_t)st->n));
	json_object_object_add(o, "min_ns", ns_int(st->min));
	json_object_object_add(o, "median_ns", ns_int(st->median));
	json_object_object_add(o, "mean_ns", ns_int(st->mean));
	json_object_object_add(o, "stddev_ns", ns_int(st->stddev));
	json_object_object_add(o, "sem_ns", ns_int(st->sem));
	json_object_object_add(o, "p90_ns", ns_int(st->p90));
	json_object_object_add(o, "p99_ns", ns_int(st->p99));
	json_object_object_add(o, "max_ns", ns_int(st->max));
	ci = json_object_new_array();
	json_object_array_add(ci, ns_int(st->ci_lo));
	json_object_array_add(ci, ns_int(st->ci_hi));
	json_object_object_add(o, "ci95_median_ns", ci);
	json_object_object_add(o, "ci_level", hh_json_decimal(st->ci_level, 4));
	json_object_object_add(o, "mad_ns", ns_int(st->mad));
	out = json_object_new_object();
	json_object_object_add(out, "low", json_object_new_int64((int64_t)st->outliers_low));
	json_object_object_add(out, "high", json_object_new_int64((int64_t)st->outliers_high));
	json_object_object_add(o, "outliers", out);
	return o;
}

json_object *hh_report_series(const uint64_t *samples, size_t n, int keep_samples)
{
	struct hh_stats st;
	if (hh_stats_compute(samples, n, &st, NULL) < 0)
		return NULL;
	json_object *o = hh_report_stats(&st);
	if (!o || !keep_samples)
		return o;
	json_object *arr = json_object_new_array_ext((int)n);
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_int64((int64_t)samples[i]));
	json_object_object_add(o, "samples_ns", arr);
	return o;
}

int hh_report_write_json(json_object *obj, const char *path, struct hull_err *err)
{
	char tmp[4096];
	const char *s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
								    JSON_C_TO_STRING_NOSLASHESCAPE);

	if (!s)
		return hull_fail(err, ENOMEM, "cannot serialise report '%s'", path);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= sizeof(tmp))
		return hull_fail(err, ENAMETOOLONG, "cannot write report '%s'", path);
	FILE *f = fopen(tmp, "we");
	if (!f)
		return hull_fail(err, errno, "cannot write report '%s'", tmp);
	int ok = fputs(s, f) >= 0 && fputc('\n', f) != EOF;
	if (fclose(f) != 0)
		ok = 0;
	if (!ok) {
		int e = errno;
		unlink(tmp);
		return hull_fail(err, e ? e : EIO, "cannot write report '%s'", tmp);
	}
	if (rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return hull_fail(err, e, "cannot write report '%s'", path);
	}
	return 0;
}

void hh_fmt_duration(double ns, char *buf, size_t len)
{
	double a = fabs(ns);

	if (!isfinite(ns))
		snprintf(buf, len, "-");
	else if (a < 1e3)
		snprintf(buf, len, "%.0f ns", ns);
	else if (a < 1e5)
		snprintf(buf, len, "%.1f µs", ns / 1e3);
	else if (a < 1e6)
		snprintf(buf, len, "%.0f µs", ns / 1e3);
	else if (a < 1e9)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.2f s", ns / 1e9);
}

static void md_cell(FILE *out, const char *s)
{
	fputc(' ', out);
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", out);
		else if (*s == '\n')
			fputc(' ', out);
		else
			fputc(*s, out);
	}
	fputs(" |", out);
}

void hh_md_table_head(FILE *out, size_t ncols, const char *const *titles, const char *align)
{
	fputc('|', out);
	for (size_t i = 0; i < ncols; i++)
		md_cell(out, titles[i]);
	fputs("\n|", out);
	for (size_t i = 0; i < ncols; i++) {
		char a = align && i < strlen(align) ? align[i] : 'l';
		fputs(a == 'r' ? "---:|" : a == 'c' ? ":---:|" : "---|", out);
	}
	fputc('\n', out);
}

void hh_md_table_row(FILE *out, size_t ncols, const char *const *cells)
{
	fputc('|', out);
	for (size_t i = 0; i < ncols; i++)
		md_cell(out, cells[i]);
	fputc('\n', out);
}

json_object *hh_json_get(json_object *obj, const char *key)
{
	json_object *v = NULL;
	if (!obj || !json_object_is_type(obj, json_type_object))
		return NULL;
	return json_object_object_get_ex(obj, key, &v) ? v : NULL;
}

int64_t hh_json_get_int(json_object *obj, const char *key, int64_t def)
{
	json_object *v = hh_json_get(obj, key);
	if (!v ||
	    !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return def;
	return json_object_get_int64(v);
}

double hh_json_get_double(json_object *obj, const char *key, double def)
{
	json_object *v = hh_json_get(obj, key);
	if (!v ||
	    !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return def;
	return json_object_get_double(v);
}

const char *hh_json_get_string(json_object *obj, const char *key, const char *def)
{
	json_object *v = hh_json_get(obj, key);
	if (!v || !json_object_is_type(v, json_type_string))
		return def;
	return json_object_get_string(v);
}
