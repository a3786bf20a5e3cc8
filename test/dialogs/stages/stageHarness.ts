import { ActivityTypes, type Activity, type ChannelAccount, type Middleware } from 'botbuilder';
import {
  ComponentDialog,
  Dialog,
  DialogTurnStatus,
  WaterfallDialog,
  type DialogContext,
  type DialogTurnResult,
} from 'botbuilder-dialogs';
import { DialogTestClient } from 'botbuilder-testing';
import type { SignedInAccount } from '../../../src/auth/signIn';
import type { AdaptiveCardJson } from '../../../src/cards/render';
import type { Organization } from '../../../src/domain/model';
import { errorToJson } from '../../../src/errors';
import { Localizer } from '../../../src/i18n';
import type { LinkProcedure } from '../../../src/link/procedure';
import type { StageEnd } from '../../../src/link/stages';
import { markInternalEvent } from '../../../src/dialogs/internalEvents';
import type { StagePorts } from '../../../src/dialogs/link/linkStageDialog';
import {
  BACKGROUND_DONE_EVENT,
  type BackgroundRunner,
} from '../../../src/dialogs/waitForBackground';

/**
 * One stage dialog of the link (src/dialogs/link/) on botbuilder-testing's DialogTestClient (a
 * TestAdapter on the Teams channel with the conversation state saved after each turn), with fake
 * ports: begins the stage with its options, clicks its cards as the initiator or anyone else,
 * finishes its background jobs, and keeps what it sent and how it ended.
 */

/** The Teams user of the tests (TestAdapter's default sender). */
export const USER = { id: 'user1', name: 'User1' };

/** The Office 365 admin, the Azure admin and the organization of the tests. */
export const OFFICE365: SignedInAccount = {
  kind: 'office365',
  displayName: 'Kelley Wall',
  email: 'kelley@contoso.com',
  tenantId: 'contoso',
  objectId: 'kelley-o365',
  identityProvider: undefined,
};
export const AZURE: SignedInAccount = {
  ...OFFICE365,
  kind: 'azure',
  tenantId: 'default',
  objectId: 'kelley-msa',
  identityProvider: 'live.com',
};
export const ORG: Organization = {
  tenantId: 'contoso',
  displayName: 'Contoso',
  defaultDomain: 'contoso.com',
  verifiedDomains: ['contoso.com'],
};

const localizer = new Localizer();

/** A dialog that ends at once with `result` (a sign-in's account, the guided path's answer). */
export class EndsWith<T> extends Dialog {
  constructor(
    id: string,
    private readonly result: T,
  ) {
    super(id);
  }
  override beginDialog(dc: DialogContext): Promise<DialogTurnResult> {
    return dc.endDialog(this.result);
  }
}

/** A sign-in dialog that ends at once with `account` (or nothing: cancelled). */
export class FakeSignIn extends EndsWith<SignedInAccount | undefined> {}

/**
 * A background runner that runs a job at once and reports it when the test says so
 * ({@link StageHarness.finishJob}). Quiet: a job that fails is kept for the report, and a test
 * that ends before reporting it fails alone (no unhandled rejection to crash the worker).
 */
export class FakeBackground implements BackgroundRunner {
  readonly jobs = new Map<string, Promise<unknown>>();
  start(_owner: unknown, waitId: string, work: (progress: () => void) => Promise<unknown>): void {
    if (this.jobs.has(waitId)) return;
    const job = work(() => undefined);
    job.catch(() => undefined);
    this.jobs.set(waitId, job);
  }
  isRunning(waitId: string): boolean {
    return this.jobs.has(waitId);
  }
}

/** The base ports of every stage, with the change record's statuses and the unlocks kept. */
export function basePorts(): StagePorts & {
  readonly statuses: string[];
  readonly unlocked: string[];
} {
  const statuses: string[] = [];
  const unlocked: string[] = [];
  const procedure: Pick<LinkProcedure, 'setStatus' | 'unlock'> = {
    setStatus: async (_flowId, status) => void statuses.push(status),
    unlock: async ({ subscriptionId }) => void unlocked.push(subscriptionId),
  };
  return { localizer, procedure, tokens: { signOut: async () => undefined }, statuses, unlocked };
}

/** Id of the dialog that hosts the stage under test. */
const HOST = 'stageHost';

/**
 * The stage beside the dialogs it begins (a sign-in, the guided path), as one dialog for the test
 * client: begins the stage with the host's options and ends with the stage's result.
 */
class StageHost extends ComponentDialog {
  constructor(stage: Dialog, beside: readonly Dialog[]) {
    super(HOST);
    this.addDialog(stage);
    for (const d of beside) this.addDialog(d);
    this.addDialog(
      new WaterfallDialog(`${HOST}.steps`, [
        (step) => step.beginDialog(stage.id, step.options),
        (step) => step.endDialog(step.result),
      ]),
    );
    this.initialDialogId = `${HOST}.steps`;
  }
}

/** The stage under test. */
export class StageHarness<In extends object> {
  readonly sent: Partial<Activity>[] = [];
  /** How the stage ended (undefined while it runs). */
  ended: StageEnd<unknown> | undefined;
  private client: DialogTestClient | undefined;
  /** Keeps what the stage sends; marks the background's report as the runner does. */
  private readonly middleware: Middleware = {
    onTurn: async (context, next) => {
      context.onSendActivities(async (_c, activities, send) => {
        this.sent.push(...activities);
        return send();
      });
      if (context.activity.name === BACKGROUND_DONE_EVENT) markInternalEvent(context);
      await next();
    },
  };

  constructor(
    private readonly stage: Dialog,
    private readonly background = new FakeBackground(),
    private readonly beside: readonly Dialog[] = [],
  ) {}

  /** Begins the stage with its options. */
  async begin(options: In): Promise<void> {
    const host = new StageHost(this.stage, this.beside);
    this.client = new DialogTestClient('msteams', host, options, [this.middleware]);
    await this.send('go');
  }

  /** The last card the stage sent or answered a click with. */
  lastCard(): AdaptiveCardJson {
    for (const a of [...this.sent].reverse()) {
      const card = a.attachments?.[0]?.content as AdaptiveCardJson | undefined;
      if (card) return card;
      const answered = (a.value as { body?: { value?: AdaptiveCardJson } } | undefined)?.body;
      if (a.type === 'invokeResponse' && answered?.value) return answered.value;
    }
    throw new Error('no card sent');
  }

  /** The texts the stage sent. */
  texts(): string[] {
    return this.sent.filter((a) => typeof a.text === 'string').map((a) => a.text ?? '');
  }

  /** Every acknowledgement toggle (`ack_<kind>`) of the last card, checked. */
  acknowledged(): Record<string, string> {
    const ids = JSON.stringify(this.lastCard()).match(/"id":"ack_[A-Za-z]+"/g) ?? [];
    return Object.fromEntries(ids.map((m) => [m.slice(6, -1), 'true']));
  }

  /** Clicks the `verb` button of the last card that has one, with `inputs`, as the initiator. */
  click(verb: string, inputs: Record<string, string> = {}): Promise<void> {
    return this.clickAs(USER, verb, inputs);
  }

  /** Clicks the `verb` button of the last card that has one, with `inputs`, as `user`. */
  async clickAs(
    user: ChannelAccount,
    verb: string,
    inputs: Record<string, string> = {},
  ): Promise<void> {
    const data = this.actionData(verb);
    await this.send({
      type: ActivityTypes.Invoke,
      name: 'adaptiveCard/action',
      from: user,
      value: { action: { type: 'Action.Execute', verb, data: { ...data, ...inputs } } },
    });
  }

  /** Reports the stage's running job (its result, or the error it threw) as the runner would. */
  async finishJob(): Promise<void> {
    const [waitId, job] = [...this.background.jobs].at(-1) ?? [];
    if (!waitId || !job) throw new Error('no job');
    this.background.jobs.delete(waitId);
    const value = await job.then(
      (v) => ({ waitId, ok: true, value: v }),
      (err: unknown) => ({ waitId, ok: false, error: errorToJson(err) }),
    );
    await this.send({ type: ActivityTypes.Event, name: BACKGROUND_DONE_EVENT, value });
  }

  /** One turn of the test client; keeps how the stage ended when it did. */
  private async send(activity: Partial<Activity> | string): Promise<void> {
    if (!this.client) throw new Error('begin the stage first');
    await this.client.sendActivity(activity);
    const result: DialogTurnResult | undefined = this.client.dialogTurnResult;
    if (result?.status === DialogTurnStatus.complete)
      this.ended = result.result as StageEnd<unknown>;
  }

  private actionData(verb: string): Record<string, unknown> {
    for (const a of [...this.sent].reverse()) {
      const found: Record<string, unknown>[] = [];
      const walk = (n: unknown): void => {
        if (Array.isArray(n)) n.forEach(walk);
        else if (n && typeof n === 'object') {
          const o = n as Record<string, unknown>;
          if (o.type === 'Action.Execute' && o.verb === verb)
            found.push(o.data as Record<string, unknown>);
          Object.values(o).forEach(walk);
        }
      };
      walk(a.attachments ?? []);
      walk(a.value);
      if (found[0]) return found[0];
    }
    throw new Error(`no ${verb} button`);
  }
}
