import { rawDatesIn } from '../../src/cards/render';
import { FILE_CONSENT_CONTENT_TYPE, FILE_INFO_CONTENT_TYPE } from '../../src/dialogs/history';
import { IDS } from '../../src/sandbox';
import type { ChangeRecord } from '../../src/state/changeRecords';
import {
  TENANT_ID,
  actionData,
  cardText,
  groupChat,
  personalChat,
  type SentActivity,
} from '../helpers/teamsChannel';
import { USERS, click, runLink, startHarness, type Harness } from '../helpers/testApp';

/**
 * `history` over real HTTP: the list card, a link's record card (a finished link and a failed
 * one), and the export as a file through Teams' file consent card (the upload goes to the
 * sandbox's OneDrive upload session), declined, refused, and its JSON fallback in a group chat.
 */

let h: Harness;
const chat = personalChat(USERS.kelley);
let linkedFlowId = '';
const FAILED_FLOW = 'flow-failed-0001';

/** A link that failed at the directory change, as the store keeps it. */
function failedRecord(): ChangeRecord {
  const at = '2026-11-30T13:24:42.528Z';
  return {
    flowId: FAILED_FLOW,
    initiatorId: USERS.jane.id,
    initiatorName: 'Jane Doe',
    subscriptionId: '11111111-2222-4333-8444-555555555555',
    subscriptionName: '=Team budget',
    sourceTenantId: IDS.tenants.fabrikam,
    destinationTenantId: TENANT_ID,
    status: 'failed',
    backup: [],
    audit: [
      {
        at,
        by: USERS.jane.id,
        action: 'changeTenantRequest',
        target: '11111111-2222-4333-8444-555555555555',
        outcome: 'failed',
        code: 'TL-CLOUD-FORBIDDEN',
        correlationId: 'c0ffee00-0000-4000-8000-000000000001',
      },
    ],
    createdAt: at,
    updatedAt: at,
    inventoryError: 'TL-CLOUD-THROTTLED',
  };
}

/** The facts of a card's FactSets, value by title (the titles without their colon). */
function factsOf(card: Record<string, unknown>): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as { type?: string; facts?: { title: string; value: string }[] };
    if (n.type === 'FactSet')
      for (const f of n.facts ?? []) found[f.title.replace(/:$/, '')] = f.value;
    Object.values(node).forEach(walk);
  };
  walk(card);
  return found;
}

/** The last activity the bot sent to a conversation. */
const last = (conversationId: string): SentActivity => h.channel.activities(conversationId).at(-1)!;

/** Opens a link's record from the list card of the chat. */
async function openRecord(flowId: string, conversationId = chat) {
  await h.channel.say(USERS.kelley, 'history', conversationId);
  const list = h.channel.lastCard(conversationId);
  const result = await h.channel.invoke(
    USERS.kelley,
    'history.open',
    { flowId, cardId: 'history' },
    list.id,
    conversationId,
  );
  return { list, result, record: h.channel.lastCard(conversationId) };
}

/** Asks for the export of the record on the last card; returns the consent card's activity. */
async function exportRecord(): Promise<SentActivity> {
  await click(h, USERS.kelley, chat, 'history.export');
  const consent = last(chat);
  expect(consent.activity.attachments[0].contentType).toBe(FILE_CONSENT_CONTENT_TYPE);
  return consent;
}

beforeAll(async () => {
  h = await startHarness();
  await runLink(h, { restore: true });
  const records = await h.app.changes.recent(TENANT_ID, 1);
  linkedFlowId = records[0]!.flowId;
  await h.app.changes.update(FAILED_FLOW, () => undefined, failedRecord);
});
afterAll(async () => h?.stop());

it('lists the links with dates every reader sees in their own format', async () => {
  await h.channel.say(USERS.kelley, 'history');
  const list = h.channel.lastCard(chat).card;
  const text = cardText(list);
  expect(text).toMatch(/The last 2 links into this directory/);
  expect(text).toMatch(/Pay-As-You-Go · \{\{DATE\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, SHORT\)\}\}/);
  expect(text).toContain('linked · started by Kelley Wall');
  expect(text).toContain('failed · started by Jane Doe');
  expect(rawDatesIn(list)).toEqual([]);
  expect(actionData(list, 'history.open')).toEqual({ flowId: FAILED_FLOW, cardId: 'history' });
});

it("opens a finished link's record: who, when, directories, assignments and their fate, audit", async () => {
  const { result, record } = await openRecord(linkedFlowId);
  // Universal Actions' message answer: the list card stays, the record comes as a new card.
  expect(result.status).toBe(200);
  expect(result.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message' });
  const text = cardText(record.card);
  expect(text).toContain('Pay-As-You-Go: linked');
  expect(text).toMatch(/Started by Kelley Wall: \{\{DATE\(\S+Z, SHORT\)\}\} \{\{TIME\(\S+Z\)\}\}/);
  expect(text).toContain(`Pay-As-You-Go (${IDS.subscriptions.payAsYouGo})`);
  // From and to which directory, by name (tenant discovery's and Graph's), with the tenant ids.
  const facts = factsOf(record.card);
  expect(facts['From directory']).toBe(`Default Directory (${IDS.tenants.defaultDirectory})`);
  expect(facts['To directory']).toBe(`Contoso (${TENANT_ID})`);
  expect(text).toContain('The 5 role assignments the move removed');
  expect(text).toMatch(/sam\.dev@outlook\.com · Contributor · the subscription: given back/);
  expect(text).toMatch(/: not carried \(an app or managed identity of the old directory\)/);
  expect(text).toContain('After-move checklist');
  expect(text).toMatch(/changeTenantRequest · [^·]+ · done · [0-9a-f-]{36}/);
  expect(text).toMatch(/acceptChangeTenant/);
  expect(rawDatesIn(record.card)).toEqual([]);
  expect(actionData(record.card, 'history.export')).toEqual({
    flowId: linkedFlowId,
    cardId: 'history',
  });
});

it("opens a failed link's record with what failed and why", async () => {
  const { record } = await openRecord(FAILED_FLOW);
  const text = cardText(record.card);
  expect(text).toContain('=Team budget: failed');
  expect(text).toContain('Started by Jane Doe:');
  // A record stored before the directories' names were kept shows the tenant ids alone.
  const facts = factsOf(record.card);
  expect(facts['From directory']).toBe(IDS.tenants.fabrikam);
  expect(facts['To directory']).toBe(TENANT_ID);
  expect(text).toContain('The move removed no role assignment');
  expect(text).toContain('The inventory could not be read (TL-CLOUD-THROTTLED)');
  expect(text).toMatch(/changeTenantRequest · \S+ · failed · TL-CLOUD-FORBIDDEN · c0ffee00-/);
  // The stored time has milliseconds: the card gives DATE() whole seconds, as renderers need.
  expect(text).toContain('{{DATE(2026-11-30T13:24:42Z, SHORT)}} {{TIME(2026-11-30T13:24:42Z)}}');
  expect(rawDatesIn(record.card)).toEqual([]);
  const body = record.card.body as { type: string; color?: string }[];
  expect(body[0]).toMatchObject({ color: 'Attention' });
});

it('does not open a record of another directory', async () => {
  await h.app.changes.update(
    'flow-fabrikam-0001',
    () => undefined,
    () => ({
      ...failedRecord(),
      flowId: 'flow-fabrikam-0001',
      destinationTenantId: IDS.tenants.fabrikam,
    }),
  );
  const before = h.channel.activities(chat).length;
  const { list } = await openRecord(linkedFlowId);
  const r = await h.channel.invoke(
    USERS.kelley,
    'history.open',
    { flowId: 'flow-fabrikam-0001', cardId: 'history' },
    list.id,
  );
  expect(r.body).toMatchObject({ value: "This link is not in this directory's history." });
  expect(JSON.stringify(h.channel.activities(chat).slice(before))).not.toContain('fabrikam-0001');
});

it('exports a record as a CSV file once the user accepts: upload session, then a FileInfoCard', async () => {
  await openRecord(linkedFlowId);
  const consent = await exportRecord();
  const card = consent.activity.attachments[0];
  expect(card.name).toMatch(/^tenantlink-history-Pay-As-You-Go-\d{4}-\d\d-\d\d\.csv$/);
  expect(card.content.description).toMatch(/The record of 1 link into this directory/);
  // Teams makes the upload session when the user accepts, and hands its URL to the bot.
  const uploadInfo = h.sandbox.fileUploads.createSession(card.name);
  const r = await h.channel.fileConsent(
    USERS.kelley,
    'accept',
    card.content.acceptContext,
    consent.id,
    { ...uploadInfo },
  );
  expect(r.status).toBe(200);
  const files = h.sandbox.fileUploads.uploaded();
  expect(files).toHaveLength(1);
  const csv = files[0]!.content.toString('utf8');
  expect(files[0]!.contentRanges).toEqual([
    `bytes 0-${files[0]!.content.length - 1}/${files[0]!.content.length}`,
  ]);
  const rows = csv.split('\r\n').filter((l) => l !== '');
  expect(rows[0]).toBe(
    'flowId,subscriptionId,subscriptionName,sourceTenantId,destinationTenantId,kind,time,principal,principalId,principalType,role,scope,outcome,reason,by,correlationId,sourceTenantName,destinationTenantName',
  );
  // The directories' names are the last two columns, on every row.
  expect(rows.slice(1).every((l) => l.endsWith(',Default Directory,Contoso'))).toBe(true);
  const assignments = rows.filter((l) => l.split(',')[5] === 'assignment');
  expect(assignments).toHaveLength(5);
  expect(
    assignments.some((l) => /sam\.dev@outlook\.com,.*,Contributor,.*,givenBack,/.test(l)),
  ).toBe(true);
  expect(assignments.some((l) => /,notCarried,servicePrincipal,/.test(l))).toBe(true);
  const audit = rows.filter((l) => l.split(',')[5] === 'audit');
  expect(audit.map((l) => l.split(',')[10])).toEqual(
    expect.arrayContaining(['changeTenantRequest', 'acceptChangeTenant']),
  );
  // Then the file shows in the chat as Teams' file info card.
  const info = last(chat).activity.attachments[0];
  expect(info).toEqual({
    contentType: FILE_INFO_CONTENT_TYPE,
    contentUrl: uploadInfo.contentUrl,
    name: uploadInfo.name,
    content: { uniqueId: uploadInfo.uniqueId, fileType: 'csv' },
  });
});

it('says so and uploads nothing when the user declines', async () => {
  const before = h.sandbox.fileUploads.uploaded().length;
  await openRecord(linkedFlowId);
  const consent = await exportRecord();
  const r = await h.channel.fileConsent(
    USERS.kelley,
    'decline',
    consent.activity.attachments[0].content.declineContext,
    consent.id,
  );
  expect(r.status).toBe(200);
  expect(last(chat).activity.text).toBe(
    'No file was sent. Type **history export** whenever you want it.',
  );
  expect(h.sandbox.fileUploads.uploaded()).toHaveLength(before);
});

it("refuses an accept that is not the card's user's, or whose upload URL is not https", async () => {
  const before = h.sandbox.fileUploads.uploaded().length;
  await h.channel.say(USERS.kelley, 'history export');
  const consent = last(chat);
  const card = consent.activity.attachments[0];
  expect(card.content.description).toMatch(/The record of 2 links into this directory/);
  const session = h.sandbox.fileUploads.createSession(card.name);
  // Jane answers with Kelley's card context (in her own chat).
  await h.channel.fileConsent(USERS.jane, 'accept', card.content.acceptContext, consent.id, {
    ...session,
  });
  expect(last(personalChat(USERS.jane)).activity.text).toMatch(/I did not upload the file/);
  // An upload URL that is not https.
  await h.channel.fileConsent(USERS.kelley, 'accept', card.content.acceptContext, consent.id, {
    ...session,
    uploadUrl: session.uploadUrl.replace(/^https:/, 'http:'),
  });
  expect(last(chat).activity.text).toMatch(/I did not upload the file/);
  expect(h.sandbox.fileUploads.uploaded()).toHaveLength(before);
  // The real accept of the same card: both links in one file.
  await h.channel.fileConsent(USERS.kelley, 'accept', card.content.acceptContext, consent.id, {
    ...session,
  });
  const csv = h.sandbox.fileUploads.uploaded().at(-1)!.content.toString('utf8');
  expect(csv).toContain(linkedFlowId);
  // A name that a spreadsheet would run as a formula is written as text.
  expect(csv).toContain(`${FAILED_FLOW},11111111-2222-4333-8444-555555555555,'=Team budget,`);
  // A record without the directories' names leaves their columns empty.
  const failedRows = csv.split('\r\n').filter((l) => l.startsWith(FAILED_FLOW));
  expect(failedRows.length).toBeGreaterThan(0);
  expect(failedRows.every((l) => l.endsWith(',,'))).toBe(true);
  expect(last(chat).activity.attachments[0].contentType).toBe(FILE_INFO_CONTENT_TYPE);
});

it('sends the records as JSON in a group chat, where Teams lets a bot send no file', async () => {
  const group = groupChat('history-export');
  await h.channel.say(USERS.kelley, 'history export', group);
  const texts = h.channel.texts(group);
  expect(texts.at(-2)).toMatch(/only in a personal chat/);
  const records = JSON.parse(texts.at(-1)!.replace(/^```json\n|\n```$/g, '')) as ChangeRecord[];
  expect(records.map((r) => r.flowId)).toEqual(expect.arrayContaining([linkedFlowId, FAILED_FLOW]));
  // The directories' names where the link kept them; none in the record stored before.
  const linked = records.find((r) => r.flowId === linkedFlowId)!;
  expect(linked).toMatchObject({
    sourceTenantName: 'Default Directory',
    destinationTenantName: 'Contoso',
  });
  const failed = records.find((r) => r.flowId === FAILED_FLOW)!;
  expect(failed.sourceTenantName).toBeUndefined();
  expect(failed.destinationTenantName).toBeUndefined();
  expect(
    h.channel
      .activities(group)
      .some((a) => a.activity.attachments?.[0]?.contentType === FILE_CONSENT_CONTENT_TYPE),
  ).toBe(false);
});

it('tells the user when the upload fails (the session is gone), and posts no file card', async () => {
  await h.channel.say(USERS.kelley, 'history export');
  const consent = last(chat);
  const card = consent.activity.attachments[0];
  const session = h.sandbox.fileUploads.createSession(card.name);
  const gone = session.uploadUrl.replace(/[^/]+$/, 'no-such-session');
  await h.channel.fileConsent(USERS.kelley, 'accept', card.content.acceptContext, consent.id, {
    ...session,
    uploadUrl: gone,
  });
  expect(last(chat).activity.text).toBe(
    'The upload of the file failed. Try **history export** again later.',
  );
  expect(last(chat).activity.attachments).toBeUndefined();
});
