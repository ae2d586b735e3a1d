import { pathToFileURL } from 'node:url';
import { allChecks, docsUrl } from '../catalogue';
import { Finding } from '../finding';
import { reportRow } from './reportRow';

const levels: Record<Finding['severity'], string> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

/** SARIF 2.1.0, one run, the rules being the checks that fired (with their docs pages). */
export function sarifReport(findings: readonly Finding[], toolVersion: string): string {
  const fired = new Set(findings.map((f) => f.code));
  const rules = allChecks()
    .filter((c) => fired.has(c.id))
    .map((c) => ({ id: c.id, shortDescription: { text: c.title }, defaultConfiguration: { level: levels[c.severity] }, ...(docsUrl(c.id) ? { helpUri: docsUrl(c.id) } : {}) }));
  const results = findings.map((f) => {
    const row = reportRow(f);
    // prettier-ignore
    return {
      ruleId: f.code,
      ruleIndex: rules.findIndex((r) => r.id === f.code),
      level: levels[f.severity],
      message: { text: row.message },
      locations: [{ physicalLocation: { artifactLocation: { uri: pathToFileURL(f.file).href }, region: { startLine: row.line, startColumn: row.column } } }],
    };
  });
  return JSON.stringify(
    {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [{ tool: { driver: { name: 'livepatch-lens', version: toolVersion, rules } }, results }],
    },
    null,
    2,
  );
}
