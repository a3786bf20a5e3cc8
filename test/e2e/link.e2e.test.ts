import { startApp, type App } from '../../src/app';
import { startAgentsPlayground, type AgentsPlayground } from '../../src/dev/agentsPlayground';
import { BUILT_IN_ROLES } from '../../src/domain/roles';
import { testLogging } from '../helpers/logging';
import { localTestConfig } from '../helpers/testApp';
import { configureLogging, createLogger } from '../../src/log';
import { IDS, startSandboxCloud, type SandboxCloud, type SandboxSnapshot } from '../../src/sandbox';
import { SandboxHttp } from '../helpers/sandboxHttp';
import { acknowledged, actionData, cardText } from '../helpers/teamsChannel';
import { freePort } from '../helpers/freePort';
import { PlaygroundDriver, type StreamMessage } from './playgroundDriver';

/**
 * End to end: the sandbox cloud, tenantlink and the Microsoft 365 Agents Playground (a Teams
 * client this project does not write), driven through the playground's HTTP API as Kelley Wall
 * would click through it, with the bot installed in the mock team "Contoso IT".
 */

jest.setTimeout(120_000);

let sandbox: SandboxCloud;
let app: App;
let playground: AgentsPlayground;
let driver: PlaygroundDriver;

beforeAll(async () => {
  configureLogging(testLogging());
  sandbox = await startSandboxCloud();
  app = await startApp(localTestConfig({ STORAGE: 'memory' }), { sandbox });
  playground = await startAgentsPlayground({
    botEndpoint: `${app.server.url}/api/messages`,
    port: await freePort(),
    logger: createLogger('playground'),
  });
  driver = new PlaygroundDriver(playground.url.replace('localhost', '127.0.0.1'));
  await driver.connect();
});

afterAll(async () => {
  driver?.close();
  await playground?.stop();
  await app?.stop();
  await sandbox?.stop();
});

it('links Pay-As-You-Go to Contoso through the Agents Playground and tells the team channel', async () => {
  const world = await driver.config();
  const me = world.currentUser.id as string;
  const chat = world.personalChat.id as string;
  const team = world.teams[0];
  expect(world.tenantId).toBe(IDS.tenants.contoso);
  expect(world.currentUser.aadObjectId).toBe(IDS.users.kelleyContoso);

  await driver.install(team.id);

  /** Clicks `verb` on the newest card that has it, after message index `from`. */
  let seen = 0;
  const cardWith = async (verb: string): Promise<StreamMessage> => {
    const m = await driver.waitFor(
      (x) => x.conversationId === chat && JSON.stringify(x.card ?? {}).includes(`"${verb}"`),
      seen,
    );
    seen = driver.all().indexOf(m) + 1;
    return m;
  };
  const click = async (verb: string, inputs: Record<string, string> = {}) => {
    const m = await cardWith(verb);
    const response = await driver.invoke(chat, me, m.messageId, verb, {
      ...actionData(m.card, verb),
      ...(verb === 'impact.continue' ? acknowledged(m.card) : {}),
      ...inputs,
    });
    // The card is updated in place with the invoke response's card.
    expect(response.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardText(response.value)).not.toMatch(/already answered|TL-/);
    return response;
  };

  await driver.say(chat, me, 'link');
  await click('link.start');
  await click('signin.select', { choice: `kelley-work|${IDS.tenants.contoso}` });
  await click('signin.select', { choice: `kelley-msa|${IDS.tenants.defaultDirectory}` });
  await click('subscription.choose', { subscriptionId: IDS.subscriptions.payAsYouGo });
  await click('impact.continue');
  await click('move.confirm', { typedName: 'Pay-As-You-Go' });
  await click('access.grant', {
    principalIds: `${IDS.users.janeContoso},${IDS.users.triciaContoso}`,
    role: 'Reader',
  });

  // The team's General channel (its id is the team id) hears about it.
  const notice = await driver.waitFor((m) => m.conversationId === team.id && !!m.card);
  expect(cardText(notice.card)).toMatch(/Office 365 and Azure are linked/);
  expect(cardText(notice.card)).toContain('Pay-As-You-Go');
  await driver.waitFor((m) => m.conversationId === chat && /^Done:/.test(m.text ?? ''));

  // The world as GET /_sandbox/state reports it.
  const http = new SandboxHttp(sandbox);
  const state = (await http.call('GET', '/_sandbox/state')).body as SandboxSnapshot;
  await http.close();
  const sub = state.subscriptions.find((s) => s.subscriptionId === IDS.subscriptions.payAsYouGo)!;
  expect(sub.tenantId).toBe(IDS.tenants.contoso);
  const scope = `/subscriptions/${IDS.subscriptions.payAsYouGo}`;
  for (const principalId of [IDS.users.janeContoso, IDS.users.triciaContoso]) {
    expect(sub.roleAssignments).toContainEqual(
      expect.objectContaining({ principalId, roleDefinitionId: BUILT_IN_ROLES.Reader, scope }),
    );
  }
  expect(sub.roleAssignments.some((a) => a.principalId === IDS.users.samMsaInDefault)).toBe(false);
});
