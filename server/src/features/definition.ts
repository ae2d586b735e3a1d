import { Connection, DefinitionParams, Location } from 'vscode-languageserver';
import { pathToFileURL } from 'node:url';
import { findFunctionDefinition } from '../c/findDefinition';
import type { DocumentAnalyses } from './analysis/documentAnalyses';
import { patchedSiteAt } from './analysis/patchedSites';
import { guarded } from './guard';
import type { TargetService } from './targetService';

/**
 * Go to definition from an `old_name` or a Xen `.name` to the original function in
 * `livepatch.sourceRoot`; with the bundled sample target and no source root, in the samples.
 */
export function registerDefinition(connection: Connection, analyses: DocumentAnalyses, target: TargetService, sourceRoot: () => string): void {
  connection.onDefinition(
    guarded(connection, 'definition', [] as Location[], async (params: DefinitionParams): Promise<Location[]> => {
      const analysed = await analyses.current(params.textDocument.uri);
      const patched = analysed && patchedSiteAt(analysed.sites, { line: params.position.line, column: params.position.character });
      const root = target.sourceRoot(sourceRoot());
      if (!patched || !root) return [];
      return (await findFunctionDefinition(root, patched.name)).map((d) => ({
        uri: pathToFileURL(d.file).href,
        range: { start: { line: d.line, character: d.column }, end: { line: d.line, character: d.column + patched.name.length } },
      }));
    }),
  );
}
