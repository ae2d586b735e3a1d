/**
 * Decoded payloads. Public API:
 *
 *   openPayload(file): OpenedPayload            never throws for bad input: { identity?, payload?, error?: ElfError }
 *   decodePayloadBytes(bytes, name)             the same for bytes in memory (tests, the emulator's upload)
 *   Payload = XenPayload | KlpModule            (model.ts) every address/offset/size/flag a BigInt
 *     XenPayload: funcs (v1/v2 struct livepatch_func, pointers resolved through relocations),
 *                 depends / xenDepends / buildId notes, hooks, .modinfo, alternatives, special sections
 *     KlpModule:  .modinfo (livepatch, name, vermagic), klp_patch -> klp_object[] -> klp_func[]
 *                 (layout from the module's DWARF, else Linux 6.x x86-64), .klp.rela.* and .klp.sym.*
 */
export * from './model';
export { openPayload, decodePayloadBytes, decodePayloadBytesOpen, OpenedPayload } from './openPayload';
export { currentPayloadVersion, endbr64Length, funcLayouts, livepatchMaxSize, livepatchRange, opaqueSize, patchInsnSize } from './xen/funcsLayout';
export { hookKinds, hookSection, isArrayHook, vetoingHookKinds } from './xen/hookSections';
export { altInstrSize } from './xen/decodeSpecial';
export { alternativeBug, AlternativeBug } from './xen/alternativeBugs';
export { SHF_RELA_LIVEPATCH } from './klp/klpNames';
export { kernelKlpLayout } from './klp/klpLayout';
export { payloadView, PayloadView, FunctionView, ChainLink } from './present/payloadView';
export { payloadText } from './present/payloadText';
