/**
 * The HMAC keys shared with the ICS service (the host), by key id. Several are accepted at once, so a key is
 * rotated by adding the new one, moving the host to it, then removing the old one.
 */
export interface HostKeyRing {
  /** The key with this id, or undefined when there is none. Throws when the keys cannot be read at all. */
  keyFor(keyId: string): Promise<Buffer | undefined>;
}
