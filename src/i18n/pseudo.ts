import { TYPE, parse, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { printAST } from '@formatjs/icu-messageformat-parser/printer';

/**
 * The pseudo-locale `qps-ploc` (Microsoft's pseudo-localization tag): every message of en-US with
 * its letters accented, lengthened by about a third and wrapped in ⟦ ⟧, placeholders and ICU
 * structure kept. Used in tests to prove that every string the user sees comes from the resource
 * files (a hard-coded string has no ⟦ ⟧) and that long strings still render.
 */

/** The pseudo-locale's tag. */
export const PSEUDO_LOCALE = 'qps-ploc';

const ACCENTED: Readonly<Record<string, string>> = {
  a: 'á',
  b: 'ƀ',
  c: 'ç',
  d: 'ð',
  e: 'é',
  f: 'ƒ',
  g: 'ĝ',
  h: 'ĥ',
  i: 'í',
  j: 'ĵ',
  k: 'ķ',
  l: 'ĺ',
  m: 'ɱ',
  n: 'ñ',
  o: 'ó',
  p: 'þ',
  q: 'ǫ',
  r: 'ŕ',
  s: 'š',
  t: 'ţ',
  u: 'ú',
  v: 'ṽ',
  w: 'ŵ',
  x: 'ẋ',
  y: 'ý',
  z: 'ž',
  A: 'Å',
  B: 'Ɓ',
  C: 'Ç',
  D: 'Ð',
  E: 'É',
  F: 'Ƒ',
  G: 'Ĝ',
  H: 'Ĥ',
  I: 'Í',
  J: 'Ĵ',
  K: 'Ķ',
  L: 'Ĺ',
  M: 'Ṁ',
  N: 'Ñ',
  O: 'Ó',
  P: 'Þ',
  Q: 'Ǫ',
  R: 'Ŕ',
  S: 'Š',
  T: 'Ţ',
  U: 'Ú',
  V: 'Ṽ',
  W: 'Ŵ',
  X: 'Ẋ',
  Y: 'Ý',
  Z: 'Ž',
};

/** Accents the letters of a literal, leaving URLs alone. */
function accent(text: string): string {
  return text
    .split(/(https?:\/\/\S+)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/[A-Za-z]/g, (c) => ACCENTED[c] ?? c)))
    .join('');
}

function transform(elements: MessageFormatElement[]): void {
  for (const el of elements) {
    if (el.type === TYPE.literal) el.value = accent(el.value);
    else if (el.type === TYPE.plural || el.type === TYPE.select)
      for (const option of Object.values(el.options)) transform(option.value);
    else if (el.type === TYPE.tag) transform(el.children);
  }
}

/**
 * The pseudo-localized form of an ICU message.
 * @throws SyntaxError when `message` is not valid ICU MessageFormat
 */
export function pseudoLocalize(message: string): string {
  const ast = parse(message);
  transform(ast);
  const padding = '·'.repeat(Math.ceil(message.length / 3));
  return `⟦${printAST(ast)} ${padding}⟧`;
}
