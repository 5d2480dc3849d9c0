import { csvToTargets, parseCsvRecords } from './inventory-csv.js';

describe('inventory CSV (csv-parse)', () => {
  test('quoted fields, doubled quotes, CRLF, BOM, blank lines; records keep their starting line', () => {
    const text =
      '\uFEFFaddress,name,tags\r\n127.0.0.1,"web, one",a;b\r\n\r\n"127.0.0.2","say ""hi""\nthere",\r\n127.0.0.3,,c\r\n';
    const { records, issues } = parseCsvRecords(text);
    expect(issues).toEqual([]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 4, 6]);
    expect(records[2]!.fields).toEqual(['127.0.0.2', 'say "hi"\nthere', '']);
    const { targets } = csvToTargets(text);
    expect(targets).toEqual([
      { address: '127.0.0.1', name: 'web, one', tags: ['a', 'b'] },
      { address: '127.0.0.2', name: 'say "hi"\nthere', tags: [] },
      { address: '127.0.0.3', tags: ['c'] },
    ]);
  });

  test('an unterminated quote is an error naming the line where it opened; no host is imported', () => {
    const text = 'address,name\n127.0.0.1,a\n127.0.0.2,"oops\n127.0.0.3,c\n127.0.0.4,d\n';
    const { targets, issues } = csvToTargets(text);
    expect(targets).toEqual([]);
    expect(issues).toEqual([{ path: 'csv.line[3]', message: expect.stringMatching(/never closed/) }]);
  });

  test('a stray quote inside an unquoted field is an error naming its line', () => {
    const { targets, issues } = csvToTargets('address,name\n127.0.0.1,a\n127.0.0.2,b"c\n');
    expect(targets).toEqual([]);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('csv.line[3]');
  });

  test('too many fields and a missing address name their lines; nothing is imported', () => {
    const { targets, issues } = csvToTargets('address,name\n127.0.0.1,a,extra\n,b\n127.0.0.3,c\n');
    expect(targets).toEqual([]);
    expect(issues.map((i) => i.path)).toEqual(['csv.line[2]', 'csv.line[3].address']);
  });

  test('unknown columns and a missing address column name the header', () => {
    expect(csvToTargets('address,colour\n127.0.0.1,red\n').issues[0]!.path).toBe('csv.header[1]');
    expect(csvToTargets('name\nx\n').issues[0]!.path).toBe('csv.header');
    expect(csvToTargets('').issues[0]!.path).toBe('csv');
  });
});
