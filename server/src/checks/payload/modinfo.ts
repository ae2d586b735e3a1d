import { Payload } from '../../payload';
import { FindingSink } from './context';
import { payloadChecks } from './ids';

/** Xen prints .modinfo as strings after apply and in `xen-livepatch list`; it must end in NUL. */
export function checkModinfoFormat(sink: FindingSink, payload: Payload): void {
  const modinfo = payload.modinfo;
  if (!modinfo || modinfo.terminated || modinfo.size === 0n) return;
  sink.add(
    payloadChecks.modinfoFormat,
    modinfo.section,
    `${modinfo.section} (${modinfo.size} bytes) does not end with a NUL byte, so whoever prints it as strings reads past its end. ` +
      `${payload.kind === 'xen' ? sink.xenSays(payload.name, 'Incorrect metadata format detected') : "The module loader's get_next_modinfo() relies on the terminator"}. ` +
      'Declare each entry as a C string (`static const char x[] __attribute__((section(".modinfo"), used)) = "key=value";`), which adds the NUL.',
    'EINVAL',
  );
}
