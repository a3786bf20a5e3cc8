import { renderCard } from '../../src/cards/render';
import { defuseAll, defuseMarkdownLinks, plainText } from '../../src/i18n/markdown';
import { CaseTable } from '../helpers/caseTable';
import { Localizer } from '../../src/i18n';

/** Names from outside cannot become disguised Markdown links, in messages or on cards. */

const LINK = '[Open the portal](https://evil.example/login)';

it('breaks an inline link and keeps every character visible', () => {
  expect(defuseMarkdownLinks(LINK)).toBe('[Open the portal] (https://evil.example/login)');
  expect(defuseMarkdownLinks('Pay-As-You-Go (a27e2463)')).toBe('Pay-As-You-Go (a27e2463)');
});

it('leaves dates and numbers of message parameters alone', () => {
  const when = new Date('2026-11-28T12:00:00Z');
  expect(defuseAll({ since: when, count: 3, name: LINK })).toEqual({
    since: when,
    count: 3,
    name: '[Open the portal] (https://evil.example/login)',
  });
});

it('shows parameters of localized messages as text (no link, every character kept)', () => {
  const text = new Localizer().t('en-US', 'signIn.done', { name: LINK, email: 'x@y.z' });
  expect(text).toContain('\\[Open the portal\\](https://evil.example/login)');
  expect(text.replace(/\\./g, '')).not.toMatch(/\[[^\]]*\]\(/);
});

/**
 * Hostile names from Teams, Graph or ARM (issue 20, point 7): each is shown as text. "Renders as"
 * is what a CommonMark renderer shows for the escaped form: every backslash escape of ASCII
 * punctuation gives back the character itself.
 */
const table = new CaseTable('Hostile names shown as text');
const unescape = (s: string): string => s.replace(/\\([!-/:-@[-`{-~])/g, '$1');
const HOSTILE: [string, string, string][] = [
  ['bold approval', '**Approved by Microsoft**', '**Approved by Microsoft**'],
  ['inline link', '[Open](https://evil.example)', '[Open](https://evil.example)'],
  ['reference link', '[Open][1]', '[Open][1]'],
  ['image', '![x](https://evil.example/p.png)', '![x](https://evil.example/p.png)'],
  ['raw HTML', '<img src=x onerror=alert(1)>', '<img src=x onerror=alert(1)>'],
  ['newlines', 'Contoso\n\n# Approved\r\n- item', 'Contoso # Approved - item'],
  ['heading', '# Approved', '# Approved'],
  ['list item', '- Approved', '- Approved'],
  ['ordered list', '1. Approved', '1. Approved'],
  ['emphasis with _', '_Approved_', '_Approved_'],
  ['code span', '`rm -rf`', '`rm -rf`'],
  ['HTML entity', '&lt;b&gt;', '&lt;b&gt;'],
  ['table pipe', 'a | b', 'a | b'],
  ['strike-through', '~~old~~', '~~old~~'],
  ['backslash', 'C:\\Prod', 'C:\\Prod'],
  ['ordinary name with _', 'Contoso_Prod', 'Contoso_Prod'],
  ['ordinary name', 'Pay-As-You-Go', 'Pay-As-You-Go'],
  ['email', 'kelley.wall@outlook.com', 'kelley.wall@outlook.com'],
];

it.each(HOSTILE)('escapes %s', (name, input, shown) => {
  const escaped = plainText(input);
  table.record(name, JSON.stringify(shown), JSON.stringify(unescape(escaped)));
  expect(unescape(escaped)).toBe(shown);
  expect(escaped).not.toMatch(/[\r\n]/);
  // Nothing Markdown or HTML acts on is left unescaped.
  expect(escaped).not.toMatch(/(^|[^\\])(\*|\[|<|`|~|\|)/);
  expect(escaped).not.toMatch(/^\s*([#+=-]|\d+[.)])/);
});

it('keeps ordinary names unchanged in messages', () => {
  const text = new Localizer().t('en-US', 'signIn.done', {
    name: 'Contoso_Prod Pay-As-You-Go',
    email: 'first_last@contoso.com',
  });
  expect(text).toContain('Contoso_Prod Pay-As-You-Go');
  expect(text).toContain('first_last@contoso.com');
});

it('defuses every string of card data', () => {
  const card = renderCard('outcome', {
    title: LINK,
    text: 'ok',
    color: 'Good',
    facts: [{ title: 'Subscription', value: LINK }],
  });
  expect(JSON.stringify(card)).not.toContain('](');
});
