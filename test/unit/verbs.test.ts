import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { VERB, VERBS, fitsVerb, standingHandler, type Verb } from '../../src/dialogs/verbs';

/**
 * The card verbs are declared once (src/dialogs/verbs.ts): the card templates under cards/ use
 * exactly the table's verbs, and no other TypeScript file under src/ spells one.
 */

const ROOT = join(__dirname, '..', '..');

/** Every `"verb"` of an Action.Execute in cards/*.json. */
function templateVerbs(): Set<string> {
  const verbs = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.type === 'Action.Execute' && typeof o.verb === 'string') verbs.add(o.verb);
      Object.values(o).forEach(walk);
    }
  };
  for (const f of readdirSync(join(ROOT, 'cards')).filter((n) => n.endsWith('.json')))
    walk(JSON.parse(readFileSync(join(ROOT, 'cards', f), 'utf8')));
  return verbs;
}

/** Every .ts file under src/. */
function sources(dir = join(ROOT, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

it('has every verb of the card templates in the table, and every verb of the table in a card', () => {
  const inCards = templateVerbs();
  const table = Object.keys(VERBS);
  expect([...inCards].filter((v) => !table.includes(v))).toEqual([]);
  // The refresh is the one verb no template spells: userSpecificViews.ts adds it to a shared card.
  expect(table.filter((v) => !inCards.has(v))).toEqual([VERB.refresh]);
  expect(Object.values(VERB).sort()).toEqual([...table].sort());
});

it('spells each verb in one TypeScript file: the table', () => {
  const quoted = Object.keys(VERBS).map((v) => `'${v}'`);
  const spelled = sources().flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .map((line, i) => ({ file, line, at: i + 1 }))
      .filter(({ line }) => quoted.some((q) => line.includes(q))),
  );
  const outside = spelled.filter(
    ({ file, line }) =>
      !file.endsWith(join('src', 'dialogs', 'verbs.ts')) &&
      // Trace names of the link's steps (test/telemetry) that read like a verb are not verbs.
      !/inLinkStep\(flow, '|^\s*\['[a-z.]+', \(step, flow\)/.test(line),
  );
  expect(outside.map(({ file, at, line }) => `${file}:${at}: ${line.trim()}`)).toEqual([]);
  expect(spelled.length).toBeGreaterThanOrEqual(quoted.length);
});

it.each<[Verb, 'checklist' | undefined]>([
  [VERB.fixKeyVaults, 'checklist'],
  [VERB.checklistLater, 'checklist'],
  [VERB.confirmMove, undefined],
  [VERB.refresh, undefined],
])('routes %s to its standing handler (%s)', (verb, handler) => {
  expect(standingHandler(verb)).toBe(handler);
});

it('reads a click through its verb schema', () => {
  expect(fitsVerb(VERB.confirmMove, { typedName: 'Pay-As-You-Go' })).toBe(true);
  expect(fitsVerb(VERB.confirmMove, {})).toBe(false);
  expect(standingHandler('not.a.verb')).toBeUndefined();
});
