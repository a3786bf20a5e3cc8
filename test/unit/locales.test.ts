import { INVENTORY_KINDS } from '../../src/domain/inventory';
import type { ChangeStatus } from '../../src/state/changeRecords';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';
import type { SignInKind } from '../../src/auth/signIn';
import { GRANTABLE_ROLES } from '../../src/domain/roles';
import type { RuleId } from '../../src/domain/rules';
import { DIRECTORY_CHANGE_BLOCKERS } from '../../src/domain/eligibility';
import { ERRORS } from '../../src/errors';
import { AT_REST_ANSWERS } from '../../src/dialogs/rootDialog';
import { DEFAULT_LOCALE, Localizer } from '../../src/i18n';
import type { GrantResult } from '../../src/link/access';

/**
 * Every message key the code uses exists in locales/en-US.json, every message there parses as ICU
 * MessageFormat and formats, and no key is left unused. Keys are found by reading src/ for the
 * localizer's call patterns: `localizer.t(locale, 'key', …)`, the local helpers `t('key', …)`,
 * `cards.t(cond ? 'a' : 'b')`, arrays of keys mapped through `t(k)`, and template-literal keys
 * (`rule.${r.rule}.title`), which are expanded from the unions they are built from.
 */

const ROOT = join(__dirname, '..', '..');
const LOCALES_DIR = join(ROOT, 'locales');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

const sources = sourceFiles(join(ROOT, 'src')).map((file) => ({
  file: relative(ROOT, file),
  text: readFileSync(file, 'utf8'),
}));

const catalog = JSON.parse(
  readFileSync(join(LOCALES_DIR, `${DEFAULT_LOCALE}.json`), 'utf8'),
) as Record<string, string>;

/** `t(` optionally preceded by a locale argument such as `locale, ` or `this.locale, `. */
const CALL = String.raw`\bt\(\s*(?:[\w.]+\s*,\s*)?`;
const LITERAL_CALL = new RegExp(`${CALL}'([^'\\n]+)'`, 'g');
const TERNARY_CALL = /\bt\(\s*[^,()'`]+\?\s*'([^']+)'\s*:\s*'([^']+)'/g;
const TEMPLATE_CALL = new RegExp(`${CALL}\`([^\`\\n]+)\``, 'g');
const KEY_ARRAY =
  /\[((?:\s*'[\w.]+',?)+)\s*\]\.map\(\s*\(?(\w+)\)?\s*=>\s*(?:this\.)?t\(\s*\2\s*\)/g;

const RULES: Record<RuleId, true> = { R1: true, R2: true, R3: true, R4: true, R5: true };
const SIGN_IN_KINDS: Record<SignInKind, true> = { office365: true, azure: true };
const OUTCOMES: Record<GrantResult['outcome'], true> = {
  granted: true,
  existing: true,
  failed: true,
};
const ruleIds = Object.keys(RULES);
const CHANGE_STATUSES: Record<ChangeStatus, true> = {
  requested: true,
  impactReviewed: true,
  confirmed: true,
  awaitingApproval: true,
  approved: true,
  rejected: true,
  expired: true,
  moveRequested: true,
  guided: true,
  moveAccepted: true,
  verified: true,
  accessGranted: true,
  notified: true,
  cancelled: true,
  blocked: true,
  failed: true,
};

/** Every template-literal key of src/, with the keys it can produce. */
const DYNAMIC_KEYS: Record<string, string[]> = {
  'signIn.${this.kind}.title': Object.keys(SIGN_IN_KINDS).map((k) => `signIn.${k}.title`),
  'signIn.${this.kind}.text': Object.keys(SIGN_IN_KINDS).map((k) => `signIn.${k}.text`),
  'signIn.${kind}.${resource}': Object.keys(SIGN_IN_KINDS).flatMap((k) =>
    ['graph', 'arm'].map((r) => `signIn.${k}.${r}`),
  ),
  'impact.restore.skip.${reason}': ['group', 'servicePrincipal', 'noEmail', 'other'].map(
    (r) => `impact.restore.skip.${r}`,
  ),
  "restore.reason.${r.reason ?? 'other'}": [
    'group',
    'servicePrincipal',
    'noEmail',
    'other',
    'notChosen',
  ].map((r) => `restore.reason.${r}`),
  'restore.outcome.${r.outcome}': ['restored', 'invitedRestored', 'existing'].map(
    (o) => `restore.outcome.${o}`,
  ),
  'choose.cannotMove.${reason}': DIRECTORY_CHANGE_BLOCKERS.map((r) => `choose.cannotMove.${r}`),
  'status.cannotMove.${reason}': DIRECTORY_CHANGE_BLOCKERS.map((r) => `status.cannotMove.${r}`),
  'rule.${r.rule}.title': ruleIds.map((r) => `rule.${r}.title`),
  "rule.${r.rule}.${r.passed ? 'pass' : 'fail'}": ruleIds.flatMap((r) => [
    `rule.${r}.pass`,
    `rule.${r}.fail`,
  ]),
  'rule.${r.rule}.fix': ruleIds.map((r) => `rule.${r}.fix`),
  'role.${r}': GRANTABLE_ROLES.map((r) => `role.${r}`),
  'role.${role}': GRANTABLE_ROLES.map((r) => `role.${r}`),
  'role.${g.role}': GRANTABLE_ROLES.map((r) => `role.${r}`),
  'test.${g.outcome}': Object.keys(OUTCOMES).map((o) => `test.${o}`),
  'principalType.${type}': ['User', 'Group', 'ServicePrincipal'].map((t) => `principalType.${t}`),
  'history.status.${r.status}': Object.keys(CHANGE_STATUSES).map((x) => `history.status.${x}`),
  "history.reason.${fate.reason ?? 'other'}": [
    'group',
    'servicePrincipal',
    'noEmail',
    'other',
    'notChosen',
  ].map((r) => `history.reason.${r}`),
  'history.fate.${fate.kind}': ['givenBack', 'notCarried', 'failed', 'removed'].map(
    (k) => `history.fate.${k}`,
  ),
  'history.outcome.${e.outcome}': ['ok', 'refused', 'failed'].map((o) => `history.outcome.${o}`),
  'inventory.kind.${g.kind}': INVENTORY_KINDS.map((k) => `inventory.kind.${k}`),
  'inventory.action.${g.kind}': INVENTORY_KINDS.map((k) => `inventory.action.${k}`),
};

interface Use {
  readonly key: string;
  readonly file: string;
}

function matches(re: RegExp, text: string): RegExpExecArray[] {
  return [...text.matchAll(re)];
}

const literalUses: Use[] = sources.flatMap(({ file, text }) => [
  ...matches(LITERAL_CALL, text).map((m) => ({ key: m[1]!, file })),
  ...matches(TERNARY_CALL, text).flatMap((m) => [
    { key: m[1]!, file },
    { key: m[2]!, file },
  ]),
  ...matches(KEY_ARRAY, text).flatMap((m) =>
    [...m[1]!.matchAll(/'([\w.]+)'/g)].map((k) => ({ key: k[1]!, file })),
  ),
]);

const templateUses = sources.flatMap(({ file, text }) =>
  matches(TEMPLATE_CALL, text).map((m) => ({ pattern: m[1]!, file })),
);

const errorKeys = Object.values(ERRORS).map((d) => d.messageKey);
/** Keys kept in a table of their own: the answers at rest of the root dialog. */
const tableKeys = Object.values(AT_REST_ANSWERS).filter((k): k is string => k !== undefined);

const usedKeys = new Set([
  ...literalUses.map((u) => u.key),
  ...templateUses.flatMap((u) => DYNAMIC_KEYS[u.pattern] ?? []),
  ...errorKeys,
  ...tableKeys,
]);

describe('message keys used by src/', () => {
  it('finds the localizer calls (the scan itself works)', () => {
    expect(literalUses.length).toBeGreaterThan(80);
    expect(literalUses.map((u) => u.key)).toEqual(
      expect.arrayContaining(['welcome.title', 'welcome.step5', 'done.noChannel', 'help.text']),
    );
    expect(templateUses.length).toBeGreaterThan(5);
  });

  it('knows how to expand every template-literal key', () => {
    const unknown = templateUses.filter((u) => !(u.pattern in DYNAMIC_KEYS));
    expect(unknown).toEqual([]);
  });

  it('has every literal key in en-US.json', () => {
    const missing = literalUses.filter((u) => !(u.key in catalog));
    expect(missing).toEqual([]);
  });

  it.each(Object.entries(DYNAMIC_KEYS))('has every key of `%s` in en-US.json', (_p, keys) => {
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((k) => !(k in catalog))).toEqual([]);
  });

  it.each(Object.entries(ERRORS))('has the message key of error %s in en-US.json', (_n, def) => {
    expect(catalog).toHaveProperty([def.messageKey]);
  });

  it('has every answer at rest in en-US.json', () => {
    expect(tableKeys.length).toBeGreaterThan(0);
    expect(tableKeys.filter((k) => !(k in catalog))).toEqual([]);
  });

  it('leaves no key of en-US.json unused', () => {
    const unused = Object.keys(catalog).filter((k) => !usedKeys.has(k));
    expect(unused).toEqual([]);
  });
});

type Ast = ReturnType<IntlMessageFormat['getAst']>;

/** Element types of @formatjs/icu-messageformat-parser's AST (its `TYPE` enum). */
const ARGUMENT = 1;
const NUMBER = 2;
const DATE = 3;
const TIME = 4;
const SELECT = 5;
const PLURAL = 6;
const TAG = 8;

/** A value for every argument of a message: numbers for plural/number, `other` for select. */
function placeholderParams(ast: Ast, params: Record<string, string | number | Date> = {}) {
  for (const el of ast) {
    const value = 'value' in el ? String(el.value) : '';
    if (el.type === ARGUMENT) params[value] ??= `<${value}>`;
    if (el.type === NUMBER || el.type === PLURAL) params[value] = 2;
    if (el.type === DATE || el.type === TIME) params[value] = new Date(Date.UTC(2024, 7, 31));
    if (el.type === SELECT) params[value] = 'other';
    if ('options' in el) {
      for (const option of Object.values(el.options)) placeholderParams(option.value, params);
    }
    if (el.type === TAG && 'children' in el) placeholderParams(el.children, params);
  }
  return params;
}

const localeFiles = readdirSync(LOCALES_DIR).filter((f) => f.endsWith('.json'));

describe.each(localeFiles)('locales/%s', (file) => {
  const locale = file.slice(0, -'.json'.length);
  const messages = JSON.parse(readFileSync(join(LOCALES_DIR, file), 'utf8')) as Record<
    string,
    unknown
  >;

  it('only has keys that en-US.json has, all strings', () => {
    expect(Object.keys(messages).filter((k) => !(k in catalog))).toEqual([]);
    expect(Object.entries(messages).filter(([, v]) => typeof v !== 'string')).toEqual([]);
  });

  it.each(Object.entries(messages))('parses and formats %s', (_key, message) => {
    const format = new IntlMessageFormat(message as string, locale);
    const params = placeholderParams(format.getAst());
    const text = String(format.format(params));
    expect(text.trim()).not.toBe('');
    for (const [name, value] of Object.entries(params)) {
      if (typeof value === 'string' && value.startsWith('<')) expect(text).toContain(value);
      expect(name).not.toBe('');
    }
    // An unparsed placeholder would survive as `{name}`.
    expect(text).not.toMatch(/\{\w+\}/);
  });
});

describe('Localizer', () => {
  const localizer = new Localizer(LOCALES_DIR);

  it('formats a message with plural and parameters', () => {
    expect(localizer.t('en-US', 'preflight.failed', { count: 1 })).toMatch(/^1 rule fails\./);
    expect(localizer.t('en-US', 'preflight.failed', { count: 3 })).toMatch(/^3 rules fail\./);
    expect(localizer.t(undefined, 'rule.R3.fail', { email: 'a@b.c', name: 'Jane' })).toBe(
      'a@b.c is a user of the Office 365 tenant (Jane).',
    );
  });

  it('falls back to en-US for unknown locales and throws for unknown keys', () => {
    expect(localizer.resolve('xx-YY')).toBe('en-US');
    expect(localizer.t('xx-YY', 'card.cancel')).toBe('Cancel');
    expect(() => localizer.t('en-US', 'no.such.key')).toThrow(/missing message no.such.key/);
  });

  it('lists the keys of en-US.json', () => {
    expect(localizer.keys().sort()).toEqual(Object.keys(catalog).sort());
  });
});
