import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import * as path from 'node:path';
import { fixture } from '../../../support/paths';

/** gcc flags of kernel code (dependencies.md §4), with fentry, mcount records and IBT. */
const kernelFlags = [
  '-O2',
  '-mcmodel=kernel',
  '-mno-red-zone',
  '-mno-sse',
  '-fno-pic',
  '-ffreestanding',
  '-fno-stack-protector',
  '-fno-asynchronous-unwind-tables',
  '-pg',
  '-mfentry',
  '-mrecord-mcount',
  '-fcf-protection=branch',
];

export interface Fixtures {
  dir: string;
  /** Relocatable objects of kfuncs.c. */
  objectDwarf5: string;
  objectDwarf4: string;
  objectCompressed: string;
  /** Linked at 0xffffffff81000000 from kfuncs, dup_a, dup_b (two local `helper`s) and fentry. */
  image: string;
  imageDwarf4: string;
  imageCompressed: string;
  all: string[];
}

let built: Fixtures | undefined;

/** Builds every gcc fixture once per test process, into its own folder under test/fixtures/build. */
export function buildFixtures(): Fixtures {
  if (built) return built;
  const root = fixture('build');
  mkdirSync(root, { recursive: true });
  const dir = mkdtempSync(path.join(root, 'elf-'));
  const source = (name: string): string => fixture('elf', `${name}.c`);
  const out = (name: string): string => path.join(dir, name);
  const compile = (name: string, output: string, extra: string[]): string => {
    execFileSync('gcc', [...kernelFlags, ...extra, '-c', source(name), '-o', out(output)]);
    return out(output);
  };
  const link = (output: string, objects: string[], extra: string[] = []): string => {
    execFileSync('ld', ['-T', fixture('elf', 'kimage.ld'), '--build-id=sha1', '--emit-relocs', '--no-warn-rwx-segments', ...extra, '-o', out(output), ...objects]);
    return out(output);
  };
  const units = ['kfuncs', 'dup_a', 'dup_b', 'fentry'];
  const dwarf5 = units.map((u) => compile(u, `${u}.o`, ['-gdwarf-5']));
  const dwarf4 = units.map((u) => compile(u, `${u}-dw4.o`, ['-gdwarf-4']));
  const objectCompressed = compile('kfuncs', 'kfuncs-gz.o', ['-gdwarf-5', '-gz']);
  const image = link('kimage', dwarf5);
  const imageDwarf4 = link('kimage-dw4', dwarf4);
  const imageCompressed = link('kimage-gz', dwarf5, ['--compress-debug-sections=zlib']);
  built = {
    dir,
    objectDwarf5: dwarf5[0],
    objectDwarf4: dwarf4[0],
    objectCompressed,
    image,
    imageDwarf4,
    imageCompressed,
    all: [dwarf5[0], dwarf4[0], objectCompressed, dwarf5[1], image, imageDwarf4, imageCompressed],
  };
  return built;
}

export function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}
