/*
 * /proc-like show functions in the shape of fs/proc/cmdline.c and fs/proc/meminfo.c; the
 * Linux sample livepatch replaces cmdline_proc_show().
 */
#include <linux/seq_file.h>
#include <xen/version.h>

#define PAGE_SHIFT 12
#define PROC_PAGE_SIZE 1024
#define NR_PROC_ENTRIES 4

/* What si_meminfo() reports; a patch adding a field here changes what callers copy. */
struct sysinfo {
	unsigned long totalram;
	unsigned long freeram;
	unsigned long bufferram;
	unsigned int mem_unit;
};

struct proc_entry {
	const char *name;
	int (*show)(struct seq_file *m, void *v);
};

unsigned long totalram_pages = 32768;
unsigned long nr_free_pages = 20480;
unsigned long nr_buffer_pages = 512;

static struct proc_entry proc_entries[NR_PROC_ENTRIES];
static char proc_page[PROC_PAGE_SIZE];

void seq_putc(struct seq_file *m, char c)
{
	if (m->count < m->size)
		m->buf[m->count++] = c;
}

void seq_puts(struct seq_file *m, const char *s)
{
	while (*s)
		seq_putc(m, *s++);
}

void seq_printf(struct seq_file *m, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	m->count += (size_t)vscnprintf(m->buf + m->count, m->size - m->count, fmt, args);
	va_end(args);
}

void seq_put_decimal_ull_width(struct seq_file *m, const char *delimiter, unsigned long long num, unsigned int width)
{
	seq_puts(m, delimiter);
	seq_printf(m, "%*llu", width, num);
}

int cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, saved_command_line);
	seq_putc(m, '\n');
	return 0;
}

static void si_meminfo(struct sysinfo *val)
{
	val->totalram = totalram_pages;
	val->freeram = nr_free_pages;
	val->bufferram = nr_buffer_pages;
	val->mem_unit = 1U << PAGE_SHIFT;
}

/* Inlined into meminfo_proc_show(): a fix here must replace meminfo_proc_show as well. */
static inline __attribute__((always_inline)) void show_val_kb(struct seq_file *m, const char *s, unsigned long num)
{
	seq_put_decimal_ull_width(m, s, num << (PAGE_SHIFT - 10), 8);
	seq_puts(m, " kB\n");
}

int meminfo_proc_show(struct seq_file *m, void *v)
{
	struct sysinfo i;

	si_meminfo(&i);
	show_val_kb(m, "MemTotal:       ", i.totalram);
	show_val_kb(m, "MemFree:        ", i.freeram);
	show_val_kb(m, "Buffers:        ", i.bufferram);
	return 0;
}

/* In another file than the version functions, so it calls them and sees them patched. */
int version_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "Xen version %u.%u%s\n", xen_major_version(), xen_minor_version(), xen_extra_version());
	return 0;
}

static bool name_equal(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static void proc_create_single(const char *name, int (*show)(struct seq_file *m, void *v))
{
	unsigned int i;

	for (i = 0; i < NR_PROC_ENTRIES; i++) {
		if (!proc_entries[i].name) {
			proc_entries[i].name = name;
			proc_entries[i].show = show;
			return;
		}
	}
}

/* Runs once at boot: patching it changes nothing, the entries are already registered. */
__attribute__((section(".init.text"), cold)) void proc_init(void)
{
	proc_create_single("cmdline", cmdline_proc_show);
	proc_create_single("meminfo", meminfo_proc_show);
	proc_create_single("version", version_proc_show);
}

/* Reads /proc/<name> into a static page; NULL when no such entry. */
const char *proc_read(const char *name)
{
	struct seq_file m = { .buf = proc_page, .size = PROC_PAGE_SIZE - 1, .count = 0 };
	unsigned int i;

	for (i = 0; i < NR_PROC_ENTRIES; i++) {
		if (proc_entries[i].name && name_equal(proc_entries[i].name, name)) {
			proc_entries[i].show(&m, NULL);
			proc_page[m.count] = '\0';
			return proc_page;
		}
	}
	return NULL;
}
