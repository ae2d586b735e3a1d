#ifndef _XEN_VERSION_H
#define _XEN_VERSION_H

/* The Xen-like part of the target: the functions Xen's own test payloads patch. */
const char *xen_extra_version(void);
unsigned int xen_major_version(void);
unsigned int xen_minor_version(void);

#endif
