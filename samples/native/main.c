/*
 * Runs the sample target's code as an ordinary Linux program: the same C, compiled for user
 * space, so the emulator's run of sample-target can be compared with a native one. Prints
 * start_kernel()'s result on the first line, then the guest console (log_buf).
 */
long start_kernel(void);
long write(int fd, const void *buf, unsigned long count);

extern char log_buf[];
extern unsigned long log_buf_len;

int main(void)
{
	char line[24];
	int n = sizeof(line);
	unsigned long value = (unsigned long)start_kernel();

	line[--n] = '\n';
	do {
		line[--n] = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	write(1, line + n, sizeof(line) - (unsigned long)n);
	write(1, log_buf, log_buf_len);
	return 0;
}
