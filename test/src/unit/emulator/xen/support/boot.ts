import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { XenLivepatch, XenLivepatchOptions } from '../../../../../../server/out/emulator/xen';
import { buildSamples, samples, sampleBytes, targetPath } from './xenPayloads';

let built = false;

/** A fresh hypervisor on the sample target (built once per process). */
export function boot(options: XenLivepatchOptions = {}): XenLivepatch {
  if (!built) buildSamples();
  built = true;
  return XenLivepatch.boot(targetPath, options);
}

/** Uploads a sample payload under its own name and insists it worked. */
export function uploadSample(xen: XenLivepatch, name: string): void {
  const rc = xen.upload(name, sampleBytes(name));
  if (rc !== 0) throw new Error(`upload of ${name} failed with ${rc}:\n${xen.console.log}`);
}

/** An action and the idle loop that carries it out; returns the hypercall's rc. */
export function act(xen: XenLivepatch, name: string, action: 'apply' | 'revert' | 'replace' | 'unload', options: { nodeps?: boolean; timeoutNs?: number } = {}): number {
  const rc = xen.action(name, action, options);
  xen.idle();
  return rc;
}

/** What a `const char *` function of the guest returns now. */
export function callString(xen: XenLivepatch, fn: string): string {
  const result = xen.machine.call(fn);
  if (result.status !== 'returned') throw new Error(`${fn}: ${result.fault?.report() ?? result.status}`);
  return xen.machine.memory.readCString(result.rax);
}

/** The string a sample payload's replacement returns, read from its C source. */
export function sourceString(file: string): string {
  const text = readFileSync(path.join(samples, file), 'utf8');
  return /return "([^"]*)";/.exec(text)![1];
}
