import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ElfError } from './errors';

/**
 * Random access to the bytes of an ELF file. A vmlinux is ~600 MB, so the file is read through
 * a descriptor and only the parts asked for are loaded.
 */
export interface ByteSource {
  readonly name: string;
  readonly size: bigint;
  /** Exactly `length` bytes at `offset`, or an ElfError naming `structure` when out of bounds. */
  read(offset: bigint, length: bigint, structure: string): Buffer;
  close(): void;
}

const maxSingleRead = 0x7fff_f000;

function checkRange(source: ByteSource, offset: bigint, length: bigint, structure: string): void {
  if (offset < 0n || length < 0n || offset + length > source.size) {
    throw new ElfError(source.name, structure, offset, `${length} bytes run past the end of the file (${source.size} bytes)`);
  }
  if (length > BigInt(maxSingleRead)) {
    throw new ElfError(source.name, structure, offset, `${length} bytes is too large to read`);
  }
}

export class FileByteSource implements ByteSource {
  readonly size: bigint;
  private fd: number | undefined;

  constructor(readonly name: string) {
    this.fd = openSync(name, 'r');
    this.size = BigInt(fstatSync(this.fd).size);
  }

  read(offset: bigint, length: bigint, structure: string): Buffer {
    checkRange(this, offset, length, structure);
    if (this.fd === undefined) throw new ElfError(this.name, structure, offset, 'file is closed');
    const buffer = Buffer.allocUnsafe(Number(length));
    let done = 0;
    while (done < buffer.length) {
      const got = readSync(this.fd, buffer, done, buffer.length - done, Number(offset) + done);
      if (got === 0) throw new ElfError(this.name, structure, offset, 'file shrank while being read');
      done += got;
    }
    return buffer;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

export class BufferByteSource implements ByteSource {
  readonly size: bigint;

  constructor(
    readonly name: string,
    private readonly bytes: Buffer,
  ) {
    this.size = BigInt(bytes.length);
  }

  read(offset: bigint, length: bigint, structure: string): Buffer {
    checkRange(this, offset, length, structure);
    return this.bytes.subarray(Number(offset), Number(offset + length));
  }

  close(): void {}
}
