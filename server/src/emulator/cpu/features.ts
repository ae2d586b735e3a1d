/**
 * The features the emulated CPU reports, as Xen numbers them (word * 32 + bit,
 * xen/include/public/arch-x86/cpufeatureset.h: word 0 CPUID.1.edx, 1 CPUID.1.ecx,
 * 2 CPUID.0x80000001.edx, 3 CPUID.0x80000001.ecx): QEMU's `qemu64` model, the CPU the real-Xen
 * runs boot under TCG, so an alternative picks the same code in both. The interpreter runs the
 * integer subset of these (no x87, MMX or SSE code is emulated); what matters to a payload is
 * which alternatives apply: LM does, AVX, AVX-512, ERMS and the rest do not.
 */
export const cpuFeatures: ReadonlyMap<number, string> = new Map([
  ...(
    [
      ['FPU', 0],
      ['DE', 2],
      ['PSE', 3],
      ['TSC', 4],
      ['MSR', 5],
      ['PAE', 6],
      ['MCE', 7],
      ['CX8', 8],
      ['APIC', 9],
      ['SEP', 11],
      ['MTRR', 12],
      ['PGE', 13],
      ['MCA', 14],
      ['CMOV', 15],
      ['PAT', 16],
      ['PSE36', 17],
      ['CLFLUSH', 19],
      ['MMX', 23],
      ['FXSR', 24],
      ['SSE', 25],
      ['SSE2', 26],
    ] as const
  ).map(([name, bit]) => [bit, name] as const),
  [1 * 32 + 0, 'SSE3'],
  [1 * 32 + 13, 'CX16'],
  [1 * 32 + 31, 'HYPERVISOR'],
  [2 * 32 + 11, 'SYSCALL'],
  [2 * 32 + 20, 'NX'],
  [2 * 32 + 29, 'LM'],
  [3 * 32 + 0, 'LAHF_LM'],
]);

/** boot_cpu_has(): whether the emulated CPU has Xen feature number `feature`. */
export const cpuHas = (feature: number): boolean => cpuFeatures.has(feature);
