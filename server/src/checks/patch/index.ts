// Importing this module registers the LP2xx checks (see ../index.ts).
export { patchChecks } from './catalogue';
export { analyzePatch, AnalyzePatchOptions } from './analyzePatch';
