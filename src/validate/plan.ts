/**
 * The official test plan, read from the version's published OpenAPI document as the ORUK
 * validator reads it (docs/validate.md, "The official plan"): every GET path is an endpoint;
 * it is optional when its operation is tagged "Optional" (in any case), else required; a
 * path with a `page` query parameter is a paginated list; a path with an `{id}` takes its
 * ids from the first page of the list of the same name.
 */
export interface PlannedEndpoint {
  /** As the OpenAPI document writes it: `/services`, `/services/{id}`. */
  path: string;
  required: boolean;
  paginated: boolean;
  /** For `/x/{id}`: the list `/x` its ids come from. */
  idsFrom?: string;
  /** The response schema: an absolute URL with a JSON pointer into the OpenAPI document. */
  schema?: string;
  /** Query parameters the operation documents. */
  parameters: string[];
}

export interface Plan {
  /** "3.0", "1.0", or what else the feed's root named. */
  version: string;
  openapiUrl: string;
  endpoints: PlannedEndpoint[];
}

type Json = Record<string, unknown>;

export function buildPlan(version: string, openapiUrl: string, document: unknown): Plan {
  const doc = document as Json;
  const paths = (doc.paths ?? {}) as Record<string, Json>;
  const components = ((doc.components ?? {}) as Json).parameters as
    Record<string, Json> | undefined;
  const endpoints: PlannedEndpoint[] = [];
  for (const [path, item] of Object.entries(paths)) {
    const get = item.get as Json | undefined;
    if (!get) continue;
    const tags = ((get.tags as string[] | undefined) ?? []).map((t) => t.toLowerCase());
    const required = !tags.includes('optional');
    const parameters = [
      ...((item.parameters as Json[]) ?? []),
      ...((get.parameters as Json[]) ?? []),
    ]
      .map((p) => (typeof p.$ref === 'string' ? components?.[p.$ref.split('/').pop()!] : p))
      .filter((p) => p && typeof p.name === 'string' && (p.in ?? 'query') === 'query')
      .map((p) => p!.name as string);
    const idMatch = /^(.*)\/\{[^}]+\}$/.exec(path);
    endpoints.push({
      path,
      required,
      paginated: parameters.includes('page'),
      idsFrom: idMatch ? idMatch[1] || '/' : undefined,
      schema: responseSchema(openapiUrl, path, get),
      parameters,
    });
  }
  // Lists before the records that take their ids from them; the root first.
  endpoints.sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path));
  return { version, openapiUrl, endpoints };
}

function rank(e: PlannedEndpoint): number {
  return (e.path === '/' ? 0 : e.idsFrom ? 2 : 1) + (e.required ? 0 : 3);
}

/** The 200 response's schema: the response itself as a `$ref` (3.0), or `content.application/json.schema`. */
function responseSchema(openapiUrl: string, path: string, get: Json): string | undefined {
  const ok = ((get.responses ?? {}) as Record<string, Json>)['200'];
  if (!ok) return undefined;
  // The 3.0 document gives the response as a $ref to a published schema.
  if (typeof ok.$ref === 'string') return new URL(ok.$ref, openapiUrl).href;
  const content = (ok.content as Record<string, Json> | undefined)?.['application/json'];
  if (!content?.schema) return undefined;
  const pointer = [
    'paths',
    path,
    'get',
    'responses',
    '200',
    'content',
    'application/json',
    'schema',
  ];
  return `${openapiUrl}#/${pointer.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;
}
