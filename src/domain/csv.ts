/**
 * A small CSV writer (RFC 4180, https://www.rfc-editor.org/rfc/rfc4180): fields separated by
 * commas, records by CRLF (the last one too); a field that holds a comma, a double quote, CR or
 * LF is put in double quotes, with each double quote inside doubled. No CSV library is a
 * dependency of tenantlink, and this is all the export needs.
 *
 * Against formula injection (OWASP, "CSV Injection",
 * https://owasp.org/www-community/attacks/CSV_Injection): a spreadsheet opening the file runs a
 * cell that starts with `=`, `+`, `-` or `@` (and, in some, tab or CR) as a formula; names in the
 * export come from the directories (anyone can name a group `=HYPERLINK(…)`). Such a cell is
 * prefixed with a single quote, which spreadsheets show as text.
 */

/**
 * One field, escaped.
 * @param value the text (numbers and booleans are written as their strings)
 */
export function csvField(value: string | number | boolean | undefined): string {
  const text = value === undefined ? '' : String(value);
  // First characters a spreadsheet may take for a formula (OWASP's list).
  const guarded = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/**
 * A whole file: one record per row, fields escaped with {@link csvField}, CRLF after each record.
 * @param rows the header row first, then the data; every row should have the header's length
 */
export function toCsv(
  rows: readonly (readonly (string | number | boolean | undefined)[])[],
): string {
  return rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}
