import { MissingPiecesError } from '../../../../server/out/machines/hostPieces';

/**
 * What the host has of a real machine: the pieces, or why a real-machine test skips (what is
 * missing, and the script that installs it). Anything but a missing piece is the test's failure.
 */
export function hostPieces<T>(find: () => T, what: string): { found: T; skip?: undefined } | { found?: undefined; skip: string } {
  try {
    return { found: find() };
  } catch (error) {
    if (error instanceof MissingPiecesError) return { skip: `no ${what} here (run bash scripts/ensure-vm.sh): ${error.message.replace(/\n\s*/g, '; ')}` };
    throw error;
  }
}
