import { startApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { FAKE_CLOUD, rawActivity, serveBareBot } from '../helpers/bareBot';

/**
 * Outside local mode /api/messages refuses a request without a Bot Framework JWT with 401 and
 * runs no turn; in local mode (no credentials) the same request is processed.
 */

const activity = JSON.stringify(rawActivity());

const serve = (env: Record<string, string>) => serveBareBot(env);

it('answers 401 and runs no turn without a Bot Framework token in cloud mode', async () => {
  const { server, turns } = await serve({ ...FAKE_CLOUD });
  try {
    const res = await fetch(`${server.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: activity,
    });
    expect(res.status).toBe(401);
    expect(turns()).toBe(0);
  } finally {
    await server.close();
  }
});

it('processes the same request in local mode (no credentials)', async () => {
  const { server, turns } = await serve({ TENANTLINK_MODE: 'local' });
  try {
    const res = await fetch(`${server.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: activity,
    });
    expect(res.status).toBeLessThan(300);
    expect(turns()).toBe(1);
  } finally {
    await server.close();
  }
});

it('starts the whole app in cloud mode (no sandbox) and refuses an unsigned or forged request there', async () => {
  const app = await startApp(
    loadConfig({
      MicrosoftAppId: '0d8f4c5e-2b7a-4e1c-8f3d-5a6b7c8d9e0f',
      MicrosoftAppPassword: 'not-a-real-secret',
      MicrosoftAppTenantId: '11111111-2222-3333-4444-555555555555',
      PORT: '0',
      HOST: '127.0.0.1',
      STORAGE: 'memory',
    }),
  );
  try {
    expect(app.config.mode).toBe('cloud');
    expect(app.sandbox).toBeUndefined();
    const health = await fetch(`${app.server.url}/healthz`);
    expect(health.status).toBe(200);
    for (const authorization of [undefined, 'Bearer not.a.jwt']) {
      const res = await fetch(`${app.server.url}/api/messages`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(authorization ? { authorization } : {}),
        },
        body: activity,
      });
      expect(res.status).toBe(401);
    }
    expect(await app.references.list('11111111-2222-3333-4444-555555555555')).toEqual([]);
  } finally {
    await app.stop();
  }
});
