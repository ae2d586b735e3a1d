/**
 * One command of a scenario, as an author types it on a real machine or in the emulator:
 * `insmod livepatch-sample.ko`, `echo 0 > /sys/kernel/livepatch/livepatch_sample/enabled`,
 * `xen-livepatch load hello.livepatch`, `call xen_extra_version`. The same value drives the
 * emulator's runtimes and the real machines, so one script runs on either.
 */
export interface ScenarioCommand {
  /** The words, quotes removed, the redirection taken out: `['echo', '0']`. */
  argv: string[];
  /** `> PATH` (or `>> PATH`, append) after the words: where stdout goes instead of the terminal. */
  redirect?: { path: string; append: boolean };
  /** The exit status the command must have (`expect N COMMAND`); 0 unless given. */
  expect: number;
  /** The command as written, for echoing and for messages. */
  text: string;
  /** Where it was written (`demo.xlp:12`, `argv`), for messages. */
  source: string;
}
