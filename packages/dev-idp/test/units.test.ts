import { describe, expect, it } from 'vitest';
import { CookieJar } from '../src/http-signin.js';
import { escapeHtml, renderLoginPage } from '../src/login-page.js';
import { authenticate, demoUsersWithRandomPasswords } from '../src/users.js';

describe('authenticate', () => {
  const users = demoUsersWithRandomPasswords();
  const alice = users[0];

  it('accepts only the exact username and password', () => {
    if (!alice) throw new Error('no demo users');
    expect(authenticate(users, 'alice', alice.password)?.username).toBe('alice');
    expect(authenticate(users, 'alice', `${alice.password} `)).toBeUndefined();
    expect(authenticate(users, 'alice', alice.password.slice(0, -1))).toBeUndefined();
    expect(authenticate(users, 'Alice', alice.password)).toBeUndefined();
    expect(authenticate(users, 'bob', alice.password)).toBeUndefined();
    expect(authenticate(users, 'mallory', '')).toBeUndefined();
  });
});

describe('login page', () => {
  it('escapes everything it echoes', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    const html = renderLoginPage({ action: '/interaction/abc/login', clientId: '<b>rp</b>', username: '"><img src=x>', error: '<i>bad</i>' });
    expect(html).not.toContain('<b>rp</b>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<i>bad</i>');
    expect(html).toContain('action="/interaction/abc/login"');
  });
});

describe('CookieJar', () => {
  it('keeps the latest value and drops expired cookies', () => {
    const jar = new CookieJar();
    expect(jar.header()).toBeUndefined();
    jar.store(['a=1; path=/; httponly', 'b=2; path=/x']);
    jar.store(['a=3; path=/']);
    expect(jar.header()).toBe('a=3; b=2');
    jar.store(['b=; expires=Thu, 01 Jan 1970 00:00:00 GMT', 'a=3; Max-Age=0']);
    expect(jar.header()).toBeUndefined();
  });
});
