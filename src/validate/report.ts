import { Finding, Level, LEVEL_NAMES, ValidationReport, Verdict } from './findings';

/**
 * The three forms of a validation report (docs/validate.md, "Output"): text for people,
 * JSON (the ValidationReport itself, stable: `format` says its version) and JUnit XML, one
 * test suite per level and one test case per endpoint and rule, for a supplier's CI: an
 * error is a failure; a warning passes, told in the test case's output.
 */
export const VERDICT_WORDS: Record<Verdict, string> = {
  pass: 'PASS',
  warn: 'PASS WITH WARNINGS',
  fail: 'FAIL',
};

export function textReport(report: ValidationReport): string {
  const lines: string[] = [
    `${report.feed} (${report.specification}): ${VERDICT_WORDS[report.verdict]}`,
    `  official verdict (levels 1 and 2, as the ORUK validator decides): ${VERDICT_WORDS[report.official_verdict]}`,
    `  ${report.requests} requests in ${(report.duration_ms / 1000).toFixed(1)} s; specification ${report.openapi_url}`,
  ];
  for (const level of [1, 2, 3] as Level[]) {
    const endpoints = report.endpoints.filter((e) => e.level === level);
    const findings = report.findings.filter((f) => f.level === level);
    if (!endpoints.length && !findings.length) continue;
    lines.push('', LEVEL_NAMES[level]);
    for (const e of endpoints)
      lines.push(`  ${e.outcome.padEnd(15)} ${e.endpoint}  (${e.requests} requests)`);
    const byEndpoint = groupBy(findings, (f) => f.endpoint);
    for (const [endpoint, list] of byEndpoint) {
      lines.push(`  ${endpoint}`);
      for (const f of list) lines.push(...describe(f).map((l) => `    ${l}`));
    }
    if (level === 3 && !findings.length) lines.push('  nothing found');
  }
  return `${lines.join('\n')}\n`;
}

function describe(f: Finding): string[] {
  return [
    `${f.severity === 'error' ? 'ERROR' : 'warning'} [${f.rule}] GET ${f.request}`,
    `  expected: ${f.expected}`,
    `  got:      ${f.actual}`,
  ];
}

export function junitReport(report: ValidationReport): string {
  const suites: string[] = [];
  for (const level of [1, 2, 3] as Level[]) {
    const cases: string[] = [];
    let failures = 0;
    const findings = report.findings.filter((f) => f.level === level);
    const endpoints = new Set([
      ...report.endpoints.filter((e) => e.level === level).map((e) => e.endpoint),
      ...findings.map((f) => f.endpoint),
    ]);
    for (const endpoint of endpoints) {
      const mine = findings.filter((f) => f.endpoint === endpoint);
      if (!mine.length) {
        cases.push(
          `    <testcase classname="${xml(`level${level}`)}" name="${xml(`GET ${endpoint}`)}"/>`,
        );
        continue;
      }
      for (const [rule, list] of groupBy(mine, (f) => f.rule)) {
        const message = `${list.length} finding${list.length === 1 ? '' : 's'}: ${list[0].actual}`;
        const body = xml(list.map((f) => describe(f).join('\n')).join('\n\n'));
        const name = `classname="${xml(`level${level}`)}" name="${xml(`GET ${endpoint} ${rule}`)}"`;
        // An error fails its test case; a warning is told in its output, and it passes.
        const error = list.some((f) => f.severity === 'error');
        if (error) failures++;
        cases.push(
          error
            ? `    <testcase ${name}>\n      <failure type="error" message="${xml(message)}">${body}</failure>\n    </testcase>`
            : `    <testcase ${name}>\n      <system-out>WARNING ${xml(message)}\n${body}</system-out>\n    </testcase>`,
        );
      }
    }
    suites.push(
      `  <testsuite name="${xml(LEVEL_NAMES[level])}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0">\n${cases.join('\n')}\n  </testsuite>`,
    );
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="${xml(`oruk-server validate ${report.feed}: ${VERDICT_WORDS[report.verdict]}`)}" time="${(report.duration_ms / 1000).toFixed(3)}">\n` +
    `${suites.join('\n')}\n</testsuites>\n`
  );
}

function xml(text: string): string {
  return (
    text
      // Control characters are not allowed in XML 1.0, even escaped.
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
  );
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}
