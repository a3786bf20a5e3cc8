import type { WaterfallStepContext } from 'botbuilder-dialogs';
import type { SignedInAccount } from '../auth/signIn';
import { cardAttachment, renderCard, type Fact } from '../cards/render';
import { directoryChangeBlocker, type DirectoryChangeBlocker } from '../domain/eligibility';
import type { AzureSubscription } from '../domain/model';
import { DIRECTORY_ROLES } from '../domain/roles';
import { ReadOnlyCommandDialog, type AccountDialogDeps } from './accountDialogs';
import { plainText } from '../i18n/markdown';

/**
 * The seeds' other scenarios as commands (seeds 003 and 004):
 * - `signup`: an Office 365 user who wants an Azure subscription with the Office 365 account:
 *   checks with that account's ARM token whether a subscription already trusts the Office 365
 *   directory; if not, explains the sign-up and how to check again.
 * - `add office365`: an Azure user who wants Office 365 in the same directory: checks that the
 *   user is a Global Administrator or Billing Administrator (Graph), then whether the directory
 *   has Office 365 (Graph subscribedSkus) and which Azure subscriptions trust it.
 * - `explain`: the seeds' background (subscriptions trust one directory; users belong to
 *   directories; Azure subscriptions are owned by users, Office 365 subscriptions by the
 *   directory), with the user's own directories and subscriptions as the example when signed in.
 */

/** Id of the `signup` dialog. */
export const SIGNUP_DIALOG = 'signupDialog';
/** Id of the `add office365` dialog. */
export const ADD_OFFICE365_DIALOG = 'addOffice365Dialog';
/** Id of the `explain` dialog. */
export const EXPLAIN_DIALOG = 'explainDialog';

/** Azure's sign-up page for a subscription with an Office 365 (work) account (seed 003). */
export const AZURE_SIGNUP_URL = 'https://signup.azure.com/signup?offer=ms-azr-0044p';
/** Microsoft 365 business plans, bought with an account of the directory (seed 004). */
export const OFFICE365_BUY_URL =
  'https://www.microsoft.com/microsoft-365/business/compare-all-microsoft-365-business-products';

type T = (key: string, params?: Record<string, string | number>) => string;
/** Why `s` cannot change directory, as a list of zero or one reason (domain/eligibility.ts). */
const blockerOf = (s: AzureSubscription): DirectoryChangeBlocker[] => {
  const reason = directoryChangeBlocker(s);
  return reason ? [reason] : [];
};

const translator =
  (deps: AccountDialogDeps, step: WaterfallStepContext): T =>
  (key, params) =>
    deps.localizer.t(step.context.activity.locale, key, params);

async function sendCard(
  step: WaterfallStepContext,
  title: string,
  text: string,
  facts: Fact[],
  color: 'Default' | 'Good' | 'Attention' = 'Default',
): Promise<void> {
  const card = renderCard('outcome', { title, text, color, facts });
  await step.context.sendActivity({ attachments: [cardAttachment(card)] });
}

/** `signup` (seed 003). */
export class SignupDialog extends ReadOnlyCommandDialog {
  constructor(deps: AccountDialogDeps) {
    super(SIGNUP_DIALOG, deps, 'office365');
  }

  protected async show(step: WaterfallStepContext, account: SignedInAccount): Promise<void> {
    const t = translator(this.deps, step);
    const user = step.context.activity.from.id;
    const org = await this.deps.clients
      .directory(this.deps.tokens.credential(user, 'office365', 'graph'))
      .organization();
    const subscriptions = (
      await this.deps.clients
        .azure(this.deps.tokens.credential(user, 'office365', 'arm'))
        .listSubscriptions()
    ).filter((s) => s.tenantId === org.tenantId);
    if (subscriptions.length > 0) {
      await sendCard(
        step,
        t('signup.done.title', { directory: org.displayName }),
        t('signup.done.text', { count: subscriptions.length, email: account.email }),
        subscriptions.map((s) => ({ title: plainText(s.displayName), value: s.subscriptionId })),
        'Good',
      );
      return;
    }
    await sendCard(step, t('signup.title'), t('signup.text', { email: account.email }), [
      { title: '1', value: t('signup.step1', { url: AZURE_SIGNUP_URL }) },
      { title: '2', value: t('signup.step2', { email: account.email }) },
      { title: '3', value: t('signup.step3') },
    ]);
  }
}

/** `add office365` (seed 004). */
export class AddOffice365Dialog extends ReadOnlyCommandDialog {
  constructor(deps: AccountDialogDeps) {
    super(ADD_OFFICE365_DIALOG, deps, 'azure');
  }

  protected async show(step: WaterfallStepContext, account: SignedInAccount): Promise<void> {
    const t = translator(this.deps, step);
    const user = step.context.activity.from.id;
    const directory = this.deps.clients.directory(
      this.deps.tokens.credential(user, 'azure', 'graph'),
    );
    const [roles, org] = await Promise.all([
      directory.myDirectoryRoles(),
      directory.organization(),
    ]);
    const allowed = roles.some(
      (r) =>
        r.roleTemplateId === DIRECTORY_ROLES.GlobalAdministrator ||
        r.roleTemplateId === DIRECTORY_ROLES.BillingAdministrator,
    );
    if (!allowed) {
      await sendCard(
        step,
        t('addO365.role.title'),
        t('addO365.role.text', { email: account.email, directory: org.displayName }),
        roles.map((r) => ({ title: plainText(r.displayName), value: r.roleTemplateId })),
        'Attention',
      );
      return;
    }
    const [skus, subscriptions] = await Promise.all([
      directory.subscribedSkus(),
      this.deps.clients
        .azure(this.deps.tokens.credential(user, 'azure', 'arm'))
        .listSubscriptions(),
    ]);
    const trusting = subscriptions.filter((s) => s.tenantId === org.tenantId);
    const office = skus.filter((s) => s.capabilityStatus === 'Enabled');
    if (office.length > 0) {
      await sendCard(
        step,
        t('addO365.done.title', { directory: org.displayName }),
        t('addO365.done.text', { count: trusting.length }),
        [
          ...office.map((s) => ({ title: t('addO365.sku'), value: s.skuPartNumber })),
          ...trusting.map((s) => ({ title: t('addO365.subscription'), value: s.displayName })),
        ],
        'Good',
      );
      return;
    }
    await sendCard(
      step,
      t('addO365.title', { directory: org.displayName }),
      t('addO365.text', { directory: org.displayName, domain: org.defaultDomain }),
      [
        { title: '1', value: t('addO365.step1', { url: OFFICE365_BUY_URL }) },
        { title: '2', value: t('addO365.step2', { domain: org.defaultDomain }) },
        { title: '3', value: t('addO365.step3') },
      ],
    );
  }
}

/** `explain`: the background, with the user's own Azure view when signed in to Azure. */
export class ExplainDialog extends ReadOnlyCommandDialog {
  constructor(deps: AccountDialogDeps) {
    super(EXPLAIN_DIALOG, deps, 'azure');
  }

  protected async show(step: WaterfallStepContext, account: SignedInAccount): Promise<void> {
    const t = translator(this.deps, step);
    const azure = this.deps.clients.azure(
      this.deps.tokens.credential(step.context.activity.from.id, 'azure', 'arm'),
    );
    const [tenants, subscriptions] = await Promise.all([
      azure.listTenants(),
      azure.listSubscriptions(),
    ]);
    const names = new Map(tenants.map((x) => [x.tenantId, x.displayName]));
    await sendCard(
      step,
      t('explain.title'),
      [t('explain.trust'), t('explain.users'), t('explain.owners'), t('explain.billing')].join(
        '\n\n',
      ),
      [
        { title: t('explain.you'), value: plainText(account.email) },
        ...tenants.map((x) => ({ title: t('explain.directory'), value: plainText(x.displayName) })),
        ...subscriptions.map((s) => ({
          title: plainText(s.displayName),
          value: [
            t('status.trusts', {
              directory: names.get(s.tenantId) ?? s.tenantId,
              tenantId: s.tenantId,
            }),
            ...blockerOf(s).map((reason) => t(`status.cannotMove.${reason}`)),
          ].join(' · '),
        })),
      ],
    );
  }
}
