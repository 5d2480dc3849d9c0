import { redactDatabaseUrl } from './redact-url.js';

describe('redactDatabaseUrl', () => {
  it('hides the password and the query string', () => {
    expect(redactDatabaseUrl('postgres://app:hunter2@db:5432/fleet?sslpassword=x')).toBe(
      'postgres://app:***@db:5432/fleet',
    );
  });
  it('does not echo an unparseable URL', () => {
    expect(redactDatabaseUrl('not a url hunter2')).toBe('<unparseable database URL>');
  });
});
