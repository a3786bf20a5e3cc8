import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import { v4 as uuidv4 } from 'uuid';
import { RESTORE_CHOICE_LIMIT, cardAttachment, renderCard } from '../cards/render';
import type { DirectoryPerson } from '../domain/model';
import { GRANTABLE_ROLES, type GrantableRole } from '../domain/roles';
import { errorFromJson } from '../errors';
import { z } from 'zod';
import { giveAccessJob, type AccessJobResult } from '../link/accessJob';
import { ACCESS_STAGE, readStage } from '../link/stageSchemas';
import { grantAccess } from '../link/access';
import { WriteRecorder } from '../link/dryRun';
import { restoreAccess } from '../link/restore';
import { restoreToRun, restoreWork, type RestoreWork } from '../link/restoreRecord';
import { LinkCards } from './linkCards';
import { checklistStep } from './linkKeyVaultSteps';
import { restoreChoiceOf, restoreKey, restoreReportCard } from './restoreCards';
import { answerInvoke, outcomeCard } from './cardPrompt';
import type { VerbInputs } from './cardInputs';
import {
  GRANT_PAGE_SIZE,
  LINK_CARD_PROMPT,
  type LinkJobStages,
  type LinkStepKit,
} from './linkSteps';
import { assertChosen, type LinkState } from '../link/stages';
import { jobResult, type ProgressReporter } from './waitForBackground';

/**
 * Step 3 of the seeds: give Office 365 accounts access to the subscription (RBAC roles replace the
 * retired co-administrators), test it, and post the notification to the team's channel.
 */

/** Offers the Office 365 accounts and the role to give them. */
export async function grantAccessStep(
  kit: LinkStepKit,
  step: WaterfallStepContext,
  s: LinkState,
): Promise<DialogTurnResult> {
  assertChosen(s);
  const cards = kit.cards(step);
  const page = await kit.directoryAs(step, 'office365').listUsers({ pageSize: GRANT_PAGE_SIZE });
  s.grantUsers = page.users;
  const { entries } = await restoreWork(kit.deps.changes, s.flowId);
  const restorable = entries.filter((e) => e.action.kind !== 'skip');
  const ids = { flowId: s.flowId, cardId: uuidv4() };
  const moreUsers = page.cursor !== undefined;
  const data = cards.grant(ids, page.users, s.org, '', restorable, moreUsers);
  return step.beginDialog(LINK_CARD_PROMPT, {
    ...kit.prompt(s, ids.cardId, renderCard('grantAccess', data), ['access.grant']),
    retryCard: renderCard('grantAccess', { ...data, error: cards.t('grant.pick') }),
    // More users than the card lists: its typeahead searches the directory live, and the chosen
    // ids are checked against the directory when the card is answered.
    ...(moreUsers ? { search: { dataset: data.usersDataset, source: 'users' } } : {}),
    rules: {
      'access.grant': {
        required: ['principalIds'],
        oneOf: {
          ...(moreUsers ? {} : { principalIds: page.users.map((u) => u.id) }),
          role: [...GRANTABLE_ROLES],
          restore: ['true', 'false'],
          restoreIds: restorable.slice(0, RESTORE_CHOICE_LIMIT).map((_, i) => restoreKey(i)),
        },
      },
    },
  });
}

/** The access job's stage with the dialog's part: the locale and what the notice names. */
const ACCESS_JOB_STAGE = ACCESS_STAGE.extend({
  locale: z.string(),
  notice: z.object({
    subscription: z.object({ subscriptionId: z.string(), displayName: z.string() }).passthrough(),
    org: z.object({ tenantId: z.string(), displayName: z.string() }).passthrough(),
    office365: z.object({ displayName: z.string() }).passthrough(),
    portalUrl: z.string(),
  }),
});

/** What the access job reports to the dialog: the grants, tests and restore, and the notice. */
export interface AccessStepResult extends AccessJobResult {
  /** How many team channels were told that the link is complete. */
  readonly channels: number;
}

/**
 * The access job (src/link/accessJob.ts) with its progress shown on the grant card, in the
 * locale of the click that started it, and then the notice to the team channels (once per flow,
 * src/link/procedure.ts `notifyOnce`): all of step 3 runs in the leased job, none in a turn.
 */
export function accessJob(kit: LinkStepKit) {
  return async (
    userId: string,
    stage: LinkJobStages['access'],
    progress: ProgressReporter,
  ): Promise<AccessStepResult> => {
    // Read back from the dialog state: checked before anything is granted (stageSchemas.ts).
    readStage(ACCESS_JOB_STAGE, stage, 'access');
    const cards = new LinkCards(kit.deps.localizer, stage.locale || undefined);
    const t = (k: string, p?: Record<string, string | number>): string => cards.t(k, p);
    const { role } = stage;
    const result = await giveAccessJob(kit.procedure, userId, stage, (p) =>
      progress(
        outcomeCard(
          t('grant.progress', { role: t(`role.${role}`), done: p.granted, total: p.grantTotal }),
          p.restoreTotal > 0
            ? t('restore.progress', { done: p.restored, total: p.restoreTotal })
            : '',
        ),
      ),
    );
    const { subscription, org, office365, portalUrl } = stage.notice;
    const channels = await kit.procedure.notifyOnce(
      stage.flowId,
      org.tenantId,
      cards.channelNotice(subscription, org, office365, result.grants, portalUrl),
    );
    return { ...result, channels };
  };
}

/**
 * The grant card answered: says at once that the work started and runs it as the access job
 * (a dry run lists the writes instead).
 */
export async function startAccessStep(
  kit: LinkStepKit,
  step: WaterfallStepContext,
  s: LinkState,
  answer: VerbInputs<'access.grant'>,
): Promise<DialogTurnResult> {
  assertChosen(s);
  const cards = kit.cards(step);
  const role = answer.role;
  const chosen = new Set(answer.principalIds);
  await answerInvoke(
    step.context,
    outcomeCard(
      cards.t('grant.working', { count: chosen.size, role: cards.t(`role.${role}`) }),
      '',
      'Good',
    ),
  );
  const restoreChoice = restoreChoiceOf(answer.restoreIds);
  // Where an invited guest lands: the portal, at the Office 365 directory.
  const redirectUrl = `${kit.portalUrl(step)}/#@${s.org.tenantId}`;
  if (s.dryRun) {
    const users = await chosenUsers(kit, step, s, chosen);
    const restore = await restoreToRun(
      kit.deps.changes,
      s.flowId,
      answer.restore === true,
      restoreChoice,
    );
    return dryRunReport(kit, step, s, users, role, restore, redirectUrl);
  }
  return kit.runJob(step, 'access', {
    ...kit.flowRef(s),
    role,
    principalIds: [...chosen],
    restore: answer.restore === true,
    ...(restoreChoice ? { restoreChoice } : {}),
    notice: {
      subscription: s.subscription,
      org: s.org,
      office365: s.office365,
      portalUrl: kit.portalUrl(step),
    },
    redirectUrl,
    locale: step.context.activity.locale ?? '',
  });
}

/**
 * The access job's outcome: the restore report, the grant and test results, then the team's
 * channel is told (once, whichever turn or instance claims it) and the flow ends. A job that failed
 * ends the flow as failed, recorded, with the error told to the admin.
 */
export async function afterAccessStep(
  kit: LinkStepKit,
  step: WaterfallStepContext,
  s: LinkState,
): Promise<DialogTurnResult> {
  assertChosen(s);
  const result = jobResult<AccessStepResult>(step);
  if (!result.ok) return kit.fail(step, s, errorFromJson(result.error));
  const cards = kit.cards(step);
  const outcome = result.value;
  if (outcome.missing > 0)
    await step.context.sendActivity(
      cards.t('grant.notFound', { count: outcome.missing, directory: s.org.displayName }),
    );
  if (outcome.restore)
    await step.context.sendActivity({
      attachments: [cardAttachment(restoreReportCard((k, p) => cards.t(k, p), outcome.restore))],
    });
  await step.context.sendActivity({
    attachments: [cardAttachment(cards.accessResults(outcome.grants, outcome.tested))],
  });
  const sent = outcome.channels;
  await step.context.sendActivity(
    cards.t(sent > 0 ? 'done.notified' : 'done.noChannel', {
      subscription: s.subscription.displayName,
      directory: s.org.displayName,
      count: sent,
    }),
  );
  return checklistStep(kit, step, s);
}

/**
 * The accounts the admin chose: those the card listed, and those found with its search, looked up
 * in the Office 365 directory (an id that is not one of its users is left out, and said so).
 */
async function chosenUsers(
  kit: LinkStepKit,
  step: WaterfallStepContext,
  s: LinkState,
  chosen: ReadonlySet<string>,
): Promise<DirectoryPerson[]> {
  assertChosen(s);
  const listed = (s.grantUsers ?? []).filter((u) => chosen.has(u.id));
  const others = [...chosen].filter((id) => !listed.some((u) => u.id === id));
  if (others.length === 0) return listed;
  const found = await kit.directoryAs(step, 'office365').usersById(others);
  const missing = others.length - found.length;
  if (missing > 0)
    await step.context.sendActivity(
      kit.cards(step).t('grant.notFound', { count: missing, directory: s.org.displayName }),
    );
  return [...listed, ...found];
}

/** Ends a dry run: lists every write a real run would make, in order, and tells the channel. */
async function dryRunReport(
  kit: LinkStepKit,
  step: WaterfallStepContext,
  s: LinkState,
  users: readonly DirectoryPerson[],
  role: GrantableRole,
  restore: RestoreWork,
  redirectUrl: string,
): Promise<DialogTurnResult> {
  assertChosen(s);
  const cards = kit.cards(step);
  // The grant's and restore's own code on recording ports: their writes, in their order.
  const recorder = new WriteRecorder();
  const recording = recorder.azure(kit.azureAs(step, 'office365'));
  await grantAccess(recording, s.subscription.subscriptionId, users, role);
  await restoreAccess(
    recorder.directory(kit.directoryAs(step, 'office365')),
    recording,
    s.subscription.subscriptionId,
    restore.entries,
    redirectUrl,
    restore.customRoles,
  );
  const plan = [...(s.plan ?? []), ...recorder.writes];
  const card = renderCard('outcome', {
    title: cards.t('dryRun.planTitle', { count: plan.length }),
    text: cards.t('dryRun.planText'),
    color: 'Default',
    facts: plan.map((w, i) => ({ title: `${i + 1}. ${w.method}`, value: w.path })),
  });
  await step.context.sendActivity({ attachments: [cardAttachment(card)] });
  const names = { subscription: s.subscription.displayName, directory: s.org.displayName };
  await kit.deps.notifier.notify(
    s.org.tenantId,
    renderCard('outcome', {
      title: cards.t('dryRun.channel', names),
      text: cards.t('dryRun.channelText', { ...names, name: s.initiatorName }),
      color: 'Default',
      facts: [],
    }),
  );
  await step.context.sendActivity(cards.t('dryRun.done', { ...names, count: plan.length }));
  return kit.end(step, s, 'linked');
}
