import { describe, expect, it } from 'vitest';
import { usesInstanceDiscovery } from '../../src/adapters/graph/graph-client';

describe('MSAL instance discovery by authority host', () => {
  it.each([
    'https://login.microsoftonline.com',
    'https://LOGIN.MicrosoftOnline.com/',
    'https://login.microsoftonline.us',
    'https://login.chinacloudapi.cn',
    'https://login.partner.microsoftonline.cn',
    'https://login.microsoftonline.de',
  ])('keeps it for Microsoft cloud %s', (host) => {
    expect(usesInstanceDiscovery(host)).toBe(true);
  });

  it.each([
    'https://127.0.0.1:8443',
    'https://localhost:3000',
    'https://login.example.org',
    'https://login.microsoftonline.com.example.org',
  ])('turns it off for %s, which Microsoft cannot vouch for', (host) => {
    expect(usesInstanceDiscovery(host)).toBe(false);
  });
});
