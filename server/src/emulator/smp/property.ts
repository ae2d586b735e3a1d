import { parseArgv } from '../../scenario/parse';
import type { RuntimeName } from '../../scenario/dialect';
import { runtimeFactory } from '../runtimes';
import { EmulatorSession, SessionCommandResult } from '../session';
import type { PokeProtocol } from './cpuSet';

// The properties of issue 17's proof (item 7 b and e), one fresh machine per seed: a live patch
// applied by CPU 0 while the other CPUs call the patched function in a loop never tears, and
// every call returns what the old or the new function returns. A failing seed is printed as the
// `emu` command line that replays it.

/** What a property's seed runs: the runtime, the function the other CPUs loop through, and the command that patches it. */
export interface PatchScenario {
  runtime: RuntimeName;
  function: string;
  /** Followed by the payload's path: Xen's `load`, or Linux's `insmod` of a klp module. */
  verb: 'load' | 'insmod';
}

/** The Xen sample payload xen_hello_world replaces xen_extra_version. */
export const xenScenario: PatchScenario = { runtime: 'xen', function: 'xen_extra_version', verb: 'load' };

/**
 * The klp sample module lp-minor1 replaces xen_minor_version: its init's klp_enable_patch()
 * switches the function's __fentry__ site from the NOP to the call, from inside a native.
 */
export const ftraceScenario: PatchScenario = { runtime: 'linux', function: 'xen_minor_version', verb: 'insmod' };

export interface PatchProperty {
  name: string;
  what: string;
  cpus: number;
  poke: PokeProtocol;
  nmiRate: number;
  scenario: PatchScenario;
}

/** The properties bench/smpProperty.bench.mjs runs over 10,000 seeds. */
export const patchProperties: readonly PatchProperty[] = [
  { name: 'xen', what: "Xen's protocol, no NMI: no tear", cpus: 2, poke: 'xen', nmiRate: 0, scenario: xenScenario },
  {
    name: 'text_poke_bp',
    what: 'text_poke_bp, two CPUs looping, NMIs drawn from the seed: no tear, every call returns the old or the new result',
    cpus: 3,
    poke: 'linux',
    nmiRate: 20,
    scenario: xenScenario,
  },
];

/** text_poke_bp under ftrace's NOP-to-call switch, started by a module's init while two CPUs loop through the site. */
export const ftraceProperty: PatchProperty = {
  name: 'ftrace',
  what: "ftrace's NOP-to-call switch during insmod by text_poke_bp, two CPUs looping, NMIs drawn from the seed: no tear, every call returns the old or the new result",
  cpus: 3,
  poke: 'linux',
  nmiRate: 20,
  scenario: ftraceScenario,
};

/** The sample target and the payload that patches the scenario's function in it. */
export interface PropertyFiles {
  target: string;
  payload: string;
}

/** What the scenario's function returns before and after the payload is applied, the machine's CPUs taking turns. */
export interface ExpectedResults {
  old: string;
  new: string;
}

/** The scenario of a seed: every CPU but 0 loops through the function while CPU 0 loads the payload. */
export function propertyArgv(property: PatchProperty, files: PropertyFiles): string[] {
  const { function: fn, verb } = property.scenario;
  const others = Array.from({ length: property.cpus - 1 }, (_, i) => i + 1);
  const commands = [...others.map((cpu) => ['run', `${cpu}`, fn, '--loop']), [verb, files.payload], ...others.map((cpu) => ['stop', `${cpu}`])];
  return commands.flatMap((command, i) => (i ? ['--', ...command] : command));
}

/** The `emu` command line that replays `seed` of `property`. */
export function replayLine(property: PatchProperty, files: PropertyFiles, seed: number): string {
  const options = [
    '--runtime',
    property.scenario.runtime,
    '--target',
    files.target,
    '--cpus',
    `${property.cpus}`,
    '--seed',
    `${seed}`,
    '--poke',
    property.poke,
    '--nmi-rate',
    `${property.nmiRate}`,
  ];
  return ['livepatch-lens', 'emu', ...options, ...propertyArgv(property, files)].join(' ');
}

/**
 * One seed's scenario on a fresh machine: each command's result, what each other CPU's calls
 * returned, and how often the other CPUs hit text_poke_bp's int3 while CPU 0 loaded the payload.
 */
export function runSeed(
  property: PatchProperty,
  files: PropertyFiles,
  seed: number,
): { results: SessionCommandResult[]; returned: Map<number, string[]>; trapHitsDuringLoad: number } {
  const session = new EmulatorSession(runtimeFactory(property.scenario.runtime), {
    target: files.target,
    cpus: property.cpus,
    seed,
    poke: property.poke,
    nmiRate: property.nmiRate,
  });
  const trapHits = () => (session.cpus?.known() ?? []).reduce((sum, cpu) => sum + cpu.trapHits, 0);
  const commands = parseArgv(propertyArgv(property, files));
  const load = property.cpus - 1;
  let trapHitsDuringLoad = 0;
  const results = commands.map((command, i) => {
    const before = trapHits();
    const result = session.run(command);
    if (i === load) trapHitsDuringLoad = trapHits() - before;
    return result;
  });
  const returned = new Map<number, string[]>();
  for (const cpu of session.cpus?.known() ?? []) if (cpu.id > 0) returned.set(cpu.id, [...cpu.results.keys()].map(resultText));
  return { results, returned, trapHitsDuringLoad };
}

/** The function's result before and after the load, one call at a time with nothing written meanwhile. */
export function expectedResults(files: PropertyFiles, scenario: PatchScenario = xenScenario): ExpectedResults {
  const session = new EmulatorSession(runtimeFactory(scenario.runtime), { target: files.target, cpus: 2 });
  const once = (): string => {
    for (const command of parseArgv(['run', '1', scenario.function, '--', 'stop', '1'])) session.run(command);
    return [...session.cpus!.cpu(1).results.keys()].map(resultText).join(', ');
  };
  const old = once();
  const load = session.run(parseArgv([scenario.verb, files.payload])[0]);
  if (load.exitCode !== 0) throw new Error(`the payload does not load on one CPU at a time: ${load.stderr}`);
  return { old, new: once() };
}

/** Why `seed` breaks the property (with the line that replays it), or undefined when it holds. */
export function checkSeed(property: PatchProperty, files: PropertyFiles, expected: ExpectedResults, seed: number, run = runSeed(property, files, seed)): string | undefined {
  const { results, returned } = run;
  const failure = (why: string) => `${property.name}: seed ${seed}: ${why}\n  replay: ${replayLine(property, files, seed)}`;
  for (const result of results) {
    if (/torn-write/.test(result.stderr)) return failure(`the write tore: ${firstLine(result.stderr, 'torn-write')}`);
    if (result.exitCode !== 0) return failure(`'${result.command}' exited ${result.exitCode}: ${result.stderr.trim().split('\n')[0]}`);
  }
  for (const [cpu, texts] of returned) {
    const odd = texts.find((text) => text !== expected.old && text !== expected.new);
    if (odd !== undefined) return failure(`a call on CPU${cpu} returned ${odd}, neither the old ${expected.old} nor the new ${expected.new}`);
  }
  return undefined;
}

/** A tally key (`0x... "text"`) as the property compares it: the string, since addresses differ between machines. */
function resultText(key: string): string {
  const text = / (".*")$/.exec(key)?.[1];
  return text === undefined ? key : (JSON.parse(text) as string);
}

function firstLine(text: string, containing: string): string {
  return text.split('\n').find((line) => line.includes(containing)) ?? text;
}
