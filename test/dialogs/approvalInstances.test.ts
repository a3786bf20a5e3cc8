import type { Storage, StoreItems } from 'botbuilder';
import type { App } from '../../src/app';
import { IDS } from '../../src/sandbox';
import { ApprovalPolicyStore } from '../../src/state/approvalPolicies';
import { ChangeRecordStore } from '../../src/state/changeRecords';
import { viewAs } from '../helpers/cardViews';
import { DISK_BOT_TEAM, startBotOnDisk, type BotOnDisk } from '../helpers/botOnDisk';
import { actionData, personalChat, type TeamsUser } from '../helpers/teamsChannel';
import { USERS, click, linkUpToConfirm } from '../helpers/testApp';
import { until } from '../helpers/until';
import { changeBoardPolicy } from '../helpers/approvalPolicy';

/**
 * The approval wait across instances (issue 29: "survives restarts and instance loss"): two
 * tenantlink instances, A and B, on one shared store and one sandbox cloud, as two instances
 * behind Azure Bot Service share Cosmos DB. The link is confirmed on A under a policy; the
 * approver's click lands on B while A waits, or A is taken out of service while it waits and B
 * takes the job's lease over and finishes the wait. Either way the directory change is requested
 * once (one `PUT …/changeTenantRequest/default` in the sandbox's write log).
 */

const chat = personalChat(USERS.kelley);
const TEAM = DISK_BOT_TEAM;
const POLICY = changeBoardPolicy(TEAM);

let bot: BotOnDisk;
let b: App | undefined;

/**
 * The shared store as one instance reaches it: after {@link cut} every call of that instance
 * hangs, as the calls of a process that died never arrive (what was written before stays).
 */
class Reachable implements Storage {
  private cutOff = false;
  private readonly never = new Promise<never>(() => undefined);
  constructor(private readonly store: Storage) {}
  cut(): void {
    this.cutOff = true;
  }
  read(keys: string[]): Promise<StoreItems> {
    return this.cutOff ? this.never : this.store.read(keys);
  }
  write(changes: StoreItems): Promise<void> {
    return this.cutOff ? this.never : this.store.write(changes);
  }
  delete(keys: string[]): Promise<void> {
    return this.cutOff ? this.never : this.store.delete(keys);
  }
}

beforeEach(async () => {
  bot = await startBotOnDisk({
    prefix: 'tenantlink-approval-instances-',
    appOptions: { approvalPollMs: 20 },
    // No sweeps: B takes a job over only when the test says so; leases handed over at once on a
    // stop, and lost after a second (the shortest lease) when their instance is lost.
    env: { INSTANCE_ID: 'a', JOB_SWEEP_MS: '0', SHUTDOWN_GRACE_MS: '0', JOB_LEASE_MS: '1000' },
  });
});

afterEach(async () => {
  await b?.stop();
  b = undefined;
  await bot?.dispose();
});

/**
 * Sets the policy, runs the link on A (the helper's bot, or `a`) up to the confirmation and
 * confirms; returns the flow id.
 */
async function confirmOnA(a: App = bot.app): Promise<string> {
  await new ApprovalPolicyStore(bot.storage).set(IDS.tenants.contoso, POLICY, {
    id: USERS.kelley.id,
    name: USERS.kelley.name,
  });
  const h = { ...bot.harness(), app: a };
  await linkUpToConfirm(h);
  const flowId = String(actionData(bot.channel.lastCard(chat).card, 'move.confirm').flowId);
  await click(h, USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  expect((await record(flowId))?.status).toBe('awaitingApproval');
  return flowId;
}

/**
 * `user` clicks `verb` on their view of the approval card in the team channel, on whichever bot
 * the channel targets.
 */
async function answer(user: TeamsUser, verb: string): Promise<string> {
  const { id, card } = await viewAs(bot.channel, user, bot.channel.lastCard(TEAM), TEAM);
  const r = await bot.channel.invoke(user, verb, actionData(card, verb), id, TEAM);
  expect(r.status).toBe(200);
  return String(r.body?.value ?? '');
}

/** The requests to change the subscription's directory that reached the sandbox. */
const changeTenantPuts = (): number =>
  bot.sandbox
    .writeLog()
    .filter((w) => w.method === 'PUT' && /\/changeTenantRequest\/default$/i.test(w.path)).length;

/** The change record of a link, as the shared store holds it. */
const record = (flowId: string) => new ChangeRecordStore(bot.storage).get(flowId);

/** Waits until the link is verified and the running instances have nothing left running. */
async function verified(flowId: string, ...apps: App[]): Promise<void> {
  await until(async () => (await record(flowId))?.status === 'verified');
  for (const app of apps) await app.background.idle();
}

it("an approver's click on instance B ends A's wait; the change is requested once", async () => {
  const flowId = await confirmOnA();
  b = await bot.instance({ INSTANCE_ID: 'b' });
  bot.channel.retarget(`${b.server.url}/api/messages`);

  expect(await answer(USERS.megan, 'approval.approve')).toBe('Your answer was recorded.');
  await verified(flowId, bot.app, b);
  expect(changeTenantPuts()).toBe(1);
  const audit = (await record(flowId))!.audit.map((a) => a.action);
  expect(audit.filter((a) => a === 'approval:approved')).toHaveLength(1);
  expect(audit.indexOf('changeTenantRequest')).toBeGreaterThan(audit.indexOf('approval:approved'));
});

it('instance A stops while the link waits: B takes the wait over and finishes it, the change requested once', async () => {
  const flowId = await confirmOnA();
  b = await bot.instance({ INSTANCE_ID: 'b' });
  // A is taken out of service: it stops taking turns and hands its jobs' leases back.
  await bot.halt();
  bot.channel.retarget(`${b.server.url}/api/messages`);
  // B's sweep finds the approval wait without a live lease and takes it over.
  expect(await b.background.resumePending()).toHaveLength(1);

  expect(await answer(USERS.megan, 'approval.approve')).toBe('Your answer was recorded.');
  await verified(flowId, b);
  expect(changeTenantPuts()).toBe(1);
  const audit = (await record(flowId))!.audit.map((a) => a.action);
  expect(audit.filter((a) => a === 'approval:approved')).toHaveLength(1);
  expect(audit.indexOf('changeTenantRequest')).toBeGreaterThan(audit.indexOf('approval:approved'));
});

it('instance A is lost while the link waits: B takes the wait over when its lease runs out', async () => {
  // A (the helper's bot out of service) reaches the shared store through a line that can be cut.
  await bot.halt();
  const line = new Reachable(bot.storage);
  const a = await bot.instance({ INSTANCE_ID: 'a2' }, line);
  bot.channel.retarget(`${a.server.url}/api/messages`);
  const flowId = await confirmOnA(a);
  b = await bot.instance({ INSTANCE_ID: 'b' });

  // A dies: it reaches nothing any more and stops listening; its lease stays in the store.
  line.cut();
  await a.server.close();
  bot.channel.retarget(`${b.server.url}/api/messages`);
  expect(await b.background.resumePending()).toEqual([]);
  // B takes the wait over once A's lease has run out.
  await until(async () => (await b!.background.resumePending()).length === 1);

  expect(await answer(USERS.megan, 'approval.approve')).toBe('Your answer was recorded.');
  await verified(flowId, b);
  expect(changeTenantPuts()).toBe(1);
  const audit = (await record(flowId))!.audit.map((x) => x.action);
  expect(audit.filter((x) => x === 'approval:approved')).toHaveLength(1);
  expect(audit.indexOf('changeTenantRequest')).toBeGreaterThan(audit.indexOf('approval:approved'));
});
