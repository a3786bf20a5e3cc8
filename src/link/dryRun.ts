import {
  DIRECTORY_CHANGE_STATUS,
  type CustomRoleDefinition,
  type DirectoryChange,
  type PlannedWrite,
  type RoleGrant,
} from '../domain/model';
import type { AzureManagementPort, Office365DirectoryPort } from '../domain/ports';
import { BUILT_IN_ROLES } from '../domain/roles';
import { grantAccess } from './access';
import type { AccessStage, RecordedAccessResult } from './accessJob';
import { changeDirectoryByApi } from './move';
import type { MoveStage, RecordedMoveResult } from './moveJob';
import type { LinkProcedure } from './procedure';
import { restoreAccess } from './restore';
import { restoreToRun } from './restoreRecord';

/**
 * The dry run (`link --dry-run`) as a decorator of the ports: the same procedure code runs
 * (changeDirectoryByApi, grantAccess, restoreAccess) on ports whose reads go to the cloud and
 * whose writes are listed here instead of made. The list therefore follows the real code's
 * decisions (a pending request reused, a subscription already in the directory left alone) and
 * order by construction. Each write's method and path come from the port's own `plan*` method,
 * the only code that knows ARM's and Graph's URLs. A recorded write answers as Azure would have
 * on success: a request `Initiated`, a role assignment or custom role `created`, an invited guest
 * with the stand-in id `(guest <email>)`. The dry run's move and access jobs and its procedure
 * (below) run on it; the composition root wires them into the link's second wiring
 * (src/bot/dryRunLink.ts), so no dialog knows it runs dry.
 */
export class WriteRecorder {
  /** The writes recorded so far, in the order they were asked for. */
  readonly writes: PlannedWrite[] = [];

  /**
   * ARM whose writes are recorded (requestDirectoryChange, acceptDirectoryChange,
   * cancelDirectoryChange, grantRole, putCustomRole); every other call goes to `inner`.
   */
  azure(inner: AzureManagementPort): AzureManagementPort {
    const record = (write: PlannedWrite): void => void this.writes.push(write);
    const changePlan = (subscriptionId: string, to: string, method: 'PUT' | 'POST') =>
      inner.planDirectoryChange(subscriptionId, to).find((w) => w.method === method);
    const writes: Partial<AzureManagementPort> = {
      async requestDirectoryChange(subscriptionId, destinationTenantId, destinationOwnerId) {
        const plan = changePlan(subscriptionId, destinationTenantId, 'PUT');
        if (plan) record(plan);
        return {
          subscriptionId,
          destinationTenantId,
          destinationOwnerId,
          status: DIRECTORY_CHANGE_STATUS.initiated,
          expiresOn: undefined,
        } satisfies DirectoryChange;
      },
      async acceptDirectoryChange(subscriptionId) {
        // Stryker disable next-line StringLiteral: the acceptance's path does not name the destination
        const plan = changePlan(subscriptionId, '', 'POST');
        if (plan) record({ ...plan, summary: 'acceptChangeTenant' });
        return {};
      },
      async cancelDirectoryChange(subscriptionId) {
        // Stryker disable next-line StringLiteral: the request's path does not name the destination
        const plan = changePlan(subscriptionId, '', 'PUT');
        if (plan) record({ ...plan, method: 'DELETE', summary: 'withdraw changeTenantRequest' });
        return { withdrawn: true };
      },
      async grantRole(grant: RoleGrant) {
        const plan = inner.planGrant(grant);
        record(plan);
        const roleDefinitionId =
          typeof grant.role === 'string' ? BUILT_IN_ROLES[grant.role] : grant.role.definitionGuid;
        return {
          assignment: {
            id: plan.path,
            // A path always has a last segment.
            name: plan.path.split('/').at(-1)!,
            scope: grant.scope,
            principalId: grant.principalId,
            principalType: grant.principalType,
            roleDefinitionId,
            roleName: typeof grant.role === 'string' ? grant.role : grant.role.name,
          },
          created: true,
        };
      },
      async putCustomRole(subscriptionId: string, role: CustomRoleDefinition) {
        record(inner.planCustomRole(subscriptionId, role));
        return { created: true };
      },
    };
    return overlay(inner, writes);
  }

  /** Graph whose writes are recorded (inviteGuest); every other call goes to `inner`. */
  directory(inner: Office365DirectoryPort): Office365DirectoryPort {
    const writes: Partial<Office365DirectoryPort> = {
      inviteGuest: async (email: string) => {
        this.writes.push(inner.planInvite(email));
        return {
          id: `(guest ${email})`,
          displayName: email,
          userPrincipalName: email,
          mail: email,
          otherMails: [],
        };
      },
    };
    return overlay(inner, writes);
  }
}

/**
 * The move job of a dry run (in place of src/link/moveJob.ts `changeDirectoryJob`): the move's own
 * code (changeDirectoryByApi) on recording ports, so its writes are those a real run makes now, in
 * order; nothing is recorded in the change record and no propagation is waited for.
 * @param userId the Teams user whose Azure sign-in requests and Office 365 sign-in accepts
 * @returns `recorded`, with the writes
 * @throws TenantlinkError when Azure's reads refuse (a refusal the guided path would take), or
 *   from ARM when a read fails after its retries
 */
export async function recordMoveJob(
  procedure: Pick<LinkProcedure, 'azure'>,
  userId: string,
  stage: MoveStage,
): Promise<RecordedMoveResult> {
  const recorder = new WriteRecorder();
  const outcome = await changeDirectoryByApi(
    recorder.azure(procedure.azure(userId, 'azure')),
    recorder.azure(procedure.azure(userId, 'office365')),
    stage.subscriptionId,
    stage.destinationTenantId,
    stage.destinationOwnerId,
  );
  if (outcome.kind === 'refused') throw outcome.error;
  return { kind: 'recorded', writes: recorder.writes };
}

/**
 * The access job of a dry run (in place of src/link/accessJob.ts `giveAccessJob`): the grant's and
 * restore's own code on recording ports lists every write a real run would make, in order; an id
 * that is not a user of the Office 365 directory is left out (counted in `missing`). Nothing is
 * tested (nothing was granted) and the change record is only read.
 * @param userId the Teams user whose Office 365 sign-in (Owner after the move) would write
 * @throws TenantlinkError from Graph or ARM reads, or Error from storage
 */
export async function recordAccessJob(
  procedure: Pick<LinkProcedure, 'directory' | 'azure' | 'changeRecord'>,
  userId: string,
  stage: AccessStage,
): Promise<RecordedAccessResult> {
  const { flowId, subscriptionId } = stage;
  const office365 = procedure.directory(userId, 'office365');
  const users = await office365.usersById([...stage.principalIds]);
  const restore = await restoreToRun(
    { get: (id) => procedure.changeRecord(id) },
    flowId,
    stage.restore,
    stage.restoreChoice,
  );
  const recorder = new WriteRecorder();
  const recording = recorder.azure(procedure.azure(userId, 'office365'));
  const grants = await grantAccess(recording, subscriptionId, users, stage.role);
  await restoreAccess(
    recorder.directory(office365),
    recording,
    subscriptionId,
    restore.entries,
    stage.redirectUrl,
    restore.customRoles,
  );
  return {
    kind: 'recorded',
    grants,
    writes: recorder.writes,
    missing: stage.principalIds.length - users.length,
  };
}

/**
 * The procedure of a dry run: `inner` whose subscription lock never blocks anyone (a dry run
 * changes nothing, so it neither waits for a link of the same subscription nor holds one up); its
 * other methods are `inner`'s.
 */
export function lockFreeProcedure(inner: LinkProcedure): LinkProcedure {
  return overlay(inner, { lock: async () => ({ acquired: true }) as const });
}

/**
 * `inner` with some methods replaced: a Proxy, so that every method the port has (now or later)
 * that is not replaced reaches `inner`, bound to it.
 */
function overlay<T extends object>(inner: T, replaced: Partial<T>): T {
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (Object.prototype.hasOwnProperty.call(replaced, property))
        return replaced[property as keyof T];
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}
