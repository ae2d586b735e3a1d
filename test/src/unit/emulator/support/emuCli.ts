import { runCli } from '../../../../../server/out/cli';

/** `livepatch-lens emu ARGS` in this process: its exit code and what it printed on each stream. */
export async function emu(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['emu', ...args], {
    out: (t) => {
      out += `${t}\n`;
    },
    err: (t) => {
      err += `${t}\n`;
    },
  });
  return { code, out, err };
}
