import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';

/** Checks of the Teams app package (appPackage/): manifest, localization files and icons. */

const dir = join(__dirname, '..', '..', 'appPackage');
const read = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;

/** Width, height, colour type and decoded RGBA rows of a non-interlaced 8-bit PNG. */
function png(file: string): { width: number; height: number; colorType: number; alpha: number[] } {
  const buf = readFileSync(join(dir, file));
  expect(buf.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  const colorType = buf[25]!;
  const idat: Buffer[] = [];
  for (let at = 8; at < buf.length;) {
    const length = buf.readUInt32BE(at);
    if (buf.toString('ascii', at + 4, at + 8) === 'IDAT')
      idat.push(buf.subarray(at + 8, at + 8 + length));
    at += length + 12;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const alpha: number[] = [];
  // Filter type 0 rows of RGBA pixels (how the icons are written).
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) alpha.push(raw[y * (width * 4 + 1) + 1 + x * 4 + 3]!);
  return { width, height, colorType, alpha };
}

it('has a manifest with the bot in personal, team and group chat, SSO info and valid domains', () => {
  const m = read('manifest.json') as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- manifest fields read for assertions
  expect(Number(m.manifestVersion)).toBeGreaterThanOrEqual(1.3);
  expect(m.bots[0].scopes).toEqual(['personal', 'team', 'groupChat']);
  expect(m.bots[0].commandLists[0].commands.map((c: { title: string }) => c.title)).toEqual(
    expect.arrayContaining(['link', 'status', 'my role', 'cancel', 'help']),
  );
  expect(m.validDomains).toContain('token.botframework.com');
  expect(m.webApplicationInfo.resource).toBe('api://botid-${{SSO_APP_ID}}');
});

it('has a localization file with name and description for every additional language', () => {
  const m = read('manifest.json') as {
    localizationInfo: { additionalLanguages: { languageTag: string; file: string }[] };
  };
  const tags = m.localizationInfo.additionalLanguages.map((l) => l.languageTag);
  expect(tags).toEqual(['zh-tw', 'sv-se', 'nl-nl', 'fr-fr']);
  for (const { file } of m.localizationInfo.additionalLanguages) {
    const l = read(file);
    for (const key of ['name.short', 'name.full', 'description.short', 'description.full'])
      expect(typeof l[key]).toBe('string');
    expect(String(l['name.short']).length).toBeLessThanOrEqual(30);
    expect(String(l['description.short']).length).toBeLessThanOrEqual(80);
    expect(String(l['description.full']).length).toBeLessThanOrEqual(4000);
  }
});

it('has a 192×192 colour icon and a 32×32 transparent outline icon', () => {
  const color = png('color.png');
  expect([color.width, color.height]).toEqual([192, 192]);
  const outline = png('outline.png');
  expect([outline.width, outline.height]).toEqual([32, 32]);
  expect(outline.colorType).toBe(6); // RGBA
  expect(outline.alpha).toContain(0); // transparent background
  expect(outline.alpha).toContain(255); // white glyph
});
