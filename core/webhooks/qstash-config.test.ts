/**
 * QStash's variables: all optional, but with QSTASH_TOKEN every other one it needs must be set,
 * and without it none of them may be (a half-done setup would silently send directly); the
 * refusal names what is missing.
 */
import { describe, expect, test } from 'bun:test';
import { configSchema } from '../platform/config.ts';
import { ConfigError, parseEnv } from '../platform/env.ts';
import { webhookSettingsFrom } from './settings.ts';

const complete = {
  QSTASH_TOKEN: 'qstash-token',
  QSTASH_CURRENT_SIGNING_KEY: 'sig_current',
  QSTASH_NEXT_SIGNING_KEY: 'sig_next',
  WEBHOOK_CALLBACK_BASE_URL: 'https://api.example.com/',
};

function refusal(env: Record<string, string>): string {
  try {
    parseEnv(configSchema, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('QStash configuration', () => {
  test('unset: deliveries are sent directly', () => {
    expect(webhookSettingsFrom(parseEnv(configSchema, {})).qstash).toBeUndefined();
  });

  test('complete: the settings, with the callback base URL without its trailing slash', () => {
    const settings = webhookSettingsFrom(
      parseEnv(configSchema, { ...complete, QSTASH_URL: 'http://127.0.0.1:9600', QSTASH_RETRIES: '3' }),
    );
    expect(settings.qstash).toEqual({
      token: 'qstash-token',
      url: 'http://127.0.0.1:9600',
      currentSigningKey: 'sig_current',
      nextSigningKey: 'sig_next',
      retries: 3,
      callbackBaseUrl: 'https://api.example.com',
    });
  });

  test.each(['QSTASH_CURRENT_SIGNING_KEY', 'QSTASH_NEXT_SIGNING_KEY', 'WEBHOOK_CALLBACK_BASE_URL'])(
    'QSTASH_TOKEN without %s is refused, naming it',
    (name) => {
      const { [name as keyof typeof complete]: _, ...rest } = complete;
      const message = refusal(rest);
      expect(message).toContain(`${name}: is required when QSTASH_TOKEN is set`);
      expect(message.match(/is required when QSTASH_TOKEN/g)).toHaveLength(1);
    },
  );

  test('QSTASH_TOKEN alone names all three', () => {
    const message = refusal({ QSTASH_TOKEN: 'qstash-token' });
    for (const name of ['QSTASH_CURRENT_SIGNING_KEY', 'QSTASH_NEXT_SIGNING_KEY', 'WEBHOOK_CALLBACK_BASE_URL'])
      expect(message).toContain(`${name}: is required when QSTASH_TOKEN is set`);
  });

  test('signing keys or QSTASH_URL without QSTASH_TOKEN are refused, naming QSTASH_TOKEN', () => {
    const { QSTASH_TOKEN: _, ...rest } = complete;
    expect(refusal(rest)).toContain('QSTASH_TOKEN: is missing while QSTASH_CURRENT_SIGNING_KEY');
    expect(refusal({ QSTASH_URL: 'http://127.0.0.1:9600' })).toContain(
      'QSTASH_TOKEN: is missing while QSTASH_URL is set',
    );
  });

  test('a callback base URL that is not a URL is refused', () => {
    expect(refusal({ ...complete, WEBHOOK_CALLBACK_BASE_URL: 'api.example.com' })).toContain(
      'WEBHOOK_CALLBACK_BASE_URL',
    );
  });
});
