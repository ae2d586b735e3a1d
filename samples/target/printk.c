/*
 * A small vsnprintf: enough of printk's format language for the sample (%s %c %d %i %u %x
 * %p %%, the l/ll length modifiers, a 0 flag and a width, given inline or as an argument).
 * Output goes to log_buf, which the emulator shows as the guest's console.
 */
#include <linux/kernel.h>

#define LOG_BUF_SIZE 4096

char log_buf[LOG_BUF_SIZE];
size_t log_buf_len;

struct format_out {
	char *buf;
	size_t size;
	size_t len;
};

static void put_char(struct format_out *out, char c)
{
	if (out->len + 1 < out->size)
		out->buf[out->len++] = c;
}

static void put_number(struct format_out *out, unsigned long long num, unsigned int base, bool negative, unsigned int width, char pad)
{
	char digits[24];
	unsigned int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[num % base];
		num /= base;
	} while (num);
	if (negative)
		digits[n++] = '-';
	while (width > n) {
		put_char(out, pad);
		width--;
	}
	while (n)
		put_char(out, digits[--n]);
}

int vscnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	struct format_out out = { .buf = buf, .size = size, .len = 0 };

	for (; *fmt; fmt++) {
		unsigned int width = 0, longs = 0;
		char pad = ' ';
		const char *s;
		long long sval;

		if (*fmt != '%') {
			put_char(&out, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = *fmt++;
		if (*fmt == '*') {
			width = va_arg_uint(args);
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned int)(*fmt++ - '0');
		while (*fmt == 'l') {
			longs++;
			fmt++;
		}
		switch (*fmt) {
		case 's':
			for (s = va_arg_ptr(args); *s; s++)
				put_char(&out, *s);
			break;
		case 'c':
			put_char(&out, (char)va_arg_int(args));
			break;
		case 'd':
		case 'i':
			sval = longs ? va_arg_ll(args) : va_arg_int(args);
			put_number(&out, sval < 0 ? -(unsigned long long)sval : (unsigned long long)sval, 10, sval < 0, width, pad);
			break;
		case 'u':
			put_number(&out, longs ? va_arg_ull(args) : va_arg_uint(args), 10, false, width, pad);
			break;
		case 'x':
			put_number(&out, longs ? va_arg_ull(args) : va_arg_uint(args), 16, false, width, pad);
			break;
		case 'p':
			put_number(&out, (unsigned long)va_arg_ptr(args), 16, false, 16, '0');
			break;
		case '\0':
			fmt--;
			break;
		default:
			put_char(&out, *fmt);
		}
	}
	if (size)
		buf[out.len] = '\0';
	return (int)out.len;
}

int printk(const char *fmt, ...)
{
	va_list args;
	int len;

	va_start(args, fmt);
	len = vscnprintf(log_buf + log_buf_len, LOG_BUF_SIZE - log_buf_len, fmt, args);
	va_end(args);
	log_buf_len += (size_t)len;
	return len;
}
