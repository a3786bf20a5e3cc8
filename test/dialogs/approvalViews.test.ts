import { Writable } from 'node:stream';
import type { ApprovalPolicy } from '../../src/domain/approval';
import { configureLogging } from '../../src/log';
import type { RecordedCall } from '../../src/sandbox';
import { IDS } from '../../src/sandbox';
import { ApprovalPolicyStore } from '../../src/state/approvalPolicies';
import { testLogging } from '../helpers/logging';
import {
  actionData,
  cardText,
  personalChat,
  type SentActivity,
  type TeamsUser,
} from '../helpers/teamsChannel';
import { USERS, click, linkUpToConfirm, startHarness, type Harness } from '../helpers/testApp';
import { until } from '../helpers/until';
import { changeBoardPolicy } from '../helpers/approvalPolicy';

/**
 * The approval card's views and ends through real HTTP (issue 29): the channel's message is
 * everyone's read-only card whose Universal Actions refresh names the approvers Graph lists
 * (`refresh.userIds`, by their Teams user ids from the team's roster); an approver's refresh gets Approve / Reject, anyone else's the read-only
 * card; the card is replaced by how the request ended (approved, rejected, expired, cancelled);
 * the initiator's `cancel` ends the request; approvals show in the channel notice and `history`.
 */

type Json = Record<string, unknown>;

const chat = personalChat(USERS.kelley);
const TEAM = '19:contoso-it@thread.tacv2';
/** Nestor: in the change board through the nested on-call group (not a user of the harness). */
const NESTOR: TeamsUser = {
  id: '29:1nestor-wilke',
  name: 'Nestor Wilke',
  aadObjectId: IDS.users.nestorContoso,
};
const LIDIA: TeamsUser = {
  id: '29:1lidia-holloway',
  name: 'Lidia Holloway',
  aadObjectId: IDS.users.lidiaContoso,
};
const POLICY = changeBoardPolicy(TEAM, 'Contoso Change Board');

let h: Harness;
let calls: RecordedCall[];
let clock: number;

beforeEach(async () => {
  calls = [];
  clock = Date.parse('2026-12-01T09:00:00Z');
  h = await startHarness(
    {},
    undefined,
    { recorder: (c) => calls.push(c) },
    { now: () => clock, approvalPollMs: 20 },
  );
  await h.channel.installInTeam(USERS.kelley, TEAM, 'Contoso IT');
  // The team's roster: the harness's users, Nestor and Lidia.
  h.channel.members.push(NESTOR, LIDIA);
});
afterEach(async () => h?.stop());

const changeRequests = (): RecordedCall[] =>
  calls.filter((c) => c.api === 'arm' && c.method !== 'GET' && /changeTenantRequest/i.test(c.path));

const status = async (flowId: string): Promise<string | undefined> =>
  (await h.app.changes.get(flowId))?.status;

/** Sets the policy, runs the link up to the confirmation and confirms; returns the flow id. */
async function confirmUnderPolicy(policy: ApprovalPolicy): Promise<string> {
  await new ApprovalPolicyStore(h.app.storage).set(IDS.tenants.contoso, policy, {
    id: USERS.kelley.id,
    name: USERS.kelley.name,
  });
  await linkUpToConfirm(h);
  const flowId = String(actionData(h.channel.lastCard(chat).card, 'move.confirm').flowId);
  await click(h, USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  return flowId;
}

/** The approval card as the bot posted it in the channel (everyone's view). */
function posted(): { id: string; card: Json } {
  const sent = h.channel
    .activities(TEAM)
    .filter((a) => a.kind === 'send' && a.activity.attachments?.[0]?.content?.refresh)
    .at(-1);
  if (!sent) throw new Error('no approval card in the channel');
  return { id: sent.id, card: sent.activity.attachments[0].content as Json };
}

/** The bot's own edits of the channel's approval card (message updates, not invoke answers). */
function botUpdates(id: string): SentActivity[] {
  return h.channel
    .activities(TEAM)
    .filter((a) => a.kind === 'update' && a.id === id && a.activity.type === 'message');
}

/** `user`'s client refreshes the channel's approval card; returns the card it shows them. */
async function refreshAs(user: TeamsUser): Promise<Json> {
  const { id, card } = posted();
  const action = (card.refresh as { action: { verb: string; data: Json } }).action;
  const r = await h.channel.invoke(user, action.verb, action.data, id, TEAM);
  expect(r.status).toBe(200);
  expect(r.body?.type).toBe('application/vnd.microsoft.card.adaptive');
  return r.body?.value as Json;
}

/** The verbs of a card's Action.Execute buttons, anywhere in it. */
function verbs(card: Json): string[] {
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as Json;
      if (n.type === 'Action.Execute' && typeof n.verb === 'string') found.push(n.verb);
      for (const [k, v] of Object.entries(n)) if (k !== 'refresh') walk(v);
    }
  };
  walk(card);
  return found;
}

/** `user` answers on their own view of the card. */
async function decide(user: TeamsUser, verb: string, inputs: Record<string, string> = {}) {
  const view = await refreshAs(user);
  const r = await h.channel.invoke(
    user,
    verb,
    { ...actionData(view, verb), ...inputs },
    posted().id,
    TEAM,
  );
  return String(r.body?.value ?? '');
}

describe('the approvers-only view (Universal Actions refresh)', () => {
  it("posts everyone's read-only card, refreshing for the group's members; Graph decides each view", async () => {
    const flowId = await confirmUnderPolicy(POLICY);
    expect(await status(flowId)).toBe('awaitingApproval');
    const { card } = posted();
    // Everyone's card: no buttons, who can answer, a refresh for the group's (nested) members.
    expect(verbs(card)).toEqual([]);
    expect(cardText(card)).toContain('Only the approvers (1 approval from Contoso Change Board)');
    const refresh = card.refresh as { action: Json; userIds: string[] };
    expect(refresh.action).toEqual(
      expect.objectContaining({ type: 'Action.Execute', verb: 'card.refresh' }),
    );
    // The approvers' Teams user ids from the team's roster: not the initiator, not Jane (in the
    // team, not an approver).
    expect([...refresh.userIds].sort()).toEqual([USERS.megan.id, NESTOR.id].sort());
    // The Graph listing of the members was made at posting, and the team's roster read.
    expect(calls.some((c) => c.api === 'graph' && /\/transitiveMembers/.test(c.path))).toBe(true);
    expect(h.channel.rosterReads).toEqual([{ conversationId: TEAM, pageSize: 500 }]);

    // An approver (direct, and through the nested group) gets Approve / Reject; the initiator and
    // a non-member the read-only card.
    expect(verbs(await refreshAs(USERS.megan))).toEqual(['approval.approve', 'approval.reject']);
    expect(verbs(await refreshAs(NESTOR))).toEqual(['approval.approve', 'approval.reject']);
    expect(verbs(await refreshAs(USERS.kelley))).toEqual([]);
    const janes = await refreshAs(USERS.jane);
    expect(verbs(janes)).toEqual([]);
    expect(cardText(janes)).toContain('Only the approvers');
    // Every view keeps the refresh, so each stays its user's.
    expect((janes.refresh as { userIds: string[] }).userIds).toEqual(refresh.userIds);
    // Nobody's refresh changed the channel's message.
    expect(botUpdates(posted().id)).toEqual([]);
  });

  it('names the Global Administrators (direct, and through a role-assignable group), not the initiator', async () => {
    await confirmUnderPolicy({ ...POLICY, approvers: { kind: 'globalAdministrators' } });
    const userIds = (posted().card.refresh as { userIds: string[] }).userIds;
    // The initiator, a Global Administrator too, is left out: she may not approve.
    expect([...userIds].sort()).toEqual([USERS.megan.id, LIDIA.id].sort());
    // Lidia (through the group) may decide; the initiator, a Global Administrator too, may not.
    expect(verbs(await refreshAs(LIDIA))).toEqual(['approval.approve', 'approval.reject']);
    expect(verbs(await refreshAs(USERS.kelley))).toEqual([]);
  });
});

describe("the refresh's users from the team's roster", () => {
  it('pages through the roster until every approver is found', async () => {
    // Kelley, Jane | Megan, Nestor | Lidia: both board members are found on the second page.
    h.channel.rosterPageSize = 2;
    await confirmUnderPolicy(POLICY);
    const userIds = (posted().card.refresh as { userIds: string[] }).userIds;
    expect([...userIds].sort()).toEqual([USERS.megan.id, NESTOR.id].sort());
    expect(h.channel.rosterReads).toEqual([
      { conversationId: TEAM, pageSize: 500 },
      { conversationId: TEAM, pageSize: 500, continuationToken: 'page-2' },
    ]);
  });

  it('reads to the last page for an approver found there', async () => {
    h.channel.rosterPageSize = 2;
    await confirmUnderPolicy({ ...POLICY, approvers: { kind: 'globalAdministrators' } });
    const userIds = (posted().card.refresh as { userIds: string[] }).userIds;
    expect([...userIds].sort()).toEqual([USERS.megan.id, LIDIA.id].sort());
    expect(h.channel.rosterReads.map((r) => r.continuationToken)).toEqual([
      undefined,
      'page-2',
      'page-4',
    ]);
  });

  it('leaves out an approver who is not in the team; they can still refresh by hand', async () => {
    h.channel.members.splice(h.channel.members.indexOf(NESTOR), 1);
    await confirmUnderPolicy(POLICY);
    expect((posted().card.refresh as { userIds: string[] }).userIds).toEqual([USERS.megan.id]);
    expect(verbs(await refreshAs(NESTOR))).toEqual(['approval.approve', 'approval.reject']);
  });

  it('roster refused: the card is still posted, its refresh names nobody, a warning is logged', async () => {
    const lines: string[] = [];
    configureLogging({
      level: 'info',
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    });
    try {
      h.channel.refuseRoster.set(TEAM, { status: 403, code: 'Forbidden' });
      const flowId = await confirmUnderPolicy(POLICY);
      expect(await status(flowId)).toBe('awaitingApproval');
      const { card } = posted();
      expect(card.refresh).toEqual({ action: expect.objectContaining({ verb: 'card.refresh' }) });
      expect(h.channel.rosterReads).toHaveLength(1);
      const warning = lines
        .map((l) => JSON.parse(l) as Json)
        .find((l) => l.code === 'TL-ROSTER-UNREADABLE');
      expect(warning).toEqual(
        expect.objectContaining({ level: 'warn', teamId: TEAM, status: 403 }),
      );
      // The approver's refresh (by hand, or their client's own) still gets Approve / Reject,
      // and every view keeps a refresh that names nobody.
      const megans = await refreshAs(USERS.megan);
      expect(verbs(megans)).toEqual(['approval.approve', 'approval.reject']);
      expect(megans.refresh).not.toHaveProperty('userIds');
      expect(verbs(await refreshAs(USERS.jane))).toEqual([]);
    } finally {
      configureLogging(testLogging());
    }
  });
});

describe("the channel's card when the request ends", () => {
  it('approved: who approved and when, no buttons, no refresh', async () => {
    const flowId = await confirmUnderPolicy(POLICY);
    expect(await decide(USERS.megan, 'approval.approve')).toBe('Your answer was recorded.');
    await until(async () => (await status(flowId)) === 'verified');
    const { id } = posted();
    await until(() => botUpdates(id).length > 0);
    const ended = botUpdates(id).at(-1)!.activity.attachments[0].content as Json;
    expect(cardText(ended)).toContain('Directory change approved');
    expect(cardText(ended)).toMatch(
      /Approved by Megan Bowen on \{\{DATE\(.+, SHORT\)\}\} \{\{TIME\(/,
    );
    expect(verbs(ended)).toEqual([]);
    expect(ended.refresh).toBeUndefined();
    // A refresh now gets the ended card too.
    expect(cardText(await refreshAs(USERS.megan))).toContain('Directory change approved');
  });

  it("an answer while it still waits shows on everyone's card, which stays read-only with its refresh", async () => {
    const flowId = await confirmUnderPolicy({ ...POLICY, required: 2 });
    expect(await decide(USERS.megan, 'approval.approve')).toBe('Your answer was recorded.');
    const { id } = posted();
    await until(() => botUpdates(id).length > 0);
    const now = botUpdates(id).at(-1)!.activity.attachments[0].content as Json;
    expect(cardText(now)).toMatch(/Megan Bowen approved \{\{DATE\(/);
    expect(cardText(now)).toContain('Only the approvers');
    expect(verbs(now)).toEqual([]);
    expect((now.refresh as { userIds: string[] }).userIds).toEqual(
      (posted().card.refresh as { userIds: string[] }).userIds,
    );
    expect(await status(flowId)).toBe('awaitingApproval');
    expect(changeRequests()).toEqual([]);
  });

  it('rejected: who rejected, and the reason', async () => {
    const flowId = await confirmUnderPolicy(POLICY);
    await decide(NESTOR, 'approval.reject', { reason: 'Not during the freeze' });
    await until(async () => (await status(flowId)) === 'rejected');
    await until(() => botUpdates(posted().id).length > 0);
    const ended = botUpdates(posted().id).at(-1)!.activity.attachments[0].content as Json;
    expect(cardText(ended)).toContain('Directory change rejected');
    expect(cardText(ended)).toContain('Rejected by Nestor Wilke on {{DATE(');
    expect(cardText(ended)).toContain('Not during the freeze');
    expect(verbs(ended)).toEqual([]);
  });

  it('expired: when, and that nothing changed', async () => {
    const flowId = await confirmUnderPolicy(POLICY);
    clock += POLICY.expiryMs + 1;
    await until(async () => (await status(flowId)) === 'expired');
    await until(() => botUpdates(posted().id).length > 0);
    const ended = botUpdates(posted().id).at(-1)!.activity.attachments[0].content as Json;
    expect(cardText(ended)).toContain('Approval request expired');
    expect(cardText(ended)).toContain('Expired on {{DATE(');
    expect(verbs(ended)).toEqual([]);
  });
});

describe("the initiator's cancel while the link waits for approval", () => {
  it('ends the request as cancelled, audited, the card updated, nothing changed', async () => {
    const flowId = await confirmUnderPolicy(POLICY);
    await h.channel.say(USERS.kelley, 'cancel');
    await until(async () => (await status(flowId)) === 'cancelled');
    const record = (await h.app.changes.get(flowId))!;
    expect(record.audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'approval:cancelled', by: USERS.kelley.id }),
      ]),
    );
    await until(() => botUpdates(posted().id).length > 0);
    const ended = botUpdates(posted().id).at(-1)!.activity.attachments[0].content as Json;
    expect(cardText(ended)).toContain('Approval request cancelled');
    expect(cardText(ended)).toContain('Cancelled by Kelley Wall on {{DATE(');
    expect(verbs(ended)).toEqual([]);
    // An approver's click afterwards changes nothing; the link never asks for the move.
    const { flowId: f, cardId } = (posted().card.refresh as { action: { data: Json } }).action.data;
    const late = await h.channel.invoke(
      USERS.megan,
      'approval.approve',
      { flowId: f, cardId },
      posted().id,
      TEAM,
    );
    expect(String(late.body?.value)).toMatch(/has ended/);
    await h.app.background.idle();
    expect(await status(flowId)).toBe('cancelled');
    expect(changeRequests()).toEqual([]);
    // The lock is released: a new link reaches the first card again.
    await h.channel.say(USERS.kelley, 'link');
    expect(cardText(h.channel.lastCard(chat).card)).not.toMatch(/already being linked/);
  });
});

describe('approvals in the channel notice and in history', () => {
  it('names who approved and when', async () => {
    const flowId = await confirmUnderPolicy(POLICY);
    await decide(USERS.megan, 'approval.approve');
    await until(async () => (await status(flowId)) === 'verified');
    await h.app.background.idle();
    await until(() => /access\.grant/.test(JSON.stringify(h.channel.lastCard(chat).card)));
    await click(h, USERS.kelley, chat, 'access.grant', {
      principalIds: IDS.users.janeContoso,
      role: 'Reader',
    });
    const approved = /Megan Bowen approved \{\{DATE\(.+, SHORT\)\}\} \{\{TIME\(/;
    await until(() =>
      h.channel
        .activities(TEAM)
        .some((a) => /Office 365 and Azure are linked/.test(JSON.stringify(a.activity))),
    );
    const notice = h.channel
      .activities(TEAM)
      .find((a) => /Office 365 and Azure are linked/.test(JSON.stringify(a.activity)))!;
    const noticeText = cardText(notice.activity.attachments[0].content as Json);
    expect(noticeText).toContain('Approvals');
    expect(noticeText).toMatch(approved);

    await h.channel.say(USERS.kelley, 'history');
    const list = h.channel.lastCard(chat);
    await h.channel.invoke(
      USERS.kelley,
      'history.open',
      { flowId, cardId: 'history' },
      list.id,
      chat,
    );
    const record = cardText(h.channel.lastCard(chat).card);
    expect(record).toContain('Approvals');
    expect(record).toMatch(approved);
  });
});

describe("the policy card names the approvers' group", () => {
  it("reads the group's display name through Graph at the save and stores it beside the id", async () => {
    await h.channel.say(USERS.kelley, 'policy');
    await click(h, USERS.kelley, chat, 'signin.select', {
      choice: `kelley-work|${IDS.tenants.contoso}`,
    });
    const r = await click(h, USERS.kelley, chat, 'policy.save', {
      approvers: 'group',
      groupId: IDS.groups.contosoChangeBoard.toUpperCase(),
      required: '1',
      channel: TEAM,
      expiryHours: '24',
    });
    expect(r.body?.value).toBe('Approval policy saved.');
    const stored = await new ApprovalPolicyStore(h.app.storage).read(IDS.tenants.contoso);
    expect(stored.policy?.approvers).toEqual({
      kind: 'group',
      groupId: IDS.groups.contosoChangeBoard,
      groupName: 'Contoso Change Board',
    });
    await h.channel.say(USERS.kelley, 'policy');
    expect(cardText(h.channel.lastCard(chat).card)).toContain(
      '1 approval from Contoso Change Board',
    );
  });

  it('refuses a group id the directory does not have, and stores nothing', async () => {
    await h.channel.say(USERS.kelley, 'policy');
    await click(h, USERS.kelley, chat, 'signin.select', {
      choice: `kelley-work|${IDS.tenants.contoso}`,
    });
    const unknown = '00000000-0000-4000-8000-000000000000';
    const r = await click(h, USERS.kelley, chat, 'policy.save', {
      approvers: 'group',
      groupId: unknown,
      required: '1',
      channel: TEAM,
      expiryHours: '24',
    });
    expect(r.body?.value).toBe(
      `No group with the id ${unknown} in the directory: check the group object id.`,
    );
    expect(
      (await new ApprovalPolicyStore(h.app.storage).read(IDS.tenants.contoso)).changes,
    ).toEqual([]);
  });
});
