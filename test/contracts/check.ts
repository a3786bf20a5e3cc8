import Ajv from 'ajv';
import type { RecordedCall } from '../../src/sandbox';
import { CONTRACTS, type Contract } from './operations';

/**
 * Checks recorded Graph and ARM calls against the contracts: the operation exists, its
 * api-version, required query parameters and headers, the request body's schema, a declared
 * success status (or an error status, the specs' `default`), and the response body's schema.
 * Graph `$batch` sub-requests are checked one by one as calls of their own.
 */

/** One broken rule of one call. */
export interface Violation {
  readonly operation: string;
  readonly call: string;
  readonly problem: string;
}

/** Per operation: calls checked and violations. */
export interface ContractReport {
  readonly rows: { operation: string; source: string; checked: number; violations: number }[];
  readonly violations: Violation[];
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new Map<unknown, ReturnType<typeof ajv.compile>>();
function validate(schema: Record<string, unknown>, value: unknown): string | undefined {
  let v = validators.get(schema);
  if (!v) {
    v = ajv.compile(schema);
    validators.set(schema, v);
  }
  return v(value) ? undefined : ajv.errorsText(v.errors);
}

/** A path template as a pattern: `{scope}` takes slashes, other `{name}`s one segment. */
function pattern(template: string): RegExp {
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) =>
      part === '{scope}'
        ? '(?:/[^?]*?)?'
        : part.startsWith('{')
          ? '[^/]+'
          : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}/?$`, 'i');
}
const PATTERNS = new Map(CONTRACTS.map((c) => [c, pattern(c.template)]));

/** The contract a call is an instance of (most specific template first), if any. */
export function contractOf(
  call: Pick<RecordedCall, 'api' | 'method' | 'path'>,
): Contract | undefined {
  return CONTRACTS.filter(
    (c) => c.api === call.api && c.method === call.method && PATTERNS.get(c)!.test(call.path),
  ).sort((a, b) => b.template.length - a.template.length)[0];
}

/** The violations of one call (an empty list when it keeps its contract). */
export function checkCall(call: RecordedCall): { contract?: Contract; problems: string[] } {
  const contract = contractOf(call);
  if (!contract) return { problems: ['no contract: tenantlink calls an operation not listed'] };
  const problems: string[] = [];
  if (contract.apiVersion && call.query['api-version'] !== contract.apiVersion)
    problems.push(`api-version ${call.query['api-version'] ?? '(none)'} ≠ ${contract.apiVersion}`);
  for (const [name, re] of Object.entries(contract.requiredQuery ?? {}))
    if (!re.test(call.query[name] ?? '')) problems.push(`query ${name} missing or not ${re}`);
  const headers: Record<string, RegExp> = { ...contract.requiredHeaders };
  for (const [q, h] of Object.entries(contract.headersWhenQuery ?? {}))
    if (call.query[q] !== undefined) Object.assign(headers, h);
  for (const [name, re] of Object.entries(headers))
    if (!re.test(call.headers[name] ?? '')) problems.push(`header ${name} missing or not ${re}`);
  if (contract.requestBody) {
    const error = validate(contract.requestBody, call.requestBody);
    if (error) problems.push(`request body: ${error}`);
  }
  if (call.status < 400) {
    if (!(call.status in contract.responses))
      problems.push(`status ${call.status} not declared (${Object.keys(contract.responses)})`);
    else {
      const schema = contract.responses[call.status];
      if (schema === null && call.responseBody !== undefined)
        problems.push(`status ${call.status} must have no body`);
      if (schema) {
        const error = validate(schema, call.responseBody);
        if (error) problems.push(`response body: ${error}`);
      }
    }
  }
  return { contract, problems };
}

/** The sub-requests of a Graph `$batch` call, with their sub-responses, as calls of their own. */
export function batchParts(call: RecordedCall): RecordedCall[] {
  if (call.api !== 'graph' || call.path !== '/$batch') return [];
  const requests = (call.requestBody as { requests?: unknown[] } | undefined)?.requests ?? [];
  const responses = (call.responseBody as { responses?: unknown[] } | undefined)?.responses ?? [];
  return requests.flatMap((r) => {
    const sub = r as {
      id?: string;
      method?: string;
      url?: string;
      headers?: Record<string, string>;
    };
    if (typeof sub.url !== 'string') return [];
    const url = new URL(sub.url, 'https://graph.invalid');
    const answer = responses.find((x) => (x as { id?: string }).id === sub.id) as
      { status?: number; body?: unknown } | undefined;
    return [
      {
        api: 'graph',
        method: String(sub.method ?? 'GET').toUpperCase(),
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: Object.fromEntries(
          Object.entries(sub.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
        ),
        requestBody: undefined,
        status: answer?.status ?? 0,
        responseBody: answer?.body,
      } satisfies RecordedCall,
    ];
  });
}

/**
 * Checks every call tenantlink made (User-Agent `tenantlink…`; tests' own probes are left out)
 * and builds the report table.
 */
export function checkCalls(calls: readonly RecordedCall[]): ContractReport {
  const counts = new Map<Contract, { checked: number; violations: number }>(
    CONTRACTS.map((c) => [c, { checked: 0, violations: 0 }]),
  );
  const violations: Violation[] = [];
  const ours = calls.filter((c) => /tenantlink/i.test(c.headers['user-agent'] ?? ''));
  for (const call of ours.flatMap((c) => [c, ...batchParts(c)])) {
    const { contract, problems } = checkCall(call);
    if (contract) {
      const n = counts.get(contract)!;
      n.checked++;
      n.violations += problems.length > 0 ? 1 : 0;
    }
    for (const problem of problems)
      violations.push({
        operation: contract?.id ?? '(none)',
        call: `${call.api} ${call.method} ${call.path}`,
        problem,
      });
  }
  return {
    rows: CONTRACTS.map((c) => ({
      operation: c.id,
      source: c.source,
      ...counts.get(c)!,
    })),
    violations,
  };
}
