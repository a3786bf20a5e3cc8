/**
 * Text from outside tenantlink (a Teams display name, a subscription's name, a principal's name)
 * is shown in Markdown: in messages and in adaptive card TextBlocks and FactSets. Adaptive cards
 * run no HTML or script, but a name shaped like a Markdown link, `[Open](https://evil.example)`,
 * would render as a link whose target is hidden. CommonMark allows no space between `]` and `(`
 * of an inline link (https://spec.commonmark.org/0.31.2/#inline-link), so one space makes it
 * plain text that shows every character. Bare URLs stay visible as themselves.
 */

/**
 * A name from outside tenantlink (Teams, Graph, ARM) as plain text inside Markdown: shown with
 * every character, never as formatting, a link, an image, HTML or a new line. Teams renders
 * Markdown in messages and in adaptive cards' TextBlock and Fact title/value
 * (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format),
 * and CommonMark lets any ASCII punctuation be escaped with a backslash
 * (https://spec.commonmark.org/0.31.2/#backslash-escapes):
 * - line breaks and tabs become one space (a name cannot start a new paragraph or list);
 * - `\ * \` [ ] < > | ~` are escaped everywhere (emphasis, code, links, images, HTML, tables,
 *   strike-through); `_` only where it could open or close emphasis (not between two letters or
 *   digits, CommonMark's intraword rule), so `Contoso_Prod` stays as it is;
 * - a leading `#`, `-`, `+`, `=` or `1.` cannot make a heading or a list item;
 * - `&` before an entity (`&lt;`) stays an ampersand.
 * Names in plain-text places (choice titles, input labels) need none of this.
 */
export function plainText(text: string): string {
  return text
    .replace(/[\r\n\u2028\u2029\t]+/g, ' ')
    .replace(/[\\*`[\]<>|~]/g, '\\$&')
    .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\_')
    .replace(/^(\s*)([#+=-])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2')
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, '\\&');
}

/** {@link plainText} on every string of message parameters; dates, numbers and the rest unchanged. */
export function plainParams<T extends Record<string, unknown>>(params: T): T {
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? plainText(v) : v]),
  ) as T;
}

/** Neutralizes inline Markdown links in text that did not come from tenantlink's catalogs. */
export function defuseMarkdownLinks(text: string): string {
  // An escaped bracket (`\\]`, see plainText) closes no link: left as it is.
  return text.replace(/(?<!\\)\]\(/g, '] (');
}

/** {@link defuseMarkdownLinks} on every string of a JSON-like value (card data, message params). */
export function defuseAll<T>(value: T): T {
  if (typeof value === 'string') return defuseMarkdownLinks(value) as T;
  if (Array.isArray(value)) return value.map((v) => defuseAll(v)) as T;
  // Plain objects only: a Date (ICU date arguments) or any class instance passes unchanged.
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, defuseAll(v)]),
    ) as T;
  }
  return value;
}
