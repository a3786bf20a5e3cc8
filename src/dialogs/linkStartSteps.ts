import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import { v4 as uuidv4 } from 'uuid';
import type { SignedInAccount } from '../auth/signIn';
import { cardAttachment, renderCard } from '../cards/render';
import { allPassed } from '../domain/rules';
import { runPreflight } from '../link/preflight';
import { assertSignedIn, type LinkState } from '../link/stages';
import { answerInvoke, outcomeCard } from './cardPrompt';
import { screenSubscriptions } from './chooseEligibility';
import { LINK_CARD_PROMPT, type LinkResult, type LinkStepKit } from './linkSteps';

/**
 * Steps 1 and 2 of the seeds, up to the choice: the welcome card, the two sign-ins, the
 * before-you-begin rules and the subscriptions offered.
 */

/** The welcome card (what the link does; a dry run says so). */
export async function welcomeStep(
  kit: LinkStepKit,
  step: WaterfallStepContext,
  s: LinkState,
): Promise<DialogTurnResult> {
  const ids = { flowId: s.flowId, cardId: uuidv4() };
  return step.beginDialog(
    LINK_CARD_PROMPT,
    kit.prompt(s, ids.cardId, kit.cards(step).welcome(ids, s.dryRun === true), ['link.start']),
  );
}

/** Started: the Office 365 admin signs in (the sign-in dialog of the mode). */
export async function signInOffice365Step(
  kit: LinkStepKit,
  step: WaterfallStepContext,
  s: LinkState,
): Promise<DialogTurnResult> {
  await answerInvoke(step.context, outcomeCard(kit.cards(step).t('welcome.started'), '', 'Good'));
  return step.beginDialog(kit.deps.signInDialogIds.office365, kit.signInOptions(s));
}

/** Office 365 signed in: its organization is read, then the subscription admin signs in. */
export async function signInAzureStep(
  kit: LinkStepKit,
  step: WaterfallStepContext,
  s: LinkState,
): Promise<DialogTurnResult> {
  if (!step.result) return kit.cancel(step, s);
  s.office365 = step.result as SignedInAccount;
  s.org = await kit.directoryAs(step, 'office365').organization();
  await step.context.sendActivity(
    kit.cards(step).t('signIn.office365.ok', {
      name: s.office365.displayName,
      directory: s.org.displayName,
      domain: s.org.defaultDomain,
    }),
  );
  return step.beginDialog(kit.deps.signInDialogIds.azure, kit.signInOptions(s));
}

/**
 * Both signed in: the before-you-begin rules (R1–R5), then the choice of the subscription among
 * those the Azure account owns outside the Office 365 directory and Microsoft lets move.
 */
export async function preflightStep(
  kit: LinkStepKit,
  step: WaterfallStepContext,
  s: LinkState,
): Promise<DialogTurnResult> {
  assertSignedIn(s);
  if (!step.result) return kit.cancel(step, s);
  s.azure = step.result as SignedInAccount;
  const cards = kit.cards(step);
  const azure = kit.azureAs(step, 'azure');
  const report = await runPreflight(
    kit.directoryAs(step, 'office365'),
    azure,
    (email) => kit.deps.clients.userRealm(email),
    s.azure,
  );
  await step.context.sendActivity({
    attachments: [cardAttachment(cards.preflight(report.results))],
  });
  kit.log.info(
    { flowId: s.flowId, failed: report.results.filter((r) => !r.passed).map((r) => r.rule) },
    'preflight',
  );
  if (!allPassed(report.results)) {
    await step.context.sendActivity(cards.t('preflight.stop'));
    return step.endDialog({ outcome: 'preflightFailed', flowId: s.flowId } satisfies LinkResult);
  }
  const outside = report.ownedSubscriptions.filter((x) => x.tenantId !== s.org.tenantId);
  if (outside.length === 0) {
    await step.context.sendActivity(cards.t('choose.none', { directory: s.org.displayName }));
    return step.endDialog({ outcome: 'nothingToLink', flowId: s.flowId } satisfies LinkResult);
  }
  // Offers and states Microsoft documents as unable to change directory are never offered.
  const screened = screenSubscriptions(outside, (key, params) => cards.t(key, params));
  for (const note of screened.notes) await step.context.sendActivity(note);
  if (screened.blocked.length > 0) {
    kit.log.info({ flowId: s.flowId, blocked: screened.blocked }, 'cannot change directory');
  }
  const candidates = screened.movable;
  if (candidates.length === 0) {
    await step.context.sendActivity(
      cards.t('choose.noneMovable', { directory: s.org.displayName }),
    );
    return step.endDialog({ outcome: 'nothingToLink', flowId: s.flowId } satisfies LinkResult);
  }
  const tenants = await azure.listTenants();
  s.owned = candidates;
  s.directoryNames = Object.fromEntries(tenants.map((t) => [t.tenantId, t.displayName]));
  const ids = { flowId: s.flowId, cardId: uuidv4() };
  const data = cards.chooseSubscription(ids, candidates, new Map(Object.entries(s.directoryNames)));
  const names = new Map(Object.entries(s.directoryNames));
  return step.beginDialog(LINK_CARD_PROMPT, {
    ...kit.prompt(s, ids.cardId, renderCard('chooseSubscription', data), ['subscription.choose']),
    // More subscriptions than the card lists: the card's typeahead searches all of them.
    ...(data.dataset
      ? {
          search: {
            dataset: data.dataset,
            choices: candidates.map((c) => cards.subscriptionChoice(c, names)),
          },
        }
      : {}),
    rules: {
      'subscription.choose': {
        required: ['subscriptionId'],
        oneOf: { subscriptionId: candidates.map((c) => c.subscriptionId) },
      },
    },
  });
}
