import { Connection, DefinitionParams, Location } from 'vscode-languageserver';
import { pathToFileURL } from 'node:url';
import { findFunctionDefinition } from '../c/findDefinition';
import type { DocumentAnalyses } from './analysis/documentAnalyses';
import { patchedSiteAt } from './analysis/patchedSites';
import { guarded } from './guard';
import type { TargetService } from './targetService';

/** Where the user's copy of the sources is, most their own first. */
interface DefinitionRoots {
  workspaceRoots: () => readonly string[];
  /** `livepatch.sourceRoot`. */
  sourceRoot: () => string;
}

/**
 * Go to definition from an `old_name`, a Xen `.name` or `.old_addr` to the original function:
 * in the workspace folders, else in `livepatch.sourceRoot`, else (the bundled sample target
 * only) in the samples that ship with the extension. The first tree that defines it wins: the
 * user's own copy, never the extension's beside it.
 */
export function registerDefinition(connection: Connection, analyses: DocumentAnalyses, target: TargetService, roots: DefinitionRoots): void {
  connection.onDefinition(
    guarded(connection, 'definition', [] as Location[], async (params: DefinitionParams): Promise<Location[]> => {
      const analysed = await analyses.current(params.textDocument.uri);
      const patched = analysed && patchedSiteAt(analysed.sites, { line: params.position.line, column: params.position.character });
      if (!patched || (patched.field !== 'name' && patched.field !== 'oldAddr')) return [];
      const configured = roots.sourceRoot();
      const trees = [...roots.workspaceRoots(), configured, configured ? '' : target.sourceRoot('')].filter(Boolean);
      for (const tree of new Set(trees)) {
        const found = await findFunctionDefinition(tree, patched.name);
        if (found.length)
          return found.map((d) => ({
            uri: pathToFileURL(d.file).href,
            range: { start: { line: d.line, character: d.column }, end: { line: d.line, character: d.column + patched.name.length } },
          }));
      }
      return [];
    }),
  );
}
