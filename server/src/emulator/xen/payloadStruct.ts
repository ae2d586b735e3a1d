import { Memory } from '../memory';
import { payloadField } from './guestLayout';
import { LoadedPayload } from './payloadRecord';

/** Mirrors the host record into the guest `struct payload` that hooks receive. */
export function writePayloadStruct(memory: Memory, p: LoadedPayload): void {
  const at = p.struct;
  memory.writeU32(at + payloadField.state, p.state);
  memory.writeU32(at + payloadField.rc, p.rc);
  memory.write(at + payloadField.reverted, Uint8Array.of(p.reverted ? 1 : 0, p.safeToReapply ? 1 : 0));
  memory.writeU64(at + payloadField.textAddr, p.text.address);
  memory.writeU64(at + payloadField.textSize, p.text.size);
  memory.writeU64(at + payloadField.rwAddr, p.rw.address);
  memory.writeU64(at + payloadField.rwSize, p.rw.size);
  memory.writeU64(at + payloadField.roAddr, p.ro.address);
  memory.writeU64(at + payloadField.roSize, p.ro.size);
  memory.writeU32(at + payloadField.pages, p.pages);
  memory.writeU64(at + payloadField.funcs, p.funcs[0] ?? 0n);
  memory.writeU64(at + payloadField.fstate, p.fstate);
  memory.writeU32(at + payloadField.nfuncs, p.funcs.length);
  memory.writeCString(at + payloadField.name, p.name);
}
