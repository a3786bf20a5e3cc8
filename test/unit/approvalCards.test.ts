import { join } from 'node:path';
import {
  DEFAULT_APPROVAL_EXPIRY_MS,
  applyClick,
  newApprovalRequest,
  type ApprovalPolicy,
} from '../../src/domain/approval';
import {
  ApprovalCards,
  approvalCardId,
  approvalCardVersion,
  approverUserIds,
  cardDateTime,
  MAX_REFRESH_USER_IDS,
} from '../../src/dialogs/approvalCards';
import { REFRESH_VERB } from '../../src/dialogs/userSpecificViews';
import { Localizer } from '../../src/i18n';

/** The approval step's cards (issue 29): the approver's view, everyone's, the initiator's, policy. */

const localizer = new Localizer(join(__dirname, '..', '..', 'locales'));
const T0 = Date.parse('2026-12-04T10:00:00.123Z');
const policy: ApprovalPolicy = {
  required: 2,
  approvers: { kind: 'group', groupId: '8b1d6e3f-4a2c-4f7e-9d05-3c6a1b2e7f48', groupName: 'CAB' },
  channel: { teamId: '19:team@thread.tacv2', channelId: '19:chan@thread.tacv2', name: 'Changes' },
  expiryMs: DEFAULT_APPROVAL_EXPIRY_MS,
};
const request = newApprovalRequest(
  {
    flowId: 'f1',
    initiatorId: '29:kelley',
    initiatorObjectId: 'oid-kelley',
    initiatorName: 'Kelley Wall',
    tenantId: 't',
    policy,
  },
  T0,
);
const subject = {
  subscriptionName: 'Pay-As-You-Go',
  subscriptionId: 'a27e2463-29b2-43f1-9a86-7fecb0e7d9aa',
  sourceName: 'Default Directory',
  destinationName: 'Contoso',
  impact: ['3 role assignments are removed'],
};
const json = (x: unknown) => JSON.stringify(x);
/** The verbs of every Action.Execute of a card (its refresh's included), depth first. */
function executes(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(executes);
  if (!node || typeof node !== 'object') return [];
  const o = node as Record<string, unknown>;
  const own = o.type === 'Action.Execute' ? [String(o.verb)] : [];
  return [...own, ...Object.values(o).flatMap(executes)];
}

it('gives an approver Approve / Reject with a reason; everyone else a read-only card with a refresh', () => {
  const cards = new ApprovalCards(localizer, 'en-US');
  const mine = cards.approval(request, subject, true, ['29:m']);
  // The approver's view keeps the refresh, so that it stays theirs.
  expect(executes(mine)).toEqual(['approval.approve', 'approval.reject', REFRESH_VERB]);
  expect(json(mine)).toContain('"id":"reason"');
  expect(json(mine)).toContain('Kelley Wall asks to move Pay-As-You-Go to the Contoso directory');
  expect(json(mine)).toContain('2 approvals from CAB');
  expect(json(mine)).toContain('3 role assignments are removed');
  expect(mine.refresh).toMatchObject({ userIds: ['29:m'] });
  expect(json(mine)).not.toContain('Only the approvers');
  const everyone = cards.approval(request, subject, false, ['29:m']);
  expect(executes(everyone)).toEqual([REFRESH_VERB]);
  expect(json(everyone)).not.toContain('"id":"reason"');
  expect(json(everyone)).toContain(
    'Only the approvers (2 approvals from CAB) can answer this card.',
  );
  expect(everyone.refresh).toMatchObject({
    action: {
      type: 'Action.Execute',
      verb: REFRESH_VERB,
      data: { flowId: 'f1', cardId: 'approval:f1:v1', standing: 'approval' },
    },
    userIds: ['29:m'],
  });
});

it("names at most Teams' 60 approvers in refresh.userIds, by their roster ids, each once", () => {
  const ids = Array.from({ length: 75 }, (_, i) => `29:member-${i}`);
  const userIds = approverUserIds(['29:abc', '29:abc', ...ids]);
  expect(MAX_REFRESH_USER_IDS).toBe(60);
  expect(userIds).toHaveLength(60);
  expect(userIds[0]).toBe('29:abc');
  expect(userIds[1]).toBe('29:member-0');
  expect(new Set(userIds).size).toBe(60);
});

it('omits refresh.userIds when the roster could not be read (an empty list would stop every refresh)', () => {
  const cards = new ApprovalCards(localizer, 'en-US');
  const everyone = cards.approval(request, subject, false, undefined);
  expect(everyone.refresh).toMatchObject({ action: { verb: REFRESH_VERB } });
  expect(everyone.refresh).not.toHaveProperty('userIds');
  // No approver in the team: the list is empty, nobody's client refreshes on its own.
  expect(cards.approval(request, subject, false, []).refresh).toMatchObject({ userIds: [] });
});

it('shows dates with {{DATE()}}/{{TIME()}} so each reader sees their own format', () => {
  expect(cardDateTime(T0)).toBe(
    '{{DATE(2026-12-04T10:00:00Z, SHORT)}} {{TIME(2026-12-04T10:00:00Z)}}',
  );
  const card = json(new ApprovalCards(localizer, 'fr-FR').approval(request, subject, false));
  expect(card).toContain('{{DATE(2026-12-05T10:00:00Z, SHORT)}}');
  expect(card).not.toMatch(/\d{2}:\d{2}:\d{2}\.\d{3}Z/);
});

it('shows the answers, and an ended request without buttons or refresh', () => {
  const answered = applyClick(
    request,
    {
      userId: '29:megan',
      objectId: 'm',
      name: 'Megan',
      decision: 'reject',
      reason: 'freeze',
      cardVersion: 1,
    },
    true,
    T0 + 1000,
  );
  if (answered.kind !== 'recorded') throw new Error(answered.why);
  const card = new ApprovalCards(localizer, 'en-US').approval(answered.request, subject, true);
  expect(executes(card)).toEqual([]);
  expect(card.refresh).toBeUndefined();
  expect(json(card)).toContain('Directory change rejected');
  expect(json(card)).toContain('Megan rejected {{DATE(2026-12-04T10:00:01Z, SHORT)}}');
  expect(json(card)).toContain('freeze');
  expect(json(card)).toContain(
    'Rejected by Megan on {{DATE(2026-12-04T10:00:01Z, SHORT)}} {{TIME(2026-12-04T10:00:01Z)}}',
  );
});

it('says who ended the request and when: approved, expired, cancelled', () => {
  const cards = new ApprovalCards(localizer, 'en-US');
  const approved = cards.approval(
    {
      ...request,
      outcome: 'approved',
      endedAt: T0 + 5000,
      decisions: [
        {
          userId: '29:m',
          objectId: 'm',
          name: 'Megan',
          decision: 'approve',
          at: new Date(T0).toISOString(),
        },
        {
          userId: '29:n',
          objectId: 'n',
          name: 'Nestor',
          decision: 'approve',
          at: new Date(T0).toISOString(),
        },
      ],
    },
    subject,
    false,
    ['29:m'],
  );
  expect(json(approved)).toContain(
    'Approved by Megan, Nestor on {{DATE(2026-12-04T10:00:05Z, SHORT)}}',
  );
  expect(approved.refresh).toBeUndefined();
  expect(executes(approved)).toEqual([]);
  const expired = cards.approval(
    { ...request, outcome: 'expired', endedAt: T0 + DEFAULT_APPROVAL_EXPIRY_MS },
    subject,
    false,
  );
  expect(json(expired)).toContain('Approval request expired');
  expect(json(expired)).toContain('Expired on {{DATE(2026-12-05T10:00:00Z, SHORT)}}');
  const cancelled = new ApprovalCards(localizer, 'nl-NL').approval(
    { ...request, outcome: 'cancelled', endedAt: T0 + 60_000 },
    subject,
    false,
  );
  expect(json(cancelled)).toContain('Goedkeuringsverzoek geannuleerd');
  expect(json(cancelled)).toContain(
    'Geannuleerd door Kelley Wall op {{DATE(2026-12-04T10:01:00Z, SHORT)}}',
  );
  expect(executes(cancelled)).toEqual([]);
});

it('tells the initiator who was asked where, and reads card versions back', () => {
  const waiting = json(new ApprovalCards(localizer, 'en-US').waiting(request));
  expect(waiting).toContain('Waiting for approval');
  expect(waiting).toContain('Asked 2 approvals from CAB in Changes');
  expect(approvalCardVersion(approvalCardId('f1', 3))).toBe(3);
  expect(approvalCardVersion('card-impact-0001')).toBe(0);
});

it('fills the policy card with the policy in force, or off', () => {
  const cards = new ApprovalCards(localizer, 'sv-SE');
  const ids = { flowId: 'p', cardId: 'c' };
  const channels = [{ teamId: '19:team@thread.tacv2', name: 'Changes' }];
  const off = cards.policy(ids, null, channels);
  expect(json(off)).toContain('Idag: av');
  expect(executes(off)).toEqual(['policy.save']);
  const set = cards.policy(ids, policy, channels);
  expect(json(set)).toContain('"value":"8b1d6e3f-4a2c-4f7e-9d05-3c6a1b2e7f48"');
  expect(json(set)).toContain('går ut efter 24 h');
});
