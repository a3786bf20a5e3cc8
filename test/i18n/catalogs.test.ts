import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TYPE, parse, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { IntlMessageFormat } from 'intl-messageformat';
import { Localizer } from '../../src/i18n';

/**
 * Every locale of locales/ against en-US: the same keys, the same ICU arguments, messages that
 * compile and format, and the commands users type left in English.
 */

const DIR = join(__dirname, '..', '..', 'locales');
const read = (tag: string): Record<string, string> =>
  JSON.parse(readFileSync(join(DIR, `${tag}.json`), 'utf8')) as Record<string, string>;
const english = read('en-US');
const locales = readdirSync(DIR)
  .filter((f) => f.endsWith('.json') && f !== 'en-US.json')
  .map((f) => f.slice(0, -5));

/** The argument names of a message (placeholders, plural/select/date variables). */
function argumentsOf(elements: MessageFormatElement[], out = new Set<string>()): Set<string> {
  for (const el of elements) {
    if (el.type === TYPE.literal || el.type === TYPE.pound) continue;
    if ('value' in el && typeof el.value === 'string') out.add(el.value);
    if (el.type === TYPE.plural || el.type === TYPE.select)
      for (const option of Object.values(el.options)) argumentsOf(option.value, out);
    if (el.type === TYPE.tag) argumentsOf(el.children, out);
  }
  return out;
}

/** Dummy values for a message's arguments. */
function sample(names: Set<string>): Record<string, string | number | Date> {
  const values: Record<string, string | number | Date> = {};
  for (const n of names)
    values[n] =
      n === 'since'
        ? new Date(0)
        : n === 'count' || n === 'ok' || n === 'total'
          ? 2
          : n === 'kind'
            ? 'msa'
            : `⟨${n}⟩`;
  return values;
}

it('has the five locales of the seeds', () => {
  expect(locales.sort()).toEqual(['fr-FR', 'nl-NL', 'sv-SE', 'zh-TW']);
});

describe.each(locales)('%s', (tag) => {
  const catalog = read(tag);

  it('has exactly the keys of en-US', () => {
    expect(Object.keys(catalog).sort()).toEqual(Object.keys(english).sort());
  });

  it.each(Object.keys(english))('%s keeps the arguments, compiles and formats', (key) => {
    const message = catalog[key] ?? '';
    const expected = argumentsOf(parse(english[key]!));
    expect(argumentsOf(parse(message))).toEqual(expected);
    const text = String(new IntlMessageFormat(message, tag).format(sample(expected)));
    expect(text.length).toBeGreaterThan(0);
    // The commands users type stay as they are.
    for (const command of english[key]!.match(/\*\*[a-z0-9 ]+\*\*/g) ?? [])
      expect(message).toContain(command);
  });

  it('is what the Localizer picks for the language, with fallback for other regions', () => {
    const localizer = new Localizer(DIR);
    const language = tag.split('-')[0]!;
    expect(localizer.resolve(tag)).toBe(tag);
    expect(localizer.resolve(`${language}-XX`)).toBe(tag);
    expect(localizer.t(tag, 'welcome.title')).toBe(catalog['welcome.title']);
  });
});
