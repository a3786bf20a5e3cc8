import { MemoryStorage } from 'botbuilder';
import { createAdapter } from '../../src/bot/adapter';
import { ProactiveChannelNotifier } from '../../src/bot/channelNotifier';
import { loadConfig } from '../../src/config';
import { ConversationReferenceStore } from '../../src/state/conversationReferences';
import { CaseTable } from '../helpers/caseTable';
import { TENANT_ID, TeamsChannel } from '../helpers/teamsChannel';

/**
 * Proactive sends to a team channel through the real CloudAdapter and Bot Connector client: a
 * burst stays within Teams' per-conversation limit (7 messages per second,
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit), and a 429 from
 * the connector is retried after its Retry-After, so nothing is lost.
 */

const TEAM = '19:burst@thread.tacv2';
const table = new CaseTable('Proactive sends to one channel');
let channel: TeamsChannel;
let notifier: ProactiveChannelNotifier;

beforeAll(async () => {
  channel = new TeamsChannel('http://127.0.0.1:9/unused');
  await channel.start();
  const references = new ConversationReferenceStore(new MemoryStorage());
  await references.save({
    teamId: TEAM,
    teamName: 'Burst',
    tenantId: TENANT_ID,
    savedAt: new Date().toISOString(),
    reference: {
      channelId: 'msteams',
      serviceUrl: channel.connectorUrl,
      conversation: { id: TEAM, isGroup: true, conversationType: 'channel', name: '' },
      bot: { id: '28:tenantlink-bot', name: 'tenantlink' },
    },
  });
  const adapter = createAdapter(loadConfig({ TENANTLINK_MODE: 'local' }));
  notifier = new ProactiveChannelNotifier(adapter, '', references);
});
afterAll(async () => channel?.stop());

const card = (n: number) => ({
  type: 'AdaptiveCard',
  version: '1.5',
  body: [{ type: 'TextBlock', text: `link ${n} complete` }],
});

it('spreads a burst of 20 notifications to one channel to at most 7 per second', async () => {
  const sent = await Promise.all(
    Array.from({ length: 20 }, (_, n) => notifier.notify(TENANT_ID, card(n))),
  );
  expect(sent).toEqual(Array(20).fill(1));
  const times = channel.activities(TEAM).map((a) => a.at!);
  expect(times).toHaveLength(20);
  let worst = 0;
  for (let i = 0; i < times.length; i++) {
    const inWindow = times.filter((t) => t >= times[i]! && t < times[i]! + 1000).length;
    worst = Math.max(worst, inWindow);
  }
  table.record(
    '20 notifications at once',
    '≤ 7 in any 1 s, all delivered',
    `${worst} in 1 s, ${times.length} delivered`,
  );
  expect(worst).toBeLessThanOrEqual(7);
});

it('retries a 429 from the connector after Retry-After and delivers once', async () => {
  const before = channel.activities(TEAM).length;
  channel.throttle.set(TEAM, 2);
  const started = Date.now();
  const sent = await notifier.notify(TENANT_ID, card(99));
  const waited = Date.now() - started;
  table.record(
    'connector answers 429 twice',
    'retried, delivered once',
    `${sent} delivered after ${channel.throttled.get(TEAM)} × 429`,
  );
  expect(sent).toBe(1);
  expect(channel.throttled.get(TEAM)).toBe(2);
  expect(channel.activities(TEAM).length).toBe(before + 1);
  expect(waited).toBeGreaterThanOrEqual(1900); // Retry-After: 1 s, twice
});
