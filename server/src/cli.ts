import { CliCommand, CliError, CliIo, ExitCode } from './cli/command';
import { symbolsCommand } from './cli/symbols';
import { targetCommand } from './cli/target';
import { emuCommand } from './cli/emu';
import { vmCommand } from './cli/vm';
import { checkCommand } from './cli/check';
import { inspectCommand } from './cli/inspect';
import { limitFlagsHelp, takeLimitFlags } from './cli/limitFlags';

// Subcommands, in the order `--help` lists them. Each lives in cli/<name>.ts.
const commands: CliCommand[] = [checkCommand, inspectCommand, symbolsCommand, targetCommand, emuCommand, vmCommand];

declare const LIVEPATCH_LENS_VERSION: string | undefined;
function version(): string {
  return typeof LIVEPATCH_LENS_VERSION === 'string' ? LIVEPATCH_LENS_VERSION : 'development';
}

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: livepatch-lens <command> [options]',
    '',
    'Checks Linux (klp, kpatch) and Xen live patches, inspects payloads and runs them in an emulator.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    "  --help, -h     show this help, or a command's help with `livepatch-lens <command> --help`",
    '  --version, -V  print the version',
    '  --limit NAME=VALUE  raise or lower one of the bounds on input sizes and guest runs (any command):',
    ...limitFlagsHelp(),
    '',
    'Exit status: 0 success, 1 findings (error diagnostics, unknown names, guest faults), 2 usage or I/O error.',
  ].join('\n');
}

export async function runCli(argv: string[], io: CliIo): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return name === undefined ? ExitCode.UsageOrIo : ExitCode.Ok;
  }
  if (name === '--version' || name === '-V') {
    io.out(version());
    return ExitCode.Ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`livepatch-lens: unknown command '${name}'; try 'livepatch-lens --help'`);
    return ExitCode.UsageOrIo;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage);
    return ExitCode.Ok;
  }
  try {
    return await command.run(takeLimitFlags(rest), io);
  } catch (error) {
    io.err(`livepatch-lens ${name}: ${error instanceof Error ? error.message : String(error)}`);
    if (!(error instanceof CliError) && process.env.LIVEPATCH_LENS_DEBUG) io.err(String((error as Error).stack));
    return ExitCode.UsageOrIo;
  }
}

if (require.main === module) {
  // runCli turns every failure into an exit status: its promise does not reject.
  void runCli(process.argv.slice(2), {
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  }).then((code) => {
    process.exitCode = code;
  });
}
