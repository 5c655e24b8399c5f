import { canonicalCidr, CidrList, isLoopback, parseAddress, parseCidr } from './cidr-list';

function address(text: string) {
  const parsed = parseAddress(text);
  if (!parsed) throw new Error(`test address ${text} did not parse`);
  return parsed;
}

describe('parseAddress', () => {
  it.each([
    ['10.1.2.3', '10.1.2.3'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['::1', '::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['0:0:0:0:0:ffff:10.1.2.3', '10.1.2.3'],
    // IPv4-compatible (deprecated, RFC 4291 §2.5.5.1) is an IPv6 address like any other: only the mapped form is IPv4.
    ['::127.0.0.1', '::7f00:1'],
    ['::10.1.2.3', '::a01:203'],
    ['0:0:0:0:0:0:127.0.0.1', '::7f00:1'],
    ['[::127.0.0.1]', '::7f00:1'],
    ['::ffff:0:127.0.0.1', '::ffff:0:7f00:1'],
  ])('%s reads as %s', (text, expected) => {
    expect(parseAddress(text)?.toString()).toBe(expected);
  });

  it.each(['', 'localhost', '10.1.2', '10.1.2.3.4', '1.2.3.256', 'not an ip', '::ffff:999.0.0.1'])('rejects %p', (text) => {
    expect(parseAddress(text)).toBeNull();
  });
});

describe('parseCidr / canonicalCidr', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['10.9.8.7/8', '10.0.0.0/8'],
    ['192.168.1.77', '192.168.1.77/32'],
    ['fd00::/8', 'fd00::/8'],
    ['2001:db8::1', '2001:db8::1/128'],
    ['::ffff:10.0.0.0/104', '10.0.0.0/8'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['::10.0.0.0/104', '::a00:0/104'],
    ['::127.0.0.1', '::7f00:1/128'],
  ])('%s is %s', (text, expected) => {
    expect(canonicalCidr(text)).toBe(expected);
  });

  it.each(['10.0.0.0/33', 'fd00::/129', '10.0.0.0/', '/8', '10.0.0.0/8/8', 'abc/8', '10.0.0.0/-1', '10.0.0.0/ 8', ''])(
    'rejects %p',
    (text) => {
      expect(parseCidr(text)).toBeNull();
    },
  );
});

describe('CidrList', () => {
  const list = new CidrList(['10.0.0.0/8', '192.168.1.5', 'fd00::/8', '::ffff:172.16.0.0/108']);

  it.each([
    ['10.255.0.1', true],
    ['::ffff:10.0.0.1', true],
    ['11.0.0.1', false],
    ['192.168.1.5', true],
    ['192.168.1.6', false],
    ['fd12:3456::1', true],
    ['fe80::1', false],
    ['172.16.200.1', true],
    ['::ffff:172.16.200.1', true],
    ['172.32.0.1', false],
    ['::10.0.0.1', false],
    ['::192.168.1.5', false],
    ['::172.16.200.1', false],
  ])('%s → %s', (ip, expected) => {
    expect(list.contains(address(ip))).toBe(expected);
  });

  it('never matches across families', () => {
    expect(new CidrList(['::/0']).contains(address('10.0.0.1'))).toBe(false);
    expect(new CidrList(['0.0.0.0/0']).contains(address('2001:db8::1'))).toBe(false);
  });

  it('an empty list matches nothing', () => {
    const empty = new CidrList([]);
    expect(empty.isEmpty).toBe(true);
    expect(empty.contains(address('127.0.0.1'))).toBe(false);
  });

  it('refuses to build from an invalid range', () => {
    expect(() => new CidrList(['10.0.0.0/40'])).toThrow('10.0.0.0/40');
  });
});

describe('isLoopback', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.1', false],
    ['::', false],
    ['::127.0.0.1', false],
    ['::7f00:1', false],
    ['0:0:0:0:0:0:127.0.0.1', false],
  ])('%s → %s', (ip, expected) => {
    expect(isLoopback(address(ip))).toBe(expected);
  });
});
