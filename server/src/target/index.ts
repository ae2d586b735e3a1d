/**
 * TargetIndex: what we know about the image being patched (vmlinux, xen-syms, sample target).
 *
 *   loadTargetIndex(path, { cacheDir, onProgress, signal, inWorker, dwarfWorkers })
 *     -> Promise<TargetIndex & { fromCache, shared }>  cached by build-id + format version; builds in a
 *                                               worker thread; rejects with ElfError/DwarfError
 *   shareTarget(index) -> SharedTarget          what another thread needs to open the same index;
 *   sharedTargetIndex(target)                   there, over the same shared bytes (no copy of the columns)
 *   defaultCacheDir()                           $XDG_CACHE_HOME/livepatch-lens/targets
 *   buildTargetIndexData(path, options)         the build on the calling thread (tests, CLI):
 *                                               TargetTables, the columns `new TargetIndex` takes
 *   TargetIndex: symbolsNamed, symbol(name, sympos), symbolAt(address), inlinedInto(name, unit?),
 *                callPath(entries, symbol), callees(symbol) (the direct call graph of the text)
 *                (holders named as the image names them: clones, sympos, compile unit),
 *                definitions(name, file?) (the symbols a source function became), unitOf(symbol),
 *                inlines(name), isOutOfLine(name), inlineOnly(), knowsFunction(name), struct(name),
 *                hasExports, exported(name) (EXPORT_SYMBOL*: what the module loader resolves against),
 *                modversions (the exports carry `__crc_*` CRCs),
 *                tables (the columns), data (the same as plain objects, built on first read),
 *                flavour ({ flavour: linux | xen | either, xenIbt }: how the image is patched)
 *   FunctionCode: a target function's instructions (iced-x86), the ELF opened on first use
 *   FunctionNames.of(tables): function names sorted once: withPrefix (completion), nearest ("did you mean")
 */
export * from './model';
export { TargetTables } from './tables';
export { TargetIndex, InlinedInto, FunctionDefinition } from './targetIndex';
export { sameSourceFile } from './sourceFiles';
export { FlavourFacts, TargetFlavour } from './flavour';
export { FunctionCode } from './functionCode';
export { FunctionNames, type NamedFunction } from './functionNames';
export { loadTargetIndex, LoadOptions, SharedTarget, sharedTargetIndex, shareTarget } from './loadTargetIndex';
export { buildTargetIndexData, BuildOptions } from './buildTargetIndexData';
export { defaultCacheDir, cacheFile } from './targetCache';
export { cacheFormatVersion } from './cacheFormat';
export { findModuleSymvers, moduleSymversCandidates, ModuleSymvers } from './moduleSymvers';
