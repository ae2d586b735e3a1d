#ifndef _XEN_VERSION_H
#define _XEN_VERSION_H

/* The Xen-like part of the target: the functions Xen's own test payloads patch. */
const char *xen_extra_version(void);
unsigned int xen_major_version(void);
unsigned int xen_minor_version(void);
/* What the sample's NMI and #MC handlers call; only the torn-write scenario's payload patches it. */
const char *xen_build_info(void);

#endif
