import { renderCard } from '../../src/cards/render';
import { defuseAll, defuseMarkdownLinks } from '../../src/cards/markdown';
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

it('defuses parameters of localized messages', () => {
  const text = new Localizer().t('en-US', 'signIn.done', { name: LINK, email: 'x@y.z' });
  expect(text).not.toContain('](');
  expect(text).toContain('https://evil.example/login');
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
