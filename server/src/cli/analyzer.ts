import type { Finding } from '../checks';
import type { TargetIndex } from '../target';

/** What an analyzer may use besides the file. */
export interface AnalysisEnv {
  target?: TargetIndex;
  sourceRoot?: string;
  /** --kernel-config, read once already; else one is looked for next to the target and in the source root. */
  kernelConfig?: string;
}

/** One kind of input file `check` understands; the first analyzer that accepts a file runs. */
export interface Analyzer {
  kind: string;
  accepts(file: string): boolean;
  analyze(file: string, env: AnalysisEnv): Promise<Finding[]> | Finding[];
}
