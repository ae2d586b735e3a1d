/*
 * -pg -mfentry makes every traceable function start with a 5-byte "call __fentry__"; ftrace
 * and livepatch redirect there. Here it only returns: no_instrument_function keeps it from
 * calling itself.
 */
__attribute__((no_instrument_function)) void __fentry__(void)
{
}
