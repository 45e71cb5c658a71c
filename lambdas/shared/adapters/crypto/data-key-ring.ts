import { BoundedCache } from '../../domain/bounded-cache.ts';
import type { SecretPurpose } from '../../ports/cipher.ts';
import type { DataKeyRecord, DataKeyStore } from '../../ports/data-key-store.ts';
import { DecryptionError, EncryptionError } from './cipher-errors.ts';

/** A new data key becomes active once the active one is this old (docs/operating.md: "Token encryption"). */
export const ROTATION_DAYS = 30;
/** How long a container seals with the active key before it looks again (a rotation forced by an operator). */
const ACTIVE_KEY_RECHECK_MS = 10 * 60 * 1000;
/** Unwrapped data keys a container keeps: two purposes, one key a month, several years of old keys. */
const DATA_KEY_CACHE_CAPACITY = 256;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Makes and unwraps data keys: KMS in AWS (KmsKeyService), a local key in the local run (LocalKeyWrapper). */
export interface DataKeyWrapper {
  /** A new 256-bit key and its wrapped form, bound to `{purpose, dataKeyId}`. */
  generate(purpose: SecretPurpose, dataKeyId: string): Promise<{ plaintext: Buffer; wrappedKey: string }>;
  unwrap(purpose: SecretPurpose, dataKeyId: string, wrappedKey: string): Promise<Buffer>;
}

export interface DataKeyRingOptions {
  store: DataKeyStore;
  wrapper: DataKeyWrapper;
  now?: () => Date;
  rotationDays?: number;
  activeKeyRecheckMs?: number;
  capacity?: number;
}

const dataKeyId = (purpose: SecretPurpose, generation: number) => `${purpose}-${generation}`;

interface ActiveKey {
  keyId: string;
  key: Buffer;
  createdAt: number;
  checkedAt: number;
}

/**
 * The data keys of one container. Each key is unwrapped once (one KMS Decrypt) and kept, in a bounded cache;
 * the active key of each purpose is looked up again every few minutes, and replaced by a new generation when
 * it is older than the rotation period or an operator retired it. Concurrent callers share one lookup.
 */
export class DataKeyRing {
  readonly #keys: BoundedCache<string, Promise<Buffer>>;
  readonly #active = new Map<SecretPurpose, ActiveKey>();
  readonly #activating = new Map<SecretPurpose, Promise<ActiveKey>>();
  readonly #now: () => Date;
  readonly #rotationMs: number;
  readonly #recheckMs: number;

  constructor(private readonly options: DataKeyRingOptions) {
    this.#now = options.now ?? (() => new Date());
    this.#rotationMs = (options.rotationDays ?? ROTATION_DAYS) * DAY_MS;
    this.#recheckMs = options.activeKeyRecheckMs ?? ACTIVE_KEY_RECHECK_MS;
    this.#keys = new BoundedCache(options.capacity ?? DATA_KEY_CACHE_CAPACITY);
  }

  /** The key that seals new values of `purpose`; EncryptionError('unavailable') when none can be had. */
  async activeKey(purpose: SecretPurpose): Promise<{ keyId: string; key: Buffer }> {
    const now = this.#now().getTime();
    const cached = this.#active.get(purpose);
    if (cached && now - cached.checkedAt < this.#recheckMs && !this.isDue(cached.createdAt, now))
      return cached;
    let pending = this.#activating.get(purpose);
    if (!pending) {
      pending = this.findOrRotate(purpose).finally(() => this.#activating.delete(purpose));
      this.#activating.set(purpose, pending);
    }
    try {
      return await pending;
    } catch (error) {
      if (error instanceof EncryptionError) throw error;
      throw new EncryptionError('unavailable', `no data key to seal with (${errorName(error)})`, {
        cause: error,
      });
    }
  }

  /**
   * The unwrapped key of `keyId`, unwrapped once per container. DecryptionError `refused` when no such key
   * exists (the ciphertext names a key this service never made); `unavailable` for any failure to read or unwrap
   * it, which says nothing against the ciphertext.
   */
  key(keyId: string): Promise<Buffer> {
    const cached = this.#keys.get(keyId);
    if (cached) return cached;
    const unwrapping = this.unwrapStored(keyId);
    this.#keys.set(keyId, unwrapping);
    // A failure is not kept: the next open tries again.
    unwrapping.catch(() => {
      if (this.#keys.get(keyId) === unwrapping) this.#keys.delete(keyId);
    });
    return unwrapping;
  }

  private async unwrapStored(keyId: string): Promise<Buffer> {
    let record: DataKeyRecord | undefined;
    try {
      record = await this.options.store.get(keyId);
    } catch (error) {
      throw new DecryptionError('unavailable', `the data key could not be read (${errorName(error)})`, {
        cause: error,
      });
    }
    if (!record) throw new DecryptionError('refused', 'the ciphertext names a data key that does not exist');
    try {
      return await this.options.wrapper.unwrap(record.purpose, keyId, record.wrappedKey);
    } catch (error) {
      // Even a refusal here condemns the stored key, not the subscriber's ciphertext: never a reason to drop it.
      const reason = error instanceof DecryptionError ? error.reason : errorName(error);
      throw new DecryptionError('unavailable', `the data key could not be unwrapped (${reason})`, {
        cause: error,
      });
    }
  }

  private async findOrRotate(purpose: SecretPurpose): Promise<ActiveKey> {
    const { store } = this.options;
    const generation = await store.activeGeneration(purpose);
    if (generation !== undefined) {
      const record = await store.get(dataKeyId(purpose, generation));
      if (record?.state === 'active' && !this.isDue(Date.parse(record.createdAt), this.#now().getTime())) {
        return this.adopt(record);
      }
    }
    return this.rotate(purpose, (generation ?? 0) + 1);
  }

  /**
   * Makes generation `generation` the active key. Every container computes the same next key id, and the store
   * keeps the first one written: a container that loses the race uses the winner's key.
   */
  private async rotate(purpose: SecretPurpose, generation: number): Promise<ActiveKey> {
    const { store, wrapper } = this.options;
    const keyId = dataKeyId(purpose, generation);
    const { plaintext, wrappedKey } = await wrapper.generate(purpose, keyId);
    const made: DataKeyRecord = {
      keyId,
      purpose,
      generation,
      wrappedKey,
      createdAt: this.#now().toISOString(),
      state: 'active',
    };
    let chosen: DataKeyRecord | undefined = made;
    if (await store.create(made)) {
      this.#keys.set(keyId, Promise.resolve(plaintext));
    } else {
      plaintext.fill(0);
      chosen = await store.get(keyId);
      if (!chosen) throw new Error('the data key another container made is gone');
      // Retired already (a forced rotation right after it was made): the next generation takes over.
      if (chosen.state !== 'active') return this.rotate(purpose, generation + 1);
    }
    await store.activate(purpose, generation);
    if (generation > 1) await store.retire(dataKeyId(purpose, generation - 1));
    return this.adopt(chosen);
  }

  private async adopt(record: DataKeyRecord): Promise<ActiveKey> {
    const active: ActiveKey = {
      keyId: record.keyId,
      key: await this.key(record.keyId),
      createdAt: Date.parse(record.createdAt),
      checkedAt: this.#now().getTime(),
    };
    this.#active.set(record.purpose, active);
    return active;
  }

  private isDue(createdAt: number, now: number): boolean {
    return !(now - createdAt < this.#rotationMs);
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}
