// Importing this module registers every check family; import it wherever the whole catalogue
// is needed (the language server, the CLI, the drift test).
export { allChecks, docsUrl, registerChecks } from './catalogue';
export type { CheckInfo } from './catalogue';
export type { Finding, Severity } from './finding';
import './payload/ids';
import './source/sourceCatalogue';
import './patch';
