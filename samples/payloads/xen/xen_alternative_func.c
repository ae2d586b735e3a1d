/* Two alternative sites: each answers 0 as built and 1 once its replacement is written over it. */
#include <xen/alternative.h>

unsigned int xen_alternative_lm(void)
{
	unsigned int v;

	alternative_io("xor %k0, %k0", "mov $1, %k0", X86_FEATURE_LM, "=r"(v));
	return v;
}

unsigned int xen_alternative_vp2intersect(void)
{
	unsigned int v;

	alternative_io("xor %k0, %k0", "mov $1, %k0", X86_FEATURE_AVX512_VP2INTERSECT, "=r"(v));
	return v;
}

const char *xen_alternative_extra_version(void)
{
	if (xen_alternative_lm())
		return xen_alternative_vp2intersect() ? "-lm-vp2" : "-lm-orig";
	return xen_alternative_vp2intersect() ? "-orig-vp2" : "-orig-orig";
}
