import { CheckInfo, registerChecks } from '../catalogue';

/** LP3xx: what Xen's payload loader or the Linux module loader / klp core would refuse or trip on. */
// prettier-ignore
export const payloadChecks = {
  elfIdentity: { id: 'LP300', title: 'not an x86-64 ELF64 relocatable object', severity: 'error' },
  programHeaders: { id: 'LP301', title: 'payload has program headers (linked, not relocatable)', severity: 'error' },
  malformedElf: { id: 'LP302', title: 'malformed ELF structure', severity: 'error' },
  missingBuildId: { id: 'LP303', title: 'missing or empty build-id dependency section', severity: 'error' },
  funcsSize: { id: 'LP304', title: '.livepatch.funcs size is not a multiple of the entry size', severity: 'error' },
  funcVersion: { id: 'LP305', title: 'livepatch_func has the wrong version', severity: 'error' },
  zeroSize: { id: 'LP306', title: 'livepatch_func old_size is zero', severity: 'error' },
  tooSmall: { id: 'LP307', title: 'old function too small for the jump', severity: 'error' },
  nopTooLong: { id: 'LP308', title: 'NOP-out longer than 31 bytes or than old_size', severity: 'error' },
  distance: { id: 'LP309', title: 'replacement more than 2 GiB away from the old function', severity: 'error' },
  expectation: { id: 'LP310', title: 'invalid expectation (reserved bits, length)', severity: 'error' },
  hookSize: { id: 'LP311', title: 'hook section with the wrong number of pointers', severity: 'error' },
  writableCode: { id: 'LP312', title: 'section both writable and executable', severity: 'error' },
  modinfoFormat: { id: 'LP313', title: '.modinfo is not NUL-terminated', severity: 'error' },
  alternatives: { id: 'LP314', title: 'alternative instructions outside the payload text', severity: 'error' },
  unknownSymbol: { id: 'LP315', title: 'symbol the target cannot resolve', severity: 'error' },
  duplicateSymbol: { id: 'LP316', title: 'new symbol already defined by the target', severity: 'error' },
  vetoingHooks: { id: 'LP317', title: 'vetoing hooks forbid REPLACE', severity: 'warning' },
  nothingToPatch: { id: 'LP318', title: 'nothing to patch', severity: 'error' },
  oldFunctionMissing: { id: 'LP319', title: 'old function not in the target', severity: 'error' },
  oldFunctionAmbiguous: { id: 'LP320', title: 'old function name is ambiguous in the target', severity: 'error' },
  notrace: { id: 'LP321', title: 'old function is notrace (no fentry): ftrace cannot patch it', severity: 'error' },
  initText: { id: 'LP322', title: 'old function is __init (.init.text)', severity: 'error' },
  inlined: { id: 'LP323', title: 'old function is also inlined into callers', severity: 'warning' },
  inlinedIntoSchedule: { id: 'LP324', title: 'old function is inlined into __schedule', severity: 'error' },
  xenBuildIdMismatch: { id: 'LP325', title: '.livepatch.xen_depends is not the target build-id', severity: 'error' },
  notLivepatchModule: { id: 'LP330', title: 'module is not marked livepatch=Y', severity: 'error' },
  klpSentinel: { id: 'LP331', title: 'klp_func or klp_object array without its { } sentinel', severity: 'error' },
  klpNames: { id: 'LP332', title: '.klp.sym / .klp.rela name or marking the kernel cannot parse', severity: 'error' },
  namePointer: { id: 'LP333', title: 'livepatch_func name pointer outside the payload', severity: 'error' },
  hookPointer: { id: 'LP334', title: 'hook pointer outside the payload text', severity: 'error' },
  oldAddrOutsideText: { id: 'LP335', title: 'old_addr outside the hypervisor text', severity: 'error' },
  plainModule: { id: 'LP337', title: 'plain kernel module, not a livepatch module', severity: 'information' },
  bssTooLarge: { id: 'LP336', title: 'SHT_NOBITS section (.bss) larger than LIVEPATCH_MAX_SIZE', severity: 'error' },
  nopBoundary: { id: 'LP338', title: 'Xen NOP-out cuts an instruction or removes the way out', severity: 'error' },
  jumpOverBranchTarget: { id: 'LP339', title: "Xen's jump at the patch site overwrites a branch target", severity: 'error' },
  moduleLoaderRefuses: { id: 'LP141', title: "module file Linux's load_module() refuses before linking it", severity: 'error' },
  xenLoader: { id: 'LP341', title: "Xen's loader refuses the upload, or faults on it, in its own order", severity: 'error' },
  alternativeBug: { id: 'LP371', title: "alternative entry Xen's _apply_alternatives() BUG()s on at upload", severity: 'error' },
  reportRecursion: { id: 'LP370', title: 'WARN, BUG or ASSERT in the replacement of a function the register dump calls', severity: 'error' },

  executionContext: { id: 'LP360', title: 'old function runs in NMI, #MC or patching context', severity: 'warning' },
  unhandledRelocation: { id: 'LP340', title: "relocation Xen's loader refuses (STN_UNDEF, or a type it does not apply)", severity: 'error' },
} as const satisfies Record<string, CheckInfo>;

export type PayloadCheck = (typeof payloadChecks)[keyof typeof payloadChecks];

registerChecks(Object.values(payloadChecks));
