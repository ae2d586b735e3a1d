import { CodeLens, CodeLensParams, CodeLensRefreshRequest, Command, Connection } from 'vscode-languageserver';
import { fileURLToPath } from 'node:url';
import type { DocumentAnalyses } from './analysis/documentAnalyses';
import { allPatchedSites, siteFlavour } from './analysis/patchedSites';
import { builtPayloadFor } from './emulator/builtPayload';
import type { EmulatorStates } from './emulator/emulatorStates';
import { functionStatus, type FunctionStatus } from './emulator/functionStatus';
import { guarded } from './guard';
import { toLspRange } from './lspDiagnostics';

/** A lens that only says something: VS Code shows a command without an id as plain text. */
const says = (title: string): Command => ({ title, command: '' });

/** The client's commands (client/src/features/emulator/commands.ts) a lens runs, each with one argument object. */
const run = (title: string, command: string, args: object): Command => ({ title, command, arguments: [args] });

/** What the emulator does with the function, and what can be done about it from here. */
function lensCommands(status: FunctionStatus, source: string): Command[] {
  const flavour = status.runtime === 'xen' ? 'xen' : 'klp';
  if (!status.uses.length) {
    const built = builtPayloadFor(source, flavour);
    const title = status.runtime === 'xen' ? 'Upload & Apply' : 'Insmod';
    return [says('not loaded in the emulator'), run(title, 'livepatch.loadPayload', built.path ? { path: built.path } : {})];
  }
  if (status.runtime === 'xen') {
    return status.uses.flatMap(({ payload, func }): Command[] => {
      if (payload.state === 'APPLIED' && func.applied) return [says(`applied by ${payload.name}`), run('Revert', 'livepatch.revertPayload', { name: payload.name })];
      const failed = payload.rc !== 0 ? ` (last action rc=${payload.rc})` : '';
      return [
        says(`uploaded in ${payload.name}, not applied${failed}`),
        run('Apply', 'livepatch.applyPayload', { name: payload.name }),
        run('Unload', 'livepatch.unloadPayload', { name: payload.name }),
      ];
    });
  }
  return status.uses.flatMap(({ patch, func }): Command[] => {
    if (!patch.enabled) return [says(`disabled in ${patch.name}`), run('Enable', 'livepatch.enablePatch', { name: patch.name })];
    const where = patch.transition ? `, in transition (${func.patched ? 'patching' : 'waiting'})` : func.patched ? '' : ', not patched';
    return [says(`enabled by ${patch.name}${where}`), run('Disable', 'livepatch.disablePatch', { name: patch.name })];
  });
}

/**
 * Code lenses above each klp_func / livepatch_func entry and above the replacement functions
 * the file defines: the emulator's state of the patched function and the command that changes
 * it. They are asked for again (workspace/codeLens/refresh) whenever a session changes.
 */
export function registerCodeLenses(connection: Connection, analyses: DocumentAnalyses, states: EmulatorStates, canRefresh: () => boolean): void {
  connection.onCodeLens(
    guarded(connection, 'codeLens', [] as CodeLens[], async (params: CodeLensParams): Promise<CodeLens[]> => {
      const { uri } = params.textDocument;
      const analysed = await analyses.current(uri);
      if (!analysed || !uri.startsWith('file:')) return [];
      const source = fileURLToPath(uri);
      return allPatchedSites(analysed.sites)
        .filter((site) => site.field === 'name' || site.field === 'replacementDefinition')
        .flatMap((site) => {
          const range = toLspRange(site.range);
          return lensCommands(functionStatus(states, site.name, siteFlavour(site)), source).map((command) => ({ range, command }));
        });
    }),
  );
  states.onDidChange(() => {
    if (canRefresh()) void connection.sendRequest(CodeLensRefreshRequest.type);
  });
}
