import {
  ComponentDialog,
  WaterfallDialog,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { v4 as uuidv4 } from 'uuid';
import type { SignInKind, SignedInAccount, TokenSource } from '../auth/signIn';
import { cardAttachment, renderCard } from '../cards/render';
import { asTenantlinkError } from '../errors';
import type { Localizer } from '../i18n';
import type { CloudClients } from '../link/ports';
import { createLogger } from '../log';
import { plainText } from '../i18n/markdown';

/**
 * Small commands that read and change nothing: `status` (which directory each of your
 * subscriptions trusts, ARM /subscriptions + /tenants) and `my role` (your directory roles,
 * Graph memberOf; the seeds' "how to know your role"). Each signs the user in first when needed.
 */

/** Id of the status dialog. */
export const STATUS_DIALOG = 'statusDialog';
/** Id of the my-role dialog. */
export const MY_ROLE_DIALOG = 'myRoleDialog';

/** What both dialogs need. */
export interface AccountDialogDeps {
  readonly localizer: Localizer;
  readonly tokens: TokenSource;
  readonly clients: CloudClients;
  readonly signInDialogIds: Readonly<Record<SignInKind, string>>;
}

/**
 * A read-only command: sign in (as `kind`) if needed, then {@link show} a card. Failures end
 * the command with the catalogue message and code.
 */
export abstract class ReadOnlyCommandDialog extends ComponentDialog {
  protected readonly log = createLogger('commands');

  constructor(
    id: string,
    protected readonly deps: AccountDialogDeps,
    private readonly kind: SignInKind,
  ) {
    super(id);
    this.addDialog(
      new WaterfallDialog(`${id}.steps`, [this.ensureSignIn.bind(this), this.run.bind(this)]),
    );
    this.initialDialogId = `${id}.steps`;
  }

  private async ensureSignIn(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const from = step.context.activity.from;
    const account = await this.deps.tokens.account(from.id, this.kind);
    if (account) return step.next(account);
    return step.beginDialog(this.deps.signInDialogIds[this.kind], {
      flowId: uuidv4(),
      initiatorId: from.id,
      initiatorName: from.name ?? from.id,
    });
  }

  private async run(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const account = step.result as SignedInAccount | undefined;
    if (!account) return step.endDialog();
    const locale = step.context.activity.locale;
    try {
      await this.show(step, account);
    } catch (err) {
      const e = asTenantlinkError(err);
      this.log.warn({ code: e.code, err: e }, `${this.id} failed`);
      await step.context.sendActivity(
        `${this.deps.localizer.t(locale, e.def.messageKey, e.params)} (${e.code})`,
      );
    }
    return step.endDialog();
  }

  protected abstract show(step: WaterfallStepContext, account: SignedInAccount): Promise<void>;
}

/** `status`: every subscription the Azure account sees and the directory it trusts. */
export class StatusDialog extends ReadOnlyCommandDialog {
  constructor(deps: AccountDialogDeps) {
    super(STATUS_DIALOG, deps, 'azure');
  }

  protected async show(step: WaterfallStepContext, account: SignedInAccount): Promise<void> {
    const t = (k: string, p?: Record<string, string | number>): string =>
      this.deps.localizer.t(step.context.activity.locale, k, p);
    const azure = this.deps.clients.azure(
      this.deps.tokens.credential(step.context.activity.from.id, 'azure', 'arm'),
    );
    const [subscriptions, tenants] = await Promise.all([
      azure.listSubscriptions(),
      azure.listTenants(),
    ]);
    const names = new Map(tenants.map((x) => [x.tenantId, x.displayName]));
    const card = renderCard('outcome', {
      title: t('status.title', { email: account.email }),
      text: subscriptions.length
        ? t('status.text', { count: subscriptions.length })
        : t('status.none'),
      color: 'Default',
      facts: subscriptions.map((s) => ({
        title: plainText(s.displayName),
        value: t('status.trusts', {
          directory: names.get(s.tenantId) ?? s.tenantId,
          tenantId: s.tenantId,
        }),
      })),
    });
    await step.context.sendActivity({ attachments: [cardAttachment(card)] });
  }
}

/** `my role`: the signed-in Office 365 user's directory roles. */
export class MyRoleDialog extends ReadOnlyCommandDialog {
  constructor(deps: AccountDialogDeps) {
    super(MY_ROLE_DIALOG, deps, 'office365');
  }

  protected async show(step: WaterfallStepContext, account: SignedInAccount): Promise<void> {
    const t = (k: string, p?: Record<string, string | number>): string =>
      this.deps.localizer.t(step.context.activity.locale, k, p);
    const directory = this.deps.clients.directory(
      this.deps.tokens.credential(step.context.activity.from.id, 'office365', 'graph'),
    );
    const [roles, org] = await Promise.all([
      directory.myDirectoryRoles(),
      directory.organization(),
    ]);
    const card = renderCard('outcome', {
      title: t('myRole.title', { name: account.displayName, directory: org.displayName }),
      text: roles.length ? t('myRole.text', { count: roles.length }) : t('myRole.none'),
      color: 'Default',
      facts: roles.map((r) => ({ title: plainText(r.displayName), value: r.roleTemplateId })),
    });
    await step.context.sendActivity({ attachments: [cardAttachment(card)] });
  }
}
