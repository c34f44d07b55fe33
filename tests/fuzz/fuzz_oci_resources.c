/* fuzz_oci_resources.c — hull_oci_resources_parse (the JSON of `hull update
 * --resources`, a linux.resources object: memory, cpu, pids, device rules);
 * for what parses, the limits it yields are in range and every device rule
 * prints as a v1 line of the kernel's grammar. */
#include "fuzz.h"
#include "cgroup.h"
#include "oci_config.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct hull_err err = { 0 };
	struct hull_oci_config cfg;
	struct hull_limits l = { 0 };

	int ret = hull_oci_resources_parse(s, "<stdin>", &cfg, &l, &err);
	fuzz_check_err(ret, &err);
	if (ret == 0) {
		FUZZ_ASSERT(l.cpu_shares == 0 || (l.cpu_shares >= 2 && l.cpu_shares <= 262144));
		FUZZ_ASSERT(hull_cpu_shares_to_weight(l.cpu_shares) <= 10000);
		FUZZ_ASSERT(!l.swappiness_set || (l.swappiness >= 0 && l.swappiness <= 100));
		FUZZ_ASSERT(l.n_dev_rules == 0); /* update never changes device rules */
		FUZZ_ASSERT(l.blkio_weight == 0 ||
			    (l.blkio_weight >= 10 && l.blkio_weight <= 1000));
		FUZZ_ASSERT(hull_blkio_weight_to_io(l.blkio_weight) <= 10000);
		for (size_t i = 0; i < l.n_io_devs; i++)
			FUZZ_ASSERT(l.io_devs[i].major >= 0 && l.io_devs[i].minor >= 0 &&
				    (l.io_devs[i].weight == 0 || l.io_devs[i].weight >= 10));
		for (size_t i = 0; i < l.n_hugetlb; i++)
			FUZZ_ASSERT(l.hugetlb[i].size[0] && !strchr(l.hugetlb[i].size, '/'));
		for (size_t i = 0; i < l.n_rdma; i++)
			FUZZ_ASSERT(l.rdma[i].device[0] && !strpbrk(l.rdma[i].device, " \n=/"));
	}
	hull_oci_config_free(&cfg);

	/* The same object as a config's linux.resources: the rules stay. */
	struct hull_spec spec;
	char *text = malloc(size + 200);
	FUZZ_ASSERT(text);
	snprintf(text, size + 200,
		 "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"r\"}, \"process\": "
		 "{\"args\": [\"x\"], \"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0}}, "
		 "\"linux\": {\"resources\": %s}}",
		 s);
	hull_spec_init(&spec);
	ret = hull_oci_config_parse(text, "/bundle", &cfg, &spec, &err);
	fuzz_check_err(ret, &err);
	for (size_t i = 0; ret == 0 && i < spec.limits.n_dev_rules; i++) {
		const struct hull_dev_rule *r = &spec.limits.dev_rules[i];
		char line[64];
		FUZZ_ASSERT(strchr("acb", r->type) && r->type);
		FUZZ_ASSERT(r->access[0] && strspn(r->access, "rwm") == strlen(r->access));
		hull_cg_dev_rule_line(r, line, sizeof(line));
		FUZZ_ASSERT(line[0] == r->type);
	}
	hull_spec_free(&spec);
	hull_oci_config_free(&cfg);
	free(text);
	free(s);
	return 0;
}
