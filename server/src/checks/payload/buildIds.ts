import { BuildIdNote, XenPayload } from '../../payload';
import { FindingSink, PayloadCheckEnv } from './context';
import { payloadChecks } from './ids';

const purposes: Record<string, string> = {
  '.livepatch.depends': 'the build-id of the hypervisor or payload this one applies on top of (livepatch-build --depends)',
  '.livepatch.xen_depends': 'the build-id of the hypervisor it was built for (livepatch-build --xen-depends)',
  '.note.gnu.build-id': "the payload's own build-id, which the next payload in a stack depends on (ld --build-id)",
};

/** Xen's check_special_sections() and check_xen_buildid(): three build-ids, each present and well formed. */
export function checkBuildIdSections(sink: FindingSink, payload: XenPayload, env: PayloadCheckEnv): void {
  const notes: Array<[string, BuildIdNote | undefined]> = [
    ['.livepatch.depends', payload.depends],
    ['.livepatch.xen_depends', payload.xenDepends],
    ['.note.gnu.build-id', payload.buildId],
  ];
  for (const [section, note] of notes) {
    if (!note) {
      sink.add(
        payloadChecks.missingBuildId,
        section,
        `${section} is missing: it must hold ${purposes[section]}; without it the hypervisor cannot tell which code the payload was built against. ${sink.xenSays(payload.name, `${section} is missing`)}.`,
        'EINVAL',
      );
    } else if (note.problem) {
      sink.add(
        payloadChecks.missingBuildId,
        section,
        `${section} does not hold a usable build-id (${note.problem}); it must hold ${purposes[section]}. ${sink.xenSays(payload.name, `${section} is empty`)}. Recreate it from the \`readelf -n\` build-id with the note.o rule of xen/test/livepatch/Makefile.`,
        'EINVAL',
      );
    }
  }
  const expected = env.xenBuildId ?? env.target?.buildId;
  const actual = payload.xenDepends?.buildId;
  if (expected && actual && expected !== actual) {
    sink.add(
      payloadChecks.xenBuildIdMismatch,
      '.livepatch.xen_depends',
      `.livepatch.xen_depends is ${actual}, but the target's build-id is ${expected}: the payload was built for a different hypervisor build, and its offsets and assumptions about code do not hold here. ` +
        `${sink.xenSays(payload.name, 'check against hypervisor build-id failed')} (xen_build_id_dep() in Xen 4.17). Rebuild the payload against this target (\`--xen-depends ${expected}\`).`,
      'EINVAL',
    );
  }
}
