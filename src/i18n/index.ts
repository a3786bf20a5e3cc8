import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';
import { projectRoot } from '../paths';
import { plainParams } from './markdown';
import { PSEUDO_LOCALE, pseudoLocalize } from './pseudo';

/**
 * Localized strings: ICU MessageFormat messages in locales/{locale}.json, chosen per activity from
 * `activity.locale` (Teams sends it) with fallback to the language and then to en-US.
 */

/** Default and last-resort locale. */
export const DEFAULT_LOCALE = 'en-US';

/** Message parameters: ICU arguments. */
export type MessageParams = Readonly<Record<string, string | number | Date>>;

type Catalog = Readonly<Record<string, string>>;

/** Reads every locales/*.json file of a folder. */
function loadCatalogs(dir: string): Map<string, Catalog> {
  const catalogs = new Map<string, Catalog>();
  for (const file of readdirSync(dir)) {
    if (file.endsWith('.json')) {
      catalogs.set(file.slice(0, -5), JSON.parse(readFileSync(join(dir, file), 'utf8')) as Catalog);
    }
  }
  return catalogs;
}

/**
 * Formats messages for a locale. One instance per process (the catalogs are read once).
 */
export class Localizer {
  private readonly catalogs: Map<string, Catalog>;
  private readonly formats = new Map<string, IntlMessageFormat>();

  /** @param dir folder of `{locale}.json` catalogs; must contain en-US.json */
  constructor(dir: string = join(projectRoot(), 'locales')) {
    this.catalogs = loadCatalogs(dir);
    if (!this.catalogs.has(DEFAULT_LOCALE))
      throw new Error(`missing ${DEFAULT_LOCALE}.json in ${dir}`);
  }

  /**
   * The supported locale for a requested one: exact match, then same language, then en-US.
   * @param requested BCP 47 tag such as `fr-CA`, or undefined
   */
  resolve(requested: string | undefined): string {
    if (!requested) return DEFAULT_LOCALE;
    const wanted = requested.toLowerCase();
    if (wanted === PSEUDO_LOCALE) return PSEUDO_LOCALE;
    const tags = [...this.catalogs.keys()];
    const exact = tags.find((t) => t.toLowerCase() === wanted);
    if (exact) return exact;
    const language = wanted.split('-')[0];
    return tags.find((t) => t.toLowerCase().split('-')[0] === language) ?? DEFAULT_LOCALE;
  }

  /**
   * Formats one message.
   * @param locale requested locale (resolved with fallback)
   * @param key message key, e.g. `rule.R1.title`
   * @param params ICU arguments
   * @throws Error when the key exists in no catalog (a programming error caught by tests)
   */
  t(locale: string | undefined, key: string, params: MessageParams = {}): string {
    const tag = this.resolve(locale);
    const english = this.catalogs.get(DEFAULT_LOCALE)?.[key];
    const message = tag === PSEUDO_LOCALE ? english : (this.catalogs.get(tag)?.[key] ?? english);
    if (message === undefined) throw new Error(`missing message ${key}`);
    const cacheKey = `${tag}\u0000${key}`;
    let format = this.formats.get(cacheKey);
    if (!format) {
      format =
        tag === PSEUDO_LOCALE
          ? new IntlMessageFormat(pseudoLocalize(message), DEFAULT_LOCALE)
          : new IntlMessageFormat(message, tag);
      this.formats.set(cacheKey, format);
    }
    // Parameters may be names from Teams or Azure: shown as text, never as Markdown or HTML.
    return String(format.format(plainParams(params)));
  }

  /** The supported locales, e.g. `['en-US', 'fr-FR', …]` (one per catalog; the pseudo-locale aside). */
  locales(): string[] {
    return [...this.catalogs.keys()];
  }

  /** Keys of the default catalog (for tests that check every locale has every key). */
  keys(): string[] {
    return Object.keys(this.catalogs.get(DEFAULT_LOCALE) ?? {});
  }
}
