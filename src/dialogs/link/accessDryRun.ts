import type { TurnContext } from 'botbuilder';
import { cardAttachment, renderCard } from '../../cards/render';
import type { GrantableRole } from '../../domain/roles';
import { grantAccess } from '../../link/access';
import { WriteRecorder } from '../../link/dryRun';
import type { LinkProcedure } from '../../link/procedure';
import { restoreAccess } from '../../link/restore';
import { restoreToRun, type RestoreChoice } from '../../link/restoreRecord';
import type { AccessedFlow, MovedFlow } from '../../link/stages';
import type { GrantResult } from '../../link/access';
import type { ChangeRecordStore } from '../../state/changeRecords';
import type { LinkCards } from '../linkCards';

/** What the team channels' notice of a link names (the access job's stage keeps it: JSON). */
export type NoticeFacts = Pick<AccessedFlow, 'subscription' | 'org' | 'office365'> & {
  readonly portalUrl: string;
};

/**
 * The notices the access stage asks for (src/bot/channelNotifier.ts `LinkNotices` renders and
 * sends them): the link's, once per flow, and a dry run's.
 */
export interface AccessNotices {
  linked(
    flowId: string,
    facts: NoticeFacts,
    granted: readonly GrantResult[],
    locale: string,
  ): Promise<number>;
  dryRun(
    facts: Pick<AccessedFlow, 'subscription' | 'org'>,
    name: string,
    locale: string | undefined,
  ): Promise<number>;
}

/** What the dry run of the access stage uses. */
export interface AccessDryRunPorts {
  readonly procedure: Pick<LinkProcedure, 'directory' | 'azure'>;
  readonly changes: ChangeRecordStore;
  readonly notices: Pick<AccessNotices, 'dryRun'>;
}

/** The grant card's answer, as the dry run reads it. */
export interface AccessAnswer {
  readonly principalIds: readonly string[];
  readonly role: GrantableRole;
  readonly restore: boolean;
  readonly restoreChoice: RestoreChoice | undefined;
  readonly redirectUrl: string;
}

/**
 * Ends a dry run: the grant's and restore's own code on recording ports (src/link/dryRun.ts) lists
 * every write a real run would make, in order (after the move's, `flow.plan`); the plan is shown
 * and the team's channel told. An id that is not a user of the Office 365 directory is left out,
 * and said so.
 */
export async function dryRunAccess(
  ports: AccessDryRunPorts,
  cards: LinkCards,
  context: TurnContext,
  flow: MovedFlow,
  answer: AccessAnswer,
): Promise<void> {
  const office365 = ports.procedure.directory(flow.initiatorId, 'office365');
  const users = await office365.usersById([...answer.principalIds]);
  const names = { subscription: flow.subscription.displayName, directory: flow.org.displayName };
  const missing = answer.principalIds.length - users.length;
  if (missing > 0)
    await context.sendActivity(
      cards.t('grant.notFound', { count: missing, directory: names.directory }),
    );
  const restore = await restoreToRun(
    ports.changes,
    flow.flowId,
    answer.restore,
    answer.restoreChoice,
  );
  const recorder = new WriteRecorder();
  const recording = recorder.azure(ports.procedure.azure(flow.initiatorId, 'office365'));
  await grantAccess(recording, flow.subscription.subscriptionId, users, answer.role);
  await restoreAccess(
    recorder.directory(office365),
    recording,
    flow.subscription.subscriptionId,
    restore.entries,
    answer.redirectUrl,
    restore.customRoles,
  );
  const plan = [...(flow.plan ?? []), ...recorder.writes];
  const card = renderCard('outcome', {
    title: cards.t('dryRun.planTitle', { count: plan.length }),
    text: cards.t('dryRun.planText'),
    color: 'Default',
    facts: plan.map((w, i) => ({ title: `${i + 1}. ${w.method}`, value: w.path })),
  });
  await context.sendActivity({ attachments: [cardAttachment(card)] });
  await ports.notices.dryRun(flow, flow.initiatorName, context.activity.locale);
  await context.sendActivity(cards.t('dryRun.done', { ...names, count: plan.length }));
}
