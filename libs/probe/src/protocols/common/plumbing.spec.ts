import { startHostileServer } from '../../testing/hostile-servers.js';
import { queryBudgetMs } from './greeting-query.js';
import { completeLines, exactly, replyFramer, singleLineFramer } from './framing.js';
import { printableText, toPrintable, toPrintableLines } from './printable.js';
import { TcpConversation } from './tcp-conversation.js';

describe('toPrintable', () => {
  it('keeps printable ASCII and escapes everything else', () => {
    expect(toPrintable(Buffer.from('ok \r\n\t\x00\x1b[2J\x7f\xff', 'latin1'))).toBe(
      'ok \\r\\n\\t\\x00\\x1b[2J\\x7f\\xff',
    );
  });

  it('caps the output, never cutting an escape, and marks the cut', () => {
    expect(toPrintable('abcdefghij', 10)).toBe('abcdefghij');
    expect(toPrintable('abcdefghijk', 10)).toBe('abcdefg...');
    const cut = toPrintable(Buffer.alloc(100, 0), 10);
    expect(cut).toBe('\\x00...');
    expect(cut.length).toBeLessThanOrEqual(10);
  });

  it('keeps line structure in toPrintableLines, capped overall', () => {
    expect(toPrintableLines([Buffer.from('220-a\r'), Buffer.from('220 b\x07')])).toBe('220-a\n220 b\\x07');
    expect(toPrintableLines([Buffer.alloc(50, 0x41), Buffer.alloc(50, 0x42)], 60).length).toBeLessThanOrEqual(
      60,
    );
  });
});

describe('printableText', () => {
  it('makes peer text one line: control runs (C0, DEL, C1) become one space, the ends are trimmed', () => {
    expect(printableText(Buffer.from('\x00 Cisco\r\n\x1b[2J  IOS\x7f\x85\t', 'latin1'))).toBe(
      'Cisco [2J  IOS',
    );
    expect(printableText('plain')).toBe('plain');
  });

  it('caps at `max` characters and marks the cut', () => {
    expect(printableText('abcdef', 6)).toBe('abcdef');
    expect(printableText('abcdefg', 6)).toBe('abcdef…');
    // The cap applies after cleaning: stripped control bytes do not count.
    expect(printableText(Buffer.from('\x00\x00abc\x00', 'latin1'), 3)).toBe('abc');
  });
});

describe('framing', () => {
  it('completeLines yields only terminated lines, CR stripped', () => {
    const lines = [...completeLines(Buffer.from('a\r\nb\nc'))].map((l) => l.text.toString());
    expect(lines).toEqual(['a', 'b']);
  });

  it('replyFramer: "ddd" alone ends a reply; bad separator is invalid', () => {
    expect(replyFramer('smtp')(Buffer.from('220\r\n'))).toEqual({ kind: 'complete', length: 5 });
    expect(replyFramer('smtp')(Buffer.from('220x\r\n')).kind).toBe('invalid');
  });

  it('singleLineFramer checks the prefix byte by byte', () => {
    const f = singleLineFramer(['+OK'], 'x');
    expect(f(Buffer.from('+O')).kind).toBe('more');
    expect(f(Buffer.from('+X')).kind).toBe('invalid');
  });

  it('exactly(n) frames the first n bytes once they are all there', () => {
    expect(exactly(2)(Buffer.from([0]))).toEqual({ kind: 'more' });
    expect(exactly(2)(Buffer.from([0, 5, 1]))).toEqual({ kind: 'complete', length: 2 });
  });
});

describe('queryBudgetMs', () => {
  it('keeps a margin before the caller aborts', () => {
    expect(queryBudgetMs(5000)).toBe(4900);
    expect(queryBudgetMs(500)).toBe(450);
    expect(queryBudgetMs(0)).toBe(0);
  });
});

describe('TcpConversation', () => {
  it('refuses a name instead of resolving it', async () => {
    const r = await TcpConversation.open({ address: 'localhost', port: 25, timeoutMs: 1000, maxBytes: 10 });
    expect(r).toMatchObject({ ok: false, status: 'application-error' });
  });

  it('keeps bytes after a frame for the next read, and a per-read timeout leaves the conversation usable', async () => {
    const server = await startHostileServer('script', {
      script: (s) => {
        s.write('+OK one\r\n+OK two\r\n');
        s.on('data', () => s.write('+OK three\r\n'));
      },
    });
    try {
      const opened = await TcpConversation.open({
        address: server.address,
        port: server.port,
        timeoutMs: 5000,
        maxBytes: 1024,
      });
      if (!opened.ok) throw new Error(opened.detail);
      const conv = opened.conversation;
      const f = singleLineFramer(['+OK'], 'line');
      const one = await conv.read(f);
      const two = await conv.read(f);
      expect([one.ok && one.frame.toString(), two.ok && two.frame.toString()]).toEqual([
        '+OK one\r\n',
        '+OK two\r\n',
      ]);
      const nothing = await conv.read(f, { timeoutMs: 100 });
      expect(nothing).toMatchObject({ ok: false, status: 'io-timeout' });
      conv.write('NOOP\r\n');
      const three = await conv.read(f);
      expect(three.ok && three.frame.toString()).toBe('+OK three\r\n');
      conv.close();
      expect(conv.isClosed).toBe(true);
      expect(await server.allClosed(3000)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('a per-read cap smaller than the conversation cap gives truncated with at most that many bytes', async () => {
    const server = await startHostileServer('endless-banner', { prefix: '220 ' });
    try {
      const opened = await TcpConversation.open({
        address: server.address,
        port: server.port,
        timeoutMs: 5000,
        maxBytes: 4096,
      });
      if (!opened.ok) throw new Error(opened.detail);
      const r = await opened.conversation.read(replyFramer('smtp'), { maxBytes: 100 });
      opened.conversation.close();
      expect(r).toMatchObject({ ok: false, status: 'truncated' });
      if (!r.ok) expect(r.partial.length).toBe(100);
    } finally {
      await server.close();
    }
  });
});
