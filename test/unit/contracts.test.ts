import type { RecordedCall } from '../../src/sandbox';
import { batchParts, checkCall, checkCalls, contractOf } from '../contracts/check';
import { CONTRACTS } from '../contracts/operations';
import { differences } from '../../scripts/updateContracts';

/**
 * The contract checker itself: a call that keeps its contract passes; one that drops a required
 * header, sends another api-version, misses a required body property or gets an undeclared status
 * fails, so that such a change in a client fails the run.
 */

const call = (over: Partial<RecordedCall>): RecordedCall => ({
  api: 'arm',
  method: 'GET',
  path: '/subscriptions',
  query: { 'api-version': '2022-12-01' },
  headers: { 'user-agent': 'tenantlink azsdk-js' },
  requestBody: undefined,
  status: 200,
  responseBody: { value: [] },
  ...over,
});
const CAST = '/me/transitiveMemberOf/microsoft.graph.directoryRole';

it('passes a call that keeps its contract', () => {
  expect(checkCall(call({})).problems).toEqual([]);
});

it.each<[string, Partial<RecordedCall>, RegExp]>([
  ['another api-version', { query: { 'api-version': '2020-01-01' } }, /api-version 2020-01-01/],
  [
    'no ConsistencyLevel on an OData cast',
    {
      api: 'graph',
      path: CAST,
      query: { $count: 'true' },
      headers: {},
      responseBody: { value: [] },
    },
    /header consistencylevel/,
  ],
  [
    'no $count on an OData cast',
    {
      api: 'graph',
      path: CAST,
      query: {},
      headers: { consistencylevel: 'eventual' },
      responseBody: { value: [] },
    },
    /query \$count/,
  ],
  [
    'a role assignment without principalType',
    {
      method: 'PUT',
      path: '/subscriptions/s/providers/Microsoft.Authorization/roleAssignments/n',
      query: { 'api-version': '2022-04-01' },
      requestBody: { properties: { roleDefinitionId: 'r', principalId: 'p' } },
      status: 201,
      responseBody: {},
    },
    /request body: .*principalType/,
  ],
  [
    'an undeclared success status',
    {
      method: 'POST',
      path: '/providers/Microsoft.Subscription/subscriptions/s/acceptChangeTenant',
      query: { 'api-version': '2024-08-01-preview' },
      status: 200,
      responseBody: {},
    },
    /status 200 not declared/,
  ],
  ['an operation with no contract', { path: '/subscriptions/s/resourceGroups' }, /no contract/],
])('finds %s', (_name, over, problem) => {
  expect(checkCall(call(over)).problems.join('\n')).toMatch(problem);
});

it('checks the sub-requests of a $batch one by one and counts only tenantlink calls', () => {
  const batch = call({
    api: 'graph',
    method: 'POST',
    path: '/$batch',
    query: {},
    requestBody: {
      requests: [{ id: '1', method: 'GET', url: `${CAST}` }],
    },
    responseBody: { responses: [{ id: '1', status: 200, body: { value: [] } }] },
  });
  expect(batchParts(batch)).toHaveLength(1);
  const report = checkCalls([batch, call({ headers: {} })]);
  expect(report.violations.map((v) => v.problem)).toEqual([
    expect.stringMatching(/query \$count/),
    expect.stringMatching(/header consistencylevel/),
  ]);
  expect(report.rows.find((r) => r.operation === 'Subscriptions_List')?.checked).toBe(0);
});

it('finds each contract from its own template', () => {
  for (const c of CONTRACTS) {
    const path = c.template.replace('{scope}', '/subscriptions/s').replace(/\{[^}]+\}/g, 'x');
    expect(contractOf({ api: c.api, method: c.method, path })?.id).toBe(c.id);
  }
});

it('tells a contract that no longer matches its specification (npm run contracts:update)', () => {
  const put = CONTRACTS.find((c) => c.id === 'Subscriptions_PutTargetDirectory')!;
  const swagger = (statuses: string[]) => ({
    info: { version: '2024-08-01-preview' },
    paths: {
      [put.template]: {
        put: { responses: Object.fromEntries([...statuses, 'default'].map((s) => [s, {}])) },
      },
    },
  });
  expect(differences(put, swagger(['200']))).toEqual([]);
  expect(differences(put, swagger(['200', '201']))).toEqual([
    'success statuses: spec 200/201, contract 200',
  ]);
  expect(differences(put, { info: { version: '2025-11-01-preview' }, paths: {} })).toEqual([
    'api-version 2025-11-01-preview in the spec, 2024-08-01-preview in the contract',
    `PUT ${put.template} is not in the spec`,
  ]);
});
