import { AnalysisOutcome, AnalysisRunner, defaultRunnerOptions } from './analysisRunner';
import type { SharedTarget } from '../../target';
import type { AnalysisJob } from './protocol';

/** Up to this size a document analyses in milliseconds (a patch module, a patch); above, it may take seconds. */
const smallDocumentChars = 128 * 1024;

/**
 * Two analysis workers, one for small documents and one for large ones: one worker runs one job
 * at a time, and the outline or hover of the module being written must not wait behind the
 * seconds a 20 MB file takes. A document that crosses the size is dropped from the other lane.
 */
export class AnalysisLanes {
  private readonly small: AnalysisRunner;
  private readonly large: AnalysisRunner;

  constructor(log: (message: string) => void) {
    // A hover in a small document may wait for its analysis; nothing waits for a large one's.
    this.small = new AnalysisRunner(log);
    this.large = new AnalysisRunner(log, { ...defaultRunnerOptions, niceness: 10 });
  }

  static isSmall(this: void, text: string): boolean {
    return text.length <= smallDocumentChars;
  }

  analyze(request: Omit<AnalysisJob, 'id'>): Promise<AnalysisOutcome> {
    const [lane, other] = AnalysisLanes.isSmall(request.text) ? [this.small, this.large] : [this.large, this.small];
    other.close(request.uri);
    return lane.analyze(request);
  }

  close(uri: string): void {
    this.small.close(uri);
    this.large.close(uri);
  }

  setTarget(target: SharedTarget): void {
    this.small.setTarget(target);
    this.large.setTarget(target);
  }

  /** Once a lane's worker has read a new target, with which documents are that lane's. */
  onTargetLoaded(listener: (inLane: (text: string) => boolean) => void): void {
    this.small.onTargetLoaded(() => listener(AnalysisLanes.isSmall));
    this.large.onTargetLoaded(() => listener((text) => !AnalysisLanes.isSmall(text)));
  }

  dispose(): void {
    this.small.dispose();
    this.large.dispose();
  }
}
