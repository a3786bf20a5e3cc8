import { csvField, toCsv } from '../../src/domain/csv';

describe('CSV writer (RFC 4180, formula injection escaped)', () => {
  it('writes plain fields as they are, records ended by CRLF', () => {
    expect(
      toCsv([
        ['a', 'b'],
        ['1', 2],
      ]),
    ).toBe('a,b\r\n1,2\r\n');
  });

  it('quotes fields with a comma, a quote, CR or LF and doubles the quotes', () => {
    expect(csvField('Doe, Jane')).toBe('"Doe, Jane"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
  });

  it.each(['=HYPERLINK("http://x","y")', '+1', '-2+3', '@SUM(A1)', '\tx', '\rx'])(
    'prefixes %j with a quote so that a spreadsheet shows it as text',
    (value) => {
      expect(csvField(value).replace(/^"/, '').startsWith(`'${value[0]}`)).toBe(true);
    },
  );

  it('escapes a formula that also needs quotes', () => {
    expect(csvField('=1,2')).toBe(`"'=1,2"`);
  });

  it('leaves a cell with a formula character later on alone', () => {
    expect(csvField('a=b')).toBe('a=b');
    expect(csvField('')).toBe('');
    expect(csvField(undefined)).toBe('');
  });
});
