import { parsePortList, parsePortSet } from './port-list.js';

describe('policy port lists', () => {
  it('keep the items as written and make one port set', () => {
    expect(parsePortList(' 514, 23 ,512-514')).toEqual([
      [514, 514],
      [23, 23],
      [512, 514],
    ]);
    const set = parsePortSet('514,23,512-514,1,65535');
    expect(set.toString()).toBe('1,23,512-514,65535');
    expect([set.has(513), set.has(24), set.has(65535)]).toEqual([true, false, true]);
  });

  it.each([
    ['', 'empty port list'],
    ['23,telnet', 'invalid port "telnet": use numbers and ranges such as 23 or 512-514'],
    ['23,,24', 'invalid port "": use numbers and ranges such as 23 or 512-514'],
    ['0', 'invalid port "0": ports are 1-65535'],
    ['1-65536', 'invalid port "1-65536": ports are 1-65535'],
    ['514-512', 'invalid port "514-512": range ends before its start'],
    ['0x17', 'invalid port "0x17": use numbers and ranges such as 23 or 512-514'],
  ])('reject %j naming the item', (text, message) => {
    expect(() => parsePortList(text)).toThrow(message);
  });
});
