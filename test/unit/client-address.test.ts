/**
 * The address the signal server's limits count: IPv4-mapped IPv6 is IPv4, IPv6 counts per /64, and
 * X-Forwarded-For counts only behind a trusted proxy, by the hop that proxy appended (the last).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressKey, clientAddress } from '../../signal/client-address.js';

test('IPv4, IPv4-mapped IPv6 and IPv6 /64 keys', () => {
  assert.equal(addressKey('203.0.113.9'), '203.0.113.9');
  assert.equal(addressKey('::ffff:203.0.113.9'), '203.0.113.9');
  assert.equal(addressKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:db8:1:2:ffff::1'), addressKey('2001:0db8:0001:0002::9'), 'one /64, any spelling');
  assert.notEqual(addressKey('2001:db8:1:3::1'), addressKey('2001:db8:1:2::1'));
  assert.equal(addressKey('not an address'), 'not an address');
});

test('X-Forwarded-For counts only when the proxy is trusted, and only its own hop', () => {
  const headers = { 'x-forwarded-for': '10.9.9.9, 198.51.100.7' };
  assert.equal(clientAddress(headers, '127.0.0.1', false), '127.0.0.1');
  assert.equal(clientAddress(headers, '127.0.0.1', true), '198.51.100.7', 'the first entries are what the client claimed');
  assert.equal(clientAddress({}, '::ffff:127.0.0.1', true), '127.0.0.1', 'no header: the TCP peer');
  assert.equal(clientAddress({ 'x-forwarded-for': ['10.0.0.1', '198.51.100.8'] }, '127.0.0.1', true), '198.51.100.8');
});
