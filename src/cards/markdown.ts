/**
 * Text from outside tenantlink (a Teams display name, a subscription's name, a principal's name)
 * is shown in Markdown: in messages and in adaptive card TextBlocks and FactSets. Adaptive cards
 * run no HTML or script, but a name shaped like a Markdown link, `[Open](https://evil.example)`,
 * would render as a link whose target is hidden. CommonMark allows no space between `]` and `(`
 * of an inline link (https://spec.commonmark.org/0.31.2/#inline-link), so one space makes it
 * plain text that shows every character. Bare URLs stay visible as themselves.
 */

/** Neutralizes inline Markdown links in text that did not come from tenantlink's catalogs. */
export function defuseMarkdownLinks(text: string): string {
  return text.replace(/\]\(/g, '] (');
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
