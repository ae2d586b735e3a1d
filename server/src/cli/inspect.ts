import { checkOpenedPayload } from '../checks/payload';
import { reportRow, textReport } from '../checks/report';
import { openPayload, payloadText, payloadView } from '../payload';
import { requireFile, targetFromOption } from './check';
import { CliCommand, CliError, CliIo, ExitCode, parseCliArgs } from './command';

const usage = `Usage: livepatch-lens inspect PAYLOAD [--target ELF] [--json]

Shows what a payload holds: Xen .livepatch payloads (functions with old/new symbol and sizes,
the build-id chain, hooks, special sections) or Linux livepatch modules (klp_patch objects
and functions, callbacks, .klp.rela/.klp.sym), its sections, and every LP3xx diagnostic.
With --target, old functions get their addresses and the target-dependent checks run.

  --json   one JSON object: {"payload": {...}, "diagnostics": [{file, line, column, severity, code, message}]}

Exit status: 0 no error-level diagnostic, 1 error-level diagnostics, 2 usage or I/O error.`;

export const inspectCommand: CliCommand = {
  name: 'inspect',
  summary: 'show a payload (.livepatch, .ko): functions, build-id chain, hooks, sections, diagnostics',
  usage,
  async run(args: string[], io: CliIo): Promise<ExitCode> {
    const parsed = parseCliArgs({ args, allowPositionals: true, strict: true, options: { target: { type: 'string' }, json: { type: 'boolean' } } });
    if (parsed.positionals.length !== 1) throw new CliError(`expected one PAYLOAD, got ${parsed.positionals.length}\n${usage}`);
    const [file] = parsed.positionals;
    requireFile(file);
    const target = await targetFromOption(parsed.values.target);
    const opened = openPayload(file);
    const findings = checkOpenedPayload(opened, target ? { target } : {});
    const view = payloadView(opened, target);
    if (parsed.values.json) io.out(JSON.stringify({ payload: view, diagnostics: findings.map(reportRow) }, null, 2));
    else io.out(`${payloadText(view)}\n\nDiagnostics:${findings.length ? `\n${textReport(findings)}` : ' none'}`);
    return findings.some((f) => f.severity === 'error') ? ExitCode.Findings : ExitCode.Ok;
  },
};
