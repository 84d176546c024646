/**
 * What `oruk-server validate` finds, and the verdicts it draws (docs/validate.md).
 *
 * Level 1 and level 2 are the official plan: a level-1 finding is an error (the feed
 * fails); a level-2 finding is a warning, except where the official validator fails the
 * feed for it (an optional paginated list that answers with an invalid body). Level 3 is
 * what the official validator does not check: it never changes the official verdict, and
 * each of its findings is a warning of ours.
 */
export type Verdict = 'pass' | 'warn' | 'fail';
export type Level = 1 | 2 | 3;
export type Severity = 'error' | 'warning';

export const LEVEL_NAMES: Record<Level, string> = {
  1: 'Level 1: required endpoints (official plan; errors fail the feed)',
  2: 'Level 2: optional endpoints (official plan; warnings)',
  3: 'Level 3: beyond the official plan (warnings of ours; the official verdict stands)',
};

export interface Finding {
  level: Level;
  severity: Severity;
  /** A stable name for what is checked (docs/validate.md, "Rules"). */
  rule: string;
  /** As the OpenAPI document writes it: `/services/{id}`. */
  endpoint: string;
  /** The URL requested (or the several, for a finding about pages). */
  request: string;
  expected: string;
  actual: string;
}

/** What became of an endpoint of the official plan. */
export type EndpointOutcome = 'passed' | 'failed' | 'warning' | 'not implemented' | 'not tested';

export interface EndpointResult {
  level: Level;
  endpoint: string;
  outcome: EndpointOutcome;
  /** Requests made for it. */
  requests: number;
}

export interface ValidationReport {
  /** The version of the shape of this report (docs/validate.md, "JSON report"). */
  format: 1;
  feed: string;
  /** The specification it was checked against: "HSDS-UK-3.0" or "HSDS-UK-1.0". */
  specification: string;
  openapi_url: string;
  started_at: string;
  duration_ms: number;
  requests: number;
  /** What the official validator concludes from levels 1 and 2. */
  official_verdict: Verdict;
  /** The official verdict, and "warn" where it passes but level 3 found something. */
  verdict: Verdict;
  endpoints: EndpointResult[];
  findings: Finding[];
}

export function officialVerdict(findings: Finding[]): Verdict {
  const official = findings.filter((f) => f.level < 3);
  if (official.some((f) => f.severity === 'error')) return 'fail';
  return official.length ? 'warn' : 'pass';
}

export function overallVerdict(findings: Finding[]): Verdict {
  const official = officialVerdict(findings);
  return official === 'pass' && findings.some((f) => f.level === 3) ? 'warn' : official;
}
