import { buildPayload, funcC, objdumpBytes, payloadStructC } from './xenPayloads';

// Payloads like the rest of xen/test/livepatch, built on demand (each once per process).

const cache = new Map<string, string>();
const once = (name: string, build: () => string): string => cache.get(name) ?? cache.set(name, build()).get(name)!;

const cBytes = (bytes: Buffer): string => [...bytes].map((b) => `0x${b.toString(16)}`).join(', ');
const expectC = (bytes: Buffer): string => `.expect = { .enabled = 1, .len = ${bytes.length}, .data = { ${cBytes(bytes)} } },`;

const seven = 'static unsigned int seven(void) { return 7; }';

/** xen_expectations: expects the first 8 bytes of xen_major_version, as objdump shows them. */
export const expectOk = (): string =>
  once('lp_expect_ok', () => buildPayload('lp_expect_ok', `${payloadStructC}${seven}${funcC('f', 'xen_major_version', 'seven', expectC(objdumpBytes('xen_major_version', 8)))}`));

export const deadBeef = Buffer.from('deadc0debabe', 'hex');
/** xen_expectations_fail: expects DE AD C0 DE BA BE. */
export const expectFail = (): string =>
  once('lp_expect_fail', () => buildPayload('lp_expect_fail', `${payloadStructC}${seven}${funcC('f', 'xen_major_version', 'seven', expectC(deadBeef))}`));

/** xen_prepost_hooks_fail: the pre-apply hook refuses with -EINVAL; the others must never run. */
export const preapplyFails = (): string =>
  once('lp_prepost_fail', () =>
    buildPayload(
      'lp_prepost_fail',
      `${payloadStructC}${seven}
static int pre(livepatch_payload_t *p) { printk("%s: refusing\\n", __func__); return -EINVAL; }
static void post(livepatch_payload_t *p) { printk("%s: must not run\\n", __func__); }
LIVEPATCH_PREAPPLY_HOOK(pre);
LIVEPATCH_POSTAPPLY_HOOK(post);
${funcC('f', 'xen_major_version', 'seven')}`,
    ),
  );

const actionHooks = (name: string, applyBody: string, funcs: string): string =>
  buildPayload(
    name,
    `${payloadStructC}
static unsigned int ninety_nine(void) { return 99; }
static unsigned int seven(void) { return 7; }
static int apply_hook(livepatch_payload_t *p)
{
	unsigned int i;
	printk("%s: %s has %u functions\\n", __func__, p->name, p->nfuncs);
	${applyBody}
}
static int revert_hook(livepatch_payload_t *p)
{
	unsigned int i;
	for (i = 0; i < p->nfuncs; i++) {
		arch_livepatch_revert(&p->funcs[i], &p->fstate[i]);
		p->fstate[i].applied = 0;
	}
	return 0;
}
LIVEPATCH_APPLY_HOOK(apply_hook);
LIVEPATCH_REVERT_HOOK(revert_hook);
${funcs}`,
  );

/** xen_action_hooks: the apply/revert action hooks patch and mark every function themselves. */
export const actionHooksOk = (): string =>
  once('lp_action_hooks', () =>
    actionHooks(
      'lp_action_hooks',
      `for (i = 0; i < p->nfuncs; i++) {
		arch_livepatch_apply(&p->funcs[i], &p->fstate[i]);
		p->fstate[i].applied = 1;
	}
	return 0;`,
      funcC('f', 'xen_minor_version', 'ninety_nine'),
    ),
  );

/** xen_action_hooks_noapply: the apply hook fails without touching anything: a consistent failure. */
export const actionHooksNoApply = (): string =>
  once('lp_action_noapply', () => actionHooks('lp_action_noapply', 'return -EINVAL;', funcC('f', 'xen_minor_version', 'ninety_nine')));

/** An apply hook that marks only the first of two functions: Xen panics. */
export const actionHooksPartial = (): string =>
  once('lp_action_partial', () =>
    actionHooks(
      'lp_action_partial',
      `(void)i;
	arch_livepatch_apply(&p->funcs[0], &p->fstate[0]);
	p->fstate[0].applied = 1;
	return 0;`,
      `
static const char major_name[] = "xen_major_version";
static const char minor_name[] = "xen_minor_version";
struct livepatch_func __attribute__((section(".livepatch.funcs"))) funcs[2] = {
	{ .version = LIVEPATCH_PAYLOAD_VERSION, .name = major_name, .new_addr = seven, .old_addr = xen_major_version, .new_size = 16, .old_size = XEN_MAJOR_VERSION_SZ },
	{ .version = LIVEPATCH_PAYLOAD_VERSION, .name = minor_name, .new_addr = ninety_nine, .old_addr = xen_minor_version, .new_size = 16, .old_size = XEN_MINOR_VERSION_SZ },
};`,
    ),
  );

/** A load hook that dereferences NULL: a fault in hypervisor context. */
export const faultingLoadHook = (): string =>
  once('lp_hook_fault', () =>
    buildPayload(
      'lp_hook_fault',
      `${payloadStructC}${seven}
static void boom(void) { *(volatile int *)0 = 1; }
LIVEPATCH_LOAD_HOOK(boom);
${funcC('f', 'xen_major_version', 'seven')}`,
    ),
  );

/** xen_no_xen_buildid: xen_nop's kind of payload linked without xen_note.o. */
export const noXenBuildId = (): string =>
  once('lp_no_xen_buildid', () => buildPayload('lp_no_xen_buildid', `${payloadStructC}${seven}${funcC('f', 'xen_major_version', 'seven')}`, { xenNote: false }));

/** A payload calling a function neither the hypervisor nor any payload defines. */
export const unknownSymbol = (): string =>
  once('lp_unknown_symbol', () =>
    buildPayload(
      'lp_unknown_symbol',
      `${payloadStructC}
unsigned int does_not_exist(void);
static unsigned int calls_nothing(void) { return does_not_exist(); }
${funcC('f', 'xen_major_version', 'calls_nothing')}`,
    ),
  );
