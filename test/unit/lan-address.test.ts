import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { linkOrigin, primaryLanAddress, selfOrigin } from '../../host/lan-address.js';

function v4(address: string, internal = false): NetworkInterfaceInfo {
  return { address, netmask: '255.255.255.0', family: 'IPv4', mac: '02:42:ac:11:00:02', internal, cidr: `${address}/24` };
}
function v6(address: string, internal = false): NetworkInterfaceInfo {
  return { address, netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:42:ac:11:00:02', internal, cidr: `${address}/64`, scopeid: 0 };
}

const lo = { lo: [v4('127.0.0.1', true), v6('::1', true)] };

describe('primaryLanAddress', () => {
  const cases: Array<[string, NodeJS.Dict<NetworkInterfaceInfo[]>, string]> = [
    ['a single Wi-Fi interface', { ...lo, wlan0: [v4('192.168.1.23'), v6('fe80::1')] }, '192.168.1.23'],
    ['ethernet in 10/8', { ...lo, eth0: [v4('10.4.0.7')] }, '10.4.0.7'],
    ['ethernet in 172.16/12', { ...lo, enp3s0: [v4('172.20.1.5')] }, '172.20.1.5'],
    ['docker0 listed first is skipped', { docker0: [v4('172.17.0.1')], ...lo, wlp2s0: [v4('192.168.0.12')] }, '192.168.0.12'],
    ['bridges, veth, virbr, vmnet, vboxnet are skipped', {
      'br-3f2a9c1d': [v4('172.18.0.1')],
      veth12ab: [v4('169.254.3.3')],
      virbr0: [v4('192.168.122.1')],
      vmnet8: [v4('192.168.57.1')],
      vboxnet0: [v4('192.168.56.1')],
      eth0: [v4('192.168.1.40')],
    }, '192.168.1.40'],
    ['VPN tunnels are skipped', {
      tun0: [v4('10.8.0.2')],
      utun3: [v4('10.9.0.2')],
      tailscale0: [v4('100.101.102.103')],
      wg0: [v4('10.10.0.1')],
      ztabcdef: [v4('10.147.17.3')],
      tap0: [v4('10.11.0.1')],
      en0: [v4('192.168.2.9')],
    }, '192.168.2.9'],
    ['a loopback-named interface with a non-internal address is skipped', { lo0: [v4('10.0.0.1')], eth0: [v4('192.168.5.5')] }, '192.168.5.5'],
    ['a private address is preferred over a public one on physical interfaces', { eth0: [v4('203.0.113.10')], eth1: [v4('192.168.1.10')] }, '192.168.1.10'],
    ['172.15 and 172.32 are not private: the real private address wins', { eth0: [v4('172.15.0.1')], eth1: [v4('172.32.0.1')], eth2: [v4('172.31.255.1')] }, '172.31.255.1'],
    ['a public physical address beats a private virtual one', { docker0: [v4('172.17.0.1')], eth0: [v4('203.0.113.10')] }, '203.0.113.10'],
    ['IPv6-only physical interfaces are ignored', { eth0: [v6('2001:db8::5')], wlan0: [v4('192.168.8.8')] }, '192.168.8.8'],
    ['internal IPv4 addresses are ignored', { eth0: [v4('10.0.0.5', true)], wlan0: [v4('10.0.0.6')] }, '10.0.0.6'],
    ['the first private physical address wins among several', { eth0: [v4('10.1.1.1'), v4('192.168.1.1')], wlan0: [v4('192.168.9.9')] }, '10.1.1.1'],
    ['only loopback → 127.0.0.1', { ...lo }, '127.0.0.1'],
    ['no interfaces at all → 127.0.0.1', {}, '127.0.0.1'],
    ['only IPv6 → 127.0.0.1', { ...lo, eth0: [v6('2001:db8::1')] }, '127.0.0.1'],
    ['an interface with an undefined entry', { eth0: undefined, wlan0: [v4('192.168.3.3')] }, '192.168.3.3'],
    // Documented behaviour: with nothing physical, a virtual interface's address beats loopback.
    ['only a docker bridge → its address (virtual fallback before 127.0.0.1)', { ...lo, docker0: [v4('172.17.0.1')] }, '172.17.0.1'],
  ];
  for (const [what, table, expected] of cases) {
    it(what, () => {
      assert.equal(primaryLanAddress(table), expected);
    });
  }

  it('defaults to the real interface table and returns an IPv4 address', () => {
    assert.match(primaryLanAddress(), /^\d{1,3}(\.\d{1,3}){3}$/);
  });
});

describe('linkOrigin', () => {
  it('uses --public-url verbatim when given', () => {
    assert.equal(linkOrigin('0.0.0.0', 7420, 'https://tether.example.com/team'), 'https://tether.example.com/team');
    assert.equal(linkOrigin('127.0.0.1', 1, 'http://x:9'), 'http://x:9');
  });

  it('uses the primary LAN address when listening on every interface', () => {
    assert.equal(linkOrigin('0.0.0.0', 7420, null), `http://${primaryLanAddress()}:7420`);
    assert.equal(linkOrigin('::', 8000, null), `http://${primaryLanAddress()}:8000`);
  });

  it('uses the bound address otherwise, bracketing IPv6', () => {
    assert.equal(linkOrigin('127.0.0.1', 7420, null), 'http://127.0.0.1:7420');
    assert.equal(linkOrigin('192.168.1.5', 0, null), 'http://192.168.1.5:0');
    assert.equal(linkOrigin('::1', 7420, null), 'http://[::1]:7420');
    assert.equal(linkOrigin('fe80::1', 7420, null), 'http://[fe80::1]:7420');
    assert.equal(linkOrigin('localhost', 7420, null), 'http://localhost:7420');
  });
});

describe('selfOrigin', () => {
  const cases: Array<[string, number, string]> = [
    ['0.0.0.0', 7420, 'http://127.0.0.1:7420'],
    ['::', 7420, 'http://[::1]:7420'],
    ['127.0.0.1', 5000, 'http://127.0.0.1:5000'],
    ['192.168.1.5', 7420, 'http://192.168.1.5:7420'],
    ['::1', 7420, 'http://[::1]:7420'],
    ['localhost', 80, 'http://localhost:80'],
  ];
  for (const [bind, port, expected] of cases) {
    it(`${bind}:${port} → ${expected}`, () => {
      assert.equal(selfOrigin(bind, port), expected);
    });
  }
});
