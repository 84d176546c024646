import { readFileSync } from 'node:fs';

/**
 * CI (.ci/run): reads `npm audit --omit=dev --json` on standard input, prints the findings
 * by severity and exits 1 when any is high or critical. When the registry offers no
 * advisory service (some mirrors answer 405), it says so plainly and exits 0: nothing
 * could be checked, and the log shows it.
 */
interface AuditReport {
  metadata?: { vulnerabilities?: Record<string, number> };
  vulnerabilities?: Record<string, { severity: string; range?: string }>;
  message?: string;
}

const text = readFileSync(0, 'utf8');
let report: AuditReport;
try {
  report = JSON.parse(text) as AuditReport;
} catch {
  console.error(`npm audit gave no JSON: ${text.slice(0, 500)}`);
  process.exit(1);
}
const counts = report.metadata?.vulnerabilities;
if (!counts) {
  console.log(
    `npm audit: the registry's advisory service did not answer (${report.message ?? 'no report'}); NOT CHECKED`,
  );
  process.exit(0);
}
const levels = ['info', 'low', 'moderate', 'high', 'critical'];
console.log(`npm audit --omit=dev: ${levels.map((l) => `${l} ${counts[l] ?? 0}`).join(', ')}`);
for (const [name, finding] of Object.entries(report.vulnerabilities ?? {}))
  console.log(`  ${finding.severity}: ${name} ${finding.range ?? ''}`);
if ((counts.high ?? 0) + (counts.critical ?? 0) > 0) process.exit(1);
