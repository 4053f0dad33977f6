import { describe, expect, it, vi } from 'vitest';
import { allowListProblems, assertPublicHost, NetGuardError, serverName } from './net-guard.js';

/** A resolver standing in for DNS: no test looks up a real name. */
function fakeDns(table: Record<string, string[]>) {
  return vi.fn(async (name: string) => {
    const found = table[name];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    return found;
  });
}
const noDns = () =>
  vi.fn(async (name: string): Promise<string[]> => {
    throw new Error(`unexpected lookup of ${name}`);
  });

async function refusal(host: string, allowList: string[] = [], lookup?: (name: string) => Promise<string[]>) {
  try {
    await assertPublicHost(host, allowList, lookup ? { lookup } : {});
  } catch (err) {
    if (err instanceof NetGuardError) return err.kind;
    throw err;
  }
  return 'allowed';
}

describe('assertPublicHost: addresses that are never reached without an allow-list entry', () => {
  const loopback = [
    '127.0.0.1',
    '127.1',
    '127.255.255.254',
    '2130706433',
    '0x7f.1',
    '0x7f000001',
    '0x7f.0x0.0x0.0x1',
    '017700000001',
    '0177.0.0.1',
    '127.000.000.001',
    '127.0.0.1.',
    ' 127.0.0.1 ',
    '１２７．０．０．１',
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
    '[::ffff:127.0.0.1]',
    '::ffff:7f00:1',
    '[0:0:0:0:0:ffff:127.0.0.1]',
    '::127.0.0.1',
    'localhost',
    'LOCALHOST',
    'localhost.',
    'localhost..',
    'ｌｏｃａｌｈｏｓｔ',
  ];
  it.each(loopback)('refuses loopback written as %j', async (host) => {
    expect(await refusal(host)).toBe('host_not_allowed');
  });

  const special = [
    ['0.0.0.0', 'unspecified'],
    ['0', 'unspecified'],
    ['::', 'unspecified IPv6'],
    ['10.0.0.1', 'private 10/8'],
    ['10.255.255.255', 'private 10/8'],
    ['172.16.0.1', 'private 172.16/12'],
    ['172.31.255.255', 'private 172.16/12'],
    ['192.168.1.1', 'private 192.168/16'],
    ['[::ffff:192.168.1.1]', 'private, IPv4-mapped'],
    ['::ffff:a00:1', 'private, IPv4-mapped in hex'],
    ['100.64.0.1', 'CGNAT'],
    ['100.127.255.255', 'CGNAT'],
    ['100.100.100.200', 'CGNAT (a cloud metadata address)'],
    ['169.254.169.254', 'metadata'],
    ['0xa9.0xfe.0xa9.0xfe', 'metadata in hex'],
    ['2852039166', 'metadata as one number'],
    ['::ffff:169.254.169.254', 'metadata, IPv4-mapped'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local IPv6'],
    ['[fe80::1%25eth0]', 'link-local IPv6 with a zone'],
    ['fe80::1%eth0', 'link-local IPv6 with a zone'],
    ['fc00::1', 'unique local'],
    ['fd12:3456::1', 'unique local'],
    ['fd00:ec2::254', 'metadata IPv6'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast IPv6'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.0.192', 'IETF protocol assignments (a cloud metadata address)'],
    ['192.0.2.10', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['64:ff9b::7f00:1', 'NAT64 of loopback'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of metadata'],
    ['2002:7f00:1::1', '6to4 of loopback'],
    ['2001::1', 'Teredo'],
    ['2001:db8::1', 'documentation IPv6'],
    ['100::1', 'discard-only'],
  ] as const;
  it.each(special)('refuses %j (%s)', async (host) => {
    expect(await refusal(host)).toBe('host_not_allowed');
  });

  it('never looks up an address literal in DNS', async () => {
    const lookup = noDns();
    for (const host of ['2130706433', '0x7f.1', '[::ffff:127.0.0.1]', '8.8.8.8', '2001:4860:4860::8888']) await refusal(host, [], lookup);
    expect(lookup).not.toHaveBeenCalled();
  });
});

describe('assertPublicHost: public servers', () => {
  it('returns the address to connect to for a public literal', async () => {
    const lookup = noDns();
    expect(await assertPublicHost('8.8.8.8', [], { lookup })).toEqual(['8.8.8.8']);
    expect(await assertPublicHost('172.32.0.1', [], { lookup })).toEqual(['172.32.0.1']);
    expect(await assertPublicHost('100.128.0.1', [], { lookup })).toEqual(['100.128.0.1']);
    expect(await assertPublicHost('[2001:4860:4860::8888]', [], { lookup })).toEqual(['2001:4860:4860::8888']);
  });

  it('resolves a name once (lower case, without its trailing dot, in ASCII) and returns every address', async () => {
    const lookup = fakeDns({ 'smtp.example.jp': ['133.242.0.1', '2001:2f8::25'], 'xn--r8jz45g.jp': ['133.242.0.2'] });
    expect(await assertPublicHost('SMTP.Example.JP.', [], { lookup })).toEqual(['133.242.0.1', '2001:2f8::25']);
    expect(lookup).toHaveBeenCalledWith('smtp.example.jp');
    expect(await assertPublicHost('例え.jp', [], { lookup })).toEqual(['133.242.0.2']);
  });

  it('refuses a name when ANY of its addresses is internal (DNS pointing inward, or rebinding)', async () => {
    const lookup = fakeDns({
      'mixed.example.jp': ['133.242.0.1', '10.0.0.5'],
      'mapped.example.jp': ['::ffff:169.254.169.254'],
      'inward.example.jp': ['127.0.0.1'],
      'zoned.example.jp': ['fe80::1%eth0'],
      'garbage.example.jp': ['not-an-address'],
    });
    for (const host of ['mixed.example.jp', 'mapped.example.jp', 'inward.example.jp', 'zoned.example.jp', 'garbage.example.jp']) {
      expect(await refusal(host, [], lookup), host).toBe('host_not_allowed');
    }
  });

  it('says host_not_found for a name that does not resolve or is not a host name, without asking DNS about the latter', async () => {
    const lookup = fakeDns({ 'empty.example.jp': [] });
    expect(await refusal('nowhere.example.jp', [], lookup)).toBe('host_not_found');
    expect(await refusal('empty.example.jp', [], lookup)).toBe('host_not_found');
    const none = noDns();
    for (const host of ['', '   ', '.', 'exa mple.jp', 'a/b', 'smtp.example.jp:25', 'user@smtp.example.jp']) {
      expect(await refusal(host, [], none), host).toBe('host_not_found');
    }
    expect(none).not.toHaveBeenCalled();
  });
});

describe('assertPublicHost: the allow-list (MAIL_ALLOW_PRIVATE_HOSTS)', () => {
  it('allows addresses and ranges named in it, in any written form', async () => {
    expect(await assertPublicHost('127.0.0.1', ['127.0.0.0/8'])).toEqual(['127.0.0.1']);
    expect(await assertPublicHost('[::ffff:127.0.0.1]', ['127.0.0.1'])).toEqual(['::ffff:127.0.0.1']);
    expect(await assertPublicHost('10.1.2.3', ['192.168.0.0/16', '10.1.2.0/24'])).toEqual(['10.1.2.3']);
    expect(await assertPublicHost('fd12::25', ['fd12::/16'])).toEqual(['fd12::25']);
    expect(await refusal('10.1.3.3', ['10.1.2.0/24'])).toBe('host_not_allowed');
    expect(await refusal('::1', ['127.0.0.1'])).toBe('host_not_allowed');
  });

  it('allows a named host whatever it resolves to, and only that name', async () => {
    const lookup = fakeDns({ 'mail.corp.internal': ['10.20.0.25'], 'other.corp.internal': ['10.20.0.25'] });
    expect(await assertPublicHost('Mail.Corp.Internal.', ['mail.corp.internal'], { lookup })).toEqual(['10.20.0.25']);
    expect(await refusal('other.corp.internal', ['mail.corp.internal'], lookup)).toBe('host_not_allowed');
  });

  it('never allows a cloud metadata address, even inside an allowed range', async () => {
    const lookup = fakeDns({ 'meta.corp.internal': ['169.254.169.254'] });
    expect(await refusal('169.254.169.254', ['169.254.0.0/16'])).toBe('host_not_allowed');
    expect(await refusal('169.254.169.254', ['0.0.0.0/0'])).toBe('host_not_allowed');
    expect(await refusal('[::ffff:169.254.169.254]', ['0.0.0.0/0', '::/0'])).toBe('host_not_allowed');
    expect(await refusal('fd00:ec2::254', ['fc00::/7'])).toBe('host_not_allowed');
    expect(await refusal('meta.corp.internal', ['meta.corp.internal'], lookup)).toBe('host_not_allowed');
    expect(await assertPublicHost('169.254.10.10', ['169.254.0.0/16'])).toEqual(['169.254.10.10']);
  });

  it('names the entries it cannot read', () => {
    expect(allowListProblems(['127.0.0.1', '10.0.0.0/8', 'fd00::/8', '::1', 'mail.corp.internal', 'MAIL-2.corp'])).toEqual([]);
    expect(allowListProblems(['10.0.0.0/33', 'fd00::/129', '10.0.0.1/8/2', 'not a host', '10.0.0.0/x', '*'])).toEqual([
      '10.0.0.0/33',
      'fd00::/129',
      '10.0.0.1/8/2',
      'not a host',
      '10.0.0.0/x',
      '*',
    ]);
  });
});

describe('serverName (the TLS name to present and verify)', () => {
  it('is the host name as written, normalised; none for an address literal', () => {
    expect(serverName('SMTP.Example.JP.')).toBe('smtp.example.jp');
    expect(serverName('例え.jp')).toBe('xn--r8jz45g.jp');
    for (const literal of ['127.0.0.1', '[::1]', '2130706433', '0x7f.1', '2001:db8::1'])
      expect(serverName(literal), literal).toBeUndefined();
  });
});
