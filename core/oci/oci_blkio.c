/* oci_blkio.c — linux.resources.blockIO, hugepageLimits and rdma onto
 * struct hull_limits (cgroup v2: io.weight, io.max, hugetlb.<size>.max,
 * rdma.max; v1: blkio.*, hugetlb.<size>.limit_in_bytes, rdma.max). leafWeight (a v1 CFQ
 * knob) is refused. */
#include "oci_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int own_array(struct oci_ctx *c, size_t n, size_t size, void **out)
{
	*out = calloc(n ? n : 1, size);
	if (!*out || hull_oci_own(c, *out) < 0)
		return hull_fail(c->err, ENOMEM, "cannot parse '%s'", c->file);
	return 0;
}

/* The device of entry i in one of blockIO's device lists: the entry for
 * (major, minor) in devs, added when new. */
static int device_entry(struct oci_ctx *c, json_object *d, const char *field,
			struct hull_io_dev *devs, size_t *n, struct hull_io_dev **out)
{
	int64_t major, minor;
	bool has_major, has_minor;
	int ret;

	if (!json_object_is_type(d, json_type_object))
		return hull_oci_invalid(c, field, "an object");
	if ((ret = hull_oci_get_i64(c, d, "major", field, &has_major, &major)) < 0 ||
	    (ret = hull_oci_get_i64(c, d, "minor", field, &has_minor, &minor)) < 0)
		return ret;
	if (!has_major || !has_minor || major < 0 || minor < 0 || major > 0xfff || minor > 0xfffff)
		return hull_oci_invalid(c, field, "major and minor device numbers");
	for (size_t i = 0; i < *n; i++)
		if (devs[i].major == major && devs[i].minor == minor)
			return (*out = &devs[i]), 0;
	devs[*n] = (struct hull_io_dev){ .major = major, .minor = minor };
	*out = &devs[(*n)++];
	return 0;
}

static int check_weight(struct oci_ctx *c, uint64_t w, const char *field)
{
	return w && (w < 10 || w > 1000) ? hull_oci_invalid(c, field, "a weight of 10 to 1000") : 0;
}

int hull_oci_parse_blkio(struct oci_ctx *c, json_object *o, struct hull_limits *l)
{
	static const char *const known[] = { "weight",
					     "weightDevice",
					     "throttleReadBpsDevice",
					     "throttleWriteBpsDevice",
					     "throttleReadIOPSDevice",
					     "throttleWriteIOPSDevice",
					     NULL };
	static const char *const lists[] = { "weightDevice", "throttleReadBpsDevice",
					     "throttleWriteBpsDevice", "throttleReadIOPSDevice",
					     "throttleWriteIOPSDevice" };
	const char *f = "linux.resources.blockIO";
	json_object *v[5];
	struct hull_io_dev *devs;
	size_t total = 0, n = 0;
	char field[96];
	int ret;

	if (!o)
		return 0;
	/* leafWeight (and each device's) is CFQ's, gone from today's kernels:
	 * refused by name as any other field hull cannot honour. */
	if ((ret = hull_oci_check_keys(c, o, f, known)) < 0 ||
	    (ret = hull_oci_get_u64(c, o, "weight", f, false, &l->blkio_weight)) < 0 ||
	    (ret = check_weight(c, l->blkio_weight, "linux.resources.blockIO.weight")) < 0)
		return ret;
	for (size_t k = 0; k < 5; k++) {
		snprintf(field, sizeof(field), "%s.%s", f, lists[k]);
		if ((ret = hull_oci_get(c, o, lists[k], json_type_array, field, &v[k])) < 0)
			return ret;
		total += v[k] ? json_object_array_length(v[k]) : 0;
	}
	if (!total)
		return 0;
	if ((ret = own_array(c, total, sizeof(*devs), (void **)&devs)) < 0)
		return ret;
	for (size_t k = 0; k < 5; k++) {
		for (size_t i = 0; v[k] && i < json_object_array_length(v[k]); i++) {
			static const char *const weight_keys[] = { "major", "minor", "weight",
								   NULL };
			static const char *const rate_keys[] = { "major", "minor", "rate", NULL };
			json_object *d = json_object_array_get_idx(v[k], i);
			struct hull_io_dev *dev = NULL;
			uint64_t value = 0;
			snprintf(field, sizeof(field), "%s.%s[%zu]", f, lists[k], i);
			if ((ret = device_entry(c, d, field, devs, &n, &dev)) < 0 ||
			    (ret = hull_oci_check_keys(c, d, field, k ? rate_keys : weight_keys)) <
				    0 ||
			    (ret = hull_oci_get_u64(c, d, k ? "rate" : "weight", field, k != 0,
						    &value)) < 0)
				return ret;
			if (k == 0 && (ret = check_weight(c, value, field)) < 0)
				return ret;
			uint64_t *slot[] = { &dev->weight, &dev->rbps, &dev->wbps, &dev->riops,
					     &dev->wiops };
			*slot[k] = value;
		}
	}
	l->io_devs = devs;
	l->n_io_devs = n;
	return 0;
}

int hull_oci_parse_hugetlb(struct oci_ctx *c, json_object *list, struct hull_limits *l)
{
	static const char *const known[] = { "pageSize", "limit", NULL };
	size_t n = list ? json_object_array_length(list) : 0;
	struct hull_hugetlb *h;
	char field[64];
	int ret;

	if (!n)
		return 0;
	if ((ret = own_array(c, n, sizeof(*h), (void **)&h)) < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(list, i);
		const char *size;
		snprintf(field, sizeof(field), "linux.resources.hugepageLimits[%zu]", i);
		if (!json_object_is_type(e, json_type_object))
			return hull_oci_invalid(c, field, "an object");
		if ((ret = hull_oci_check_keys(c, e, field, known)) < 0 ||
		    (ret = hull_oci_get_string(c, e, "pageSize", field, true, &size)) < 0 ||
		    (ret = hull_oci_get_u64(c, e, "limit", field, true, &h[i].limit)) < 0)
			return ret;
		/* The kernel's names: digits then KB, MB or GB ("2MB", "1GB"). */
		size_t digits = strspn(size, "0123456789");
		if (!digits || digits >= sizeof(h[i].size) - 2 ||
		    (strcmp(size + digits, "KB") && strcmp(size + digits, "MB") &&
		     strcmp(size + digits, "GB")))
			return hull_oci_invalid(c, field, "a pageSize such as 2MB or 1GB");
		snprintf(h[i].size, sizeof(h[i].size), "%s", size);
	}
	l->hugetlb = h;
	l->n_hugetlb = n;
	return 0;
}

int hull_oci_parse_rdma(struct oci_ctx *c, json_object *o, struct hull_limits *l)
{
	static const char *const known[] = { "hcaHandles", "hcaObjects", NULL };
	size_t n = o ? (size_t)json_object_object_length(o) : 0, i = 0;
	struct hull_rdma *r;
	char field[128];
	int ret;

	if (!n)
		return 0;
	if ((ret = own_array(c, n, sizeof(*r), (void **)&r)) < 0)
		return ret;
	json_object_object_foreach(o, device, limits)
	{
		uint64_t handles = UINT64_MAX, objects = UINT64_MAX;
		snprintf(field, sizeof(field), "linux.resources.rdma.%s", device);
		if (!device[0] || strlen(device) >= sizeof(r[i].device) || strpbrk(device, " \n=/"))
			return hull_oci_invalid(c, "linux.resources.rdma", "RDMA device names");
		if (!json_object_is_type(limits, json_type_object))
			return hull_oci_invalid(c, field, "an object");
		if ((ret = hull_oci_check_keys(c, limits, field, known)) < 0 ||
		    (ret = hull_oci_get_u64(c, limits, "hcaHandles", field, false, &handles)) < 0 ||
		    (ret = hull_oci_get_u64(c, limits, "hcaObjects", field, false, &objects)) < 0)
			return ret;
		if ((handles != UINT64_MAX && handles > INT32_MAX) ||
		    (objects != UINT64_MAX && objects > INT32_MAX))
			return hull_oci_invalid(c, field, "counts up to 2147483647");
		snprintf(r[i].device, sizeof(r[i].device), "%s", device);
		r[i].hca_handles = handles == UINT64_MAX ? -1 : (int64_t)handles;
		r[i].hca_objects = objects == UINT64_MAX ? -1 : (int64_t)objects;
		i++;
	}
	l->rdma = r;
	l->n_rdma = i;
	return 0;
}
