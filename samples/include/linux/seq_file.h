#ifndef _LINUX_SEQ_FILE_H
#define _LINUX_SEQ_FILE_H

#include <linux/kernel.h>

/* A /proc read buffer: show functions append to buf until size is reached. */
struct seq_file {
	char *buf;
	size_t size;
	size_t count;
	unsigned long index;
};

void seq_putc(struct seq_file *m, char c);
void seq_puts(struct seq_file *m, const char *s);
void seq_printf(struct seq_file *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void seq_put_decimal_ull_width(struct seq_file *m, const char *delimiter, unsigned long long num, unsigned int width);

int cmdline_proc_show(struct seq_file *m, void *v);
int meminfo_proc_show(struct seq_file *m, void *v);
int version_proc_show(struct seq_file *m, void *v);

void proc_init(void);
/* Runs the show function of /proc/<name> into a static page and returns it NUL-terminated. */
const char *proc_read(const char *name);

#endif
