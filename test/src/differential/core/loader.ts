import type { GenerateOptions } from './generate';
import type { Base, Mutator } from './mutator';
import type { Variant, Verdict, VerdictField } from './variant';

/** One of our judges of a variant: the emulator's loader, the analyzer (`check`/`inspect`). */
export interface Judge {
  name: string;
  /** The fields this judge answers, when fewer than the loader's (the analyzer says accepted or refused, not the kernel's words). */
  fields?: readonly VerdictField[];
  judge(variants: readonly Variant[]): Promise<Map<string, Verdict>>;
}

/** What one session of the real machine said. */
export interface RealRun {
  /** What the verdicts were recorded on: hypervisor and kernel version strings. */
  versions: Record<string, string>;
  verdicts: Map<string, Verdict>;
  /** Wall time of the session, boot included. */
  seconds: number;
  /** Boots it took: 1, the machine then checkpointed. */
  boots: number;
  /** Machines resumed from the checkpoint, each after a variant that took the machine down or left it unfit to judge the next. */
  restores: number;
}

/** A real loader and ours, as the differential drives them. */
export interface DifferentialLoader {
  name: string;
  /** Why our judges cannot run here (a package to install, samples to build), or undefined. */
  unavailable(): string | undefined;
  /** Why the real machine cannot boot here, or undefined. */
  realUnavailable(): string | undefined;
  bases(): Base[];
  mutators: readonly Mutator[];
  /** The seed and count the recording and the live run use. */
  generate: GenerateOptions;
  /** The fields that must agree (or be listed as allowed differences). */
  fields: readonly VerdictField[];
  /** Every variant, in order, in one session of the real machine. */
  runReal(variants: readonly Variant[], progress: (line: string) => void): Promise<RealRun>;
  judges(): Judge[];
}
