import type { RoleGrant } from '../../src/domain/model';
import type { AzureManagementPort, Office365DirectoryPort } from '../../src/domain/ports';
import type { RestorePlanEntry } from '../../src/domain/restorePlan';
import { TenantlinkError } from '../../src/errors';
import { planEntries } from '../../src/link/restore';
import {
  chosenRestore,
  restoreAndRecord,
  restoreToRun,
  restoreWork,
  type RestoreWork,
} from '../../src/link/restoreRecord';
import { createRecord, testProcedure } from '../helpers/procedure';

/**
 * The restore of step 3 with the change record (the fast layer of test/dialogs/restore and
 * restoreChoice): the plan read back from the record, the admin's choice on the grant card, and
 * every outcome written to the record's report and audit trail.
 */

const FLOW = 'flow-restore';
const SUB = '9e3b1d2c-0000-4000-8000-000000000009';
const SCOPE = `/subscriptions/${SUB}`;
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const CUSTOM = 'c0ffee00-0000-4000-8000-00000000c0de';
const defId = (guid: string): string =>
  `${SCOPE}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
const backedUp = (n: number, guid = READER) => ({
  id: `${SCOPE}/providers/Microsoft.Authorization/roleAssignments/a${n}`,
  name: `a${n}`,
  scope: SCOPE,
  principalId: `old-${n}`,
  principalType: 'User',
  roleDefinitionId: defId(guid),
  roleName: guid === READER ? 'Reader' : 'Backup Operator',
  principalName: `p${n}@old.example`,
});
const entry = (n: number, action: RestorePlanEntry['action']): RestorePlanEntry => ({
  assignmentId: `a${n}`,
  scope: SCOPE,
  roleDefinitionId: defId(READER),
  roleName: 'Reader',
  principalType: 'User',
  formerPrincipal: `p${n}`,
  action,
});
const restore = (n: number) => ({
  kind: 'restore' as const,
  principalId: `new-${n}`,
  principalName: `n${n}`,
});
const skip = { kind: 'skip' as const, reason: 'group' as const };

describe('chosenRestore', () => {
  const work: RestoreWork = {
    entries: [entry(1, restore(1)), entry(2, skip), entry(3, restore(3)), entry(4, restore(4))],
    customRoles: [],
  };

  it('keeps every entry when the card sent no choice', () => {
    expect(chosenRestore(work, undefined)).toBe(work);
  });

  it('skips the listed restorable entries left unchecked, counting only restorable ones, and keeps those beyond the list', () => {
    // Restorable entries in order: a1 (0), a3 (1), a4 (2); the card listed two of them.
    const chosen = chosenRestore(work, { chosen: [1], listed: 2 });
    expect(chosen.entries.map((e) => [e.assignmentId, e.action.kind])).toEqual([
      ['a1', 'skip'],
      ['a2', 'skip'],
      ['a3', 'restore'],
      ['a4', 'restore'],
    ]);
    expect(chosen.entries[0]?.action).toEqual({ kind: 'skip', reason: 'notChosen' });
    expect(chosen.entries[1]?.action).toEqual(skip);
  });

  it('leaves a planned skip as it is and does not count it among the listed entries', () => {
    // The card listed a1 (0) and a3 (1) and the admin kept only a1: a3 is not chosen, a4 is kept.
    const chosen = chosenRestore(work, { chosen: [0], listed: 2 });
    expect(chosen.entries.map((e) => [e.assignmentId, e.action])).toEqual([
      ['a1', restore(1)],
      ['a2', skip],
      ['a3', { kind: 'skip', reason: 'notChosen' }],
      ['a4', restore(4)],
    ]);
  });
});

describe('restoreWork and restoreToRun', () => {
  async function withRecord() {
    const { procedure, changes } = testProcedure();
    await createRecord(changes, FLOW, 'verified', {
      subscriptionId: SUB,
      sourceTenantId: 'old',
      destinationTenantId: 'new',
    });
    const role = {
      id: CUSTOM,
      roleName: 'Backup Operator',
      description: '',
      permissions: [],
      assignableScopes: [SCOPE],
    };
    await changes.update(FLOW, (r) => {
      r.backup = [backedUp(1), backedUp(2), backedUp(3)];
      r.restorePlan = [
        { assignmentId: backedUp(1).id, action: restore(1) },
        { assignmentId: backedUp(3).id, action: restore(3) },
      ];
      r.customRoles = [role];
    });
    return { procedure, changes, role };
  }

  it("reads the flow's plan (joined with its backup) and custom roles from the record", async () => {
    const { changes, role } = await withRecord();
    const work = await restoreWork(changes, FLOW);
    expect(work.entries.map((e) => [e.assignmentId, e.formerPrincipal])).toEqual([
      [backedUp(1).id, 'p1@old.example'],
      [backedUp(3).id, 'p3@old.example'],
    ]);
    expect(work.customRoles).toEqual([role]);
    // The toggle off: nothing; on with a choice: the choice applied.
    expect(await restoreToRun(changes, FLOW, false, undefined)).toEqual({
      entries: [],
      customRoles: [],
    });
    const run = await restoreToRun(changes, FLOW, true, { chosen: [1], listed: 2 });
    expect(run.entries.map((e) => e.action.kind)).toEqual(['skip', 'restore']);
    expect(run.customRoles).toEqual([role]);
  });

  it('has nothing to restore for a flow without a record or without a plan', async () => {
    const { changes } = testProcedure();
    expect(await restoreWork(changes, 'no-such-flow')).toEqual({ entries: [], customRoles: [] });
    await createRecord(changes, FLOW, 'verified', {
      subscriptionId: SUB,
      sourceTenantId: 'old',
      destinationTenantId: 'new',
    });
    expect(await restoreWork(changes, FLOW)).toEqual({ entries: [], customRoles: [] });
  });

  it('joins a plan with its backup in backup order, leaving out unplanned assignments', () => {
    const entries = planEntries(
      [backedUp(1), backedUp(2), backedUp(3)],
      [
        { assignmentId: backedUp(3).id, action: restore(3) },
        { assignmentId: backedUp(1).id, action: skip },
      ],
    );
    expect(entries.map((e) => [e.assignmentId, e.action.kind])).toEqual([
      [backedUp(1).id, 'skip'],
      [backedUp(3).id, 'restore'],
    ]);
  });
});

describe('restoreAndRecord', () => {
  it('records every outcome in the report and the audit trail, skipped ones in the report only', async () => {
    const { procedure, changes } = testProcedure();
    await createRecord(changes, FLOW, 'verified', {
      subscriptionId: SUB,
      sourceTenantId: 'old',
      destinationTenantId: 'new',
    });
    const directory = {
      inviteGuest: async (email: string) => ({
        id: `guest-${email}`,
        displayName: email,
        userPrincipalName: email,
        mail: email,
        otherMails: [],
      }),
    } as unknown as Office365DirectoryPort;
    const target = {
      putCustomRole: async (_sub: string, role: { roleName: string }) => {
        if (role.roleName === 'Broken') throw new TenantlinkError('cloudBadRequest');
        return { created: true };
      },
      grantRole: async (grant: RoleGrant) => {
        if (grant.principalId === 'new-4')
          throw new TenantlinkError('cloudConflict', {
            serviceCode: 'RoleAssignmentLimitExceeded',
            correlationId: 'corr-4',
          });
        return { assignment: {}, created: grant.principalId !== 'new-3', correlationId: 'corr-ok' };
      },
    } as unknown as AzureManagementPort;
    const custom = (roleName: string) => ({
      id: roleName,
      roleName,
      description: '',
      permissions: [],
      assignableScopes: [SCOPE],
    });
    const progress: number[] = [];
    const run = await restoreAndRecord(
      procedure,
      directory,
      target,
      FLOW,
      'kelley',
      SUB,
      'https://portal.example',
      {
        entries: [
          entry(1, restore(1)),
          entry(2, { kind: 'invite', email: 'sam@outlook.example' }),
          entry(3, restore(3)),
          entry(4, restore(4)),
          entry(5, skip),
        ],
        customRoles: [custom('Fine'), custom('Broken')],
      },
      (done) => progress.push(done),
    );
    expect(run.assignments.map((a) => a.outcome)).toEqual([
      'restored',
      'invitedRestored',
      'existing',
      'failed',
      'skipped',
    ]);
    expect(progress.sort()).toEqual([1, 2, 3, 4, 5]);
    const record = await changes.get(FLOW);
    expect(record?.restoreReport).toEqual([
      { assignmentId: 'a1', outcome: 'restored', correlationId: 'corr-ok' },
      { assignmentId: 'a2', outcome: 'invitedRestored', correlationId: 'corr-ok' },
      { assignmentId: 'a3', outcome: 'existing', correlationId: 'corr-ok' },
      {
        assignmentId: 'a4',
        outcome: 'failed',
        errorCode: 'RoleAssignmentLimitExceeded',
        correlationId: 'corr-4',
      },
      { assignmentId: 'a5', outcome: 'skipped', reason: 'group' },
    ]);
    const audit = (record?.audit ?? []).map(({ at, ...rest }) => {
      expect(Number.isNaN(Date.parse(at))).toBe(false);
      return rest;
    });
    expect(audit).toEqual([
      { by: 'kelley', action: 'customRole', target: 'Fine', outcome: 'ok', code: undefined },
      {
        by: 'kelley',
        action: 'customRole',
        target: 'Broken',
        outcome: 'failed',
        code: new TenantlinkError('cloudBadRequest').code,
      },
      ...[
        ['a1', 'ok', undefined, 'corr-ok'],
        ['a2', 'ok', 'GuestInvited', 'corr-ok'],
        ['a3', 'ok', undefined, 'corr-ok'],
        ['a4', 'failed', 'RoleAssignmentLimitExceeded', 'corr-4'],
      ].map(([target, outcome, code, correlationId]) => ({
        by: 'kelley',
        action: 'restore:Reader',
        target,
        outcome,
        code,
        correlationId,
      })),
    ]);
  });
});
