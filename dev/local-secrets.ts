import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { decodeHostKey } from '../lambdas/shared/domain/host-keys.ts';

/**
 * The secrets of the local run: the cipher key of the stored tokens, the subscriber-id secret, and the key the
 * demo host signs with. Made once and kept in the data folder (never in the repository), so connections stored
 * in the local database stay readable from one run to the next.
 */
export interface LocalSecrets {
  /** LOCAL_CIPHER_KEY: 32 random bytes, base64. */
  cipherKey: string;
  /** SUBSCRIBER_ID_SECRET: 64 hex characters. */
  subscriberIdSecret: string;
  /** The demo host's key (HOST_KEYS), 32 random bytes as hex, and its id. */
  hostKeyId: string;
  hostKey: string;
}

const SECRETS_FILE = 'secrets.json';

const secretsSchema = z.object({
  cipherKey: z.string().refine((value) => Buffer.from(value, 'base64').length === 32),
  subscriberIdSecret: z.string().min(32),
  hostKeyId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  hostKey: z.string().refine((value) => decodeHostKey(value) !== undefined),
});

export function loadOrCreateSecrets(dataDir: string): LocalSecrets {
  const file = path.join(dataDir, SECRETS_FILE);
  if (existsSync(file)) {
    const parsed = secretsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) return parsed.data;
    throw new Error(`${file} is not readable as the local run's secrets: delete it to make new ones`);
  }
  const secrets: LocalSecrets = {
    cipherKey: randomBytes(32).toString('base64'),
    subscriberIdSecret: randomBytes(32).toString('hex'),
    hostKeyId: 'demo-host-1',
    hostKey: randomBytes(32).toString('hex'),
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}
