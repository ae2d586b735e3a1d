import type { Finding } from '../checks';
import type { Limits } from '../limits';
import type { PayloadView } from '../payload';
import type { SharedTarget } from '../target';

/** What a payload inspection worker is started with (its workerData). */
export interface InspectionRequest {
  file: string;
  target?: SharedTarget;
  limits: Limits;
}

export type InspectionReply = { type: 'inspected'; view: PayloadView; findings: Finding[] } | { type: 'failed'; message: string };
