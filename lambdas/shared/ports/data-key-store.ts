import type { SecretPurpose } from './cipher.ts';

/**
 * A data key as stored: wrapped (encrypted) by the key service, never in the clear. Keys are numbered per
 * purpose, one generation after another; `<purpose>-<generation>` is the key id every ciphertext names.
 */
export interface DataKeyRecord {
  keyId: string;
  purpose: SecretPurpose;
  generation: number;
  /** The key service's ciphertext of the 32-byte key (`kms1:` or `local1:` form). */
  wrappedKey: string;
  /** ISO time the key was made: rotation is due when it is older than the rotation period. */
  createdAt: string;
  /**
   * `active` while it seals new values; `retired` once a newer key took over (or an operator forced a
   * rotation). A retired key still opens what it sealed.
   */
  state: 'active' | 'retired';
}

/** Where the data keys live. Every read is strongly consistent: keys are read rarely, and a new one must be seen. */
export interface DataKeyStore {
  /** The generation that seals new values of a purpose; undefined before the first key. */
  activeGeneration(purpose: SecretPurpose): Promise<number | undefined>;
  get(keyId: string): Promise<DataKeyRecord | undefined>;
  /** Stores a new key; false when a key of that id exists already (another container made it first). */
  create(record: DataKeyRecord): Promise<boolean>;
  /** Moves the purpose's active generation forward to `generation` (never back). */
  activate(purpose: SecretPurpose, generation: number): Promise<void>;
  /** Marks a key retired (no-op when it is already). */
  retire(keyId: string): Promise<void>;
}
