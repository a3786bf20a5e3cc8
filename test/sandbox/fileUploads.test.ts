import { Agent, request } from 'undici';
import { startSandboxCloud, type SandboxCloud } from '../../src/sandbox';

/**
 * The sandbox's OneDrive upload session (src/sandbox/fileUploads.ts) over HTTPS, as "Upload large
 * files with an upload session" describes it
 * (https://learn.microsoft.com/graph/api/driveitem-createuploadsession): fragments in order with
 * Content-Range, 202 with nextExpectedRanges, 201 with the driveItem, no Authorization header.
 */

let sandbox: SandboxCloud;
let agent: Agent;

beforeAll(async () => {
  sandbox = await startSandboxCloud();
  agent = new Agent({ connect: { ca: sandbox.caCertificatePem } });
});
afterAll(async () => {
  await agent.close();
  await sandbox.stop();
});

async function put(url: string, body: Buffer, range: string, headers: Record<string, string> = {}) {
  const res = await request(url, {
    method: 'PUT',
    headers: { 'content-length': String(body.length), 'content-range': range, ...headers },
    body,
    dispatcher: agent,
  });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

it('takes the file in ordered fragments: 202 with the next range, then 201 with the driveItem', async () => {
  const session = sandbox.fileUploads.createSession('audit.csv');
  expect(session.uploadUrl).toMatch(/^https:\/\//);
  const file = Buffer.from('a,b\r\n1,2\r\n');
  const first = await put(session.uploadUrl, file.subarray(0, 4), `bytes 0-3/${file.length}`);
  expect(first).toMatchObject({ status: 202, body: { nextExpectedRanges: ['4-'] } });
  // A fragment out of order is refused.
  const gap = await put(
    session.uploadUrl,
    file.subarray(6),
    `bytes 6-${file.length - 1}/${file.length}`,
  );
  expect(gap.status).toBe(416);
  const rest = await put(
    session.uploadUrl,
    file.subarray(4),
    `bytes 4-${file.length - 1}/${file.length}`,
  );
  expect(rest).toMatchObject({
    status: 201,
    body: {
      id: session.uniqueId,
      name: 'audit.csv',
      size: file.length,
      file: { mimeType: 'text/csv' },
    },
  });
  const done = sandbox.fileUploads.uploaded().at(-1)!;
  expect(done.content.equals(file)).toBe(true);
  expect(done.fragments).toBe(2);
  // The session is over.
  expect(
    (await put(session.uploadUrl, file, `bytes 0-${file.length - 1}/${file.length}`)).status,
  ).toBe(404);
});

it('refuses an Authorization header, a missing range and a body that differs from its range', async () => {
  const session = sandbox.fileUploads.createSession('x.csv');
  const file = Buffer.from('x\r\n');
  const whole = `bytes 0-${file.length - 1}/${file.length}`;
  expect((await put(session.uploadUrl, file, whole, { authorization: 'Bearer x' })).status).toBe(
    401,
  );
  expect((await put(session.uploadUrl, file, '')).status).toBe(400);
  expect((await put(session.uploadUrl, file, `bytes 0-9/10`)).status).toBe(400);
  expect((await put(session.uploadUrl, file, whole)).status).toBe(201);
});
